//! The record of one run: what the engine leaves behind for scoring and output.

use bevy_ecs::prelude::Resource;
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::topology::{LinkId, NodeId};

/// Kinds of events the engine records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A scripted inject took effect (detail names it).
    Inject,
    /// A worm was released at its initial nodes.
    WormRelease,
    /// The first host of a node was infected.
    NodeInfected,
    /// The last infected host of a node was cleaned.
    NodeClean,
    /// Worm traffic saturated a line; it carries nothing until the load falls.
    LinkSaturated,
    /// A saturated line carries traffic again.
    LinkDesaturated,
    /// A line was cut or its device failed.
    LinkCut,
    /// A cut line was repaired.
    LinkRepaired,
    /// A backup line took over after the failover delay.
    Failover,
    /// Traffic went back to the repaired primary line.
    Failback,
    /// A node went down (equipment failure, power, disaster).
    NodeDown,
    /// A node came back up.
    NodeUp,
    /// A site lost mains power and runs on backup power.
    OnBackupPower,
    /// A threat damaged a site's data (detail: cause, hosts, backup age, records).
    DataDamaged,
    /// A team detected a symptom at a site.
    Detection,
    /// The first detection of an incident.
    IncidentOpened,
    /// A report hop arrived.
    Report,
    /// An emergency office graded the incident.
    Grading,
    /// A response level was started.
    Activation,
    /// A procedure step started.
    StepStart,
    /// A procedure step finished (its effect applies now).
    StepFinish,
    /// A report or step was not done (deviation).
    Skipped,
    /// The incident is contained and its tasks done: the response ends.
    ResponseEnded,
    /// Staff duty changed (office hours, night, weekend, holiday, heightened
    /// or round-the-clock duty); detail says which and what it means.
    Duty,
    /// Off hours: a unit's staff were called in before its tasks could start.
    CallOut,
    /// The run ended with the incident's response still open (its
    /// post-incident obligations are not due).
    ResponseOpen,
    /// A drill log's action the plan did not call for (no task matched it),
    /// or one logged before the plan's logic made its task (see
    /// `engine::response::external`). Never produced by simulated teams.
    Deviation,
    /// An intrusion finished a kill-chain stage, reached its objective or
    /// was stopped (detail says which; `engine::threats::intrusion`).
    Intrusion,
    /// A defaced website was noticed, taken down or restored
    /// (`engine::threats::defacement`).
    Defacement,
    /// A denial-of-service attack was noticed, mitigated or stopped
    /// (`engine::threats::dos`).
    DenialOfService,
    /// A data leak was discovered or its exfiltration stopped
    /// (`engine::threats::leak`).
    DataLeak,
    /// A virus raised an antivirus alert, was isolated or removed
    /// (`engine::threats::virus`).
    Virus,
    /// An audit found an insider's misuse, or the response stopped it
    /// (`engine::threats::insider`).
    Insider,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Inject => "inject",
            EventKind::WormRelease => "worm_release",
            EventKind::NodeInfected => "node_infected",
            EventKind::NodeClean => "node_clean",
            EventKind::LinkSaturated => "link_saturated",
            EventKind::LinkDesaturated => "link_desaturated",
            EventKind::LinkCut => "link_cut",
            EventKind::LinkRepaired => "link_repaired",
            EventKind::Failover => "failover",
            EventKind::Failback => "failback",
            EventKind::NodeDown => "node_down",
            EventKind::NodeUp => "node_up",
            EventKind::OnBackupPower => "on_backup_power",
            EventKind::DataDamaged => "data_damaged",
            EventKind::Detection => "detection",
            EventKind::IncidentOpened => "incident_opened",
            EventKind::Report => "report",
            EventKind::Grading => "grading",
            EventKind::Activation => "activation",
            EventKind::StepStart => "step_start",
            EventKind::StepFinish => "step_finish",
            EventKind::Skipped => "skipped",
            EventKind::ResponseEnded => "response_ended",
            EventKind::Duty => "duty",
            EventKind::CallOut => "call_out",
            EventKind::ResponseOpen => "response_open",
            EventKind::Deviation => "deviation",
            EventKind::Intrusion => "intrusion",
            EventKind::Defacement => "defacement",
            EventKind::DenialOfService => "denial_of_service",
            EventKind::DataLeak => "data_leak",
            EventKind::Virus => "virus",
            EventKind::Insider => "insider",
        }
    }
}

