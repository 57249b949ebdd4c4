//! What a responder would not accept, seen in earlier outputs (each test
//! fails on the behaviour it replaced):
//! - a defacement or harmful content someone noticed is told to the site
//!   outright, as a flood's alarms and a leak's discovery are;
//! - a denial of service gets no patch or harden task (no hole exploited),
//!   a leak no take-down (nothing altered or published), and every other
//!   obligation the plan owes is still there;
//! - the hosts a virus infected count in the outcome `total_infected_hosts`
//!   (runs.csv); a worm run's count is the timeline's, unchanged;
//! - the grading facts count what the plan counts: a province cut off is
//!   serious loss at its provincial bureau, and an insider's copied records
//!   are a leak's records;
//! - content on a website (defaced or harmful) starts no special plan of
//!   the systems at its site (they kept running), and is taken down once
//!   though two plans ask for it;
//! - a run where nothing was infected or lost is not summarised as "an
//!   outage: at most 0 nodes were down".

use std::collections::BTreeSet;

use crate::util::run_src;
use drillsim::app;
use drillsim::engine::{EventKind, RunRecord};
use drillsim::score::assess;
use drillsim::score::thresholds::default_thresholds;

fn first(rec: &RunRecord, kind: EventKind) -> Option<f64> {
    rec.events.iter().find(|e| e.kind == kind).map(|e| e.minute)
}

/// The step ids of the run's step tasks.
fn steps(rec: &RunRecord) -> BTreeSet<String> {
    rec.tasks
        .iter()
        .filter(|t| &*t.kind == "step")
        .map(|t| t.name.to_string())
        .collect()
}

#[test]
fn noticed_harmful_content_is_told_to_the_site_outright() {
    let topo = app::load_topology(None).unwrap();
    let src = include_str!("../scenarios/harmful-content-website.ron");
    let mut waits = Vec::new();
    for seed in 1..=10 {
        let rec = run_src(&topo, src, seed);
        let noticed = crate::util::defacement_noticed(&rec).expect("noticed");
        let opened = first(&rec, EventKind::IncidentOpened).expect("opened");
        assert!(opened >= noticed, "seed {seed}");
        waits.push(opened - noticed);
    }
    waits.sort_by(f64::total_cmp);
    // Told outright, a provincial bureau (1 an hour × 1.0) takes under an
    // hour in the median (43 min over these seeds); at the generic
    // strength 0.3 the median wait was 98 min.
    let median = (waits[4] + waits[5]) / 2.0;
    assert!(median < 60.0, "median wait {median:.0} min: {waits:?}");
}

#[test]
fn a_flood_is_not_patched_and_a_leak_not_taken_down_and_the_rest_is_owed() {
    let topo = app::load_topology(None).unwrap();
    let dos = include_str!("../scenarios/filing-deadline-dos.ron");
    let leak = include_str!("../scenarios/taxpayer-data-leak.ron");
    for seed in 1..=3 {
        let rec = run_src(&topo, dos, seed);
        let got = steps(&rec);
        for no in ["patch", "harden"] {
            assert!(!got.contains(no), "seed {seed}: DoS has {no}: {got:?}");
        }
        // The hacker-attack procedure's other steps and the e-filing
        // special plan's are still owed.
        for owed in [
            "cut_attack_source",
            "trace_source",
            "restore_service",
            "notify_users",
            "evaluate",
            "summary_report",
        ] {
            assert!(got.contains(owed), "seed {seed}: DoS lacks {owed}: {got:?}");
        }
        // Restoring follows what the passed steps followed: the cut (when
        // the team did it; a skipped step is a deviation, not a wait).
        let cut = rec
            .tasks
            .iter()
            .find(|t| &*t.name == "cut_attack_source")
            .and_then(|t| t.finished);
        if let Some(cut) = cut {
            for t in rec.tasks.iter().filter(|t| &*t.name == "restore_service") {
                if let Some(s) = t.started {
                    assert!(s >= cut, "seed {seed}: restore before the cut");
                }
            }
        }
        for kind in ["grade", "activate"] {
            assert!(rec.tasks.iter().any(|t| &*t.kind == kind), "{kind}");
        }

        let rec = run_src(&topo, leak, seed);
        let got = steps(&rec);
        assert!(
            !got.contains("take_down_content"),
            "seed {seed}: leak has a take-down: {got:?}"
        );
        for owed in [
            "cut_attack_source",
            "trace_source",
            "restore_service",
            "notify_users",
            "evaluate",
            "summary_report",
        ] {
            assert!(
                got.contains(owed),
                "seed {seed}: leak lacks {owed}: {got:?}"
            );
        }
    }
    // Where content was altered the take-down stays, and where a hole was
    // exploited the patch stays.
    let deface = include_str!("../scenarios/provincial-website-defacement.ron");
    assert!(steps(&run_src(&topo, deface, 1)).contains("take_down_content"));
    let intrusion = include_str!("../scenarios/provincial-portal-intrusion.ron");
    let with_patch = (1..=5).any(|seed| steps(&run_src(&topo, intrusion, seed)).contains("patch"));
    assert!(with_patch, "no intrusion run patched");
}

#[test]
fn a_virus_counts_its_infected_hosts_and_a_worm_keeps_its_own() {
    let topo = app::load_topology(None).unwrap();
    let th = default_thresholds();
    let virus = include_str!("../scenarios/prefecture-office-virus.ron");
    let rec = run_src(&topo, virus, 1);
    let hosts: u64 = rec
        .threats
        .iter()
        .filter(|o| o.threat == "virus")
        .map(|o| o.hosts_infected)
        .sum();
    assert!(hosts > 0);
    assert_eq!(rec.totals.total_infected_hosts, 0, "no worm");
    assert_eq!(assess(&rec, &th).outcomes.total_infected_hosts, hosts);

    let worm = include_str!("../scenarios/weekend-worm.ron");
    let rec = run_src(&topo, worm, 1);
    assert!(rec.totals.total_infected_hosts > 0);
    assert_eq!(
        assess(&rec, &th).outcomes.total_infected_hosts,
        rec.totals.total_infected_hosts
    );
}

