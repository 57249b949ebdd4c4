//! Which special plans of a system (sat-overall's online-filing and
//! core-tax-system plans) an incident starts, and where [I]: only at a site
//! where one of the plan's systems is or was down during the incident, or
//! that the threat aims at by design (a flood on online filing), by a cause
//! the incident's own threats have. Each test but the outage guard fails
//! on the earlier rule, which started every system plan at every detected
//! site running the system, whether or not it went down there.

use std::collections::BTreeSet;

use crate::util::run_src;
use drillsim::app;
use drillsim::engine::{EventKind, RunRecord};
use drillsim::model::topology::{NodeId, Topology};

fn node(topo: &Topology, id: &str) -> NodeId {
    topo.nodes.iter().position(|n| n.id == id).unwrap() as NodeId
}

/// The step lists (`special:N`) of sat-overall's system-started plans.
fn system_sources() -> Vec<String> {
    let plan = app::load_plan("sat-overall").unwrap();
    let found: Vec<String> = plan
        .special_plans
        .iter()
        .enumerate()
        .filter(|(_, sp)| !sp.services.is_empty())
        .map(|(i, _)| format!("special:{i}"))
        .collect();
    assert_eq!(found.len(), 2, "online filing and core tax system");
    found
}

/// (step id, site id) of every task from a system-started plan.
fn system_tasks(topo: &Topology, rec: &RunRecord) -> BTreeSet<(String, String)> {
    let sources = system_sources();
    rec.tasks
        .iter()
        .filter(|t| sources.iter().any(|s| **s == *t.source))
        .map(|t| (t.name.to_string(), topo.nodes[t.site as usize].id.clone()))
        .collect()
}

fn detected_at(rec: &RunRecord, v: NodeId) -> Option<f64> {
    rec.events
        .iter()
        .find(|e| e.kind == EventKind::Detection && e.node == Some(v))
        .map(|e| e.minute)
}

/// The default worm infects office hosts at Guangdong's provincial bureau
/// (and, in some seeds, HQ), where the core tax system and online filing
/// run, and is detected there; neither system goes down (no site running
/// them is overloaded in these seeds, no taxpayer service is ever down), so
/// neither system's plan starts: no manual processing, no restore of the
/// core system. The old rule ran `restore_core` at every such site.
#[test]
fn a_worm_that_takes_no_system_down_starts_no_system_plan() {
    let topo = app::load_topology(None).unwrap();
    let src = include_str!("../scenarios/national-worm.ron");
    let (gd, hq) = (node(&topo, "gd"), node(&topo, "hq"));
    let mut reached_hq = false;
    for seed in 1..=3 {
        let rec = run_src(&topo, src, seed);
        assert!(
            rec.events
                .iter()
                .any(|e| e.kind == EventKind::NodeInfected && e.node == Some(gd)),
            "seed {seed}: the worm did not reach gd"
        );
        assert!(
            detected_at(&rec, gd).is_some(),
            "seed {seed}: gd not detected"
        );
        reached_hq |= detected_at(&rec, hq).is_some();
        assert!(
            rec.timeline.iter().all(|r| r.taxpayer_services_down == 0),
            "seed {seed}"
        );
        let got = system_tasks(&topo, &rec);
        assert!(got.is_empty(), "seed {seed}: {got:?}");
    }
    assert!(reached_hq, "no seed detected the worm at hq");
}

