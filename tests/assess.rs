//! `drillsim assess`: a drill log replayed and scored as a simulated run.
//!
//! Scenario `tests/data/drill/sc-outage.ron`: the Sichuan provincial
//! bureau's router fails at minute 10 and stays down until repaired; 8 h.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use drillsim::drill::{AssessArgs, assess};
use drillsim::engine::EventKind;
use drillsim::report::Lang;

const SCENARIO: &str = "tests/data/drill/sc-outage.ron";

fn args(log: &str, out: &Path) -> AssessArgs {
    AssessArgs {
        scenario: PathBuf::from(SCENARIO),
        log: PathBuf::from(log),
        lang: Lang::En,
        seed: 1,
        out: Some(out.to_path_buf()),
        ..AssessArgs::default()
    }
}

/// (name, status, done minute) of every obligation.
fn statuses(out: &Path) -> Vec<(String, String, String)> {
    let mut r = csv::Reader::from_path(out.join("obligations.csv")).expect("obligations.csv");
    let h = r.headers().expect("header").clone();
    let col = |n: &str| h.iter().position(|c| c == n).expect(n);
    let (name, status, done) = (col("name"), col("status"), col("done_minute"));
    r.records()
        .map(|x| {
            let x = x.expect("row");
            (
                x[name].to_string(),
                x[status].to_string(),
                x[done].to_string(),
            )
        })
        .collect()
}