/// A shared, immutable text: a run's tens of thousands of events and tasks
/// carry a few dozen distinct clauses and a few thousand actors, each stored
/// once (see [`Interner`]). Reads and compares like a `str`, saves as a
/// string.
/// The empty text (threat events have no actor and no clause) is not
/// allocated.
#[derive(Clone, Default)]
pub struct Text(Option<Arc<str>>);

impl Text {
    pub fn as_str(&self) -> &str {
        self.0.as_deref().unwrap_or("")
    }
}

impl PartialEq for Text {
    fn eq(&self, o: &Self) -> bool {
        self.as_str() == o.as_str()
    }
}

impl Eq for Text {}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        // As the `str` hashes (`Borrow<str>` lookups rely on it).
        self.as_str().hash(h)
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Text {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(o.as_str())
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Text::from)
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.as_str(), f)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text((!s.is_empty()).then(|| Arc::from(s)))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text((!s.is_empty()).then(|| Arc::from(s)))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.as_str().to_string()
    }
}

macro_rules! text_eq {
    ($($t:ty),*) => {$(
        impl PartialEq<$t> for Text {
            fn eq(&self, o: &$t) -> bool {
                self.as_str() == &**o
            }
        }
        impl PartialEq<Text> for $t {
            fn eq(&self, o: &Text) -> bool {
                &**self == o.as_str()
            }
        }
    )*};
}
text_eq!(&str, String);

impl PartialEq<str> for Text {
    fn eq(&self, o: &str) -> bool {
        self.as_str() == o
    }
}

/// The texts of one run's record, each stored once. A cache, not part of
/// the record's value: two records are equal whatever their interners hold.
#[derive(Clone, Debug, Default)]
pub struct Interner(HashSet<Text>);

impl Interner {
    /// The shared copy of `s`.
    pub fn get(&mut self, s: &str) -> Text {
        if s.is_empty() {
            return Text::default();
        }
        if let Some(t) = self.0.get(s) {
            return t.clone();
        }
        let t = Text::from(s);
        self.0.insert(t.clone());
        t
    }
}

impl PartialEq for Interner {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// One event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Minutes from the scenario start (exact, not rounded to a tick).
    pub minute: f64,
    pub kind: EventKind,
    pub node: Option<NodeId>,
    pub link: Option<LinkId>,
    /// Who acted, e.g. `gd.01 emergency_office` (empty for threat events).
    pub actor: Text,
    /// The plan clause the action serves (empty for threat events).
    pub clause: Text,
    /// What happened. Fixed texts are borrowed, not allocated: a national
    /// outbreak writes thousands of "first host infected" events.
    pub detail: Cow<'static, str>,
}

/// The network's state at the end of a tick.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelineRow {
    pub minute: f64,
    pub hosts_susceptible: u64,
    pub hosts_infected: u64,
    pub hosts_cleaned: u64,
    pub hosts_immune: u64,
    /// Nodes with infected hosts, or down.
    pub nodes_affected: u32,
    pub nodes_down: u32,
    /// WAN nodes with no working path to HQ (HQ down ⇒ all of them).
    pub nodes_cut_off: u32,
    pub links_saturated: u32,
    /// Share of service instances available, 0–100.
    pub services_available_pct: f64,
    /// Internet-facing (taxpayer) service instances unavailable.
    pub taxpayer_services_down: u32,
}

/// Totals over a whole run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub peak_infected_hosts: u64,
    /// Exact minute the peak was first reached.
    pub peak_minute: f64,
    /// Hosts ever infected (initial infections included).
    pub total_infected_hosts: u64,
    /// Nodes ever infected or down.
    pub nodes_affected: u32,
    pub nodes_infected: u32,
    pub nodes_down_max: u32,
    pub nodes_cut_off_max: u32,
    /// Times the response took a whole site off the WAN (`disconnect_site`);
    /// only such steps cut nodes off by the response.
    #[serde(default)]
    pub sites_disconnected: u32,
    /// Σ over service instances of hours unavailable (one-tick resolution).
    pub service_hours_lost: f64,
    /// Hours of data lost: Σ over sites whose data a threat damaged of the
    /// age of their last backup when first damaged (site-hours).
    pub data_lost_hours: f64,
    /// Records lost: Σ over damage of hosts hit × hours since the last
    /// backup × records per host-hour (the damage model's; see
    /// `engine::damage`).
    #[serde(default)]
    pub records_lost: u64,
    /// Sites whose data a threat damaged.
    #[serde(default)]
    pub sites_damaged: u32,
    /// Of those, sites whose data was restored from backup by the end.
    #[serde(default)]
    pub sites_restored: u32,
    /// Σ over internet-facing service instances of hours unavailable.
    pub taxpayer_service_hours_lost: f64,
    /// Impact per province (same order as `RunMeta::provinces`).
    pub provinces: Vec<ProvinceImpact>,
}

