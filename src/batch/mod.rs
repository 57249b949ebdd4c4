//! `drillsim batch`: many runs of every (scenario, plan) variant over the
//! same seeds (common random numbers), in parallel, summarised.
//!
//! Run i of every variant uses seed S + i, so differences between variants
//! are paired. Runs share the network, scenario and plan behind `Arc` and
//! each builds its own World; a local rayon pool runs them over `--jobs`
//! threads and the per-run rows are collected in (variant, seed) order, so
//! every output is independent of the number of threads.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::app::{self, Error};
use crate::engine::{self, ResponseSetup, RunConfig};
use crate::model::plan::Plan;
use crate::model::scenario::Scenario;
use crate::model::{Diagnostic, Diagnostics};
use crate::score::{self, Capability, Outcomes, Rating};

pub mod aggregate;
pub mod compare;
pub mod report;
pub mod stats;

/// Options of `drillsim batch`.
#[derive(Debug, Clone, Default)]
pub struct BatchArgs {
    /// Scenario files; empty = the bundled default scenario.
    pub scenarios: Vec<PathBuf>,
    pub topology: Option<PathBuf>,
    /// Plan names or files; empty = the default plan.
    pub plans: Vec<String>,
    pub teams: Option<PathBuf>,
    pub scoring: Option<PathBuf>,
    pub perfect: bool,
    pub no_response: bool,
    pub runs: u64,
    pub seed: u64,
    /// Worker threads; 0 = one per core.
    pub jobs: usize,
    pub out: Option<PathBuf>,
    /// No progress bar.
    pub quiet: bool,
    /// Also write each run's `record.json` under `runs/<variant>-<seed>/`.
    pub keep_runs: bool,
}

/// One (scenario, plan) combination.
#[derive(Debug, Clone)]
pub struct Variant {
    pub scenario: Arc<Scenario>,
    pub plan: Arc<Plan>,
}

impl Variant {
    pub fn info(&self, teams: &str) -> VariantInfo {
        VariantInfo {
            scenario: self.scenario.slug.clone(),
            scenario_name: self.scenario.name.clone(),
            plan: self.plan.slug.clone(),
            plan_name: self.plan.name.clone(),
            teams: teams.to_string(),
        }
    }
    pub fn scenario_slug(&self) -> &str {
        &self.scenario.slug
    }
    pub fn plan_slug(&self) -> &str {
        &self.plan.slug
    }
}

/// A variant as the report and the manifest name it (no file paths: a
/// batch's folder is the same wherever its inputs lived).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VariantInfo {
    /// Scenario slug (file stem) and display name.
    pub scenario: String,
    pub scenario_name: String,
    /// Plan slug and display name.
    pub plan: String,
    pub plan_name: String,
    /// Teams slug: `default` for the bundled `assets/teams.ron`, else the
    /// file stem.
    pub teams: String,
}

/// One plan diff the report shows: plan `b` against plan `a`, as Markdown.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PlanDiffNote {
    pub a: String,
    pub b: String,
    pub markdown: String,
}

/// Everything about a batch its report needs besides the rows and the
/// aggregates: the report is a pure function of (info, rows, aggregates),
/// so a merged or resumed batch writes the same bytes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BatchInfo {
    pub variants: Vec<VariantInfo>,
    pub seed: u64,
    pub runs: u64,
    pub no_response: bool,
    pub perfect: bool,
    /// Report language: `zh` or `en`.
    pub lang: String,
    /// Each other plan of the batch against the first one.
    pub plan_diffs: Vec<PlanDiffNote>,
}

impl BatchInfo {
    pub fn lang(&self) -> crate::report::Lang {
        crate::report::Lang::parse(&self.lang).unwrap_or_default()
    }
}

