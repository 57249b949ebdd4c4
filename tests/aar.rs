//! The after-action report as an assessor reads it: the key events an
//! assessor expects (checked against the run's own record), counts that
//! agree between text and tables, the sign-off block and the objectives.

use std::fs;
use std::path::Path;
use std::process::Command;

use drillsim::engine::{EventKind, RunRecord};

fn run(args: &[&str], out: &Path) -> (RunRecord, String) {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--lang", "en", "--out", out.to_str().unwrap()]);
    let o = Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(&all)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rec = drillsim::output::read_record(out).unwrap();
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    (rec, md)
}

/// The text of a `## ` section whose title starts with `title`.
pub fn section<'a>(md: &'a str, title: &str) -> &'a str {
    let start = md
        .find(&format!("## {title}"))
        .unwrap_or_else(|| panic!("no section {title}"));
    let rest = &md[start + 3..];
    let end = rest.find("\n## ").map(|e| e + 1).unwrap_or(rest.len());
    &rest[..end]
}

/// The rows of the first Markdown table in `text`, as cells (unescaped
/// enough for comparison: `\_` → `_`).
pub fn first_table(text: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect();
    lines
        .iter()
        .skip(2)
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().replace("\\_", "_"))
                .collect()
        })
        .collect()
}

fn clock(rec: &RunRecord, minute: f64) -> String {
    drillsim::output::clock(&rec.start, minute)
}

/// (time, event label) of every key-events row.
fn key_rows(md: &str) -> Vec<(String, String, String)> {
    first_table(section(md, "3. Timeline of key events"))
        .into_iter()
        .map(|r| (r[0].clone(), r[2].clone(), r[5].clone()))
        .collect()
}

fn has(rows: &[(String, String, String)], time: &str, kind: &str) -> bool {
    rows.iter().any(|(t, k, _)| t == time && k == kind)
}

const TIERS: [&str; 5] = ["hq", "provincial", "prefecture", "county", "grassroots"];

fn level_rank(detail: &str) -> Option<(String, u8)> {
    let (inc, rest) = detail.split_once(':')?;
    let lvl = rest
        .trim_start()
        .trim_start_matches("graded ")
        .strip_prefix("level ")?
        .split([' ', ';'])
        .next()?;
    let r = ["I", "II", "III", "IV"].iter().position(|l| *l == lvl)? as u8;
    Some((inc.to_string(), r))
}

/// What an assessor must find among the key events, derived from the record
/// on its own: the first infection at HQ (else the first node hit at the
/// highest tier reached), every change of level, the largest cut-off.
fn expected(rec: &RunRecord) -> Vec<(String, &'static str, String)> {
    let mut want = Vec::new();
    let tier = |e: &drillsim::engine::Event| {
        e.node
            .map(|n| rec.meta.nodes[n as usize].tier.clone())
            .unwrap_or_default()
    };
    let hits: Vec<_> = rec
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::NodeInfected | EventKind::NodeDown))
        .collect();
    if let Some(top) = TIERS.iter().find(|t| hits.iter().any(|e| tier(e) == **t)) {
        let e = hits.iter().find(|e| tier(e) == *top).unwrap();
        let label = if e.kind == EventKind::NodeInfected {
            "Node infected"
        } else {
            "Node down"
        };
        want.push((clock(rec, e.minute), label, format!("first hit at {top}")));
    }
    let mut graded = std::collections::BTreeMap::new();
    let mut activated = std::collections::BTreeMap::new();
    for e in &rec.events {
        let (map, label, started) = match e.kind {
            EventKind::Grading => (&mut graded, "Grading", true),
            EventKind::Activation => (
                &mut activated,
                "Activation",
                e.detail.contains("response started"),
            ),
            _ => continue,
        };
        let Some((inc, r)) = level_rank(&e.detail) else {
            continue;
        };
        let more_severe = started && map.get(&inc).is_none_or(|&x| r < x);
        if more_severe {
            map.insert(inc, r);
        }
        if more_severe || e.detail.contains("raised from") {
            want.push((clock(rec, e.minute), label, e.detail.to_string()));
        }
    }
    let tl = &rec.timeline;
    let rise = (1..tl.len())
        .map(|i| {
            (
                tl[i].nodes_cut_off.saturating_sub(tl[i - 1].nodes_cut_off),
                i,
            )
        })
        .max_by_key(|&(d, i)| (d, std::cmp::Reverse(i)));
    if let Some((d, i)) = rise.filter(|&(d, _)| d > 0) {
        want.push((clock(rec, tl[i].minute), "Cut off from HQ", format!("+{d}")));
    }
    want
}

