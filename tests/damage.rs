//! The damage model: threats damage data, the response only restores it.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use drillsim::app;
use drillsim::engine::{EventKind, ResponseSetup, RunConfig, RunRecord, run_with};
use drillsim::model::plan::{Plan, StepAction, ThreatKind};
use drillsim::model::scenario::{Inject, InjectKind, Payload, PayloadKind, Scenario};
use drillsim::model::teams::Teams;
use drillsim::model::topology::Topology;
use drillsim::model::{plan_file, teams_file};

fn plan(name: &str) -> Plan {
    plan_file::load(Path::new(&format!("scenarios/plans/{name}.ron"))).unwrap()
}

fn setup(plan: Plan, teams: Teams, perfect: bool) -> ResponseSetup {
    ResponseSetup {
        plan: Arc::new(plan),
        teams: Arc::new(if perfect { teams.perfect() } else { teams }),
        spread: !perfect,
    }
}

fn scenario(topo: &Topology, name: &str) -> Arc<Scenario> {
    app::load_scenario(Some(Path::new(&format!("scenarios/{name}.ron"))), topo).unwrap()
}

fn run(
    topo: &Arc<Topology>,
    s: &Arc<Scenario>,
    setup: &ResponseSetup,
    seed: u64,
    response: bool,
) -> RunRecord {
    run_with(
        topo.clone(),
        s.clone(),
        Some(setup.clone()),
        RunConfig { seed, response },
    )
}

/// Tasks and events of `restore_data` steps.
fn restores(rec: &RunRecord) -> (usize, usize) {
    let tasks = rec
        .tasks
        .iter()
        .filter(|t| t.action == StepAction::RestoreData.as_str())
        .count();
    let events = rec
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::StepStart | EventKind::StepFinish | EventKind::Skipped
            ) && e.detail.contains("restore_data")
        })
        .count();
    (tasks, events)
}

fn assert_no_damage(rec: &RunRecord, what: &str) {
    assert_eq!(rec.totals.records_lost, 0, "{what}");
    assert_eq!(rec.totals.data_lost_hours, 0.0, "{what}");
    assert!(rec.data_losses.is_empty(), "{what}: {:?}", rec.data_losses);
    assert_eq!(restores(rec), (0, 0), "{what}: restore_data tasks/events");
    assert!(
        !rec.events.iter().any(|e| e.kind == EventKind::DataDamaged),
        "{what}"
    );
    let a = drillsim::score::assess(rec, &drillsim::score::default_thresholds());
    assert_eq!(a.outcomes.records_lost, 0, "{what}");
}

/// The records the damage model says were lost: Σ per site, equal to the
/// totals and the assessment's figure.
fn assert_records_consistent(rec: &RunRecord) {
    let sum: u64 = rec.data_losses.iter().map(|l| l.records).sum();
    assert_eq!(rec.totals.records_lost, sum);
    let a = drillsim::score::assess(rec, &drillsim::score::default_thresholds());
    assert_eq!(a.outcomes.records_lost, sum);
    assert_eq!(rec.totals.sites_damaged as usize, rec.data_losses.len());
}

/// Every restore_data task is at a damaged site and starts only while the
/// site is up (after its damage, and after any power loss or destruction).
fn assert_restores_only_where_damaged_and_up(rec: &RunRecord) {
    let damaged: BTreeSet<u32> = rec.data_losses.iter().map(|l| l.node).collect();
    for t in rec
        .tasks
        .iter()
        .filter(|t| t.action == StepAction::RestoreData.as_str())
    {
        assert!(damaged.contains(&t.site), "restore at undamaged {}", t.site);
        let Some(start) = t.started else { continue };
        let first_damage = rec
            .data_losses
            .iter()
            .filter(|l| l.node == t.site)
            .map(|l| l.minute)
            .fold(f64::INFINITY, f64::min);
        assert!(start >= first_damage, "restore before the damage");
        // The site's state at the start: down events minus ups (node_up or a
        // step that brought it back) before the start.
        let mut down = false;
        for e in rec
            .events
            .iter()
            .filter(|e| e.node == Some(t.site) && e.minute <= start)
        {
            match e.kind {
                EventKind::NodeDown => down = true,
                EventKind::NodeUp => down = false,
                EventKind::StepFinish
                    if e.detail.contains("back up") || e.detail.contains("repaired") =>
                {
                    down = false
                }
                _ => {}
            }
        }
        assert!(
            !down,
            "restore_data started at {start} while {} is down",
            t.site
        );
    }
}

