//! Denial of service on online filing (`engine::threats::dos`): no filing
//! is lost while the portal keeps up with the demand; a real flood loses
//! filings, and the later it is mitigated the more.

use std::path::Path;
use std::sync::Arc;

use drillsim::app;
use drillsim::engine::EventKind;

use crate::util::run_bundled as run;
use drillsim::model::scenario::Scenario;
use drillsim::model::scenario_file;
use drillsim::model::topology::Topology;

const BUNDLED: &str = include_str!("../scenarios/filing-deadline-dos.ron");

/// The bundled scenario with some of its text replaced.
fn scenario(topo: &Topology, edits: &[(&str, &str)]) -> Arc<Scenario> {
    let mut src = BUNDLED.to_string();
    for (a, b) in edits {
        assert!(src.contains(a), "{a}");
        src = src.replacen(a, b, 1);
    }
    Arc::new(
        scenario_file::parse(&src, Path::new("dos.ron"), "dos", topo)
            .unwrap_or_else(|e| panic!("{e:?}")),
    )
}

#[test]
fn no_filing_is_lost_while_the_portal_keeps_up() {
    let topo = app::load_topology(None).unwrap();
    // A flood taking 10% of the capacity leaves 90,000 filings an hour,
    // above the peak demand of the 14th and 15th (~62,000 an hour).
    let weak = scenario(&topo, &[("attack_share: 2.0", "attack_share: 0.1")]);
    for seed in 1..=3 {
        for response in [false, true] {
            let rec = run(&topo, &weak, seed, response);
            let o = &rec.threats[0];
            assert_eq!(o.threat, "denial_of_service");
            assert_eq!((o.filings_lost, o.filings_delayed), (0, 0), "seed {seed}");
            // The portal stays up: no taxpayer service is lost.
            assert_eq!(rec.totals.taxpayer_service_hours_lost, 0.0, "seed {seed}");
        }
    }
    // A flood that ends at once (the attacker stops after a minute, in the
    // quiet of the night) loses next to nothing; one minute at 10:00 on
    // the 14th loses about 1/60 of the hour's ~46,000 filings.
    let brief = scenario(&topo, &[("duration: None", "duration: Some(\"1m\")")]);
    let rec = run(&topo, &brief, 1, false);
    let o = &rec.threats[0];
    assert_eq!(o.stage, "ended");
    assert!(
        (700..=850).contains(&(o.filings_lost + o.filings_delayed)),
        "{o:?}"
    );
}

#[test]
fn a_real_flood_loses_filings_and_a_later_mitigation_loses_more() {
    let topo = app::load_topology(None).unwrap();
    let s = scenario(&topo, &[]);
    // The attacker stopping after 1 h, 3 h, 6 h (no response): monotone.
    let mut last = 0;
    for d in ["1h", "3h", "6h"] {
        let s = scenario(
            &topo,
            &[("duration: None", &format!("duration: Some(\"{d}\")"))],
        );
        let o = run(&topo, &s, 1, false).threats[0].clone();
        assert!(o.filings_lost > last, "{d}: {o:?}");
        // 30% of the turned-away filings are lost, the rest delayed.
        let all = (o.filings_lost + o.filings_delayed) as f64;
        assert!((o.filings_lost as f64 / all - 0.3).abs() < 1e-3, "{d}");
        last = o.filings_lost;
    }
    for seed in 1..=5 {
        // Without a response the flood lasts to the end of the run.
        let free = run(&topo, &s, seed, false);
        let f = &free.threats[0];
        assert_eq!(f.stage, "ongoing");
        // With it: mitigated by cutting the attack source (or, where the
        // team skipped the cut — a deviation the teams file allows — by
        // the failover of restore_service), far fewer lost.
        let rec = run(&topo, &s, seed, true);
        let o = &rec.threats[0];
        assert_eq!(o.stage, "mitigated", "seed {seed}");
        assert!(
            ["cut_attack_source", "restore_service"].contains(&o.stopped_by.as_str()),
            "seed {seed}: {}",
            o.stopped_by
        );
        assert!(o.filings_lost > 0, "seed {seed}");
        assert!(o.filings_lost < f.filings_lost, "seed {seed}");
        // The portal's taxpayer services are down exactly while flooded:
        // down at the inject's minute, back at the mitigation.
        let stop = o.stopped.unwrap();
        let down_at = |m: f64| {
            rec.timeline
                .iter()
                .rfind(|r| r.minute <= m)
                .unwrap()
                .taxpayer_services_down
        };
        assert_eq!(down_at(121.0), 3, "seed {seed}");
        assert_eq!(down_at(stop + 1.0), 0, "seed {seed}");
        // The flood was noticed, detected, graded, and the outcome is in
        // the assessment's outcomes (summary.json) and the report.
        assert!(rec.events.iter().any(|e| e.kind == EventKind::Detection));
        assert!(rec.events.iter().any(|e| e.kind == EventKind::Grading));
        let a = drillsim::score::assess(&rec, &drillsim::score::default_thresholds());
        assert_eq!(a.outcomes.filings_lost, o.filings_lost);
        assert_eq!(a.outcomes.filings_delayed, o.filings_delayed);
    }
}

#[test]
fn bad_denial_of_service_injects_are_refused_with_positions() {
    let topo = app::load_topology(None).unwrap();
    let bad = BUNDLED
        .replacen("site: \"gd\"", "site: \"gd.01\"", 1)
        .replacen("abandon_share: 0.3", "abandon_share: 1.3", 1)
        .replacen("notice_per_hour: 4.0", "notice_per_hour: 0.0", 1);
    let e = scenario_file::parse(&bad, Path::new("bad.ron"), "bad", &topo).unwrap_err();
    let text = format!("{e}");
    let line = |needle: &str| 1 + bad[..bad.find(needle).unwrap()].matches('\n').count();
    assert!(
        text.contains(&format!("bad.ron:{}:", line("\"gd.01\"")))
            && text.contains("online-filing portal"),
        "{text}"
    );
    assert!(
        text.contains(&format!("bad.ron:{}:", line("abandon_share: 1.3"))),
        "{text}"
    );
    assert!(
        text.contains(&format!("bad.ron:{}:", line("notice_per_hour: 0.0"))),
        "{text}"
    );
}
