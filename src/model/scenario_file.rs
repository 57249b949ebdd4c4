//! The scenario file format (RON) and its loader.
//!
//! Two stages, like every input of drillsim: serde parses the raw file into
//! the `*File` structs below (`#[serde(deny_unknown_fields)]` on every struct,
//! so a misspelt field is an error, not silently ignored), then [`parse`]
//! validates it against a [`Topology`] and builds the [`Scenario`] the engine
//! consumes. Validation collects *every* problem, each with file:line:col.
//!
//! # Format
//!
//! ```ron
//! Scenario(
//!     name: "全国蠕虫爆发 National worm outbreak",
//!     description: "...",                 // optional, default ""
//!     start: "2002-11-08T09:00:00",        // civil date-time (jiff)
//!     duration: "72h",                     // see [`parse_duration`]
//!     tick: "1m",                          // optional, default "1m"
//!     hosts_per_node: None,                // optional; Some(1) = validation mode
//!     injects: [
//!         (at: "+0m", what: Worm((
//!             name: "...",
//!             initial_nodes: ["gd"],       // the three selectors are optional, default []
//!             initial_provinces: [],
//!             initial_tiers: [],
//!             initial_hosts: 1,            // default 1
//!             internet_entry: (nodes: ["gd"]),   // optional Area, default () = none
//!             internet_scan_per_hour: 0.0, // default 0
//!             beta_per_hour: 2.0,          // default 0
//!             tau_per_hour: 0.05,          // default 0
//!             gamma_per_hour: 0.0,         // default 0
//!             vulnerable_fraction: 0.6,    // default 1
//!             traffic_kbps_per_host: 0.0,  // default 0
//!             payload: Some((kind: "encrypt", share: 0.1)),  // optional, default None
//!         ))),
//!         (at: "+6h", what: LinkCut((a: "hq", b: "gd", duration: Some("4h")))),
//!         (at: "+1h", what: NodeFailure((node: "hq", duration: Some("6h")))),
//!         (at: "+1h", what: NodeFailure((node: "gd", spare: Some(false), replacement: Some("72h")))),
//!         (at: "+2h", what: PowerOutage((area: (provinces: ["sc"]), duration: "8h", backup_power: true))),
//!         (at: "+2h", what: Disaster((area: (provinces: ["sc"]), node_fraction: 0.3, duration: "48h"))),
//!         (at: "+1h", what: Intrusion((
//!             name: "...",                 // optional, default "intrusion"
//!             entry: "gd",                 // internet-facing: a gateway or a public service
//!             target: "hq",                // provincial data centre or HQ: the entry or above it
//!             objective: "exfiltrate",     // or "tamper", "deface"
//!             recon: "6h", exploit: "2h", foothold: "1h", lateral: "3h", action: "4h", // mean times
//!             detect: (recon: 0.05, exploit: 0.2, foothold: 0.1, lateral: 0.15, action: 0.5),
//!             records_per_hour: 20000.0,   // optional, default 0 (exfiltration rate)
//!             via: Some("ext.customs"),    // optional, default None: in over a partner's line
//!         ))),
//!         (at: "+2h", what: Defacement((
//!             name: "...",                 // optional, default "defacement"
//!             site: "gd",                  // a site with a website
//!             views_per_hour: 300.0,       // page views per hour at first
//!             growth_per_hour: 0.2,        // optional, default 0: views grow as e^(g·h)
//!             notice: (staff: 0.1, taxpayers: 0.3, press: 0.05), // per hour; default 0 each
//!             harmful: false,              // optional: true = harmful content posted (class content_security), not pages defaced
//!         ))),
//!         (at: "+1h", what: DenialOfService((
//!             name: "...",                 // optional, default "denial of service"
//!             site: "gd",                  // a provincial bureau or HQ with online filing
//!             filings_per_month: 3000000.0, // the portal's monthly volume
//!             capacity_per_hour: 150000.0, // filings it serves per hour at most
//!             attack_share: 1.5,           // attack traffic / capacity (≥ 1: saturated)
//!             duration: None,              // optional: the attacker stops by itself; None = until mitigated
//!             abandon_share: 0.3,          // optional, default 0.3: turned-away filings lost (rest delayed)
//!             notice_per_hour: 2.0,        // optional, default 2: monitoring or complaints notice it
//!         ))),
//!         (at: "+0m", what: DataLeak((
//!             name: "...",                 // optional, default "data leak"
//!             site: "gd",                  // a data centre (runs the core tax system)
//!             records_per_hour: 50000.0,   // records copied out per hour
//!             duration: Some("20h"),       // optional: stops by itself; None = until the source is cut
//!             discover: (audit: 0.01, buyer: 0.02, press: 0.005, police: 0.005), // per hour; default 0 each
//!         ))),
//!         (at: "+1h", what: Virus((
//!             name: "...",                 // optional, default "virus"
//!             site: "gd.gz",               // a site with office hosts
//!             initial_hosts: 1,            // optional, default 1
//!             spread_per_hour: 0.4,        // inside the site's LAN: rate β·S·I/N
//!             payload: (kind: "destroy", share: 0.5, delay: "4h"), // or "encrypt"; mean delay
//!             antivirus: 0.05,             // alert probability per newly infected host
//!         ))),
//!         (at: "+2h", what: Insider((
//!             name: "...",                 // optional, default "insider"
//!             site: "gd.01",               // the unit where the insider works
//!             misuse: "data_access",       // or "internet_link" (internal network on the internet)
//!             records_per_hour: 200.0,     // optional, default 0 (records copied, data_access)
//!             audit_per_hour: 0.05,        // rate at which an audit finds it, > 0
//!         ))),
//!     ],
//!     objectives: [                        // optional, default []
//!         (capability: "containment", clause: "…", text: "…"),
//!     ],
//! )
//! ```
//!
//! # Rules
//!
//! - **Objectives** (optional): each names a capability of the assessment
//!   (`detection_reporting`, `grading_activation`, `containment`,
//!   `eradication_recovery`, `communication`, `post_incident`), the plan
//!   clause it tests (free text) and a non-empty `text`; the report lists
//!   each with its capability's rating.
//! - **Durations** (`duration`, `tick`, `at`, inject durations): see
//!   [`parse_duration`]. `duration` > 0. Inject durations > 0; they may run past
//!   the scenario end. `LinkCut`/`NodeFailure` durations are `Option`: `None` =
//!   until repaired (by the response teams).
//! - **Tick**: 0 < tick ≤ duration. A tick that does not divide the duration is
//!   allowed: the run has [`tick_count`] = ⌈duration / tick⌉ ticks, i.e. it
//!   ends at the first whole tick at or after `duration`.
//! - **Inject times**: 0 ≤ `at` < `duration` (an inject at or after the end
//!   could never have an effect). Injects are sorted by time, stably (file
//!   order among equal times).
//! - **Rates** (`*_per_hour`, `traffic_kbps_per_host`) are finite and ≥ 0;
//!   **fractions** (`vulnerable_fraction`, `node_fraction`, a payload's
//!   `share`) lie in [0, 1].
//! - **Payload** (worm, optional): `kind` is `"destroy"` (files deleted) or
//!   `"encrypt"` (files encrypted); `share` of newly infected hosts lose their
//!   local data back to the site's last backup (see `engine::damage`). None
//!   (the default) = no payload, as SQL Slammer, which lived in memory only.
//! - **Area selector** `Area(nodes, provinces, prefectures, tiers)`, every field
//!   a list of strings, default `[]`: the result is the listed `nodes` ∪ every
//!   WAN node v (external partners excluded) with
//!   (`provinces` empty or v's province listed) ∧ (`prefectures` empty or v is a
//!   listed prefecture bureau or lies under one, following `parent`) ∧
//!   (`tiers` empty or v's tier listed); the second set only when at least one
//!   of `provinces`/`prefectures`/`tiers` is non-empty. Sorted by node index,
//!   deduplicated. An area that selects no node is an error. `prefectures`
//!   must name prefecture-tier nodes. Tier names: `hq`, `provincial`,
//!   `prefecture`, `county`, `grassroots`, `external`.
//! - **Intrusion**: `entry` must be internet-facing (a gateway, or a site
//!   with a service open to taxpayers); `target` a provincial or HQ node:
//!   the entry itself or on its way up the WAN (following `parent`); `objective` one of
//!   `exfiltrate`, `tamper`, `deface`; stage times > 0; `detect` values in
//!   [0, 1]; `records_per_hour` ≥ 0. With `via` (an external partner:
//!   customs, finance, banks) the intruder comes in over that partner's line
//!   instead of from the internet: the entry must be the node the partner's
//!   `external` line lands on (HQ), and need not be internet-facing.
//! - **Defacement**: `site` runs a website (public or internal) or is an
//!   internet gateway (which serves the bureau's site); rates ≥ 0
//!   and at least one `notice` rate above 0.
//! - **Virus**: `site` has office hosts; `initial_hosts` ≥ 1; `spread_per_hour`
//!   ≥ 0; payload `kind` `destroy` or `encrypt`, `share` and `antivirus` in
//!   [0, 1], `delay` > 0.
//! - **Insider**: `site` a unit of the tax system (not an external
//!   partner); `misuse` `data_access` or `internet_link`;
//!   `records_per_hour` ≥ 0; `audit_per_hour` > 0.
//! - **DenialOfService**: `site` is a provincial bureau or HQ running online
//!   filing (or with an internet gateway, which serves it); `filings_per_month`, `attack_share` ≥ 0; `capacity_per_hour`
//!   and `notice_per_hour` > 0; `abandon_share` in [0, 1]; `duration` > 0.
//! - **DataLeak**: `site` is a data centre (or runs the core tax system);
//!   `records_per_hour` ≥ 0; `duration` > 0; at least one `discover` rate
//!   above 0.
//! - **Worm initial nodes**: the same rule over `initial_nodes`,
//!   `initial_provinces`, `initial_tiers` (no prefecture filter), except that
//!   `initial_provinces` without `initial_tiers` selects only the **provincial
//!   bureau** of each listed province (not the whole province). All three
//!   empty = no initial infection (the worm must then come in through
//!   `internet_entry`); a non-empty selection that selects nothing is an error.
//! - **Worm internet entry**: an Area restricted to nodes with an internet
//!   gateway (`Node::gateway`, HQ and provincial bureaus); an Area with every
//!   list empty (the default) means no internet entry. A node listed in its
//!   `nodes` without a gateway is an error, as is a non-empty entry that keeps
//!   no node.
//!   A worm needs initial nodes, or an internet entry with
//!   `internet_scan_per_hour` > 0. At most one `Worm` inject per scenario (for
//!   now). `initial_hosts` ≥ 1.
//! - **NodeFailure**: `spare` (optional, default the teams file's
//!   `spare_equipment` of the site's tier) says whether a spare device is
//!   held at the site; `replacement` (optional, > 0, default the teams
//!   file's `supplier_repair`) is the time to ship and fit one when none is.
//!   They set how long the response's `repair` step takes (`duration: None`).
//! - **LinkCut**: `a` and `b` must be directly linked. The primary line is
//!   cut; if the two are joined only by a backup line, that line is cut.
//! - `hosts_per_node`: `None` or `Some(n)` with n ≥ 1.
//!
//! Positions: syntax and type errors come from ron (only the first is
//! reported, ron stops there). Semantic errors are located in the source with
//! a small span tree built from the text ([`locate`]) and point at the
//! offending value (string literal, number), or at the nearest enclosing
//! value when the field was left to its default.

use std::path::Path;

use serde::Deserialize;

use super::diag::{Diagnostic, Diagnostics};
use super::scenario::{
    DefacementInject, DosInject, Inject, InjectKind, InsiderInject, IntrusionGoal, IntrusionInject,
    LeakInject, Misuse, Payload, PayloadKind, Scenario, VirusInject, WormInject,
};
use super::topology::{LinkId, LinkKind, NodeId, Tier, Topology};

