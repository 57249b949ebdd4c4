//! `drillsim` command line: parse arguments, call the library, map failures
//! to exit codes (0 ok, 1 I/O error, 2 bad input or usage).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use drillsim::app::{self, Error, RunArgs};
use drillsim::model::diag::shown_path;
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
    /// Replace an existing output folder even if drillsim did not write it,
    /// or it holds files drillsim did not write (never one holding this
    /// command's inputs, never a read-only one).
    #[arg(long, global = true)]
    force: bool,
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
        /// Output folder. Default: runs/<scenario>-<plan>[-<options>]-s<seed>/, named by everything that changes the result (README "Guarantees").
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
    /// Assess a real drill from its log: replay the scenario with the logged
    /// actions as the decisions and write the run folder (record, obligations,
    /// events, report marked as the assessment of a real drill).
    Assess {
        /// Scenario file (RON) the drill played.
        scenario: PathBuf,
        /// Plan revision: a bundled name (sat-overall, unit-plan) or a RON file.
        #[arg(long, value_name = "PLAN", default_value = app::DEFAULT_PLAN)]
        plan: String,
        /// The drill log (CSV; see README "The drill log").
        #[arg(long, value_name = "FILE")]
        log: PathBuf,
        /// Seed of the threat's random streams (a package's template says
        /// the seed it was made with).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The log decides for this body only (BODY or BODY@UNIT, as
        /// `tabletop --as`); the simulated teams play every other body.
        /// Default: the log decides for every body.
        #[arg(long = "as", value_name = "BODY[@UNIT]")]
        play_as: Option<String>,
        /// Teams and readiness file (RON). Default: the bundled assets/teams.ron.
        #[arg(long, value_name = "FILE")]
        teams: Option<PathBuf>,
        /// Folder with nodes.csv and links.csv to use instead of the generated national network.
        #[arg(long, value_name = "DIR")]
        topology: Option<PathBuf>,
        /// Scoring thresholds file (RON). Default: the bundled assets/scoring.ron.
        #[arg(long, value_name = "FILE")]
        scoring: Option<PathBuf>,
        /// Language of the report: zh (default) or en.
        #[arg(long, value_name = "LANG", default_value = "zh", value_parser = parse_lang)]
        lang: Lang,
        /// Output folder. Default: runs/<scenario>-drill-<seed>/.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Counterfactuals over seeds SEED..SEED+N-1: the logged timings, the
        /// plan followed exactly, the simulated teams, and each late action's
        /// cost (0 = off).
        #[arg(long, value_name = "N", default_value_t = 20)]
        runs: u64,
        /// Worker threads of the counterfactual runs (0 = one per core). Results do not depend on it.
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
        /// Output folder. Default: runs/batch-<scenarios>-<plans>[-<options>]-s<seed>-n<runs>/, named by everything that changes the result (README "Guarantees").
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
    /// Play one body of the plan against a scenario, step by step (a
    /// tabletop exercise); the simulated teams play every other body.
    /// Commands from the terminal, or a script on stdin (one per line).
    /// Writes the run folder and drill-log.csv (what `assess` reads).
    Tabletop {
        /// Scenario file (RON).
        scenario: PathBuf,
        /// Plan revision: a bundled name (sat-overall, unit-plan) or a RON file.
        #[arg(long, value_name = "PLAN", default_value = app::DEFAULT_PLAN)]
        plan: String,
        /// The body the players play, BODY or BODY@UNIT (unit by node id or name),
        /// e.g. emergency_office@sc.
        #[arg(long = "as", value_name = "BODY[@UNIT]")]
        play_as: String,
        /// Teams and readiness file (RON). Default: the bundled assets/teams.ron.
        #[arg(long, value_name = "FILE")]
        teams: Option<PathBuf>,
        /// Folder with nodes.csv and links.csv to use instead of the generated national network.
        #[arg(long, value_name = "DIR")]
        topology: Option<PathBuf>,
        /// Seed of the run's random streams.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also show the ground truth (infected hosts, nodes down, where the worm is).
        #[arg(long)]
        facilitator: bool,
        /// Language of the session and the report: zh (default) or en.
        #[arg(long, value_name = "LANG", default_value = "zh", value_parser = parse_lang)]
        lang: Lang,
        /// Output folder. Default: runs/tabletop-<scenario>-<seed>/.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Prepare a real drill: the master scenario events list (msel.csv,
    /// msel.html), one observer sheet per body, the drill-log template and,
    /// with --deadline, the preparation schedule — derived from one run of
    /// the scenario with the plan at perfect readiness.
    Package {
        /// Scenario file (RON). Default: the bundled scenarios/national-worm.ron.
        scenario: Option<PathBuf>,
        /// Plan revision: a bundled name (sat-overall, unit-plan) or a RON file.
        #[arg(long, value_name = "PLAN", default_value = app::DEFAULT_PLAN)]
        plan: String,
        /// Teams file (RON): its duty calendar gives the working days. Default: assets/teams.ron.
        #[arg(long, value_name = "FILE")]
        teams: Option<PathBuf>,
        /// Folder with nodes.csv and links.csv to use instead of the generated national network.
        #[arg(long, value_name = "DIR")]
        topology: Option<PathBuf>,
        /// Seed of the perfect-readiness run the expected actions come from.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Day of the drill (YYYY-MM-DD): clock times in the MSEL and sheets.
        /// With --deadline and no drill date, the schedule picks one.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        drill_date: Option<jiff::civil::Date>,
        /// Deadline (YYYY-MM-DD; the 2002 notice's is 10-15): schedule.csv
        /// and msel.html's schedule, worked back from it.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        deadline: Option<jiff::civil::Date>,
        /// Language of msel.html, the observer sheets and the names in the CSVs: zh (default) or en.
        #[arg(long, value_name = "LANG", default_value = "zh", value_parser = parse_lang)]
        lang: Lang,
        /// Output folder. Default: packages/<scenario>-<plan>/.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
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
    /// seeds (in parallel, like batch) and writes coverage.csv (clauses ×
    /// scenarios), the heat map charts/coverage.svg/.png and coverage.md
    /// (the verdict: a smallest covering set; clauses left out and why).
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
        /// Worker threads (0 = one per core). Results do not depend on it.
        #[arg(long, default_value_t = 0)]
        jobs: usize,
        /// Output folder. Default: coverage-<plan>/.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Language of the chart: zh (default) or en (coverage.md has both).
        #[arg(long, value_name = "LANG", default_value = "zh", value_parser = parse_lang)]
        lang: Lang,
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

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    s.parse::<jiff::civil::Date>()
        .map_err(|e| format!("`{s}` is not a date YYYY-MM-DD: {e}"))
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
    drillsim::output::guard::set_force(cli.force);
    drillsim::output::guard::cleanup_on_signals();
    match dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Every message escapes what it quotes; this catches the rest.
            eprintln!("{}", drillsim::model::diag::escape_controls(&e.to_string()));
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
        Command::Assess {
            scenario,
            plan,
            log,
            seed,
            play_as,
            teams,
            topology,
            scoring,
            lang,
            out,
            runs,
            jobs,
        } => {
            let r = drillsim::drill::assess(&drillsim::drill::AssessArgs {
                scenario,
                plan: Some(plan),
                log,
                topology,
                teams,
                scoring,
                lang,
                seed,
                out,
                runs,
                jobs,
                play_as,
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
            println!("{what}{resumed} → {}", shown_path(&b.out));
        }
        Command::Merge { dirs, out } => {
            let m = drillsim::batch::merge::merge(&dirs, &out)?;
            println!(
                "{} shards, {} runs → {}",
                m.shards,
                m.rows,
                shown_path(&m.out)
            );
        }
        Command::Compare { dir_a, dir_b, out } => {
            let c = drillsim::batch::compare::compare(&dir_a, &dir_b, out.as_deref())?;
            println!(
                "{} pair(s) of variants compared → {}",
                c.pairs.len(),
                shown_path(&c.out)
            );
        }
        Command::Tabletop {
            scenario,
            plan,
            play_as,
            teams,
            topology,
            seed,
            facilitator,
            lang,
            out,
        } => {
            use std::io::IsTerminal;
            let stdin = std::io::stdin();
            let interactive = stdin.is_terminal();
            let r = drillsim::tabletop::run(
                &drillsim::tabletop::TabletopArgs {
                    scenario,
                    topology,
                    plan,
                    play_as,
                    teams,
                    seed,
                    facilitator,
                    lang,
                    out,
                },
                &mut stdin.lock(),
                &mut std::io::stdout(),
                interactive,
            )?;
            println!(
                "{}",
                drillsim::output::human_summary(&r.record, &r.assessment, &r.out)
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
            jobs,
            out,
            lang,
        } => {
            use drillsim::library::coverage;
            let (c, out) = coverage::coverage(&coverage::Args {
                plan,
                scenarios,
                runs,
                seed,
                jobs,
                out,
                lang,
            })?;
            let covered = c.clauses.len() - c.uncovered.len();
            println!(
                "{covered} of {} clauses of {} exercised by {} scenario(s) × {runs} run(s) → {}",
                c.clauses.len(),
                c.plan,
                c.columns.len(),
                shown_path(&out)
            );
            println!("{}", coverage::verdict(&c, Lang::Zh));
            println!("{}", coverage::verdict(&c, Lang::En));
        }
        Command::List { lang } => print!("{}", drillsim::library::list(lang)?),
        Command::Validate { files, topology } => {
            let (out, result) = drillsim::library::validate(&files, topology.as_deref());
            print!("{out}");
            return result;
        }
        Command::Package {
            scenario,
            plan,
            teams,
            topology,
            seed,
            drill_date,
            deadline,
            lang,
            out,
        } => {
            let p = drillsim::package::package(&drillsim::package::PackageArgs {
                scenario,
                topology,
                plan: Some(plan),
                teams,
                seed,
                drill_date,
                deadline,
                lang,
                out,
            })?;
            let when = match (&p.schedule, p.drill_date) {
                (Some(s), _) => format!(
                    ", drill day {}{}, schedule {} – {}",
                    s.drill,
                    if s.drill_picked { " (picked)" } else { "" },
                    s.milestones
                        .first()
                        .map(|m| m.date.to_string())
                        .unwrap_or_default(),
                    s.deadline
                ),
                (None, Some(d)) => format!(", drill day {d}"),
                (None, None) => String::new(),
            };
            println!(
                "{} inject(s), {} expected action(s), {} observer sheet(s){when} → {}",
                p.injects,
                p.actions,
                p.bodies,
                shown_path(&p.out)
            );
        }
        Command::Topology { command } => match command {
            TopologyCommand::Export { dir, topology } => {
                let topo = app::export_topology(topology.as_deref(), &dir)?;
                println!(
                    "wrote {} nodes and {} links to {}",
                    topo.nodes.len(),
                    topo.links.len(),
                    shown_path(&dir)
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
