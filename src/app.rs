//! The commands behind the CLI, as library functions: load inputs, run,
//! write outputs. `main.rs` only parses arguments and maps errors to exit
//! codes; tests call these directly.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::{self, ResponseSetup, RunConfig, RunRecord};
use crate::model::plan::Plan;
use crate::model::scenario::Scenario;
use crate::model::teams::Teams;
use crate::model::topology::Topology;
use crate::model::{
    Diagnostic, Diagnostics, scenario_file, teams_file, topology_csv, topology_spec,
};
use crate::report::Lang;
use crate::score::{self, Assessment, Thresholds};

/// The bundled default scenario (a copy is embedded so the binary runs from anywhere).
pub const DEFAULT_SCENARIO_PATH: &str = "scenarios/national-worm.ron";
const DEFAULT_SCENARIO: &str = include_str!("../scenarios/national-worm.ron");

/// Why a command failed.
#[derive(Debug)]
pub enum Error {
    /// Bad input files: every problem found (exit code 2).
    Input(Diagnostics),
    /// A file or folder could not be read or written (exit code 1).
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code documented in README.md.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) => 2,
            Error::Io { .. } => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(d) => write!(f, "{d}"),
            Error::Io { path, source } => write!(
                f,
                "error: {}: {}",
                crate::model::diag::shown_path(path),
                crate::model::diag::escape_controls(&source.to_string())
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<Diagnostics> for Error {
    fn from(d: Diagnostics) -> Self {
        Error::Input(d)
    }
}

/// The network: imported from `dir` (nodes.csv, links.csv) or the generated default.
pub fn load_topology(dir: Option<&Path>) -> Result<Arc<Topology>, Error> {
    Ok(Arc::new(match dir {
        Some(d) => topology_csv::import(d)?,
        None => topology_spec::default_topology(),
    }))
}

/// A scenario file, or the bundled default when `path` is `None`.
/// A legal but large scenario is announced on stderr with its expected size
/// (`model::limits::scenario_warnings`).
pub fn load_scenario(path: Option<&Path>, topo: &Topology) -> Result<Arc<Scenario>, Error> {
    let s = load_scenario_quietly(path, topo)?;
    for w in crate::model::limits::scenario_warnings(&s, topo) {
        eprintln!("warning: {}", crate::model::diag::escape_controls(&w));
    }
    Ok(s)
}

/// [`load_scenario`] without the warnings.
pub fn load_scenario_quietly(path: Option<&Path>, topo: &Topology) -> Result<Arc<Scenario>, Error> {
    Ok(Arc::new(match path {
        Some(p) => scenario_file::load(p, topo)?,
        None => scenario_file::parse(
            DEFAULT_SCENARIO,
            Path::new(DEFAULT_SCENARIO_PATH),
            "national-worm",
            topo,
        )?,
    }))
}

/// The bundled plan revisions, by name (embedded so the binary runs from anywhere).
/// `sat-2002` is the 2002 notice as written: it cannot run an incident, so
/// `check` and `run` report what it lacks.
pub const BUNDLED_PLANS: [(&str, &str); 3] = [
    (
        "sat-overall",
        include_str!("../scenarios/plans/sat-overall.ron"),
    ),
    (
        "unit-plan",
        include_str!("../scenarios/plans/unit-plan.ron"),
    ),
    ("sat-2002", include_str!("../scenarios/plans/sat-2002.ron")),
];

/// The default plan revision.
pub const DEFAULT_PLAN: &str = "sat-overall";

/// A plan: a bundled name (`sat-overall`, `unit-plan`) or a path to a RON
/// file. A plan `check` finds any error in is refused with those errors, so
/// the engine only ever sees a plan it can run.
pub fn load_plan(plan: &str) -> Result<Arc<Plan>, Error> {
    let report = if let Some((name, src)) = BUNDLED_PLANS.iter().find(|(n, _)| *n == plan) {
        let path = PathBuf::from(format!("scenarios/plans/{name}.ron"));
        crate::check::check_source(src, &path, name)
    } else {
        let path = Path::new(plan);
        if !path.exists() {
            let names: Vec<&str> = BUNDLED_PLANS.iter().map(|(n, _)| *n).collect();
            return Err(Error::Input(Diagnostics(vec![Diagnostic::at(
                path,
                "",
                1,
                1,
                format!("no such plan file (bundled plans: {})", names.join(", ")),
            )])));
        }
        crate::check::check_plan(path)
    };
    match report.plan {
        Some(p) if !report.has_errors() => Ok(Arc::new(p)),
        _ => Err(Error::Input(Diagnostics(
            report.errors().cloned().collect(),
        ))),
    }
}

/// Teams and readiness: a RON file, or the bundled `assets/teams.ron`.
/// Province overrides resolve against the network's provinces.
pub fn load_teams(path: Option<&Path>, topo: &Topology) -> Result<Arc<Teams>, Error> {
    let (src, path) = match path {
        Some(p) => (
            crate::model::diag::read_source(p, "teams file")?,
            p.to_path_buf(),
        ),
        None => (
            teams_file::DEFAULT_TEAMS.to_string(),
            PathBuf::from(teams_file::DEFAULT_TEAMS_PATH),
        ),
    };
    Ok(Arc::new(teams_file::parse_for(
        &src,
        &path,
        &topo.provinces,
    )?))
}

/// Steps of procedures and special plans that need more staff than any unit
/// of the teams file has in the actor's role (the engine would run them
/// with the staff there is but share their per-host work among the staff
/// asked for), each at its `staff` in the plan file.
pub fn staff_beyond_teams(plan_arg: &str, plan: &Plan, teams: &Teams) -> Vec<Diagnostic> {
    use crate::model::scenario_file::locate::{
        Seg::{F, I},
        SpanTree,
    };
    let most = |role| {
        teams
            .tiers
            .iter()
            .chain(teams.overrides.iter().map(|(_, _, r)| r))
            .map(|r| r.staff_of(role))
            .max()
            .unwrap_or(0)
    };
    let mut bad = Vec::new();
    let lists = plan
        .procedures
        .iter()
        .map(|p| ("procedures", &p.steps))
        .enumerate()
        .chain(
            plan.special_plans
                .iter()
                .map(|p| ("special_plans", &p.steps))
                .enumerate(),
        );
    let duties = plan
        .levels
        .iter()
        .enumerate()
        .map(|(k, l)| (("levels", &l.duties), k));
    let mut level_of_duty = Vec::new();
    for ((field, steps), i) in lists.map(|(i, x)| (x, i)).chain(duties) {
        for (j, st) in steps.iter().enumerate() {
            let role = plan.bodies[st.actor].role;
            let have = most(role);
            if st.staff > have.max(1) {
                bad.push((field, i, j, st.id.clone(), st.staff, role, have));
                if field == "levels" {
                    level_of_duty.push(plan.levels[i].level.as_str());
                }
            }
        }
    }
    if bad.is_empty() {
        return Vec::new();
    }
    let (path, src) = match BUNDLED_PLANS.iter().find(|(n, _)| *n == plan_arg) {
        Some((name, src)) => (
            PathBuf::from(format!("scenarios/plans/{name}.ron")),
            src.to_string(),
        ),
        None => (
            PathBuf::from(plan_arg),
            std::fs::read_to_string(plan_arg).unwrap_or_default(),
        ),
    };
    let tree = SpanTree::parse(&src);
    // Levels are kept by rank, not in file order: find each in the file by
    // its `level` string.
    let file_level = |name: &str| {
        (0..8)
            .find(|&i| {
                let off = tree.locate(&[F("levels"), I(i), F("level")]);
                src.get(off..)
                    .is_some_and(|t| t.starts_with(&format!("\"{name}\"")))
            })
            .unwrap_or(0)
    };
    let mut duty_levels = level_of_duty.into_iter();
    bad.into_iter()
        .map(|(field, i, j, id, need, role, have)| {
            let (i, list) = if field == "levels" {
                (file_level(duty_levels.next().unwrap_or("")), "duties")
            } else {
                (i, "steps")
            };
            let off = tree.locate(&[F(field), I(i), F(list), I(j), F("staff")]);
            Diagnostic::at_offset(
                &path,
                &src,
                off,
                format!(
                    "step `{id}` needs {need} staff, but no unit has more than {have} in the \
                     role `{}` (teams file)",
                    role.as_str()
                ),
            )
        })
        .collect()
}

/// The input files of a command that runs a plan against a scenario
/// (`run`, `assess`, `tabletop`, `package`); `None`: the bundled default.
#[derive(Debug, Clone, Copy, Default)]
pub struct InputFiles<'a> {
    pub topology: Option<&'a Path>,
    pub scenario: Option<&'a Path>,
    /// Plan name or file (default [`DEFAULT_PLAN`]).
    pub plan: Option<&'a str>,
    pub teams: Option<&'a Path>,
    pub scoring: Option<&'a Path>,
}

