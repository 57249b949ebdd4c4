//! Scoring: pure functions of a run's record (no simulation, no I/O).
//!
//! Every requirement the plan placed on someone during the run becomes an
//! [`Obligation`]; compliance over time is credit earned ÷ credit due;
//! outcome metrics and capability ratings (HSEEP P/S/M/U) complete the
//! [`Assessment`] that the report renders.

use crate::engine::record::Text;
use serde::{Deserialize, Serialize};

use crate::engine::RunRecord;

pub mod compliance;
pub mod export;
pub mod obligations;
pub mod outcomes;
pub mod ratings;
pub mod root_cause;
pub mod thresholds;

pub use export::{compliance_cells, compliance_columns, compliance_head, obligations_csv};
pub use thresholds::{Thresholds, default_thresholds, load_thresholds};

/// Assesses a run: obligations, compliance over time, outcomes, ratings and
/// findings. Pure and deterministic.
pub fn assess(rec: &RunRecord, th: &Thresholds) -> Assessment {
    let obs = obligations::obligations(rec, th);
    let entries = obligations::entry_minutes(rec, &obs);
    let tiers = compliance::tiers(&obs);
    let bodies = compliance::bodies(rec, &obs);
    let points = compliance::compliance(rec, &obs, &entries, &tiers, &bodies);
    let outcomes = outcomes::outcomes(rec, &obs);
    let ratings = ratings::ratings(rec, &obs, th);
    let findings = ratings::findings(rec, &obs, &ratings, &tiers, &bodies, th);
    Assessment {
        obligations: obs,
        tiers,
        bodies,
        compliance: points,
        outcomes,
        ratings,
        findings,
        method: Method::of(th),
    }
}

/// The scoring rules an assessment applied (from the thresholds file), so
/// the report can state its evaluation method with the numbers in force.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Method {
    /// Weights of a report, grading, activation and step obligation.
    pub weights: [f64; 4],
    /// Step actions weighted differently from a step (action, weight).
    pub step_weights: Vec<(String, f64)>,
    pub late_floor: f64,
    pub late_floor_at: f64,
    pub out_of_order: f64,
    pub wrong_level: f64,
    /// Per capability (`Capability::ALL` order): p, p_max_missed, s, m.
    pub ratings: Vec<(Capability, f64, u32, f64, f64)>,
    /// Days to complete a corrective action by rating P, S, M, U.
    pub due_days: [u32; 4],
    /// Outcome limits: containment's cut-off share and growth hours,
    /// grading's wrong-level count (None: rule off).
    pub containment_max_cut_off_share: Option<f64>,
    pub containment_max_growth_hours: Option<f64>,
    pub grading_max_wrong_level: Option<u32>,
    /// Due days by root-cause kind (`root_cause::CauseKind::ALL` order).
    #[serde(default)]
    pub improvement: Option<[u32; 4]>,
}

impl Method {
    pub fn of(th: &Thresholds) -> Method {
        Method {
            weights: [
                th.weight_report,
                th.weight_grade,
                th.weight_activate,
                th.weight_step,
            ],
            step_weights: th.step_weights.clone(),
            late_floor: th.late_floor,
            late_floor_at: th.late_floor_at,
            out_of_order: th.out_of_order,
            wrong_level: th.wrong_level,
            ratings: Capability::ALL
                .into_iter()
                .map(|c| {
                    let r = th.rule(c);
                    (c, r.p, r.p_max_missed, r.s, r.m)
                })
                .collect(),
            due_days: th.due_days,
            containment_max_cut_off_share: th.outcome_rules.containment_max_cut_off_share,
            containment_max_growth_hours: th.outcome_rules.containment_max_growth_hours,
            grading_max_wrong_level: th.outcome_rules.grading_max_wrong_level,
            improvement: th.improvement,
        }
    }
}

