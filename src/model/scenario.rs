//! Scenarios: a timed script of injects played on the network.
//!
//! This file holds the *validated* model the engine consumes. The RON file
//! format (raw serde structs) and the loader that turns a file into a
//! [`Scenario`], reporting every problem with file:line:col, live beside it.

use std::path::PathBuf;

use super::topology::{LinkId, NodeId};

/// A validated scenario, references resolved against one topology.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Display name (Chinese and/or English).
    pub name: String,
    pub description: String,
    /// Short name for output folders, from the file stem (e.g. `national-worm`).
    pub slug: String,
    /// Calendar start of the scenario.
    pub start: jiff::civil::DateTime,
    /// Simulated duration in minutes.
    pub duration_min: f64,
    /// Tick length in minutes (default 1).
    pub tick_min: f64,
    /// Validation mode: every node has exactly this many hosts (the pure
    /// network SIR uses 1). `None` keeps the topology's host counts.
    pub hosts_per_node: Option<u32>,
    /// Injects, sorted by time (stable: file order among equal times).
    pub injects: Vec<Inject>,
    /// Exercise objectives, in file order (may be empty).
    pub objectives: Vec<Objective>,
    /// Where it was loaded from (None for built-in test scenarios).
    pub source: Option<PathBuf>,
}

/// One exercise objective: what the exercise tests, the capability that
/// rates it and the plan clause behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    pub capability: crate::score::Capability,
    pub clause: String,
    pub text: String,
}

/// One timed inject.
#[derive(Clone, Debug, PartialEq)]
pub struct Inject {
    /// Minutes from the scenario start.
    pub at_min: f64,
    pub kind: InjectKind,
    /// Label of the compound event this inject belongs to: injects with the
    /// same label are one incident (e.g. an earthquake and the power cut it
    /// causes), graded by its highest impact. `None`: an incident of its own.
    pub incident: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum InjectKind {
    /// A worm is released.
    Worm(WormInject),
    /// A line is cut (or its device fails). `None` = until repaired.
    LinkCut {
        link: LinkId,
        duration_min: Option<f64>,
    },
    /// A node's equipment fails (router, core switch). `None` = until repaired.
    /// The response's repair takes the teams file's `repair` time when a
    /// spare is held at the site, else the replacement's shipping time.
    NodeFailure {
        node: NodeId,
        duration_min: Option<f64>,
        /// Whether a spare device is held at the site (None: the teams
        /// file's `spare_equipment` for the site's tier).
        spare: Option<bool>,
        /// Minutes to ship and fit a replacement when no spare is held
        /// (None: the teams file's `supplier_repair`).
        replacement_min: Option<f64>,
    },
    /// Mains power is lost over an area. Sites with backup power keep
    /// running for their `backup_power_hours` when `backup_power` is true.
    PowerOutage {
        nodes: Vec<NodeId>,
        duration_min: f64,
        backup_power: bool,
    },
    /// A regional disaster (earthquake, flood, fire): each node of the area
    /// is destroyed with probability `node_fraction` for `duration_min`.
    Disaster {
        nodes: Vec<NodeId>,
        node_fraction: f64,
        duration_min: f64,
    },
    /// An intrusion kill chain (see [`IntrusionInject`]).
    Intrusion(IntrusionInject),
    /// A defaced website (see [`DefacementInject`]).
    Defacement(DefacementInject),
    /// A denial-of-service attack on an online-filing portal (see [`DosInject`]).
    DenialOfService(DosInject),
    /// Records exfiltrated from a data centre (see [`LeakInject`]).
    DataLeak(LeakInject),
    /// A virus in one site's office hosts (see [`VirusInject`]).
    Virus(VirusInject),
    /// An insider misusing access at a unit (see [`InsiderInject`]).
    Insider(InsiderInject),
}

/// A flood of traffic at a portal's internet gateway: the attack takes
/// `attack_share` of the portal's capacity (≥ 1: saturated, nothing is
/// served and the site's internet-facing services are down). Taxpayers'
/// filings above what is left are turned away: `abandon_share` of them are
/// lost (given up, or filed late at the counter), the rest retry later
/// (delayed). Demand follows the calendar (`engine::threats::dos`).
#[derive(Clone, Debug, PartialEq)]
pub struct DosInject {
    pub name: String,
    pub site: NodeId,
    /// Filings at the portal in a month.
    pub filings_per_month: f64,
    /// Filings the portal serves per hour at most.
    pub capacity_per_hour: f64,
    /// Attack traffic as a share of the portal's capacity.
    pub attack_share: f64,
    /// The attacker stops by itself after this long (None: until mitigated).
    pub duration_min: Option<f64>,
    /// Share of turned-away filings lost, 0–1 (the rest are delayed).
    pub abandon_share: f64,
    /// Rate at which monitoring or taxpayers' complaints show it, per hour.
    pub notice_per_hour: f64,
}

/// Who can discover a data leak, in `LeakInject::discover_per_hour` order.
pub const LEAK_DISCOVERERS: [&str; 4] = ["audit", "buyer", "press", "police"];

/// Taxpayer records copied out of a data centre at `records_per_hour`
/// (for `duration_min`, or until the response cuts the source), discovered
/// later by an internal audit or from outside (a buyer of the data, the
/// press, the police), each at its own rate per hour.
#[derive(Clone, Debug, PartialEq)]
pub struct LeakInject {
    pub name: String,
    pub site: NodeId,
    pub records_per_hour: f64,
    /// The exfiltration stops by itself after this long (None: until cut).
    pub duration_min: Option<f64>,
    /// Rates in [`LEAK_DISCOVERERS`] order, per hour.
    pub discover_per_hour: [f64; 4],
}

/// What an insider does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misuse {
    /// Looks up and copies taxpayer records without a business need.
    DataAccess,
    /// Connects a computer of the internal network to the internet (a
    /// modem or a second network card): a rule violation.
    InternetLink,
}

