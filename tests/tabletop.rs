//! `drillsim tabletop`: scripted sessions (tests/data/tabletop/) produce the
//! expected drill log, bad commands are answered and do not stop the
//! session, the same script gives the same outputs, the players see only
//! what their body would know.

use std::path::{Path, PathBuf};

use drillsim::app::Error;
use drillsim::report::Lang;
use drillsim::tabletop::{self, TabletopArgs, TabletopOutput};

const SCENARIO: &str = "scenarios/provincial-dc-power-failure.ron";

fn data(name: &str) -> PathBuf {
    Path::new("tests/data/tabletop").join(name)
}

fn args(play_as: &str, out: &Path) -> TabletopArgs {
    TabletopArgs {
        scenario: SCENARIO.into(),
        plan: "sat-overall".into(),
        play_as: play_as.into(),
        seed: 1,
        lang: Lang::En,
        out: Some(out.to_path_buf()),
        ..TabletopArgs::default()
    }
}

/// Runs `script` as stdin; returns the output and what was shown.
fn session(a: &TabletopArgs, script: &str) -> (Result<TabletopOutput, Error>, String) {
    let mut shown = Vec::new();
    let r = tabletop::run(a, &mut script.as_bytes(), &mut shown, false);
    (r, String::from_utf8(shown).unwrap())
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn scripted_session_writes_the_expected_drill_log() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("run");
    let script = read(&data("sichuan-office.txt"));
    let (r, shown) = session(&args("emergency_office@sc", &out), &script);
    let r = r.unwrap();
    let log = read(&out.join("drill-log.csv"));
    let expected = data("sichuan-office.expected.csv");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&expected, &log).unwrap();
    }
    assert_eq!(log, read(&expected), "drill log; session:\n{shown}");
    // Every accepted command is one row, in order, at the minute it was given.
    assert_eq!(r.log.len(), log.lines().count() - 1);
    assert!(r.log.windows(2).all(|w| w[0].at <= w[1].at));
    // The run's normal outputs are there, scored like `run`'s.
    for f in [
        "record.json",
        "obligations.csv",
        "events.csv",
        "summary.json",
        "report.md",
        "report.html",
        "tabletop.txt",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    assert_eq!(
        read(&out.join("obligations.csv")).into_bytes(),
        drillsim::score::obligations_csv(&r.assessment, &r.record)
    );
    // The transcript keeps the commands; the screen shows the answers.
    let transcript = read(&out.join("tabletop.txt"));
    assert!(transcript.contains("> grade II"), "{transcript}");
    assert!(!shown.contains("> grade II"));
    assert!(shown.contains("INJECT: Mains power is lost at Sichuan Tax Bureau (sc)"));
}

#[test]
fn bad_commands_are_answered_and_the_session_goes_on() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("run");
    let script = read(&data("bad-commands.txt"));
    let (r, shown) = session(&args("emergency_office@sc", &out), &script);
    let r = r.unwrap();
    for (line, msg) in [
        (3, "unknown command `isolate`; type `help` for the commands"),
        (4, "`V` is not a level (I, II, III, IV"),
        (5, "`soon` is not a duration"),
        (
            6,
            "the plan `sat-overall` has no step `reboot`; your steps: ",
        ),
        (
            7,
            "emergency_office may not do `isolate`: the plan gives it to Information centre (information_centre)",
        ),
        (
            8,
            "emergency_office may not start the level II response: the plan gives it to Cyber-security and informatisation leadership group (leadership_group)",
        ),
        (9, "no unit `atlantis` in the network"),
        (10, "you play the body at sc; `at hq` names another unit"),
        (11, "usage: grade LEVEL [at UNIT]"),
        (12, "usage: status"),
    ] {
        let want = format!("line {line}: {msg}");
        assert!(shown.contains(&want), "missing «{want}» in:\n{shown}");
    }
    // The good commands around them were still taken.
    let actions: Vec<String> = r
        .log
        .iter()
        .map(|a| format!("{} {}", a.row, a.note))
        .collect();
    assert_eq!(actions, ["13 grade III", "15 report"]);
    assert!(out.join("drill-log.csv").is_file());
}

#[test]
fn the_same_script_gives_the_same_outputs() {
    let t = tempfile::tempdir().unwrap();
    let script = read(&data("sichuan-office.txt"));
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    let (ra, sa) = session(&args("emergency_office@sc", &a), &script);
    let (rb, sb) = session(&args("emergency_office@sc", &b), &script);
    ra.unwrap();
    rb.unwrap();
    assert_eq!(sa, sb);
    let mut names: Vec<_> = std::fs::read_dir(&a)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() >= 8);
    for n in names {
        let (pa, pb) = (a.join(&n), b.join(&n));
        if pa.is_dir() {
            continue;
        }
        assert!(
            std::fs::read(&pa).unwrap() == std::fs::read(&pb).unwrap(),
            "{n:?} differs"
        );
    }
}