#[test]
fn a_hand_written_log_gives_the_hand_computed_obligations() {
    let t = tempfile::tempdir().expect("tmp");
    let out = t.path().join("a");
    let r = assess(&args("tests/data/drill/hand.csv", &out)).expect("assess");
    // Worked by hand from the plan (sat-overall) and the log:
    // detect 20 → switch_to_backup due 20 + 30 = 50, done 40: on time;
    // grade IV at 30 → wrong_level: the facts called for II (the
    // province's 1,038 units cut off with its router: serious loss at an
    // especially important system, sat-overall's cut-off loss rule);
    // the logged level still drives what follows: activate_IV due 30 + 240,
    // done 60;
    // activation at 60 → notify_* and manual_processing due 60 + 120 = 180:
    // notify_users never logged → missed; notify_taxpayers at 200 → late;
    // manual_processing by the information centre → wrong_actor;
    // the hourly review at 90 asks for a re-grade, escalated to III at 100
    // (still below the facts' II → wrong_level) → initial report due 130, done 125: on time; written report due 220
    // and activate_III due 220, never logged → missed; repair (no deadline)
    // at 150 → on time; restore_* and investigate never logged, no deadline
    // → pending; HQ's grade (it learned at 125) never logged → pending; the
    // response never ended → evaluation and summary report not due.
    let expected: Vec<(&str, &str, &str)> = vec![
        ("switch_to_backup", "on_time", "40.000"),
        ("repair", "on_time", "150.000"),
        ("restore_service", "pending", ""),
        ("restore_filing", "pending", ""),
        ("restore_core", "pending", ""),
        ("grade", "wrong_level", "30.000"),
        ("activate_IV", "on_time", "60.000"),
        ("notify_users", "missed", ""),
        ("notify_taxpayers", "late", "200.000"),
        ("investigate", "pending", ""),
        ("manual_processing", "wrong_actor", "100.000"),
        ("grade", "wrong_level", "100.000"),
        ("initial_report", "on_time", "125.000"),
        ("written_report", "missed", ""),
        ("activate_III", "missed", ""),
        ("grade", "pending", ""),
        ("evaluate", "not_due", ""),
        ("summary_report", "not_due", ""),
    ];
    let got = statuses(&out);
    let got: Vec<(&str, &str, &str)> = got
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    assert_eq!(got, expected);
    // And the whole file, as committed.
    assert_eq!(
        fs::read_to_string(out.join("obligations.csv")).unwrap(),
        fs::read_to_string("tests/data/drill/hand-obligations.csv").unwrap()
    );
    let d = r.record.drill.as_ref().expect("marked as a drill");
    assert_eq!(
        (d.rows, d.actions, d.deviations, d.wrong_actor),
        (10, 10, 1, 1)
    );
    assert_eq!(d.log, "hand.csv");
    // The same files a run writes.
    for f in [
        "record.json",
        "obligations.csv",
        "events.csv",
        "timeline.csv",
        "summary.json",
        "report.md",
        "report.html",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    // Deterministic: the same log twice gives the same bytes.
    let out2 = t.path().join("b");
    assess(&args("tests/data/drill/hand.csv", &out2)).expect("assess");
    for f in ["record.json", "events.csv", "report.md", "report.html"] {
        assert_eq!(
            fs::read(out.join(f)).unwrap(),
            fs::read(out2.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn a_spreadsheet_export_is_read() {
    // BOM, CRLF, Chinese unit and body names, HH:MM and date-time times,
    // Roman levels, extra columns in another order, a padding row.
    let t = tempfile::tempdir().expect("tmp");
    let a = t.path().join("a");
    let b = t.path().join("b");
    assess(&args("tests/data/drill/hand.csv", &a)).expect("hand");
    let r = assess(&args("tests/data/drill/spreadsheet-export.csv", &b)).expect("export");
    assert_eq!(r.record.drill.as_ref().map(|d| d.rows), Some(10));
    assert_eq!(
        fs::read_to_string(a.join("obligations.csv")).unwrap(),
        fs::read_to_string(b.join("obligations.csv")).unwrap()
    );
}

#[test]
fn a_bad_log_gives_every_row_and_column_exit_2_and_no_folder() {
    let t = tempfile::tempdir().expect("tmp");
    let out = t.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args([
            "assess",
            SCENARIO,
            "--log",
            "tests/data/drill/bad.csv",
            "--out",
            out.to_str().unwrap(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    for want in [
        "bad.csv: row 3, column 1: time `soon`",
        "bad.csv: row 4, column 2: unknown unit `atlantis`",
        "bad.csv: row 5, column 6: level `V`",
        "bad.csv: row 6, column 3: body is empty",
        "bad.csv: row 7, column 5: unknown target `nowhere`",
    ] {
        assert!(err.contains(want), "{want} not in:\n{err}");
    }
    assert!(!out.exists());
    let leftovers: Vec<_> = fs::read_dir(t.path()).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_unknown_action_is_kept_as_a_deviation() {
    let t = tempfile::tempdir().expect("tmp");
    let out = t.path().join("a");
    let r = assess(&args("tests/data/drill/hand.csv", &out)).expect("assess");
    let dev: Vec<_> = r
        .record
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Deviation && e.detail.contains("call_vendor"))
        .collect();
    assert_eq!(dev.len(), 1);
    assert_eq!(dev[0].minute, 45.0);
    assert!(dev[0].detail.contains("row 5"), "{}", dev[0].detail);
    let events = fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(events.contains("deviation") && events.contains("call_vendor"));
    // The report is the assessment of a real drill and lists it.
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("assessment of a real drill"), "{md}");
    assert!(md.contains("hand.csv") && md.contains("10 rows"));
    assert!(md.contains("call\\_vendor"), "{md}");
    assert!(md.contains("played by real people"));
    assert!(!md.contains("players in this exercise were simulated"));
}

#[test]
fn a_body_the_plan_does_not_name_gives_wrong_actor() {
    let t = tempfile::tempdir().expect("tmp");
    let out = t.path().join("a");
    let r = assess(&args("tests/data/drill/hand.csv", &out)).expect("assess");
    let task = r
        .record
        .tasks
        .iter()
        .find(|t| t.name == "manual_processing")
        .expect("task");
    assert_eq!(task.body, "business_departments");
    assert_eq!(
        task.done_by.as_ref().map(|x| x.to_string()),
        Some("sc information_centre".into())
    );
    assert_eq!(task.log_row, Some(8));
    assert!(
        r.record
            .events
            .iter()
            .any(|e| e.kind == EventKind::Deviation
                && e.detail.contains("done by sc information_centre"))
    );
}

#[test]
fn an_action_logged_before_its_task_counts_when_the_task_exists() {
    let t = tempfile::tempdir().expect("tmp");
    let log = t.path().join("early.csv");
    // The report is logged at 25, before the grading at 30 that calls for it.
    fs::write(
        &log,
        "time,unit,body,action,target,level,note\n\
         20,sc,information_centre,detect,sc,,\n\
         25,sc,emergency_office,report,,,\n\
         30,sc,emergency_office,grade,,III,\n",
    )
    .unwrap();
    let out = t.path().join("a");
    let r = assess(&args(log.to_str().unwrap(), &out)).expect("assess");
    let report = r
        .record
        .tasks
        .iter()
        .find(|t| t.name == "initial_report" && t.unit == r.record.tasks[0].unit)
        .expect("report");
    assert_eq!((report.created, report.finished), (30.0, Some(30.0)));
    assert!(
        r.record
            .events
            .iter()
            .any(|e| e.kind == EventKind::Deviation
                && e.detail.contains("logged at minute 25")
                && e.detail.contains("counted as done at minute 30"))
    );
    let d = r.record.drill.as_ref().unwrap();
    assert_eq!((d.applied, d.early, d.deviations), (3, 1, 0));
}

fn worm_inputs(log: &str) -> drillsim::drill::Inputs {
    drillsim::drill::load(&AssessArgs {
        scenario: PathBuf::from("tests/data/drill/sc-worm.ron"),
        log: PathBuf::from(log),
        ..AssessArgs::default()
    })
    .expect("inputs")
}

#[test]
fn a_later_isolation_costs_more_than_an_earlier_one() {
    use drillsim::drill::counterfactual::{compute, replay_metrics};
    // One worm at the Sichuan provincial bureau, isolated at minute 40 or
    // 200 (the plan's deadline: 2 h from detection at 20, i.e. 140).
    let seeds: Vec<u64> = (1..=8).collect();
    let early = worm_inputs("tests/data/drill/worm-early.csv");
    let late = worm_inputs("tests/data/drill/worm-late.csv");
    let e = replay_metrics(&early, &early.log.actions, &seeds);
    let l = replay_metrics(&late, &late.log.actions, &seeds);
    let mean = |xs: &[[f64; 4]]| xs.iter().map(|x| x[0]).sum::<f64>() / xs.len() as f64;
    assert!(mean(&l) > mean(&e), "late {} early {}", mean(&l), mean(&e));
    // Per seed, never fewer infected with the later isolation.
    for (a, b) in e.iter().zip(&l) {
        assert!(b[0] >= a[0], "{a:?} {b:?}");
    }
    // The late isolation is the costliest deviation, with a positive cost;
    // the numbers do not depend on the number of threads.
    let rec = drillsim::drill::replay(&late, "worm-late.csv", 1);
    let cf = compute(&late, &rec, 1, 8, 2).expect("counterfactuals");
    assert_eq!(cf, compute(&late, &rec, 1, 8, 1).expect("one thread"));
    let late_costs: Vec<_> = cf.costs.iter().filter(|c| !c.missing).collect();
    assert_eq!(late_costs.len(), 1, "{:?}", cf.costs);
    let c = late_costs[0];
    assert_eq!(
        (c.task.as_str(), c.logged, c.due),
        ("isolate", 200.0, 140.0)
    );
    assert!(c.infected_hosts.0 > 0.0, "{c:?}");
    let early_rec = drillsim::drill::replay(&early, "worm-early.csv", 1);
    let none = compute(&early, &early_rec, 1, 8, 2).expect("counterfactuals");
    assert!(
        none.costs.iter().all(|c| c.missing),
        "nothing late: {:?}",
        none.costs
    );
    assert_eq!(cf.arms.len(), 3);
    assert_eq!(cf.logged_minus.len(), 2);
}

/// A logged `take_down_content` stops the defacement model as a simulated
/// team's finished step does: the exposure ends at the logged minute, the
/// threat outcome says by which step; without that row the pages stay up.
#[test]
fn a_logged_take_down_ends_a_defacements_exposure() {
    let t = tempfile::tempdir().unwrap();
    let scenario = "scenarios/provincial-website-defacement.ron";
    let with = assess(&AssessArgs {
        scenario: scenario.into(),
        runs: 0,
        ..args(
            "tests/data/drill/defacement-takedown.csv",
            &t.path().join("with"),
        )
    })
    .unwrap();
    let d = &with.record.threats[0];
    assert_eq!(d.threat, "defacement");
    assert_eq!(d.stopped, Some(540.0), "{d:?}");
    assert_eq!(d.stopped_by, "take_down_content");
    assert!(
        with.record
            .events
            .iter()
            .any(|e| e.kind == EventKind::Defacement
                && e.minute == 540.0
                && e.detail.contains("pages taken down at sc")),
    );
    // The same log without the take-down: exposed to the end.
    let only_detect = t.path().join("detect.csv");
    let text = fs::read_to_string("tests/data/drill/defacement-takedown.csv").unwrap();
    fs::write(
        &only_detect,
        text.lines()
            .take(2)
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
    )
    .unwrap();
    let without = assess(&AssessArgs {
        scenario: scenario.into(),
        runs: 0,
        ..args(only_detect.to_str().unwrap(), &t.path().join("without"))
    })
    .unwrap();
    assert_eq!(without.record.threats[0].stopped, None);
    assert!(without.record.threats[0].exposure_views > d.exposure_views);
}

/// A missing action (the plan owed it, the log never did it) is costed by
/// replaying with it done at its deadline, labelled missing and ranked with
/// the late ones: a worm detected but never isolated costs infected hosts,
/// more than the same isolation done late; intervals are 90% (t over the
/// paired differences, checked by hand here).
#[test]
fn a_missing_isolation_is_costed_and_ranked_with_the_late_ones() {
    use drillsim::drill::counterfactual::compute;
    let t = tempfile::tempdir().unwrap();
    let log = t.path().join("detect-only.csv");
    fs::write(
        &log,
        "time,unit,body,action,target,level,note\n20,sc,information_centre,detect,sc,,\n",
    )
    .unwrap();
    let inputs = worm_inputs(log.to_str().unwrap());
    let rec = drillsim::drill::replay(&inputs, "detect-only.csv", 1);
    let cf = compute(&inputs, &rec, 1, 8, 2).expect("counterfactuals");
    assert!(
        cf.costs.iter().all(|c| c.missing && c.row == 0),
        "{:?}",
        cf.costs
    );
    let isolate = cf
        .costs
        .iter()
        .find(|c| c.task == "isolate")
        .expect("the missing isolation is costed");
    assert_eq!((isolate.due, isolate.site.as_str()), (140.0, "sc"));
    assert!(isolate.infected_hosts.0 > 0.0, "{isolate:?}");
    // Ranked by cost: the isolation comes before every cheaper one.
    let k = cf.costs.iter().position(|c| c.task == "isolate").unwrap();
    assert!(
        cf.costs[..k]
            .iter()
            .all(|c| c.infected_hosts.0 >= isolate.infected_hosts.0)
    );
    // Not isolating at all costs more than isolating late (minute 200).
    let late = worm_inputs("tests/data/drill/worm-late.csv");
    let late_rec = drillsim::drill::replay(&late, "worm-late.csv", 1);
    let late_cf = compute(&late, &late_rec, 1, 8, 2).expect("counterfactuals");
    let late_isolate = late_cf.costs.iter().find(|c| !c.missing).unwrap();
    assert!(isolate.infected_hosts.0 > late_isolate.infected_hosts.0);
    // A 90% interval: mean ± t(0.95, n−1)·s/√n; t(0.95, 7) = 1.894579.
    let (m, Some((lo, hi))) = isolate.infected_hosts else {
        panic!("no interval")
    };
    let fixed = t.path().join("fixed.csv");
    fs::write(
        &fixed,
        "time,unit,body,action,target,level,note\n20,sc,information_centre,detect,sc,,\n140,sc,information_centre,isolate,sc,,\n",
    )
    .unwrap();
    let seeds: Vec<u64> = (1..=8).collect();
    let fixed = worm_inputs(fixed.to_str().unwrap());
    let a = drillsim::drill::counterfactual::replay_metrics(&inputs, &inputs.log.actions, &seeds);
    let b = drillsim::drill::counterfactual::replay_metrics(&fixed, &fixed.log.actions, &seeds);
    let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x[0] - y[0]).collect();
    let mean = d.iter().sum::<f64>() / 8.0;
    let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 7.0).sqrt();
    let half = 1.894579 * sd / 8f64.sqrt();
    assert!((m - mean).abs() < 1e-9, "{m} {mean}");
    assert!(
        (hi - m - half).abs() < 1e-3 * half.max(1.0),
        "{lo} {hi} {half}"
    );
    assert!((m - lo - half).abs() < 1e-3 * half.max(1.0));
}
