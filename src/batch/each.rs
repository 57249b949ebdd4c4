//! The batch's per-run path for commands that want something other than
//! `runs.csv` from each run (`drillsim coverage`): the same (variant, seed)
//! tasks over seeds S..S+N-1 (common random numbers), one World per run
//! with the network, scenario and plan shared behind `Arc`, on a local
//! rayon pool of `jobs` threads. Each run's record is handed to a function
//! and dropped; its results come back in (variant, seed) order whatever the
//! number of threads. No files, no charts per run.

use std::sync::Arc;

use rayon::prelude::*;

use super::{Variant, usage};
use crate::app::Error;
use crate::engine::{self, ResponseSetup, RunConfig, RunRecord};
use crate::model::topology::Topology;

/// One run of `variant` with `seed`, exactly as `drillsim batch` runs it.
/// `lean`: keep a lean record ([`RunRecord::lean`]; the same assessment)
/// when the record is only scored, not written out.
pub fn run_one(
    topo: &Arc<Topology>,
    variant: &Variant,
    seed: u64,
    perfect: bool,
    no_response: bool,
    lean: bool,
) -> RunRecord {
    let sim = engine::Sim::with_response(
        topo.clone(),
        variant.scenario.clone(),
        Some(ResponseSetup {
            plan: variant.plan.clone(),
            teams: variant.teams.clone(),
            spread: !perfect,
        }),
        RunConfig {
            seed,
            response: !no_response,
        },
    );
    if lean { sim.lean() } else { sim }.run_to_end()
}

/// What [`map_runs`] runs.
pub struct Each<'a> {
    pub topo: Arc<Topology>,
    pub variants: &'a [Variant],
    /// First seed S; run i uses S + i in every variant.
    pub seed: u64,
    pub runs: u64,
    pub perfect: bool,
    pub no_response: bool,
    /// Worker threads (0 = one per core).
    pub jobs: usize,
}

/// `f(variant, seed, record)` for every (variant, seed) task, in (variant,
/// seed) order.
pub fn map_runs<T, F>(job: &Each, f: F) -> Result<Vec<T>, Error>
where
    T: Send,
    F: Fn(usize, u64, &RunRecord) -> T + Sync,
{
    if job.seed.checked_add(job.runs.saturating_sub(1)).is_none() {
        return Err(usage("--seed + --runs overflows the seed range".into()));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(job.jobs)
        .build()
        .map_err(|e| usage(format!("cannot start {} worker threads: {e}", job.jobs)))?;
    let tasks: Vec<(usize, u64)> = (0..job.variants.len())
        .flat_map(|v| (0..job.runs).map(move |i| (v, job.seed + i)))
        .collect();
    Ok(pool.install(|| {
        tasks
            .par_iter()
            .map(|&(v, seed)| {
                let rec = run_one(
                    &job.topo,
                    &job.variants[v],
                    seed,
                    job.perfect,
                    job.no_response,
                    false,
                );
                f(v, seed, &rec)
            })
            .collect()
    }))
}