#[test]
fn outages_that_damage_no_data_lose_nothing_and_restore_nothing() {
    let topo = app::load_topology(None).unwrap();
    let teams = teams_file::default_teams();
    // The router failure; the provincial power failure with an outage
    // shorter than the data centre's backup power; a line cut.
    let router = scenario(&topo, "hq-core-router-failure");
    let mut short = (*scenario(&topo, "provincial-dc-power-failure")).clone();
    let sc = topo.find("sc").unwrap();
    let hold = topo.nodes[sc as usize].backup_power_hours * 60.0;
    for i in &mut short.injects {
        if let InjectKind::PowerOutage { duration_min, .. } = &mut i.kind {
            *duration_min = hold - 60.0;
        }
    }
    let mut cut = short.clone();
    let gd = topo.find("gd").unwrap();
    cut.injects = vec![Inject {
        at_min: 60.0,
        kind: InjectKind::LinkCut {
            link: topo.link_between(topo.hq, gd).unwrap(),
            duration_min: Some(600.0),
        },
        incident: None,
    }];
    let mut failure = short.clone();
    failure.injects = vec![Inject {
        at_min: 60.0,
        kind: InjectKind::NodeFailure {
            node: sc,
            duration_min: None,
            spare: None,
            replacement_min: None,
        },
        incident: None,
    }];
    for p in ["sat-overall", "unit-plan"] {
        let s = setup(plan(p), teams.clone(), false);
        for (name, sc) in [
            ("router", router.clone()),
            ("short power", Arc::new(short.clone())),
            ("line cut", Arc::new(cut.clone())),
            ("node failure", Arc::new(failure.clone())),
        ] {
            for seed in 0..3 {
                let rec = run(&topo, &sc, &s, seed, true);
                assert_no_damage(&rec, &format!("{p} {name} seed {seed}"));
            }
        }
    }
}

#[test]
fn the_default_worm_has_no_payload_and_damages_no_data() {
    let topo = app::load_topology(None).unwrap();
    let worm = scenario(&topo, "national-worm");
    let InjectKind::Worm(w) = &worm.injects[0].kind else {
        panic!("not a worm")
    };
    assert_eq!(w.payload, None);
    for p in ["sat-overall", "unit-plan"] {
        let s = setup(plan(p), teams_file::default_teams(), false);
        let rec = run(&topo, &worm, &s, 1, true);
        assert!(rec.totals.total_infected_hosts > 100);
        assert_no_damage(&rec, p);
    }
}

#[test]
fn a_worm_with_a_payload_damages_data_and_restores_only_where_it_did() {
    let topo = app::load_topology(None).unwrap();
    let mut worm = (*scenario(&topo, "national-worm")).clone();
    if let InjectKind::Worm(w) = &mut worm.injects[0].kind {
        w.payload = Some(Payload {
            kind: PayloadKind::Encrypt,
            share: 0.1,
        });
    }
    let worm = Arc::new(worm);
    let s = setup(plan("sat-overall"), teams_file::default_teams(), false);
    let rec = run(&topo, &worm, &s, 1, true);
    assert!(rec.totals.records_lost > 0);
    assert!(rec.data_losses.iter().all(|l| l.cause == "worm_encrypt"));
    assert_records_consistent(&rec);
    let (tasks, events) = restores(&rec);
    assert!(tasks > 0 && events > 0, "no restore_data at all");
    assert_restores_only_where_damaged_and_up(&rec);
    assert!(rec.totals.sites_restored > 0);
    // Hosts hit ≈ share × hosts infected (binomial, thousands of hosts).
    let hit: u64 = rec.data_losses.iter().map(|l| l.hosts as u64).sum();
    let infected = rec.totals.total_infected_hosts as f64;
    assert!(
        (hit as f64 - 0.1 * infected).abs() < 0.02 * infected + 10.0,
        "{hit} hosts hit of {infected} infected"
    );
}