// ---------------------------------------------------------------------------
// Raw file structs
// ---------------------------------------------------------------------------

/// The whole file: `Scenario(...)`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Scenario")]
pub struct ScenarioFile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Civil date-time, e.g. `"2002-11-08T09:00:00"`.
    pub start: String,
    pub duration: String,
    #[serde(default = "default_tick")]
    pub tick: String,
    #[serde(default)]
    pub hosts_per_node: Option<u32>,
    #[serde(default)]
    pub injects: Vec<InjectFile>,
    /// Exercise objectives (optional): what the exercise sets out to test.
    #[serde(default)]
    pub objectives: Vec<ObjectiveFile>,
}

/// One objective: `(capability: "containment", clause: "…", text: "…")`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Objective")]
pub struct ObjectiveFile {
    /// A capability of the assessment (`detection_reporting`, …).
    pub capability: String,
    /// The plan clause it tests (free text, e.g. `总体预案 五.2`).
    #[serde(default)]
    pub clause: String,
    /// The objective itself.
    pub text: String,
}

fn default_tick() -> String {
    "1m".to_owned()
}

/// One inject: `(at: "+6h", what: ...)`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Inject")]
pub struct InjectFile {
    /// Offset from the start; may begin with `+`.
    pub at: String,
    /// Compound event label: injects with the same label are one incident.
    #[serde(default)]
    pub incident: Option<String>,
    pub what: WhatFile,
}

/// What happens. Each variant wraps a struct: `Worm((...))`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum WhatFile {
    Worm(WormFile),
    LinkCut(LinkCutFile),
    NodeFailure(NodeFailureFile),
    PowerOutage(PowerOutageFile),
    Disaster(DisasterFile),
    Intrusion(IntrusionFile),
    Defacement(DefacementFile),
    DenialOfService(DosFile),
    DataLeak(LeakFile),
    Virus(VirusFile),
    Insider(InsiderFile),
}

/// A set of nodes; see the module docs for the selection rule.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename = "Area")]
pub struct AreaFile {
    #[serde(default)]
    pub nodes: Vec<String>,
    #[serde(default)]
    pub provinces: Vec<String>,
    #[serde(default)]
    pub prefectures: Vec<String>,
    #[serde(default)]
    pub tiers: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Worm")]
pub struct WormFile {
    #[serde(default = "default_worm_name")]
    pub name: String,
    #[serde(default)]
    pub initial_nodes: Vec<String>,
    #[serde(default)]
    pub initial_provinces: Vec<String>,
    #[serde(default)]
    pub initial_tiers: Vec<String>,
    #[serde(default = "default_initial_hosts")]
    pub initial_hosts: u32,
    /// Gateways exposed to internet scanning; all lists empty = none.
    #[serde(default)]
    pub internet_entry: AreaFile,
    #[serde(default)]
    pub internet_scan_per_hour: f64,
    #[serde(default)]
    pub beta_per_hour: f64,
    #[serde(default)]
    pub tau_per_hour: f64,
    #[serde(default)]
    pub gamma_per_hour: f64,
    #[serde(default = "default_one")]
    pub vulnerable_fraction: f64,
    #[serde(default)]
    pub traffic_kbps_per_host: f64,
    /// Destructive payload (default none).
    #[serde(default)]
    pub payload: Option<PayloadFile>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Payload")]
pub struct PayloadFile {
    /// `"destroy"` or `"encrypt"`.
    pub kind: String,
    /// Share of newly infected hosts whose data is hit, 0–1.
    pub share: f64,
}

fn default_worm_name() -> String {
    "worm".to_owned()
}
fn default_initial_hosts() -> u32 {
    1
}
fn default_one() -> f64 {
    1.0
}
fn default_true() -> bool {
    true
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "LinkCut")]
pub struct LinkCutFile {
    pub a: String,
    pub b: String,
    /// `None` = until repaired.
    #[serde(default)]
    pub duration: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "NodeFailure")]
pub struct NodeFailureFile {
    pub node: String,
    /// `None` = until repaired.
    #[serde(default)]
    pub duration: Option<String>,
    /// Whether a spare device is held at the site (default: the teams file).
    #[serde(default)]
    pub spare: Option<bool>,
    /// Time to ship and fit a replacement without a spare (default: the
    /// teams file's `supplier_repair`).
    #[serde(default)]
    pub replacement: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "PowerOutage")]
pub struct PowerOutageFile {
    pub area: AreaFile,
    pub duration: String,
    /// Sites fall back on UPS + generator for their backup hours (default true).
    #[serde(default = "default_true")]
    pub backup_power: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Disaster")]
pub struct DisasterFile {
    pub area: AreaFile,
    pub node_fraction: f64,
    pub duration: String,
}

/// An intrusion kill chain; see the module docs.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Intrusion")]
pub struct IntrusionFile {
    #[serde(default = "default_intrusion_name")]
    pub name: String,
    /// An internet-facing bureau (a gateway or a site with a public service).
    pub entry: String,
    /// A provincial data centre or HQ above the entry.
    pub target: String,
    /// `"exfiltrate"`, `"tamper"` or `"deface"`.
    pub objective: String,
    /// Mean stage durations (lateral: per hop).
    pub recon: String,
    pub exploit: String,
    pub foothold: String,
    pub lateral: String,
    pub action: String,
    /// Probability each stage raises an alert.
    pub detect: DetectFile,
    /// Records copied out per hour while exfiltrating (default 0).
    #[serde(default)]
    pub records_per_hour: f64,
    /// An external partner (customs, finance, banks) whose line to the
    /// entry the intruder comes in over (default: from the internet).
    #[serde(default)]
    pub via: Option<String>,
}

/// Alert probability per kill-chain stage, each in [0, 1].
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Detect")]
pub struct DetectFile {
    pub recon: f64,
    pub exploit: f64,
    pub foothold: f64,
    pub lateral: f64,
    pub action: f64,
}

/// A defaced website; see the module docs.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Defacement")]
pub struct DefacementFile {
    #[serde(default = "default_defacement_name")]
    pub name: String,
    /// A site with a website (public or internal), or a gateway.
    pub site: String,
    pub views_per_hour: f64,
    #[serde(default)]
    pub growth_per_hour: f64,
    pub notice: NoticeFile,
    /// Harmful content posted rather than pages defaced (default false).
    #[serde(default)]
    pub harmful: bool,
}

/// Rates at which staff, taxpayers and the press notice, per hour.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Notice")]
pub struct NoticeFile {
    #[serde(default)]
    pub staff: f64,
    #[serde(default)]
    pub taxpayers: f64,
    #[serde(default)]
    pub press: f64,
}

/// A denial-of-service attack on online filing; see the module docs.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "DenialOfService")]
pub struct DosFile {
    #[serde(default = "default_dos_name")]
    pub name: String,
    /// A provincial bureau or HQ running online filing.
    pub site: String,
    pub filings_per_month: f64,
    pub capacity_per_hour: f64,
    pub attack_share: f64,
    /// `None` = until mitigated.
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default = "default_abandon")]
    pub abandon_share: f64,
    #[serde(default = "default_dos_notice")]
    pub notice_per_hour: f64,
}

/// A data leak; see the module docs.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "DataLeak")]
pub struct LeakFile {
    #[serde(default = "default_leak_name")]
    pub name: String,
    /// A data centre (a site running the core tax system).
    pub site: String,
    pub records_per_hour: f64,
    /// `None` = until the source is cut.
    #[serde(default)]
    pub duration: Option<String>,
    pub discover: DiscoverFile,
}

/// Rates at which an internal audit, a buyer, the press or the police
/// discover a leak, per hour.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Discover")]
pub struct DiscoverFile {
    #[serde(default)]
    pub audit: f64,
    #[serde(default)]
    pub buyer: f64,
    #[serde(default)]
    pub press: f64,
    #[serde(default)]
    pub police: f64,
}

fn default_dos_name() -> String {
    "denial of service".to_owned()
}
fn default_leak_name() -> String {
    "data leak".to_owned()
}
fn default_abandon() -> f64 {
    0.3
}
fn default_dos_notice() -> f64 {
    2.0
}

/// A virus in one site's office hosts; see the module docs.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Virus")]
pub struct VirusFile {
    #[serde(default = "default_virus_name")]
    pub name: String,
    /// The site whose office hosts it infects.
    pub site: String,
    #[serde(default = "default_initial_hosts")]
    pub initial_hosts: u32,
    pub spread_per_hour: f64,
    pub payload: VirusPayloadFile,
    /// Probability the antivirus alerts on a newly infected host.
    pub antivirus: f64,
}

/// A virus's payload: which files, on what share of the hosts, how long after infection.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Payload")]
pub struct VirusPayloadFile {
    /// `"destroy"` or `"encrypt"`.
    pub kind: String,
    pub share: f64,
    /// Mean time from infection to the payload.
    pub delay: String,
}

/// An insider misusing access; see the module docs.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Insider")]
pub struct InsiderFile {
    #[serde(default = "default_insider_name")]
    pub name: String,
    pub site: String,
    /// `"data_access"` or `"internet_link"`.
    pub misuse: String,
    #[serde(default)]
    pub records_per_hour: f64,
    pub audit_per_hour: f64,
}

fn default_insider_name() -> String {
    "insider".to_owned()
}

fn default_virus_name() -> String {
    "virus".to_owned()
}

fn default_defacement_name() -> String {
    "defacement".to_owned()
}

fn default_intrusion_name() -> String {
    "intrusion".to_owned()
}

impl AreaFile {
    /// No field set at all.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
            && self.provinces.is_empty()
            && self.prefectures.is_empty()
            && self.tiers.is_empty()
    }
}

// ---------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------

/// Parses a duration into minutes with jiff's friendly format or ISO 8601:
/// `"90m"`, `"2h30m"`, `"3d"`, `"45s"`, `"1.5h"`, `"1d 4h"`, `"2 hours"`,
/// `"PT2H"`, `"P1DT4H"`; units in descending order, each at most once, a
/// fraction on the last unit only; days are 24 hours, weeks 7 days. An
/// optional leading `+` is accepted (inject offsets are written `"+6h"`).
/// Surrounding whitespace is ignored. Negative, empty or unitless values,
/// months and years (no fixed length) and anything longer than
/// [`limits::MAX_DURATION_DAYS`](super::limits::MAX_DURATION_DAYS) days give
/// `None`; [`duration_minutes`] says why.
pub fn parse_duration(s: &str) -> Option<f64> {
    duration_minutes(s).ok()
}

/// Why a duration was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum DurationError {
    /// Not a duration at all (jiff's message).
    Syntax(String),
    /// Below zero (`"-1h"`, `"1h ago"`).
    Negative,
    /// Longer than the limit; the value in minutes.
    TooLong(f64),
}

/// [`parse_duration`] with the reason for a refusal.
pub fn duration_minutes(s: &str) -> Result<f64, DurationError> {
    use jiff::{Span, SpanRelativeTo, Unit};
    let t = s.trim();
    let span: Span = t
        .parse()
        .map_err(|e: jiff::Error| DurationError::Syntax(e.to_string()))?;
    if span.is_negative() {
        return Err(DurationError::Negative);
    }
    let min = span
        .total((Unit::Minute, SpanRelativeTo::days_are_24_hours()))
        .map_err(|e| DurationError::Syntax(e.to_string()))?;
    if !min.is_finite() {
        return Err(DurationError::TooLong(f64::INFINITY));
    }
    if min > super::limits::MAX_DURATION_MIN {
        return Err(DurationError::TooLong(min));
    }
    Ok(min)
}