/// How an obligation ended up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    OnTime,
    Late,
    /// Due within the run and not done by its end (or skipped).
    Missed,
    /// Done by a unit other than the one the plan names.
    WrongActor,
    /// Started before the steps it should follow.
    OutOfOrder,
    /// A grading that chose another level than the facts called for.
    WrongLevel,
    /// Not done yet and not due before the run ended.
    Pending,
    /// Post-incident work of a response still open when the run ended: its
    /// deadline counts from an end that never came.
    NotDue,
}

impl Status {
    /// Counted in compliance and ratings (not pending, not `not_due`).
    pub fn assessed(self) -> bool {
        !matches!(self, Status::Pending | Status::NotDue)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Status::OnTime => "on_time",
            Status::Late => "late",
            Status::Missed => "missed",
            Status::WrongActor => "wrong_actor",
            Status::OutOfOrder => "out_of_order",
            Status::WrongLevel => "wrong_level",
            Status::Pending => "pending",
            Status::NotDue => "not_due",
        }
    }
}

/// The capabilities rated in the after-action report (HSEEP style).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    DetectionReporting,
    GradingActivation,
    Containment,
    EradicationRecovery,
    Communication,
    PostIncident,
}

impl Capability {
    pub const ALL: [Capability; 6] = [
        Capability::DetectionReporting,
        Capability::GradingActivation,
        Capability::Containment,
        Capability::EradicationRecovery,
        Capability::Communication,
        Capability::PostIncident,
    ];

    /// The snake_case name used in files and column names.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::DetectionReporting => "detection_reporting",
            Capability::GradingActivation => "grading_activation",
            Capability::Containment => "containment",
            Capability::EradicationRecovery => "eradication_recovery",
            Capability::Communication => "communication",
            Capability::PostIncident => "post_incident",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Capability::DetectionReporting => "detection and reporting",
            Capability::GradingActivation => "grading and activation",
            Capability::Containment => "containment",
            Capability::EradicationRecovery => "eradication and recovery",
            Capability::Communication => "communication and information release",
            Capability::PostIncident => "post-incident",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Capability::DetectionReporting => "监测与报告",
            Capability::GradingActivation => "定级与启动响应",
            Capability::Containment => "遏制",
            Capability::EradicationRecovery => "清除与恢复",
            Capability::Communication => "沟通与信息发布",
            Capability::PostIncident => "事后调查与总结",
        }
    }
}

/// HSEEP rating: performed without challenges / with some / with major
/// challenges / unable to be performed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rating {
    P,
    S,
    M,
    U,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::P => "P",
            Rating::S => "S",
            Rating::M => "M",
            Rating::U => "U",
        }
    }
}

/// One requirement the plan placed on someone during the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Obligation {
    /// The task it comes from (`RunRecord::tasks[id]`).
    pub task: usize,
    pub incident: usize,
    /// `report`, `grade`, `activate`, `step`.
    pub kind: Text,
    /// Step id, report kind or level.
    pub name: Text,
    /// Step action, report target or chosen level.
    pub action: Text,
    pub capability: Capability,
    /// The plan clause it serves (shared with the record's task).
    pub clause: Text,
    /// The unit (node id) that had to act, its tier, and the body.
    pub unit: Text,
    pub tier: Text,
    pub body: Text,
    /// Where (node id).
    pub site: Text,
    /// When it arose, when it was due (None: no deadline), when it was done.
    pub trigger_min: f64,
    pub due_min: Option<f64>,
    pub done_min: Option<f64>,
    pub status: Status,
    pub weight: f64,
    /// Credit earned, 0 ≤ credit ≤ weight.
    pub credit: f64,
}

/// Compliance at one minute (0–100; 100 while nothing is due yet).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompliancePoint {
    pub minute: f64,
    pub overall: f64,
    /// Indexed like [`Assessment::tiers`].
    pub by_tier: Vec<f64>,
    /// Indexed like [`Assessment::bodies`].
    pub by_body: Vec<f64>,
    /// Indexed like [`Capability::ALL`].
    pub by_capability: Vec<f64>,
}

