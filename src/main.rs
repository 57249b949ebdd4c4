//! `drillsim` command line: parse arguments, call the library, map failures
//! to exit codes (0 ok, 1 I/O error, 2 bad input or usage).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use drillsim::app::{self, Error, RunArgs};
use drillsim::model::topology_summary;

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
        /// Let the threat run its natural course, with no response.
        #[arg(long)]
        no_response: bool,
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

fn main() -> ExitCode {
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
            no_response,
        } => {
            let (record, out, _) = app::run(&RunArgs {
                scenario,
                topology,
                seed,
                out,
                no_response,
            })?;
            println!("{}", drillsim::output::human_summary(&record, &out));
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
