use drillsim::engine::{RunConfig, run};
use drillsim::model::scenario::*;
use drillsim::model::topology_spec::default_topology;
use std::sync::Arc;
fn main() {
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let topo = Arc::new(default_topology());
    let gd = topo.find("gd").unwrap();
    let w = WormInject {
        name: "w".into(),
        initial_nodes: vec![],
        initial_hosts: 1,
        internet_entry: vec![gd],
        internet_scan_per_hour: args[0],
        beta_per_hour: args[1],
        tau_per_hour: args[2],
        gamma_per_hour: 0.0,
        vulnerable_fraction: 0.6,
        traffic_kbps_per_host: args[3],
        payload: None,
    };
    let sc = Arc::new(Scenario {
        name: "n".into(),
        description: "".into(),
        slug: "n".into(),
        start: "2002-11-08T09:00:00".parse().unwrap(),
        duration_min: 72.0 * 60.0,
        tick_min: 1.0,
        hosts_per_node: None,
        injects: vec![Inject {
            at_min: 0.0,
            kind: InjectKind::Worm(w),
            incident: None,
        }],
        objectives: vec![],
        source: None,
    });
    let t = std::time::Instant::now();
    let rec = run(
        topo.clone(),
        sc,
        RunConfig {
            seed: 1,
            response: false,
        },
    );
    println!("{:?} {:?}", t.elapsed(), rec.totals);
    for r in rec.timeline.iter().step_by(360) {
        println!(
            "{:>5} I={:>7} aff={:>5} cut={:>5} sat={:>5} svc={:.1}",
            r.minute,
            r.hosts_infected,
            r.nodes_affected,
            r.nodes_cut_off,
            r.links_saturated,
            r.services_available_pct
        );
    }
}
