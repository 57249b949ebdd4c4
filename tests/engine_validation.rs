//! The worm engine against closed-form results of the models it implements.

use std::sync::Arc;

use drillsim::engine::{RunConfig, run};

use crate::util::{ks_statistic, mean_se, tree, worm, worm_scenario};

/// Network SIR on a tree from the root: the expected final size is
/// Σ_d n_d·T^d with transmissibility T = τ/(τ+γ) (each edge transmits
/// independently with probability T in the Markovian SIR).
#[test]
fn tree_final_size_matches_transmissibility_formula() {
    let (branching, depth) = (3, 5);
    let topo = Arc::new(tree(branching, depth, 1));
    let mut w = worm();
    w.tau_per_hour = 1.5;
    w.gamma_per_hour = 1.0;
    let t: f64 = 1.5 / (1.5 + 1.0);
    let expected: f64 = (0..=depth)
        .map(|d| (branching as f64).powi(d as i32) * t.powi(d as i32))
        .sum();
    let scenario = worm_scenario(w, 60.0 * 24.0 * 30.0, 60.0, Some(1));
    let sizes: Vec<f64> = (0..2000)
        .map(|seed| {
            run(
                topo.clone(),
                scenario.clone(),
                RunConfig {
                    seed,
                    response: false,
                },
            )
            .totals
            .total_infected_hosts as f64
        })
        .collect();
    let (m, se) = mean_se(&sizes);
    assert!(
        (m - expected).abs() < 4.0 * se,
        "mean final size {m:.3} ± {se:.3}, expected {expected:.3}"
    );
}

/// One well-mixed node (SI, no recovery): the infected share follows the
/// random-constant-spread logistic a(t) = e^{K(t−T)} / (1 + e^{K(t−T)}).
#[test]
fn one_node_follows_logistic_curve() {
    let n = 20_000u32;
    let k_per_hour = 1.8;
    let a0 = 200.0 / n as f64;
    let big_t = ((1.0 - a0) / a0).ln() / k_per_hour;
    let topo = Arc::new(tree(1, 0, n));
    let mut w = worm();
    w.beta_per_hour = k_per_hour;
    w.initial_hosts = 200;
    let scenario = worm_scenario(w, 8.0 * 60.0, 5.0, None);
    for seed in 0..3 {
        let rec = run(
            topo.clone(),
            scenario.clone(),
            RunConfig {
                seed,
                response: false,
            },
        );
        let mut worst: f64 = 0.0;
        for row in &rec.timeline {
            let t = row.minute / 60.0;
            let e = (k_per_hour * (t - big_t)).exp();
            let expected = e / (1.0 + e);
            let got = row.hosts_infected as f64 / n as f64;
            worst = worst.max((got - expected).abs());
        }
        assert!(
            worst < 0.03,
            "seed {seed}: largest gap to the logistic {worst:.4}"
        );
    }
}

/// Continuous-time rates are resolved exactly within a tick: 1-minute and
/// 10-minute ticks give the same distribution of the final size.
#[test]
fn final_size_does_not_depend_on_tick_length() {
    let topo = Arc::new(tree(4, 3, 20));
    let mut w = worm();
    w.beta_per_hour = 0.8;
    w.tau_per_hour = 0.2;
    w.gamma_per_hour = 0.3;
    w.vulnerable_fraction = 0.7;
    let sizes = |tick: f64| -> Vec<f64> {
        let scenario = worm_scenario(w.clone(), 48.0 * 60.0, tick, None);
        (0..400)
            .map(|seed| {
                run(
                    topo.clone(),
                    scenario.clone(),
                    RunConfig {
                        seed,
                        response: false,
                    },
                )
                .totals
                .total_infected_hosts as f64
            })
            .collect()
    };
    let a = sizes(1.0);
    let b = sizes(10.0);
    let (ma, sa) = mean_se(&a);
    let (mb, sb) = mean_se(&b);
    assert!(
        (ma - mb).abs() < 4.0 * (sa * sa + sb * sb).sqrt(),
        "means differ: {ma:.1} ± {sa:.1} vs {mb:.1} ± {sb:.1}"
    );
    // KS critical value at α = 0.001 for two samples of 400: 1.95·√(2/400).
    let d = ks_statistic(&a, &b);
    assert!(d < 1.95 * (2.0f64 / 400.0).sqrt(), "KS statistic {d:.3}");
    // Not a vacuous comparison: the outbreak does spread.
    assert!(ma > 200.0, "mean final size {ma:.1}");
}
