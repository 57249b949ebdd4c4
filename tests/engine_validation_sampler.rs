//! The event-driven sampler of the plain network SIR (Kiss, Miller & Simon,
//! EoN's `fast_SIR`) against the direct method it replaces there, against
//! the tree formula at a second τ, its bookkeeping, its hand-over to the
//! direct method, and where each is used.

use std::path::Path;
use std::sync::Arc;

use drillsim::app;
use drillsim::engine::worm::{Sampler, Worm, WormRes};
use drillsim::engine::{EventKind, Net, RunConfig, RunRecord, Sim, TopoRes};
use drillsim::model::scenario::{Inject, InjectKind, Scenario};
use drillsim::model::topology::{LinkKind, Topology};

use crate::util::{ks_statistic, mean_se};

fn national() -> (Arc<Topology>, Arc<Scenario>) {
    let topo = app::load_topology(None).expect("default network");
    let scenario = app::load_scenario(
        Some(Path::new("scenarios/validation/network-sir-tau1.7.ron")),
        &topo,
    )
    .expect("validation scenario");
    (topo, scenario)
}

fn cfg(seed: u64) -> RunConfig {
    RunConfig {
        seed,
        response: false,
    }
}

fn run_with(
    topo: &Arc<Topology>,
    scenario: &Arc<Scenario>,
    seed: u64,
    sampler: Sampler,
) -> RunRecord {
    Sim::new(topo.clone(), scenario.clone(), cfg(seed))
        .with_sampler(sampler)
        .run_to_end()
}

/// KS critical value at α = 0.001 for two samples of `n`.
fn ks_critical(n: usize) -> f64 {
    1.95 * (2.0 / n as f64).sqrt()
}

/// Final size, peak infected and the minute of the last recovery: the same
/// distributions under both samplers on the national network at τ = 1.7/h
/// (independent seeds). The peak and the outbreak's length test the timing
/// of events, not only who is ever infected.
#[test]
fn event_driven_and_direct_samplers_agree_in_distribution() {
    let (topo, scenario) = national();
    let n = 600;
    let stats = |sampler: Sampler, first: u64| -> [Vec<f64>; 3] {
        let mut out: [Vec<f64>; 3] = Default::default();
        for seed in first..first + n as u64 {
            let rec = run_with(&topo, &scenario, seed, sampler);
            let end = rec
                .events
                .iter()
                .filter(|e| e.kind == EventKind::NodeClean)
                .map(|e| e.minute)
                .fold(0.0, f64::max);
            out[0].push(rec.totals.total_infected_hosts as f64);
            out[1].push(rec.totals.peak_infected_hosts as f64);
            out[2].push(end);
        }
        out
    };
    let events = stats(Sampler::Auto, 1);
    let direct = stats(Sampler::Direct, 1_000_001);
    for (k, name) in ["final size", "peak infected", "last recovery"]
        .iter()
        .enumerate()
    {
        let (ma, sa) = mean_se(&events[k]);
        let (mb, sb) = mean_se(&direct[k]);
        assert!(
            (ma - mb).abs() < 4.0 * (sa * sa + sb * sb).sqrt(),
            "{name}: event-driven {ma:.1} ± {sa:.1}, direct {mb:.1} ± {sb:.1}"
        );
        let d = ks_statistic(&events[k], &direct[k]);
        assert!(d < ks_critical(n), "{name}: KS statistic {d:.3}");
    }
    // Not vacuous: outbreaks of thousands of nodes lasting hours.
    assert!(mean_se(&events[0]).0 > 2000.0 && mean_se(&events[2]).0 > 300.0);
}

