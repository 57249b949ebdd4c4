//! A finished run's world and built schedule serve the next run on the same
//! thread (`engine::Sim::finish`; bevy builds a schedule once per world):
//! a run's record must not depend on what ran on its thread before it.
//! Every bundled scenario, with and without response, run after a mix of
//! other runs (other scenarios, the response on and off, the direct
//! sampler, a run abandoned midway) gives the record of the same run on a
//! thread of its own, whose world is new.

use std::path::Path;
use std::sync::Arc;

use drillsim::app;
use drillsim::engine::worm::Sampler;
use drillsim::engine::{ResponseSetup, RunConfig, RunRecord, Sim};
use drillsim::model::plan::Plan;
use drillsim::model::scenario::Scenario;
use drillsim::model::teams::Teams;
use drillsim::model::topology::Topology;

struct Inputs {
    topo: Arc<Topology>,
    plan: Arc<Plan>,
    teams: Arc<Teams>,
    scenarios: Vec<Arc<Scenario>>,
}

fn inputs() -> Inputs {
    let topo = app::load_topology(None).expect("default network");
    let plan = app::load_plan("sat-overall").expect("plan");
    let teams = app::load_teams(None, &topo).expect("teams");
    let scenarios = crate::util::bundled_scenario_files()
        .iter()
        .map(|p| app::load_scenario_quietly(Some(Path::new(p)), &topo).expect("bundled scenario"))
        .collect();
    Inputs {
        topo,
        plan,
        teams,
        scenarios,
    }
}

fn sim(x: &Inputs, k: usize, response: bool, seed: u64) -> Sim {
    Sim::with_response(
        x.topo.clone(),
        x.scenarios[k].clone(),
        Some(ResponseSetup {
            plan: x.plan.clone(),
            teams: x.teams.clone(),
            spread: true,
        }),
        RunConfig { seed, response },
    )
}

/// The run on a thread of its own: a new world.
fn on_fresh_thread(x: &Arc<Inputs>, k: usize, response: bool, seed: u64) -> RunRecord {
    let x = x.clone();
    std::thread::spawn(move || sim(&x, k, response, seed).run_to_end())
        .join()
        .expect("run")
}

#[test]
fn a_run_on_a_reused_world_is_the_run_on_a_new_one() {
    let x = Arc::new(inputs());
    let n = x.scenarios.len();
    assert!(n >= 20, "{n}");
    // On this thread: every (scenario, response), then again in the
    // reverse order, each preceded by a run of another kind.
    let mut cases: Vec<(usize, bool)> = (0..n).flat_map(|k| [(k, true), (k, false)]).collect();
    let forward = cases.clone();
    cases.reverse();
    cases.extend(forward);
    let mut checked = 0;
    let mut reused = 0;
    let mut last_world = None;
    for (i, &(k, response)) in cases.iter().enumerate() {
        let seed = 11 + (i % 3) as u64;
        // Something else first: the direct sampler, a run abandoned after a
        // few ticks (its world is dropped, not kept), or another scenario.
        match i % 3 {
            0 => {
                sim(&x, (k + 1) % n, !response, seed + 1)
                    .with_sampler(Sampler::Direct)
                    .run_to_end();
            }
            1 => {
                let mut s = sim(&x, (k + 2) % n, true, seed + 2);
                for _ in 0..3 {
                    s.step();
                }
            }
            _ => {
                sim(&x, (k + 3) % n, response, seed + 3).lean().run_to_end();
            }
        }
        let s = sim(&x, k, response, seed);
        let id = s.world().id();
        reused += usize::from(last_world == Some(id));
        let got = s.run_to_end();
        // The next `sim` on this thread takes this world.
        last_world = Some(id);
        let want = on_fresh_thread(&x, k, response, seed);
        assert!(
            got == want,
            "{} response={response} seed={seed}: the record differs on a reused world",
            x.scenarios[k].name
        );
        checked += 1;
    }
    assert_eq!(checked, 4 * n);
    // Runs 1 and 2 of every three followed a finished run on this thread.
    assert!(reused >= 2 * n, "{reused} of {checked} runs reused a world");
}

#[test]
fn a_reused_world_does_not_grow() {
    let x = inputs();
    let k = x
        .scenarios
        .iter()
        .position(|s| s.slug.contains("national-worm"))
        .expect("national-worm scenario");
    let mut counts = Vec::new();
    let mut ids = Vec::new();
    for seed in 0..4 {
        let s = sim(&x, k, seed % 2 == 0, seed).with_sampler(Sampler::Direct);
        counts.push(s.world().entity_count());
        ids.push(s.world().id());
        s.run_to_end();
    }
    // One world for all four runs, with as many entities (its resources)
    // at the start of each.
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    assert!(counts[1..].iter().all(|&c| c == counts[1]), "{counts:?}");
}

/// The plain network SIR's worm is put back where its outbreak went and
/// reused by the next outbreak on the thread (`worm::Worm::recycle`):
/// outbreaks one after another on this thread, on both validation
/// scenarios in turn and with a run with response (which keeps no spare)
/// between, are the same outbreaks each on a thread of its own.
#[test]
fn a_recycled_worm_gives_the_outbreak_of_a_new_one() {
    let x = Arc::new(inputs());
    let sir: Vec<usize> = x
        .scenarios
        .iter()
        .enumerate()
        .filter(|(_, s)| s.slug.contains("network-sir"))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(sir.len(), 2, "both validation scenarios");
    // And each cut off after 3 hours, mid-outbreak: nodes still infected,
    // transmissions still pending to neighbours never infected.
    let mut x = Arc::try_unwrap(x).ok().expect("one owner");
    for &k in &sir {
        let mut short = (*x.scenarios[k]).clone();
        short.duration_min = 180.0;
        x.scenarios.push(Arc::new(short));
    }
    let x = Arc::new(x);
    let n = x.scenarios.len();
    let sir = [sir[0], sir[1], n - 2, n - 1];
    let mut spares = 0;
    for seed in 0..16u64 {
        let k = sir[(seed / 2) as usize % 4];
        if seed % 5 == 4 {
            let other = sim(&x, k, true, seed).run_to_end();
            assert!(!other.tasks.is_empty());
        }
        spares += usize::from(drillsim::engine::worm::Worm::spare_waiting());
        let got = sim(&x, k, false, seed).lean().run_to_end();
        let want = {
            let x = x.clone();
            std::thread::spawn(move || sim(&x, k, false, seed).lean().run_to_end())
                .join()
                .expect("run")
        };
        assert!(got.totals.nodes_infected > 0, "seed {seed}");
        assert!(
            got == want,
            "seed {seed}: the outbreak differs with a recycled worm"
        );
    }
    // Every outbreak after the first found a spare, except right after a
    // run with response.
    assert!(spares >= 10, "{spares}");
}