/// What one provincial unit suffered.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProvinceImpact {
    pub code: String,
    pub nodes_infected: u32,
    pub hosts_infected: u64,
    pub nodes_down: u32,
}

/// What one threat inject achieved by the end of the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ThreatOutcome {
    /// The scenario inject.
    pub inject: usize,
    /// `ThreatKind::as_str` (e.g. `intrusion`).
    pub threat: String,
    /// The furthest stage reached (an intrusion: `recon` … `action`).
    pub stage: String,
    /// The furthest node it held.
    pub node: NodeId,
    /// Whether it reached its objective (an intrusion: exfiltration,
    /// tampering or defacement finished).
    pub objective_done: Option<f64>,
    /// When and by which step the response stopped it.
    pub stopped: Option<f64>,
    pub stopped_by: String,
    /// Alerts it raised for the teams.
    pub alerts: u32,
    /// Records copied out.
    pub records_leaked: u64,
    /// Who first noticed it (a defacement: `staff`, `taxpayers`, `press`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub noticed_by: String,
    /// Page views while exposed (a defacement).
    #[serde(default)]
    pub exposure_views: u64,
    /// Taxpayers' filings turned away and given up (a denial of service).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub filings_lost: u64,
    /// Filings turned away and retried later (a denial of service).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub filings_delayed: u64,
    /// Hosts ever infected (a virus).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hosts_infected: u64,
    /// Minutes an insider's misuse lasted.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub misuse_min: f64,
    /// A worm's own figures (only in a run with several worms; one worm's
    /// are the run's totals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worm: Option<WormFigures>,
}

/// One worm's figures in a run with several (see [`ThreatOutcome::worm`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WormFigures {
    pub name: String,
    /// Hosts ever infected.
    pub hosts_infected: u64,
    /// Nodes with a host ever infected.
    pub nodes_infected: u32,
    /// Most hosts infected at once, and when.
    pub peak_infected: u64,
    pub peak_minute: f64,
    /// Hosts still infected at the end of the run.
    pub infected_at_end: u64,
}

/// Data a threat damaged at one site (one entry per site and inject).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataLoss {
    pub node: NodeId,
    /// The scenario inject behind it.
    pub inject: usize,
    /// `worm_destroy`, `worm_encrypt`, `power_loss` or `disaster`.
    pub cause: String,
    /// Minute of the first damage (later hosts hit by a worm are added).
    pub minute: f64,
    /// Age of the site's last backup at the first damage, hours.
    pub backup_age_hours: f64,
    /// Hosts whose data was hit.
    pub hosts: u32,
    /// Records written since the last backup on those hosts, lost.
    pub records: u64,
    /// Minute the data was restored from the backup (None: not restored).
    pub restored: Option<f64>,
}

impl DataLoss {
    /// "power lost without an orderly shutdown", … for texts.
    pub fn cause_text(&self) -> &'static str {
        match self.cause.as_str() {
            "worm_destroy" => "worm payload deleted files",
            "worm_encrypt" => "worm payload encrypted files",
            "power_loss" => "power lost without an orderly shutdown",
            "disaster" => "site destroyed",
            "virus_destroy" => "virus payload deleted files",
            "virus_encrypt" => "virus payload encrypted files",
            _ => "damage",
        }
    }
}

