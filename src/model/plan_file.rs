//! The plan file format (RON) and its loader.
//!
//! A plan revision (`scenarios/plans/*.ron`) is edited by a security office.
//! Two stages, like every input: serde parses the raw file into the `*File`
//! structs below (`#[serde(deny_unknown_fields)]` on every struct, so a
//! misspelt field is an error), then [`parse`] resolves every text reference
//! to an index and checks the plan, collecting *every* problem with
//! file:line:col pointing at the offending value. The deeper consistency
//! rules (steps that can never run, reporting gaps, infeasible deadlines…)
//! are in [`crate::check`].
//!
//! # Format
//!
//! ```ron
//! Plan(
//!     name: "税务系统网络安全事件总体应急预案 Overall plan",
//!     description: "...",                          // optional
//!     description_zh: "...",                       // optional, Chinese
//!     bodies: [
//!         (id: "emergency_office", name_zh: "应急办公室", name_en: "Emergency office",
//!          role: "emergency_office",                // see below
//!          tiers: ["hq", "provincial", "prefecture", "county"],
//!          head: "办公室主任 head of the office",      // optional
//!          reports_to: Some("leadership_group"),     // optional body id
//!          clause: "seed: 应急办公室 ..."),           // optional, recommended
//!     ],
//!     classification: (standard: "GB/Z 20986-2007", classes: [
//!         (code: "malware", name_zh: "有害程序事件", name_en: "Malware", clause: "..."),
//!         (code: "malware.worm", ...),              // parent = "malware" (dotted code)
//!     ]),
//!     threat_classes: [(threat: "worm", class: "malware.worm"), ...],
//!     grading: (
//!         importance: [(all: [TierAffected("provincial")], value: "especially_important", clause: "...")],
//!         loss: [(all: [ProvincesAffectedAtLeast(3)], value: "serious", clause: "...")],
//!         matrix: [("especially_important", "especially_serious", "I"), ...],
//!         rules: [(all: [PortalDownHoursAtLeast(24.0)], value: "I", clause: "...")],
//!         clause: "...",
//!     ),
//!     levels: [   // exactly the four levels I, II, III, IV, each once, any order
//!         (level: "I", colour: "red", lead: "command_hq", lead_at: "hq",
//!          approver: "leadership_group", convenes: ["technical_group"],
//!          activation_deadline: "30m", round_the_clock_duty: true, clause: "...",
//!          duties: [                                 // optional, default none
//!              (id: "convene", action: "convene", actor: "command_hq",
//!               after: [],                           // duty ids of the same level
//!               duration: (median: "30m"), staff: 1,
//!               deadline: Some((within: "1h", from: "activation")),  // activation | detection
//!               clause: "..."),
//!          ]),
//!     ],
//!     procedures: [
//!         (class: "malware.worm", name: "...", clause: "...", steps: [
//!             (id: "isolate", name_zh: "隔离受感染主机", name_en: "Isolate infected hosts",
//!              action: "isolate", actor: "information_centre",
//!              scope: "site",                        // site | lead | national (default site)
//!              after: [],                            // step ids of the same procedure
//!              min_level: None,                      // Some("II"): only at Ⅱ or above
//!              duration: (median: "30m", spread: 0.5, per_host: "2m"),
//!              staff: 1,                             // default 1
//!              deadline: Some((within: "2h", from: "detection")),  // detection | activation | end
//!              clause: "..."),
//!         ]),
//!     ],
//!     reporting: [
//!         (from_tier: "county", from_body: "emergency_office", to: "parent",  // parent | national_office
//!          to_body: "emergency_office", kind: "initial",                      // initial | written
//!          min_level: "IV", deadline: "30m", clause: "..."),
//!     ],
//!     special_plans: [(id: "online_filing", name: "...", classes: [], services: ["online_filing"],
//!                      steps: [...], clause: "...")],    // optional
//!     end: (actor: "emergency_office", evaluation_days: 7.0, summary_report_days: 30.0, clause: "..."),
//! )
//! ```
//!
//! Names: roles as in [`BodyRole::as_str`] (`emergency_office`,
//! `leadership_group`, `command_headquarters`, `handling_group`,
//! `technical_support`, `expert_group`, `information_release`, `logistics`,
//! `legal`, `information_centre`, `business_department`, `national_office`);
//! tiers `hq`, `provincial`, `prefecture`, `county`, `grassroots`; actions as
//! in [`StepAction::as_str`]; services as in [`ServiceKind::as_str`]; threat
//! kinds as in [`ThreatKind::as_str`]; importance `especially_important`,
//! `important`, `ordinary`; loss `especially_serious`, `serious`, `large`,
//! `small`; levels `I`, `II`, `III`, `IV`; durations as in
//! [`parse_duration`] (`"30m"`, `"2h"`, `"30d"`).
//!
//! # Rules checked here
//!
//! Ids (bodies, class codes, step ids within one procedure or special plan,
//! special-plan ids) are unique and non-empty; every reference resolves; a
//! subclass's parent class (its code without the last `.part`) exists; one
//! procedure per class; no step comes `after` itself and the `after`
//! relation has no cycle; numbers are finite and ≥ 0, durations and
//! deadlines > 0 (`per_host` may be 0); reports `to: "parent"` are not made
//! from HQ and reports to the national office only from HQ; a level's
//! duties (scope `lead`, run at the lead unit when the level starts) count
//! their deadlines from the activation or the detection, never the end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::diag::{Diagnostic, Diagnostics};
use super::plan::*;
use super::scenario_file::locate::{
    Seg::{self, F, I},
    SpanTree,
};
use super::scenario_file::parse_duration;
use super::topology::{ServiceKind, Tier};

// ---------------------------------------------------------------------------
// Raw file structs
// ---------------------------------------------------------------------------

/// The whole file: `Plan(...)`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Plan")]
pub struct PlanFile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The description in Chinese (optional; `drillsim list --lang zh`).
    #[serde(default)]
    pub description_zh: String,
    pub bodies: Vec<BodyFile>,
    pub classification: ClassificationFile,
    #[serde(default)]
    pub threat_classes: Vec<ThreatClassFile>,
    /// Absent or empty (no rules, no matrix) in a plan that cannot grade.
    #[serde(default)]
    pub grading: GradingFile,
    /// Empty in a plan that has no response levels.
    #[serde(default)]
    pub levels: Vec<LevelFile>,
    #[serde(default)]
    pub procedures: Vec<ProcedureFile>,
    #[serde(default)]
    pub reporting: Vec<ReportFile>,
    #[serde(default)]
    pub special_plans: Vec<SpecialPlanFile>,
    /// Standing orders outside an incident (organisation, training, drills).
    #[serde(default)]
    pub preparedness: Vec<PreparednessFile>,
    /// Absent in a plan that says nothing of ending a response.
    #[serde(default)]
    pub end: EndFile,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Body")]
pub struct BodyFile {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub role: String,
    #[serde(default)]
    pub tiers: Vec<String>,
    #[serde(default)]
    pub head: String,
    #[serde(default)]
    pub reports_to: Option<String>,
    #[serde(default)]
    pub clause: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Classification")]
pub struct ClassificationFile {
    pub standard: String,
    pub classes: Vec<ClassFile>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Class")]
pub struct ClassFile {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub clause: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "ThreatClass")]
pub struct ThreatClassFile {
    pub threat: String,
    pub class: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename = "Grading")]
