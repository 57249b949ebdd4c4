//! The plan and the simulated teams: what the issue promises of the response.

use std::path::Path;
use std::sync::Arc;

use drillsim::app;
use drillsim::engine::EventKind;
use drillsim::engine::{ResponseSetup, RunConfig, RunRecord, run_with};
use drillsim::model::plan::{DeadlineFrom, Plan, StepAction};
use drillsim::model::scenario::Scenario;
use drillsim::model::topology::{Tier, Topology};
use drillsim::model::{plan_file, teams_file};

pub(crate) fn national() -> (Arc<Topology>, Arc<Scenario>) {
    let topo = app::load_topology(None).unwrap();
    let scenario = app::load_scenario(None, &topo).unwrap();
    (topo, scenario)
}

pub(crate) fn plan(name: &str) -> Plan {
    plan_file::load(Path::new(&format!("scenarios/plans/{name}.ron"))).unwrap()
}

pub(crate) fn setup(plan: Plan, perfect: bool) -> ResponseSetup {
    let teams = teams_file::default_teams();
    ResponseSetup {
        plan: Arc::new(plan),
        teams: Arc::new(if perfect { teams.perfect() } else { teams }),
        spread: !perfect,
    }
}

/// Runs seeds `0..n` on two threads.
pub(crate) fn runs(
    topo: &Arc<Topology>,
    scenario: &Arc<Scenario>,
    setup: &ResponseSetup,
    response: bool,
    n: u64,
) -> Vec<RunRecord> {
    let mut out: Vec<(u64, RunRecord)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2u64)
            .map(|k| {
                let (topo, scenario, setup) = (topo.clone(), scenario.clone(), setup.clone());
                s.spawn(move || {
                    (0..n)
                        .filter(|seed| seed % 2 == k)
                        .map(|seed| {
                            let cfg = RunConfig { seed, response };
                            (
                                seed,
                                run_with(topo.clone(), scenario.clone(), Some(setup.clone()), cfg),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    out.sort_by_key(|(s, _)| *s);
    out.into_iter().map(|(_, r)| r).collect()
}

fn mean_infected(rs: &[RunRecord]) -> f64 {
    rs.iter()
        .map(|r| r.totals.total_infected_hosts as f64)
        .sum::<f64>()
        / rs.len() as f64
}

#[test]
fn perfect_readiness_does_every_step_and_report_on_time() {
    let (topo, scenario) = national();
    let s = setup(plan("sat-overall"), true);
    let mut due_total = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for seed in 0..4 {
        let rec = run_with(
            topo.clone(),
            scenario.clone(),
            Some(s.clone()),
            RunConfig {
                seed,
                response: true,
            },
        );
        let end = rec.duration_min;
        let due: Vec<_> = rec
            .tasks
            .iter()
            .filter(|t| t.due.is_some_and(|d| d <= end))
            .collect();
        due_total += due.len();
        kinds.extend(rec.tasks.iter().map(|t| t.kind.clone()));
        for t in &due {
            let finished = t.finished.unwrap_or(f64::INFINITY);
            // Known limit of the order rule (`order.rs`: a unit step after a
            // site step waits for it at every site of its area, sites found
            // later included): while the worm keeps reaching new sites, a
            // lead step can wait past its deadline for the isolation at a
            // site found after it was made, and starts as that isolation
            // ends (seed 2 here; seed 11 before the system-plan change
            // redrew the teams' stream). Tolerated only in that shape.
            let waited_for_later_site = t.started.is_some_and(|s| {
                rec.tasks.iter().any(|u| {
                    u.incident == t.incident
                        && u.created > t.created
                        && u.finished.is_some_and(|f| f <= s && s - f <= 1.0)
                })
            });
            if t.state == "done" && waited_for_later_site {
                continue;
            }
            assert!(
                t.state == "done" && finished <= t.due.unwrap() + 1e-9,
                "seed {seed}: {} {} at {} ({}) due {:.1}, finished {:?}, state {}",
                t.kind,
                t.name,
                t.site,
                t.body,
                t.due.unwrap(),
                t.finished,
                t.state
            );
            assert!(!t.out_of_order);
        }
    }
    // Perfect teams often contain the worm at its first site, so few
    // obligations fall due in one run: count over the seeds.
    assert!(due_total > 20, "only {due_total} tasks fell due");
    for kind in ["report", "grade", "activate", "step"] {
        assert!(kinds.contains(kind), "no {kind} task in any seed");
    }
}

#[test]
fn response_halves_the_infected_hosts_over_50_seeds() {
    let (topo, scenario) = national();
    let s = setup(plan("sat-overall"), false);
    let with = runs(&topo, &scenario, &s, true, 50);
    let without = runs(&topo, &scenario, &s, false, 50);
    let (a, b) = (mean_infected(&with), mean_infected(&without));
    assert!(a <= 0.5 * b, "with response {a:.0}, without {b:.0}");
    // The response really acted: detections, reports, grading, activation, steps.
    let events: Vec<&str> = with
        .iter()
        .flat_map(|r| r.events.iter().map(|e| e.kind.as_str()))
        .collect();
    for k in [
        "detection",
        "report",
        "grading",
        "activation",
        "step_start",
        "step_finish",
    ] {
        assert!(events.contains(&k), "no {k} event");
    }
}

#[test]
fn a_shorter_isolation_deadline_means_fewer_infected_hosts() {
    let (topo, scenario) = national();
    let base = plan("sat-overall");
    let mut fast = base.clone();
    let mut changed = 0;
    for p in &mut fast.procedures {
        for st in &mut p.steps {
            if st.action == StepAction::Isolate && st.deadline_from == DeadlineFrom::Detection {
                st.deadline_min = st.deadline_min.map(|d| d / 4.0);
                changed += 1;
            }
        }
    }
    assert!(changed > 0, "sat-overall has no isolation deadline");
    let a = mean_infected(&runs(&topo, &scenario, &setup(base, false), true, 50));
    let b = mean_infected(&runs(&topo, &scenario, &setup(fast, false), true, 50));
    eprintln!(
        "mean infected hosts over 50 seeds: isolation within 30 min {b:.0}, within 2 h {a:.0}"
    );
    assert!(b < a, "shorter deadline {b:.0} vs {a:.0}");
}

/// The 2002-era unit plan's reporting chain runs below HQ: every tier reports
/// up to its parent's leadership group (the old `sat-2002` had 0 such reports).
#[test]
fn unit_plan_reports_run_up_every_tier() {
    let (topo, scenario) = national();
    let s = setup(plan("unit-plan"), false);
    let rec = run_with(
        topo.clone(),
        scenario,
        Some(s),
        RunConfig {
            seed: 1,
            response: true,
        },
    );
    let mut by_tier = std::collections::BTreeMap::new();
    for e in rec.events.iter().filter(|e| e.kind == EventKind::Report) {
        let tier = topo.nodes[e.node.expect("a report has a node") as usize].tier;
        *by_tier.entry(tier).or_insert(0u32) += 1;
        assert!(e.clause.contains("五.1") || tier == Tier::Hq, "{e:?}");
    }
    for t in [Tier::County, Tier::Prefecture, Tier::Provincial] {
        assert!(
            by_tier.get(&t).copied().unwrap_or(0) > 0,
            "{t:?}: {by_tier:?}"
        );
    }
}