/// Outcome metrics (NIST SP 800-61 timings and the costs).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcomes {
    /// Minutes from the first inject to …; None when it never happened.
    pub time_to_detect_min: Option<f64>,
    pub time_to_first_report_min: Option<f64>,
    pub time_to_report_hq_min: Option<f64>,
    pub time_to_correct_grade_min: Option<f64>,
    pub time_to_activation_min: Option<f64>,
    pub time_to_containment_min: Option<f64>,
    pub time_to_recovery_min: Option<f64>,
    pub peak_infected_hosts: u64,
    /// Hosts ever infected by malware: the worms' (`totals`) and every
    /// virus outbreak's (see `outcomes`).
    pub total_infected_hosts: u64,
    pub nodes_affected: u32,
    pub nodes_cut_off_max: u32,
    pub service_hours_lost: f64,
    pub taxpayer_service_hours_lost: f64,
    pub data_lost_hours: f64,
    /// Records lost to threats that damaged data (the damage model's count).
    pub records_lost: u64,
    pub final_compliance: f64,
    pub obligations: u32,
    pub on_time: u32,
    pub late: u32,
    pub missed: u32,
    pub other_deviations: u32,
    pub pending: u32,
    /// Post-incident obligations of responses still open at the end.
    #[serde(default)]
    pub not_due: u32,
    /// Taxpayers' filings a denial of service turned away and lost, and
    /// delayed (retried later); absent (0) without one.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub filings_lost: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub filings_delayed: u64,
    /// Records copied out by data leaks and intrusions' exfiltration.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub records_leaked: u64,
}

fn is_zero(x: &u64) -> bool {
    *x == 0
}

/// A capability's rating and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CapabilityRating {
    pub capability: Capability,
    pub rating: Rating,
    /// Final compliance of its obligations, 0–100.
    pub compliance: f64,
    pub obligations: u32,
    pub on_time: u32,
    pub late: u32,
    pub missed: u32,
    /// Outcomes that held the rating below what compliance alone gives
    /// (English, Chinese); empty when none did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<(String, String)>,
}

/// A strength or area for improvement, with its corrective action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub capability: Capability,
    pub strength: bool,
    pub text_en: String,
    pub text_zh: String,
    pub action_en: String,
    pub action_zh: String,
    /// Plan body id that owns the corrective action.
    pub owner: String,
    /// Days from the exercise to complete the action.
    pub due_days: u32,
    /// The unit (node id) that owns the corrective action: the one with
    /// most problems, else the one of the costliest problem; empty when
    /// nothing went wrong.
    #[serde(default)]
    pub owner_unit: String,
    /// The root cause as far as the record shows it (English, Chinese).
    #[serde(default)]
    pub root_en: String,
    #[serde(default)]
    pub root_zh: String,
    /// The kind of the root cause (picks the due days).
    #[serde(default)]
    pub cause: root_cause::CauseKind,
    /// When the corrective action is due and which rule says so.
    #[serde(default)]
    pub due: Due,
}

/// A corrective action's due date: `days` after minute `from_min` of the
/// run (0: the exercise start), and the rule it comes from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Due {
    pub from_min: f64,
    pub days: u32,
    /// The plan clause or thresholds-file entry (English, Chinese).
    pub basis_en: String,
    pub basis_zh: String,
}

/// The assessment of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub obligations: Vec<Obligation>,
    /// Tier names of `CompliancePoint::by_tier`.
    pub tiers: Vec<String>,
    /// Body ids of `CompliancePoint::by_body`.
    pub bodies: Vec<String>,
    /// Compliance over time as a step function: a point at the first
    /// timeline row and wherever the values may change, each holding until
    /// the next (`compliance::at_rows` gives one per row; empty when the
    /// timeline is).
    pub compliance: Vec<CompliancePoint>,
    pub outcomes: Outcomes,
    pub ratings: Vec<CapabilityRating>,
    pub findings: Vec<Finding>,
    /// The scoring rules applied.
    #[serde(default)]
    pub method: Method,
}

#[cfg(test)]
mod tests;
