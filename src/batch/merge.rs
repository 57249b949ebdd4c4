//! `drillsim merge DIR… --out DIR`: combines the shards of one batch
//! (`drillsim batch --shard i/n`, run anywhere) into exactly the files one
//! machine would have written: rows re-ordered by (variant, seed), the
//! per-variant aggregates added up (integer sums: order-free), the report
//! a function of the result.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::aggregate::VariantAgg;
use super::manifest::Manifest;
use super::pipeline::{finish_files, tasks};
use super::{RunRow, runs_csv, usage};
use crate::app::Error;

/// What `drillsim merge` produced.
pub struct MergeOutput {
    pub out: PathBuf,
    pub shards: u64,
    pub rows: usize,
}

struct ShardDir {
    dir: PathBuf,
    manifest: Manifest,
}

fn bad(dir: &Path, msg: impl std::fmt::Display) -> Error {
    usage(format!("{}: {msg}", crate::model::diag::shown_path(dir)))
}

/// Reads one shard folder's rows (mapped onto the batch's variants) and
/// aggregates, checking it holds exactly its slice of the seeds.
fn read_shard(s: &ShardDir) -> Result<(Vec<RunRow>, Vec<VariantAgg>), Error> {
    let path = s.dir.join("runs.csv");
    let bytes =
        std::fs::read(&path).map_err(|e| bad(&s.dir, format!("cannot read runs.csv: {e}")))?;
    let (keys, parsed) = super::compare::parse_runs(&path, &bytes)
        .map_err(|d| Error::Input(crate::model::Diagnostics(d)))?;
    let info = &s.manifest.info;
    let mut rows = Vec::with_capacity(parsed.len());
    for r in parsed {
        let (sc, p, t) = &keys[r.variant];
        let v = info
            .variants
            .iter()
            .position(|x| (&x.scenario, &x.plan, &x.teams) == (sc, p, t))
            .ok_or_else(|| {
                bad(
                    &s.dir,
                    format!("runs.csv has variant {sc}/{p}/{t}, not in its batch.json"),
                )
            })?;
        rows.push(RunRow { variant: v, ..r });
    }
    let want = tasks(&s.manifest);
    if rows.len() != want.len()
        || rows
            .iter()
            .zip(&want)
            .any(|(r, &(v, seed))| (r.variant, r.seed) != (v, seed))
    {
        return Err(bad(
            &s.dir,
            format!(
                "runs.csv does not hold exactly the {} runs of shard {} (unfinished or edited?)",
                want.len(),
                s.manifest.shard.map_or("?".into(), |x| x.to_string())
            ),
        ));
    }
    let agg_bytes = std::fs::read(s.dir.join("aggregates.json"))
        .map_err(|e| bad(&s.dir, format!("cannot read aggregates.json: {e}")))?;
    let aggs: Vec<VariantAgg> = serde_json::from_slice(&agg_bytes)
        .map_err(|e| bad(&s.dir, format!("aggregates.json: {e}")))?;
    if aggs.len() != info.variants.len() {
        return Err(bad(
            &s.dir,
            format!(
                "aggregates.json has {} variants, batch.json {}",
                aggs.len(),
                info.variants.len()
            ),
        ));
    }
    Ok((rows, aggs))
}

/// The run folders the shards kept (`--keep-runs`): (name, folder), sorted by
/// name. Either every shard kept its runs or none did; a run kept twice is
/// refused.
fn kept_runs(shards: &[ShardDir]) -> Result<Vec<(String, PathBuf)>, Error> {
    let mut kept: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut with = Vec::new();
    let mut without = Vec::new();
    for s in shards {
        let runs = s.dir.join("runs");
        if !runs.is_dir() {
            without.push(crate::model::diag::shown_path(&s.dir));
            continue;
        }
        with.push(crate::model::diag::shown_path(&s.dir));
        let list =
            std::fs::read_dir(&runs).map_err(|e| bad(&s.dir, format!("cannot read runs/: {e}")))?;
        for e in list {
            let e = e.map_err(|e| bad(&s.dir, format!("cannot read runs/: {e}")))?;
            let name = e.file_name().to_string_lossy().into_owned();
            let dir = e.path();
            if !dir.join("record.json").is_file() {
                return Err(bad(
                    &s.dir,
                    format!("runs/{name} has no record.json (unfinished or edited?)"),
                ));
            }
            if let Some(first) = kept.insert(name.clone(), dir) {
                return Err(bad(
                    &s.dir,
                    format!(
                        "runs/{name} is also in {}",
                        crate::model::diag::shown_path(&first)
                    ),
                ));
            }
        }
    }
    if !with.is_empty() && !without.is_empty() {
        return Err(usage(format!(
            "some shards kept their runs (--keep-runs: {}) and some did not ({}); run every shard with or without --keep-runs",
            with.join(", "),
            without.join(", ")
        )));
    }
    Ok(kept.into_iter().collect())
}

