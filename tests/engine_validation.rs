//! The worm engine against closed-form results of the models it implements.

use std::path::Path;
use std::sync::Arc;

use drillsim::app;
use drillsim::engine::{RunConfig, run};
use drillsim::model::scenario::InjectKind;
use drillsim::model::topology::{LinkKind, Topology};

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
    let sizes = final_sizes(&topo, &scenario, 0..2000);
    let (m, se) = mean_se(&sizes);
    assert!(
        (m - expected).abs() < 4.0 * se,
        "mean final size {m:.3} ± {se:.3}, expected {expected:.3}"
    );
}

/// Nodes at each depth from HQ in the primary tree (every line but the
/// backups, which stay idle until a primary fails).
fn nodes_by_depth(topo: &Topology) -> Vec<u64> {
    let n = topo.nodes.len();
    let mut adj = vec![Vec::new(); n];
    for l in topo.links.iter().filter(|l| l.kind != LinkKind::Backup) {
        adj[l.a as usize].push(l.b as usize);
        adj[l.b as usize].push(l.a as usize);
    }
    let mut depth = vec![usize::MAX; n];
    depth[topo.hq as usize] = 0;
    let mut queue = std::collections::VecDeque::from([topo.hq as usize]);
    let mut n_d = vec![0u64];
    while let Some(v) = queue.pop_front() {
        for &w in &adj[v] {
            if depth[w] == usize::MAX {
                depth[w] = depth[v] + 1;
                if n_d.len() <= depth[w] {
                    n_d.push(0);
                }
                n_d[depth[w]] += 1;
                queue.push_back(w);
            }
        }
    }
    n_d[0] = 1;
    // The primary network is a tree: one line fewer than nodes, all reached.
    let primary = topo.links.iter().filter(|l| l.kind != LinkKind::Backup);
    assert_eq!(primary.count() + 1, n, "primary network is not a tree");
    assert_eq!(
        n_d.iter().sum::<u64>(),
        n as u64,
        "primary tree not connected"
    );
    n_d
}

/// The bundled national validation scenario at τ = 1.7/h, γ = 1/h (the
/// rates of the comparison with EoN, `benches/eon_reference.py`): over
/// seeds 1..=1000 the mean final size matches the tree formula
/// Σ_d n_d·T^d, T = τ/(τ+γ), with n_d counted here from the default
/// topology, within 3 standard errors. Not vacuous: the formula's value is
/// far from both 1 (no spread) and the whole network.
#[test]
fn national_final_size_at_tau_1_7_matches_tree_formula() {
    let topo = app::load_topology(None).expect("default network");
    let scenario = app::load_scenario(
        Some(Path::new("scenarios/validation/network-sir-tau1.7.ron")),
        &topo,
    )
    .expect("validation scenario");
    let n_d = nodes_by_depth(&topo);
    let t: f64 = 1.7 / (1.7 + 1.0);
    let expected: f64 = n_d
        .iter()
        .enumerate()
        .map(|(d, &n)| n as f64 * t.powi(d as i32))
        .sum();
    assert!(
        expected > 1000.0 && expected < 0.5 * topo.nodes.len() as f64,
        "formula {expected:.1} with n_d = {n_d:?}"
    );
    let sizes = final_sizes(&topo, &scenario, 1..=1000);
    let (m, se) = mean_se(&sizes);
    assert!(
        (m - expected).abs() < 3.0 * se,
        "mean final size {m:.1} ± {se:.1} (1,000 outbreaks), tree formula {expected:.1}, n_d = {n_d:?}"
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

/// `run_to_end` fast-forwards a run once nothing but time can change it (no
/// response, worm extinct, empty agenda): the record is the one stepping
/// every tick through the full schedule gives, byte for byte, for runs that
/// settle early (the validation outbreak, outages that end) and runs that
/// never settle (the national worm, γ = 0).
#[test]
fn fast_forward_of_settled_runs_changes_nothing() {
    use drillsim::engine::Sim;
    let topo = app::load_topology(None).expect("default network");
    let mut settled_early = 0;
    for (file, seeds) in [
        ("scenarios/validation/network-sir-tau1.7.ron", 1..=5),
        ("scenarios/validation/network-sir.ron", 1..=3),
        ("scenarios/provincial-dc-power-failure.ron", 1..=2),
        ("scenarios/hq-core-router-failure.ron", 1..=2),
        ("scenarios/regional-disaster.ron", 1..=2),
        ("scenarios/national-worm.ron", 1..=1),
    ] {
        let scenario = app::load_scenario(Some(Path::new(file)), &topo).expect("bundled scenario");
        // HQ's router also failing for good: a run that settles with a node
        // down, services lost every tick and nodes cut off.
        let mut forever = (*scenario).clone();
        for i in &mut forever.injects {
            if let InjectKind::NodeFailure { duration_min, .. } = &mut i.kind {
                *duration_min = None;
            }
        }
        for (scenario, seed) in
            seeds.flat_map(|s| [(scenario.clone(), s), (Arc::new(forever.clone()), s)])
        {
            let cfg = RunConfig {
                seed,
                response: false,
            };
            let fast = run(topo.clone(), scenario.clone(), cfg);
            let mut sim = Sim::new(topo.clone(), scenario.clone(), cfg);
            let mut quiet_ticks = 0;
            while sim.step() {
                if sim
                    .world()
                    .resource::<drillsim::engine::worm::WormRes>()
                    .0
                    .as_ref()
                    .is_none_or(|w| w.total_rate() <= 0.0)
                {
                    quiet_ticks += 1;
                }
            }
            let slow = sim.finish();
            if quiet_ticks > 10 {
                settled_early += 1;
            }
            assert_eq!(
                drillsim::output::record_json(&fast),
                drillsim::output::record_json(&slow),
                "{file} seed {seed}"
            );
        }
    }
    assert!(
        settled_early >= 8,
        "only {settled_early} runs settled early"
    );
}

/// The final size (hosts ever infected) of a response-less run per seed.
fn final_sizes(
    topo: &Arc<drillsim::model::topology::Topology>,
    scenario: &Arc<drillsim::model::scenario::Scenario>,
    seeds: impl Iterator<Item = u64>,
) -> Vec<f64> {
    seeds
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
}
