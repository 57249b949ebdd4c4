//! Data leak (`engine::threats::leak`): the records leaked grade the
//! incident by the plan's thresholds (sat-overall: the [R] 2025 guide's
//! ≥ 1 M → Ⅲ, ≥ 10 M → Ⅱ, ≥ 100 M → Ⅰ), through the ordinary grading
//! path, so reports up the chain follow the level.

use std::path::Path;
use std::sync::Arc;

use drillsim::app;
use drillsim::engine::{EventKind, ResponseSetup, RunConfig, RunRecord, run_with};
use drillsim::model::scenario_file;
use drillsim::model::topology::Topology;

const BUNDLED: &str = include_str!("../scenarios/taxpayer-data-leak.ron");

/// A leak of exactly `n` records: copied in the first ten minutes (the rate
/// stays under the 10⁹-an-hour limit), discovered
/// (by the audit, at 0.2 an hour) long after.
fn run(topo: &Arc<Topology>, n: u64, seed: u64) -> RunRecord {
    let src = BUNDLED
        .replacen(
            "records_per_hour: 150000.0",
            &format!("records_per_hour: {}.0", n * 6),
            1,
        )
        .replacen("duration: Some(\"40h\")", "duration: Some(\"10m\")", 1)
        .replacen(
            "discover: (audit: 0.04, buyer: 0.03, press: 0.01, police: 0.02)",
            "discover: (audit: 0.2)",
            1,
        );
    let s = scenario_file::parse(&src, Path::new("leak.ron"), "leak", topo).unwrap();
    let teams = app::load_teams(None, topo).unwrap();
    run_with(
        topo.clone(),
        Arc::new(s),
        Some(ResponseSetup {
            plan: app::load_plan("sat-overall").unwrap(),
            // Perfect readiness: no grader's misjudgement (a deviation the
            // teams file allows) blurs the thresholds.
            teams: Arc::new((*teams).clone().perfect()),
            spread: false,
        }),
        RunConfig {
            seed,
            response: true,
        },
    )
}

/// The level of the first grading (at the site's province).
fn first_grade(rec: &RunRecord) -> String {
    let e = rec
        .events
        .iter()
        .find(|e| e.kind == EventKind::Grading)
        .expect("graded");
    let rest = e.detail.split("graded level ").nth(1).unwrap();
    rest.split(' ').next().unwrap().to_string()
}

#[test]
fn leaked_records_grade_the_incident_by_the_thresholds() {
    let topo = app::load_topology(None).unwrap();
    for (n, level) in [
        (999_999, "IV"),
        (1_000_000, "III"),
        (9_999_999, "III"),
        (10_000_000, "II"),
        (99_999_999, "II"),
        (100_000_000, "I"),
    ] {
        let rec = run(&topo, n, 1);
        let o = &rec.threats[0];
        assert_eq!(o.threat, "data_leak");
        assert_eq!(o.records_leaked, n);
        assert_eq!(o.noticed_by, "audit");
        let found = rec
            .events
            .iter()
            .find(|e| e.kind == EventKind::DataLeak && e.detail.contains("discovered"))
            .unwrap();
        assert!(
            found
                .detail
                .ends_with(&format!("; {n} records copied out so far"))
        );
        assert_eq!(first_grade(&rec), level, "{n} records");
        let grading = rec
            .events
            .iter()
            .find(|e| e.kind == EventKind::Grading)
            .unwrap();
        assert!(
            grading.detail.contains(&format!("{n} records leaked")),
            "{}",
            grading.detail
        );
        // The level's reports follow: Ⅲ and above are reported to HQ
        // (sat-overall's reporting rules); a Ⅳ handled in the province is not.
        let to_hq = rec
            .events
            .iter()
            .any(|e| e.kind == EventKind::Report && e.detail.contains("to hq"));
        assert_eq!(to_hq, level != "IV", "{n} records");
        // Ⅱ and Ⅰ are led from HQ.
        let hq_led = rec
            .events
            .iter()
            .any(|e| e.kind == EventKind::Activation && e.detail.contains("command_hq"));
        assert_eq!(hq_led, level == "I" || level == "II", "{n} records");
    }
}

#[test]
fn cutting_the_source_stops_the_copying() {
    let topo = app::load_topology(None).unwrap();
    let s = app::load_scenario(Some(Path::new("scenarios/taxpayer-data-leak.ron")), &topo).unwrap();
    for seed in 1..=5 {
        let teams = app::load_teams(None, &topo).unwrap();
        let rec = run_with(
            topo.clone(),
            s.clone(),
            Some(ResponseSetup {
                plan: app::load_plan("sat-overall").unwrap(),
                teams,
                spread: true,
            }),
            RunConfig {
                seed,
                response: true,
            },
        );
        let free = run_with(
            topo.clone(),
            s.clone(),
            None,
            RunConfig {
                seed,
                response: false,
            },
        );
        let (o, f) = (&rec.threats[0], &free.threats[0]);
        // The same discovery (the leak's own stream) with or without teams.
        assert_eq!(o.noticed_by, f.noticed_by, "seed {seed}");
        // Unchecked, the whole table goes: 40 h × 150,000.
        assert_eq!(f.records_leaked, 6_000_000, "seed {seed}");
        if let Some(stop) = o.stopped
            && o.stopped_by == "cut_attack_source"
        {
            let expect = (stop / 60.0 * 150_000.0).round() as u64;
            assert_eq!(o.records_leaked, expect, "seed {seed}");
            assert!(o.records_leaked < f.records_leaked, "seed {seed}");
        }
    }
}
