//! Insider misuse (`engine::threats::insider`): found by audit, stopped by
//! the plan's isolation at the unit; what it did stops growing then.

use std::path::Path;
use std::sync::Arc;

use crate::util::run_bundled;
use drillsim::app;
use drillsim::engine::{EventKind, RunRecord};
use drillsim::model::scenario::{InjectKind, Misuse, Scenario};
use drillsim::model::topology::Topology;

fn scenario(topo: &Topology, misuse: Misuse) -> Arc<Scenario> {
    let mut s = (*app::load_scenario(
        Some(Path::new("scenarios/prefecture-insider-data-access.ron")),
        topo,
    )
    .unwrap())
    .clone();
    let InjectKind::Insider(p) = &mut s.injects[0].kind else {
        panic!("an insider")
    };
    p.misuse = misuse;
    Arc::new(s)
}

#[test]
fn audit_finds_it_and_isolation_stops_it() {
    let topo = app::load_topology(None).unwrap();
    for misuse in [Misuse::DataAccess, Misuse::InternetLink] {
        let s = scenario(&topo, misuse);
        let start = s.injects[0].at_min;
        let mut stopped = 0;
        for seed in 1..=10 {
            let free = run_bundled(&topo, &s, seed, false);
            let f = &free.threats[0];
            assert_eq!(
                (f.threat.as_str(), f.stage.as_str()),
                ("insider", "ongoing")
            );
            assert_eq!(f.misuse_min, free.duration_min - start);
            let rec = run_bundled(&topo, &s, seed, true);
            let o = &rec.threats[0];
            // The audit (its own stream) finds it at the same minute with or
            // without a response.
            let found = |r: &RunRecord| {
                r.events
                    .iter()
                    .find(|e| e.kind == EventKind::Insider && e.detail.contains("audit finds"))
                    .map(|e| e.minute)
            };
            assert_eq!(found(&rec), found(&free), "seed {seed}");
            let Some(stop) = o.stopped else { continue };
            stopped += 1;
            assert!(stop >= found(&rec).unwrap());
            assert_eq!(o.stopped_by, "isolate");
            // Nothing after the stop: misuse lasted exactly to it.
            assert!((o.misuse_min - (stop - start)).abs() < 1e-9);
            assert!(o.misuse_min < f.misuse_min);
            match misuse {
                Misuse::DataAccess => {
                    assert_eq!(
                        o.records_leaked,
                        ((stop - start) / 60.0 * 300.0).round() as u64
                    );
                    assert!(o.records_leaked < f.records_leaked);
                }
                Misuse::InternetLink => assert_eq!(o.records_leaked, 0),
            }
        }
        assert!(stopped >= 5, "{misuse:?}: stopped in {stopped} of 10 seeds");
    }
}

#[test]
fn bad_insider_injects_are_refused_with_positions() {
    let err = crate::util::scenario_error(
        "insider",
        r#"Scenario(
    name: "bad",
    start: "2024-03-12T09:00:00",
    duration: "24h",
    injects: [
        (at: "+1h", what: Insider((
            site: "ext.banks",
            misuse: "sabotage",
            audit_per_hour: 0.0,
        ))),
    ],
)"#,
    );
    for (line, what) in [
        (7, "external partner"),
        (8, "unknown misuse"),
        (9, "no audit would ever find it"),
    ] {
        assert!(
            err.contains(&format!("bad.ron:{line}:")) && err.contains(what),
            "{what}: {err}"
        );
    }
}