/// A task of the response as it ended up (the raw material of obligations).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    pub id: usize,
    pub incident: usize,
    /// `report`, `grade`, `activate` or `step`.
    pub kind: Text,
    /// Step id, report kind or level.
    pub name: Text,
    /// Step tasks: the step list, `procedure:N` or `special:N` (indexes in
    /// the plan); empty for other tasks.
    #[serde(default)]
    pub source: Text,
    /// Grade tasks: the level the facts the grader had called for (the
    /// grader may have chosen another, see `action`).
    pub expected_level: Option<Text>,
    /// Step action (`isolate`, …), or the report's target.
    pub action: Text,
    pub unit: NodeId,
    pub body: Text,
    pub site: NodeId,
    pub created: f64,
    pub due: Option<f64>,
    pub started: Option<f64>,
    /// When the team committed to the start (a start may be paced later).
    #[serde(default)]
    pub decided: Option<f64>,
    pub finished: Option<f64>,
    /// `done`, `skipped`, `running`, `ready` or `waiting`.
    pub state: Text,
    pub out_of_order: bool,
    pub clause: Text,
    /// Done by a logged action (drill log or player): its source row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_row: Option<usize>,
    /// Done by a logged action of another unit or body than the plan names
    /// (`wrong_actor`): who did it, e.g. `gd-p it_department`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_by: Option<Text>,
}

/// A node as the record remembers it (enough to score and report without
/// the topology).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeMeta {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// `hq`, `provincial`, … (see `Tier::as_str`).
    pub tier: String,
    /// Province code, empty for HQ and external partners.
    pub province: String,
}

/// A body of the plan as the record remembers it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BodyMeta {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub role: String,
}

/// A procedure step or level duty of the plan as the record remembers it:
/// where it is (`procedure:N`, `special:N` or `level:N`, as in
/// [`TaskRecord::source`]), its id, action and names (empty when the plan
/// file gives none).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StepMeta {
    pub source: String,
    pub id: String,
    pub action: String,
    pub name_zh: String,
    pub name_en: String,
}

/// What a run was run on: network, provinces, plan. Filled when the run
/// starts so that a saved record is self-contained.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    pub scenario_description: String,
    /// Plan slug and name (empty without response).
    pub plan: String,
    pub plan_name: String,
    pub bodies: Vec<BodyMeta>,
    /// (code, name_zh, name_en).
    pub provinces: Vec<(String, String, String)>,
    /// Every node, indexed by node id number.
    pub nodes: Vec<NodeMeta>,
    /// Scenario injects: (minute, description).
    pub injects: Vec<(f64, String)>,
    /// The scenario's exercise objectives (capability, clause, text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<(crate::score::Capability, String, String)>,
    /// The plan's end-of-response rule (None without response).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<EndMeta>,
    /// Every step and level duty of the plan, with its names (for reports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepMeta>,
    /// The plan's incident classes: (code, name_zh, name_en).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<(String, String, String)>,
}

/// The plan's end-of-response rule as the record remembers it: who closes
/// the response, the evaluation's and the summary report's days after the
/// end, and the clause.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EndMeta {
    pub actor: String,
    pub evaluation_days: f64,
    pub summary_report_days: f64,
    pub clause: String,
}

impl RunMeta {
    /// A step by where it is and its id; else the first step with that id.
    pub fn step(&self, source: &str, id: &str) -> Option<&StepMeta> {
        self.steps
            .iter()
            .find(|s| s.source == source && s.id == id)
            .or_else(|| self.steps.iter().find(|s| s.id == id))
    }
}

/// Everything a run leaves behind.
#[derive(Clone, Debug, Default, PartialEq, Resource, Serialize, Deserialize)]
pub struct RunRecord {
    pub scenario: String,
    pub scenario_slug: String,
    pub seed: u64,
    pub start: String,
    pub tick_min: f64,
    pub duration_min: f64,
    pub response: bool,
    pub wan_nodes: usize,
    pub links: usize,
    pub hosts: u64,
    pub services: usize,
    pub timeline: Vec<TimelineRow>,
    pub events: Vec<Event>,
    /// The response's tasks (empty without response).
    pub tasks: Vec<TaskRecord>,
    pub totals: Totals,
    /// Data damaged by threats, per site (see `engine::damage`).
    #[serde(default)]
    pub data_losses: Vec<DataLoss>,
    /// What each inject of the newer threat models achieved (one entry per
    /// inject; absent from the file when the scenario has none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threats: Vec<ThreatOutcome>,
    /// Shared between the runs of one network, scenario and plan.
    pub meta: std::sync::Arc<RunMeta>,
    /// The run replayed a drill log or players' decisions (see
    /// `engine::response::external`); None for simulated teams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drill: Option<DrillMeta>,
    /// The record's texts, each stored once (not saved).
    #[serde(skip)]
    pub texts: Interner,
    /// A lean record (not saved; set by [`crate::engine::Sim::lean`]): the
    /// worm's per-node `node_infected` / `node_clean` events are not kept.
    /// Scoring and the batch's aggregates never read them, so a lean
    /// record assesses exactly as the full one (`tests/lean_record.rs`);
    /// the batch uses it for runs whose record is not written out.
    #[serde(skip)]
    pub lean: bool,
}