/// The core system down where it runs still starts its plan: a power
/// failure at Sichuan's provincial data centre restores the core system and
/// online filing there, and the lead above switches to manual processing.
#[test]
fn a_data_centre_outage_starts_the_plans_of_its_systems() {
    let topo = app::load_topology(None).unwrap();
    let src = include_str!("../scenarios/provincial-dc-power-failure.ron");
    let rec = run_src(&topo, src, 1);
    let got = system_tasks(&topo, &rec);
    for (step, site) in [
        ("restore_core", "sc"),
        ("restore_filing", "sc"),
        ("manual_processing", "hq"),
        ("notify_taxpayers", "hq"),
    ] {
        assert!(
            got.contains(&(step.to_string(), site.to_string())),
            "lacks {step} at {site}: {got:?}"
        );
    }
    // Only where the systems went down (and the lead over it).
    let sites: BTreeSet<&str> = got.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(sites, BTreeSet::from(["hq", "sc"]), "{got:?}");
    // A flood aims at online filing by design: the filing plan starts at
    // its portal, the core system's does not.
    let dos = include_str!("../scenarios/filing-deadline-dos.ron");
    let got = system_tasks(&topo, &run_src(&topo, dos, 1));
    assert!(
        got.contains(&("restore_filing".into(), "gd".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("notify_taxpayers".into(), "gd".into())),
        "{got:?}"
    );
    assert!(
        !got.iter()
            .any(|(s, _)| s == "restore_core" || s == "manual_processing")
    );
}

/// A worm through Guangdong's gateway, and 8 hours in (one incident) the
/// Guangdong bureau's equipment fails for 3 hours: its core system and
/// online filing go down after the site was detected. Their plans start
/// then (tasks made at or after the failure, deadlines from then): the
/// restores at gd, manual processing by the leads over it. HQ's own systems
/// kept running: no restore there. Without the failure, no system plan.
#[test]
fn a_system_that_goes_down_mid_incident_starts_its_plan_then() {
    let worm = r#"(at: "+0m", incident: Some("w"), what: Worm((
            name: "worm", initial_nodes: [], initial_provinces: [], initial_tiers: [],
            initial_hosts: 1, internet_entry: (nodes: ["gd"]), internet_scan_per_hour: 4.0,
            beta_per_hour: 2.0, tau_per_hour: 0.005, gamma_per_hour: 0.0,
            vulnerable_fraction: 0.6, traffic_kbps_per_host: 1.0))),"#;
    let failure = r#"(at: "+8h", incident: Some("w"), what: NodeFailure((node: "gd", duration: Some("3h")))),"#;
    let scenario = |injects: &str| {
        format!(
            "Scenario(name: \"worm, then gd fails\", start: \"2002-11-08T09:00:00\", \
             duration: \"48h\", tick: \"1m\", hosts_per_node: None, injects: [{injects}])"
        )
    };
    let topo = app::load_topology(None).unwrap();
    let gd = node(&topo, "gd");
    let sources = system_sources();
    for seed in [2, 3] {
        let rec = run_src(&topo, &scenario(&format!("{worm}{failure}")), seed);
        let down = rec
            .events
            .iter()
            .find(|e| e.kind == EventKind::NodeDown && e.node == Some(gd))
            .map(|e| e.minute)
            .expect("gd down");
        assert_eq!(down, 480.0);
        let seen = detected_at(&rec, gd).expect("gd detected");
        assert!(
            seen < down,
            "seed {seed}: gd detected at {seen}, after the failure"
        );
        let got = system_tasks(&topo, &rec);
        for (step, site) in [
            ("restore_core", "gd"),
            ("restore_filing", "gd"),
            ("manual_processing", "gd"),
            ("manual_processing", "hq"),
        ] {
            assert!(
                got.contains(&(step.to_string(), site.to_string())),
                "seed {seed}: lacks {step} at {site}: {got:?}"
            );
        }
        let restored: BTreeSet<&str> = got
            .iter()
            .filter(|(s, _)| s.starts_with("restore_"))
            .map(|(_, site)| site.as_str())
            .collect();
        assert_eq!(restored, BTreeSet::from(["gd"]), "seed {seed}: {got:?}");
        for t in rec
            .tasks
            .iter()
            .filter(|t| sources.iter().any(|s| **s == *t.source))
        {
            assert!(
                t.created >= down,
                "seed {seed}: {} made at {}",
                t.name,
                t.created
            );
            if let Some(due) = t.due {
                assert!(due >= down, "seed {seed}: {} due at {due}", t.name);
            }
        }
        let rec = run_src(&topo, &scenario(worm), seed);
        assert!(detected_at(&rec, gd).is_some());
        let got = system_tasks(&topo, &rec);
        assert!(got.is_empty(), "seed {seed}: without the failure: {got:?}");
    }
}

/// A worm and, 12 hours in, a failure of HQ's core router: two incidents.
/// HQ's systems are down by the failure, not by the worm (HQ is not
/// overloaded), so their plans start once, for the failure's incident; the
/// worm's incident, which also reached HQ, starts none. The old rule (and
/// the first version of this one, which counted any outage during the
/// incident) started them for both incidents: two restores of one system.
#[test]
fn a_system_down_by_another_incident_starts_only_that_incidents_plan() {
    let topo = app::load_topology(None).unwrap();
    let src = include_str!("../scenarios/worm-hq-outage.ron");
    let hq = node(&topo, "hq");
    let sources = system_sources();
    for seed in 1..=3 {
        let rec = run_src(&topo, src, seed);
        let failure = rec
            .events
            .iter()
            .find(|e| e.kind == EventKind::NodeDown && e.node == Some(hq))
            .map(|e| e.minute)
            .expect("hq down");
        let tasks: Vec<_> = rec
            .tasks
            .iter()
            .filter(|t| sources.iter().any(|s| **s == *t.source))
            .collect();
        let restores: Vec<_> = tasks
            .iter()
            .filter(|t| &*t.name == "restore_core")
            .collect();
        assert_eq!(restores.len(), 1, "seed {seed}: {restores:?}");
        assert_eq!(restores[0].site, hq);
        // All of one incident: the failure's, opened after the failure.
        let incidents: BTreeSet<usize> = tasks.iter().map(|t| t.incident).collect();
        assert_eq!(incidents.len(), 1, "seed {seed}");
        assert!(tasks.iter().all(|t| t.created >= failure), "seed {seed}");
        // The worm reached HQ's site in its incident all the same.
        let worm_inc = rec
            .tasks
            .iter()
            .find(|t| &*t.name == "isolate")
            .map(|t| t.incident)
            .expect("isolate");
        assert!(!incidents.contains(&worm_inc), "seed {seed}");
    }
}
