//! The response plan as data (validated model).
//!
//! A plan revision is a file a security office edits (`scenarios/plans/*.ron`);
//! the loader in [`super::plan_file`] turns it into a [`Plan`] with every
//! reference resolved to an index. Every clause keeps the text naming the
//! seed section or standard it encodes (`clause`), so obligations and events
//! can cite it.

use super::topology::{ServiceKind, Tier};

/// Index into [`Plan::bodies`].
pub type BodyId = usize;
/// Index into [`Plan::classes`].
pub type ClassId = usize;

/// Incident level, Ⅰ (most severe) to Ⅳ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    I,
    II,
    III,
    IV,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::I, Level::II, Level::III, Level::IV];
    /// 0 for Ⅰ … 3 for Ⅳ.
    pub fn index(self) -> usize {
        self as usize
    }
    /// At least as severe as `other` (Ⅰ is the most severe).
    pub fn at_least(self, other: Level) -> bool {
        self <= other
    }
    /// One step more severe (Ⅰ stays Ⅰ).
    pub fn up(self) -> Level {
        Level::ALL[self.index().saturating_sub(1)]
    }
    /// One step less severe (Ⅳ stays Ⅳ).
    pub fn down(self) -> Level {
        Level::ALL[(self.index() + 1).min(3)]
    }
    pub fn roman(self) -> &'static str {
        ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"][self.index()]
    }
    pub fn as_str(self) -> &'static str {
        ["I", "II", "III", "IV"][self.index()]
    }
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// What the engine asks of a body: its role in the response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BodyRole {
    /// 应急办公室 emergency office: daily duty, first recipient of reports, grading.
    EmergencyOffice,
    /// 领导小组 leadership group (head of bureau).
    LeadershipGroup,
    /// 应急指挥部 command headquarters (Ⅰ/Ⅱ).
    CommandHeadquarters,
    /// 应急处置小组 / 应急响应组 emergency handling group.
    HandlingGroup,
    /// 技术支持组 / 技术保障小组 technical support.
    TechnicalSupport,
    /// 专家组 expert group.
    ExpertGroup,
    /// 信息发布组 information release and public messaging.
    InformationRelease,
    /// 后勤保障组 logistics.
    Logistics,
    /// 法律法规组 legal.
    Legal,
    /// 信息中心 information centre: monitoring, warning, handling, recovery.
    InformationCentre,
    /// 业务部门 business departments: business continuity.
    BusinessDepartment,
    /// The national coordination office outside the tax system (report target only).
    NationalOffice,
}

impl BodyRole {
    pub const ALL: [BodyRole; 12] = [
        BodyRole::EmergencyOffice,
        BodyRole::LeadershipGroup,
        BodyRole::CommandHeadquarters,
        BodyRole::HandlingGroup,
        BodyRole::TechnicalSupport,
        BodyRole::ExpertGroup,
        BodyRole::InformationRelease,
        BodyRole::Logistics,
        BodyRole::Legal,
        BodyRole::InformationCentre,
        BodyRole::BusinessDepartment,
        BodyRole::NationalOffice,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            BodyRole::EmergencyOffice => "emergency_office",
            BodyRole::LeadershipGroup => "leadership_group",
            BodyRole::CommandHeadquarters => "command_headquarters",
            BodyRole::HandlingGroup => "handling_group",
            BodyRole::TechnicalSupport => "technical_support",
            BodyRole::ExpertGroup => "expert_group",
            BodyRole::InformationRelease => "information_release",
            BodyRole::Logistics => "logistics",
            BodyRole::Legal => "legal",
            BodyRole::InformationCentre => "information_centre",
            BodyRole::BusinessDepartment => "business_department",
            BodyRole::NationalOffice => "national_office",
        }
    }
    pub fn parse(s: &str) -> Option<BodyRole> {
        BodyRole::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A body of the response organisation.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    /// Id used in the plan file, e.g. `emergency_office`.
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub role: BodyRole,
    /// Tiers at which the body exists (empty for the national office).
    pub tiers: Vec<Tier>,
    /// Who heads it, e.g. "局长 head of bureau".
    pub head: String,
    pub reports_to: Option<BodyId>,
    pub clause: String,
}

