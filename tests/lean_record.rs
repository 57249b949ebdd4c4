//! The batch's lean record (runs whose record is not written out, i.e.
//! without `--keep-runs`): the full record less the worm's per-node
//! `node_infected` / `node_clean` events, and the same assessment, in every
//! bundled scenario with and without response.

use std::path::Path;

use drillsim::app;
use drillsim::engine::{EventKind, ResponseSetup, RunConfig, Sim};
use drillsim::score;

#[test]
fn a_lean_record_is_the_full_one_less_node_events_and_assesses_the_same() {
    let topo = app::load_topology(None).expect("default network");
    let plan = app::load_plan("sat-overall").expect("plan");
    let teams = app::load_teams(None, &topo).expect("teams");
    let th = app::load_scoring(None).expect("scoring");
    let scenarios = crate::util::bundled_scenario_files();
    assert!(scenarios.len() >= 20, "{scenarios:?}");
    let mut dropped = 0;
    for path in &scenarios {
        let scenario =
            app::load_scenario_quietly(Some(Path::new(path)), &topo).expect("bundled scenario");
        for response in [true, false] {
            let sim = || {
                Sim::with_response(
                    topo.clone(),
                    scenario.clone(),
                    Some(ResponseSetup {
                        plan: plan.clone(),
                        teams: teams.clone(),
                        spread: true,
                    }),
                    RunConfig { seed: 7, response },
                )
            };
            let full = sim().run_to_end();
            let lean = sim().lean().run_to_end();
            let what = format!("{} response={response}", path.display());
            assert!(lean.lean && !full.lean, "{what}");
            let kept: Vec<_> = full
                .events
                .iter()
                .filter(|e| !matches!(e.kind, EventKind::NodeInfected | EventKind::NodeClean))
                .cloned()
                .collect();
            dropped += full.events.len() - kept.len();
            assert_eq!(lean.events, kept, "{what}");
            assert_eq!(lean.timeline, full.timeline, "{what}");
            assert_eq!(lean.totals, full.totals, "{what}");
            assert_eq!(lean.tasks, full.tasks, "{what}");
            assert_eq!(lean.threats, full.threats, "{what}");
            assert_eq!(
                score::assess(&lean, &th),
                score::assess(&full, &th),
                "{what}"
            );
        }
    }
    // The worm scenarios had per-node events to leave out.
    assert!(dropped > 1000, "{dropped}");
}
