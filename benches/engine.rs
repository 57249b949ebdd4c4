//! Benches for the numbers the project promises (README.md, "Performance").
//!
//! - `national_worm`: the default scenario (72 h, 1-minute ticks) on the
//!   national network (16,132 nodes), no response. Target ≤ 100 ms median.
//! - `network_sir`: one outbreak of the validation mode (one host per node,
//!   τ, γ) on the national graph. Target ≤ 5 ms.
//! - `national_worm_response`: the same run with the full response under
//!   `sat-overall` and the default teams. Target ≤ 1.5 × `national_worm`.
//! - `network_sir_tau17`: one outbreak of the validation mode at τ = 1.7/h,
//!   γ = 1/h (`scenarios/validation/network-sir-tau1.7.ron`), the case
//!   compared with EoN's `fast_SIR` (`benches/eon_reference.py`; target ≥ 50×
//!   faster per outbreak).
//! - `national_worm_build`: building the world alone (shared network behind
//!   an `Arc`), the per-run overhead a batch pays.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use drillsim::app;
use drillsim::engine::{ResponseSetup, RunConfig, Sim, run, run_with};

fn benches(c: &mut Criterion) {
    drillsim::engine::keep_freed_memory();
    let topo = app::load_topology(None).expect("default network");
    let national = app::load_scenario(None, &topo).expect("default scenario");
    let sir = app::load_scenario(
        Some(Path::new("scenarios/validation/network-sir.ron")),
        &topo,
    )
    .expect("validation scenario");
    let sir17 = app::load_scenario(
        Some(Path::new("scenarios/validation/network-sir-tau1.7.ron")),
        &topo,
    )
    .expect("validation scenario at tau 1.7");

    let setup = ResponseSetup {
        plan: app::load_plan(app::DEFAULT_PLAN).expect("bundled plan"),
        teams: app::load_teams(None, &topo).expect("bundled teams"),
        spread: true,
    };

    let mut g = c.benchmark_group("engine");
    g.sample_size(20);
    let mut seed = 0;
    g.bench_function("national_worm", |b| {
        b.iter(|| {
            seed += 1;
            black_box(run(
                topo.clone(),
                national.clone(),
                RunConfig {
                    seed,
                    response: false,
                },
            ))
        })
    });
    g.bench_function("national_worm_response", |b| {
        b.iter(|| {
            seed += 1;
            black_box(run_with(
                topo.clone(),
                national.clone(),
                Some(setup.clone()),
                RunConfig {
                    seed,
                    response: true,
                },
            ))
        })
    });
    g.bench_function("network_sir", |b| {
        b.iter(|| {
            seed += 1;
            black_box(run(
                topo.clone(),
                sir.clone(),
                RunConfig {
                    seed,
                    response: false,
                },
            ))
        })
    });
    g.bench_function("network_sir_tau17", |b| {
        b.iter(|| {
            seed += 1;
            black_box(run(
                topo.clone(),
                sir17.clone(),
                RunConfig {
                    seed,
                    response: false,
                },
            ))
        })
    });
    g.bench_function("national_worm_build", |b| {
        b.iter(|| {
            black_box(Sim::new(
                Arc::clone(&topo),
                national.clone(),
                RunConfig {
                    seed: 1,
                    response: false,
                },
            ))
        })
    });
    g.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