#[test]
fn players_see_no_ground_truth_the_facilitator_does() {
    let t = tempfile::tempdir().unwrap();
    let script = "wait\nwait 10h\nstatus\nend\n";
    let (r, players) = session(&args("emergency_office@sc", &t.path().join("p")), script);
    r.unwrap();
    let mut f = args("emergency_office@sc", &t.path().join("f"));
    f.facilitator = true;
    let (r, facilitator) = session(&f, script);
    r.unwrap();
    assert!(!players.contains("TRUTH") && !players.contains("FACILITATOR"));
    assert!(facilitator.contains("FACILITATOR inject: power outage over 1 node(s) for 720 min"));
    assert!(facilitator.contains("TRUTH: 0 hosts infected, 1 node(s) affected, 1 down"));
    // A body elsewhere is not told of a power cut at sc.
    let (r, elsewhere) = session(
        &args("emergency_office@gd", &t.path().join("g")),
        "wait 3h\nend\n",
    );
    r.unwrap();
    assert!(!elsewhere.contains("INJECT"), "{elsewhere}");
}

#[test]
fn a_body_the_plan_lacks_is_refused_with_its_position() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("x");
    for (who, msg) in [
        (
            "chief@sc",
            "--as:1:1: the plan `sat-overall` has no body `chief` to play (bodies: ",
        ),
        ("emergency_office@nowhere", "--as:1:18: no unit `nowhere`"),
        (
            "command_hq@sc.01.01",
            "--as:1:12: the plan has no command_hq at a county unit like `sc.01.01` (it exists at: hq, provincial)",
        ),
    ] {
        let (r, _) = session(&args(who, &out), "end\n");
        let Err(e) = r else { panic!("{who} accepted") };
        assert_eq!(e.exit_code(), 2);
        let text = e.to_string();
        assert!(text.contains(msg), "{who}: {text}");
    }
    assert!(!out.exists(), "nothing written for a refused session");
}

/// The drill log is all the players did: replaying it from the start
/// (the same seed, the same body under control) scores exactly as the
/// session did. (`drillsim assess` of wip-drill controls every body; this
/// replays with the tabletop's own control, `Control::Only`.)
#[test]
fn replaying_the_drill_log_reproduces_the_sessions_scores() {
    use drillsim::engine::response::external::Control;
    use drillsim::engine::{ResponseSetup, RunConfig, Sim};
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("run");
    let a = args("emergency_office@sc", &out);
    let (r, _) = session(&a, &read(&data("sichuan-office.txt")));
    let r = r.unwrap();
    // The log file holds exactly the actions, at their minutes.
    let csv = read(&out.join("drill-log.csv"));
    let minutes: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    let want: Vec<String> = r.log.iter().map(|x| format!("{}", x.at)).collect();
    assert_eq!(minutes, want);

    let topo = drillsim::app::load_topology(None).unwrap();
    let scenario = drillsim::app::load_scenario(Some(Path::new(SCENARIO)), &topo).unwrap();
    let plan = drillsim::app::load_plan("sat-overall").unwrap();
    let teams = drillsim::app::load_teams(None, &topo).unwrap();
    let me = tabletop::parse_as("emergency_office@sc", &plan, &topo).unwrap();
    let record = Sim::with_response(
        topo,
        scenario,
        Some(ResponseSetup {
            plan,
            teams,
            spread: true,
        }),
        RunConfig {
            seed: 1,
            response: true,
        },
    )
    .with_external(
        Control::Only {
            body: me.body,
            unit: me.unit,
        },
        r.log.clone(),
    )
    .run_to_end();
    let th = drillsim::score::default_thresholds();
    let again = drillsim::score::assess(&record, &th);
    assert_eq!(
        String::from_utf8(drillsim::score::obligations_csv(&again, &record)).unwrap(),
        read(&out.join("obligations.csv"))
    );
    assert_eq!(again.ratings, r.assessment.ratings);
    assert_eq!(record.events, r.record.events);
    // The players' body did its own tasks: grading and both reports.
    let done: Vec<(&str, Option<usize>)> = r
        .record
        .tasks
        .iter()
        .filter(|t| Some(t.unit) == me.unit && t.body == "emergency_office")
        .map(|t| (t.name.as_str(), t.log_row))
        .collect();
    assert_eq!(
        done,
        [
            ("grade", Some(9)),
            ("initial_report", Some(11)),
            ("written_report", Some(13))
        ]
    );
}

/// The monitoring body detects only when the players say so: it is shown
/// the worm's alerts at its site, and `detect` opens the incident there.
#[test]
fn the_monitoring_body_is_alerted_and_detects() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("w");
    let mut a = args("information_centre@gd", &out);
    a.scenario = "scenarios/national-worm.ron".into();
    let (r, shown) = session(&a, "wait\nwait\ndetect\nwait 1m\nend\n");
    let r = r.unwrap();
    let alert = shown
        .find("ALERT: scanning traffic and hosts behaving like the worm at Guangdong Tax Bureau (gd) (`detect at gd`)")
        .unwrap_or_else(|| panic!("{shown}"));
    let opened = shown
        .find("Guangdong Tax Bureau (gd): incident 1 (malware.worm Worm) opened")
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(alert < opened);
    assert!(shown.contains("new task: Isolate infected hosts at Guangdong Tax Bureau (gd)"));
    let log = read(&out.join("drill-log.csv"));
    assert_eq!(
        log.lines()
            .nth(1)
            .map(|l| l.split(',').skip(1).take(4).collect::<Vec<_>>()),
        Some(vec!["gd", "information_centre", "detect", "gd"])
    );
    // Detection at gd was the players': the record says the information
    // centre of gd opened the incident at the logged minute.
    let e = r
        .record
        .events
        .iter()
        .find(|e| e.kind == drillsim::engine::EventKind::IncidentOpened)
        .unwrap();
    assert_eq!(e.actor, "gd information_centre");
    assert_eq!(e.minute, r.log[0].at);
}

