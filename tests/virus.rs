//! A virus in one site's office hosts (`engine::threats::virus`): cleaning
//! stops the damage, earlier cleaning loses less data, data is restored only
//! where it was lost, and bad injects are refused with their position.

use std::path::Path;
use std::sync::Arc;

use crate::util::{bundled_setup, run_bundled};
use drillsim::app;
use drillsim::engine::threats::virus::Viruses;
use drillsim::engine::{EventKind, RunConfig, RunRecord, Sim};
use drillsim::model::scenario::{Inject, InjectKind, Payload, PayloadKind, Scenario, VirusInject};
use drillsim::model::topology::Topology;

/// A virus at `sc.03` (200 hosts) on a working Monday morning; `antivirus`
/// is the alert probability per new infection.
fn scenario(topo: &Topology, antivirus: f64) -> Arc<Scenario> {
    Arc::new(Scenario {
        name: "virus test".into(),
        description: String::new(),
        slug: "virus-test".into(),
        start: "2024-03-11T08:30:00".parse().unwrap(),
        duration_min: 72.0 * 60.0,
        tick_min: 1.0,
        hosts_per_node: None,
        injects: vec![Inject {
            at_min: 30.0,
            kind: InjectKind::Virus(VirusInject {
                name: "test".into(),
                site: topo.find("sc.03").unwrap(),
                initial_hosts: 1,
                spread_per_hour: 0.3,
                payload: Payload {
                    kind: PayloadKind::Destroy,
                    share: 0.35,
                },
                payload_delay_min: 360.0,
                antivirus,
            }),
            incident: None,
        }],
        objectives: vec![],
        source: None,
    })
}

fn hosts_hit(rec: &RunRecord) -> u32 {
    rec.data_losses.iter().map(|l| l.hosts).sum()
}

fn step_minute(rec: &RunRecord, step: &str) -> Option<f64> {
    rec.events
        .iter()
        .find(|e| e.kind == EventKind::StepFinish && e.detail.starts_with(&format!("{step} at ")))
        .map(|e| e.minute)
}

#[test]
fn cleaning_stops_the_damage() {
    let topo = app::load_topology(None).unwrap();
    let s = scenario(&topo, 0.04);
    for seed in 1..=5 {
        let mut sim = Sim::with_response(
            topo.clone(),
            s.clone(),
            Some(bundled_setup(&topo)),
            RunConfig {
                seed,
                response: true,
            },
        );
        // The payloads fired (hosts hit) at the end of each tick after the
        // cleaning: never more than at the cleaning.
        let mut at_clean: Option<u32> = None;
        while sim.step() {
            let v = sim.world().resource::<Viruses>();
            let o = &v.outbreaks[0..];
            let Some(o) = o.first() else { continue };
            if o.cleaned.is_some() {
                assert!(
                    o.payloads.is_empty(),
                    "seed {seed}: payloads left after cleaning"
                );
                assert_eq!(o.i, 0);
                match at_clean {
                    None => at_clean = Some(o.hit),
                    Some(h) => assert_eq!(o.hit, h, "seed {seed}: data hit after cleaning"),
                }
            }
        }
        assert!(at_clean.is_some(), "seed {seed}: the response cleans");
        let rec = sim.finish();
        let o = &rec.threats[0];
        assert_eq!((o.threat.as_str(), o.stage.as_str()), ("virus", "cleaned"));
        assert_eq!(o.stopped_by, "clean");
        // Data restored only where it was lost: the one site, once.
        let restores = rec
            .events
            .iter()
            .filter(|e| e.kind == EventKind::StepFinish && e.detail.starts_with("restore_data"))
            .count();
        assert_eq!(
            restores,
            usize::from(!rec.data_losses.is_empty()),
            "seed {seed}"
        );
        assert!(rec.data_losses.iter().all(|l| l.restored.is_some()));
        // Without a response the virus takes the whole site and more data.
        let free = run_bundled(&topo, &s, seed, false);
        let f = &free.threats[0];
        assert_eq!(f.stage, "spreading");
        assert_eq!(f.hosts_infected, 200);
        assert!(hosts_hit(&free) > hosts_hit(&rec), "seed {seed}");
        assert!(!free.events.iter().any(|e| e.kind == EventKind::Detection));
    }
}