/// The plan diffs a batch's report shows: every other plan of the batch
/// against the first, once per distinct plan.
pub fn plan_diffs(variants: &[Variant]) -> Vec<PlanDiffNote> {
    let mut plans: Vec<&Arc<Plan>> = Vec::new();
    for v in variants {
        if !plans.iter().any(|p| p.slug == v.plan.slug) {
            plans.push(&v.plan);
        }
    }
    plans
        .iter()
        .skip(1)
        .map(|b| PlanDiffNote {
            a: plans[0].slug.clone(),
            b: b.slug.clone(),
            markdown: crate::plan_diff::render_markdown(&crate::plan_diff::diff(plans[0], b)),
        })
        .collect()
}

/// Whether a metric is a count (printed without decimals) or a quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Count,
    Real,
}

/// A per-run metric taken from the assessment's outcomes.
pub struct Metric {
    /// Column / row name in the CSV files.
    pub name: &'static str,
    /// Plain-language name for the report.
    pub label: &'static str,
    pub kind: Kind,
    /// Shown in the report's tables and paired comparisons.
    pub key: bool,
    pub get: fn(&Outcomes) -> Option<f64>,
}

/// Every metric of `runs.csv` and `summary.csv`, in column order.
pub const METRICS: &[Metric] = &[
    Metric {
        name: "peak_infected_hosts",
        label: "peak infected hosts",
        kind: Kind::Count,
        key: true,
        get: |o| Some(o.peak_infected_hosts as f64),
    },
    Metric {
        name: "total_infected_hosts",
        label: "total infected hosts",
        kind: Kind::Count,
        key: true,
        get: |o| Some(o.total_infected_hosts as f64),
    },
    Metric {
        name: "nodes_affected",
        label: "nodes affected",
        kind: Kind::Count,
        key: false,
        get: |o| Some(o.nodes_affected as f64),
    },
    Metric {
        name: "nodes_cut_off_max",
        label: "nodes cut off (max)",
        kind: Kind::Count,
        key: true,
        get: |o| Some(o.nodes_cut_off_max as f64),
    },
    Metric {
        name: "service_hours_lost",
        label: "service-hours lost",
        kind: Kind::Real,
        key: true,
        get: |o| Some(o.service_hours_lost),
    },
    Metric {
        name: "taxpayer_service_hours_lost",
        label: "taxpayer service-hours lost",
        kind: Kind::Real,
        key: true,
        get: |o| Some(o.taxpayer_service_hours_lost),
    },
    Metric {
        name: "records_lost",
        label: "records lost",
        kind: Kind::Count,
        key: true,
        get: |o| Some(o.records_lost as f64),
    },
    Metric {
        name: "time_to_detect_min",
        label: "time to detect (min)",
        kind: Kind::Real,
        key: true,
        get: |o| o.time_to_detect_min,
    },
    Metric {
        name: "time_to_first_report_min",
        label: "time to first report (min)",
        kind: Kind::Real,
        key: false,
        get: |o| o.time_to_first_report_min,
    },
    Metric {
        name: "time_to_activation_min",
        label: "time to activation (min)",
        kind: Kind::Real,
        key: false,
        get: |o| o.time_to_activation_min,
    },
    Metric {
        name: "time_to_containment_min",
        label: "time to containment (min)",
        kind: Kind::Real,
        key: true,
        get: |o| o.time_to_containment_min,
    },
    Metric {
        name: "final_compliance",
        label: "final compliance (%)",
        kind: Kind::Real,
        key: true,
        get: |o| Some(o.final_compliance),
    },
    Metric {
        name: "obligations",
        label: "obligations",
        kind: Kind::Count,
        key: false,
        get: |o| Some(o.obligations as f64),
    },
    Metric {
        name: "on_time",
        label: "obligations on time",
        kind: Kind::Count,
        key: true,
        get: |o| Some(o.on_time as f64),
    },
    Metric {
        name: "late",
        label: "obligations late",
        kind: Kind::Count,
        key: false,
        get: |o| Some(o.late as f64),
    },
    Metric {
        name: "missed",
        label: "obligations missed",
        kind: Kind::Count,
        key: true,
        get: |o| Some(o.missed as f64),
    },
    Metric {
        name: "not_due",
        label: "obligations not yet due",
        kind: Kind::Count,
        key: false,
        get: |o| Some(o.not_due as f64),
    },
];