/// A command's inputs, loaded and checked together by [`load_inputs`].
pub struct Inputs {
    pub topo: Arc<Topology>,
    pub scenario: Arc<Scenario>,
    pub plan: Arc<Plan>,
    pub teams: Arc<Teams>,
    pub thresholds: Thresholds,
}

/// What has loaded when a command's own inputs are read (the drill log,
/// `--as`): those that failed are `None`, their problems already kept.
pub struct Loaded<'a> {
    pub topo: &'a Arc<Topology>,
    pub scenario: Option<&'a Arc<Scenario>>,
    pub plan: Option<&'a Arc<Plan>>,
}

/// Loads the network, scenario, plan, teams and scoring, and checks the
/// plan against the teams ([`staff_beyond_teams`]): every problem of every
/// file at once, as [`Error::Input`] (exit 2). The one loader of every
/// command that runs a plan, so none can skip a check.
pub fn load_inputs(files: &InputFiles) -> Result<Inputs, Error> {
    load_inputs_with(files, |_, _| Some(())).map(|(inputs, ())| inputs)
}

/// [`load_inputs`], then `more`: a command's own inputs that depend on
/// these, whose problems it adds to the others' (and returns `None`).
pub fn load_inputs_with<T>(
    files: &InputFiles,
    more: impl FnOnce(Loaded<'_>, &mut Diagnostics) -> Option<T>,
) -> Result<(Inputs, T), Error> {
    let mut problems = Diagnostics::default();
    let mut keep = |e: Error| match e {
        Error::Input(d) => problems.0.extend(d.0),
        other => problems
            .0
            .push(Diagnostic::at(Path::new("-"), "", 1, 1, other.to_string())),
    };
    let plan_arg = files.plan.unwrap_or(DEFAULT_PLAN);
    let topo = load_topology(files.topology)?;
    let scenario = load_scenario(files.scenario, &topo).map_err(&mut keep).ok();
    let plan = load_plan(plan_arg).map_err(&mut keep).ok();
    let teams = load_teams(files.teams, &topo).map_err(&mut keep).ok();
    let thresholds = load_scoring(files.scoring).map_err(&mut keep).ok();
    if let (Some(p), Some(t)) = (&plan, &teams) {
        problems.0.extend(staff_beyond_teams(plan_arg, p, t));
    }
    let extra = more(
        Loaded {
            topo: &topo,
            scenario: scenario.as_ref(),
            plan: plan.as_ref(),
        },
        &mut problems,
    );
    match (scenario, plan, teams, thresholds, extra) {
        (Some(scenario), Some(plan), Some(teams), Some(thresholds), Some(extra))
            if problems.is_empty() =>
        {
            Ok((
                Inputs {
                    topo,
                    scenario,
                    plan,
                    teams,
                    thresholds,
                },
                extra,
            ))
        }
        _ => Err(Error::Input(problems)),
    }
}

/// Options of `drillsim run`.
#[derive(Debug, Clone, Default)]
pub struct RunArgs {
    pub scenario: Option<PathBuf>,
    pub topology: Option<PathBuf>,
    /// Plan name or file (default `sat-overall`).
    pub plan: Option<String>,
    /// Teams file (default `assets/teams.ron`).
    pub teams: Option<PathBuf>,
    /// Perfect readiness: no deviations, always on duty, median durations.
    pub perfect: bool,
    /// Scoring thresholds file (default `assets/scoring.ron`).
    pub scoring: Option<PathBuf>,
    /// Language of the report.
    pub lang: Lang,
    pub seed: u64,
    pub out: Option<PathBuf>,
    pub no_response: bool,
    /// Seeds for the spread across seeds (`seed .. seed + spread`); 0: off.
    pub spread: u64,
    /// Worker threads of the spread's runs (0 = one per core).
    pub jobs: usize,
}

/// The default output folder: `runs/<scenario>-<seed>`.
pub fn default_out(scenario: &Scenario, seed: u64) -> PathBuf {
    PathBuf::from("runs").join(format!("{}-{seed}", scenario.slug))
}

/// The default output folder of `run`, named by everything that changes
/// what it holds: `runs/<scenario>-<plan>[-teams-<stem>][-topology-<dir>]
/// [-scoring-<stem>][-perfect][-no-response][-spread<N>][-en]-s<seed>`, so
/// that runs of another plan, teams file, option or language never land in
/// the same folder.
pub fn default_run_out(scenario: &Scenario, args: &RunArgs) -> PathBuf {
    let stem = |p: &Path| {
        p.file_stem()
            .or_else(|| p.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let plan = args.plan.as_deref().unwrap_or(DEFAULT_PLAN);
    let mut name = format!("{}-{}", scenario.slug, stem(Path::new(plan)));
    if let Some(t) = &args.teams {
        name.push_str(&format!("-teams-{}", stem(t)));
    }
    if let Some(t) = &args.topology {
        let t = fs_name(t);
        name.push_str(&format!("-topology-{t}"));
    }
    if let Some(s) = &args.scoring {
        name.push_str(&format!("-scoring-{}", stem(s)));
    }
    if args.perfect {
        name.push_str("-perfect");
    }
    if args.no_response {
        name.push_str("-no-response");
    }
    if args.spread > 0 {
        name.push_str(&format!("-spread{}", args.spread));
    }
    if args.lang != Lang::default() {
        name.push_str(&format!("-{}", args.lang.tag()));
    }
    name.push_str(&format!("-s{}", args.seed));
    PathBuf::from("runs").join(name.replace(['/', '\\'], "-"))
}

/// The last component of a folder path (`.` and `..` resolved when possible).
fn fs_name(p: &Path) -> String {
    let p = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "topology".into())
}

/// `drillsim run`: loads, simulates, scores, writes the run folder atomically.
pub fn run(args: &RunArgs) -> Result<RunOutput, Error> {
    if args.spread > crate::model::limits::MAX_SPREAD_SEEDS {
        return Err(crate::batch::usage(format!(
            "--spread {} is above the limit of {} seeds",
            args.spread,
            crate::model::limits::MAX_SPREAD_SEEDS
        )));
    }
    let Inputs {
        topo,
        scenario,
        plan,
        teams,
        thresholds,
    } = load_inputs(&InputFiles {
        topology: args.topology.as_deref(),
        scenario: args.scenario.as_deref(),
        plan: args.plan.as_deref(),
        teams: args.teams.as_deref(),
        scoring: args.scoring.as_deref(),
    })?;
    let teams = if args.perfect {
        Arc::new((*teams).clone().perfect())
    } else {
        teams
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_run_out(&scenario, args));
    // Refuse an output folder drillsim may not replace before the work.
    crate::output::guard::check_target(&out, crate::output::guard::Mode::Replace).map_err(
        |source| Error::Io {
            path: out.clone(),
            source,
        },
    )?;
    let setup = ResponseSetup {
        plan,
        teams,
        spread: !args.perfect,
    };
    let record = engine::run_with(
        topo.clone(),
        scenario.clone(),
        Some(setup.clone()),
        RunConfig {
            seed: args.seed,
            response: !args.no_response,
        },
    );
    let assessment = score::assess(&record, &thresholds);
    let spread = if args.spread > 0 {
        let job = crate::batch::spread::SpreadJob {
            topo: topo.clone(),
            scenario,
            setup,
            thresholds: &thresholds,
            response: !args.no_response,
            jobs: args.jobs,
        };
        let rows = crate::batch::spread::rows(&job, args.seed, args.spread, &assessment)?;
        Some(crate::report::spread::Spread::of(args.seed, &rows))
    } else {
        None
    };
    // Written file by file, the large ones row by row (not held whole).
    crate::output::write_atomically_with(&out, |tmp| {
        crate::output::write_run_files(tmp, &record, &assessment, args.lang, spread.as_ref())
    })
    .map_err(|source| Error::Io {
        path: out.clone(),
        source,
    })?;
    Ok(RunOutput {
        record,
        assessment,
        out,
    })
}

/// What `drillsim run` produced.
pub struct RunOutput {
    pub record: RunRecord,
    pub assessment: Assessment,
    /// The run folder.
    pub out: PathBuf,
}

/// Scoring thresholds: a RON file, or the bundled `assets/scoring.ron`.
pub fn load_scoring(path: Option<&Path>) -> Result<Thresholds, Error> {
    Ok(match path {
        Some(p) => score::load_thresholds(p)?,
        None => score::default_thresholds(),
    })
}

/// `drillsim report RUN_DIR`: scores the saved record again and rewrites the
/// run folder's tables and report, without re-simulating. The report keeps
/// the folder's language (`report.lang`, see [`crate::output::read_lang`])
/// unless `lang` says otherwise; Chinese when the folder names none.
pub fn report(dir: &Path, scoring: Option<&Path>, lang: Option<Lang>) -> Result<RunOutput, Error> {
    let lang = lang
        .or_else(|| crate::output::read_lang(dir))
        .unwrap_or_default();
    let thresholds = load_scoring(scoring)?;
    let record = crate::output::record_check::read(dir)?;
    let spread = crate::output::read_spread(dir).map_err(|msg| {
        Error::Input(Diagnostics(vec![Diagnostic::at(
            &dir.join("spread.json"),
            "",
            1,
            1,
            msg,
        )]))
    })?;
    let assessment = score::assess(&record, &thresholds);
    // The user's own files in the run folder are kept.
    crate::output::write_atomically_mode(dir, crate::output::guard::Mode::KeepForeign, |tmp| {
        crate::output::write_run_files(tmp, &record, &assessment, lang, spread.as_ref())
    })
    .map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(RunOutput {
        record,
        assessment,
        out: dir.to_path_buf(),
    })
}

/// `drillsim topology export DIR`: writes the network's CSV files atomically.
pub fn export_topology(topology: Option<&Path>, dir: &Path) -> Result<Arc<Topology>, Error> {
    let topo = load_topology(topology)?;
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    crate::output::guard::check_target(dir, crate::output::guard::Mode::Replace).map_err(io)?;
    let files: Vec<(String, Vec<u8>)> = topology_csv::files(&topo)
        .map_err(io)?
        .into_iter()
        .map(|(n, b)| (n.to_string(), b))
        .collect();
    crate::output::write_atomically(dir, &files).map_err(io)?;
    Ok(topo)
}

/// `drillsim diff PLAN_A PLAN_B`: both plans load as `run --plan` loads them
/// (a plan `run` refuses, like the 2002 notice, is refused here too, with
/// the loader's positioned errors of both files); returns the rendered diff.
pub fn diff(plan_a: &str, plan_b: &str, format: crate::plan_diff::Format) -> Result<String, Error> {
    let (a, b) = (load_plan(plan_a), load_plan(plan_b));
    match (a, b) {
        (Ok(a), Ok(b)) => Ok(crate::plan_diff::render(
            &crate::plan_diff::diff(&a, &b),
            format,
        )),
        (Err(Error::Input(mut x)), Err(Error::Input(y))) => {
            x.0.extend(y.0);
            Err(Error::Input(x))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// `drillsim check PLAN…`: lints each plan, prints findings; any error ⇒ exit 2.
pub fn check(plans: &[String]) -> Result<(), Error> {
    let mut errors = Diagnostics::default();
    for p in plans {
        let report = match BUNDLED_PLANS.iter().find(|(n, _)| n == p) {
            Some((name, src)) => crate::check::check_source(
                src,
                Path::new(&format!("scenarios/plans/{name}.ron")),
                name,
            ),
            None => crate::check::check_plan(Path::new(p)),
        };
        // Warnings and the verdict go to stdout; errors are returned (stderr, exit 2).
        for w in report.warnings() {
            println!("warning: {w}");
        }
        if report.has_errors() {
            errors.0.extend(report.errors().cloned());
        } else {
            println!("{report}");
        }
    }
    errors.into_result(()).map_err(Error::Input)
}
