//! Several worms in one scenario (`engine::worm::WormRes`): each spreads
//! from its own site with its own random stream, each is its own incident
//! (detected, graded), the run's totals sum over them, and a second worm
//! that reaches nothing leaves the first worm's run exactly as it was.

use std::path::Path;
use std::sync::Arc;

use drillsim::app;
use drillsim::engine::{EventKind, ResponseSetup, RunConfig, RunRecord, run_with};
use drillsim::model::scenario::{Inject, InjectKind, Scenario};
use drillsim::model::topology::Topology;

fn setup(topo: &Topology) -> ResponseSetup {
    ResponseSetup {
        plan: app::load_plan("sat-overall").unwrap(),
        teams: app::load_teams(None, topo).unwrap(),
        spread: true,
    }
}

fn run(topo: &Arc<Topology>, s: &Arc<Scenario>, seed: u64, response: bool) -> RunRecord {
    run_with(
        topo.clone(),
        s.clone(),
        response.then(|| setup(topo)),
        RunConfig { seed, response },
    )
}

/// "incident K" appears in an event of `kind`.
fn has(rec: &RunRecord, kind: EventKind, incident: usize) -> bool {
    let tag = format!("incident {incident}:");
    rec.events
        .iter()
        .any(|e| e.kind == kind && e.detail.starts_with(&tag))
}

#[test]
fn two_worms_released_at_different_sites_both_spread_and_are_both_detected_and_graded() {
    let topo = app::load_topology(None).unwrap();
    let s = app::load_scenario(Some(Path::new("scenarios/two-worms.ron")), &topo).unwrap();
    let (gd, sc) = (topo.find("gd").unwrap(), topo.find("sc").unwrap());
    for seed in 1..=3 {
        let rec = run(&topo, &s, seed, true);
        let worms: Vec<_> = rec.threats.iter().filter(|o| o.threat == "worm").collect();
        assert_eq!(worms.len(), 2, "seed {seed}: one outcome per worm");
        let (a, b) = (
            worms[0].worm.as_ref().unwrap(),
            worms[1].worm.as_ref().unwrap(),
        );
        // Both spread beyond what they started with (0 and 5 hosts).
        assert!(a.hosts_infected > 10, "seed {seed}: {a:?}");
        assert!(b.hosts_infected > 5, "seed {seed}: {b:?}");
        // From their own sites: the first from Guangdong, the second from Sichuan.
        let province = |v| topo.nodes[v as usize].province;
        assert_eq!(province(worms[0].node), topo.nodes[gd as usize].province);
        assert_eq!(province(worms[1].node), topo.nodes[sc as usize].province);
        // The run's totals sum over the worms.
        assert_eq!(
            rec.totals.total_infected_hosts,
            a.hosts_infected + b.hosts_infected
        );
        assert!(rec.totals.peak_infected_hosts >= a.peak_infected.max(b.peak_infected));
        assert!(rec.totals.peak_infected_hosts <= a.peak_infected + b.peak_infected);
        // Two incidents, each opened, detected and graded.
        let opened = rec
            .events
            .iter()
            .filter(|e| e.kind == EventKind::IncidentOpened)
            .count();
        assert_eq!(opened, 2, "seed {seed}");
        for k in [1, 2] {
            assert!(
                has(&rec, EventKind::Detection, k),
                "seed {seed}: incident {k}"
            );
            assert!(
                has(&rec, EventKind::Grading, k),
                "seed {seed}: incident {k}"
            );
        }
        // The second incident starts in Sichuan.
        let first_sc = rec
            .events
            .iter()
            .find(|e| e.kind == EventKind::IncidentOpened && e.detail.starts_with("incident 2"))
            .unwrap();
        assert_eq!(
            province(first_sc.node.unwrap()),
            topo.nodes[sc as usize].province
        );
    }
}