fn check_key_events(rec: &RunRecord, md: &str) -> Vec<(String, String, String)> {
    let rows = key_rows(md);
    for (time, kind, why) in expected(rec) {
        assert!(
            has(&rows, &time, kind),
            "key events lack {kind} at {time} ({why}); rows: {rows:#?}"
        );
    }
    // In time order.
    let times: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "key events out of time order");
    rows
}

/// The default run (national worm, seed 1): HQ is infected at 10:08:50 and
/// is in the table, as is every level change; no node is cut off in this run.
#[test]
fn default_run_key_events_hold_hq_infection_and_every_level_change() {
    let t = tempfile::tempdir().unwrap();
    let (rec, md) = run(&["--seed", "1"], &t.path().join("run"));
    let rows = check_key_events(&rec, &md);
    // Pinned (golden): the record's HQ infection and the two level changes.
    assert!(
        has(&rows, "2002-11-08 10:08:50", "Node infected"),
        "{rows:#?}"
    );
    assert!(
        has(&rows, "2002-11-08 14:00:08", "Grading"),
        "HQ graded III"
    );
    assert!(
        has(&rows, "2002-11-08 18:19:53", "Grading"),
        "gd raised IV → III"
    );
    assert!(
        has(&rows, "2002-11-08 14:47:04", "Activation"),
        "level III started"
    );
    let hq = rows.iter().find(|r| r.0 == "2002-11-08 10:08:50").unwrap();
    assert_eq!(hq.2, "first host infected");
}

/// The earthquake: nothing is infected; the first node down at the highest
/// tier reached, the raises to III and I, HQ's level I activation and the
/// largest cut-off (932 nodes in the quake's first minute) are all listed.
#[test]
fn earthquake_key_events_hold_the_largest_cut_off_and_every_level_change() {
    let t = tempfile::tempdir().unwrap();
    let (rec, md) = run(&["scenarios/regional-disaster.ron"], &t.path().join("run"));
    let rows = check_key_events(&rec, &md);
    let cut = rows
        .iter()
        .find(|r| r.1 == "Cut off from HQ")
        .expect("cut-off row");
    assert!(cut.2.contains("0 → 932 (+932"), "{}", cut.2);
    assert!(
        has(&rows, "2002-11-14 23:54:17", "Grading"),
        "HQ raised to I"
    );
    assert!(
        has(&rows, "2002-11-15 00:22:04", "Activation"),
        "level I started"
    );
}

/// Every whole number in `s`, thousands separators removed.
fn numbers(s: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let sep =
            c == ',' && !cur.is_empty() && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit());
        if c.is_ascii_digit() {
            cur.push(c);
        } else if !sep {
            if let Ok(n) = cur.parse() {
                // A decimal (96.5) is not a count: drop its parts.
                if c != '.' && !(i > cur.len() && chars[i - cur.len() - 1] == '.') {
                    out.push(n);
                }
            }
            cur.clear();
        }
    }
    if let Ok(n) = cur.parse() {
        out.push(n);
    }
    out
}