/// The national network at τ = 1/h, γ = 1/h (`network-sir.ron`, T = 1/2):
/// the mean final size of 1,000 outbreaks matches Σ_d n_d·T^d within 3
/// standard errors (the τ = 1.7/h case is in `engine_validation`).
#[test]
fn national_final_size_at_tau_1_matches_tree_formula() {
    let topo = app::load_topology(None).expect("default network");
    let scenario = app::load_scenario(
        Some(Path::new("scenarios/validation/network-sir.ron")),
        &topo,
    )
    .expect("validation scenario");
    // Depths in the primary tree (backup lines idle).
    let n = topo.nodes.len();
    let mut depth = vec![usize::MAX; n];
    depth[topo.hq as usize] = 0;
    let mut queue = std::collections::VecDeque::from([topo.hq]);
    while let Some(v) = queue.pop_front() {
        for &(w, l) in topo.neighbours(v) {
            if topo.links[l as usize].kind != LinkKind::Backup && depth[w as usize] == usize::MAX {
                depth[w as usize] = depth[v as usize] + 1;
                queue.push_back(w);
            }
        }
    }
    let expected: f64 = depth.iter().map(|&d| 0.5f64.powi(d as i32)).sum();
    assert!(expected > 100.0, "formula {expected:.1}");
    let sizes: Vec<f64> = (1..=1000)
        .map(|seed| {
            let rec = run_with(&topo, &scenario, seed, Sampler::Auto);
            rec.totals.total_infected_hosts as f64
        })
        .collect();
    let (m, se) = mean_se(&sizes);
    assert!(
        (m - expected).abs() < 3.0 * se,
        "mean final size {m:.1} ± {se:.1}, tree formula {expected:.1}"
    );
}