/// `drillsim merge`: checks that `dirs` are all the shards of one batch,
/// each once, and writes the merged batch folder at `out` atomically.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<MergeOutput, Error> {
    if dirs.is_empty() {
        return Err(usage("merge needs at least one shard folder".into()));
    }
    let mut shards = Vec::new();
    for d in dirs {
        crate::output::guard::note_input(d);
        let manifest = Manifest::read(&d.join("batch.json"))
            .map_err(|e| bad(d, format!("batch.json: {e} (not a shard folder?)")))?;
        if manifest.shard.is_none() {
            return Err(bad(
                d,
                "is a whole batch, not a shard (its batch.json has no shard)",
            ));
        }
        shards.push(ShardDir {
            dir: d.clone(),
            manifest,
        });
    }
    let first = &shards[0];
    for s in &shards[1..] {
        let diffs = s.manifest.differences(&first.manifest, true);
        let (a, b) = (
            s.manifest.shard.expect("checked"),
            first.manifest.shard.expect("checked"),
        );
        if !diffs.is_empty() || a.count != b.count {
            let mut diffs = diffs;
            if a.count != b.count {
                diffs.push(format!("shard count: {} vs {}", a.count, b.count));
            }
            return Err(usage(format!(
                "{} and {} are shards of different batches ({})",
                crate::model::diag::shown_path(&s.dir),
                crate::model::diag::shown_path(&first.dir),
                diffs.join("; ")
            )));
        }
    }
    let count = first.manifest.shard.expect("checked").count;
    let mut by_index: BTreeMap<u64, Vec<&Path>> = BTreeMap::new();
    for s in &shards {
        by_index
            .entry(s.manifest.shard.expect("checked").index)
            .or_default()
            .push(&s.dir);
    }
    let mut problems = Vec::new();
    for (i, ds) in &by_index {
        if ds.len() > 1 {
            let names: Vec<String> = ds
                .iter()
                .map(|d| crate::model::diag::shown_path(d))
                .collect();
            problems.push(format!(
                "shard {i}/{count} given {} times: {}",
                ds.len(),
                names.join(", ")
            ));
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| !by_index.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        let given: Vec<String> = dirs
            .iter()
            .map(|d| crate::model::diag::shown_path(d))
            .collect();
        problems.push(format!(
            "shard(s) {} missing (given: {})",
            missing.join(", "),
            given.join(", ")
        ));
    }
    if !problems.is_empty() {
        return Err(usage(problems.join("; ")));
    }
    shards.sort_by_key(|s| s.manifest.shard.expect("checked").index);
    let mut rows = Vec::new();
    let mut aggs: Option<Vec<VariantAgg>> = None;
    for s in &shards {
        let (r, a) = read_shard(s)?;
        rows.extend(r);
        match &mut aggs {
            None => aggs = Some(a),
            Some(all) => {
                for (x, y) in all.iter_mut().zip(&a) {
                    x.merge(y).map_err(|e| bad(&s.dir, e))?;
                }
            }
        }
    }
    let aggs = aggs.expect("at least one shard");
    rows.sort_by_key(|r| (r.variant, r.seed));
    let mut manifest = shards[0].manifest.clone();
    manifest.shard = None;
    let mut files = vec![(
        "runs.csv".to_string(),
        runs_csv(&manifest.info.variants, &rows),
    )];
    files.extend(finish_files(&manifest, &rows, &aggs));
    let kept = kept_runs(&shards)?;
    if !kept.is_empty() && kept.len() != rows.len() {
        return Err(usage(format!(
            "the shards kept {} run folders (--keep-runs) for {} runs: some are missing or extra",
            kept.len(),
            rows.len()
        )));
    }
    crate::output::write_atomically_with(out, |tmp| {
        for (file, bytes) in &files {
            let path = tmp.join(file);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(path, bytes)?;
        }
        // Records kept with `--keep-runs` are copied one by one, never held
        // in memory together.
        for (name, from) in &kept {
            let dir = tmp.join("runs").join(name);
            std::fs::create_dir_all(&dir)?;
            std::fs::copy(from.join("record.json"), dir.join("record.json"))?;
        }
        Ok(())
    })
    .map_err(|source| Error::Io {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(MergeOutput {
        out: out.to_path_buf(),
        shards: count,
        rows: rows.len(),
    })
}
