//! `drillsim run --spread N`: the run's seed and the N − 1 after it through
//! the batch's per-run path (one World per run, [`super::row`] per run) on a
//! local rayon pool. Rows come back in seed order whatever the number of
//! threads, so the spread does not depend on `--jobs`.

use std::sync::Arc;

use rayon::prelude::*;

use super::{RunRow, row, usage};
use crate::app::Error;
use crate::engine::{self, ResponseSetup, RunConfig};
use crate::model::scenario::Scenario;
use crate::model::topology::Topology;
use crate::score::{self, Assessment, Thresholds};

/// What the seeds' runs need (the run's own inputs).
pub struct SpreadJob<'a> {
    pub topo: Arc<Topology>,
    pub scenario: Arc<Scenario>,
    pub setup: ResponseSetup,
    pub thresholds: &'a Thresholds,
    pub response: bool,
    /// Worker threads (0 = one per core).
    pub jobs: usize,
}

/// Rows of seeds `seed .. seed + n` (n ≥ 1); the run's own row (seed
/// `seed`, assessment `own`) is reused, the others are run.
pub fn rows(job: &SpreadJob, seed: u64, n: u64, own: &Assessment) -> Result<Vec<RunRow>, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(job.jobs)
        .build()
        .map_err(|e| usage(format!("cannot start {} worker threads: {e}", job.jobs)))?;
    let others: Vec<u64> = (1..n).map(|k| seed.wrapping_add(k)).collect();
    let mut rows = vec![row(0, seed, own)];
    rows.extend(pool.install(|| {
        others
            .par_iter()
            .map(|&s| {
                let record = engine::run_with(
                    job.topo.clone(),
                    job.scenario.clone(),
                    Some(job.setup.clone()),
                    RunConfig {
                        seed: s,
                        response: job.response,
                    },
                );
                row(0, s, &score::assess(&record, job.thresholds))
            })
            .collect::<Vec<_>>()
    }));
    Ok(rows)
}