#[test]
fn earlier_cleaning_loses_less_data() {
    // The same virus (its own stream: the same infections and payloads in
    // both runs) seen early — the antivirus alerts on every infection — or
    // late — no alert, only users losing files. Whenever the early run
    // isolated and cleaned no later than the late one, it lost no more
    // hosts' data; over the seeds it lost less.
    let topo = app::load_topology(None).unwrap();
    let (early, late) = (scenario(&topo, 1.0), scenario(&topo, 0.0));
    let (mut sum_early, mut sum_late, mut coupled) = (0, 0, 0);
    let (mut rec_early, mut rec_late) = (0u64, 0u64);
    for seed in 1..=10 {
        let a = run_bundled(&topo, &early, seed, true);
        let b = run_bundled(&topo, &late, seed, true);
        let (ca, cb) = (step_minute(&a, "clean"), step_minute(&b, "clean"));
        let (ia, ib) = (step_minute(&a, "isolate"), step_minute(&b, "isolate"));
        // A step never finished (skipped as a deviation, or past the end)
        // counts as never.
        let never = |m: Option<f64>| m.unwrap_or(f64::INFINITY);
        let (ca, cb, ia, ib) = (never(ca), never(cb), never(ia), never(ib));
        if ca <= cb && ia <= ib {
            coupled += 1;
            assert!(hosts_hit(&a) <= hosts_hit(&b), "seed {seed}");
            assert!(a.threats[0].hosts_infected <= b.threats[0].hosts_infected);
        }
        sum_early += hosts_hit(&a);
        sum_late += hosts_hit(&b);
        rec_early += a.data_losses.iter().map(|l| l.records).sum::<u64>();
        rec_late += b.data_losses.iter().map(|l| l.records).sum::<u64>();
    }
    assert!(
        coupled >= 8,
        "early detection cleaned earlier in {coupled} of 10 seeds"
    );
    assert!(sum_early < sum_late, "{sum_early} vs {sum_late} hosts hit");
    assert!(
        rec_early < rec_late,
        "{rec_early} vs {rec_late} records lost"
    );
}

#[test]
fn bundled_virus_scenario_runs() {
    let topo = app::load_topology(None).unwrap();
    let s = app::load_scenario(
        Some(Path::new("scenarios/prefecture-office-virus.ron")),
        &topo,
    )
    .unwrap();
    let rec = run_bundled(&topo, &s, 1, true);
    assert!(rec.events.iter().any(|e| e.kind == EventKind::Detection));
    assert!(rec.events.iter().any(|e| e.kind == EventKind::Virus));
    assert_eq!(rec.data_losses[0].cause, "virus_destroy");
    assert!(
        rec.events
            .iter()
            .any(|e| e.kind == EventKind::IncidentOpened && e.detail.contains("malware.virus"))
    );
}

#[test]
fn bad_virus_injects_are_refused_with_positions() {
    let err = crate::util::scenario_error(
        "virus",
        r#"Scenario(
    name: "bad",
    start: "2024-03-12T09:00:00",
    duration: "24h",
    injects: [
        (at: "+1h", what: Virus((
            site: "ext.customs",
            spread_per_hour: -1.0,
            payload: (kind: "melt", share: 1.5, delay: "0m"),
            antivirus: 2.0,
        ))),
    ],
)"#,
    );
    for (line, what) in [
        (7, "no office hosts"),
        (8, "spread_per_hour"),
        (9, "unknown payload kind"),
        (9, "payload share"),
        (9, "payload delay"),
        (10, "antivirus"),
    ] {
        assert!(
            err.contains(&format!("bad.ron:{line}:")) && err.contains(what),
            "{what}: {err}"
        );
    }
}
