//! Compromise through an external partner line (the intrusion kill chain
//! with `via`): cutting the partner line — the plan's `cut_attack_source`
//! at the entry — stops the chain; restoring the entry reconnects the line.

use std::path::Path;
use std::sync::Arc;

use crate::util::run_bundled;
use drillsim::app;
use drillsim::engine::EventKind;
use drillsim::model::scenario::{InjectKind, Scenario};
use drillsim::model::topology::Topology;

fn scenario(topo: &Topology) -> Arc<Scenario> {
    app::load_scenario(
        Some(Path::new("scenarios/customs-link-intrusion.ron")),
        topo,
    )
    .unwrap()
}

#[test]
fn cutting_the_external_link_stops_the_chain() {
    let topo = app::load_topology(None).unwrap();
    let s = scenario(&topo);
    let InjectKind::Intrusion(p) = &s.injects[0].kind else {
        panic!("an intrusion")
    };
    let line = p.via.expect("in over the customs line");
    let l = &topo.links[line as usize];
    assert!([l.a, l.b].contains(&topo.find("ext.customs").unwrap()));
    let mut stopped = 0;
    for seed in 1..=10 {
        // Without a response the chain reaches its objective; the line stays up.
        let free = run_bundled(&topo, &s, seed, false);
        assert!(free.threats[0].objective_done.is_some(), "seed {seed}");
        assert!(!free.events.iter().any(|e| e.kind == EventKind::LinkCut));
        let rec = run_bundled(&topo, &s, seed, true);
        let o = &rec.threats[0];
        let cut = rec
            .events
            .iter()
            .find(|e| e.kind == EventKind::LinkCut && e.link == Some(line))
            .map(|e| e.minute);
        match (cut, o.objective_done) {
            // Cut before the objective: the chain stops at that minute, by
            // that step, and no stage ends after it.
            (Some(c), None) => {
                stopped += 1;
                assert_eq!(o.stopped, Some(c), "seed {seed}");
                assert_eq!(o.stopped_by, "cut_attack_source");
                assert_eq!(o.records_leaked, 0);
                assert!(!rec.events.iter().any(|e| e.kind == EventKind::Intrusion
                    && e.minute > c
                    && !e.detail.contains("external line")));
            }
            // The objective came first: the cut still closes the line.
            (Some(c), Some(done)) => assert!(done <= c, "seed {seed}"),
            (None, _) => panic!("seed {seed}: the response never cut the customs line"),
        }
        // Restoring the entry reconnects the line, after the cut.
        if let Some(up) = rec
            .events
            .iter()
            .find(|e| e.kind == EventKind::LinkRepaired && e.link == Some(line))
        {
            assert!(up.minute >= cut.unwrap());
        }
    }
    assert!(
        stopped >= 3,
        "the cut stopped the chain in {stopped} of 10 seeds"
    );
}

#[test]
fn via_must_name_a_partner_linked_to_the_entry() {
    let err = crate::util::scenario_error(
        "via",
        r#"Scenario(
    name: "bad",
    start: "2024-03-12T09:00:00",
    duration: "24h",
    injects: [
        (at: "+1h", what: Intrusion((
            via: Some("gd"),
            entry: "hq", target: "hq", objective: "exfiltrate",
            recon: "1h", exploit: "1h", foothold: "1h", lateral: "1h", action: "1h",
            detect: (recon: 0.1, exploit: 0.1, foothold: 0.1, lateral: 0.1, action: 0.1),
        ))),
        (at: "+1h", what: Intrusion((
            via: Some("ext.banks"),
            entry: "gd", target: "hq", objective: "exfiltrate",
            recon: "1h", exploit: "1h", foothold: "1h", lateral: "1h", action: "1h",
            detect: (recon: 0.1, exploit: 0.1, foothold: 0.1, lateral: 0.1, action: 0.1),
        ))),
    ],
)"#,
    );
    assert!(
        err.contains("bad.ron:7:") && err.contains("not an external partner"),
        "{err}"
    );
    assert!(
        err.contains("bad.ron:14:") && err.contains("no external line"),
        "{err}"
    );
}
