//! The streaming batch pipeline: chunks of runs, `runs.csv` appended
//! as chunks finish, a checkpoint after each chunk, and the finished folder
//! installed at `--out` by one rename.
//!
//! The working folder is `.NAME.partial` beside `--out` (`NAME` = the last
//! component of `--out`). While a batch runs it holds `batch.json` (the
//! manifest), `runs.csv` (header and every finished chunk's rows, fsync'd)
//! and `checkpoint.json` (the per-variant aggregates of those rows, the
//! number of rows and the byte length of `runs.csv` they cover; replaced
//! atomically by temp file + rename). A batch that dies (Ctrl-C, kill -9,
//! power) leaves it behind; `--resume` checks the manifest, truncates
//! `runs.csv` to the checkpoint and goes on from there. Chunks are
//! `8 × jobs` runs, doubling after the second up to `64 × jobs` (see
//! [`chunk_len`]); their boundaries never change an output because rows
//! are appended in (variant, seed) order and aggregates are integer sums.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::aggregate::VariantAgg;
use super::manifest::Manifest;
use super::{RunRow, Variant, report, row, runs_csv_rows, summary_csv, usage};
use crate::app::Error;
use crate::engine;
use crate::model::topology::Topology;
use crate::score::{self, Thresholds};

/// Environment variable of the test hook: exit (status 9, as a kill would
/// leave things) once at least this many runs are checkpointed.
pub const STOP_AFTER_ENV: &str = "DRILLSIM_BATCH_STOP_AFTER";

/// Everything a batch's runs need.
pub struct Job<'a> {
    pub topo: Arc<Topology>,
    pub variants: &'a [Variant],
    pub thresholds: &'a Thresholds,
    pub perfect: bool,
    pub no_response: bool,
    pub keep_runs: bool,
    pub quiet: bool,
    pub resume: bool,
    pub jobs: usize,
}

/// What [`run`] did.
pub struct Done {
    /// Every row of the batch (or shard), in (variant, seed) order.
    pub rows: Vec<RunRow>,
    pub ran: u64,
    pub resumed: u64,
}

/// The working folder of the batch whose output is `out`.
pub fn work_dir(out: &Path) -> PathBuf {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "batch".into());
    parent.join(format!(".{name}.partial"))
}

/// `checkpoint.json` of a working folder.
#[derive(Debug, Serialize, Deserialize)]
struct Checkpoint {
    /// Rows of `runs.csv` covered (the first `rows` tasks).
    rows: u64,
    /// Length of `runs.csv` (header included) covering them.
    runs_csv_bytes: u64,
    keep_runs: bool,
    /// One per variant.
    aggregates: Vec<VariantAgg>,
}

/// The files a finished batch or shard adds to its `runs.csv`: a shard
/// holds `aggregates.json` and `batch.json`; a whole batch also
/// `summary.csv` and the report files.
pub fn finish_files(
    manifest: &Manifest,
    rows: &[RunRow],
    aggs: &[VariantAgg],
) -> Vec<(String, Vec<u8>)> {
    let mut agg_json = serde_json::to_vec(aggs).expect("aggregates serialise");
    agg_json.push(b'\n');
    let mut files = vec![
        ("aggregates.json".to_string(), agg_json),
        ("batch.json".to_string(), manifest.to_json()),
    ];
    if manifest.shard.is_none() {
        let info = &manifest.info;
        files.push(("summary.csv".into(), summary_csv(&info.variants, rows)));
        files.extend(report::files(info, rows, aggs));
    }
    files
}

/// The (variant, seed) tasks of a batch or shard, in (variant, seed) order.
pub fn tasks(manifest: &Manifest) -> Vec<(usize, u64)> {
    let info = &manifest.info;
    let range = manifest.shard.map_or(0..info.runs, |s| s.range(info.runs));
    (0..info.variants.len())
        .flat_map(|v| range.clone().map(move |i| (v, info.seed + i)))
        .collect()
}

/// Runs in chunk `k` (0-based) of this invocation: `8 × jobs` for the first
/// two, then doubling up to `64 × jobs`. Each chunk ends with two fsyncs and
/// a rename (about 1–2 ms each on this project's machines, more under disk
/// load): with a fixed 8 runs they cost more than a whole network-SIR
/// outbreak (~0.5 ms per run), while a slow run (the national worm with its
/// response, ~17 ms) loses at most about a second of work to a kill. The
/// one-run aggregates (tens of kB each) are folded as the runs finish, one
/// per variant and worker.
fn chunk_len(jobs: usize, k: u32) -> usize {
    (8 * jobs.max(1)) << k.saturating_sub(1).min(3)
}