/// The total rate the event-driven sampler reports (τ·pairs + γ·infected,
/// kept up to date event by event) is the one recomputed from scratch from
/// the public host counts and the lines, at every tick of three outbreaks;
/// handing over to the direct method builds a sum tree with the same total.
#[test]
fn event_driven_bookkeeping_matches_a_recount_and_the_hand_over() {
    let (topo, scenario) = national();
    let InjectKind::Worm(p) = &scenario.injects[0].kind else {
        panic!("the validation scenario releases a worm first");
    };
    let (tau, gamma) = (p.tau_per_hour / 60.0, p.gamma_per_hour / 60.0);
    // 10-minute ticks: more states looked at.
    let mut fine = (*scenario).clone();
    fine.tick_min = 10.0;
    let fine = Arc::new(fine);
    let mut checked = 0;
    for seed in 1..=3 {
        let mut sim = Sim::new(topo.clone(), fine.clone(), cfg(seed));
        while sim.step() {
            let world = sim.world();
            let Some(w) = world.resource::<WormRes>().0.as_ref() else {
                continue;
            };
            if w.tot_i == 0 {
                // Extinct: the rate stays 0 (checked once more below).
                assert_eq!(w.total_rate(), 0.0);
                break;
            }
            let net = world.resource::<Net>();
            assert!(
                w.event_driven(),
                "seed {seed}: left the event-driven sampler"
            );
            let recount = recount(&world.resource::<TopoRes>().0, net, w, tau, gamma);
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.max(1e-12);
            assert!(
                close(w.total_rate(), recount),
                "seed {seed}: {} against {recount}",
                w.total_rate()
            );
            let mut direct = w.clone();
            direct.leave_event_driven(net);
            assert!(!direct.event_driven());
            assert!(close(direct.total_rate(), recount));
            if recount > 0.0 {
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} ticks with a live outbreak");
}

/// Σ_v s_v/n_v·τ·(active infected at the far end of v's lines that carry
/// the worm) + γ·(active infected), from the public state.
fn recount(topo: &Topology, net: &Net, w: &Worm, tau: f64, gamma: f64) -> f64 {
    let mut total = 0.0;
    for v in 0..topo.nodes.len() {
        let active = |x: usize| (w.i[x] - w.q[x]) as f64;
        if w.s[v] > 0 {
            let c: f64 = topo
                .neighbours(v as u32)
                .iter()
                .filter(|&&(_, l)| net.spread[l as usize])
                .map(|&(x, _)| active(x as usize))
                .sum();
            total += w.s[v] as f64 / w.n[v] as f64 * tau * c;
        }
        total += gamma * active(v);
    }
    total
}

/// A line cut 90 minutes into the outbreak (in its second one-hour tick; a
/// province's backbone line, repaired after six hours) hands the worm to the direct method mid-run: the
/// final sizes keep the distribution of runs sampled by the direct method
/// throughout.
#[test]
fn hand_over_mid_outbreak_keeps_the_distribution() {
    let (topo, scenario) = national();
    let line = topo
        .links
        .iter()
        .position(|l| l.kind == LinkKind::Backbone)
        .expect("a backbone line") as u32;
    let mut cut = (*scenario).clone();
    cut.injects.push(Inject {
        at_min: 90.0,
        kind: InjectKind::LinkCut {
            link: line,
            duration_min: Some(360.0),
        },
        incident: None,
    });
    let cut = Arc::new(cut);
    let n = 500;
    let mut handed = 0;
    let mut auto = Vec::new();
    for seed in 1..=n as u64 {
        let mut sim = Sim::new(topo.clone(), cut.clone(), cfg(seed));
        let mut was_event_driven = false;
        while sim.step() {
            if let Some(w) = sim.world().resource::<WormRes>().0.as_ref() {
                if w.event_driven() {
                    was_event_driven = true;
                } else if was_event_driven {
                    handed += 1;
                    break;
                }
            }
        }
        while sim.step() {}
        auto.push(sim.finish().totals.total_infected_hosts as f64);
    }
    let direct: Vec<f64> = (1_000_001..1_000_001 + n as u64)
        .map(|seed| {
            run_with(&topo, &cut, seed, Sampler::Direct)
                .totals
                .total_infected_hosts as f64
        })
        .collect();
    assert_eq!(handed, n, "every run hands over at the cut");
    let (ma, sa) = mean_se(&auto);
    let (mb, sb) = mean_se(&direct);
    assert!(
        (ma - mb).abs() < 4.0 * (sa * sa + sb * sb).sqrt(),
        "handed over {ma:.1} ± {sa:.1}, direct {mb:.1} ± {sb:.1}"
    );
    let d = ks_statistic(&auto, &direct);
    assert!(d < ks_critical(n), "KS statistic {d:.3}");
}

/// The event-driven sampler draws when a node is infected, not per tick:
/// the same seed gives the same infections and recoveries at the same
/// minutes whatever the tick length (1 h or 7 min), and the same totals.
#[test]
fn event_driven_runs_do_not_depend_on_the_tick_at_all() {
    let (topo, scenario) = national();
    let mut fine = (*scenario).clone();
    fine.tick_min = 7.0;
    let fine = Arc::new(fine);
    let worm_events = |r: &RunRecord| -> Vec<(u64, EventKind, Option<u32>)> {
        r.events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::NodeInfected | EventKind::NodeClean))
            .map(|e| (e.minute.to_bits(), e.kind, e.node))
            .collect()
    };
    let mut outbreaks = 0;
    for seed in 1..=8 {
        let a = run_with(&topo, &scenario, seed, Sampler::Auto);
        let b = run_with(&topo, &fine, seed, Sampler::Auto);
        outbreaks += (a.totals.nodes_infected > 100) as u32;
        assert_eq!(worm_events(&a), worm_events(&b), "seed {seed}");
        assert_eq!(a.totals.peak_infected_hosts, b.totals.peak_infected_hosts);
        assert_eq!(a.totals.peak_minute, b.totals.peak_minute);
        assert_eq!(a.totals.nodes_infected, b.totals.nodes_infected);
    }
    assert!(
        outbreaks >= 4,
        "only {outbreaks} outbreaks of more than 100 nodes"
    );
}

/// Where each sampler is used: the validation scenarios get the
/// event-driven one (unless asked for the direct method); the national worm
/// (many hosts per node, internet scanning, traffic) keeps the direct
/// method and so its results (golden tests).
#[test]
fn event_driven_sampler_only_for_the_plain_network_sir() {
    let topo = app::load_topology(None).expect("default network");
    let uses_events = |file: &str, sampler: Sampler| {
        let scenario = app::load_scenario(Some(Path::new(file)), &topo).expect("bundled scenario");
        let mut sim = Sim::new(topo.clone(), scenario, cfg(1)).with_sampler(sampler);
        sim.step();
        sim.world()
            .resource::<WormRes>()
            .0
            .as_ref()
            .expect("worm released in the first tick")
            .event_driven()
    };
    assert!(uses_events(
        "scenarios/validation/network-sir-tau1.7.ron",
        Sampler::Auto
    ));
    assert!(uses_events(
        "scenarios/validation/network-sir.ron",
        Sampler::Auto
    ));
    assert!(!uses_events(
        "scenarios/validation/network-sir.ron",
        Sampler::Direct
    ));
    assert!(!uses_events("scenarios/national-worm.ron", Sampler::Auto));
}