/// The threat kinds a scenario can inject (grows with new threat models).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ThreatKind {
    Worm,
    LinkFailure,
    NodeFailure,
    PowerOutage,
    Disaster,
    /// An intrusion kill chain (`engine::threats::intrusion`).
    Intrusion,
    /// A defaced public website (`engine::threats::defacement`).
    Defacement,
    /// A denial-of-service attack on online filing (`engine::threats::dos`).
    DenialOfService,
    /// Records exfiltrated from a data centre (`engine::threats::leak`).
    DataLeak,
    /// A virus in one site's office hosts (`engine::threats::virus`).
    Virus,
    /// Insider misuse or a rule violation (`engine::threats::insider`).
    Insider,
    /// Harmful content posted on a website (the defacement model with
    /// `harmful: true`).
    HarmfulContent,
}

impl ThreatKind {
    pub const ALL: [ThreatKind; 12] = [
        ThreatKind::Worm,
        ThreatKind::LinkFailure,
        ThreatKind::NodeFailure,
        ThreatKind::PowerOutage,
        ThreatKind::Disaster,
        ThreatKind::Intrusion,
        ThreatKind::Defacement,
        ThreatKind::DenialOfService,
        ThreatKind::DataLeak,
        ThreatKind::Virus,
        ThreatKind::Insider,
        ThreatKind::HarmfulContent,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ThreatKind::Worm => "worm",
            ThreatKind::LinkFailure => "link_failure",
            ThreatKind::NodeFailure => "node_failure",
            ThreatKind::PowerOutage => "power_outage",
            ThreatKind::Disaster => "disaster",
            ThreatKind::Intrusion => "intrusion",
            ThreatKind::Defacement => "defacement",
            ThreatKind::DenialOfService => "denial_of_service",
            ThreatKind::DataLeak => "data_leak",
            ThreatKind::Virus => "virus",
            ThreatKind::Insider => "insider",
            ThreatKind::HarmfulContent => "harmful_content",
        }
    }
    /// A newer threat model a plan need not map (`drillsim check` warns
    /// only about the others).
    pub fn optional(self) -> bool {
        matches!(
            self,
            ThreatKind::Intrusion
                | ThreatKind::Defacement
                | ThreatKind::DenialOfService
                | ThreatKind::DataLeak
                | ThreatKind::Virus
                | ThreatKind::Insider
                | ThreatKind::HarmfulContent
        )
    }
    pub fn parse(s: &str) -> Option<ThreatKind> {
        ThreatKind::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Which classification the plan uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassStandard {
    /// GB/Z 20986-2007 (7 classes).
    Gbz20986_2007,
    /// GB/T 20986-2023 (10 classes).
    Gbt20986_2023,
}

/// An incident class or subclass.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentClass {
    /// Dotted code, e.g. `malware` or `malware.worm`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The class of a subclass.
    pub parent: Option<ClassId>,
    pub clause: String,
}

/// Facts a grader can observe about an incident, as known at grading time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    pub nodes_affected: u32,
    pub provinces_affected: u32,
    /// The highest tier with an affected node (Hq is highest).
    pub highest_tier: Option<Tier>,
    pub hosts_infected: u64,
    pub services_down: u32,
    /// Longest outage so far of any service, hours.
    pub service_down_hours: f64,
    /// Longest outage so far of a provincial-or-higher public website, hours.
    pub portal_down_hours: f64,
    /// Longest outage so far of a core tax system (critical infrastructure), hours.
    pub core_system_down_hours: f64,
    pub records_leaked: u64,
    pub nodes_cut_off: u32,
}

/// One observable condition.
#[derive(Clone, Debug, PartialEq)]
pub enum Criterion {
    NodesAffectedAtLeast(u32),
    ProvincesAffectedAtLeast(u32),
    /// A node of this tier or a higher one is affected.
    TierAffected(Tier),
    HostsInfectedAtLeast(u64),
    ServicesDownAtLeast(u32),
    ServiceDownHoursAtLeast(f64),
    PortalDownHoursAtLeast(f64),
    CoreSystemDownHoursAtLeast(f64),
    RecordsLeakedAtLeast(u64),
    NodesCutOffAtLeast(u32),
}

impl Criterion {
    pub fn holds(&self, f: &Facts) -> bool {
        match *self {
            Criterion::NodesAffectedAtLeast(n) => f.nodes_affected >= n,
            Criterion::ProvincesAffectedAtLeast(n) => f.provinces_affected >= n,
            Criterion::TierAffected(t) => f.highest_tier.is_some_and(|h| h <= t),
            Criterion::HostsInfectedAtLeast(n) => f.hosts_infected >= n,
            Criterion::ServicesDownAtLeast(n) => f.services_down >= n,
            Criterion::ServiceDownHoursAtLeast(h) => f.service_down_hours >= h,
            Criterion::PortalDownHoursAtLeast(h) => f.portal_down_hours >= h,
            Criterion::CoreSystemDownHoursAtLeast(h) => f.core_system_down_hours >= h,
            Criterion::RecordsLeakedAtLeast(n) => f.records_leaked >= n,
            Criterion::NodesCutOffAtLeast(n) => f.nodes_cut_off >= n,
        }
    }
}