/// The grading events' levels and details.
fn gradings(rec: &RunRecord) -> Vec<(String, String)> {
    rec.events
        .iter()
        .filter(|e| e.kind == EventKind::Grading)
        .map(|e| {
            let lv = e.detail.split("graded level ").nth(1).unwrap();
            (
                lv.split(' ').next().unwrap().to_string(),
                e.detail.to_string(),
            )
        })
        .collect()
}

#[test]
fn a_province_cut_off_is_serious_at_its_first_grading() {
    let topo = app::load_topology(None).unwrap();
    let src = include_str!("../scenarios/provincial-router-no-spare.ron");
    for seed in 1..=3 {
        let rec = run_src(&topo, src, seed);
        let g = gradings(&rec);
        // The provincial bureau knows its prefectures and counties lost the
        // WAN with its router: especially important × serious = Ⅱ.
        let (lv, detail) = &g[0];
        assert_eq!(lv, "II", "seed {seed}: {detail}");
        assert!(
            detail.contains("597 node(s) cut off"),
            "seed {seed}: {detail}"
        );
    }
}

#[test]
fn an_insiders_copied_records_are_a_grading_fact() {
    let topo = app::load_topology(None).unwrap();
    let bundled = include_str!("../scenarios/prefecture-insider-data-access.ron");
    // The bundled rate: tens of thousands of records, under the [R] 1 M
    // threshold: Ⅳ, with the records in the facts.
    let rec = run_src(&topo, bundled, 1);
    let g = gradings(&rec);
    assert!(!g.is_empty());
    assert_eq!(g[0].0, "IV", "{}", g[0].1);
    assert!(g[0].1.contains("records leaked"), "{}", g[0].1);
    // A bulk export (a million records an hour): the audit's count grades
    // it Ⅲ or worse at once.
    let bulk = bundled.replacen("records_per_hour: 300.0", "records_per_hour: 1000000.0", 1);
    assert_ne!(bulk, bundled);
    let rec = run_src(&topo, &bulk, 1);
    let g = gradings(&rec);
    assert!(matches!(g[0].0.as_str(), "I" | "II" | "III"), "{}", g[0].1);
}

/// `drillsim run SCENARIO --seed SEED --lang en`: the run's report.md.
fn report_md(scenario: &str, seed: &str) -> String {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("run");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(["run", scenario, "--seed", seed])
        .args(["--lang", "en", "--out", out.to_str().unwrap()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(out.join("report.md")).unwrap()
}

#[test]
fn a_virus_runs_report_says_hosts_were_infected() {
    let md = report_md("scenarios/prefecture-office-virus.ron", "2");
    // The summary and the outcome table agree: 153 hosts infected.
    assert!(md.contains("A virus infected 153 office hosts"), "{md}");
    assert!(md.contains("| Hosts ever infected | 153 |"));
    assert!(!md.contains("No host was infected"));
}

#[test]
fn content_on_a_website_starts_no_system_plan_and_is_taken_down_once() {
    let topo = app::load_topology(None).unwrap();
    let harmful = include_str!("../scenarios/harmful-content-website.ron");
    let deface = include_str!("../scenarios/provincial-website-defacement.ron");
    for (name, src) in [("harmful", harmful), ("defacement", deface)] {
        for seed in 1..=3 {
            let rec = run_src(&topo, src, seed);
            let got = steps(&rec);
            // The core system and online filing kept running: their special
            // plans' restore and manual-processing steps have nothing to do.
            for no in [
                "restore_core",
                "restore_filing",
                "restore_data",
                "manual_processing",
                "notify_taxpayers",
            ] {
                assert!(!got.contains(no), "{name} seed {seed}: has {no}: {got:?}");
            }
            // One take-down, whichever plan asked for it; the website plan's
            // other steps are still owed, after it.
            let take_downs: Vec<_> = rec
                .tasks
                .iter()
                .filter(|t| matches!(&*t.name, "take_down" | "take_down_content"))
                .collect();
            assert_eq!(take_downs.len(), 1, "{name} seed {seed}: {got:?}");
            let done = take_downs[0].finished;
            for owed in ["public_statement", "restore_site", "trace_source"] {
                assert!(
                    got.contains(owed),
                    "{name} seed {seed}: lacks {owed}: {got:?}"
                );
            }
            for t in rec.tasks.iter().filter(|t| &*t.name == "restore_site") {
                if let (Some(s), Some(d)) = (t.started, done) {
                    assert!(
                        s >= d,
                        "{name} seed {seed}: site restored before the take-down"
                    );
                }
            }
        }
    }
    // A flood on online filing still starts the filing plan.
    let dos = include_str!("../scenarios/filing-deadline-dos.ron");
    let got = steps(&run_src(&topo, dos, 1));
    assert!(got.contains("notify_taxpayers"), "{got:?}");
}

#[test]
fn a_run_that_lost_nothing_is_not_called_an_outage() {
    for scenario in [
        "scenarios/harmful-content-website.ron",
        "scenarios/taxpayer-data-leak.ron",
    ] {
        let md = report_md(scenario, "1");
        assert!(!md.contains("consequence was an outage"), "{scenario}");
        assert!(
            md.contains("No host was infected and no node went down"),
            "{scenario}"
        );
    }
    // An outage is still told as one.
    let md = report_md("scenarios/provincial-router-no-spare.ron", "1");
    assert!(md.contains("consequence was an outage"));
}
