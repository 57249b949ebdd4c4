//! Outages on the national network: failover, cut-off counts, backup power.

use std::sync::Arc;

use drillsim::app;
use drillsim::engine::{RunConfig, RunRecord, run};
use drillsim::model::scenario::{Inject, InjectKind, Scenario};
use drillsim::model::topology::Topology;

fn scenario(injects: Vec<Inject>, hours: f64) -> Arc<Scenario> {
    Arc::new(Scenario {
        name: "outage test".into(),
        description: String::new(),
        slug: "outage-test".into(),
        start: "2002-11-11T09:00:00".parse().unwrap(),
        duration_min: hours * 60.0,
        tick_min: 1.0,
        hosts_per_node: None,
        injects,
        objectives: vec![],
        source: None,
    })
}

fn row(rec: &RunRecord, minute: f64) -> &drillsim::engine::TimelineRow {
    rec.timeline.iter().find(|r| r.minute == minute).unwrap()
}

/// Nodes in the subtree under `v` (itself included), WAN nodes only.
fn subtree(topo: &Topology, v: u32) -> u32 {
    let mut n = 0;
    for (i, node) in topo.nodes.iter().enumerate() {
        let mut x = Some(i as u32);
        while let Some(y) = x {
            if y == v {
                n += node.tier.is_wan() as u32;
                break;
            }
            x = topo.nodes[y as usize].parent;
        }
    }
    n
}

#[test]
fn a_cut_backbone_fails_over_to_the_backup_line() {
    let topo = app::load_topology(None).unwrap();
    let (hq, gd) = (topo.find("hq").unwrap(), topo.find("gd").unwrap());
    let link = topo.link_between(hq, gd).unwrap();
    let failover =
        topo.links[topo.backup_of.iter().find(|b| b.1 == link).unwrap().0 as usize].failover_min;
    let s = scenario(
        vec![Inject {
            at_min: 60.0,
            kind: InjectKind::LinkCut {
                link,
                duration_min: Some(120.0),
            },
            incident: None,
        }],
        4.0,
    );
    let rec = run(
        topo.clone(),
        s,
        RunConfig {
            seed: 1,
            response: false,
        },
    );
    let behind = subtree(&topo, gd);
    assert!(behind > 400, "Guangdong has {behind} nodes");
    // Cut at 60: Guangdong is cut off until the backup takes over.
    assert_eq!(row(&rec, 61.0).nodes_cut_off, behind);
    assert_eq!(row(&rec, 60.0 + failover - 1.0).nodes_cut_off, behind);
    assert_eq!(row(&rec, 60.0 + failover + 1.0).nodes_cut_off, 0);
    let kinds: Vec<&str> = rec.events.iter().map(|e| e.kind.as_str()).collect();
    for k in ["link_cut", "failover", "link_repaired", "failback"] {
        assert!(kinds.contains(&k), "no {k} event: {kinds:?}");
    }
    // Nothing is down, only cut off for the failover delay.
    assert_eq!(rec.totals.nodes_down_max, 0);
    assert_eq!(rec.totals.nodes_cut_off_max, behind);
}

#[test]
fn a_failed_prefecture_cuts_off_its_counties_and_loses_its_services() {
    let topo = app::load_topology(None).unwrap();
    let pref = topo.find("sc.03").unwrap();
    let s = scenario(
        vec![Inject {
            at_min: 30.0,
            kind: InjectKind::NodeFailure {
                node: pref,
                duration_min: Some(180.0),
                spare: None,
                replacement_min: None,
            },
            incident: None,
        }],
        6.0,
    );
    let rec = run(
        topo.clone(),
        s,
        RunConfig {
            seed: 1,
            response: false,
        },
    );
    let behind = subtree(&topo, pref);
    assert_eq!(row(&rec, 31.0).nodes_down, 1);
    assert_eq!(row(&rec, 31.0).nodes_cut_off, behind);
    assert_eq!(row(&rec, 211.0).nodes_cut_off, 0);
    // The prefecture's own services are down for 3 hours (one-tick resolution).
    let services = topo.nodes[pref as usize].services.len() as f64;
    assert!((rec.totals.service_hours_lost - services * 3.0).abs() < services * 2.0 / 60.0);
}

#[test]
fn backup_power_holds_for_its_hours_then_the_site_goes_down() {
    let topo = app::load_topology(None).unwrap();
    let sc = topo.find("sc").unwrap();
    let hold = topo.nodes[sc as usize].backup_power_hours;
    assert!(hold > 0.0);
    let s = scenario(
        vec![Inject {
            at_min: 0.0,
            kind: InjectKind::PowerOutage {
                nodes: vec![sc],
                duration_min: (hold + 2.0) * 60.0,
                backup_power: true,
            },
            incident: None,
        }],
        hold + 4.0,
    );
    let rec = run(
        topo.clone(),
        s,
        RunConfig {
            seed: 1,
            response: false,
        },
    );
    let down_at = hold * 60.0;
    assert_eq!(row(&rec, down_at - 1.0).nodes_down, 0);
    assert_eq!(row(&rec, down_at + 1.0).nodes_down, 1);
    assert_eq!(row(&rec, down_at + 121.0).nodes_down, 0);
}