/// Counts in the text agree with the tables and with obligations.csv: the
/// executive summary, the capability table (each row adds up; the rows add
/// up to the summary; rated + not rated = 6), the late-and-missed lead, and
/// the impact sentence of an outage names no "peak 0 hosts".
fn check_counts(dir: &Path, rec: &RunRecord, md: &str) {
    let csv = fs::read_to_string(dir.join("obligations.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let col = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "status")
        .unwrap();
    let st: Vec<String> = rdr.records().map(|r| r.unwrap()[col].to_string()).collect();
    let count = |s: &[&str]| st.iter().filter(|x| s.contains(&x.as_str())).count() as u64;
    let want = [
        st.len() as u64,
        count(&["on_time"]),
        count(&["late"]),
        count(&["missed"]),
        count(&["out_of_order", "wrong_level", "wrong_actor"]),
        count(&["pending"]),
        count(&["not_due"]),
    ];
    let summary = section(md, "2. Executive summary");
    let lead = summary
        .lines()
        .find(|l| l.starts_with("The exercise produced"))
        .unwrap();
    assert_eq!(numbers(lead)[..7], want, "summary: {lead}");

    let caps = first_table(section(md, "5. Capability ratings"));
    let mut sum = [0u64; 7];
    for row in &caps {
        // n, assessed, on time, late, missed, other; open
        let k = numbers(&row[3]);
        assert_eq!(k.len(), 7, "{row:?}");
        assert_eq!(k[0], k[1] + k[6], "{row:?}: all = assessed + open");
        assert_eq!(k[1], k[2] + k[3] + k[4] + k[5], "{row:?}: assessed adds up");
        for (s, v) in sum.iter_mut().zip([k[0], k[2], k[3], k[4], k[5], k[6], 0]) {
            *s += v;
        }
    }
    // A capability not rated because all its obligations were still open
    // names their number in its line instead of a row.
    for l in section(md, "5. Capability ratings")
        .lines()
        .filter(|l| l.starts_with("- ") && l.contains("still pending or not due"))
    {
        let n = numbers(l)[0];
        sum[0] += n;
        sum[5] += n;
    }
    assert_eq!(sum[..5], want[..5], "capability rows vs summary");
    assert_eq!(sum[5], want[5] + want[6], "open obligations");
    let unrated = section(md, "5. Capability ratings")
        .lines()
        .filter(|l| l.starts_with("- "))
        .count();
    assert_eq!(caps.len() + unrated, 6, "rated + not rated");

    let dev = section(md, "6. Late and missed obligations");
    if let Some(l) = dev.lines().find(|l| l.starts_with("The ")) {
        assert_eq!(numbers(l)[1], want[2] + want[3], "{l}");
        assert_eq!(numbers(l)[0] as usize, first_table(dev).len(), "{l}");
    }
    let impact = summary.lines().nth(4).unwrap();
    if rec.totals.total_infected_hosts == 0 {
        assert!(impact.starts_with("No host was infected"), "{impact}");
        assert!(!summary.contains("peaked at 0"), "{impact}");
    }
}

#[test]
fn counts_in_text_and_tables_agree() {
    for (args, name) in [
        (&["--seed", "1"][..], "default"),
        (&["scenarios/regional-disaster.ron"][..], "quake"),
        (
            &["scenarios/provincial-dc-power-failure.ron", "--seed", "8"][..],
            "power",
        ),
        (&["scenarios/hq-core-router-failure.ron"][..], "router"),
    ] {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join(name);
        let (rec, md) = run(args, &dir);
        check_counts(&dir, &rec, &md);
    }
}

/// The sign-off block (assessor, approver, blank lines to sign), the
/// statement that the players were simulated, the participating units and
/// the evaluation method with the thresholds file's numbers are in both
/// report.html and report.md, in both languages.
#[test]
fn sign_off_simulated_players_units_and_method_are_in_html_and_markdown() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("run");
    let (_, md) = run(&["scenarios/hq-core-router-failure.ron"], &dir);
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    for text in [&md, &html] {
        for want in [
            "10. Sign-off",
            "Assessor (lead evaluator)",
            "Approver (exercise director)",
            "the players were simulated",
            "Participating units",
            "9. Evaluation method",
            "P when compliance ≥ 90 % and at most 0 missed; S when ≥ 75 %",
            "due 90, 60 and 30 days",
        ] {
            assert!(text.contains(want), "missing {want:?}");
        }
    }
    assert!(
        md.contains("| Assessor (lead evaluator) | \\_\\_\\_"),
        "blank line to sign"
    );
    assert!(
        html.contains("<td class=\"sign\">______"),
        "blank line to sign"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(["report", dir.to_str().unwrap(), "--lang", "zh"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let md = fs::read_to_string(dir.join("report.md")).unwrap();
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    for text in [&md, &html] {
        for want in [
            "十、签署",
            "评估人（评估组组长）",
            "审批人（演练总指挥）",
            "参演人员均为模拟",
            "九、评估方法",
        ] {
            assert!(text.contains(want), "missing {want:?}");
        }
    }
}

/// The default scenario's objectives are listed, each with its capability's
/// rating as section 5 gives it.
#[test]
fn objectives_are_listed_with_their_ratings() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("run");
    let (rec, md) = run(&["--seed", "1"], &dir);
    assert_eq!(rec.meta.objectives.len(), 5);
    let ov = section(&md, "1. Exercise overview");
    let at = ov
        .find("### Exercise objectives")
        .expect("objectives heading");
    let objs = first_table(&ov[at..]);
    assert_eq!(objs.len(), 5);
    let caps = first_table(section(&md, "5. Capability ratings"));
    for (row, (cap, _, text)) in objs.iter().zip(&rec.meta.objectives) {
        assert_eq!(&row[1], text);
        let rated = caps
            .iter()
            .find(|c| c[0] == row[2])
            .expect("capability rated");
        assert_eq!(row[4], rated[1], "{row:?}");
        assert!(!row[3].is_empty(), "{cap:?}: clause");
    }
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("Exercise objectives"));
}

/// An objective naming an unknown capability is refused with its position;
/// exit 2, nothing written.
#[test]
fn unknown_objective_capability_is_a_positioned_error() {
    let t = tempfile::tempdir().unwrap();
    let src = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/national-worm.ron"),
    )
    .unwrap();
    let bad = src.replacen(
        "capability: \"containment\"",
        "capability: \"containmnet\"",
        1,
    );
    assert_ne!(bad, src);
    let line = bad.lines().position(|l| l.contains("containmnet")).unwrap() + 1;
    let file = t.path().join("bad.ron");
    fs::write(&file, &bad).unwrap();
    let out = t.path().join("run");
    let o = Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("bad.ron:{line}:"))
            && err.contains("unknown capability \"containmnet\""),
        "{err}"
    );
    assert!(!out.exists());
}