impl Misuse {
    pub const ALL: [Misuse; 2] = [Misuse::DataAccess, Misuse::InternetLink];
    pub fn as_str(self) -> &'static str {
        match self {
            Misuse::DataAccess => "data_access",
            Misuse::InternetLink => "internet_link",
        }
    }
    pub fn parse(s: &str) -> Option<Misuse> {
        Misuse::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// An insider at `site` misusing access from the inject until the response
/// stops it; an audit of access logs or of the network finds it after an
/// exponential time of rate `audit_per_hour`.
#[derive(Clone, Debug, PartialEq)]
pub struct InsiderInject {
    pub name: String,
    pub site: NodeId,
    pub misuse: Misuse,
    /// Records copied per hour (data access).
    pub records_per_hour: f64,
    pub audit_per_hour: f64,
}

/// A virus among one site's office hosts: it spreads inside the site's LAN
/// (not over the WAN) at `spread_per_hour` (rate β·S·I/N), and on a share
/// of the hosts it infects its payload destroys or encrypts the local data
/// some time after the infection (exponential, mean `payload_delay_min`).
/// The antivirus raises an alert on a newly infected host with probability
/// `antivirus`; a host whose files are hit is noticed by its user.
#[derive(Clone, Debug, PartialEq)]
pub struct VirusInject {
    pub name: String,
    pub site: NodeId,
    /// Hosts infected at the inject (capped at the site's hosts).
    pub initial_hosts: u32,
    pub spread_per_hour: f64,
    pub payload: Payload,
    /// Mean minutes from a host's infection to its payload.
    pub payload_delay_min: f64,
    /// Probability the antivirus alerts on a newly infected host.
    pub antivirus: f64,
}

/// A public website's pages replaced (defacement or harmful content): the
/// pages are seen by `views_per_hour` visitors, a number that grows by
/// `growth_per_hour` of itself each hour as the pages are shared; staff,
/// taxpayers and the press each notice them at their own rate (per hour,
/// the first to notice tells the site).
#[derive(Clone, Debug, PartialEq)]
pub struct DefacementInject {
    pub name: String,
    pub site: NodeId,
    pub views_per_hour: f64,
    pub growth_per_hour: f64,
    /// Rates at which staff, taxpayers and the press notice, per hour.
    pub notice_per_hour: [f64; 3],
    /// Harmful (illegal) content posted, not the pages defaced: an
    /// incident of the plans' content-security class rather than
    /// tampering (`ThreatKind::HarmfulContent`).
    pub harmful: bool,
}

/// What an intruder does once at the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntrusionGoal {
    /// Copies taxpayer records out (a data leak).
    Exfiltrate,
    /// Alters records in the target's systems.
    Tamper,
    /// Replaces the target's public website pages.
    Deface,
}

