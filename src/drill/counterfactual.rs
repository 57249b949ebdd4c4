//! The drill's counterfactuals (`drillsim assess --runs N`): the same
//! scenario over seeds S..S+N−1 (a) with the logged timings, (b) with the
//! plan followed exactly (the simulated teams at perfect readiness: no
//! deviations, median durations), (c) with the simulated teams of the teams
//! file; and the cost of each late logged action: the replay as logged
//! minus the replay with that one action moved to its deadline, paired by
//! seed (a positive cost is what the delay cost); and of each missing one
//! (owed to a body the log decides for, due within the run, never done):
//! the replay as logged minus the replay with the action added at its
//! deadline. Late and missing are ranked together, each labelled. Every
//! interval is a 90% interval ([`LEVEL`]). Runs go through a local
//! rayon pool and come back in seed order, so nothing depends on `--jobs`.

use std::sync::Arc;

use rayon::prelude::*;

use super::Inputs;
use crate::app::Error;
use crate::batch::stats;
use crate::engine::record::{Counterfactuals, DeviationCost, Diff};
use crate::engine::response::external::{LogAction, LoggedAction};
use crate::engine::{ResponseSetup, RunConfig, RunRecord};
use crate::score;

/// The metric keys, in order (see [`Counterfactuals::metrics`]).
pub const METRICS: [&str; 4] = [
    "total_infected_hosts",
    "service_hours_lost",
    "taxpayer_service_hours_lost",
    "compliance_pct",
];

/// One run's metrics.
pub type Metrics = [f64; 4];

fn metrics(rec: &RunRecord, inputs: &Inputs) -> Metrics {
    let a = score::assess(rec, &inputs.thresholds);
    [
        rec.totals.total_infected_hosts as f64,
        rec.totals.service_hours_lost,
        rec.totals.taxpayer_service_hours_lost,
        a.outcomes.final_compliance,
    ]
}

/// Metrics of the replay of `actions` over `seeds`, in seed order.
pub fn replay_metrics(inputs: &Inputs, actions: &[LoggedAction], seeds: &[u64]) -> Vec<Metrics> {
    seeds
        .par_iter()
        .map(|&seed| {
            let rec = super::replay_actions(inputs, actions.to_vec(), seed);
            metrics(&rec, inputs)
        })
        .collect()
}

fn simulated_metrics(inputs: &Inputs, setup: &ResponseSetup, seeds: &[u64]) -> Vec<Metrics> {
    seeds
        .par_iter()
        .map(|&seed| {
            let rec = crate::engine::run_with(
                inputs.topo.clone(),
                inputs.scenario.clone(),
                Some(setup.clone()),
                RunConfig {
                    seed,
                    response: true,
                },
            );
            metrics(&rec, inputs)
        })
        .collect()
}

/// The intervals' level: 90%, as the issue's example reads ("about 3,200
/// more infected hosts (90% interval …)").
pub const LEVEL: f64 = 0.90;

/// Mean of `b − a` per seed with its 90% interval (Student's t over the
/// paired differences; None below two seeds).
fn diff(a: &[Metrics], b: &[Metrics], m: usize) -> Diff {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y[m] - x[m]).collect();
    let n = d.len();
    if n == 0 {
        return (0.0, None);
    }
    let mean = d.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, None);
    }
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half =
        stats::t_quantile(0.5 + LEVEL / 2.0, (n - 1) as f64) * var.sqrt() / (n as f64).sqrt();
    (mean, Some((mean - half, mean + half)))
}

fn means(xs: &[Metrics]) -> Vec<f64> {
    (0..METRICS.len())
        .map(|m| xs.iter().map(|x| x[m]).sum::<f64>() / xs.len().max(1) as f64)
        .collect()
}