/// Records = hosts hit × hours since the last fixed-time backup × the
/// teams file's rate, exactly, from the threat alone.
#[test]
fn records_lost_follow_the_backup_schedule_and_the_threat_only() {
    let topo = app::load_topology(None).unwrap();
    let mut teams = teams_file::default_teams();
    teams.data.power_loss_share = 1.0;
    teams.data.records_per_host_hour = 0.5;
    let mut s = (*scenario(&topo, "provincial-dc-power-failure")).clone();
    // 2003-10-02 20:00 + 2 h, no backup power: a hard loss at 22:00, 22 h
    // after the midnight backup of the provincial data centre (daily).
    for i in &mut s.injects {
        if let InjectKind::PowerOutage { backup_power, .. } = &mut i.kind {
            *backup_power = false;
        }
    }
    let s = Arc::new(s);
    let sc = topo.find("sc").unwrap();
    let hosts = topo.nodes[sc as usize].hosts;
    let setup = setup(plan("sat-overall"), teams, false);
    let with = run(&topo, &s, &setup, 3, true);
    let without = run(&topo, &s, &setup, 3, false);
    for rec in [&with, &without] {
        assert_eq!(rec.data_losses.len(), 1, "{:?}", rec.data_losses);
        let l = &rec.data_losses[0];
        assert_eq!(
            (l.node, l.cause.as_str(), l.minute),
            (sc, "power_loss", 120.0)
        );
        assert_eq!(l.backup_age_hours, 22.0);
        assert_eq!(l.hosts, hosts);
        assert_eq!(l.records, (hosts as f64 * 22.0 * 0.5).round() as u64);
        assert_eq!(rec.totals.data_lost_hours, 22.0);
        assert_records_consistent(rec);
    }
    // The response restores, it does not lose: same losses either way.
    assert_eq!(with.totals.records_lost, without.totals.records_lost);
    let r: Vec<_> = with
        .tasks
        .iter()
        .filter(|t| t.action == "restore_data")
        .collect();
    assert!(with.data_losses[0].restored.is_some(), "{r:?}");
    assert!(without.data_losses[0].restored.is_none());
    assert_eq!(restores(&without), (0, 0));
}

#[test]
fn a_data_centre_outage_longer_than_its_backup_power_damages_data_and_restore_waits_for_power() {
    let topo = app::load_topology(None).unwrap();
    let s = scenario(&topo, "provincial-dc-power-failure");
    let sc = topo.find("sc").unwrap();
    let node = &topo.nodes[sc as usize];
    assert!(node.data_centre);
    let InjectKind::PowerOutage {
        duration_min,
        backup_power: true,
        ..
    } = s.injects[0].kind
    else {
        panic!("not a power outage with backup power")
    };
    let at = s.injects[0].at_min;
    let hold = node.backup_power_hours * 60.0;
    assert!(
        duration_min > hold,
        "the bundled outage outlasts the backup power"
    );
    let setup = setup(plan("sat-overall"), teams_file::default_teams(), false);
    for seed in 0..4 {
        let rec = run(&topo, &s, &setup, seed, true);
        assert_eq!(rec.data_losses.len(), 1, "seed {seed}");
        let l = &rec.data_losses[0];
        assert_eq!((l.node, l.cause.as_str()), (sc, "power_loss"));
        assert_eq!(l.minute, at + hold, "damage when the backup power runs out");
        assert!(l.hosts > 0 && l.records > 0);
        assert_records_consistent(&rec);
        assert_restores_only_where_damaged_and_up(&rec);
        // One restore at the site, started once mains power is back.
        let restore: Vec<_> = rec
            .tasks
            .iter()
            .filter(|t| t.action == "restore_data")
            .collect();
        assert_eq!(restore.len(), 1, "seed {seed}");
        if let Some(start) = restore[0].started {
            assert!(
                start >= at + duration_min,
                "seed {seed}: restore at {start}"
            );
        }
    }
}

#[test]
fn a_disaster_damages_data_and_the_damage_does_not_depend_on_the_response() {
    let topo = app::load_topology(None).unwrap();
    let s = scenario(&topo, "regional-disaster");
    let setup = setup(plan("sat-overall"), teams_file::default_teams(), false);
    let with = run(&topo, &s, &setup, 1, true);
    let without = run(&topo, &s, &setup, 1, false);
    assert!(with.totals.records_lost > 0);
    assert!(with.data_losses.iter().any(|l| l.cause == "disaster"));
    assert_records_consistent(&with);
    assert_restores_only_where_damaged_and_up(&with);
    let key = |r: &RunRecord| {
        r.data_losses
            .iter()
            .map(|l| (l.node, l.cause.clone(), l.hosts, l.records))
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&with), key(&without));
    // A destroyed site loses every host's data since its last backup.
    for l in with.data_losses.iter().filter(|l| l.cause == "disaster") {
        assert_eq!(l.hosts, topo.nodes[l.node as usize].hosts);
    }
}