/// GB/Z 20986-2007 system importance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Importance {
    EspeciallyImportant,
    Important,
    Ordinary,
}

/// GB/Z 20986-2007 system loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Loss {
    EspeciallySerious,
    Serious,
    Large,
    Small,
}

/// Conditions (all must hold) that give a value; the first matching wins.
#[derive(Clone, Debug, PartialEq)]
pub struct Graded<T> {
    pub all: Vec<Criterion>,
    pub value: T,
    pub clause: String,
}

/// How facts become a level: the most severe of the importance × loss
/// matrix and the direct threshold rules.
#[derive(Clone, Debug, PartialEq)]
pub struct Grading {
    /// Importance of the affected systems (first match; default Ordinary).
    pub importance: Vec<Graded<Importance>>,
    /// Loss (first match; default Small).
    pub loss: Vec<Graded<Loss>>,
    /// (importance, loss) → level; pairs not listed give Ⅳ.
    pub matrix: Vec<(Importance, Loss, Level)>,
    /// Direct threshold rules (e.g. the 2025 national guide's).
    pub rules: Vec<Graded<Level>>,
    pub clause: String,
}

impl Grading {
    /// The level these facts call for.
    pub fn grade(&self, f: &Facts) -> Level {
        let imp = first_match(&self.importance, f).unwrap_or(Importance::Ordinary);
        let loss = first_match(&self.loss, f).unwrap_or(Loss::Small);
        let mut level = self
            .matrix
            .iter()
            .find(|(i, l, _)| *i == imp && *l == loss)
            .map(|m| m.2)
            .unwrap_or(Level::IV);
        for r in &self.rules {
            if r.value < level && r.all.iter().all(|c| c.holds(f)) {
                level = r.value;
            }
        }
        level
    }
}

fn first_match<T: Copy>(rules: &[Graded<T>], f: &Facts) -> Option<T> {
    rules
        .iter()
        .find(|g| g.all.iter().all(|c| c.holds(f)))
        .map(|g| g.value)
}

/// Where the lead body of a response level sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeadAt {
    /// At HQ.
    Hq,
    /// At the provincial bureau of the incident's first province.
    Provincial,
    /// At the unit that detected the incident (属地为主).
    Local,
}

/// What a response level sets in motion.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseLevel {
    pub level: Level,
    /// Warning colour: red, orange, yellow, blue.
    pub colour: String,
    /// The body that leads the response.
    pub lead: BodyId,
    pub lead_at: LeadAt,
    /// The body whose head approves the start.
    pub approver: BodyId,
    /// Bodies convened (e.g. the command headquarters and its groups).
    pub convenes: Vec<BodyId>,
    /// Minutes from grading to approved start (activation deadline).
    pub activation_deadline_min: f64,
    /// 24-hour duty at every tier while the level is active.
    pub round_the_clock_duty: bool,
    /// What the lead and the bodies it convenes do once the level starts
    /// (convene, consult the experts, public statements, …): steps with
    /// scope [`StepScope::Lead`], run by each actor body at the lead unit (or
    /// its nearest unit where the body exists), `after` among the duties of
    /// the same level. Deadlines count from the activation or the detection.
    pub duties: Vec<Step>,
    pub clause: String,
}

/// What a procedure step does to the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepAction {
    /// Isolate the infected hosts (LAN segments) of the site: they stop
    /// spreading and carrying worm traffic, while the site's router keeps
    /// carrying transit traffic for the nodes behind it (seed:
    /// 「迅速隔离受感染系统」 — the infected *systems*).
    Isolate,
    /// Take the whole site off the WAN (its router stops carrying traffic,
    /// so the nodes behind it are cut off too). Only where a plan names it.
    DisconnectSite,
    /// Block the attack source (internet entry at the site's gateway).
    CutAttackSource,
    /// Block the worm at gateways and core lines in the lead's scope.
    BlockAtGateways,
    /// Remove the malware from infected hosts.
    Clean,
    /// Patch susceptible hosts (at the site; nationally for a National step).
    Patch,
    /// Restore data from backup (data since the last backup is lost).
    RestoreData,
    /// Rebuild destroyed systems (brings a disaster-hit node back).
    Rebuild,
    /// Repair or replace failed equipment.
    Repair,
    /// Switch the site to its backup line.
    SwitchToBackup,
    /// Reconnect the site and restore its services.
    RestoreService,
    TraceSource,
    TakeDownContent,
    NotifyUsers,
    Investigate,
    Evaluate,
    SummaryReport,
    Harden,
    Train,
    /// Assemble the command headquarters / the convened groups.
    Convene,
    /// Ask the expert group for its assessment and advice.
    ConsultExperts,
    /// Issue a public statement (information release group).
    PublicStatement,
    /// Provide emergency supplies and support (logistics group).
    Logistics,
    /// Legal review of the response and disclosure (legal group).
    LegalReview,
    /// Report the situation to the superior authority.
    ReportToSuperior,
}