/// Ratings weigh outcomes: HQ's router failure cuts 16,131 nodes off from
/// HQ, so containment is held at S although every containment obligation
/// was met on time; with the thresholds file's `outcomes` rules removed the
/// same run rates it P. A finding names the outcome.
#[test]
fn containment_is_held_at_s_by_the_cut_off_and_not_without_the_rule() {
    let t = tempfile::tempdir().unwrap();
    let rating = |md: &str| {
        first_table(section(md, "5. Capability ratings"))
            .into_iter()
            .find(|r| r[0] == "Containment")
            .map(|r| r[1].clone())
            .unwrap()
    };
    let (_, md) = run(
        &["scenarios/hq-core-router-failure.ron"],
        &t.path().join("with"),
    );
    assert!(rating(&md).starts_with("S:"), "{}", rating(&md));
    assert!(
        md.contains("Held at S by the outcome: 16,131 of 16,132 WAN nodes were cut off from HQ at once (limit 1.0 %)"),
        "finding names the outcome"
    );
    let src = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scoring.ron"))
        .unwrap();
    let start = src.find("    outcomes: (").unwrap();
    let end = start + src[start..].find("\n    ),").unwrap() + "\n    ),".len();
    let off = t.path().join("scoring-off.ron");
    fs::write(&off, format!("{}{}", &src[..start], &src[end..])).unwrap();
    let (_, md) = run(
        &[
            "scenarios/hq-core-router-failure.ron",
            "--scoring",
            off.to_str().unwrap(),
        ],
        &t.path().join("without"),
    );
    assert!(rating(&md).starts_with("P:"), "{}", rating(&md));
}

/// Each improvement-plan row comes from a finding: an issue, a root cause
/// from the record (naming a unit), a corrective action, an owner named as
/// unit · body, and a due date with the rule it comes from.
#[test]
fn improvement_plan_rows_have_root_cause_owner_unit_and_due_rule() {
    let t = tempfile::tempdir().unwrap();
    let (rec, md) = run(&["--seed", "1"], &t.path().join("run"));
    let rows = first_table(section(&md, "8. Improvement plan"));
    assert!(!rows.is_empty());
    let units: Vec<&str> = rec.meta.nodes.iter().map(|n| n.name_en.as_str()).collect();
    for r in &rows {
        assert_eq!(r.len(), 8, "{r:?}");
        let (root, owner, due, basis) = (&r[3], &r[5], &r[6], &r[7]);
        assert!(
            units.iter().any(|u| root.contains(&format!(" at {u} "))),
            "{root}"
        );
        let (unit, _body) = owner.split_once(" · ").expect("unit · body");
        assert!(units.contains(&unit), "{owner}");
        assert!(
            root.contains(unit),
            "owner's unit is the root cause's: {r:?}"
        );
        assert!(due.len() == 10 && due.starts_with("2002-"), "a date: {due}");
        assert!(
            basis.starts_with("scoring.ron ") || basis.starts_with("plan, "),
            "{basis}"
        );
    }
}