/// A chunk's rows (with their task index) and its aggregate per variant.
type Folded = (Vec<(usize, RunRow)>, Vec<Option<VariantAgg>>);

enum ChunkError {
    Io(io::Error),
    Agg(String),
}

fn fold_agg(slot: &mut Option<VariantAgg>, a: VariantAgg) -> Result<(), ChunkError> {
    match slot {
        Some(s) => s.merge(&a).map_err(ChunkError::Agg),
        None => {
            *slot = Some(a);
            Ok(())
        }
    }
}

fn write_replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)
}

fn damaged(work: &Path, what: String) -> Error {
    usage(format!(
        "cannot resume from {}: {what}; run without --resume to start the batch over",
        crate::model::diag::shown_path(work)
    ))
}

/// Parses `runs.csv` bytes back into rows, checking they are exactly the
/// rows of `tasks`, in order.
fn read_rows(
    path: &Path,
    bytes: &[u8],
    manifest: &Manifest,
    tasks: &[(usize, u64)],
) -> Result<Vec<RunRow>, String> {
    let (keys, mut rows) = super::compare::parse_runs(path, bytes)
        .map_err(|d| format!("runs.csv: {}", d[0].message))?;
    let info = &manifest.info;
    // runs.csv's variants (in order of appearance) → the manifest's.
    let mut index = Vec::with_capacity(keys.len());
    for (s, p, t) in &keys {
        index.push(
            info.variants
                .iter()
                .position(|x| (&x.scenario, &x.plan, &x.teams) == (s, p, t))
                .ok_or_else(|| format!("runs.csv has an unknown variant {s}/{p}/{t}"))?,
        );
    }
    for r in &mut rows {
        r.variant = index[r.variant];
    }
    if rows.len() != tasks.len()
        || rows
            .iter()
            .zip(tasks)
            .any(|(r, &(v, s))| (r.variant, r.seed) != (v, s))
    {
        return Err("runs.csv does not match its checkpoint".into());
    }
    Ok(rows)
}

/// Reads back an unfinished batch's state: rows, aggregates, and the
/// length of `runs.csv` they cover (`runs.csv` is truncated to it).
fn resume_state(
    work: &Path,
    manifest: &Manifest,
    job: &Job,
    tasks: &[(usize, u64)],
) -> Result<Option<(usize, Vec<VariantAgg>, u64)>, Error> {
    if !work.join("batch.json").exists() {
        // Died while creating the folder: nothing was run yet.
        return Ok(None);
    }
    let found = Manifest::read(&work.join("batch.json"))
        .map_err(|e| damaged(work, format!("batch.json: {e}")))?;
    let diffs = found.differences(manifest, false);
    if !diffs.is_empty() {
        return Err(usage(format!(
            "cannot resume {}: it is a different batch (unfinished vs now: {}); \
             run without --resume to replace it",
            crate::model::diag::shown_path(work),
            diffs.join("; ")
        )));
    }
    let cp_path = work.join("checkpoint.json");
    if !cp_path.exists() {
        return Ok(None);
    }
    let cp: Checkpoint = fs::read(&cp_path)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        .map_err(|e| damaged(work, format!("checkpoint.json: {e}")))?;
    if cp.keep_runs != job.keep_runs {
        return Err(usage(format!(
            "cannot resume {}: it was started {} --keep-runs",
            crate::model::diag::shown_path(work),
            if cp.keep_runs { "with" } else { "without" }
        )));
    }
    let runs_path = work.join("runs.csv");
    let mut bytes = fs::read(&runs_path).map_err(|e| damaged(work, format!("runs.csv: {e}")))?;
    if (bytes.len() as u64) < cp.runs_csv_bytes || cp.rows as usize > tasks.len() {
        return Err(damaged(
            work,
            "runs.csv is shorter than its checkpoint".into(),
        ));
    }
    bytes.truncate(cp.runs_csv_bytes as usize);
    let rows = read_rows(&runs_path, &bytes, manifest, &tasks[..cp.rows as usize])
        .map_err(|e| damaged(work, e))?;
    if cp.aggregates.len() != manifest.info.variants.len() {
        return Err(damaged(
            work,
            "checkpoint.json does not match batch.json".into(),
        ));
    }
    let f = fs::OpenOptions::new()
        .write(true)
        .open(&runs_path)
        .map_err(|e| damaged(work, format!("runs.csv: {e}")))?;
    f.set_len(cp.runs_csv_bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| damaged(work, format!("runs.csv: {e}")))?;
    Ok(Some((rows.len(), cp.aggregates, cp.runs_csv_bytes)))
}