/// Acceptance (issue 10): a scripted tabletop's `drill-log.csv` assessed
/// with `assess --as` the same body (the log decides for that body, the
/// simulated teams for the rest: the tabletop's setting) reproduces the
/// session's own obligations, events, timeline and summary scores byte for
/// byte; the record differs only in naming its log.
#[test]
fn assessing_the_tabletop_log_as_the_same_body_reproduces_the_session() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("session");
    let (r, _) = session(
        &args("emergency_office@sc", &out),
        &read(&data("sichuan-office.txt")),
    );
    r.unwrap();
    let assessed = t.path().join("assessed");
    let a = drillsim::drill::assess(&drillsim::drill::AssessArgs {
        scenario: SCENARIO.into(),
        plan: Some("sat-overall".into()),
        log: out.join("drill-log.csv"),
        lang: Lang::En,
        seed: 1,
        out: Some(assessed.clone()),
        runs: 0,
        play_as: Some("emergency_office@sc".into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        a.record.drill.as_ref().map(|d| d.control.as_str()),
        Some("emergency_office@sc")
    );
    for f in [
        "obligations.csv",
        "events.csv",
        "timeline.csv",
        "summary.json",
    ] {
        assert_eq!(
            read(&assessed.join(f)),
            read(&out.join(f)),
            "{f} differs between the session and its assessment"
        );
    }
    // Assessed as every body instead, the same log leaves the other
    // bodies' work undone: the scores differ (the choice matters).
    let all = drillsim::drill::assess(&drillsim::drill::AssessArgs {
        scenario: SCENARIO.into(),
        plan: Some("sat-overall".into()),
        log: out.join("drill-log.csv"),
        lang: Lang::En,
        seed: 1,
        out: Some(t.path().join("all")),
        runs: 0,
        ..Default::default()
    })
    .unwrap();
    assert_ne!(
        read(&t.path().join("all").join("obligations.csv")),
        read(&out.join("obligations.csv"))
    );
    assert_eq!(all.record.drill.as_ref().unwrap().control, "all");
}

/// `assess --as` refuses a body or unit the plan lacks as `tabletop --as`
/// does: the position in the option, exit 2, nothing written.
#[test]
fn assess_as_a_body_the_plan_lacks_exits_2() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("x");
    for (who, msg) in [
        (
            "chief@sc",
            "--as:1:1: the plan `sat-overall` has no body `chief` to play (bodies: ",
        ),
        ("emergency_office@nowhere", "--as:1:18: no unit `nowhere`"),
    ] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_drillsim"))
            .args([
                "assess",
                SCENARIO,
                "--log",
                "tests/data/tabletop/sichuan-office.expected.csv",
                "--runs",
                "0",
                "--as",
                who,
                "--out",
                out.to_str().unwrap(),
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{who}: {stderr}");
        assert!(stderr.contains(msg), "{who}: {stderr}");
        assert!(!stderr.contains("panicked"));
    }
    assert!(!out.exists(), "nothing written for a refused assessment");
}

/// Alerts for every threat with symptoms, not only worms: the information
/// centre played at the Sichuan bureau is alerted to its defaced website
/// and can detect it; the emergency office (not the monitoring body) is not.
#[test]
fn the_monitoring_body_is_alerted_to_a_defacement() {
    let t = tempfile::tempdir().unwrap();
    let mut a = args("information_centre@sc", &t.path().join("ic"));
    a.scenario = "scenarios/provincial-website-defacement.ron".into();
    let (r, shown) = session(&a, "wait 2h\ndetect at sc\nend\n");
    r.unwrap();
    assert!(
        shown.contains("ALERT: reports that the website of Sichuan Tax Bureau (sc) shows content it should not (`detect at sc`)"),
        "{shown}"
    );
    let log = read(&t.path().join("ic").join("drill-log.csv"));
    assert!(log.contains(",sc,information_centre,detect,sc,"), "{log}");
    let events = read(&t.path().join("ic").join("events.csv"));
    assert!(
        events.contains(",incident_opened,sc,sc information_centre,"),
        "{events}"
    );
    let mut b = args("emergency_office@sc", &t.path().join("eo"));
    b.scenario = a.scenario.clone();
    let (r, shown) = session(&b, "wait 2h\nend\n");
    r.unwrap();
    assert!(!shown.contains("ALERT"), "{shown}");
}
