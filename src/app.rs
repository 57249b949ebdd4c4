//! The commands behind the CLI, as library functions: load inputs, run,
//! write outputs. `main.rs` only parses arguments and maps errors to exit
//! codes; tests call these directly.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::{self, RunConfig, RunRecord};
use crate::model::scenario::Scenario;
use crate::model::topology::Topology;
use crate::model::{Diagnostics, scenario_file, topology_csv, topology_spec};

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
            Error::Io { path, source } => write!(f, "error: {}: {source}", path.display()),
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
pub fn load_scenario(path: Option<&Path>, topo: &Topology) -> Result<Arc<Scenario>, Error> {
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

/// Options of `drillsim run`.
#[derive(Debug, Clone, Default)]
pub struct RunArgs {
    pub scenario: Option<PathBuf>,
    pub topology: Option<PathBuf>,
    pub seed: u64,
    pub out: Option<PathBuf>,
    pub no_response: bool,
}

/// The default output folder: `runs/<scenario>-<seed>`.
pub fn default_out(scenario: &Scenario, seed: u64) -> PathBuf {
    PathBuf::from("runs").join(format!("{}-{seed}", scenario.slug))
}

/// `drillsim run`: loads, simulates, writes the run folder atomically.
/// Returns the record, the folder and the network.
pub fn run(args: &RunArgs) -> Result<(RunRecord, PathBuf, Arc<Topology>), Error> {
    let topo = load_topology(args.topology.as_deref())?;
    let scenario = load_scenario(args.scenario.as_deref(), &topo)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&scenario, args.seed));
    let record = engine::run(
        topo.clone(),
        scenario,
        RunConfig {
            seed: args.seed,
            response: !args.no_response,
        },
    );
    let files = crate::output::run_files(&record, &topo);
    crate::output::write_atomically(&out, &files).map_err(|source| Error::Io {
        path: out.clone(),
        source,
    })?;
    Ok((record, out, topo))
}

/// `drillsim topology export DIR`: writes the network's CSV files atomically.
pub fn export_topology(topology: Option<&Path>, dir: &Path) -> Result<Arc<Topology>, Error> {
    let topo = load_topology(topology)?;
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let files = topology_csv::files(&topo).map_err(io)?;
    crate::output::write_atomically(dir, &files).map_err(io)?;
    Ok(topo)
}
