//! `drillsim batch`: many runs of every (scenario, plan) variant over the
//! same seeds (common random numbers), in parallel, summarised.
//!
//! Run i of every variant uses seed S + i, so differences between variants
//! are paired. Runs share the network, scenario and plan behind `Arc` and
//! each builds its own World; a local rayon pool runs them over `--jobs`
//! threads and the per-run rows are collected in (variant, seed) order, so
//! every output is independent of the number of threads.
//!
//! The runs go in fixed chunks through [`pipeline`]: each run gives its row
//! and a one-run [`aggregate::VariantAgg`] (records are never held), rows
//! are appended to `runs.csv` in a working folder as chunks finish, and a
//! checkpoint after each chunk lets `--resume` continue an interrupted
//! batch. `--shard i/n` runs a slice of the seeds; [`merge`] combines the
//! shards into the files one machine would have written.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::app::{self, Error};
use crate::model::plan::Plan;
use crate::model::scenario::Scenario;
use crate::model::teams::Teams;
use crate::model::{Diagnostic, Diagnostics};
use crate::score::{self, Capability, Outcomes, Rating};

pub mod aggregate;
pub mod compare;
pub mod each;
pub mod manifest;
pub mod merge;
pub mod pipeline;
pub mod report;
pub mod spread;
pub mod stats;

use manifest::Shard;

/// Options of `drillsim batch`.
#[derive(Debug, Clone, Default)]
pub struct BatchArgs {
    /// Scenario files; empty = the bundled default scenario.
    pub scenarios: Vec<PathBuf>,
    pub topology: Option<PathBuf>,
    /// Plan names or files; empty = the default plan.
    pub plans: Vec<String>,
    /// Teams files; empty = the bundled `assets/teams.ron`.
    pub teams: Vec<PathBuf>,
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
    /// Report language.
    pub lang: crate::report::Lang,
    /// Run only this slice of the seeds.
    pub shard: Option<Shard>,
    /// Continue the unfinished batch in the working folder.
    pub resume: bool,
}

/// `zh` / `en`, as `BatchInfo.lang` holds it.
pub fn lang_code(lang: crate::report::Lang) -> &'static str {
    match lang {
        crate::report::Lang::Zh => "zh",
        crate::report::Lang::En => "en",
    }
}

/// One (scenario, plan, teams) combination.
#[derive(Debug, Clone)]
pub struct Variant {
    pub scenario: Arc<Scenario>,
    pub plan: Arc<Plan>,
    pub teams: Arc<Teams>,
    /// `default` for the bundled teams, else the teams file's stem.
    pub teams_slug: String,
}

impl Variant {
    pub fn info(&self) -> VariantInfo {
        VariantInfo {
            scenario: self.scenario.slug.clone(),
            scenario_name: self.scenario.name.clone(),
            plan: self.plan.slug.clone(),
            plan_name: self.plan.name.clone(),
            teams: self.teams_slug.clone(),
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
    Metric {
        name: "filings_lost",
        label: "filings lost (denial of service)",
        kind: Kind::Count,
        key: false,
        get: |o| Some(o.filings_lost as f64),
    },
    Metric {
        name: "filings_delayed",
        label: "filings delayed (denial of service)",
        kind: Kind::Count,
        key: false,
        get: |o| Some(o.filings_delayed as f64),
    },
    Metric {
        name: "records_leaked",
        label: "records leaked",
        kind: Kind::Count,
        key: false,
        get: |o| Some(o.records_leaked as f64),
    },
];

/// One run's results.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub variant: usize,
    pub seed: u64,
    /// Indexed like [`METRICS`].
    pub values: Values,
    /// Indexed like [`Capability::ALL`]; `None` when the run has no rating.
    pub ratings: Vec<Option<Rating>>,
}

/// A run's metric values, indexed like [`METRICS`]. A missing value is
/// stored as NaN, so a value takes 8 bytes, not the 16 of an `Option<f64>`:
/// a batch holds every row at its end.
#[derive(Clone, Debug, Default)]
pub struct Values(Box<[f64]>);

impl Values {
    /// Metric `i`'s value (None: missing).
    pub fn get(&self, i: usize) -> Option<f64> {
        let x = self.0[i];
        (!x.is_nan()).then_some(x)
    }

