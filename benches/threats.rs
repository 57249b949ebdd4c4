//! Benches for issue 11's performance acceptance (README, "Performance"):
//!
//! - `default_national`: the default scenario (national worm, 72 h) with the
//!   full response under `sat-overall` — the run every threat model must not
//!   slow down by more than 20 % when absent (compare with the same bench on
//!   the commit before the threat was added).
//! - `single_worm` / `compound_three`: the default worm alone and
//!   `scenarios/political-period-attack.ron` (defacement + intrusion + the
//!   same worm), no response and with the response: the compound scenario
//!   must run within 3× the single-worm run.
//! - `two_worms`: `scenarios/two-worms.ron` with the response.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use drillsim::app;
use drillsim::engine::{ResponseSetup, RunConfig, run_with};

fn benches(c: &mut Criterion) {
    drillsim::engine::keep_freed_memory();
    let topo = app::load_topology(None).expect("default network");
    let national = app::load_scenario(None, &topo).expect("default scenario");
    let compound = app::load_scenario(
        Some(Path::new("scenarios/political-period-attack.ron")),
        &topo,
    )
    .expect("compound scenario");
    let two = app::load_scenario(Some(Path::new("scenarios/two-worms.ron")), &topo)
        .expect("two-worm scenario");
    let setup = ResponseSetup {
        plan: app::load_plan(app::DEFAULT_PLAN).expect("bundled plan"),
        teams: app::load_teams(None, &topo).expect("bundled teams"),
        spread: true,
    };
    let mut g = c.benchmark_group("threats");
    g.sample_size(20);
    let mut seed = 0;
    for (name, scenario, response) in [
        ("default_national", &national, true),
        ("single_worm_no_response", &national, false),
        ("compound_three_no_response", &compound, false),
        ("compound_three", &compound, true),
        ("two_worms", &two, true),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                seed += 1;
                black_box(run_with(
                    topo.clone(),
                    scenario.clone(),
                    response.then(|| setup.clone()),
                    RunConfig { seed, response },
                ))
            })
        });
    }
    g.finish();
}

criterion_group!(threats, benches);
criterion_main!(threats);