pub struct GradingFile {
    #[serde(default)]
    pub importance: Vec<GradedFile>,
    #[serde(default)]
    pub loss: Vec<GradedFile>,
    /// `(importance, loss, level)`.
    #[serde(default)]
    pub matrix: Vec<(String, String, String)>,
    #[serde(default)]
    pub rules: Vec<GradedFile>,
    #[serde(default)]
    pub clause: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Graded")]
pub struct GradedFile {
    pub all: Vec<CriterionFile>,
    pub value: String,
    #[serde(default)]
    pub clause: String,
}

/// A grading condition, as in [`Criterion`] (tiers by name).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum CriterionFile {
    NodesAffectedAtLeast(u32),
    ProvincesAffectedAtLeast(u32),
    TierAffected(String),
    HostsInfectedAtLeast(u64),
    ServicesDownAtLeast(u32),
    ServiceDownHoursAtLeast(f64),
    PortalDownHoursAtLeast(f64),
    CoreSystemDownHoursAtLeast(f64),
    RecordsLeakedAtLeast(u64),
    NodesCutOffAtLeast(u32),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Level")]
pub struct LevelFile {
    pub level: String,
    pub colour: String,
    pub lead: String,
    /// `hq`, `provincial` or `local`.
    pub lead_at: String,
    pub approver: String,
    #[serde(default)]
    pub convenes: Vec<String>,
    pub activation_deadline: String,
    #[serde(default)]
    pub round_the_clock_duty: bool,
    #[serde(default)]
    pub clause: String,
    /// What the lead and the convened bodies do when the level starts.
    #[serde(default)]
    pub duties: Vec<DutyFile>,
}

/// A duty of a response level: a step without scope or level (always run
/// by its actor at the level's lead unit).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Duty")]
pub struct DutyFile {
    pub id: String,
    /// The duty's name in Chinese and English (what the report shows);
    /// optional, `drillsim check` warns when missing.
    #[serde(default)]
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    pub action: String,
    pub actor: String,
    #[serde(default)]
    pub after: Vec<String>,
    pub duration: DurationFile,
    #[serde(default = "default_staff")]
    pub staff: u32,
    #[serde(default)]
    pub deadline: Option<DeadlineFile>,
    #[serde(default)]
    pub clause: String,
}

impl DutyFile {
    fn as_step(&self) -> StepFile {
        StepFile {
            id: self.id.clone(),
            name_zh: self.name_zh.clone(),
            name_en: self.name_en.clone(),
            action: self.action.clone(),
            actor: self.actor.clone(),
            scope: "lead".to_owned(),
            after: self.after.clone(),
            min_level: None,
            duration: self.duration.clone(),
            staff: self.staff,
            deadline: self.deadline.clone(),
            clause: self.clause.clone(),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Procedure")]
pub struct ProcedureFile {
    pub class: String,
    pub name: String,
    pub steps: Vec<StepFile>,
    #[serde(default)]
    pub clause: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Step")]
pub struct StepFile {
    pub id: String,
    /// The step's name in Chinese and English, as a responder names it
    /// (`隔离受感染主机`); the id stays the machine key. Optional: without
    /// them the report names the step by its action and `drillsim check`
    /// warns.
    #[serde(default)]
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    pub action: String,
    pub actor: String,
    #[serde(default = "default_scope")]
    pub scope: String,
    #[serde(default)]
    pub after: Vec<String>,
    #[serde(default)]
    pub min_level: Option<String>,
    pub duration: DurationFile,
    #[serde(default = "default_staff")]
    pub staff: u32,
    #[serde(default)]
    pub deadline: Option<DeadlineFile>,
    #[serde(default)]
    pub clause: String,
}

fn default_scope() -> String {
    "site".to_owned()
}
fn default_staff() -> u32 {
    1
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Duration")]
pub struct DurationFile {
    pub median: String,
    #[serde(default)]
    pub spread: f64,
    /// Added per affected host; default `"0m"`.
    #[serde(default = "zero_duration")]
    pub per_host: String,
}

fn zero_duration() -> String {
    "0m".to_owned()
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Deadline")]
pub struct DeadlineFile {
    pub within: String,
    /// `detection`, `activation` or `end`.
    pub from: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Report")]
pub struct ReportFile {
    pub from_tier: String,
    pub from_body: String,
    /// `parent` or `national_office`.
    pub to: String,
    pub to_body: String,
    /// `initial` or `written`.
    pub kind: String,
    pub min_level: String,
    pub deadline: String,
    #[serde(default)]
    pub clause: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "SpecialPlan")]
pub struct SpecialPlanFile {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub classes: Vec<String>,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub steps: Vec<StepFile>,
    #[serde(default)]
    pub clause: String,
}

/// A standing order of the plan, outside any incident: set up the
/// organisation, train, drill, report that it was done.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Preparedness")]
pub struct PreparednessFile {
    pub id: String,
    /// What is to be done.
    pub task: String,
    /// The body that does it.
    pub actor: String,
    /// Tiers at which it is done.
    pub tiers: Vec<String>,
    /// `YYYY-MM-DD`, when the plan sets a date.
    #[serde(default)]
    pub due: Option<String>,
    /// The body told that it was done.
    #[serde(default)]
    pub report_to: Option<String>,
    #[serde(default)]
    pub clause: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename = "End")]
pub struct EndFile {
    pub actor: String,
    pub evaluation_days: f64,
    pub summary_report_days: f64,
    #[serde(default)]
    pub clause: String,
}

// ---------------------------------------------------------------------------
// Source positions (shared with `check`)
// ---------------------------------------------------------------------------

/// The text of a loaded plan, to point at its values in later diagnostics.
#[derive(Clone, Debug)]
pub struct PlanSource {
    pub path: PathBuf,
    pub src: String,
    pub tree: SpanTree,
    /// Position in the file's `levels` list of each level (by [`Level::index`]).
    pub level_pos: [usize; 4],
}

impl PlanSource {
    /// A diagnostic at the value reached along `path` (e.g.
    /// `[F("procedures"), I(0), F("steps"), I(2), F("after"), I(0)]`).
    pub fn diag(&self, path: &[Seg], msg: impl Into<String>) -> Diagnostic {
        Diagnostic::at_offset(&self.path, &self.src, self.tree.locate(path), msg)
    }
}

// ---------------------------------------------------------------------------
// Loader
// ---------------------------------------------------------------------------

/// Reads and validates a plan file. The slug is the file stem.
pub fn load(path: &Path) -> Result<Plan, Diagnostics> {
    load_with_source(path).map(|(p, _)| p)
}

/// Like [`load`], also returning the text for positioned diagnostics.
pub fn load_with_source(path: &Path) -> Result<(Plan, PlanSource), Diagnostics> {
    let src = crate::model::diag::read_source(path, "plan file")?;
    let slug = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plan".to_owned());
    parse_with_source(&src, path, &slug)
}

/// Parses and validates plan text (`path` is used in messages only).
pub fn parse(src: &str, path: &Path, slug: &str) -> Result<Plan, Diagnostics> {
    parse_with_source(src, path, slug).map(|(p, _)| p)
}

/// Like [`parse`], also returning the text for positioned diagnostics.
pub fn parse_with_source(
    src: &str,
    path: &Path,
    slug: &str,
) -> Result<(Plan, PlanSource), Diagnostics> {
    let raw: PlanFile = crate::model::diag::parse_ron(src, path)?;
    let mut v = Validator {
        source: PlanSource {
            path: path.to_path_buf(),
            src: src.to_owned(),
            tree: SpanTree::parse(src),
            level_pos: [0; 4],
        },
        diags: Diagnostics::default(),
        bodies: HashMap::new(),
        classes: HashMap::new(),
    };
    let plan = v.plan(&raw, slug);
    let Validator { source, diags, .. } = v;
    diags.into_result((plan, source))
}

struct Validator {
    source: PlanSource,
    diags: Diagnostics,
    bodies: HashMap<String, BodyId>,
    classes: HashMap<String, ClassId>,
}

type Path_ = Vec<Seg<'static>>;

fn at(base: &[Seg<'static>], more: &[Seg<'static>]) -> Path_ {
    [base, more].concat()
}

/// `YYYY-MM-DD` with a month 1–12 and a day 1–31.
fn is_date(s: &str) -> bool {
    let p: Vec<&str> = s.split('-').collect();
    let num = |x: &str, n: usize| x.len() == n && x.bytes().all(|b| b.is_ascii_digit());
    p.len() == 3
        && num(p[0], 4)
        && num(p[1], 2)
        && num(p[2], 2)
        && (1..=12).contains(&p[1].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&p[2].parse::<u32>().unwrap_or(0))
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Validator {
    fn err(&mut self, path: &[Seg], msg: impl Into<String>) {
        let d = self.source.diag(path, msg);
        self.diags.push(d);
    }

    fn plan(&mut self, raw: &PlanFile, slug: &str) -> Plan {
        if raw.name.trim().is_empty() {
            self.err(&[F("name")], "the plan name is empty");
        }
        let bodies = self.bodies(&raw.bodies);
        let (standard, classes) = self.classification(&raw.classification);
        let threat_classes = self.threat_classes(&raw.threat_classes);
        let has_end = self.has_field("end");
        self.incomplete(raw, slug, &classes, &threat_classes, has_end);
        let grading = self.grading(&raw.grading);
        let levels = self.levels(&raw.levels);
        let procedures = self.procedures(&raw.procedures);
        let reporting = self.reporting(&raw.reporting);
        let special_plans = self.special_plans(&raw.special_plans);
        let preparedness = self.preparedness(&raw.preparedness);
        let end = EndOfResponse {
            actor: if has_end {
                self.body_ref(&raw.end.actor, &[F("end"), F("actor")])
            } else {
                0
            },
            evaluation_days: self.non_negative(
                raw.end.evaluation_days,
                &[F("end"), F("evaluation_days")],
                "evaluation_days",
            ),
            summary_report_days: self.non_negative(
                raw.end.summary_report_days,
                &[F("end"), F("summary_report_days")],
                "summary_report_days",
            ),
            clause: raw.end.clause.clone(),
        };
        Plan {
            name: raw.name.clone(),
            slug: slug.to_owned(),
            description: raw.description.clone(),
            description_zh: raw.description_zh.clone(),
            bodies,
            standard,
            classes,
            threat_classes,
            grading,
            levels,
            procedures,
            reporting,
            special_plans,
            preparedness,
            end,
        }
    }

    /// Whether the top-level field `name` is written in the file.
    fn has_field(&self, name: &'static str) -> bool {
        self.source.tree.locate(&[F(name)]) != self.source.tree.locate(&[])
    }

    /// The parts a plan needs to run an incident. A plan may leave them out
    /// (the 2002 notice has no levels, grading, procedures or reporting);
    /// such a plan is reported, part by part, and never reaches the engine.
    fn incomplete(
        &mut self,
        raw: &PlanFile,
        slug: &str,
        classes: &[IncidentClass],
        threat_classes: &[(ThreatKind, ClassId)],
        has_end: bool,
    ) {
        let at_field = |v: &Self, f: &'static str| -> Path_ {
            if v.has_field(f) {
                vec![F(f)]
            } else {
                Vec::new()
            }
        };
        let mut missing: Vec<(Path_, String)> = Vec::new();
        if raw.levels.is_empty() {
            missing.push((
                at_field(self, "levels"),
                "no response levels (who leads the response at which tier, for levels I–IV)"
                    .to_owned(),
            ));
        }
        if raw.grading.rules.is_empty() && raw.grading.matrix.is_empty() {
            missing.push((
                at_field(self, "grading"),
                "no grading (neither rules nor an importance × loss matrix set a level)".to_owned(),
            ));
        }
        if raw.procedures.is_empty() {
            // The classes the scenarios' threats fall in, else every class.
            let mut codes: Vec<&str> = Vec::new();
            for &(_, c) in threat_classes {
                if let Some(c) = classes.get(c)
                    && !codes.contains(&c.code.as_str())
                {
                    codes.push(&c.code);
                }
            }
            if codes.is_empty() {
                codes = classes.iter().map(|c| c.code.as_str()).collect();
            }
            let msg = if codes.is_empty() {
                "no incident classes and no procedures".to_owned()
            } else {
                format!(
                    "no procedure for class{} {}",
                    if codes.len() == 1 { "" } else { "es" },
                    list(&codes)
                )
            };
            missing.push((at_field(self, "procedures"), msg));
        }
        if raw.reporting.is_empty() {
            missing.push((
                at_field(self, "reporting"),
                "no reporting rules (who reports an incident to whom, by when)".to_owned(),
            ));
        }
        if !has_end {
            missing.push((
                Vec::new(),
                "no end of response (who evaluates the response and writes the summary report)"
                    .to_owned(),
            ));
        }
        for (path, what) in missing {
            self.err(
                &path,
                format!("plan `{slug}` cannot run an incident: {what}"),
            );
        }
    }

    fn preparedness(&mut self, raw: &[PreparednessFile]) -> Vec<Preparedness> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut out = Vec::new();
        for (i, p) in raw.iter().enumerate() {
            let base = [F("preparedness"), I(i)];
            self.non_empty_id(&p.id, &at(&base, &[F("id")]), "preparedness id");
            if let Some(first) = seen.insert(p.id.as_str(), i) {
                let line = self.line_of(&[F("preparedness"), I(first)]);
                self.err(
                    &at(&base, &[F("id")]),
                    format!(
                        "preparedness id `{}` is used twice (first at line {line})",
                        p.id
                    ),
                );
            }
            if p.task.trim().is_empty() {
                self.err(&at(&base, &[F("task")]), "the task is empty");
            }
            let actor = self.body_ref(&p.actor, &at(&base, &[F("actor")]));
            let tiers = p
                .tiers
                .iter()
                .enumerate()
                .map(|(k, t)| self.tier(t, &at(&base, &[F("tiers"), I(k)])))
                .collect();
            if let Some(d) = &p.due
                && !is_date(d)
            {
                self.err(
                    &at(&base, &[F("due"), I(0)]),
                    format!("`{d}` is not a date YYYY-MM-DD"),
                );
            }
            let report_to = p
                .report_to
                .as_ref()
                .map(|b| self.body_ref(b, &at(&base, &[F("report_to"), I(0)])));
            out.push(Preparedness {
                id: p.id.clone(),
                task: p.task.clone(),
                actor,
                tiers,
                due: p.due.clone(),
                report_to,
                clause: p.clause.clone(),
            });
        }
        out
    }

    // -- small helpers -------------------------------------------------------

    fn non_negative(&mut self, x: f64, path: &[Seg], what: &str) -> f64 {
        if !x.is_finite() || x < 0.0 {
            self.err(path, format!("{what} must be a finite number ≥ 0, not {x}"));
            0.0
        } else {
            x
        }
    }

    /// A duration in minutes; `allow_zero` for per-host times.
    fn duration(&mut self, s: &str, path: &[Seg], what: &str, allow_zero: bool) -> f64 {
        match parse_duration(s) {
            Some(m) if m > 0.0 || (allow_zero && m == 0.0) => m,
            Some(_) => {
                self.err(path, format!("{what} must be longer than zero"));
                0.0
            }
            None => {
                let msg = super::scenario_file::duration_refusal(what, s, || {
                    format!(
                        "{what} {s:?} is not a duration like \"30m\", \"2h\", \"1h30m\" or \"30d\""
                    )
                });
                self.err(path, msg);
                0.0
            }
        }
    }

    fn body_ref(&mut self, id: &str, path: &[Seg]) -> BodyId {
        match self.bodies.get(id) {
            Some(&b) => b,
            None => {
                self.err(path, format!("unknown body id `{id}`"));
                0
            }
        }
    }

    fn class_ref(&mut self, code: &str, path: &[Seg]) -> ClassId {
        match self.classes.get(code) {
            Some(&c) => c,
            None => {
                self.err(path, format!("unknown incident class `{code}`"));
                0
            }
        }
    }

    fn tier(&mut self, s: &str, path: &[Seg]) -> Tier {
        match Tier::parse(s).filter(|t| t.is_wan()) {
            Some(t) => t,
            None => {
                self.err(
                    path,
                    format!(
                        "unknown tier `{s}` (expected one of {})",
                        list(&["hq", "provincial", "prefecture", "county", "grassroots"])
                    ),
                );
                Tier::County
            }
        }
    }

    fn level(&mut self, s: &str, path: &[Seg]) -> Level {
        match Level::parse(s) {
            Some(l) => l,
            None => {
                self.err(
                    path,
                    format!(
                        "unknown level `{s}` (expected one of {})",
                        list(&["I", "II", "III", "IV"])
                    ),
                );
                Level::IV
            }
        }
    }

    fn choice<T: Copy>(
        &mut self,
        s: &str,
        path: &[Seg],
        what: &str,
        options: &[(&str, T)],
        fallback: T,
    ) -> T {
        match options.iter().find(|(n, _)| *n == s) {
            Some(&(_, v)) => v,
            None => {
                let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                self.err(
                    path,
                    format!("unknown {what} `{s}` (expected one of {})", list(&names)),
                );
                fallback
            }
        }
    }

    fn non_empty_id(&mut self, id: &str, path: &[Seg], what: &str) {
        if id.trim().is_empty() {
            self.err(path, format!("the {what} is empty"));
        }
    }

    // -- sections -------------------------------------------------------------

    fn bodies(&mut self, raw: &[BodyFile]) -> Vec<Body> {
        for (i, b) in raw.iter().enumerate() {
            self.non_empty_id(&b.id, &[F("bodies"), I(i), F("id")], "body id");
            if let Some(&first) = self.bodies.get(&b.id) {
                let line = self.line_of(&[F("bodies"), I(first)]);
                self.err(
                    &[F("bodies"), I(i), F("id")],
                    format!(
                        "duplicate body id `{}` (first defined at line {line})",
                        b.id
                    ),
                );
            } else {
                self.bodies.insert(b.id.clone(), i);
            }
        }
        let roles: Vec<&str> = BodyRole::ALL.iter().map(|r| r.as_str()).collect();
        let mut out = Vec::new();
        for (i, b) in raw.iter().enumerate() {
            let base = [F("bodies"), I(i)];
            let role = match BodyRole::parse(&b.role) {
                Some(r) => r,
                None => {
                    self.err(
                        &at(&base, &[F("role")]),
                        format!(
                            "unknown role `{}` (expected one of {})",
                            b.role,
                            list(&roles)
                        ),
                    );
                    BodyRole::HandlingGroup
                }
            };
            let mut tiers = Vec::new();
            for (k, t) in b.tiers.iter().enumerate() {
                let p = at(&base, &[F("tiers"), I(k)]);
                let tier = self.tier(t, &p);
                if tiers.contains(&tier) && Tier::parse(t).is_some_and(|t| t.is_wan()) {
                    self.err(&p, format!("tier `{t}` is listed twice"));
                }
                tiers.push(tier);
            }
            tiers.sort();
            tiers.dedup();
            if role != BodyRole::NationalOffice && b.tiers.is_empty() {
                self.err(
                    &at(&base, &[F("tiers")]),
                    format!(
                        "body `{}` exists at no tier (only the national office, outside the \
                         tax system, may have no tiers)",
                        b.id
                    ),
                );
            }
            let reports_to = b
                .reports_to
                .as_ref()
                .map(|r| self.body_ref(r, &at(&base, &[F("reports_to"), I(0)])));
            out.push(Body {
                id: b.id.clone(),
                name_zh: b.name_zh.clone(),
                name_en: b.name_en.clone(),
                role,
                tiers,
                head: b.head.clone(),
                reports_to,
                clause: b.clause.clone(),
            });
        }
        out
    }

    fn line_of(&self, path: &[Seg]) -> usize {
        super::diag::line_col(&self.source.src, self.source.tree.locate(path)).0
    }

    fn classification(&mut self, raw: &ClassificationFile) -> (ClassStandard, Vec<IncidentClass>) {
        let standard = self.choice(
            &raw.standard,
            &[F("classification"), F("standard")],
            "classification standard",
            &[
                ("GB/Z 20986-2007", ClassStandard::Gbz20986_2007),
                ("GB/T 20986-2023", ClassStandard::Gbt20986_2023),
            ],
            ClassStandard::Gbz20986_2007,
        );
        for (i, c) in raw.classes.iter().enumerate() {
            let p = [F("classification"), F("classes"), I(i), F("code")];
            let well_formed = !c.code.is_empty()
                && c.code.split('.').all(|part| {
                    !part.is_empty()
                        && part
                            .chars()
                            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
                });
            if !well_formed {
                self.err(
                    &p,
                    format!(
                        "class code `{}` is not a dotted lower-case code like `malware.worm`",
                        c.code
                    ),
                );
            }
            if let Some(&first) = self.classes.get(&c.code) {
                let line = self.line_of(&[F("classification"), F("classes"), I(first)]);
                self.err(
                    &p,
                    format!(
                        "duplicate class code `{}` (first defined at line {line})",
                        c.code
                    ),
                );
            } else {
                self.classes.insert(c.code.clone(), i);
            }
        }
        let mut out = Vec::new();
        for (i, c) in raw.classes.iter().enumerate() {
            let parent = c.code.rsplit_once('.').and_then(|(parent, _)| {
                let found = self.classes.get(parent).copied();
                if found.is_none() {
                    self.err(
                        &[F("classification"), F("classes"), I(i), F("code")],
                        format!(
                            "class `{}` is a subclass of `{parent}`, which is not defined",
                            c.code
                        ),
                    );
                }
                found
            });
            out.push(IncidentClass {
                code: c.code.clone(),
                name_zh: c.name_zh.clone(),
                name_en: c.name_en.clone(),
                parent,
                clause: c.clause.clone(),
            });
        }
        (standard, out)
    }

    fn threat_classes(&mut self, raw: &[ThreatClassFile]) -> Vec<(ThreatKind, ClassId)> {
        let names: Vec<&str> = ThreatKind::ALL.iter().map(|t| t.as_str()).collect();
        let mut out: Vec<(ThreatKind, ClassId)> = Vec::new();
        for (k, tc) in raw.iter().enumerate() {
            let class = self.class_ref(&tc.class, &[F("threat_classes"), I(k), F("class")]);
            let p = [F("threat_classes"), I(k), F("threat")];
            match ThreatKind::parse(&tc.threat) {
                Some(t) if out.iter().any(|(u, _)| *u == t) => {
                    self.err(&p, format!("threat kind `{}` is mapped twice", tc.threat))
                }
                Some(t) => out.push((t, class)),
                None => self.err(
                    &p,
                    format!(
                        "unknown threat kind `{}` (expected one of {})",
                        tc.threat,
                        list(&names)
                    ),
                ),
            }
        }
        out
    }

    fn criterion(&mut self, c: &CriterionFile, path: &[Seg]) -> Criterion {
        let hours = |v: &mut Self, h: f64| v.non_negative(h, path, "hours");
        match c {
            CriterionFile::NodesAffectedAtLeast(n) => Criterion::NodesAffectedAtLeast(*n),
            CriterionFile::ProvincesAffectedAtLeast(n) => Criterion::ProvincesAffectedAtLeast(*n),
            CriterionFile::TierAffected(t) => Criterion::TierAffected(self.tier(t, path)),
            CriterionFile::HostsInfectedAtLeast(n) => Criterion::HostsInfectedAtLeast(*n),
            CriterionFile::ServicesDownAtLeast(n) => Criterion::ServicesDownAtLeast(*n),
            CriterionFile::ServiceDownHoursAtLeast(h) => {
                Criterion::ServiceDownHoursAtLeast(hours(self, *h))
            }
            CriterionFile::PortalDownHoursAtLeast(h) => {
                Criterion::PortalDownHoursAtLeast(hours(self, *h))
            }
            CriterionFile::CoreSystemDownHoursAtLeast(h) => {
                Criterion::CoreSystemDownHoursAtLeast(hours(self, *h))
            }
            CriterionFile::RecordsLeakedAtLeast(n) => Criterion::RecordsLeakedAtLeast(*n),
            CriterionFile::NodesCutOffAtLeast(n) => Criterion::NodesCutOffAtLeast(*n),
        }
    }

    fn graded<T: Copy>(
        &mut self,
        raw: &[GradedFile],
        field: &'static str,
        value: impl Fn(&mut Self, &str, &[Seg]) -> T,
    ) -> Vec<Graded<T>> {
        let mut out = Vec::new();
        for (i, g) in raw.iter().enumerate() {
            let base = [F("grading"), F(field), I(i)];
            let all = g
                .all
                .iter()
                .enumerate()
                .map(|(k, c)| self.criterion(c, &at(&base, &[F("all"), I(k), I(0)])))
                .collect();
            let value = value(self, &g.value, &at(&base, &[F("value")]));
            out.push(Graded {
                all,
                value,
                clause: g.clause.clone(),
            });
        }
        out
    }

    fn importance(&mut self, s: &str, path: &[Seg]) -> Importance {
        self.choice(
            s,
            path,
            "importance",
            &[
                ("especially_important", Importance::EspeciallyImportant),
                ("important", Importance::Important),
                ("ordinary", Importance::Ordinary),
            ],
            Importance::Ordinary,
        )
    }

    fn loss(&mut self, s: &str, path: &[Seg]) -> Loss {
        self.choice(
            s,
            path,
            "loss",
            &[
                ("especially_serious", Loss::EspeciallySerious),
                ("serious", Loss::Serious),
                ("large", Loss::Large),
                ("small", Loss::Small),
            ],
            Loss::Small,
        )
    }

    fn grading(&mut self, raw: &GradingFile) -> Grading {
        let importance = self.graded(&raw.importance, "importance", Self::importance);
        let loss = self.graded(&raw.loss, "loss", Self::loss);
        let rules = self.graded(&raw.rules, "rules", Self::level);
        let mut matrix: Vec<(Importance, Loss, Level)> = Vec::new();
        for (k, (i, l, lv)) in raw.matrix.iter().enumerate() {
            let base = [F("grading"), F("matrix"), I(k)];
            let imp = self.importance(i, &at(&base, &[I(0)]));
            let loss = self.loss(l, &at(&base, &[I(1)]));
            let level = self.level(lv, &at(&base, &[I(2)]));
            if matrix.iter().any(|m| m.0 == imp && m.1 == loss) {
                self.err(
                    &base,
                    format!("the matrix lists ({i}, {l}) twice; each pair may appear once"),
                );
            }
            matrix.push((imp, loss, level));
        }
        Grading {
            importance,
            loss,
            matrix,
            rules,
            clause: raw.clause.clone(),
        }
    }

    fn levels(&mut self, raw: &[LevelFile]) -> Vec<ResponseLevel> {
        let mut slots: [Option<ResponseLevel>; 4] = Default::default();
        for (i, l) in raw.iter().enumerate() {
            let base = [F("levels"), I(i)];
            let Some(level) = Level::parse(&l.level) else {
                self.level(&l.level, &at(&base, &[F("level")]));
                continue;
            };
            let lead = self.body_ref(&l.lead, &at(&base, &[F("lead")]));
            let lead_at = self.choice(
                &l.lead_at,
                &at(&base, &[F("lead_at")]),
                "lead_at",
                &[
                    ("hq", LeadAt::Hq),
                    ("provincial", LeadAt::Provincial),
                    ("local", LeadAt::Local),
                ],
                LeadAt::Local,
            );
            let approver = self.body_ref(&l.approver, &at(&base, &[F("approver")]));
            let convenes = l
                .convenes
                .iter()
                .enumerate()
                .map(|(k, b)| self.body_ref(b, &at(&base, &[F("convenes"), I(k)])))
                .collect();
            let activation_deadline_min = self.duration(
                &l.activation_deadline,
                &at(&base, &[F("activation_deadline")]),
                "activation_deadline",
                false,
            );
            if l.colour.trim().is_empty() {
                self.err(&at(&base, &[F("colour")]), "the warning colour is empty");
            }
            let duties = self.duties(&l.duties, &base);
            if slots[level.index()].is_some() {
                let first = self.source.level_pos[level.index()];
                let line = self.line_of(&[F("levels"), I(first)]);
                self.err(
                    &at(&base, &[F("level")]),
                    format!(
                        "level {} is defined twice (first at line {line})",
                        level.as_str()
                    ),
                );
                continue;
            }
            self.source.level_pos[level.index()] = i;
            slots[level.index()] = Some(ResponseLevel {
                level,
                colour: l.colour.clone(),
                lead,
                lead_at,
                approver,
                convenes,
                activation_deadline_min,
                round_the_clock_duty: l.round_the_clock_duty,
                duties,
                clause: l.clause.clone(),
            });
        }
        let mut out = Vec::new();
        for (k, slot) in slots.into_iter().enumerate() {
            match slot {
                Some(l) => out.push(l),
                None => {
                    let level = Level::ALL[k];
                    if !raw.is_empty() {
                        self.err(
                            &[F("levels")],
                            format!(
                                "level {} is missing: a plan defines exactly the four levels \
                             I, II, III and IV",
                                level.as_str()
                            ),
                        );
                    }
                    out.push(ResponseLevel {
                        level,
                        colour: String::new(),
                        lead: 0,
                        lead_at: LeadAt::Local,
                        approver: 0,
                        convenes: Vec::new(),
                        activation_deadline_min: 0.0,
                        round_the_clock_duty: false,
                        duties: Vec::new(),
                        clause: String::new(),
                    });
                }
            }
        }
        out
    }

    fn procedures(&mut self, raw: &[ProcedureFile]) -> Vec<Procedure> {
        let mut out: Vec<Procedure> = Vec::new();
        for (i, p) in raw.iter().enumerate() {
            let base = vec![F("procedures"), I(i)];
            let class = self.class_ref(&p.class, &at(&base, &[F("class")]));
            if self.classes.contains_key(&p.class)
                && let Some(first) = out.iter().position(|q| q.class == class)
            {
                let line = self.line_of(&[F("procedures"), I(first)]);
                self.err(
                    &at(&base, &[F("class")]),
                    format!(
                        "class `{}` already has a procedure (at line {line}); one procedure per class",
                        p.class
                    ),
                );
            }
            if p.name.trim().is_empty() {
                self.err(&at(&base, &[F("name")]), "the procedure name is empty");
            }
            let steps = self.steps(&p.steps, &base);
            out.push(Procedure {
                class,
                name: p.name.clone(),
                steps,
                clause: p.clause.clone(),
            });
        }
        out
    }

    /// A level's duties: steps at the lead unit whose deadlines count from
    /// the activation or the detection (the end has its own obligations).
    fn duties(&mut self, raw: &[DutyFile], base: &[Seg<'static>]) -> Vec<Step> {
        let steps: Vec<StepFile> = raw.iter().map(DutyFile::as_step).collect();
        let out = self.steps_at(&steps, base, "duties");
        for (k, d) in out.iter().enumerate() {
            if d.deadline_from == DeadlineFrom::End {
                self.err(
                    &at(base, &[F("duties"), I(k), F("deadline"), I(0), F("from")]),
                    format!(
                        "duty `{}`: a level's duty counts its deadline from `activation` or \
                         `detection`, not `end` (post-incident work belongs in a procedure)",
                        d.id
                    ),
                );
            }
        }
        out
    }

    fn steps(&mut self, raw: &[StepFile], base: &[Seg<'static>]) -> Vec<Step> {
        self.steps_at(raw, base, "steps")
    }

    /// The steps of the list `field` under `base`.
    fn steps_at(
        &mut self,
        raw: &[StepFile],
        base: &[Seg<'static>],
        field: &'static str,
    ) -> Vec<Step> {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        for (s, st) in raw.iter().enumerate() {
            let p = at(base, &[F(field), I(s), F("id")]);
            self.non_empty_id(&st.id, &p, "step id");
            if let Some(&first) = ids.get(st.id.as_str()) {
                let line = self.line_of(&at(base, &[F(field), I(first)]));
                self.err(
                    &p,
                    format!(
                        "duplicate step id `{}` (first defined at line {line})",
                        st.id
                    ),
                );
            } else {
                ids.insert(&st.id, s);
            }
        }
        let actions: Vec<&str> = StepAction::ALL.iter().map(|a| a.as_str()).collect();
        let mut out = Vec::new();
        for (s, st) in raw.iter().enumerate() {
            let sb = at(base, &[F(field), I(s)]);
            let action = match StepAction::parse(&st.action) {
                Some(a) => a,
                None => {
                    self.err(
                        &at(&sb, &[F("action")]),
                        format!(
                            "unknown action `{}` (expected one of {})",
                            st.action,
                            list(&actions)
                        ),
                    );
                    StepAction::Investigate
                }
            };
            let actor = self.body_ref(&st.actor, &at(&sb, &[F("actor")]));
            let scope = self.choice(
                &st.scope,
                &at(&sb, &[F("scope")]),
                "scope",
                &[
                    ("site", StepScope::Site),
                    ("lead", StepScope::Lead),
                    ("national", StepScope::National),
                ],
                StepScope::Site,
            );
            let mut after = Vec::new();
            for (k, a) in st.after.iter().enumerate() {
                let p = at(&sb, &[F("after"), I(k)]);
                match ids.get(a.as_str()) {
                    Some(&t) if t == s => {
                        self.err(&p, format!("step `{}` comes after itself", st.id))
                    }
                    Some(&t) if after.contains(&t) => {
                        self.err(&p, format!("step `{a}` is listed twice in `after`"))
                    }
                    Some(&t) => after.push(t),
                    None => self.err(
                        &p,
                        format!(
                            "unknown {} id `{a}` ({})",
                            if field == "duties" { "duty" } else { "step" },
                            if field == "duties" {
                                "duties of the same level only"
                            } else {
                                "steps of the same procedure only"
                            }
                        ),
                    ),
                }
            }
            let min_level = st
                .min_level
                .as_ref()
                .map(|l| self.level(l, &at(&sb, &[F("min_level"), I(0)])));
            let db = at(&sb, &[F("duration")]);
            let median_min = self.duration(
                &st.duration.median,
                &at(&db, &[F("median")]),
                "median",
                false,
            );
            let mut spread =
                self.non_negative(st.duration.spread, &at(&db, &[F("spread")]), "spread");
            if spread > super::limits::MAX_SPREAD {
                self.err(
                    &at(&db, &[F("spread")]),
                    format!(
                        "spread {spread:e} is above the limit of {} (σ of the log-normal \
                         duration: e^5 ≈ 148 times the median at one σ)",
                        super::limits::MAX_SPREAD
                    ),
                );
                spread = 0.0;
            }
            let per_host_min = self.duration(
                &st.duration.per_host,
                &at(&db, &[F("per_host")]),
                "per_host",
                true,
            );
            if st.staff == 0 {
                self.err(&at(&sb, &[F("staff")]), "a step needs at least 1 staff");
            } else if st.staff > super::limits::MAX_STAFF {
                self.err(
                    &at(&sb, &[F("staff")]),
                    format!(
                        "staff {} is above the limit of {} people for one step",
                        st.staff,
                        super::limits::MAX_STAFF
                    ),
                );
            }
            let (deadline_min, deadline_from) = match &st.deadline {
                None => (None, DeadlineFrom::Detection),
                Some(d) => {
                    let dp = at(&sb, &[F("deadline"), I(0)]);
                    let within =
                        self.duration(&d.within, &at(&dp, &[F("within")]), "within", false);
                    let from = self.choice(
                        &d.from,
                        &at(&dp, &[F("from")]),
                        "deadline origin",
                        &[
                            ("detection", DeadlineFrom::Detection),
                            ("activation", DeadlineFrom::Activation),
                            ("end", DeadlineFrom::End),
                        ],
                        DeadlineFrom::Detection,
                    );
                    (Some(within), from)
                }
            };
            out.push(Step {
                id: st.id.clone(),
                name_zh: st.name_zh.trim().to_string(),
                name_en: st.name_en.trim().to_string(),
                action,
                actor,
                scope,
                after,
                min_level,
                duration: StepDuration {
                    median_min,
                    spread,
                    per_host_min,
                },
                staff: st.staff,
                deadline_min,
                deadline_from,
                clause: st.clause.clone(),
            });
        }
        self.cycles(&out, base, field);
        out
    }

    /// Reports each dependency cycle once, at the `after` entry closing it.
    fn cycles(&mut self, steps: &[Step], base: &[Seg<'static>], field: &'static str) {
        // 0 = unvisited, 1 = on the stack, 2 = done.
        let mut state = vec![0u8; steps.len()];
        let mut stack: Vec<usize> = Vec::new();
        for start in 0..steps.len() {
            if state[start] == 0 {
                self.dfs(start, steps, base, field, &mut state, &mut stack);
            }
        }
    }

    fn dfs(
        &mut self,
        u: usize,
        steps: &[Step],
        base: &[Seg<'static>],
        field: &'static str,
        state: &mut [u8],
        stack: &mut Vec<usize>,
    ) {
        state[u] = 1;
        stack.push(u);
        for (k, &v) in steps[u].after.iter().enumerate() {
            match state[v] {
                0 => self.dfs(v, steps, base, field, state, stack),
                1 => {
                    let from = stack.iter().position(|&x| x == v).unwrap_or(0);
                    let mut names: Vec<&str> = stack[from..]
                        .iter()
                        .map(|&x| steps[x].id.as_str())
                        .collect();
                    names.push(&steps[v].id);
                    // after-edges point backwards in time: print in execution order.
                    names.reverse();
                    let path = at(base, &[F(field), I(u), F("after"), I(k)]);
                    self.err(
                        &path,
                        format!(
                            "dependency cycle among steps: {} (each waits for the one before it)",
                            names.join(" → ")
                        ),
                    );
                }
                _ => {}
            }
        }
        stack.pop();
        state[u] = 2;
    }

    fn reporting(&mut self, raw: &[ReportFile]) -> Vec<ReportRule> {
        let mut out = Vec::new();
        for (i, r) in raw.iter().enumerate() {
            let base = [F("reporting"), I(i)];
            let from_tier = self.tier(&r.from_tier, &at(&base, &[F("from_tier")]));
            let from_body = self.body_ref(&r.from_body, &at(&base, &[F("from_body")]));
            let to = self.choice(
                &r.to,
                &at(&base, &[F("to")]),
                "report target",
                &[
                    ("parent", ReportTo::Parent),
                    ("national_office", ReportTo::NationalOffice),
                ],
                ReportTo::Parent,
            );
            if Tier::parse(&r.from_tier).is_some() {
                match to {
                    ReportTo::Parent if from_tier == Tier::Hq && r.to == "parent" => self.err(
                        &at(&base, &[F("to")]),
                        "HQ has no parent unit: HQ reports to `national_office`",
                    ),
                    ReportTo::NationalOffice if from_tier != Tier::Hq => self.err(
                        &at(&base, &[F("to")]),
                        format!(
                            "only HQ reports to the national office; a `{}` unit reports to its `parent`",
                            r.from_tier
                        ),
                    ),
                    _ => {}
                }
            }
            let to_body = self.body_ref(&r.to_body, &at(&base, &[F("to_body")]));
            let kind = self.choice(
                &r.kind,
                &at(&base, &[F("kind")]),
                "report kind",
                &[
                    ("initial", ReportKind::Initial),
                    ("written", ReportKind::Written),
                ],
                ReportKind::Initial,
            );
            let min_level = self.level(&r.min_level, &at(&base, &[F("min_level")]));
            let deadline_min =
                self.duration(&r.deadline, &at(&base, &[F("deadline")]), "deadline", false);
            out.push(ReportRule {
                from_tier,
                from_body,
                to,
                to_body,
                kind,
                min_level,
                deadline_min,
                clause: r.clause.clone(),
            });
        }
        out
    }

    fn special_plans(&mut self, raw: &[SpecialPlanFile]) -> Vec<SpecialPlan> {
        let services: Vec<&str> = ServiceKind::ALL.iter().map(|s| s.as_str()).collect();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut out = Vec::new();
        for (i, sp) in raw.iter().enumerate() {
            let base = vec![F("special_plans"), I(i)];
            self.non_empty_id(&sp.id, &at(&base, &[F("id")]), "special plan id");
            if let Some(&first) = seen.get(sp.id.as_str()) {
                let line = self.line_of(&[F("special_plans"), I(first)]);
                self.err(
                    &at(&base, &[F("id")]),
                    format!(
                        "duplicate special plan id `{}` (first defined at line {line})",
                        sp.id
                    ),
                );
            } else {
                seen.insert(&sp.id, i);
            }
            let classes = sp
                .classes
                .iter()
                .enumerate()
                .map(|(k, c)| self.class_ref(c, &at(&base, &[F("classes"), I(k)])))
                .collect();
            let mut svc = Vec::new();
            for (k, s) in sp.services.iter().enumerate() {
                match ServiceKind::parse(s) {
                    Some(x) => svc.push(x),
                    None => self.err(
                        &at(&base, &[F("services"), I(k)]),
                        format!(
                            "unknown service `{s}` (expected one of {})",
                            list(&services)
                        ),
                    ),
                }
            }
            let steps = self.steps(&sp.steps, &base);
            out.push(SpecialPlan {
                id: sp.id.clone(),
                name: sp.name.clone(),
                classes,
                services: svc,
                steps,
                clause: sp.clause.clone(),
            });
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn bundled(name: &str) -> Plan {
        load(&root().join("scenarios/plans").join(name)).unwrap_or_else(|d| panic!("{d}"))
    }

    fn minimal_src() -> String {
        std::fs::read_to_string(root().join("tests/data/plans/minimal.ron")).unwrap()
    }

    fn p(src: &str) -> Result<Plan, Diagnostics> {
        parse(src, Path::new("test.ron"), "test")
    }

    #[test]
    fn minimal_plan_loads() {
        let plan = p(&minimal_src()).unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(plan.levels.len(), 4);
        for (k, l) in plan.levels.iter().enumerate() {
            assert_eq!(l.level.index(), k);
        }
        assert!(!plan.procedures.is_empty());
    }

    #[test]
    fn bundled_plans_load() {
        for name in ["unit-plan.ron", "sat-overall.ron"] {
            let plan = bundled(name);
            assert_eq!(plan.slug, name.trim_end_matches(".ron"));
            assert_eq!(plan.levels.len(), 4);
            for t in ThreatKind::ALL {
                // A newer (optional) threat kind need not be mapped; a
                // mapped one needs a procedure.
                let Some(c) = plan.class_of(t) else {
                    assert!(t.optional(), "{name}: {t:?} unmapped");
                    continue;
                };
                assert!(plan.procedure_for(c).is_some(), "{name}: {t:?}");
            }
        }
        let plan = bundled("sat-overall.ron");
        let worm = plan.class_of(ThreatKind::Worm).unwrap();
        assert_eq!(plan.classes[worm].code, "malware.worm");
        let proc_ = plan.procedure_for(worm).unwrap();
        let isolate = proc_.steps.iter().find(|s| s.id == "isolate").unwrap();
        assert_eq!(isolate.action, StepAction::Isolate);
        assert_eq!(isolate.deadline_min, Some(120.0));
        assert!(
            proc_
                .steps
                .iter()
                .any(|s| s.scope == StepScope::National && s.min_level == Some(Level::II))
        );
        assert_eq!(plan.level(Level::I).colour, "red");
        assert_eq!(plan.level(Level::IV).colour, "blue");
        assert_eq!(plan.end.summary_report_days, 30.0);
    }

    /// Sat-overall grading: a provincial node with 3 provinces affected is at
    /// least Ⅱ; a single county is Ⅳ; the 2025 portal rule gives Ⅰ.
    #[test]
    fn grading_examples() {
        let plan = bundled("sat-overall.ron");
        let g = &plan.grading;
        let f = Facts {
            nodes_affected: 3,
            provinces_affected: 3,
            highest_tier: Some(Tier::Provincial),
            ..Facts::default()
        };
        assert!(g.grade(&f).at_least(Level::II), "{:?}", g.grade(&f));
        let f = Facts {
            nodes_affected: 1,
            provinces_affected: 1,
            highest_tier: Some(Tier::County),
            hosts_infected: 5,
            ..Facts::default()
        };
        assert_eq!(g.grade(&f), Level::IV);
        let f = Facts {
            nodes_affected: 1,
            provinces_affected: 1,
            highest_tier: Some(Tier::Provincial),
            portal_down_hours: 25.0,
            ..Facts::default()
        };
        assert_eq!(g.grade(&f), Level::I);
        let f = Facts {
            nodes_affected: 1,
            highest_tier: Some(Tier::Hq),
            ..Facts::default()
        };
        assert!(g.grade(&f).at_least(Level::III));
        // The 2002-era unit plan grades by its documented scope rule.
        let old = bundled("unit-plan.ron");
        let f = Facts {
            nodes_affected: 1,
            provinces_affected: 1,
            highest_tier: Some(Tier::County),
            ..Facts::default()
        };
        assert_eq!(old.grading.grade(&f), Level::IV);
    }

    #[test]
    fn every_problem_is_collected_with_its_position() {
        let src = minimal_src()
            .replacen("actor: \"office\"", "actor: \"nobody\"", 1)
            .replacen("action: \"isolate\"", "action: \"quarantine\"", 1)
            .replacen("level: \"IV\"", "level: \"V\"", 1);
        let d = p(&src).unwrap_err();
        let msgs: Vec<&str> = d.0.iter().map(|d| d.message.as_str()).collect();
        assert!(
            msgs.iter().any(|m| m.contains("unknown body id `nobody`")),
            "{d}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("unknown action `quarantine`")),
            "{d}"
        );
        assert!(msgs.iter().any(|m| m.contains("unknown level `V`")), "{d}");
        assert!(
            msgs.iter().any(|m| m.contains("level IV is missing")),
            "{d}"
        );
        for diag in &d.0 {
            let line = src.lines().nth(diag.line - 1).unwrap();
            let rest: String = line.chars().skip(diag.col - 1).collect();
            assert!(
                rest.starts_with('"') || rest.starts_with('['),
                "{diag}: points at {rest:?}"
            );
        }
    }

    #[test]
    fn bad_numbers_and_duplicate_levels_are_reported() {
        let src = minimal_src()
            .replacen("spread: 0.5", "spread: -0.5", 1)
            .replacen("evaluation_days: 7.0", "evaluation_days: NaN", 1)
            .replacen("(median: \"2h\")", "(median: \"0m\")", 1)
            .replacen("level: \"III\"", "level: \"II\"", 1);
        let d = p(&src).unwrap_err();
        let msgs: Vec<&str> = d.0.iter().map(|d| d.message.as_str()).collect();
        for needle in [
            "spread must be a finite number ≥ 0, not -0.5",
            "evaluation_days must be a finite number ≥ 0, not NaN",
            "median must be longer than zero",
            "level II is defined twice",
            "level III is missing",
        ] {
            assert!(msgs.iter().any(|m| m.contains(needle)), "{needle}: {d}");
        }
        assert_eq!(d.len(), 5, "{d}");
    }

    #[test]
    fn level_duties_load_and_their_errors_are_positioned() {
        let src = std::fs::read_to_string(root().join("scenarios/plans/sat-overall.ron")).unwrap();
        let plan = p(&src).unwrap_or_else(|d| panic!("{d}"));
        let ii = plan.level(Level::II);
        assert!(ii.duties.iter().all(|d| d.scope == StepScope::Lead));
        assert!(ii.duties.iter().any(|d| d.action == StepAction::Convene));
        assert!(plan.level(Level::IV).duties.is_empty());
        // `after` among the duties of the same level; the end is not a duty's origin.
        let bad = src
            .replacen("after: [\"convene\"]", "after: [\"assemble\"]", 1)
            .replacen(
                "from: \"activation\")),\n              clause: \"later plan",
                "from: \"end\")),\n              clause: \"later plan",
                1,
            );
        let d = p(&bad).unwrap_err();
        let msgs: Vec<String> =
            d.0.iter()
                .map(|d| format!("{}:{} {}", d.line, d.col, d.message))
                .collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("unknown duty id `assemble` (duties of the same level only)")),
            "{d}"
        );
        assert!(msgs.iter().any(|m| m.contains("not `end`")), "{d}");
        assert_eq!(d.len(), 2, "{d}");
        assert!(d.0.iter().all(|x| x.line > 190), "{d}");
    }

    #[test]
    fn unknown_field_and_syntax_errors_are_positioned() {
        let src = minimal_src().replacen("name_en:", "name_english:", 1);
        let d = p(&src).unwrap_err();
        assert_eq!(d.len(), 1);
        assert!(d.0[0].message.contains("name_english"), "{d}");
        assert!(d.0[0].line > 1);
    }

    /// The 2002 notice as written has no levels, grading, procedures,
    /// reporting or end: each is reported at its place, and no plan is built.
    #[test]
    fn the_2002_notice_is_refused_part_by_part() {
        let path = root().join("scenarios/plans/sat-2002.ron");
        let src = std::fs::read_to_string(&path).unwrap();
        let d = parse(&src, Path::new("sat-2002.ron"), "sat-2002").unwrap_err();
        let msgs: Vec<&str> = d.0.iter().map(|d| d.message.as_str()).collect();
        let prefix = "plan `sat-2002` cannot run an incident: ";
        for what in [
            "no response levels",
            "no grading",
            "no procedure for classes `network_attack`, `content_security`",
            "no reporting rules",
            "no end of response",
        ] {
            assert!(
                msgs.iter()
                    .any(|m| m.starts_with(&format!("{prefix}{what}"))),
                "{what}: {msgs:?}"
            );
        }
        assert_eq!(msgs.len(), 5, "{msgs:?}");
        // Written-out empty parts are pointed at; the absent `end` at the plan.
        let line_of = |needle: &str| src.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
        for (what, needle) in [
            ("levels", "    levels: []"),
            ("procedure", "    procedures: []"),
            ("reporting", "    reporting: []"),
            ("grading", "    grading:"),
            ("end of response", "Plan("),
        ] {
            let diag = d.0.iter().find(|d| d.message.contains(what)).unwrap();
            assert_eq!(diag.line, line_of(needle), "{what}: {diag}");
        }
    }

    #[test]
    fn preparedness_is_validated() {
        let src = minimal_src().replacen(
            "    end:",
            "    preparedness: [(id: \"drill\", task: \"drill\", actor: \"nobody\", tiers: [\"hq\"], due: Some(\"2002-13-15\"))],\n    end:",
            1,
        );
        let d = p(&src).unwrap_err();
        let msgs: Vec<&str> = d.0.iter().map(|d| d.message.as_str()).collect();
        assert!(msgs.contains(&"unknown body id `nobody`"), "{msgs:?}");
        assert!(
            msgs.contains(&"`2002-13-15` is not a date YYYY-MM-DD"),
            "{msgs:?}"
        );
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        let ok = src
            .replace("\"nobody\"", "\"office\"")
            .replace("2002-13-15", "2002-10-15");
        let plan = p(&ok).unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(plan.preparedness[0].due.as_deref(), Some("2002-10-15"));
    }
}