impl StepAction {
    pub const ALL: [StepAction; 25] = [
        StepAction::Isolate,
        StepAction::DisconnectSite,
        StepAction::CutAttackSource,
        StepAction::BlockAtGateways,
        StepAction::Clean,
        StepAction::Patch,
        StepAction::RestoreData,
        StepAction::Rebuild,
        StepAction::Repair,
        StepAction::SwitchToBackup,
        StepAction::RestoreService,
        StepAction::TraceSource,
        StepAction::TakeDownContent,
        StepAction::NotifyUsers,
        StepAction::Investigate,
        StepAction::Evaluate,
        StepAction::SummaryReport,
        StepAction::Harden,
        StepAction::Train,
        StepAction::Convene,
        StepAction::ConsultExperts,
        StepAction::PublicStatement,
        StepAction::Logistics,
        StepAction::LegalReview,
        StepAction::ReportToSuperior,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            StepAction::Isolate => "isolate",
            StepAction::DisconnectSite => "disconnect_site",
            StepAction::CutAttackSource => "cut_attack_source",
            StepAction::BlockAtGateways => "block_at_gateways",
            StepAction::Clean => "clean",
            StepAction::Patch => "patch",
            StepAction::RestoreData => "restore_data",
            StepAction::Rebuild => "rebuild",
            StepAction::Repair => "repair",
            StepAction::SwitchToBackup => "switch_to_backup",
            StepAction::RestoreService => "restore_service",
            StepAction::TraceSource => "trace_source",
            StepAction::TakeDownContent => "take_down_content",
            StepAction::NotifyUsers => "notify_users",
            StepAction::Investigate => "investigate",
            StepAction::Evaluate => "evaluate",
            StepAction::SummaryReport => "summary_report",
            StepAction::Harden => "harden",
            StepAction::Train => "train",
            StepAction::Convene => "convene",
            StepAction::ConsultExperts => "consult_experts",
            StepAction::PublicStatement => "public_statement",
            StepAction::Logistics => "logistics",
            StepAction::LegalReview => "legal_review",
            StepAction::ReportToSuperior => "report_to_superior",
        }
    }
    pub fn parse(s: &str) -> Option<StepAction> {
        StepAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Where a step runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepScope {
    /// Once per affected site, by the site's responsible unit (the site or its
    /// nearest ancestor where the actor body exists).
    Site,
    /// Once, by the lead unit, over the lead's area (its province, or the
    /// whole country when the lead is at HQ).
    Lead,
    /// Once, by HQ, over the whole country (HQ-wide orders).
    National,
}

/// What a deadline counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineFrom {
    /// The site's (or incident's) detection.
    Detection,
    /// The activation of the response level.
    Activation,
    /// The end of the response.
    End,
}

/// Duration of a step: log-normal around a median, plus work per host.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepDuration {
    pub median_min: f64,
    /// Log-normal σ (0 = always the median).
    pub spread: f64,
    /// Added per affected host at the site (cleaning, patching).
    pub per_host_min: f64,
}

/// One ordered step of a procedure.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub id: String,
    /// The step's name as a responder says it, in Chinese and English
    /// (`name_zh` / `name_en` in the file; empty when the file has none —
    /// the report then names the action). Shown in reports; `id` is the key.
    pub name_zh: String,
    pub name_en: String,
    pub action: StepAction,
    pub actor: BodyId,
    pub scope: StepScope,
    /// Indexes (in the same procedure) of steps that must finish first. A
    /// step that does not run at the incident's level (`min_level`) blocks
    /// the steps after it (`drillsim check` reports such steps). No cycles
    /// (the loader rejects them).
    pub after: Vec<usize>,
    /// Runs only when the incident is at this level or more severe.
    pub min_level: Option<Level>,
    pub duration: StepDuration,
    pub staff: u32,
    /// Minutes from `deadline_from`; None = no deadline.
    pub deadline_min: Option<f64>,
    pub deadline_from: DeadlineFrom,
    pub clause: String,
}