/// Runs a batch (or shard) described by `manifest` into its working folder
/// and installs it at `out`.
pub fn run(job: &Job, manifest: &Manifest, out: &Path) -> Result<Done, Error> {
    let work = work_dir(out);
    let io_err = |source| Error::Io {
        path: work.clone(),
        source,
    };
    // Fail before any run if `out` may not be replaced.
    crate::output::guard::sweep_stale(out);
    crate::output::guard::check_target(out, crate::output::guard::Mode::Replace).map_err(
        |source| Error::Io {
            path: out.to_path_buf(),
            source,
        },
    )?;
    let info = &manifest.info;
    let tasks = tasks(manifest);
    let mut state = None;
    if work.exists() {
        if job.resume {
            state = resume_state(&work, manifest, job, &tasks)?;
        } else {
            eprintln!(
                "drillsim: replacing {}, the working folder of an unfinished batch (--resume would continue it)",
                crate::model::diag::shown_path(&work)
            );
        }
    } else if job.resume {
        eprintln!(
            "drillsim: no unfinished batch at {}: starting from the first run",
            crate::model::diag::shown_path(&work)
        );
    }
    let (resumed, mut aggs, mut runs_bytes) = match state {
        Some(s) => s,
        None => {
            if work.exists() {
                fs::remove_dir_all(&work).map_err(io_err)?;
            }
            fs::create_dir_all(&work).map_err(io_err)?;
            write_replace(&work.join("batch.json"), &manifest.to_json()).map_err(io_err)?;
            let head = runs_csv_rows(&info.variants, &[], true);
            write_replace(&work.join("runs.csv"), &head).map_err(io_err)?;
            let aggs = job
                .variants
                .iter()
                .map(|v| VariantAgg::new(v.scenario.duration_min, v.scenario.tick_min))
                .collect();
            (0, aggs, head.len() as u64)
        }
    };
    let stop_after: Option<u64> = std::env::var(STOP_AFTER_ENV)
        .ok()
        .and_then(|s| s.parse().ok());

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(job.jobs)
        .build()
        .map_err(|e| usage(format!("cannot start {} worker threads: {e}", job.jobs)))?;
    let bar = super::progress_bar(tasks.len() as u64, job.quiet);
    bar.set_position(resumed as u64);
    let mut names = report::names(&info.variants);
    if info
        .variants
        .iter()
        .any(|v| v.teams != info.variants[0].teams)
    {
        for (n, v) in names.iter_mut().zip(&info.variants) {
            n.push('-');
            n.push_str(&v.teams);
        }
    }
    let run_dirs: Vec<String> = names.into_iter().map(|n| n.replace('/', "-")).collect();
    // One run, its aggregates added straight into the worker's part for
    // its variant (the same sums as a one-run aggregate merged in, without
    // building one: a per-grid-point allocation each).
    let one = |&(v, seed): &(usize, u64), part: &mut [Option<VariantAgg>]| -> io::Result<RunRow> {
        let var = &job.variants[v];
        // A record not written out is only scored: lean (same assessment).
        let record = super::each::run_one(
            &job.topo,
            var,
            seed,
            job.perfect,
            job.no_response,
            !job.keep_runs,
        );
        if job.keep_runs {
            let dir = work.join("runs").join(format!("{}-{seed}", run_dirs[v]));
            fs::create_dir_all(&dir)?;
            fs::write(dir.join("record.json"), crate::output::record_json(&record))?;
        }
        let a = score::assess(&record, job.thresholds);
        part[v]
            .get_or_insert_with(|| {
                VariantAgg::new(var.scenario.duration_min, var.scenario.tick_min)
            })
            .add(&record, &a);
        bar.inc(1);
        Ok(row(v, seed, &a))
    };
    let mut runs_file = fs::OpenOptions::new()
        .append(true)
        .open(work.join("runs.csv"))
        .map_err(io_err)?;
    let mut done = resumed;
    let mut chunks = 0;
    while done < tasks.len() {
        let end = (done + chunk_len(job.jobs, chunks)).min(tasks.len());
        chunks += 1;
        // Each worker folds its runs' aggregates as they finish (integer
        // sums: any order gives the same bytes), so a chunk holds one
        // aggregate per variant and worker, not one per run.
        let n_var = aggs.len();
        let fresh = || -> Folded { (Vec::new(), (0..n_var).map(|_| None).collect()) };
        let (mut indexed, parts) = pool
            .install(|| {
                (done..end)
                    .into_par_iter()
                    .try_fold(fresh, |(mut rows, mut part), i| {
                        let r = one(&tasks[i], &mut part).map_err(ChunkError::Io)?;
                        rows.push((i, r));
                        Ok::<Folded, ChunkError>((rows, part))
                    })
                    .try_reduce(fresh, |(mut rows, mut part), (r2, p2)| {
                        rows.extend(r2);
                        for (x, y) in part.iter_mut().zip(p2) {
                            if let Some(y) = y {
                                fold_agg(x, y)?;
                            }
                        }
                        Ok((rows, part))
                    })
            })
            .map_err(|e| match e {
                ChunkError::Io(e) => io_err(e),
                ChunkError::Agg(e) => usage(format!("aggregates of one run do not fit: {e}")),
            })?;
        for (agg, part) in aggs.iter_mut().zip(parts) {
            if let Some(p) = part {
                agg.merge(&p)
                    .map_err(|e| usage(format!("aggregates of one run do not fit: {e}")))?;
            }
        }
        indexed.sort_by_key(|(i, _)| *i);
        let chunk_rows: Vec<RunRow> = indexed.into_iter().map(|(_, r)| r).collect();
        let bytes = runs_csv_rows(&info.variants, &chunk_rows, false);
        drop(chunk_rows);
        runs_file
            .write_all(&bytes)
            .and_then(|_| runs_file.sync_data())
            .map_err(io_err)?;
        runs_bytes += bytes.len() as u64;
        done = end;
        let cp = Checkpoint {
            rows: done as u64,
            runs_csv_bytes: runs_bytes,
            keep_runs: job.keep_runs,
            aggregates: aggs,
        };
        write_replace(
            &work.join("checkpoint.json"),
            &serde_json::to_vec(&cp).expect("checkpoint serialises"),
        )
        .map_err(io_err)?;
        aggs = cp.aggregates;
        if let Some(k) = stop_after
            && done as u64 >= k
            && done < tasks.len()
        {
            bar.finish_and_clear();
            eprintln!("drillsim: {STOP_AFTER_ENV}: stopping after {done} checkpointed runs");
            std::process::exit(9);
        }
    }
    drop(runs_file);
    // The rows were streamed out; read them back (exactly as written) for
    // the summary and the report, now that no run holds memory — and hand
    // what the runs freed back first, or the report's memory would come on
    // top of it (a 10,000-run batch peaked there, 11 MB above its runs).
    engine::release_freed_memory();
    let runs_path = work.join("runs.csv");
    let bytes = fs::read(&runs_path).map_err(io_err)?;
    let rows = read_rows(&runs_path, &bytes, manifest, &tasks).map_err(|e| {
        usage(format!(
            "{}: {e} (changed while the batch ran?)",
            crate::model::diag::shown_path(&work)
        ))
    })?;
    drop(bytes);
    for (name, bytes) in finish_files(manifest, &rows, &aggs) {
        let path = work.join(&name);
        if let Some(d) = path.parent() {
            fs::create_dir_all(d).map_err(io_err)?;
        }
        fs::write(path, bytes).map_err(io_err)?;
    }
    fs::remove_file(work.join("checkpoint.json")).map_err(io_err)?;
    crate::output::install_dir(&work, out).map_err(|source| Error::Io {
        path: out.to_path_buf(),
        source,
    })?;
    bar.finish_and_clear();
    Ok(Done {
        ran: (rows.len() - resumed) as u64,
        rows,
        resumed: resumed as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::chunk_len;

    #[test]
    fn chunks_start_at_eight_per_job_and_double_to_sixty_four() {
        let sizes = |jobs| (0..7).map(|k| chunk_len(jobs, k)).collect::<Vec<_>>();
        assert_eq!(sizes(1), [8, 8, 16, 32, 64, 64, 64]);
        assert_eq!(sizes(2), [16, 16, 32, 64, 128, 128, 128]);
        assert_eq!(chunk_len(0, 0), 8);
    }
}