    pub fn iter(&self) -> impl Iterator<Item = Option<f64>> + '_ {
        (0..self.0.len()).map(|i| self.get(i))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Option<f64>> for Values {
    fn from_iter<I: IntoIterator<Item = Option<f64>>>(it: I) -> Self {
        Values(it.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
    }
}

impl PartialEq for Values {
    fn eq(&self, o: &Self) -> bool {
        self.iter().eq(o.iter())
    }
}

/// What `drillsim batch` produced.
pub struct BatchOutput {
    pub variants: Vec<Variant>,
    /// In (variant, seed) order (this shard's seeds only under `--shard`).
    pub rows: Vec<RunRow>,
    pub out: PathBuf,
    /// Runs done by this process (fewer than `rows` after `--resume`).
    pub ran: u64,
    /// Rows found in the working folder and kept (`--resume`).
    pub resumed: u64,
}

pub(crate) fn usage(msg: String) -> Error {
    Error::Input(Diagnostics(vec![Diagnostic::at(
        Path::new("-"),
        "",
        1,
        1,
        msg,
    )]))
}

/// A file's name without its folders (manifests name no paths).
fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| crate::model::diag::shown_path(p))
}

fn input(role: &str, name: String, bytes: &[u8]) -> manifest::Input {
    manifest::Input {
        role: role.into(),
        name,
        fnv1a64: manifest::fnv1a64(bytes),
    }
}

/// Fingerprints of every input of a batch, bundled ones included (their
/// embedded text), in a fixed order: topology, scenarios, plans, teams,
/// scoring.
fn fingerprints(args: &BatchArgs) -> Result<Vec<manifest::Input>, Error> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|source| Error::Io {
            path: p.to_path_buf(),
            source,
        })
    };
    let mut out = Vec::new();
    match &args.topology {
        Some(d) => {
            for f in ["nodes.csv", "links.csv"] {
                out.push(input("topology", f.into(), &read(&d.join(f))?));
            }
        }
        None => out.push(input(
            "topology",
            "assets/topology.ron".into(),
            crate::model::topology_spec::DEFAULT_SPEC.as_bytes(),
        )),
    }
    if args.scenarios.is_empty() {
        out.push(input(
            "scenario",
            app::DEFAULT_SCENARIO_PATH.into(),
            include_str!("../../scenarios/national-worm.ron").as_bytes(),
        ));
    }
    for p in &args.scenarios {
        out.push(input("scenario", file_name(p), &read(p)?));
    }
    let plans: Vec<String> = if args.plans.is_empty() {
        vec![app::DEFAULT_PLAN.into()]
    } else {
        args.plans.clone()
    };
    for p in &plans {
        match app::BUNDLED_PLANS.iter().find(|(n, _)| n == p) {
            Some((n, src)) => out.push(input("plan", format!("{n} (bundled)"), src.as_bytes())),
            None => out.push(input("plan", file_name(Path::new(p)), &read(Path::new(p))?)),
        }
    }
    if args.teams.is_empty() {
        out.push(input(
            "teams",
            crate::model::teams_file::DEFAULT_TEAMS_PATH.into(),
            crate::model::teams_file::DEFAULT_TEAMS.as_bytes(),
        ));
    }
    for p in &args.teams {
        out.push(input("teams", file_name(p), &read(p)?));
    }
    match &args.scoring {
        Some(p) => out.push(input("scoring", file_name(p), &read(p)?)),
        None => out.push(input(
            "scoring",
            "assets/scoring.ron".into(),
            crate::score::thresholds::DEFAULT_SCORING.as_bytes(),
        )),
    }
    Ok(out)
}