#[test]
fn a_second_worm_that_reaches_nothing_leaves_the_first_worms_run_unchanged() {
    let topo = app::load_topology(None).unwrap();
    let one = app::load_scenario(None, &topo).unwrap();
    // The same run with a second worm released at the same minute, with no
    // vulnerable host anywhere: it never infects a host.
    let mut two = (*one).clone();
    let InjectKind::Worm(w) = &one.injects[0].kind else {
        panic!("the default scenario starts with a worm")
    };
    let mut dud = w.clone();
    dud.name = "dud".into();
    dud.initial_nodes = vec![topo.find("sc").unwrap()];
    dud.internet_entry = vec![];
    dud.vulnerable_fraction = 0.0;
    two.injects.push(Inject {
        at_min: one.injects[0].at_min,
        kind: InjectKind::Worm(dud),
        incident: None,
    });
    let two = Arc::new(two);
    for (seed, response) in [(1, true), (2, false), (3, true)] {
        let a = run(&topo, &one, seed, response);
        let b = run(&topo, &two, seed, response);
        let fig = b
            .threats
            .iter()
            .find(|o| o.inject == 0)
            .and_then(|o| o.worm.clone())
            .expect("the first worm's own figures");
        assert_eq!(fig.hosts_infected, a.totals.total_infected_hosts);
        assert_eq!(fig.nodes_infected, a.totals.nodes_infected);
        assert_eq!(fig.peak_infected, a.totals.peak_infected_hosts);
        assert_eq!(fig.peak_minute, a.totals.peak_minute);
        let dud = b.threats.iter().find(|o| o.inject == 1).unwrap();
        assert_eq!(dud.worm.as_ref().unwrap().hosts_infected, 0);
        // The summed totals are the first worm's.
        assert_eq!(b.totals.total_infected_hosts, a.totals.total_infected_hosts);
        assert_eq!(b.totals.peak_infected_hosts, a.totals.peak_infected_hosts);
        assert_eq!(b.totals.provinces, a.totals.provinces);
        assert_eq!(b.totals.service_hours_lost, a.totals.service_hours_lost);
        // Minute by minute, and the response task by task.
        assert_eq!(a.timeline.len(), b.timeline.len());
        for (x, y) in a.timeline.iter().zip(&b.timeline) {
            assert_eq!(
                (
                    x.hosts_infected,
                    x.hosts_cleaned,
                    x.nodes_affected,
                    x.links_saturated
                ),
                (
                    y.hosts_infected,
                    y.hosts_cleaned,
                    y.nodes_affected,
                    y.links_saturated
                ),
                "minute {}",
                x.minute
            );
        }
        assert_eq!(a.tasks, b.tasks, "seed {seed}");
        // Only the dud's release event is new.
        let strip = |r: &RunRecord| -> Vec<String> {
            r.events
                .iter()
                .filter(|e| !(e.kind == EventKind::WormRelease && e.detail.starts_with("dud")))
                .map(|e| format!("{} {:?} {:?} {}", e.minute, e.kind, e.node, e.detail))
                .collect()
        };
        assert_eq!(strip(&a), strip(&b), "seed {seed}");
    }
}

#[test]
fn a_two_worm_run_is_deterministic_and_its_second_worm_has_its_own_stream() {
    let topo = app::load_topology(None).unwrap();
    let s = app::load_scenario(Some(Path::new("scenarios/two-worms.ron")), &topo).unwrap();
    let a = run(&topo, &s, 5, false);
    let b = run(&topo, &s, 5, false);
    assert_eq!(a.threats, b.threats);
    assert_eq!(a.timeline, b.timeline);
    // Without response the two worms only meet at overloaded sites and
    // saturated lines; the mailing worm (no traffic, Sichuan) is released
    // six hours in. Moving its release by ten minutes changes its own
    // draws only: the first worm's course up to the release is unchanged.
    let mut later = (*s).clone();
    later.injects[1].at_min += 10.0;
    let c = run(&topo, &Arc::new(later), 5, false);
    let release = s.injects[1].at_min;
    for (x, y) in a.timeline.iter().zip(&c.timeline) {
        if x.minute >= release {
            break;
        }
        assert_eq!(x.hosts_infected, y.hosts_infected, "minute {}", x.minute);
    }
}

#[test]
fn a_scenario_file_may_hold_several_worms() {
    let topo = app::load_topology(None).unwrap();
    let s = app::load_scenario(Some(Path::new("scenarios/two-worms.ron")), &topo).unwrap();
    let worms = s
        .injects
        .iter()
        .filter(|i| matches!(i.kind, InjectKind::Worm(_)))
        .count();
    assert_eq!(worms, 2);
}

#[test]
fn isolating_a_site_isolates_the_hosts_of_every_worm_there() {
    use drillsim::engine::Sim;
    use drillsim::engine::worm::WormRes;
    let topo = app::load_topology(None).unwrap();
    let base = app::load_scenario(Some(Path::new("scenarios/two-worms.ron")), &topo).unwrap();
    // Both worms start in the same prefecture bureau, ten hosts each.
    let site = topo.find("gd.01").unwrap();
    let mut s = (*base).clone();
    for inj in &mut s.injects {
        if let InjectKind::Worm(w) = &mut inj.kind {
            w.initial_nodes = vec![site];
            w.initial_hosts = 10;
            w.internet_entry.clear();
        }
        inj.at_min = 0.0;
    }
    let s = Arc::new(s);
    let mut checked = 0;
    for seed in 1..=3 {
        let mut sim = Sim::with_response(
            topo.clone(),
            s.clone(),
            Some(setup(&topo)),
            RunConfig {
                seed,
                response: true,
            },
        );
        while sim.step() {
            let worms = sim.world().resource::<WormRes>();
            let v = site as usize;
            if worms.iter().any(|w| w.contained[v]) {
                assert_eq!(worms.len(), 2);
                for w in worms.iter() {
                    assert!(w.contained[v], "seed {seed}: {} not contained", w.name);
                    assert_eq!(w.i[v], w.q[v], "seed {seed}: {} has active hosts", w.name);
                }
                checked += 1;
                break;
            }
        }
    }
    assert_eq!(checked, 3, "the site was isolated in every seed");
}
