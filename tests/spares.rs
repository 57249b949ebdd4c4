//! Equipment failure with spares (`engine::threats::outages`, the response's
//! `repair`): with a spare held at the site the outage is shorter than when
//! a replacement must be shipped.

use std::path::Path;
use std::sync::Arc;

use drillsim::app;
use drillsim::engine::{EventKind, ResponseSetup, RunConfig, RunRecord, run_with};
use drillsim::model::scenario::{InjectKind, Scenario};
use drillsim::model::topology::Topology;

fn setup(topo: &Topology) -> ResponseSetup {
    ResponseSetup {
        plan: app::load_plan("sat-overall").unwrap(),
        teams: app::load_teams(None, topo).unwrap(),
        spread: true,
    }
}

/// The bundled no-spare scenario, with its `spare` set as given.
fn scenario(topo: &Topology, spare: bool) -> Arc<Scenario> {
    let mut s = (*app::load_scenario(
        Some(Path::new("scenarios/provincial-router-no-spare.ron")),
        topo,
    )
    .unwrap())
    .clone();
    let InjectKind::NodeFailure { spare: sp, .. } = &mut s.injects[0].kind else {
        panic!("a device failure")
    };
    *sp = Some(spare);
    Arc::new(s)
}

fn run(topo: &Arc<Topology>, s: &Arc<Scenario>, seed: u64) -> RunRecord {
    run_with(
        topo.clone(),
        s.clone(),
        Some(setup(topo)),
        RunConfig {
            seed,
            response: true,
        },
    )
}

/// Minutes from the failure to the repair that brought the device back.
fn outage(rec: &RunRecord) -> f64 {
    let down = rec
        .events
        .iter()
        .find(|e| e.kind == EventKind::NodeDown)
        .expect("the device fails")
        .minute;
    let up = rec
        .events
        .iter()
        .find(|e| e.kind == EventKind::StepFinish && e.detail.contains("equipment repaired"))
        .expect("the response repairs it")
        .minute;
    up - down
}

#[test]
fn with_a_spare_the_outage_is_shorter() {
    let topo = app::load_topology(None).unwrap();
    let (with, without) = (scenario(&topo, true), scenario(&topo, false));
    for seed in 1..=5 {
        let a = outage(&run(&topo, &with, seed));
        let b = outage(&run(&topo, &without, seed));
        // The same teams draws (common random numbers) up to the repair:
        // the 4 h swap of a held spare against the 72 h replacement.
        assert!(a < b, "seed {seed}: {a} vs {b} min");
        assert!(b - a > 24.0 * 60.0, "seed {seed}: {a} vs {b} min");
    }
}

#[test]
fn a_bad_replacement_time_is_refused_with_its_position() {
    let err = crate::util::scenario_error(
        "spare",
        r#"Scenario(
    name: "bad",
    start: "2024-03-12T09:00:00",
    duration: "24h",
    injects: [
        (at: "+1h", what: NodeFailure((node: "xj", spare: Some(false), replacement: Some("three days")))),
    ],
)"#,
    );
    assert!(err.contains("bad.ron:6:"), "{err}");
}