/// A teams file's slug: its stem, `default` for the bundled one.
/// The default folder of a batch, named by everything that changes what it
/// holds: `runs/batch-<scenarios>-<plans>[-teams-<teams>][-topology-<dir>]
/// [-scoring-<stem>][-perfect][-no-response][-keep-runs][-en]-s<S>-n<N>
/// [-shard<i>of<n>]`, several scenarios, plans or teams files joined by `+`.
/// A name longer than 120 bytes keeps its first 100 and a hash of the whole
/// (FNV-1a, 64 bits), so different batches still get different folders.
pub fn default_batch_out(args: &BatchArgs, variants: &[Variant]) -> PathBuf {
    let join = |names: Vec<&str>| {
        let mut seen: Vec<&str> = Vec::new();
        for n in names {
            if !seen.contains(&n) {
                seen.push(n);
            }
        }
        seen.join("+")
    };
    let mut name = format!(
        "batch-{}-{}",
        join(variants.iter().map(Variant::scenario_slug).collect()),
        join(variants.iter().map(Variant::plan_slug).collect()),
    );
    if !args.teams.is_empty() {
        let t = join(variants.iter().map(|v| v.teams_slug.as_str()).collect());
        name.push_str(&format!("-teams-{t}"));
    }
    let stem = |p: &Path| {
        p.file_stem()
            .or_else(|| p.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    if let Some(t) = &args.topology {
        let t = std::fs::canonicalize(t).unwrap_or_else(|_| t.clone());
        name.push_str(&format!("-topology-{}", stem(&t)));
    }
    if let Some(s) = &args.scoring {
        name.push_str(&format!("-scoring-{}", stem(s)));
    }
    for (on, tag) in [
        (args.perfect, "-perfect"),
        (args.no_response, "-no-response"),
        (args.keep_runs, "-keep-runs"),
    ] {
        if on {
            name.push_str(tag);
        }
    }
    if args.lang != crate::report::Lang::default() {
        name.push_str(&format!("-{}", args.lang.tag()));
    }
    name.push_str(&format!("-s{}-n{}", args.seed, args.runs));
    if let Some(s) = args.shard {
        name.push_str(&format!("-shard{}of{}", s.index, s.count));
    }
    let mut name = name.replace(['/', '\\'], "-");
    if name.len() > 120 {
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        let mut cut = 100;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        name = format!("{}-{hash:016x}", &name[..cut]);
    }
    PathBuf::from("runs").join(name)
}

fn teams_slug(p: Option<&Path>) -> String {
    p.and_then(Path::file_stem).map_or_else(
        || "default".to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// `drillsim batch`: loads every input (reporting all problems together),
/// runs every (scenario, plan, teams) variant over seeds S..S+N (or this
/// shard's slice of them) through [`pipeline::run`], and installs the
/// finished folder at `--out`.
pub fn batch(args: &BatchArgs) -> Result<BatchOutput, Error> {
    if args.runs == 0 {
        return Err(usage("--runs must be at least 1".into()));
    }
    if args.seed.checked_add(args.runs - 1).is_none() {
        return Err(usage("--seed + --runs overflows the seed range".into()));
    }
    if let Some(s) = args.shard
        && s.count > args.runs
    {
        return Err(usage(format!(
            "--shard {s}: {} shards of {} runs would leave some empty (use at most {} shards)",
            s.count, args.runs, args.runs
        )));
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
    let team_paths: Vec<Option<&Path>> = if args.teams.is_empty() {
        vec![None]
    } else {
        args.teams.iter().map(|p| Some(p.as_path())).collect()
    };
    let teams: Vec<Option<(String, Arc<Teams>)>> = team_paths
        .iter()
        .map(|p| {
            app::load_teams(*p, &topo)
                .map_err(&mut keep)
                .ok()
                .map(|t| (teams_slug(*p), t))
        })
        .collect();
    let thresholds = app::load_scoring(args.scoring.as_deref())
        .map_err(&mut keep)
        .ok();
    for (name, p) in plan_names.iter().zip(&plans) {
        for (_, t) in teams.iter().flatten() {
            if let Some(p) = p {
                for d in app::staff_beyond_teams(name, p, t) {
                    if !problems.0.contains(&d) {
                        problems.0.push(d);
                    }
                }
            }
        }
    }
    if !problems.0.is_empty() {
        return Err(Error::Input(problems));
    }
    let Some(thresholds) = thresholds else {
        return Err(Error::Input(problems));
    };
    let mut variants = Vec::new();
    for s in scenarios.into_iter().flatten() {
        for p in plans.iter().flatten() {
            for (slug, t) in teams.iter().flatten() {
                let t = if args.perfect {
                    Arc::new((**t).clone().perfect())
                } else {
                    t.clone()
                };
                let v = Variant {
                    scenario: s.clone(),
                    plan: p.clone(),
                    teams: t,
                    teams_slug: slug.clone(),
                };
                if variants.iter().any(|w: &Variant| w.info() == v.info()) {
                    return Err(usage(format!(
                        "variant {}/{}/{} given twice (scenario, plan and teams names must differ)",
                        v.scenario_slug(),
                        v.plan_slug(),
                        v.teams_slug
                    )));
                }
                variants.push(v);
            }
        }
    }
    let total = args.runs.saturating_mul(variants.len() as u64);
    if total > crate::model::limits::MAX_BATCH_RUNS {
        return Err(usage(format!(
            "--runs {} × {} variants = {total} runs, above the limit of {} runs per batch \
             (run fewer seeds or fewer variants)",
            args.runs,
            variants.len(),
            crate::model::limits::MAX_BATCH_RUNS
        )));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_batch_out(args, &variants));
    let info = BatchInfo {
        variants: variants.iter().map(Variant::info).collect(),
        seed: args.seed,
        runs: args.runs,
        no_response: args.no_response,
        perfect: args.perfect,
        lang: lang_code(args.lang).into(),
        plan_diffs: plan_diffs(&variants),
    };
    let manifest = manifest::Manifest {
        format: manifest::FORMAT,
        drillsim: env!("CARGO_PKG_VERSION").into(),
        info,
        inputs: fingerprints(args)?,
        shard: args.shard,
    };
    let jobs = if args.jobs == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        args.jobs
    };
    let run = pipeline::Job {
        topo,
        variants: &variants,
        thresholds: &thresholds,
        perfect: args.perfect,
        no_response: args.no_response,
        keep_runs: args.keep_runs,
        quiet: args.quiet,
        resume: args.resume,
        jobs,
    };
    let done = pipeline::run(&run, &manifest, &out)?;
    Ok(BatchOutput {
        variants,
        rows: done.rows,
        out,
        ran: done.ran,
        resumed: done.resumed,
    })
}

pub(crate) fn progress_bar(len: u64, quiet: bool) -> indicatif::ProgressBar {
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

/// The header of `runs.csv`.
pub fn runs_header() -> Vec<String> {
    let mut head: Vec<String> = vec![
        "scenario".into(),
        "plan".into(),
        "teams".into(),
        "seed".into(),
    ];
    head.extend(METRICS.iter().map(|m| m.name.to_string()));
    head.extend(
        Capability::ALL
            .iter()
            .map(|c| format!("rating_{}", c.as_str())),
    );
    head
}

/// Rows of `runs.csv` (with its header line first when `header`), in the
/// order given. Appending chunks written with `header = false` gives the
/// same bytes as writing all rows at once.
pub fn runs_csv_rows(variants: &[VariantInfo], rows: &[RunRow], header: bool) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if header {
        w.write_record(crate::output::cells::record(runs_header()))
            .expect("in-memory csv");
    }
    for r in rows {
        let v = &variants[r.variant];
        let mut rec = vec![
            v.scenario.clone(),
            v.plan.clone(),
            v.teams.clone(),
            r.seed.to_string(),
        ];
        rec.extend(
            METRICS
                .iter()
                .zip(r.values.iter())
                .map(|(m, x)| fmt_value(m.kind, x)),
        );
        rec.extend(
            r.ratings
                .iter()
                .map(|x| x.map(|r| r.as_str().to_string()).unwrap_or_default()),
        );
        w.write_record(crate::output::cells::record(&rec))
            .expect("in-memory csv");
    }
    w.into_inner().expect("in-memory csv")
}

/// `runs.csv`: one row per run in (variant, seed) order.
pub fn runs_csv(variants: &[VariantInfo], rows: &[RunRow]) -> Vec<u8> {
    runs_csv_rows(variants, rows, true)
}

/// Values of metric `m` of variant `v`, in seed order (missing ones skipped).
pub fn values(rows: &[RunRow], v: usize, m: usize) -> Vec<f64> {
    rows.iter()
        .filter(|r| r.variant == v)
        .filter_map(|r| r.values.get(m))
        .collect()
}

/// `summary.csv`: per variant × metric, n, mean, sd, median, p5, p95 and
/// the 95% CI of the mean (empty where undefined).
pub fn summary_csv(variants: &[VariantInfo], rows: &[RunRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(crate::output::cells::record([
        "scenario",
        "plan",
        "teams",
        "metric",
        "n",
        "mean",
        "sd",
        "median",
        "p5",
        "p95",
        "ci95_low",
        "ci95_high",
    ]))
    .expect("in-memory csv");
    for (vi, v) in variants.iter().enumerate() {
        for (mi, m) in METRICS.iter().enumerate() {
            let xs = values(rows, vi, mi);
            let mut rec = vec![
                v.scenario.clone(),
                v.plan.clone(),
                v.teams.clone(),
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
            w.write_record(crate::output::cells::record(&rec))
                .expect("in-memory csv");
        }
    }
    w.into_inner().expect("in-memory csv")
}