/// The counterfactuals of the drill whose replay (seed `first_seed`) is
/// `rec`, over `runs` seeds on `jobs` threads (0 = one per core).
pub fn compute(
    inputs: &Inputs,
    rec: &RunRecord,
    first_seed: u64,
    runs: u64,
    jobs: usize,
) -> Result<Counterfactuals, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| {
            Error::Input(crate::model::Diagnostics(vec![
                crate::model::Diagnostic::at(
                    std::path::Path::new("-"),
                    "",
                    1,
                    1,
                    format!("cannot start {jobs} worker threads: {e}"),
                ),
            ]))
        })?;
    let seeds: Vec<u64> = (0..runs).map(|k| first_seed.wrapping_add(k)).collect();
    let actions = &inputs.log.actions;
    Ok(pool.install(|| {
        let logged = replay_metrics(inputs, actions, &seeds);
        let perfect = ResponseSetup {
            plan: inputs.setup.plan.clone(),
            teams: Arc::new((*inputs.setup.teams).clone().perfect()),
            spread: false,
        };
        let plan = simulated_metrics(inputs, &perfect, &seeds);
        let simulated = simulated_metrics(inputs, &inputs.setup, &seeds);
        let per = |other: &[Metrics]| -> Vec<Diff> {
            (0..METRICS.len())
                .map(|m| diff(other, &logged, m))
                .collect()
        };
        let node = |v: u32| {
            rec.meta
                .nodes
                .get(v as usize)
                .map_or(String::new(), |n| n.id.clone())
        };
        // Late logged actions: done after their deadline by a log row.
        let mut costs: Vec<DeviationCost> = Vec::new();
        for t in &rec.tasks {
            let (Some(row), Some(due), Some(done)) = (t.log_row, t.due, t.finished) else {
                continue;
            };
            if done <= due || t.state != "done" {
                continue;
            }
            let Some(k) = actions.iter().position(|a| a.row == row) else {
                continue;
            };
            let mut moved = actions.clone();
            moved[k].at = due;
            let on_time = replay_metrics(inputs, &moved, &seeds);
            costs.push(DeviationCost {
                missing: false,
                row,
                kind: t.kind.to_string(),
                task: t.name.to_string(),
                source: t.source.to_string(),
                unit: node(t.unit),
                site: node(t.site),
                logged: actions[k].at,
                due,
                infected_hosts: diff(&on_time, &logged, 0),
                service_hours: diff(&on_time, &logged, 1),
            });
        }
        // Missing actions: owed to a body the log decides for, due within
        // the run, never done; replayed with the action done at its deadline.
        for t in &rec.tasks {
            let Some(due) = t.due else { continue };
            if t.state == "done" || t.log_row.is_some() || due > rec.duration_min {
                continue;
            }
            let Some(body) = inputs
                .setup
                .plan
                .bodies
                .iter()
                .position(|b| b.id == *t.body)
            else {
                continue;
            };
            if !inputs.control.covers(t.unit, body) {
                continue;
            }
            let level = crate::model::plan::Level::parse(&t.action);
            let action = match t.kind.as_str() {
                "report" => LogAction::Report,
                "grade" => LogAction::Grade,
                "activate" => LogAction::Activate,
                _ => LogAction::Step(t.name.to_string()),
            };
            let mut added = actions.clone();
            added.push(LoggedAction {
                at: due,
                unit: t.unit,
                body: Some(body),
                body_text: t.body.to_string(),
                action,
                target: Some(t.site),
                level: if t.kind == "activate" { level } else { None },
                note: String::new(),
                row: 0,
            });
            let done = replay_metrics(inputs, &added, &seeds);
            costs.push(DeviationCost {
                missing: true,
                row: 0,
                kind: t.kind.to_string(),
                task: t.name.to_string(),
                source: t.source.to_string(),
                unit: node(t.unit),
                site: node(t.site),
                logged: due,
                due,
                infected_hosts: diff(&done, &logged, 0),
                service_hours: diff(&done, &logged, 1),
            });
        }
        costs.sort_by(|a, b| {
            b.infected_hosts
                .0
                .total_cmp(&a.infected_hosts.0)
                .then(b.service_hours.0.total_cmp(&a.service_hours.0))
                .then(a.row.cmp(&b.row))
        });
        Counterfactuals {
            first_seed,
            runs,
            metrics: METRICS.iter().map(|m| m.to_string()).collect(),
            arms: vec![
                ("logged".into(), means(&logged)),
                ("plan".into(), means(&plan)),
                ("simulated".into(), means(&simulated)),
            ],
            logged_minus: vec![
                ("plan".into(), per(&plan)),
                ("simulated".into(), per(&simulated)),
            ],
            costs,
        }
    }))
}