/// The message for a duration that [`duration_minutes`] refused: over the
/// limit, negative, or else `syntax` (the caller's own wording).
pub fn duration_refusal(what: &str, s: &str, syntax: impl FnOnce() -> String) -> String {
    match duration_minutes(s) {
        Err(DurationError::TooLong(_)) => format!(
            "{what} {s:?} is longer than the limit of {} days",
            super::limits::MAX_DURATION_DAYS
        ),
        Err(DurationError::Negative) => format!("{what} {s:?} is negative"),
        _ => syntax(),
    }
}

/// Formats minutes back as a short duration (`"2h30m"`), for messages.
pub fn format_duration(min: f64) -> String {
    let secs = (min * 60.0).round() as u64;
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (v, u) in [(d, 'd'), (h, 'h'), (m, 'm'), (s, 's')] {
        if v > 0 {
            out.push_str(&format!("{v}{u}"));
        }
    }
    if out.is_empty() { "0m".to_owned() } else { out }
}

/// Number of ticks a run has: ⌈duration / tick⌉ (the run ends at the first
/// whole tick at or after the duration).
pub fn tick_count(duration_min: f64, tick_min: f64) -> u64 {
    if tick_min <= 0.0 || duration_min <= 0.0 {
        return 0;
    }
    // Tolerate float noise such as 72h / 0.1m.
    (duration_min / tick_min - 1e-9).ceil().max(1.0) as u64
}

// ---------------------------------------------------------------------------
// Loader
// ---------------------------------------------------------------------------

/// Reads and validates a scenario file. The slug is the file stem.
pub fn load(path: &Path, topo: &Topology) -> Result<Scenario, Diagnostics> {
    let src = crate::model::diag::read_source(path, "scenario file")?;
    let slug = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_owned());
    let mut scenario = parse(&src, path, &slug, topo)?;
    scenario.source = Some(path.to_path_buf());
    Ok(scenario)
}

/// Parses and validates scenario text (`path` is used in messages only; the
/// returned scenario has `source: None`).
pub fn parse(src: &str, path: &Path, slug: &str, topo: &Topology) -> Result<Scenario, Diagnostics> {
    let raw: ScenarioFile = crate::model::diag::parse_ron(src, path)?;
    let mut v = Validator {
        file: path,
        src,
        tree: locate::SpanTree::parse(src),
        topo,
        diags: Diagnostics::default(),
        hosts_per_node: raw.hosts_per_node,
    };
    let scenario = v.scenario(&raw, slug);
    v.diags.into_result(scenario)
}

use locate::Seg::{self, F, I};

struct Validator<'a> {
    file: &'a Path,
    src: &'a str,
    tree: locate::SpanTree,
    topo: &'a Topology,
    diags: Diagnostics,
    /// The file's `hosts_per_node` (to check `initial_hosts` against).
    hosts_per_node: Option<u32>,
}

