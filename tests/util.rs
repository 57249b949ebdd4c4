//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::sync::Arc;

use drillsim::app;
use drillsim::engine::{ResponseSetup, RunConfig, RunRecord, run_with};
use drillsim::model::scenario::{Inject, InjectKind, Scenario, WormInject};
use drillsim::model::topology::{Link, LinkKind, Node, Province, Tier, Topology};

/// A balanced tree: HQ, then `branching` children per node for `depth` levels.
/// Tiers follow depth (provincial, prefecture, county, grassroots).
pub fn tree(branching: usize, depth: usize, hosts: u32) -> Topology {
    let tiers = [
        Tier::Hq,
        Tier::Provincial,
        Tier::Prefecture,
        Tier::County,
        Tier::Grassroots,
    ];
    let mut nodes = vec![node("hq", Tier::Hq, None, hosts)];
    let mut links = Vec::new();
    let mut level = vec![0u32];
    for d in 1..=depth {
        let mut next = Vec::new();
        for &p in &level {
            for k in 0..branching {
                let id = format!("{}.{}", nodes[p as usize].id, k);
                let v = nodes.len() as u32;
                nodes.push(node(&id, tiers[d.min(4)], Some(p), hosts));
                links.push(Link {
                    a: p,
                    b: v,
                    kind: LinkKind::Regional,
                    capacity_kbps: 1e9,
                    failover_min: 0.0,
                });
                next.push(v);
            }
        }
        level = next;
    }
    Topology::new(
        vec![Province {
            code: "hq".into(),
            name_zh: "测试".into(),
            name_en: "test".into(),
        }],
        nodes,
        links,
    )
}

pub fn node(id: &str, tier: Tier, parent: Option<u32>, hosts: u32) -> Node {
    Node {
        id: id.into(),
        name_zh: id.into(),
        name_en: id.into(),
        tier,
        parent,
        province: None,
        hosts,
        gateway: false,
        data_centre: false,
        backup_power_hours: 0.0,
        services: vec![],
    }
}

/// A worm with everything off; tests switch on what they need.
pub fn worm() -> WormInject {
    WormInject {
        name: "test worm".into(),
        initial_nodes: vec![0],
        initial_hosts: 1,
        internet_entry: vec![],
        internet_scan_per_hour: 0.0,
        beta_per_hour: 0.0,
        tau_per_hour: 0.0,
        gamma_per_hour: 0.0,
        vulnerable_fraction: 1.0,
        traffic_kbps_per_host: 0.0,
        payload: None,
    }
}

/// A scenario with one worm released at minute 0.
pub fn worm_scenario(
    w: WormInject,
    duration_min: f64,
    tick_min: f64,
    hosts_per_node: Option<u32>,
) -> Arc<Scenario> {
    Arc::new(Scenario {
        name: "test".into(),
        description: String::new(),
        slug: "test".into(),
        start: "2002-11-08T09:00:00".parse().unwrap(),
        duration_min,
        tick_min,
        hosts_per_node,
        injects: vec![Inject {
            at_min: 0.0,
            kind: InjectKind::Worm(w),
            incident: None,
        }],
        objectives: vec![],
        source: None,
    })
}

/// Mean and standard error of the mean.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

/// Two-sample Kolmogorov–Smirnov statistic.
pub fn ks_statistic(a: &[f64], b: &[f64]) -> f64 {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    d
}

/// Every file under `dir` (relative path → bytes), charts included.
pub fn folder_files(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(
        root: &std::path::Path,
        d: &std::path::Path,
        out: &mut std::collections::BTreeMap<String, Vec<u8>>,
    ) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The names in `dir` (files and folders, not below), sorted.
pub fn entries(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The two folders hold the same files with the same bytes.
pub fn assert_same_folders(a: &std::path::Path, b: &std::path::Path) {
    let (x, y) = (folder_files(a), folder_files(b));
    assert_eq!(
        x.keys().collect::<Vec<_>>(),
        y.keys().collect::<Vec<_>>(),
        "{} and {} hold different files",
        a.display(),
        b.display()
    );
    for (k, v) in &x {
        assert!(
            v == &y[k],
            "{k} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// The error `drillsim` gives for a scenario file named `bad.ron` holding
/// `src`, loaded against the national network (panics if it loads).
pub fn scenario_error(tag: &str, src: &str) -> String {
    let topo = drillsim::app::load_topology(None).unwrap();
    let dir = std::env::temp_dir().join(format!("drillsim-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.ron");
    std::fs::write(&f, src).unwrap();
    let err = format!(
        "{:#}",
        drillsim::app::load_scenario(Some(&f), &topo).unwrap_err()
    );
    std::fs::remove_dir_all(&dir).ok();
    err
}

/// The bundled plan (`sat-overall`) and teams, as `run` loads them, with
/// the teams' spread of durations.
pub fn bundled_setup(topo: &Topology) -> ResponseSetup {
    ResponseSetup {
        plan: app::load_plan(app::DEFAULT_PLAN).unwrap(),
        teams: app::load_teams(None, topo).unwrap(),
        spread: true,
    }
}

/// One run of `s` with [`bundled_setup`]; `response: false` leaves the
/// threat alone (the plan is loaded but nobody acts).
pub fn run_bundled(
    topo: &Arc<Topology>,
    s: &Arc<Scenario>,
    seed: u64,
    response: bool,
) -> RunRecord {
    run_with(
        topo.clone(),
        s.clone(),
        Some(bundled_setup(topo)),
        RunConfig { seed, response },
    )
}

/// One run, with response, of the scenario written out in `src` (as if
/// read from `test.ron`) under [`bundled_setup`].
pub fn run_src(topo: &Arc<Topology>, src: &str, seed: u64) -> RunRecord {
    let s =
        drillsim::model::scenario_file::parse(src, std::path::Path::new("test.ron"), "test", topo)
            .unwrap_or_else(|e| panic!("{e:?}"));
    run_bundled(topo, &Arc::new(s), seed, true)
}

/// Minute a defacement (or harmful content) was first noticed, if it was.
pub fn defacement_noticed(rec: &RunRecord) -> Option<f64> {
    rec.events
        .iter()
        .find(|e| {
            e.kind == drillsim::engine::EventKind::Defacement && e.detail.contains("noticed by")
        })
        .map(|e| e.minute)
}

/// Every bundled scenario file, the validation scenarios included, sorted
/// (paths relative to the repository, where `cargo test` runs).
pub fn bundled_scenario_files() -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for dir in ["scenarios", "scenarios/validation"] {
        for e in std::fs::read_dir(dir).expect("scenarios folder") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "ron") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