/// Handling procedure for a class (and its subclasses unless they have their own).
#[derive(Clone, Debug, PartialEq)]
pub struct Procedure {
    pub class: ClassId,
    pub name: String,
    pub steps: Vec<Step>,
    pub clause: String,
}

/// Initial (phone) or written report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportKind {
    Initial,
    Written,
}

/// Where a report goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportTo {
    /// The unit's parent in the tree (county → prefecture → province → HQ).
    Parent,
    /// The national coordination office (from HQ).
    NationalOffice,
}

/// "Who must report what to whom within what time, per level."
#[derive(Clone, Debug, PartialEq)]
pub struct ReportRule {
    /// The tier of the reporting unit.
    pub from_tier: Tier,
    pub from_body: BodyId,
    pub to: ReportTo,
    pub to_body: BodyId,
    pub kind: ReportKind,
    /// Required when the reporter's known level is this or more severe.
    pub min_level: Level,
    /// Minutes from the reporter learning of the incident.
    pub deadline_min: f64,
    pub clause: String,
}

/// A special plan (专项预案) started by class or by affected system.
#[derive(Clone, Debug, PartialEq)]
pub struct SpecialPlan {
    pub id: String,
    pub name: String,
    pub classes: Vec<ClassId>,
    pub services: Vec<ServiceKind>,
    pub steps: Vec<Step>,
    pub clause: String,
}

/// End of response: evaluation and summary report.
#[derive(Clone, Debug, PartialEq)]
pub struct EndOfResponse {
    /// Body that declares the end and writes the summary.
    pub actor: BodyId,
    pub evaluation_days: f64,
    pub summary_report_days: f64,
    pub clause: String,
}

/// A validated plan revision.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub name: String,
    /// Short name (file stem), e.g. `sat-overall`.
    pub slug: String,
    pub description: String,
    /// The description in Chinese (optional in the file, "" if absent).
    pub description_zh: String,
    pub bodies: Vec<Body>,
    pub standard: ClassStandard,
    pub classes: Vec<IncidentClass>,
    /// Scenario threat kinds → incident class.
    pub threat_classes: Vec<(ThreatKind, ClassId)>,
    pub grading: Grading,
    /// Indexed by [`Level::index`].
    pub levels: Vec<ResponseLevel>,
    pub procedures: Vec<Procedure>,
    pub reporting: Vec<ReportRule>,
    pub special_plans: Vec<SpecialPlan>,
    /// Standing orders outside an incident (not simulated; cited in reports).
    pub preparedness: Vec<Preparedness>,
    pub end: EndOfResponse,
}

/// A standing order outside any incident (set up the organisation, train,
/// drill, report that it was done).
#[derive(Clone, Debug, PartialEq)]
pub struct Preparedness {
    pub id: String,
    pub task: String,
    pub actor: BodyId,
    pub tiers: Vec<Tier>,
    /// `YYYY-MM-DD` as written in the plan.
    pub due: Option<String>,
    pub report_to: Option<BodyId>,
    pub clause: String,
}

impl Plan {
    /// The first body with this role.
    pub fn body(&self, role: BodyRole) -> Option<BodyId> {
        self.bodies.iter().position(|b| b.role == role)
    }
    /// Incident class of a threat kind.
    pub fn class_of(&self, t: ThreatKind) -> Option<ClassId> {
        self.threat_classes
            .iter()
            .find(|(k, _)| *k == t)
            .map(|(_, c)| *c)
    }
    /// The procedure for a class: its own, else its parent class's.
    pub fn procedure_for(&self, mut class: ClassId) -> Option<&Procedure> {
        loop {
            if let Some(p) = self.procedures.iter().find(|p| p.class == class) {
                return Some(p);
            }
            class = self.classes[class].parent?;
        }
    }
    /// Whether `class` is `ancestor` or one of its subclasses.
    pub fn class_within(&self, mut class: ClassId, ancestor: ClassId) -> bool {
        loop {
            if class == ancestor {
                return true;
            }
            match self.classes[class].parent {
                Some(p) => class = p,
                None => return false,
            }
        }
    }
    pub fn level(&self, l: Level) -> &ResponseLevel {
        &self.levels[l.index()]
    }
}
