//! Real drills: the drill log ([`log`]) and `drillsim assess`, which
//! replays a scenario with the log's actions as the decisions and scores it
//! exactly as a simulated run. The log decides for every body
//! ([`Control::All`]: a real drill, where people played every part), or
//! with `--as BODY[@UNIT]` for that body only while the simulated teams
//! play the rest ([`Control::Only`]: a tabletop's setting, so a tabletop's
//! `drill-log.csv` assessed `--as` the same body scores as the session did).

pub mod counterfactual;
pub mod log;

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::{self, Error};
use crate::engine::response::external::Control;
use crate::engine::{ResponseSetup, RunConfig, RunRecord, Sim};
use crate::report::Lang;
use crate::score::{self, Assessment};

/// Options of `drillsim assess`.
#[derive(Debug, Clone, Default)]
pub struct AssessArgs {
    pub scenario: PathBuf,
    /// Plan name or file (default `sat-overall`).
    pub plan: Option<String>,
    /// The drill log (CSV).
    pub log: PathBuf,
    pub topology: Option<PathBuf>,
    /// Teams file (default `assets/teams.ron`): which unit acts for a body
    /// where (staffing), the damage model's backup intervals.
    pub teams: Option<PathBuf>,
    pub scoring: Option<PathBuf>,
    pub lang: Lang,
    /// Seed of the threat's random streams.
    pub seed: u64,
    /// Output folder. Default: `runs/<scenario>-drill-<seed>`.
    pub out: Option<PathBuf>,
    /// Seeds of the counterfactuals (see [`counterfactual`]); 0: none.
    pub runs: u64,
    /// Worker threads of the counterfactual runs (0 = one per core).
    pub jobs: usize,
    /// `BODY` or `BODY@UNIT`: the log decides for that body only (as in a
    /// tabletop); None: for every body.
    pub play_as: Option<String>,
}

/// What `drillsim assess` produced.
pub struct AssessOutput {
    pub record: RunRecord,
    pub assessment: Assessment,
    pub out: PathBuf,
}

/// The inputs of an assessment, loaded and checked together.
pub struct Inputs {
    pub topo: Arc<crate::model::topology::Topology>,
    pub scenario: Arc<crate::model::scenario::Scenario>,
    pub setup: ResponseSetup,
    pub thresholds: score::Thresholds,
    pub log: log::DrillLog,
    /// Whom the log decides for (`--as`).
    pub control: Control,
}

/// Loads every input and the log; every problem of every file at once
/// ([`app::load_inputs_with`], the loader and checks `run` uses).
pub fn load(args: &AssessArgs) -> Result<Inputs, Error> {
    let files = app::InputFiles {
        topology: args.topology.as_deref(),
        scenario: Some(&args.scenario),
        plan: args.plan.as_deref(),
        teams: args.teams.as_deref(),
        scoring: args.scoring.as_deref(),
    };
    let (inputs, (control, log)) = app::load_inputs_with(&files, |got, problems| {
        let control = match (&args.play_as, got.plan) {
            (None, _) => Some(Control::All),
            (Some(s), Some(p)) => crate::tabletop::parse_as(s, p, got.topo)
                .map(|me| Control::Only {
                    body: me.body,
                    unit: me.unit,
                })
                .map_err(|d| problems.push(d))
                .ok(),
            (Some(_), None) => None,
        };
        let log = match (got.scenario, got.plan) {
            (Some(s), Some(p)) => log::read(&args.log, got.topo, p, s.start)
                .map_err(|d| problems.0.extend(d.0))
                .ok(),
            _ => None,
        };
        Some((control?, log?))
    })?;
    Ok(Inputs {
        topo: inputs.topo,
        scenario: inputs.scenario,
        setup: ResponseSetup {
            plan: inputs.plan,
            teams: inputs.teams,
            spread: true,
        },
        thresholds: inputs.thresholds,
        log,
        control,
    })
}

/// Replays the scenario with the log's actions (seed `seed`) and returns
/// the record, marked with the log's name and rows.
pub fn replay(inputs: &Inputs, log_name: &str, seed: u64) -> RunRecord {
    let mut record = replay_actions(inputs, inputs.log.actions.clone(), seed);
    if let Some(d) = record.drill.as_mut() {
        d.log = log_name.to_string();
        d.rows = inputs.log.rows;
    }
    record
}

/// The scenario run to its end (seed `seed`) with `actions` as the
/// decisions of the bodies the inputs' `--as` names: the log's own, or a
/// counterfactual's edit of them.
pub fn replay_actions(
    inputs: &Inputs,
    actions: Vec<crate::engine::response::external::LoggedAction>,
    seed: u64,
) -> RunRecord {
    Sim::with_response(
        inputs.topo.clone(),
        inputs.scenario.clone(),
        Some(inputs.setup.clone()),
        RunConfig {
            seed,
            response: true,
        },
    )
    .with_external(inputs.control, actions)
    .run_to_end()
}

/// `drillsim assess`: loads, replays the drill log, scores, writes the run
/// folder (the same files as `run`) atomically. Bad input: nothing written.
pub fn assess(args: &AssessArgs) -> Result<AssessOutput, Error> {
    let inputs = load(args)?;
    let name = args
        .log
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut record = replay(&inputs, &name, args.seed);
    if args.runs > 0 {
        let cf = counterfactual::compute(&inputs, &record, args.seed, args.runs, args.jobs)?;
        if let Some(d) = record.drill.as_mut() {
            d.counterfactuals = Some(cf);
        }
    }
    let assessment = score::assess(&record, &inputs.thresholds);
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("runs").join(format!("{}-drill-{}", inputs.scenario.slug, args.seed))
    });
    crate::output::write_atomically_with(&out, |tmp| {
        crate::output::write_run_files(tmp, &record, &assessment, args.lang, None)
    })
    .map_err(|source| Error::Io {
        path: out.clone(),
        source,
    })?;
    Ok(AssessOutput {
        record,
        assessment,
        out,
    })
}