/// Steps after a restore_data that a site does not need wait for what it
/// would have waited for (restore_service after restore_data after clean
/// waits for clean).
#[test]
fn steps_after_a_dropped_restore_wait_for_its_prerequisites() {
    let topo = app::load_topology(None).unwrap();
    let worm = scenario(&topo, "national-worm");
    let mut p = plan("sat-overall");
    let class = p.class_of(ThreatKind::Worm).unwrap();
    let pid = p
        .procedures
        .iter()
        .position(|q| std::ptr::eq(q, p.procedure_for(class).unwrap()))
        .unwrap();
    let steps = &mut p.procedures[pid].steps;
    let find = |id: &str| steps.iter().position(|s| s.id == id).unwrap();
    let (clean, restore, service) = (find("clean"), find("restore_data"), find("restore_service"));
    assert!(steps[restore].after.contains(&clean));
    steps[service].after = vec![restore];
    let clause = steps[service].clause.clone();
    let s = setup(p, teams_file::default_teams(), true);
    let rec = run(&topo, &worm, &s, 1, true);
    assert_eq!(restores(&rec), (0, 0));
    let mut checked = 0;
    for t in rec
        .tasks
        .iter()
        .filter(|t| t.name == "restore_service" && *t.clause == *clause)
    {
        let Some(start) = t.started else { continue };
        if let Some(c) = rec
            .tasks
            .iter()
            .find(|c| c.name == "clean" && c.site == t.site && c.incident == t.incident)
        {
            let done = c.finished.unwrap_or(f64::INFINITY);
            assert!(start >= done, "restore_service at {} before clean", t.site);
            checked += 1;
        }
    }
    assert!(checked > 0, "no restore_service after a clean");
}

/// Every file under `dir`, relative path → bytes, sorted.
fn tree(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn drillsim(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// The summary, the report and the events say what was lost, where and
/// why; `drillsim report` rebuilds the run folder byte for byte.
#[test]
fn outputs_say_what_was_lost_where_and_why_and_rebuild_from_the_record() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a");
    let o = drillsim(&[
        "run",
        "scenarios/provincial-dc-power-failure.ron",
        "--seed",
        "2",
        "--out",
        a.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("data       damaged at 1 site(s)"),
        "{stdout}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("summary.json")).unwrap()).unwrap();
    let records = summary["records_lost"].as_u64().unwrap();
    assert!(records > 0);
    assert_eq!(summary["outcomes"]["records_lost"].as_u64(), Some(records));
    let loss = &summary["data_losses"][0];
    assert_eq!(loss["node"], "sc");
    assert_eq!(loss["cause"], "power_loss");
    assert_eq!(loss["records"].as_u64(), Some(records));
    assert!(loss["backup_age_hours"].as_f64().unwrap() > 0.0);
    let events = std::fs::read_to_string(a.join("events.csv")).unwrap();
    assert!(events.contains("data_damaged,sc,"), "no data_damaged event");
    let md = std::fs::read_to_string(a.join("report.md")).unwrap();
    assert!(
        md.contains("断电且未能有序关机"),
        "the report names the cause"
    );

    let b = t.path().join("b");
    std::fs::create_dir(&b).unwrap();
    std::fs::copy(a.join("record.json"), b.join("record.json")).unwrap();
    let o = drillsim(&["report", b.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (x, y) = (tree(&a), tree(&b));
    assert_eq!(x.len(), y.len());
    for ((p, u), (q, v)) in x.iter().zip(&y) {
        assert_eq!(p, q);
        assert!(u == v, "re-rendered {} differs", p.display());
    }
    let o = drillsim(&["report", b.to_str().unwrap(), "--lang", "en"]);
    assert!(o.status.success());
    let md = std::fs::read_to_string(b.join("report.md")).unwrap();
    assert!(
        md.contains("Power lost without an orderly shutdown"),
        "{md}"
    );
}