/// One run's results.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub variant: usize,
    pub seed: u64,
    /// Indexed like [`METRICS`].
    pub values: Vec<Option<f64>>,
    /// Indexed like [`Capability::ALL`]; `None` when the run has no rating.
    pub ratings: Vec<Option<Rating>>,
}

/// What `drillsim batch` produced.
pub struct BatchOutput {
    pub variants: Vec<Variant>,
    /// In (variant, seed) order.
    pub rows: Vec<RunRow>,
    pub out: PathBuf,
    pub files: Vec<(String, Vec<u8>)>,
}

fn usage(msg: String) -> Error {
    Error::Input(Diagnostics(vec![Diagnostic::at(
        Path::new("-"),
        "",
        1,
        1,
        msg,
    )]))
}

/// `drillsim batch`: loads every input (reporting all problems together),
/// runs every variant over seeds S..S+N, writes `runs.csv`, `summary.csv`
/// and `report.md` atomically.
pub fn batch(args: &BatchArgs) -> Result<BatchOutput, Error> {
    if args.runs == 0 {
        return Err(usage("--runs must be at least 1".into()));
    }
    if args.seed.checked_add(args.runs - 1).is_none() {
        return Err(usage("--seed + --runs overflows the seed range".into()));
    }
    let mut problems = Diagnostics::default();
    let mut keep = |e: Error| match e {
        Error::Input(d) => problems.0.extend(d.0),
        other => problems
            .0
            .push(Diagnostic::at(Path::new("-"), "", 1, 1, other.to_string())),
    };
    let topo = app::load_topology(args.topology.as_deref())?;
    let scenario_paths: Vec<Option<&Path>> = if args.scenarios.is_empty() {
        vec![None]
    } else {
        args.scenarios.iter().map(|p| Some(p.as_path())).collect()
    };
    let scenarios: Vec<Option<Arc<Scenario>>> = scenario_paths
        .iter()
        .map(|p| app::load_scenario(*p, &topo).map_err(&mut keep).ok())
        .collect();
    let plan_names: Vec<String> = if args.plans.is_empty() {
        vec![app::DEFAULT_PLAN.to_string()]
    } else {
        args.plans.clone()
    };
    let plans: Vec<Option<Arc<Plan>>> = plan_names
        .iter()
        .map(|p| app::load_plan(p).map_err(&mut keep).ok())
        .collect();
    let teams = app::load_teams(args.teams.as_deref(), &topo)
        .map_err(&mut keep)
        .ok();
    let thresholds = app::load_scoring(args.scoring.as_deref())
        .map_err(&mut keep)
        .ok();
    if !problems.0.is_empty() {
        return Err(Error::Input(problems));
    }
    let (Some(teams), Some(thresholds)) = (teams, thresholds) else {
        return Err(Error::Input(problems));
    };
    let teams = if args.perfect {
        Arc::new((*teams).clone().perfect())
    } else {
        teams
    };
    let mut variants = Vec::new();
    for s in scenarios.into_iter().flatten() {
        for p in plans.iter().flatten() {
            let v = Variant {
                scenario: s.clone(),
                plan: p.clone(),
            };
            if variants.iter().any(|w: &Variant| {
                w.scenario_slug() == v.scenario_slug() && w.plan_slug() == v.plan_slug()
            }) {
                return Err(usage(format!(
                    "variant {}/{} given twice (scenario and plan names must differ)",
                    v.scenario_slug(),
                    v.plan_slug()
                )));
            }
            variants.push(v);
        }
    }
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("runs").join(format!(
            "batch-{}-s{}-n{}",
            variants[0].scenario_slug(),
            args.seed,
            args.runs
        ))
    });

    let jobs = if args.jobs == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        args.jobs
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| usage(format!("cannot start {jobs} worker threads: {e}")))?;
    let tasks: Vec<(usize, u64)> = (0..variants.len())
        .flat_map(|v| (0..args.runs).map(move |i| (v, args.seed + i)))
        .collect();
    let bar = progress_bar(tasks.len() as u64, args.quiet);
    let teams_slug = args.teams.as_deref().and_then(Path::file_stem).map_or_else(
        || "default".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let info = BatchInfo {
        variants: variants.iter().map(|v| v.info(&teams_slug)).collect(),
        seed: args.seed,
        runs: args.runs,
        no_response: args.no_response,
        perfect: args.perfect,
        lang: "en".into(),
        plan_diffs: plan_diffs(&variants),
    };
    let run_dirs: Vec<String> = report::names(&info.variants)
        .into_iter()
        .map(|n| n.replace('/', "-"))
        .collect();
    // Runs every task; with `keep` = the output's temporary folder, writes
    // each record there as soon as it is made (records are megabytes: they
    // are never all held in memory).
    let run_all = |keep: Option<&Path>| -> std::io::Result<Vec<RunRow>> {
        pool.install(|| {
            tasks
                .par_iter()
                .map(|&(v, seed)| {
                    let var = &variants[v];
                    let record = engine::run_with(
                        topo.clone(),
                        var.scenario.clone(),
                        Some(ResponseSetup {
                            plan: var.plan.clone(),
                            teams: teams.clone(),
                            spread: !args.perfect,
                        }),
                        RunConfig {
                            seed,
                            response: !args.no_response,
                        },
                    );
                    if let Some(tmp) = keep {
                        let dir = tmp.join("runs").join(format!("{}-{seed}", run_dirs[v]));
                        std::fs::create_dir_all(&dir)?;
                        std::fs::write(
                            dir.join("record.json"),
                            crate::output::record_json(&record),
                        )?;
                    }
                    let a = score::assess(&record, &thresholds);
                    bar.inc(1);
                    Ok(row(v, seed, &a))
                })
                .collect()
        })
    };
    let summarise = |rows: &[RunRow]| {
        let mut files = vec![
            ("runs.csv".to_string(), runs_csv(&variants, rows)),
            ("summary.csv".to_string(), summary_csv(&variants, rows)),
        ];
        files.extend(report::files(&info, rows, &[]));
        files
    };
    let io_err = |source| Error::Io {
        path: out.clone(),
        source,
    };
    let (rows, files) = if args.keep_runs {
        let mut done = None;
        crate::output::write_atomically_with(&out, |tmp| {
            let rows = run_all(Some(tmp))?;
            let files = summarise(&rows);
            for (name, bytes) in &files {
                let path = tmp.join(name);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(path, bytes)?;
            }
            done = Some((rows, files));
            Ok(())
        })
        .map_err(io_err)?;
        done.expect("filled on success")
    } else {
        let rows = run_all(None).map_err(io_err)?;
        let files = summarise(&rows);
        crate::output::write_atomically(&out, &files).map_err(io_err)?;
        (rows, files)
    };
    bar.finish_and_clear();
    Ok(BatchOutput {
        variants,
        rows,
        out,
        files,
    })
}

