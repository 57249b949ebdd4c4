//! Website defacement (`engine::threats::defacement`): exposure grows until
//! the response takes the pages down, and stops growing then.

use std::path::Path;
use std::sync::Arc;

use drillsim::app;
use drillsim::engine::{EventKind, RunRecord};
use drillsim::model::topology::Topology;

fn run(topo: &Arc<Topology>, seed: u64, response: bool) -> RunRecord {
    let s = app::load_scenario(
        Some(Path::new("scenarios/provincial-website-defacement.ron")),
        topo,
    )
    .unwrap();
    crate::util::run_bundled(topo, &s, seed, response)
}

#[test]
fn take_down_ends_exposure() {
    let topo = app::load_topology(None).unwrap();
    for seed in 1..=5 {
        // Without a response the pages stay up to the end and views grow.
        let free = run(&topo, seed, false);
        let f = &free.threats[0];
        assert_eq!(f.stage, "exposed");
        assert!(f.stopped.is_none());
        // With it: the same notice (the threat's own stream), then the
        // take-down; exposure is the views up to it, far fewer.
        let rec = run(&topo, seed, true);
        let o = &rec.threats[0];
        assert_eq!(o.noticed_by, f.noticed_by, "seed {seed}");
        let down = o.stopped.expect("taken down");
        assert_eq!(o.stopped_by, "take_down_content");
        assert!(rec.events.iter().any(|e| e.kind == EventKind::StepFinish
            && e.detail.starts_with("take_down")
            && e.minute == down));
        assert!(o.exposure_views < f.exposure_views, "seed {seed}");
        // Views at the take-down are the views at the end: nothing after it.
        let at_down = rec
            .events
            .iter()
            .find(|e| e.kind == EventKind::Defacement && e.detail.contains("taken down"))
            .unwrap();
        assert!(
            at_down
                .detail
                .ends_with(&format!("; {} page views", o.exposure_views)),
            "{}",
            at_down.detail
        );
        // Detected, graded, the genuine pages restored.
        assert!(rec.events.iter().any(|e| e.kind == EventKind::Detection));
        assert!(rec.events.iter().any(|e| e.kind == EventKind::Grading));
        assert_eq!(o.stage, "restored", "seed {seed}");
    }
}

#[test]
fn a_defacement_nobody_can_notice_is_refused() {
    let err = crate::util::scenario_error(
        "deface",
        r#"Scenario(
    name: "bad",
    start: "2024-03-12T09:00:00",
    duration: "24h",
    injects: [
        (at: "+1h", what: Defacement((
            site: "sc",
            views_per_hour: -3.0,
            notice: (staff: 0.0),
        ))),
    ],
)"#,
    );
    assert!(
        err.contains("bad.ron:8:") && err.contains("views_per_hour"),
        "{err}"
    );
    assert!(
        err.contains("bad.ron:9:") && err.contains("nobody would ever notice"),
        "{err}"
    );
}
