//! The intrusion kill chain (`engine::threats::intrusion`): the response's
//! `cut_attack_source` stops it at the stage it reached, the bundled
//! scenario runs with a non-trivial result, and bad injects are refused
//! with their position.

use std::path::Path;
use std::sync::Arc;

use drillsim::app;
use drillsim::engine::{EventKind, RunRecord};

use crate::util::run_bundled as run;
use drillsim::model::scenario::{Inject, InjectKind, IntrusionGoal, IntrusionInject, Scenario};
use drillsim::model::topology::Topology;

fn scenario(topo: &Topology, hours: f64) -> Arc<Scenario> {
    let (gd, hq) = (topo.find("gd").unwrap(), topo.find("hq").unwrap());
    Arc::new(Scenario {
        name: "intrusion test".into(),
        description: String::new(),
        slug: "intrusion-test".into(),
        // A working Tuesday morning: staff on duty.
        start: "2024-03-12T09:00:00".parse().unwrap(),
        duration_min: hours * 60.0,
        tick_min: 1.0,
        hosts_per_node: None,
        injects: vec![Inject {
            at_min: 30.0,
            kind: InjectKind::Intrusion(IntrusionInject {
                name: "test".into(),
                entry: gd,
                path: vec![gd, hq],
                objective: IntrusionGoal::Exfiltrate,
                // Recon always raises an alert; nothing else does.
                mean_min: [30.0, 720.0, 60.0, 720.0, 360.0],
                detect: [1.0, 0.0, 0.0, 0.0, 0.0],
                records_per_hour: 10_000.0,
                via: None,
            }),
            incident: None,
        }],
        objectives: vec![],
        source: None,
    })
}

/// Minute the chain's lateral movement landed at HQ (None: never).
fn reached_hq(rec: &RunRecord) -> Option<f64> {
    rec.events
        .iter()
        .find(|e| e.kind == EventKind::Intrusion && e.detail.contains("lateral movement from"))
        .map(|e| e.minute)
}

#[test]
fn cutting_the_attack_source_stops_lateral_movement() {
    let topo = app::load_topology(None).unwrap();
    let hq = topo.find("hq").unwrap();
    let gd = topo.find("gd").unwrap();
    let s = scenario(&topo, 7.0 * 24.0);
    let mut stopped_before = 0;
    for seed in 1..=10 {
        // Without a response the chain runs its course: HQ, then exfiltration.
        let free = run(&topo, &s, seed, false);
        let arrival = reached_hq(&free).expect("no response: the intruder reaches HQ");
        let o = &free.threats[0];
        assert_eq!(o.node, hq);
        assert!(o.objective_done.is_some() && o.stopped.is_none());
        assert!(o.records_leaked > 0);
        // With the response: the same draws (the chain's own stream) up to
        // the cut, which comes from the alert at the recon stage.
        let rec = run(&topo, &s, seed, true);
        let o = &rec.threats[0];
        let cut = rec
            .events
            .iter()
            .find(|e| {
                e.kind == EventKind::StepFinish && e.detail.starts_with("cut_attack_source at gd")
            })
            .map(|e| e.minute)
            .expect("the response cuts the attack source");
        let Some(stop) = o.stopped else {
            // Only a chain already over can outrun the cut.
            assert!(o.objective_done.is_some_and(|d| d <= cut), "seed {seed}");
            continue;
        };
        assert_eq!(stop, cut, "seed {seed}");
        assert_eq!(o.stopped_by, "cut_attack_source", "seed {seed}");
        if stop < arrival {
            // Cut before the lateral move landed: the intruder never gets to HQ.
            stopped_before += 1;
            assert_eq!(o.node, gd, "seed {seed}");
            assert_eq!(reached_hq(&rec), None, "seed {seed}");
            assert_eq!(o.records_leaked, 0);
            assert!(o.objective_done.is_none());
        }
        // Nothing of the chain happens after the stop.
        assert!(
            rec.events
                .iter()
                .filter(|e| e.kind == EventKind::Intrusion && !e.detail.contains("stopped"))
                .all(|e| e.minute <= stop)
        );
    }
    assert!(
        stopped_before >= 7,
        "stopped before HQ in {stopped_before}/10 seeds"
    );
}

#[test]
fn bundled_intrusion_scenario_is_detected_reported_and_stopped() {
    let topo = app::load_topology(None).unwrap();
    let s = app::load_scenario(
        Some(Path::new("scenarios/provincial-portal-intrusion.ron")),
        &topo,
    )
    .unwrap();
    let mut stopped = 0;
    for seed in 1..=5 {
        let rec = run(&topo, &s, seed, true);
        assert!(rec.events.iter().any(|e| e.kind == EventKind::Detection));
        // Graded and a response level started (an intrusion at a provincial
        // bureau with no service down is level Ⅳ: no report up is owed).
        assert!(rec.events.iter().any(|e| e.kind == EventKind::Grading));
        assert!(rec.events.iter().any(|e| e.kind == EventKind::Activation));
        stopped += rec.threats[0].stopped.is_some() as u32;
    }
    assert!(stopped >= 1, "stopped in {stopped}/5 seeds");
}

#[test]
fn bad_intrusion_injects_are_refused_with_their_position() {
    let text = r#"Scenario(
    name: "bad",
    start: "2024-03-12T09:00:00",
    duration: "24h",
    injects: [
        (at: "+1h", what: Intrusion((
            entry: "gd.01.01",
            target: "gd.01",
            objective: "steal",
            recon: "0m", exploit: "2h", foothold: "1h", lateral: "3h", action: "4h",
            detect: (recon: 1.5, exploit: 0.2, foothold: 0.1, lateral: 0.15, action: 0.5),
        ))),
    ],
)"#;
    let err = crate::util::scenario_error("intrusion", text);
    for (needle, line) in [
        ("is not internet-facing", 7),
        ("must be a provincial data centre or HQ", 8),
        ("unknown objective \"steal\"", 9),
        ("recon must be longer than zero", 10),
        ("recon must lie between 0 and 1", 11),
    ] {
        assert!(
            err.lines()
                .any(|l| l.contains(needle) && l.contains(&format!("bad.ron:{line}:"))),
            "{needle} at line {line} in:\n{err}"
        );
    }
}