/// What an external decision maker's actions came to (a drill log replayed
/// by `drillsim assess`, a tabletop's commands).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DrillMeta {
    /// The log's file name (no folders), or a label such as `tabletop`;
    /// filled by the command, empty from the engine.
    #[serde(default)]
    pub log: String,
    /// Data rows of the log (filled by the command; 0 from the engine).
    #[serde(default)]
    pub rows: usize,
    /// Whom the log decided for: `all`, or `BODY` / `BODY@UNIT`.
    pub control: String,
    /// Logged actions.
    pub actions: usize,
    /// Actions that did a task, opened or extended an incident, or closed.
    pub applied: usize,
    /// Of those, logged before the plan called for them (done when their
    /// task existed).
    pub early: usize,
    /// Of those, done by another unit or body than the plan names.
    pub wrong_actor: usize,
    /// Actions no task matched (unknown, not called for, after the end):
    /// kept as `deviation` events.
    pub deviations: usize,
    /// What-if replays over many seeds (`drillsim assess --runs N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterfactuals: Option<Counterfactuals>,
}

/// A mean difference over paired seeds and its 90% interval (None below
/// two seeds; see `drill::counterfactual::LEVEL`).
pub type Diff = (f64, Option<(f64, f64)>);

/// The drill's counterfactuals over seeds `first_seed ..+ runs`: the logged
/// timings, the plan followed exactly (perfect readiness), the simulated
/// teams; and each late logged action's cost (replayed at its deadline).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counterfactuals {
    pub first_seed: u64,
    pub runs: u64,
    /// Metric keys, in the order of every per-metric vector below:
    /// `total_infected_hosts`, `service_hours_lost`,
    /// `taxpayer_service_hours_lost`, `compliance_pct`.
    pub metrics: Vec<String>,
    /// `logged`, `plan`, `simulated`: mean per metric.
    pub arms: Vec<(String, Vec<f64>)>,
    /// Logged timings minus each other arm (`plan`, `simulated`), paired by seed.
    pub logged_minus: Vec<(String, Vec<Diff>)>,
    /// Late logged actions, costliest first (by infected hosts, then
    /// service-hours).
    pub costs: Vec<DeviationCost>,
}

/// What one late logged action cost: the replay as logged minus the replay
/// with that action moved to its deadline, paired by seed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviationCost {
    /// A missing action (the plan owed it, the log never did it): costed
    /// by adding it at its deadline; `row` 0 and `logged` = `due` then.
    #[serde(default)]
    pub missing: bool,
    /// Log row.
    pub row: usize,
    /// Task kind, name (step id, report kind, …) and step list, as in
    /// [`TaskRecord`]; unit and site ids.
    pub kind: String,
    pub task: String,
    pub source: String,
    pub unit: String,
    pub site: String,
    /// Logged minute and the deadline it was moved to.
    pub logged: f64,
    pub due: f64,
    pub infected_hosts: Diff,
    pub service_hours: Diff,
}

impl RunRecord {
    pub fn event(
        &mut self,
        minute: f64,
        kind: EventKind,
        node: Option<NodeId>,
        link: Option<LinkId>,
        detail: impl Into<Cow<'static, str>>,
    ) {
        self.events.push(Event {
            minute,
            kind,
            node,
            link,
            actor: Text::default(),
            clause: Text::default(),
            detail: detail.into(),
        });
    }

    /// An event of the response: who acted and which plan clause it serves.
    pub fn action(
        &mut self,
        minute: f64,
        kind: EventKind,
        node: Option<NodeId>,
        actor: impl AsRef<str>,
        clause: &str,
        detail: impl Into<Cow<'static, str>>,
    ) {
        self.events.push(Event {
            minute,
            kind,
            node,
            link: None,
            actor: self.texts.get(actor.as_ref()),
            clause: self.texts.get(clause),
            detail: detail.into(),
        });
    }
}

fn is_zero(x: &u64) -> bool {
    *x == 0
}

fn is_zero_f64(x: &f64) -> bool {
    *x == 0.0
}
