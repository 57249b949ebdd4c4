//! `drillsim` command line: parse arguments, call the library, map failures
//! to exit codes (0 ok, 1 I/O error, 2 bad input or usage).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use drillsim::app::{self, Error, RunArgs};
use drillsim::model::topology_summary;
use drillsim::report::Lang;

#[derive(Parser)]
#[command(
    name = "drillsim",
    version,
    about = "Drill and tabletop-exercise simulator for network-security incident plans"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario on the network and write timeline.csv, events.csv and summary.json.
    Run {
        /// Scenario file (RON). Default: the bundled scenarios/national-worm.ron.
        scenario: Option<PathBuf>,
        /// Folder with nodes.csv and links.csv to use instead of the generated national network.
        #[arg(long, value_name = "DIR")]
        topology: Option<PathBuf>,
        /// Seed of the run's random streams.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output folder. Default: runs/<scenario>-<seed>/.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Plan revision: a bundled name (sat-overall, unit-plan) or a RON file.
        #[arg(long, value_name = "PLAN", default_value = app::DEFAULT_PLAN)]
        plan: String,
        /// Teams and readiness file (RON). Default: the bundled assets/teams.ron.
        #[arg(long, value_name = "FILE")]
        teams: Option<PathBuf>,
        /// Perfect readiness: no deviations, staff always on duty, median durations.
        #[arg(long)]
        perfect_readiness: bool,
        /// Let the threat run its natural course, with no response.
        #[arg(long)]
        no_response: bool,
        /// Scoring thresholds file (RON). Default: the bundled assets/scoring.ron.
        #[arg(long, value_name = "FILE")]
        scoring: Option<PathBuf>,
        /// Language of the after-action report: zh (default) or en.
        #[arg(long, value_name = "LANG", default_value = "zh", value_parser = parse_lang)]
        lang: Lang,
        /// Also run seeds SEED..SEED+N-1 and report how typical this run is
        /// (spread.json and the report's "Spread across seeds"; 0 = off).
        #[arg(long, value_name = "N", default_value_t = 0)]
        spread: u64,
        /// Worker threads of the --spread runs (0 = one per core). Results do not depend on it.
        #[arg(long, default_value_t = 0)]
        jobs: usize,
    },
    /// Score a saved run again and rewrite its tables and report (no re-simulation).
    Report {
        /// A run folder written by `drillsim run` (it holds record.json).
        run_dir: PathBuf,
        /// Scoring thresholds file (RON). Default: the bundled assets/scoring.ron.
        #[arg(long, value_name = "FILE")]
        scoring: Option<PathBuf>,
        /// Language of the after-action report: zh or en. Default: the
        /// language the run folder's report was written in (report.lang), else zh.
        #[arg(long, value_name = "LANG", value_parser = parse_lang)]
        lang: Option<Lang>,
    },
    /// Lint plan files: steps that can never run, classes without a procedure,
    /// levels without a lead, unknown bodies, infeasible deadlines, reporting gaps.
    Check {
        /// Plan files (RON) or bundled plan names.
        #[arg(required = true)]
        plans: Vec<String>,
    },
    /// Run every (scenario, plan, teams) variant over the same seeds in
    /// parallel and write runs.csv, summary.csv, aggregates.json, batch.json
    /// and the report (paired differences).
    Batch {
        /// Scenario files (RON). Default: the bundled scenarios/national-worm.ron.
        scenarios: Vec<PathBuf>,
        /// Plan revision (repeat for several): a bundled name or a RON file. Default: sat-overall.
        #[arg(long = "plan", value_name = "PLAN")]
        plans: Vec<String>,
        /// Runs per variant; run i uses seed S + i in every variant.
        #[arg(long, default_value_t = 100)]
        runs: u64,
        /// First seed S.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Worker threads (0 = one per core). Results do not depend on it.
        #[arg(long, default_value_t = 0)]
        jobs: usize,
        /// Output folder. Default: runs/batch-<scenario>-s<seed>-n<runs>/.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Folder with nodes.csv and links.csv to use instead of the generated national network.
        #[arg(long, value_name = "DIR")]
        topology: Option<PathBuf>,
        /// Teams and readiness file (RON; repeat for several: each is a
        /// variant). Default: the bundled assets/teams.ron.
        #[arg(long = "teams", value_name = "FILE")]
        teams: Vec<PathBuf>,
        /// Scoring thresholds file (RON). Default: the bundled assets/scoring.ron.
        #[arg(long, value_name = "FILE")]
        scoring: Option<PathBuf>,
        /// Perfect readiness: no deviations, staff always on duty, median durations.
        #[arg(long)]
        perfect_readiness: bool,
        /// Let the threat run its natural course, with no response.
        #[arg(long)]
        no_response: bool,
        /// Language of report.html, report.md and the charts: zh (default) or en.
        #[arg(long, value_name = "LANG", default_value = "zh", value_parser = parse_lang)]
        lang: Lang,
        /// Run only shard i of n: seed indices ⌊(i−1)·N/n⌋..⌊i·N/n⌋ of every
        /// variant (combine the shards with `drillsim merge`).
        #[arg(long, value_name = "I/N", value_parser = parse_shard)]
        shard: Option<drillsim::batch::manifest::Shard>,
        /// Continue an interrupted batch (same arguments) from its working
        /// folder .NAME.partial beside --out, without redoing finished runs.
        #[arg(long)]
        resume: bool,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Also keep each run's record.json under runs/<variant>-<seed>/
        /// (for `drillsim report`; about 3.6 MB per national run).
        #[arg(long)]
        keep_runs: bool,
    },
    /// Merge the shards of one batch (`batch --shard i/n`) into the folder
    /// one machine would have written.
    Merge {
        /// Shard folders, every shard of the batch once, in any order.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Compare two saved batch folders: paired differences and verdicts of
    /// every variant of B against every variant of A with the same scenario
    /// (runs paired by seed; both must have the same seeds).
    Compare {
        /// Batch folder A (the baseline), as written by `drillsim batch`.
        dir_a: PathBuf,
        /// Batch folder B.
        dir_b: PathBuf,
        /// Output folder. Default: compare-<A>-vs-<B>/ beside DIR_B.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// What changed between two plan revisions, clause by clause (levels,
    /// procedures and their steps, reporting rules, …).
    Diff {
        /// Plan A (old): a bundled name (sat-overall, unit-plan) or a RON file.
        plan_a: String,
        /// Plan B (new): a bundled name or a RON file.
        plan_b: String,
        /// Output format: text (default) or md (Markdown).
        #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = parse_format)]
        format: drillsim::plan_diff::Format,
    },
    /// The bundled scenarios and plans, each with a one-line description
    /// (Chinese and English).
    List {
        /// Only one language: zh or en. Default: both.
        #[arg(long, value_name = "LANG", value_parser = parse_lang)]
        lang: Option<Lang>,
    },
    /// Validate input files: scenario, plan, teams, scoring (RON) and topology
    /// (a folder, nodes.csv or links.csv), the kind told from the content;
    /// every problem with its position; exit 2 on any error.
    Validate {
        /// Files or topology folders.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Folder with nodes.csv and links.csv that scenarios and teams files
        /// refer to, instead of the generated national network.
        #[arg(long, value_name = "DIR")]
        topology: Option<PathBuf>,
    },
    /// Which clauses of a plan the scenarios exercise: runs each scenario N
    /// seeds and writes coverage.csv (clauses × scenarios) and coverage.md
    /// (clauses left out and why; a covering set of scenarios).
    Coverage {
        /// Plan revision: a bundled name or a RON file.
        #[arg(long, value_name = "PLAN", default_value = app::DEFAULT_PLAN)]
        plan: String,
        /// Scenario files (RON). Default: every bundled scenario.
        scenarios: Vec<PathBuf>,
        /// Runs per scenario (seeds S..S+N-1).
        #[arg(long, default_value_t = 3)]
        runs: u64,
        /// First seed S.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output folder. Default: coverage-<plan>/.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Inspect or export the network model.
    Topology {
        #[command(subcommand)]
        command: TopologyCommand,
    },
}

#[derive(Subcommand)]
enum TopologyCommand {
    /// Write nodes.csv, links.csv and provinces.csv into DIR.
    Export {
        dir: PathBuf,
        /// Folder with nodes.csv and links.csv to use instead of the generated national network.
        #[arg(long, value_name = "DIR")]
        topology: Option<PathBuf>,
    },
    /// Print counts per tier, hosts, links and services.
    Summary {
        /// Folder with nodes.csv and links.csv to use instead of the generated national network.
        #[arg(long, value_name = "DIR")]
        topology: Option<PathBuf>,
    },
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language `{s}` (zh or en)"))
}

fn parse_shard(s: &str) -> Result<drillsim::batch::manifest::Shard, String> {
    drillsim::batch::manifest::Shard::parse(s)
}

fn parse_format(s: &str) -> Result<drillsim::plan_diff::Format, String> {
    drillsim::plan_diff::Format::parse(s)
        .ok_or_else(|| format!("unknown format `{s}` (text or md)"))
}

fn main() -> ExitCode {
    drillsim::engine::keep_freed_memory();
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn dispatch(command: Command) -> Result<(), Error> {
    match command {
        Command::Run {
            scenario,
            topology,
            seed,
            out,
            plan,
            teams,
            perfect_readiness,
            no_response,
            scoring,
            lang,
            spread,
            jobs,
        } => {
            let r = app::run(&RunArgs {
                scenario,
                topology,
                plan: Some(plan),
                teams,
                perfect: perfect_readiness,
                scoring,
                lang,
                seed,
                out,
                no_response,
                spread,
                jobs,
            })?;
            println!(
                "{}",
                drillsim::output::human_summary(&r.record, &r.assessment, &r.out)
            );
        }
        Command::Report {
            run_dir,
            scoring,
            lang,
        } => {
            let r = app::report(&run_dir, scoring.as_deref(), lang)?;
            println!(
                "{}",
                drillsim::output::human_summary(&r.record, &r.assessment, &r.out)
            );
        }
        Command::Batch {
            scenarios,
            plans,
            runs,
            seed,
            jobs,
            out,
            topology,
            teams,
            scoring,
            perfect_readiness,
            no_response,
            quiet,
            keep_runs,
            lang,
            shard,
            resume,
        } => {
            let b = drillsim::batch::batch(&drillsim::batch::BatchArgs {
                scenarios,
                topology,
                plans,
                teams,
                scoring,
                perfect: perfect_readiness,
                no_response,
                runs,
                seed,
                jobs,
                out,
                quiet,
                keep_runs,
                lang,
                shard,
                resume,
            })?;
            let what = match shard {
                Some(s) => format!("shard {s}: {} run(s)", b.rows.len()),
                None => format!("{} variant(s) × {runs} runs", b.variants.len()),
            };
            let resumed = if b.resumed > 0 {
                format!(" ({} resumed, {} run now)", b.resumed, b.ran)
            } else {
                String::new()
            };
            println!("{what}{resumed} → {}", b.out.display());
        }
        Command::Merge { dirs, out } => {
            let m = drillsim::batch::merge::merge(&dirs, &out)?;
            println!("{} shards, {} runs → {}", m.shards, m.rows, m.out.display());
        }
        Command::Compare { dir_a, dir_b, out } => {
            let c = drillsim::batch::compare::compare(&dir_a, &dir_b, out.as_deref())?;
            println!(
                "{} pair(s) of variants compared → {}",
                c.pairs.len(),
                c.out.display()
            );
        }
        Command::Check { plans } => return app::check(&plans),
        Command::Diff {
            plan_a,
            plan_b,
            format,
        } => print!("{}", app::diff(&plan_a, &plan_b, format)?),
        Command::Coverage {
            plan,
            scenarios,
            runs,
            seed,
            out,
        } => {
            let (c, out) = drillsim::library::coverage::coverage(
                &plan,
                &scenarios,
                runs,
                seed,
                out.as_deref(),
            )?;
            let covered = c.clauses.len() - c.uncovered.len();
            let names: Vec<&str> = c
                .cover
                .iter()
                .map(|&j| c.columns[j].scenario.as_str())
                .collect();
            println!(
                "{covered} of {} clauses of {} exercised by {} scenario(s) × {runs} run(s); \
                 covering set: {} → {}",
                c.clauses.len(),
                c.plan,
                c.columns.len(),
                names.join(", "),
                out.display()
            );
        }
        Command::List { lang } => print!("{}", drillsim::library::list(lang)?),
        Command::Validate { files, topology } => {
            let (out, result) = drillsim::library::validate(&files, topology.as_deref());
            print!("{out}");
            return result;
        }
        Command::Topology { command } => match command {
            TopologyCommand::Export { dir, topology } => {
                let topo = app::export_topology(topology.as_deref(), &dir)?;
                println!(
                    "wrote {} nodes and {} links to {}",
                    topo.nodes.len(),
                    topo.links.len(),
                    dir.display()
                );
            }
            TopologyCommand::Summary { topology } => {
                let topo = app::load_topology(topology.as_deref())?;
                print!("{}", topology_summary::summary(&topo));
            }
        },
    }
    Ok(())
}