impl Validator<'_> {
    fn err(&mut self, path: &[Seg], msg: impl Into<String>) {
        let off = self.tree.locate(path);
        self.diags
            .push(Diagnostic::at_offset(self.file, self.src, off, msg));
    }

    fn scenario(&mut self, raw: &ScenarioFile, slug: &str) -> Scenario {
        if raw.name.trim().is_empty() {
            self.err(&[F("name")], "the scenario name is empty");
        }
        let mut start_ok = true;
        let start = match raw.start.parse::<jiff::civil::DateTime>() {
            Ok(t) => t,
            Err(e) => {
                start_ok = false;
                self.err(
                    &[F("start")],
                    format!(
                        "start {:?} is not a valid date-time like \"2002-11-08T09:00:00\": {e}",
                        raw.start
                    ),
                );
                jiff::civil::DateTime::default()
            }
        };
        let duration = self.positive_duration(&raw.duration, &[F("duration")], "duration");
        let tick = self.positive_duration(&raw.tick, &[F("tick")], "tick");
        if let (Some(d), Some(t)) = (duration, tick)
            && t > d
        {
            self.err(
                &[F("tick")],
                format!(
                    "tick {:?} is longer than the scenario duration {:?}",
                    raw.tick, raw.duration
                ),
            );
        }
        if raw.hosts_per_node == Some(0) {
            self.err(
                &[F("hosts_per_node"), I(0)],
                "hosts_per_node must be at least 1 (or None to keep the topology's host counts)",
            );
        }
        self.size_limits(raw, start_ok.then_some(start), duration, tick);

        let mut injects = Vec::new();
        for (k, inj) in raw.injects.iter().enumerate() {
            let base = [F("injects"), I(k)];
            if inj.incident.as_deref().is_some_and(|l| l.trim().is_empty()) {
                self.err(
                    &[F("injects"), I(k), F("incident"), I(0)],
                    "an incident label must not be empty (injects with the same label are one \
                     compound incident; leave `incident` out for an incident of its own)",
                );
            }
            let at = match parse_duration(&inj.at) {
                Some(at) => {
                    if let Some(d) = duration
                        && at >= d
                    {
                        self.err(
                            &[F("injects"), I(k), F("at")],
                            format!(
                                "inject at {} is at or after the end of the scenario ({})",
                                inj.at, raw.duration
                            ),
                        );
                    }
                    Some(at)
                }
                None => {
                    self.err(
                        &[F("injects"), I(k), F("at")],
                        bad_duration_msg("inject time `at`", &inj.at),
                    );
                    None
                }
            };
            let kind = self.inject_kind(&inj.what, &base);
            if let (Some(at_min), Some(kind)) = (at, kind) {
                injects.push(Inject {
                    at_min,
                    kind,
                    incident: inj.incident.clone(),
                });
            }
        }
        injects.sort_by(|a, b| a.at_min.total_cmp(&b.at_min));

        Scenario {
            name: raw.name.clone(),
            description: raw.description.clone(),
            slug: slug.to_owned(),
            start,
            duration_min: duration.unwrap_or(0.0),
            tick_min: tick.unwrap_or(1.0),
            hosts_per_node: raw.hosts_per_node,
            injects,
            objectives: self.objectives(&raw.objectives),
            source: None,
        }
    }

    /// The limits of [`super::limits`]: tick length, ticks per run, the end
    /// date, hosts per node and in all. Checked before anything is allocated.
    fn size_limits(
        &mut self,
        raw: &ScenarioFile,
        start: Option<jiff::civil::DateTime>,
        duration: Option<f64>,
        tick: Option<f64>,
    ) {
        use super::limits::*;
        match (duration, tick) {
            (_, Some(t)) if t < MIN_TICK_MIN => self.err(
                &[F("tick")],
                format!("tick {:?} is shorter than the limit of 1s", raw.tick),
            ),
            (Some(d), Some(t)) if t <= d => {
                let ticks = tick_count(d, t);
                if ticks > MAX_TICKS {
                    self.err(
                        &[F("tick")],
                        format!(
                            "the run would have {ticks} ticks (duration {:?} / tick {:?}); the \
                             limit is {MAX_TICKS} ticks per run: use a longer tick or a shorter \
                             duration",
                            raw.duration, raw.tick
                        ),
                    );
                }
            }
            _ => {}
        }
        if let (Some(start), Some(d)) = (start, duration) {
            let secs = (d * 60.0).ceil() as i64;
            if start
                .checked_add(jiff::SignedDuration::from_secs(secs))
                .is_err()
            {
                self.err(
                    &[F("duration")],
                    format!(
                        "the scenario would end after 9999-12-31 (start {} plus {:?}), the last \
                         date drillsim can represent",
                        raw.start, raw.duration
                    ),
                );
            }
        }
        if let Some(h) = raw.hosts_per_node {
            let total = u64::from(h) * self.topo.nodes.len() as u64;
            if h > MAX_HOSTS_PER_NODE {
                self.err(
                    &[F("hosts_per_node"), I(0)],
                    format!("hosts_per_node {h} is above the limit of {MAX_HOSTS_PER_NODE}"),
                );
            } else if total > MAX_TOTAL_HOSTS {
                self.err(
                    &[F("hosts_per_node"), I(0)],
                    format!(
                        "hosts_per_node {h} gives the {} nodes {total} hosts in all, above the \
                         limit of {MAX_TOTAL_HOSTS}",
                        self.topo.nodes.len()
                    ),
                );
            }
        }
    }

    /// Objectives: a known capability and a non-empty text each.
    fn objectives(&mut self, raw: &[ObjectiveFile]) -> Vec<super::scenario::Objective> {
        let mut out = Vec::new();
        for (k, o) in raw.iter().enumerate() {
            let cap = crate::score::Capability::ALL
                .into_iter()
                .find(|c| c.as_str() == o.capability);
            if cap.is_none() {
                let known: Vec<&str> = crate::score::Capability::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect();
                self.err(
                    &[F("objectives"), I(k), F("capability")],
                    format!(
                        "unknown capability {:?}; expected one of {}",
                        o.capability,
                        known.join(", ")
                    ),
                );
            }
            if o.text.trim().is_empty() {
                self.err(
                    &[F("objectives"), I(k), F("text")],
                    "the objective's text is empty",
                );
            }
            if let Some(capability) = cap {
                out.push(super::scenario::Objective {
                    capability,
                    clause: o.clause.clone(),
                    text: o.text.clone(),
                });
            }
        }
        out
    }

    /// A duration that must parse and be > 0.
    fn positive_duration(&mut self, s: &str, path: &[Seg], what: &str) -> Option<f64> {
        match parse_duration(s) {
            Some(m) if m > 0.0 => Some(m),
            Some(_) => {
                self.err(path, format!("{what} must be longer than zero"));
                None
            }
            None => {
                self.err(path, bad_duration_msg(what, s));
                None
            }
        }
    }

    fn optional_duration(&mut self, d: &Option<String>, path: &[Seg]) -> Option<Option<f64>> {
        match d {
            None => Some(None),
            Some(s) => {
                let mut p = path.to_vec();
                p.push(I(0));
                self.positive_duration(s, &p, "duration").map(Some)
            }
        }
    }

    fn inject_kind(&mut self, what: &WhatFile, base: &[Seg]) -> Option<InjectKind> {
        // Path to the variant's inner struct: injects[k].what.0
        let inner: Vec<Seg> = [base, &[F("what"), I(0)]].concat();
        let at = |field: &'static str| -> Vec<Seg> { [&inner[..], &[F(field)]].concat() };
        match what {
            WhatFile::Worm(w) => self.worm(w, &inner).map(InjectKind::Worm),
            WhatFile::LinkCut(c) => {
                let a = self.node(&c.a, &at("a"));
                let b = self.node(&c.b, &at("b"));
                let dur = self.optional_duration(&c.duration, &at("duration"));
                let (a, b) = (a?, b?);
                let link = if a == b {
                    self.err(
                        &at("b"),
                        format!("a link cut needs two different nodes, both are {:?}", c.b),
                    );
                    None
                } else {
                    let l = self.direct_link(a, b);
                    if l.is_none() {
                        self.err(
                            &at("b"),
                            format!("there is no direct link between {:?} and {:?}", c.a, c.b),
                        );
                    }
                    l
                };
                Some(InjectKind::LinkCut {
                    link: link?,
                    duration_min: dur?,
                })
            }
            WhatFile::NodeFailure(n) => {
                let node = self.node(&n.node, &at("node"));
                let dur = self.optional_duration(&n.duration, &at("duration"));
                let replacement = self.optional_duration(&n.replacement, &at("replacement"));
                Some(InjectKind::NodeFailure {
                    node: node?,
                    duration_min: dur?,
                    spare: n.spare,
                    replacement_min: replacement?,
                })
            }
            WhatFile::PowerOutage(p) => {
                let nodes = self.area(&p.area, &at("area"));
                let dur = self.positive_duration(&p.duration, &at("duration"), "duration");
                Some(InjectKind::PowerOutage {
                    nodes: nodes?,
                    duration_min: dur?,
                    backup_power: p.backup_power,
                })
            }
            WhatFile::Disaster(d) => {
                let nodes = self.area(&d.area, &at("area"));
                let frac = self.fraction(d.node_fraction, &at("node_fraction"), "node_fraction");
                let dur = self.positive_duration(&d.duration, &at("duration"), "duration");
                Some(InjectKind::Disaster {
                    nodes: nodes?,
                    node_fraction: frac?,
                    duration_min: dur?,
                })
            }
            WhatFile::Intrusion(x) => self.intrusion(x, &inner).map(InjectKind::Intrusion),
            WhatFile::Defacement(x) => self.defacement(x, &inner).map(InjectKind::Defacement),
            WhatFile::Virus(x) => self.virus(x, &inner).map(InjectKind::Virus),
            WhatFile::Insider(x) => self.insider(x, &inner).map(InjectKind::Insider),
            WhatFile::DenialOfService(x) => self.dos(x, &inner).map(InjectKind::DenialOfService),
            WhatFile::DataLeak(x) => self.leak(x, &inner).map(InjectKind::DataLeak),
        }
    }

    fn dos(&mut self, x: &DosFile, inner: &[Seg]) -> Option<DosInject> {
        use super::topology::ServiceKind;
        let at = |field: &'static str| -> Vec<Seg> { [inner, &[F(field)]].concat() };
        let site = self.node(&x.site, &at("site"));
        if let Some(v) = site {
            let n = &self.topo.nodes[v as usize];
            // A provincial or HQ gateway serves the bureau's online filing.
            let filing = n.gateway || n.services.contains(&ServiceKind::OnlineFiling);
            if n.tier > Tier::Provincial || !filing {
                self.err(
                    &at("site"),
                    format!(
                        "{:?} runs no provincial or national online-filing portal (a {} node{})",
                        x.site,
                        n.tier.as_str(),
                        if filing {
                            ""
                        } else {
                            " without online filing or an internet gateway"
                        }
                    ),
                );
            }
        }
        let month = self.rate(
            x.filings_per_month,
            &at("filings_per_month"),
            "filings_per_month",
        );
        let cap = self.rate(
            x.capacity_per_hour,
            &at("capacity_per_hour"),
            "capacity_per_hour",
        );
        if cap == Some(0.0) {
            self.err(
                &at("capacity_per_hour"),
                "capacity_per_hour must be above 0 (a portal that serves nothing)",
            );
        }
        let share = self.rate(x.attack_share, &at("attack_share"), "attack_share");
        let dur = self.optional_duration(&x.duration, &at("duration"));
        let abandon = self.fraction(x.abandon_share, &at("abandon_share"), "abandon_share");
        let notice = self.rate(x.notice_per_hour, &at("notice_per_hour"), "notice_per_hour");
        if notice == Some(0.0) {
            self.err(
                &at("notice_per_hour"),
                "nobody would ever notice: notice_per_hour must be above 0",
            );
            return None;
        }
        Some(DosInject {
            name: x.name.clone(),
            site: site?,
            filings_per_month: month?,
            capacity_per_hour: cap.filter(|&c| c > 0.0)?,
            attack_share: share?,
            duration_min: dur?,
            abandon_share: abandon?,
            notice_per_hour: notice?,
        })
    }

    fn leak(&mut self, x: &LeakFile, inner: &[Seg]) -> Option<LeakInject> {
        use super::topology::ServiceKind;
        let at = |field: &'static str| -> Vec<Seg> { [inner, &[F(field)]].concat() };
        let site = self.node(&x.site, &at("site"));
        if let Some(v) = site
            && !self.topo.nodes[v as usize].data_centre
            && !self.topo.nodes[v as usize]
                .services
                .contains(&ServiceKind::CoreTaxSystem)
        {
            self.err(
                &at("site"),
                format!(
                    "{:?} is not a data centre (no data centre, no core tax system)",
                    x.site
                ),
            );
        }
        let rate = self.rate(
            x.records_per_hour,
            &at("records_per_hour"),
            "records_per_hour",
        );
        let dur = self.optional_duration(&x.duration, &at("duration"));
        let mut discover = [0.0; 4];
        let mut ok = true;
        for (k, (v, field)) in [
            (x.discover.audit, "audit"),
            (x.discover.buyer, "buyer"),
            (x.discover.press, "press"),
            (x.discover.police, "police"),
        ]
        .into_iter()
        .enumerate()
        {
            let p: Vec<Seg> = [&at("discover")[..], &[F(field)]].concat();
            match self.rate(v, &p, field) {
                Some(r) => discover[k] = r,
                None => ok = false,
            }
        }
        if ok && discover.iter().sum::<f64>() <= 0.0 {
            self.err(
                &at("discover"),
                "nobody would ever discover it: give audit, buyer, press or police a rate above 0",
            );
            ok = false;
        }
        if !ok {
            return None;
        }
        Some(LeakInject {
            name: x.name.clone(),
            site: site?,
            records_per_hour: rate?,
            duration_min: dur?,
            discover_per_hour: discover,
        })
    }

    fn insider(&mut self, x: &InsiderFile, inner: &[Seg]) -> Option<InsiderInject> {
        let at = |field: &'static str| -> Vec<Seg> { [inner, &[F(field)]].concat() };
        let site = self.node(&x.site, &at("site"));
        let mut ok = site.is_some();
        if let Some(v) = site
            && self.topo.nodes[v as usize].tier == Tier::External
        {
            self.err(
                &at("site"),
                format!(
                    "{:?} is an external partner, not a unit of the tax system",
                    x.site
                ),
            );
            ok = false;
        }
        let misuse = Misuse::parse(&x.misuse);
        if misuse.is_none() {
            self.err(
                &at("misuse"),
                format!(
                    "unknown misuse {:?}; expected one of: data_access, internet_link",
                    x.misuse
                ),
            );
        }
        let records = self.rate(
            x.records_per_hour,
            &at("records_per_hour"),
            "records_per_hour",
        );
        let audit = self.rate(x.audit_per_hour, &at("audit_per_hour"), "audit_per_hour");
        if audit == Some(0.0) {
            self.err(
                &at("audit_per_hour"),
                "no audit would ever find it: audit_per_hour must be above 0",
            );
            ok = false;
        }
        if !ok {
            return None;
        }
        Some(InsiderInject {
            name: x.name.clone(),
            site: site?,
            misuse: misuse?,
            records_per_hour: records?,
            audit_per_hour: audit?,
        })
    }

    fn virus(&mut self, x: &VirusFile, inner: &[Seg]) -> Option<VirusInject> {
        let at = |field: &'static str| -> Vec<Seg> { [inner, &[F(field)]].concat() };
        let pay = |field: &'static str| -> Vec<Seg> { [inner, &[F("payload"), F(field)]].concat() };
        let site = self.node(&x.site, &at("site"));
        if let Some(v) = site
            && self.topo.nodes[v as usize].hosts == 0
        {
            self.err(
                &at("site"),
                format!("{:?} has no office hosts to infect", x.site),
            );
        }
        let mut ok = site.is_some_and(|v| self.topo.nodes[v as usize].hosts > 0);
        if x.initial_hosts == 0 {
            self.err(&at("initial_hosts"), "initial_hosts must be at least 1");
            ok = false;
        }
        let spread = self.rate(x.spread_per_hour, &at("spread_per_hour"), "spread_per_hour");
        let kind = match x.payload.kind.as_str() {
            "destroy" => Some(PayloadKind::Destroy),
            "encrypt" => Some(PayloadKind::Encrypt),
            other => {
                self.err(
                    &pay("kind"),
                    format!("unknown payload kind `{other}` (expected `destroy` or `encrypt`)"),
                );
                None
            }
        };
        let share = self.fraction(x.payload.share, &pay("share"), "payload share");
        let delay = self.positive_duration(&x.payload.delay, &pay("delay"), "payload delay");
        let antivirus = self.fraction(x.antivirus, &at("antivirus"), "antivirus");
        if !ok {
            return None;
        }
        Some(VirusInject {
            name: x.name.clone(),
            site: site?,
            initial_hosts: x.initial_hosts,
            spread_per_hour: spread?,
            payload: Payload {
                kind: kind?,
                share: share?,
            },
            payload_delay_min: delay?,
            antivirus: antivirus?,
        })
    }

    fn defacement(&mut self, x: &DefacementFile, inner: &[Seg]) -> Option<DefacementInject> {
        use super::topology::ServiceKind;
        let at = |field: &'static str| -> Vec<Seg> { [inner, &[F(field)]].concat() };
        let site = self.node(&x.site, &at("site"));
        if let Some(v) = site
            && !self.topo.nodes[v as usize].gateway
            && !self.topo.nodes[v as usize]
                .services
                .iter()
                .any(|k| matches!(k, ServiceKind::PublicWebsite | ServiceKind::InternalWebsite))
        {
            self.err(
                &at("site"),
                format!("{:?} runs no website to deface", x.site),
            );
        }
        let views = self.rate(x.views_per_hour, &at("views_per_hour"), "views_per_hour");
        let growth = self.rate(x.growth_per_hour, &at("growth_per_hour"), "growth_per_hour");
        let mut notice = [0.0; 3];
        let mut ok = true;
        for (k, (v, field)) in [
            (x.notice.staff, "staff"),
            (x.notice.taxpayers, "taxpayers"),
            (x.notice.press, "press"),
        ]
        .into_iter()
        .enumerate()
        {
            let p: Vec<Seg> = [&at("notice")[..], &[F(field)]].concat();
            match self.rate(v, &p, field) {
                Some(r) => notice[k] = r,
                None => ok = false,
            }
        }
        if ok && notice.iter().sum::<f64>() <= 0.0 {
            self.err(
                &at("notice"),
                "nobody would ever notice: give staff, taxpayers or press a rate above 0",
            );
            ok = false;
        }
        if !ok {
            return None;
        }
        Some(DefacementInject {
            name: x.name.clone(),
            site: site?,
            views_per_hour: views?,
            growth_per_hour: growth?,
            notice_per_hour: notice,
            harmful: x.harmful,
        })
    }

    fn intrusion(&mut self, x: &IntrusionFile, inner: &[Seg]) -> Option<IntrusionInject> {
        let at = |field: &'static str| -> Vec<Seg> { [inner, &[F(field)]].concat() };
        let entry = self.node(&x.entry, &at("entry"));
        let target = self.node(&x.target, &at("target"));
        // Over a partner line: the partner is an external node linked to
        // the entry by an `external` line.
        let mut via = None;
        let mut via_ok = true;
        if let Some(p) = &x.via {
            let vpath: Vec<Seg> = [inner, &[F("via"), I(0)]].concat();
            via_ok = false;
            if let Some(pv) = self.node(p, &vpath) {
                if self.topo.nodes[pv as usize].tier != Tier::External {
                    self.err(
                        &vpath,
                        format!("{p:?} is not an external partner (customs, finance, banks): `via` names the partner whose line the intruder comes in over"),
                    );
                } else if let Some(e) = entry {
                    via = self.topo.neighbours(e).iter().find_map(|&(w, l)| {
                        (w == pv && self.topo.links[l as usize].kind == LinkKind::External)
                            .then_some(l)
                    });
                    if via.is_none() {
                        self.err(
                            &at("entry"),
                            format!("{:?} has no external line to {p:?}: the entry must be where the partner's line lands", x.entry),
                        );
                    } else {
                        via_ok = true;
                    }
                }
            }
        }
        if let Some(e) = entry
            && x.via.is_none()
        {
            let n = &self.topo.nodes[e as usize];
            if !n.gateway && !n.services.iter().any(|k| k.internet_facing()) {
                self.err(
                    &at("entry"),
                    format!(
                        "{:?} is not internet-facing (neither a gateway nor a site with a public service): an intruder from outside cannot reach it",
                        x.entry
                    ),
                );
            }
        }
        let mut path = None;
        if let (Some(e), Some(t)) = (entry, target) {
            if self.topo.nodes[t as usize].tier > Tier::Provincial {
                self.err(
                    &at("target"),
                    format!(
                        "the target must be a provincial data centre or HQ, {:?} is a {} node",
                        x.target,
                        self.topo.nodes[t as usize].tier.as_str()
                    ),
                );
            } else {
                let mut p = vec![e];
                let mut v = e;
                while v != t {
                    match self.topo.nodes[v as usize].parent {
                        Some(u) => {
                            p.push(u);
                            v = u;
                        }
                        None => break,
                    }
                }
                if v == t {
                    path = Some(p);
                } else {
                    self.err(
                        &at("target"),
                        format!(
                            "{:?} is not above the entry {:?}: lateral movement follows the WAN up from the entry",
                            x.target, x.entry
                        ),
                    );
                }
            }
        }
        let objective = IntrusionGoal::parse(&x.objective);
        if objective.is_none() {
            self.err(
                &at("objective"),
                format!(
                    "unknown objective {:?}; expected one of: exfiltrate, tamper, deface",
                    x.objective
                ),
            );
        }
        let mut mean_min = [0.0; 5];
        let mut ok = true;
        for (k, (s, field)) in [
            (&x.recon, "recon"),
            (&x.exploit, "exploit"),
            (&x.foothold, "foothold"),
            (&x.lateral, "lateral"),
            (&x.action, "action"),
        ]
        .into_iter()
        .enumerate()
        {
            match self.positive_duration(s, &at(field), field) {
                Some(m) => mean_min[k] = m,
                None => ok = false,
            }
        }
        let d = &x.detect;
        let mut detect = [0.0; 5];
        for (k, (v, field)) in [
            (d.recon, "recon"),
            (d.exploit, "exploit"),
            (d.foothold, "foothold"),
            (d.lateral, "lateral"),
            (d.action, "action"),
        ]
        .into_iter()
        .enumerate()
        {
            let p: Vec<Seg> = [&at("detect")[..], &[F(field)]].concat();
            match self.fraction(v, &p, field) {
                Some(f) => detect[k] = f,
                None => ok = false,
            }
        }
        let rate = self.rate(
            x.records_per_hour,
            &at("records_per_hour"),
            "records_per_hour",
        );
        if !ok || !via_ok {
            return None;
        }
        Some(IntrusionInject {
            via,
            name: x.name.clone(),
            entry: entry?,
            path: path?,
            objective: objective?,
            mean_min,
            detect,
            records_per_hour: rate?,
        })
    }

    fn worm(&mut self, w: &WormFile, inner: &[Seg]) -> Option<WormInject> {
        let at = |field: &'static str| -> Vec<Seg> { [inner, &[F(field)]].concat() };
        let mut ok = true;
        for (value, field) in [
            (w.internet_scan_per_hour, "internet_scan_per_hour"),
            (w.beta_per_hour, "beta_per_hour"),
            (w.tau_per_hour, "tau_per_hour"),
            (w.gamma_per_hour, "gamma_per_hour"),
            (w.traffic_kbps_per_host, "traffic_kbps_per_host"),
        ] {
            ok &= self.rate(value, &at(field), field).is_some();
        }
        ok &= self
            .fraction(
                w.vulnerable_fraction,
                &at("vulnerable_fraction"),
                "vulnerable_fraction",
            )
            .is_some();
        if w.initial_hosts == 0 {
            self.err(&at("initial_hosts"), "initial_hosts must be at least 1");
            ok = false;
        }

        // Initial infection.
        let nodes = self.node_list(&w.initial_nodes, &at("initial_nodes"));
        let provinces = self.province_list(&w.initial_provinces, &at("initial_provinces"));
        let tiers = self.tier_list(&w.initial_tiers, &at("initial_tiers"));
        let initial = match (nodes, provinces, tiers) {
            (Some(nodes), Some(provinces), Some(tiers)) => {
                let sel = Selection {
                    nodes,
                    provinces,
                    prefectures: Vec::new(),
                    tiers,
                };
                let filtered = sel.has_filters();
                let picked = sel.select(self.topo, Some(Tier::Provincial));
                if picked.is_empty() && filtered {
                    self.err(
                        &at("initial_provinces"),
                        "the worm's initial selection selects no node",
                    );
                    None
                } else {
                    Some(picked)
                }
            }
            _ => None,
        };

        // Internet entry: gateway nodes only.
        let entry = if w.internet_entry.is_empty() {
            Some(Vec::new())
        } else {
            self.internet_entry(&w.internet_entry, &at("internet_entry"))
        };

        if let Some(picked) = &initial
            && w.initial_hosts > 0
            && self.hosts_per_node != Some(0)
        {
            let hosts = |v: NodeId| {
                self.hosts_per_node
                    .unwrap_or(self.topo.nodes[v as usize].hosts)
            };
            if let Some(&v) = picked.iter().find(|&&v| hosts(v) < w.initial_hosts) {
                let n = picked
                    .iter()
                    .filter(|&&u| hosts(u) < w.initial_hosts)
                    .count();
                self.err(
                    &at("initial_hosts"),
                    format!(
                        "initial_hosts {} is more than node {:?} has ({} hosts){}",
                        w.initial_hosts,
                        self.topo.nodes[v as usize].id,
                        hosts(v),
                        if n > 1 {
                            format!(", and {} other initial nodes too", n - 1)
                        } else {
                            String::new()
                        }
                    ),
                );
                ok = false;
            }
        }
        let (initial, entry) = (initial?, entry?);
        if initial.is_empty() && (entry.is_empty() || w.internet_scan_per_hour == 0.0) {
            let msg = if entry.is_empty() {
                "the worm has no initial nodes and no internet_entry: it can never spread"
            } else {
                "the worm has no initial nodes and internet_scan_per_hour is 0: it can never spread"
            };
            self.err(inner, msg);
            return None;
        }
        if entry.is_empty() && w.internet_scan_per_hour > 0.0 {
            self.err(
                &at("internet_scan_per_hour"),
                "internet_scan_per_hour is set but internet_entry selects no gateway",
            );
            ok = false;
        }
        let payload = match &w.payload {
            None => None,
            Some(p) => {
                let kind = match p.kind.as_str() {
                    "destroy" => Some(PayloadKind::Destroy),
                    "encrypt" => Some(PayloadKind::Encrypt),
                    other => {
                        self.err(
                            &[inner, &[F("payload"), I(0), F("kind")]].concat(),
                            format!(
                                "unknown payload kind `{other}` (expected `destroy` or `encrypt`)"
                            ),
                        );
                        None
                    }
                };
                let share = self.fraction(
                    p.share,
                    &[inner, &[F("payload"), I(0), F("share")]].concat(),
                    "payload share",
                );
                ok &= kind.is_some() && share.is_some();
                kind.zip(share).map(|(kind, share)| Payload { kind, share })
            }
        };
        ok.then(|| WormInject {
            name: w.name.clone(),
            initial_nodes: initial,
            initial_hosts: w.initial_hosts,
            internet_entry: entry,
            internet_scan_per_hour: w.internet_scan_per_hour,
            beta_per_hour: w.beta_per_hour,
            tau_per_hour: w.tau_per_hour,
            gamma_per_hour: w.gamma_per_hour,
            vulnerable_fraction: w.vulnerable_fraction,
            traffic_kbps_per_host: w.traffic_kbps_per_host,
            payload,
        })
    }

    fn internet_entry(&mut self, area: &AreaFile, path: &[Seg]) -> Option<Vec<NodeId>> {
        let mut ok = true;
        for (i, id) in area.nodes.iter().enumerate() {
            if let Some(v) = self.topo.find(id)
                && !self.topo.nodes[v as usize].gateway
            {
                let p = [path, &[F("nodes"), I(i)]].concat();
                self.err(
                    &p,
                    format!("node {id:?} has no internet gateway, it cannot be an internet entry"),
                );
                ok = false;
            }
        }
        let sel = self.selection(area, path)?;
        let picked: Vec<NodeId> = sel
            .select(self.topo, None)
            .into_iter()
            .filter(|&v| self.topo.nodes[v as usize].gateway)
            .collect();
        if ok && picked.is_empty() {
            self.err(
                path,
                "internet_entry selects no node with an internet gateway",
            );
            return None;
        }
        ok.then_some(picked)
    }

    fn area(&mut self, area: &AreaFile, path: &[Seg]) -> Option<Vec<NodeId>> {
        let picked = self.selection(area, path)?.select(self.topo, None);
        if picked.is_empty() {
            self.err(path, "area selects no node");
            return None;
        }
        Some(picked)
    }

    /// Resolves the names of an area; `None` after reporting unknown names.
    fn selection(&mut self, area: &AreaFile, path: &[Seg]) -> Option<Selection> {
        let at = |field: &'static str| -> Vec<Seg> { [path, &[F(field)]].concat() };
        let nodes = self.node_list(&area.nodes, &at("nodes"));
        let provinces = self.province_list(&area.provinces, &at("provinces"));
        let prefectures = self.prefecture_list(&area.prefectures, &at("prefectures"));
        let tiers = self.tier_list(&area.tiers, &at("tiers"));
        Some(Selection {
            nodes: nodes?,
            provinces: provinces?,
            prefectures: prefectures?,
            tiers: tiers?,
        })
    }

    fn node(&mut self, id: &str, path: &[Seg]) -> Option<NodeId> {
        let v = self.topo.find(id);
        if v.is_none() {
            self.err(path, format!("unknown node id {id:?}"));
        }
        v
    }

    fn node_list(&mut self, ids: &[String], path: &[Seg]) -> Option<Vec<NodeId>> {
        self.list(ids, path, |s, id, p| s.node(id, p))
    }

    fn province_list(&mut self, codes: &[String], path: &[Seg]) -> Option<Vec<u16>> {
        self.list(codes, path, |s, code, p| {
            let r = s.topo.find_province(code);
            if r.is_none() {
                s.err(p, format!("unknown province code {code:?}"));
            }
            r
        })
    }

    fn prefecture_list(&mut self, ids: &[String], path: &[Seg]) -> Option<Vec<NodeId>> {
        self.list(ids, path, |s, id, p| match s.topo.find(id) {
            None => {
                s.err(p, format!("unknown prefecture id {id:?}"));
                None
            }
            Some(v) if s.topo.nodes[v as usize].tier != Tier::Prefecture => {
                let tier = s.topo.nodes[v as usize].tier.as_str();
                s.err(
                    p,
                    format!("{id:?} is a {tier} node, not a prefecture bureau"),
                );
                None
            }
            Some(v) => Some(v),
        })
    }

    fn tier_list(&mut self, names: &[String], path: &[Seg]) -> Option<Vec<Tier>> {
        self.list(names, path, |s, name, p| {
            let t = Tier::parse(name);
            if t.is_none() {
                let all: Vec<&str> = Tier::ALL.iter().map(|t| t.as_str()).collect();
                s.err(
                    p,
                    format!("unknown tier {name:?} (expected one of {})", all.join(", ")),
                );
            }
            t
        })
    }

    /// Resolves every element (reporting each failure); `None` if any failed.
    fn list<T>(
        &mut self,
        items: &[String],
        path: &[Seg],
        mut one: impl FnMut(&mut Self, &str, &[Seg]) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let p = [path, &[I(i)]].concat();
            match one(self, item, &p) {
                Some(x) => out.push(x),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn rate(&mut self, x: f64, path: &[Seg], what: &str) -> Option<f64> {
        use super::limits::MAX_RATE;
        if x.is_finite() && x > MAX_RATE {
            self.err(
                path,
                format!("{what} {x:e} is above the limit of {MAX_RATE:e}"),
            );
            None
        } else if x.is_finite() && x >= 0.0 {
            Some(x)
        } else {
            self.err(path, format!("{what} must be a finite number ≥ 0, got {x}"));
            None
        }
    }

    fn fraction(&mut self, x: f64, path: &[Seg], what: &str) -> Option<f64> {
        if (0.0..=1.0).contains(&x) {
            Some(x)
        } else {
            self.err(path, format!("{what} must lie between 0 and 1, got {x}"));
            None
        }
    }

    /// The primary line between two nodes, else a backup line joining them.
    fn direct_link(&self, a: NodeId, b: NodeId) -> Option<LinkId> {
        self.topo.link_between(a, b).or_else(|| {
            self.topo
                .neighbours(a)
                .iter()
                .find(|&&(w, l)| w == b && self.topo.links[l as usize].kind == LinkKind::Backup)
                .map(|&(_, l)| l)
        })
    }
}

fn bad_duration_msg(what: &str, s: &str) -> String {
    duration_refusal(what, s, || {
        format!(
            "{what} {s:?} is not a duration (expected e.g. \"90m\", \"2h30m\", \"3d\", \"45s\"; \
             units d, h, m, s in that order)"
        )
    })
}

/// An area with its names resolved.
struct Selection {
    nodes: Vec<NodeId>,
    provinces: Vec<u16>,
    prefectures: Vec<NodeId>,
    tiers: Vec<Tier>,
}

impl Selection {
    fn has_filters(&self) -> bool {
        !(self.provinces.is_empty() && self.prefectures.is_empty() && self.tiers.is_empty())
    }

    /// Applies the selection rule of the module docs. `default_tier` is the
    /// tier required when `tiers` is empty but other filters are set (the
    /// worm's "provinces alone = provincial bureaus" rule).
    fn select(&self, topo: &Topology, default_tier: Option<Tier>) -> Vec<NodeId> {
        let mut out = self.nodes.clone();
        if self.has_filters() {
            let n = topo.nodes.len();
            let mut in_pref = vec![false; n];
            for &p in &self.prefectures {
                in_pref[p as usize] = true;
            }
            let under_pref = |v: usize| {
                let mut cur = Some(v as NodeId);
                let mut steps = 0;
                while let Some(c) = cur {
                    if in_pref[c as usize] {
                        return true;
                    }
                    cur = topo.nodes[c as usize].parent;
                    steps += 1;
                    if steps > n {
                        break; // a cycle in `parent` would be a topology bug
                    }
                }
                false
            };
            for (v, node) in topo.nodes.iter().enumerate() {
                if !node.tier.is_wan() {
                    continue;
                }
                let prov_ok = self.provinces.is_empty()
                    || node.province.is_some_and(|p| self.provinces.contains(&p));
                let tier_ok = if self.tiers.is_empty() {
                    default_tier.is_none_or(|t| node.tier == t)
                } else {
                    self.tiers.contains(&node.tier)
                };
                if prov_ok && tier_ok && (self.prefectures.is_empty() || under_pref(v)) {
                    out.push(v as NodeId);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

// ---------------------------------------------------------------------------
// Source locator
// ---------------------------------------------------------------------------

/// Finds where a value sits in RON source text.
///
/// serde keeps no spans, so after a successful parse the loader builds a
/// light span tree straight from the text: every value with the byte offset
/// where it starts, struct fields by name, list/tuple elements by index.
/// [`SpanTree::locate`] follows a path such as
/// `injects[2].what.0.area.provinces[1]` and returns the offset of the
/// deepest value it reaches (so a defaulted, absent field points at its
/// enclosing struct). The lexer knows strings (with escapes and raw strings),
/// line and nested block comments; it never panics, whatever the input.
pub mod locate {
    /// One step of a path: a struct field or a list/tuple index.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Seg<'a> {
        F(&'a str),
        I(usize),
    }

    /// A value and where it starts.
    #[derive(Clone, Debug, Default)]
    pub struct SpanNode {
        pub start: usize,
        /// Named struct fields, in file order.
        pub fields: Vec<(String, SpanNode)>,
        /// List, tuple, map-value or `Some(..)` elements, in file order.
        pub elems: Vec<SpanNode>,
    }

    /// The span tree of a whole file.
    #[derive(Clone, Debug, Default)]
    pub struct SpanTree {
        pub root: SpanNode,
    }

    #[derive(Clone, Debug, PartialEq)]
    enum Tok {
        Open(u8),
        Close(u8),
        Colon,
        Comma,
        Ident(String),
        /// String or char literal.
        Str,
        /// Anything else: numbers, signs, `#`, `!`.
        Other,
    }

    fn is_ident_start(b: u8) -> bool {
        b.is_ascii_alphabetic() || b == b'_'
    }
    fn is_ident_char(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b == b'_'
    }

    fn lex(src: &str) -> Vec<(usize, Tok)> {
        let s = src.as_bytes();
        let n = s.len();
        let mut i = 0;
        let mut out = Vec::new();
        while i < n {
            let b = s[i];
            let start = i;
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => i += 1,
                b'/' if s.get(i + 1) == Some(&b'/') => {
                    while i < n && s[i] != b'\n' {
                        i += 1;
                    }
                }
                b'/' if s.get(i + 1) == Some(&b'*') => {
                    let mut depth = 0usize;
                    while i < n {
                        if s[i] == b'/' && s.get(i + 1) == Some(&b'*') {
                            depth += 1;
                            i += 2;
                        } else if s[i] == b'*' && s.get(i + 1) == Some(&b'/') {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        } else {
                            i += 1;
                        }
                    }
                }
                b'(' | b'[' | b'{' => {
                    out.push((start, Tok::Open(b)));
                    i += 1;
                }
                b')' | b']' | b'}' => {
                    out.push((start, Tok::Close(b)));
                    i += 1;
                }
                b':' => {
                    out.push((start, Tok::Colon));
                    i += 1;
                }
                b',' => {
                    out.push((start, Tok::Comma));
                    i += 1;
                }
                b'"' | b'\'' => {
                    i = skip_quoted(s, i + 1, b);
                    out.push((start, Tok::Str));
                }
                _ if is_ident_start(b) => {
                    // Raw string r"..", r#".."#, byte strings b"..", br"..".
                    let mut j = i;
                    if s[j] == b'b' && matches!(s.get(j + 1), Some(b'"' | b'\'' | b'r')) {
                        j += 1;
                    }
                    if s[j] == b'r' && matches!(s.get(j + 1), Some(b'"' | b'#')) {
                        let mut k = j + 1;
                        let mut hashes = 0;
                        while k < n && s[k] == b'#' {
                            hashes += 1;
                            k += 1;
                        }
                        if k < n && s[k] == b'"' {
                            i = skip_raw(s, k + 1, hashes);
                            out.push((start, Tok::Str));
                            continue;
                        }
                        if hashes == 1 && k < n && is_ident_start(s[k]) {
                            // Raw identifier r#name.
                            let mut e = k;
                            while e < n && is_ident_char(s[e]) {
                                e += 1;
                            }
                            out.push((start, Tok::Ident(src[k..e].to_owned())));
                            i = e;
                            continue;
                        }
                    }
                    if j > i && matches!(s.get(j), Some(b'"' | b'\'')) {
                        i = skip_quoted(s, j + 1, s[j]);
                        out.push((start, Tok::Str));
                        continue;
                    }
                    let mut e = i;
                    while e < n && is_ident_char(s[e]) {
                        e += 1;
                    }
                    out.push((start, Tok::Ident(src[i..e].to_owned())));
                    i = e;
                }
                _ => {
                    // Numbers (with sign, dots, exponents, underscores) and stray
                    // punctuation: one token per run.
                    let mut e = i + 1;
                    if b.is_ascii_digit() || b == b'-' || b == b'+' || b == b'.' {
                        while e < n
                            && (is_ident_char(s[e])
                                || s[e] == b'.'
                                || ((s[e] == b'-' || s[e] == b'+')
                                    && matches!(s[e - 1], b'e' | b'E')))
                        {
                            e += 1;
                        }
                    } else {
                        // Skip to the next char boundary (non-ASCII stray text).
                        while e < n && !src.is_char_boundary(e) {
                            e += 1;
                        }
                    }
                    out.push((start, Tok::Other));
                    i = e;
                }
            }
        }
        out
    }

    /// Index just after the closing quote (or the end).
    fn skip_quoted(s: &[u8], mut i: usize, quote: u8) -> usize {
        while i < s.len() {
            match s[i] {
                b'\\' => i += 2,
                c if c == quote => return i + 1,
                _ => i += 1,
            }
        }
        s.len()
    }

    fn skip_raw(s: &[u8], mut i: usize, hashes: usize) -> usize {
        while i < s.len() {
            if s[i] == b'"'
                && s[i + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|&&c| c == b'#')
                    .count()
                    == hashes
            {
                return (i + 1 + hashes).min(s.len());
            }
            i += 1;
        }
        s.len()
    }

    struct Parser {
        toks: Vec<(usize, Tok)>,
        i: usize,
        depth: usize,
    }

    impl Parser {
        fn peek(&self, k: usize) -> Option<&Tok> {
            self.toks.get(self.i + k).map(|(_, t)| t)
        }

        fn value(&mut self) -> SpanNode {
            let Some((start, tok)) = self.toks.get(self.i).cloned() else {
                return SpanNode::default();
            };
            let mut node = SpanNode {
                start,
                ..SpanNode::default()
            };
            if self.depth > 256 {
                self.i += 1;
                return node;
            }
            self.depth += 1;
            match tok {
                Tok::Ident(_) => {
                    self.i += 1;
                    if self.peek(0) == Some(&Tok::Open(b'(')) {
                        self.group(&mut node);
                    }
                }
                Tok::Open(b'(') => self.group(&mut node),
                Tok::Open(b'[') => {
                    self.i += 1;
                    self.elements(&mut node, false);
                }
                Tok::Open(_) => {
                    self.i += 1;
                    self.elements(&mut node, true);
                }
                _ => self.i += 1,
            }
            self.depth -= 1;
            node
        }

        /// At `(`: struct fields `name: value, ...` or tuple elements.
        fn group(&mut self, node: &mut SpanNode) {
            self.i += 1;
            let is_struct =
                matches!(self.peek(0), Some(Tok::Ident(_))) && self.peek(1) == Some(&Tok::Colon);
            if !is_struct {
                self.elements(node, false);
                return;
            }
            loop {
                match self.peek(0).cloned() {
                    None => return,
                    Some(Tok::Close(_)) => {
                        self.i += 1;
                        return;
                    }
                    Some(Tok::Comma) => self.i += 1,
                    Some(Tok::Ident(name)) if self.peek(1) == Some(&Tok::Colon) => {
                        self.i += 2;
                        let v = self.value();
                        node.fields.push((name, v));
                    }
                    Some(_) => {
                        // Unexpected: keep going without looping forever.
                        let _ = self.value();
                    }
                }
            }
        }

        /// Comma-separated values up to the closing bracket; `map` keeps only the values
        /// of `key: value` pairs.
        fn elements(&mut self, node: &mut SpanNode, map: bool) {
            loop {
                match self.peek(0) {
                    None => return,
                    Some(Tok::Close(_)) => {
                        self.i += 1;
                        return;
                    }
                    Some(Tok::Comma) => self.i += 1,
                    Some(_) => {
                        let v = self.value();
                        if map && self.peek(0) == Some(&Tok::Colon) {
                            self.i += 1;
                            let val = self.value();
                            node.elems.push(val);
                        } else {
                            node.elems.push(v);
                        }
                    }
                }
            }
        }
    }

    impl SpanTree {
        /// Builds the tree of the file's main value (inner attributes such as
        /// `#![enable(implicit_some)]` are skipped).
        pub fn parse(src: &str) -> SpanTree {
            let mut p = Parser {
                toks: lex(src),
                i: 0,
                depth: 0,
            };
            // Skip `#![...]` / `#[...]` attributes.
            while p.peek(0) == Some(&Tok::Other) && src[p.toks[p.i].0..].starts_with('#') {
                p.i += 1;
                while p.peek(0) == Some(&Tok::Other) {
                    p.i += 1;
                }
                if p.peek(0) == Some(&Tok::Open(b'[')) {
                    let _ = p.value();
                }
            }
            SpanTree { root: p.value() }
        }

        /// Byte offset of the deepest value reached along `path`.
        pub fn locate(&self, path: &[Seg]) -> usize {
            let mut node = &self.root;
            for seg in path {
                let next = match *seg {
                    Seg::F(name) => node.fields.iter().find(|(f, _)| f == name).map(|(_, v)| v),
                    Seg::I(k) => match node.elems.get(k) {
                        Some(v) => Some(v),
                        // `Worm(name: ..)` with unwrap_variant_newtypes, or a
                        // bare value where `Some(..)` was expected (implicit_some).
                        None if k == 0 => Some(node),
                        None => None,
                    },
                };
                match next {
                    Some(n) => node = n,
                    None => break,
                }
            }
            node.start
        }
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::locate::{Seg, SpanTree};
    use super::*;
    use crate::model::diag::line_col;
    use crate::model::topology::{Link, Node, Province};
    use std::path::PathBuf;

    /// hq; provinces gd (gd.01 → gd.01.01 → gd.01.01.g1, gd.02), sc (sc.01 →
    /// sc.01.01), bj (no nodes); an external partner `customs`; a backup line
    /// gd.01 — hq.
    pub(crate) fn small_topology() -> Topology {
        let prov = |code: &str| Province {
            code: code.to_owned(),
            name_zh: code.to_owned(),
            name_en: code.to_owned(),
        };
        let node = |id: &str, tier: Tier, parent: Option<NodeId>, province: Option<u16>| Node {
            id: id.to_owned(),
            name_zh: id.to_owned(),
            name_en: id.to_owned(),
            tier,
            parent,
            province,
            hosts: 10,
            gateway: matches!(tier, Tier::Hq | Tier::Provincial),
            data_centre: matches!(tier, Tier::Hq | Tier::Provincial),
            backup_power_hours: 4.0,
            services: Vec::new(),
        };
        let nodes = vec![
            node("hq", Tier::Hq, None, None),                        // 0
            node("gd", Tier::Provincial, Some(0), Some(0)),          // 1
            node("gd.01", Tier::Prefecture, Some(1), Some(0)),       // 2
            node("gd.01.01", Tier::County, Some(2), Some(0)),        // 3
            node("gd.01.01.g1", Tier::Grassroots, Some(3), Some(0)), // 4
            node("gd.02", Tier::Prefecture, Some(1), Some(0)),       // 5
            node("sc", Tier::Provincial, Some(0), Some(1)),          // 6
            node("sc.01", Tier::Prefecture, Some(6), Some(1)),       // 7
            node("sc.01.01", Tier::County, Some(7), Some(1)),        // 8
            node("customs", Tier::External, None, None),             // 9
        ];
        let link = |a: NodeId, b: NodeId, kind: LinkKind| Link {
            a,
            b,
            kind,
            capacity_kbps: 2048.0,
            failover_min: 5.0,
        };
        let links = vec![
            link(0, 1, LinkKind::Backbone),
            link(0, 6, LinkKind::Backbone),
            link(1, 2, LinkKind::Regional),
            link(2, 3, LinkKind::Metro),
            link(3, 4, LinkKind::Access),
            link(1, 5, LinkKind::Regional),
            link(6, 7, LinkKind::Regional),
            link(7, 8, LinkKind::Metro),
            link(0, 9, LinkKind::External),
            link(2, 0, LinkKind::Backup),
        ];
        Topology::new(vec![prov("gd"), prov("sc"), prov("bj")], nodes, links)
    }

    fn p(src: &str) -> Result<Scenario, Diagnostics> {
        parse(src, Path::new("test.ron"), "test", &small_topology())
    }

    fn scenario_with(injects: &str) -> String {
        format!(
            "Scenario(\n    name: \"t\",\n    start: \"2002-11-08T09:00:00\",\n    duration: \"72h\",\n    injects: [\n{injects}\n    ],\n)\n"
        )
    }

    /// (line, col, message) of each problem.
    fn errs(src: &str) -> Vec<(usize, usize, String)> {
        match p(src) {
            Ok(_) => panic!("expected errors, parsed fine:\n{src}"),
            Err(d) => {
                d.0.into_iter()
                    .map(|d| (d.line, d.col, d.message))
                    .collect()
            }
        }
    }

    /// (line, col) of the first occurrence of `needle` in `src`.
    fn pos(src: &str, needle: &str) -> (usize, usize) {
        line_col(src, src.find(needle).expect(needle))
    }

    // --- durations -------------------------------------------------------

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("90m"), Some(90.0));
        assert_eq!(parse_duration("2h30m"), Some(150.0));
        assert_eq!(parse_duration("3d"), Some(4320.0));
        assert_eq!(parse_duration("1h"), Some(60.0));
        assert_eq!(parse_duration("45s"), Some(0.75));
        assert_eq!(parse_duration("+6h"), Some(360.0));
        assert_eq!(parse_duration("+0m"), Some(0.0));
        assert_eq!(parse_duration("1d2h3m30s"), Some(1440.0 + 120.0 + 3.5));
        assert_eq!(parse_duration("1.5h"), Some(90.0));
        assert_eq!(parse_duration(" 30d "), Some(43200.0));
        // jiff's friendly format and ISO 8601 (issue 12).
        assert_eq!(parse_duration("1d 4h"), Some(1680.0));
        assert_eq!(parse_duration("1h 30m"), Some(90.0));
        assert_eq!(parse_duration("2 hours"), Some(120.0));
        assert_eq!(parse_duration("PT2H"), Some(120.0));
        assert_eq!(parse_duration("P1DT4H"), Some(1680.0));
        assert_eq!(parse_duration("1w"), Some(7.0 * 1440.0));
        assert_eq!(parse_duration("366d"), Some(366.0 * 1440.0));
    }

    /// The hand parser jiff replaced (session 5), kept to show that every
    /// duration of the bundled files parses to the same minutes, bit for bit.
    fn legacy_parse_duration(s: &str) -> Option<f64> {
        let s = s.trim();
        let s = s.strip_prefix('+').unwrap_or(s);
        if s.is_empty() {
            return None;
        }
        const UNITS: [(char, f64); 4] = [('d', 1440.0), ('h', 60.0), ('m', 1.0), ('s', 1.0 / 60.0)];
        let (mut total, mut next_unit, mut rest) = (0.0, 0, s);
        while !rest.is_empty() {
            let num_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let num = &rest[..num_len];
            if num.is_empty() || num.starts_with('.') || num.ends_with('.') {
                return None;
            }
            let value: f64 = num.parse().ok()?;
            let unit = rest[num_len..].chars().next()?;
            let k = UNITS[next_unit..].iter().position(|&(u, _)| u == unit)? + next_unit;
            total += value * UNITS[k].1;
            next_unit = k + 1;
            rest = &rest[num_len + unit.len_utf8()..];
        }
        total.is_finite().then_some(total)
    }

    #[test]
    fn bundled_files_durations_parse_as_before() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [
            "scenarios",
            "scenarios/plans",
            "scenarios/validation",
            "assets",
        ] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "ron") {
                    files.push(p);
                }
            }
        }
        files.sort();
        let mut checked = 0;
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            // Every string literal the old parser took for a duration.
            for lit in text.split('"').skip(1).step_by(2) {
                if let Some(old) = legacy_parse_duration(lit) {
                    let new = parse_duration(lit);
                    assert_eq!(
                        new.map(f64::to_bits),
                        Some(old.to_bits()),
                        "{}: {lit:?}",
                        f.display()
                    );
                    checked += 1;
                }
            }
        }
        assert!(
            files.len() >= 10 && checked > 300,
            "{} files, {checked}",
            files.len()
        );
    }

    #[test]
    fn durations_refused_say_why() {
        use DurationError::*;
        assert_eq!(duration_minutes("367d"), Err(TooLong(367.0 * 1440.0)));
        assert_eq!(duration_minutes("3650d"), Err(TooLong(3650.0 * 1440.0)));
        assert_eq!(duration_minutes("365000d"), Err(TooLong(365000.0 * 1440.0)));
        assert_eq!(duration_minutes("-1h"), Err(Negative));
        assert_eq!(duration_minutes("1h ago"), Err(Negative));
        for bad in [
            "1e20d",
            "1y",
            "2mo",
            "100000000000000000000d",
            "nan",
            "infd",
        ] {
            assert!(
                matches!(duration_minutes(bad), Err(Syntax(_))),
                "{bad:?}: {:?}",
                duration_minutes(bad)
            );
        }
        assert_eq!(
            bad_duration_msg("median", "3650d"),
            "median \"3650d\" is longer than the limit of 366 days"
        );
    }

    #[test]
    fn durations_reject() {
        for bad in [
            "", "+", "h", "10", "10x", "-1h", "1h-30m", "30m2h", "1h1h", ".5h", "5.h", "1..5h",
            "++1h", "１h", "1e20d", "1y", "367d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn durations_format_and_ticks() {
        assert_eq!(format_duration(150.0), "2h30m");
        assert_eq!(format_duration(0.0), "0m");
        assert_eq!(format_duration(0.75), "45s");
        assert_eq!(tick_count(4320.0, 1.0), 4320);
        assert_eq!(tick_count(100.0, 30.0), 4);
        assert_eq!(tick_count(4320.0, 0.1), 43200);
    }

    // --- locator ---------------------------------------------------------

    #[test]
    fn locator_follows_paths() {
        let src = r##"#![enable(implicit_some)]
// comment with "quotes" and (parens
Scenario( /* block /* nested */ ( */
    name: "a \" ) ] b",
    raw: r#"x"( ]"#,
    injects: [
        (at: "+1h", what: LinkCut((a: "hq", b: "gd", duration: Some("4h")))),
        (at: "+2h", what: Disaster((area: (provinces: ["gd", "zz"]), node_fraction: -0.5, duration: "1h"))),
    ],
    m: {"k": 1, "j": [2]},
    after: 3,
)"##;
        let t = SpanTree::parse(src);
        let at = |path: &[Seg]| line_col(src, t.locate(path));
        assert_eq!(at(&[F("name")]), pos(src, "\"a \\\""));
        assert_eq!(at(&[F("raw")]), pos(src, "r#\"x"));
        assert_eq!(at(&[F("injects"), I(1), F("at")]), pos(src, "\"+2h\""));
        assert_eq!(
            at(&[F("injects"), I(0), F("what"), I(0), F("duration"), I(0)]),
            pos(src, "\"4h\"")
        );
        let zz = [
            F("injects"),
            I(1),
            F("what"),
            I(0),
            F("area"),
            F("provinces"),
            I(1),
        ];
        assert_eq!(at(&zz), pos(src, "\"zz\""));
        assert_eq!(
            at(&[F("injects"), I(1), F("what"), I(0), F("node_fraction")]),
            pos(src, "-0.5")
        );
        // Absent field: the enclosing value.
        assert_eq!(
            at(&[F("injects"), I(1), F("what"), I(0), F("nope")]),
            pos(src, "(area:")
        );
        assert_eq!(at(&[F("m"), I(1)]), pos(src, "[2]"));
        assert_eq!(at(&[F("after")]), pos(src, "3,\n)"));
    }

    #[test]
    fn locator_never_panics_on_garbage() {
        for src in [
            "",
            "(",
            ")",
            "[[[",
            "r#",
            "\"",
            "/*",
            "Scenario(a: (b: [",
            "#![",
            "a:b:c",
            "r#\"x",
            "b'",
            "\u{4e2d}(x: 1)",
            "((((((((((((((((((",
        ] {
            let t = SpanTree::parse(src);
            let _ = t.locate(&[F("a"), I(3), F("b")]);
        }
        let deep = "[".repeat(10_000);
        let _ = SpanTree::parse(&deep).locate(&[I(0)]);
    }

    // --- loader: good input ----------------------------------------------

    #[test]
    fn full_example_parses_and_sorts() {
        let src = scenario_with(
            r#"        (at: "+6h", what: LinkCut((a: "hq", b: "gd", duration: Some("4h")))),
        (at: "+1h", what: NodeFailure((node: "hq", duration: None))),
        (at: "+0m", what: Worm((
            name: "w",
            initial_provinces: ["gd"],
            internet_entry: (provinces: ["gd", "sc"]),
            internet_scan_per_hour: 1.0,
            beta_per_hour: 2,
            tau_per_hour: 0.05,
            vulnerable_fraction: 0.6,
        ))),
        (at: "+2h", what: PowerOutage((area: (nodes: ["sc"]), duration: "8h", backup_power: false))),
        (at: "+1h", what: Disaster((area: (prefectures: ["gd.01"]), node_fraction: 0.3, duration: "48h"))),"#,
        );
        let s = p(&src).unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(s.slug, "test");
        assert_eq!(s.duration_min, 4320.0);
        assert_eq!(s.tick_min, 1.0);
        assert_eq!(s.start.to_string(), "2002-11-08T09:00:00");
        let times: Vec<f64> = s.injects.iter().map(|i| i.at_min).collect();
        assert_eq!(times, vec![0.0, 60.0, 60.0, 120.0, 360.0]);
        // Stable: NodeFailure before Disaster at +1h (file order).
        assert!(matches!(
            s.injects[1].kind,
            InjectKind::NodeFailure {
                node: 0,
                duration_min: None,
                ..
            }
        ));
        match &s.injects[2].kind {
            InjectKind::Disaster { nodes, .. } => assert_eq!(nodes, &vec![2, 3, 4]),
            k => panic!("{k:?}"),
        }
        match &s.injects[0].kind {
            InjectKind::Worm(w) => {
                assert_eq!(w.initial_nodes, vec![1]); // provincial bureau only
                assert_eq!(w.internet_entry, vec![1, 6]); // gateways of gd and sc
                assert_eq!(w.beta_per_hour, 2.0);
                assert_eq!(w.gamma_per_hour, 0.0);
                assert_eq!(w.initial_hosts, 1);
            }
            k => panic!("{k:?}"),
        }
        assert!(matches!(
            s.injects[4].kind,
            InjectKind::LinkCut {
                link: 0,
                duration_min: Some(240.0)
            }
        ));
        match &s.injects[3].kind {
            InjectKind::PowerOutage {
                nodes,
                backup_power,
                duration_min,
            } => {
                assert_eq!(nodes, &vec![6]);
                assert!(!backup_power);
                assert_eq!(*duration_min, 480.0);
            }
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn area_selection_rules() {
        let t = small_topology();
        let sel = |nodes: Vec<NodeId>,
                   provinces: Vec<u16>,
                   prefectures: Vec<NodeId>,
                   tiers: Vec<Tier>| {
            Selection {
                nodes,
                provinces,
                prefectures,
                tiers,
            }
            .select(&t, None)
        };
        // Whole province gd.
        assert_eq!(sel(vec![], vec![0], vec![], vec![]), vec![1, 2, 3, 4, 5]);
        // Tiers alone: every WAN node of those tiers (external excluded).
        assert_eq!(
            sel(vec![], vec![], vec![], vec![Tier::Provincial]),
            vec![1, 6]
        );
        assert_eq!(
            sel(vec![], vec![], vec![], vec![Tier::External]),
            Vec::<NodeId>::new()
        );
        // Listed nodes are always in, even external ones; dedup + sort.
        assert_eq!(
            sel(vec![9, 6, 1], vec![0], vec![], vec![Tier::Provincial]),
            vec![1, 6, 9]
        );
        // Prefecture subtree ∩ tier.
        assert_eq!(sel(vec![], vec![], vec![2], vec![]), vec![2, 3, 4]);
        assert_eq!(sel(vec![], vec![], vec![2], vec![Tier::County]), vec![3]);
        // Intersection that is empty.
        assert_eq!(
            sel(vec![], vec![0], vec![], vec![Tier::Hq]),
            Vec::<NodeId>::new()
        );
        // Worm rule: provinces alone → provincial bureaus.
        let s = Selection {
            nodes: vec![],
            provinces: vec![0, 1],
            prefectures: vec![],
            tiers: vec![],
        };
        assert_eq!(s.select(&t, Some(Tier::Provincial)), vec![1, 6]);
        let s = Selection {
            nodes: vec![],
            provinces: vec![0],
            prefectures: vec![],
            tiers: vec![Tier::County],
        };
        assert_eq!(s.select(&t, Some(Tier::Provincial)), vec![3]);
    }

    #[test]
    fn backup_link_can_be_cut() {
        let src = scenario_with(r#"        (at: "+1h", what: LinkCut((a: "hq", b: "gd.01"))),"#);
        let s = p(&src).unwrap_or_else(|d| panic!("{d}"));
        assert!(matches!(
            s.injects[0].kind,
            InjectKind::LinkCut {
                link: 9,
                duration_min: None
            }
        ));
    }

    // --- loader: bad input, every problem with its position --------------

    #[test]
    fn collects_every_problem_with_positions() {
        let src = r#"Scenario(
    name: "t",
    start: "2002-13-08T09:00:00",
    duration: "72h",
    tick: "5x",
    hosts_per_node: Some(0),
    injects: [
        (at: "+80h", what: NodeFailure((node: "nowhere"))),
        (at: "+1h", what: Worm((initial_nodes: ["hq"], beta_per_hour: -1.0, vulnerable_fraction: 1.5))),
        (at: "+1h", what: Worm((initial_tiers: ["province"]))),
        (at: "+1h", what: LinkCut((a: "gd", b: "sc"))),
        (at: "+1h", what: PowerOutage((area: (provinces: ["gd"], tiers: ["hq"]), duration: "1h"))),
        (at: "+1h", what: Disaster((area: (provinces: ["xx"], prefectures: ["gd"]), node_fraction: 0.5, duration: "0m"))),
        (at: "1h", what: Worm((initial_nodes: ["gd.01"], internet_entry: (nodes: ["gd.01"])))),
        (at: "+1h", what: Worm(())),
        (at: "+1h", what: Worm((initial_nodes: ["hq"], internet_scan_per_hour: 9.0))),
    ],
)
"#;
        let got = errs(src);
        let pref = {
            let o = src.find("prefectures: [\"gd\"]").unwrap() + "prefectures: [".len();
            line_col(src, o)
        };
        let want: Vec<((usize, usize), &str)> = vec![
            (pos(src, "\"2002-13"), "not a valid date-time"),
            (pos(src, "\"5x\""), "tick \"5x\" is not a duration"),
            (pos(src, "0),"), "hosts_per_node must be at least 1"),
            (pos(src, "\"+80h\""), "at or after the end"),
            (pos(src, "\"nowhere\""), "unknown node id"),
            (pos(src, "-1.0"), "beta_per_hour must be a finite number"),
            (
                pos(src, "1.5)"),
                "vulnerable_fraction must lie between 0 and 1",
            ),
            (pos(src, "\"province\""), "unknown tier"),
            (
                pos(src, "\"sc\")"),
                "no direct link between \"gd\" and \"sc\"",
            ),
            (
                pos(src, "(provinces: [\"gd\"], tiers"),
                "area selects no node",
            ),
            (pos(src, "\"xx\""), "unknown province code"),
            (pref, "not a prefecture"),
            (pos(src, "\"0m\""), "duration must be longer than zero"),
            (pos(src, "\"gd.01\"])))"), "has no internet gateway"),
            (pos(src, "())"), "no initial nodes and no internet_entry"),
            (pos(src, "9.0"), "internet_entry selects no gateway"),
        ];
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((g.0, g.1), w.0, "{} vs {}", g.2, w.1);
            assert!(g.2.contains(w.1), "{:?} does not contain {:?}", g.2, w.1);
        }
        assert_eq!(got.len(), want.len(), "{got:#?}");
    }

    #[test]
    fn ron_errors_have_positions() {
        let src = "Scenario(\n    name: \"t\",\n    strat: \"2002-11-08T09:00:00\",\n)";
        let got = errs(src);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].0, got[0].1), (3, 5), "{}", got[0].2);
        assert!(got[0].2.contains("strat"), "{}", got[0].2);
    }

    #[test]
    fn load_reads_file_and_sets_slug() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("my-drill.ron");
        std::fs::write(
            &path,
            scenario_with(
                r#"        (at: "+1h", what: NodeFailure((node: "hq", duration: Some("6h")))),"#,
            ),
        )
        .unwrap();
        let s = load(&path, &small_topology()).unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(s.slug, "my-drill");
        assert_eq!(s.source.as_deref(), Some(path.as_path()));
        let missing = load(&dir.path().join("nope.ron"), &small_topology()).unwrap_err();
        assert_eq!(missing.len(), 1);
        assert!(missing.0[0].message.contains("cannot read"));
    }

    // --- bundled and malformed files -------------------------------------

    fn ron_files(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ron"))
            .collect();
        files.sort();
        files
    }

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn bundled_scenarios_parse() {
        let topo = small_topology();
        let mut files = ron_files(&root().join("scenarios"));
        files.extend(ron_files(&root().join("scenarios/validation")));
        // These name provincial bureaus the small network lacks (`sc`,
        // `bj`); tests/library.rs loads and runs them on the national one.
        files.retain(|f| {
            !f.ends_with("two-worms.ron") && !f.ends_with("political-period-attack.ron")
        });
        assert!(files.len() >= 5, "{files:?}");
        // The bundled scenarios name nodes of the default national network
        // (zj, sc.03, ext.customs, …), not only the small test network's.
        let national = crate::app::load_topology(None).unwrap();
        for f in files {
            let s = load(&f, &national).unwrap_or_else(|d| panic!("{d}"));
            assert!(!s.injects.is_empty(), "{}", f.display());
        }
        let s = load(&root().join("scenarios/validation/network-sir.ron"), &topo).unwrap();
        assert_eq!(s.hosts_per_node, Some(1));
        match &s.injects[..] {
            [
                Inject {
                    at_min: 0.0,
                    kind: InjectKind::Worm(w),
                    incident: None,
                },
            ] => {
                assert_eq!(w.initial_nodes, vec![topo.hq]);
                assert_eq!(w.beta_per_hour, 0.0);
                assert_eq!(w.internet_scan_per_hour, 0.0);
                assert_eq!(w.vulnerable_fraction, 1.0);
                assert!(w.tau_per_hour > 0.0 && w.gamma_per_hour > 0.0);
            }
            other => panic!("{other:?}"),
        }
    }

    /// Every file under `tests/data/bad-scenarios/` states its fault and the
    /// expected position in header lines `// expect: LINE:COL` and
    /// `// message: TEXT`; loading it must fail with that first problem.
    #[test]
    fn bad_scenarios_fail_at_the_right_place() {
        let topo = small_topology();
        let files = ron_files(&root().join("tests/data/bad-scenarios"));
        assert!(files.len() >= 12, "{files:?}");
        for f in files {
            let src = std::fs::read_to_string(&f).unwrap();
            let header = |key: &str| {
                src.lines()
                    .find_map(|l| l.strip_prefix(key).map(|s| s.trim().to_owned()))
                    .unwrap_or_else(|| panic!("{}: no {key:?} line", f.display()))
            };
            let expect = header("// expect:");
            let message = header("// message:");
            let (line, col) = expect.split_once(':').unwrap();
            let (line, col): (usize, usize) = (line.parse().unwrap(), col.parse().unwrap());
            let d = load(&f, &topo).expect_err(&f.display().to_string());
            assert_eq!(d.len(), 1, "{}: {d}", f.display());
            let first = &d.0[0];
            assert_eq!((first.line, first.col), (line, col), "{}: {d}", f.display());
            assert!(first.message.contains(&message), "{}: {d}", f.display());
        }
    }
}