/// The stages of an intrusion kill chain, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Recon,
    Exploit,
    Foothold,
    Lateral,
    Action,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Recon,
        Stage::Exploit,
        Stage::Foothold,
        Stage::Lateral,
        Stage::Action,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Recon => "recon",
            Stage::Exploit => "exploit",
            Stage::Foothold => "foothold",
            Stage::Lateral => "lateral",
            Stage::Action => "action",
        }
    }
}

impl IntrusionGoal {
    pub const ALL: [IntrusionGoal; 3] = [
        IntrusionGoal::Exfiltrate,
        IntrusionGoal::Tamper,
        IntrusionGoal::Deface,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            IntrusionGoal::Exfiltrate => "exfiltrate",
            IntrusionGoal::Tamper => "tamper",
            IntrusionGoal::Deface => "deface",
        }
    }
    pub fn parse(s: &str) -> Option<IntrusionGoal> {
        IntrusionGoal::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// An intrusion kill chain: reconnaissance of an internet-facing service at
/// `entry`, exploit, foothold, lateral movement up the WAN one bureau at a
/// time to `target` (a provincial data centre or HQ), then the objective.
/// Stage times are exponential with the given means; each stage raises an
/// alert the teams can pick up with its probability in `detect`.
#[derive(Clone, Debug, PartialEq)]
pub struct IntrusionInject {
    pub name: String,
    pub entry: NodeId,
    /// Entry, its parent, … up to the target (both ends included).
    pub path: Vec<NodeId>,
    pub objective: IntrusionGoal,
    /// Mean minutes per stage, in [`Stage::ALL`] order (lateral: per hop).
    pub mean_min: [f64; 5],
    /// Probability each stage raises an alert, in [`Stage::ALL`] order.
    pub detect: [f64; 5],
    /// Records copied out per hour while exfiltrating.
    pub records_per_hour: f64,
    /// The external partner line (customs, finance, banks) the intruder
    /// comes in over, from a compromised partner system; `None`: from the
    /// internet. Cutting the attack source at the entry cuts this line.
    pub via: Option<LinkId>,
}

/// Parameters of a worm. Rates are continuous-time rates per hour.
#[derive(Clone, Debug, PartialEq)]
pub struct WormInject {
    pub name: String,
    /// Nodes with infected hosts at release.
    pub initial_nodes: Vec<NodeId>,
    /// Infected hosts placed at each initial node (capped at its susceptible hosts).
    pub initial_hosts: u32,
    /// Gateway nodes exposed to scanning from the internet.
    pub internet_entry: Vec<NodeId>,
    /// Rate at which internet scanning hits one exposed gateway's hosts
    /// (per hour, scaled by the susceptible share of the node's hosts).
    pub internet_scan_per_hour: f64,
    /// Spread inside a node (well mixed): rate β·S·I/N.
    pub beta_per_hour: f64,
    /// Spread across an active link from u to v: rate τ·I_u·S_v/N_v.
    pub tau_per_hour: f64,
    /// Natural recovery (reboot, memory-resident worms): rate γ·I.
    pub gamma_per_hour: f64,
    /// Share of hosts vulnerable at release; the rest start patched/immune.
    pub vulnerable_fraction: f64,
    /// Worm traffic each infected host sends over each of its node's lines
    /// (kbit/s); a line saturates when the infected hosts at its two ends
    /// exceed its capacity. 0 = no traffic effect.
    pub traffic_kbps_per_host: f64,
    /// What the worm does to the data of the hosts it infects (None: nothing,
    /// as Slammer, which lived in memory only).
    pub payload: Option<Payload>,
}

/// A worm's destructive payload: a share of newly infected hosts lose
/// their local data (deleted or encrypted) back to the site's last backup.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Payload {
    pub kind: PayloadKind,
    /// Share of newly infected hosts whose data is hit, 0–1.
    pub share: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadKind {
    /// Files deleted or overwritten.
    Destroy,
    /// Files encrypted (ransom); recovered from backup, never by paying.
    Encrypt,
}

impl PayloadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PayloadKind::Destroy => "destroy",
            PayloadKind::Encrypt => "encrypt",
        }
    }
}