fn progress_bar(len: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} runs  {per_sec}  elapsed {elapsed}  ETA {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// One run's row from its assessment (values rounded as in `runs.csv`).
pub fn row(variant: usize, seed: u64, a: &score::Assessment) -> RunRow {
    RunRow {
        variant,
        seed,
        values: METRICS
            .iter()
            .map(|m| as_written(m.kind, (m.get)(&a.outcomes)))
            .collect(),
        ratings: Capability::ALL
            .iter()
            .map(|c| {
                a.ratings
                    .iter()
                    .find(|r| r.capability == *c)
                    .map(|r| r.rating)
            })
            .collect(),
    }
}

/// A value rounded exactly as `runs.csv` writes it, so that `summary.csv`
/// and `report.md` are functions of `runs.csv` and `drillsim compare`,
/// which reads it back, gives the same numbers as the batch's own report.
pub fn as_written(kind: Kind, v: Option<f64>) -> Option<f64> {
    v.map(|x| fmt_value(kind, Some(x)).parse().unwrap_or(x))
}

/// A value as written in the CSV files: counts as integers, others with
/// three decimals, missing as empty.
pub fn fmt_value(kind: Kind, v: Option<f64>) -> String {
    match (v, kind) {
        (None, _) => String::new(),
        (Some(x), Kind::Count) => format!("{x:.0}"),
        (Some(x), Kind::Real) => format!("{x:.3}"),
    }
}

fn fmt_stat(x: f64) -> String {
    format!("{x:.3}")
}

/// `runs.csv`: one row per run in (variant, seed) order.
pub fn runs_csv(variants: &[Variant], rows: &[RunRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head: Vec<String> = vec!["scenario".into(), "plan".into(), "seed".into()];
    head.extend(METRICS.iter().map(|m| m.name.to_string()));
    head.extend(
        Capability::ALL
            .iter()
            .map(|c| format!("rating_{}", c.as_str())),
    );
    w.write_record(&head).expect("in-memory csv");
    for r in rows {
        let v = &variants[r.variant];
        let mut rec = vec![
            v.scenario_slug().to_string(),
            v.plan_slug().to_string(),
            r.seed.to_string(),
        ];
        rec.extend(
            METRICS
                .iter()
                .zip(&r.values)
                .map(|(m, x)| fmt_value(m.kind, *x)),
        );
        rec.extend(
            r.ratings
                .iter()
                .map(|x| x.map(|r| r.as_str().to_string()).unwrap_or_default()),
        );
        w.write_record(&rec).expect("in-memory csv");
    }
    w.into_inner().expect("in-memory csv")
}

/// Values of metric `m` of variant `v`, in seed order (missing ones skipped).
pub fn values(rows: &[RunRow], v: usize, m: usize) -> Vec<f64> {
    rows.iter()
        .filter(|r| r.variant == v)
        .filter_map(|r| r.values[m])
        .collect()
}

/// `summary.csv`: per variant × metric, n, mean, sd, median, p5, p95 and
/// the 95% CI of the mean (empty where undefined).
pub fn summary_csv(variants: &[Variant], rows: &[RunRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "scenario",
        "plan",
        "metric",
        "n",
        "mean",
        "sd",
        "median",
        "p5",
        "p95",
        "ci95_low",
        "ci95_high",
    ])
    .expect("in-memory csv");
    for (vi, v) in variants.iter().enumerate() {
        for (mi, m) in METRICS.iter().enumerate() {
            let xs = values(rows, vi, mi);
            let mut rec = vec![
                v.scenario_slug().to_string(),
                v.plan_slug().to_string(),
                m.name.to_string(),
                xs.len().to_string(),
            ];
            match stats::describe(&xs) {
                Some(d) => {
                    rec.push(fmt_stat(d.mean));
                    rec.push(d.sd.map(fmt_stat).unwrap_or_default());
                    rec.push(fmt_stat(d.median));
                    rec.push(fmt_stat(d.p5));
                    rec.push(fmt_stat(d.p95));
                    rec.push(d.ci.map(|c| fmt_stat(c.0)).unwrap_or_default());
                    rec.push(d.ci.map(|c| fmt_stat(c.1)).unwrap_or_default());
                }
                None => rec.extend(std::iter::repeat_n(String::new(), 7)),
            }
            w.write_record(&rec).expect("in-memory csv");
        }
    }
    w.into_inner().expect("in-memory csv")
}
