//! The scoring thresholds file (RON) and its loader.
//!
//! Default: `assets/scoring.ron` (embedded, [`default_thresholds`]). Two
//! stages as for every input: serde into the `*File` structs
//! (`deny_unknown_fields`), then validation into [`Thresholds`], collecting
//! every problem with file:line:col.
//!
//! # Format
//!
//! ```ron
//! Scoring(
//!     weights: (report: 3.0, grade: 2.0, activate: 2.0, step: 1.0),   // > 0
//!     step_weights: [("isolate", 2.0)],          // optional, per step action, > 0
//!     credit: (late_floor: 0.5,                  // 0–1
//!              late_floor_at: 2.0,               // > 1 (× the allowed time)
//!              out_of_order: 0.5, wrong_level: 0.5,    // 0–1
//!              wrong_actor: 0.5),                // optional, 0–1, default 0.5
//!     capabilities: [                            // every kind and step action once
//!         (capability: detection_reporting, kinds: ["report"]),
//!         (capability: containment, actions: ["isolate", "cut_attack_source"]),
//!     ],
//!     ratings: [                                 // every capability once, 0 ≤ m ≤ s ≤ p ≤ 100
//!         (capability: containment, p: 90.0, p_max_missed: 0, s: 75.0, m: 50.0),
//!     ],
//!     due_days: (p: 0, s: 90, m: 60, u: 30),  // s ≥ m ≥ u, each ≤ 366
//!     outcomes: (                                // optional; each rule optional
//!         containment_max_cut_off_share: Some(0.01),   // 0–1 of the WAN's nodes
//!         containment_max_growth_hours: Some(6.0),     // ≥ 0
//!         grading_max_wrong_level: Some(2),
//!     ),
//!     improvement: Some((                        // optional: due days by root cause
//!         report_chain: 30, staff_queue: 60, plan_gap: 90, training: 30,
//!     )),
//! )
//! ```
//!
//! Records lost are not estimated here: the engine's damage model counts
//! them (`engine::damage`, rates in the teams file).
//!
//! # Credit rules
//!
//! An obligation of weight `w`, triggered at `T`, due at `D`, done at `F`:
//! - done by the deadline (or done, with no deadline): `w`;
//! - done late: `w × (1 − (1 − floor) × min(1, (F − D) / ((at − 1) × (D − T))))`
//!   — full at the deadline, falling linearly to `floor × w` when the task took
//!   `at` × its allowed time `D − T`, and staying there (a deadline equal to the
//!   trigger gives the floor at once);
//! - out of order: × `out_of_order`; wrong level (grades): × `wrong_level`;
//!   done by another unit or body than the plan names (drill logs only):
//!   × `wrong_actor` (factors multiply with the late factor);
//! - missed or skipped: 0;
//! - pending (not done, not due within the run): not counted at all.

use std::path::Path;

use serde::Deserialize;

use super::{Capability, Rating};
use crate::model::diag::{Diagnostic, Diagnostics};
use crate::model::plan::StepAction;
use crate::model::scenario_file::locate::{
    Seg::{self, F, I},
    SpanTree,
};

/// The embedded default.
pub const DEFAULT_SCORING: &str = include_str!("../../assets/scoring.ron");
pub const DEFAULT_SCORING_PATH: &str = "assets/scoring.ron";

/// The task kinds mapped by kind (steps are mapped by action).
pub const KINDS: [&str; 3] = ["report", "grade", "activate"];

// ---------------------------------------------------------------------------
// Raw file structs
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Scoring")]
pub struct ScoringFile {
    pub weights: WeightsFile,
    #[serde(default)]
    pub step_weights: Vec<(String, f64)>,
    pub credit: CreditFile,
    pub capabilities: Vec<CapabilityMapFile>,
    pub ratings: Vec<RatingRuleFile>,
    pub due_days: DueDaysFile,
    /// Outcome limits on ratings (optional; each rule off when absent).
    #[serde(default)]
    pub outcomes: OutcomeRulesFile,
    /// Due days by root-cause kind (optional; without it the rating's
    /// `due_days` apply).
    #[serde(default)]
    pub improvement: Option<ImprovementFile>,
}

/// `improvement: (report_chain: 30, staff_queue: 60, plan_gap: 90, training: 30)`.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImprovementFile {
    pub report_chain: u32,
    pub staff_queue: u32,
    pub plan_gap: u32,
    pub training: u32,
}

/// `outcomes: (containment_max_cut_off_share: Some(0.01), …)`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutcomeRulesFile {
    pub containment_max_cut_off_share: Option<f64>,
    pub containment_max_growth_hours: Option<f64>,
    pub grading_max_wrong_level: Option<u32>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightsFile {
    pub report: f64,
    pub grade: f64,
    pub activate: f64,
    pub step: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditFile {
    pub late_floor: f64,
    pub late_floor_at: f64,
    pub out_of_order: f64,
    pub wrong_level: f64,
    /// Done by another unit or body than the plan names (drill logs).
    #[serde(default = "half")]
    pub wrong_actor: f64,
}

fn half() -> f64 {
    0.5
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityMapFile {
    pub capability: Capability,
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub actions: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingRuleFile {
    pub capability: Capability,
    pub p: f64,
    pub p_max_missed: u32,
    pub s: f64,
    pub m: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueDaysFile {
    pub p: u32,
    pub s: u32,
    pub m: u32,
    pub u: u32,
}

// ---------------------------------------------------------------------------
// Validated thresholds
// ---------------------------------------------------------------------------

/// Cut-offs of one capability's rating.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RatingRule {
    /// P: compliance ≥ `p` and missed ≤ `p_max_missed`.
    pub p: f64,
    pub p_max_missed: u32,
    /// S: compliance ≥ `s`; M: ≥ `m`; else U.
    pub s: f64,
    pub m: f64,
}

impl RatingRule {
    pub fn rate(&self, compliance: f64, missed: u32) -> Rating {
        if compliance >= self.p && missed <= self.p_max_missed {
            Rating::P
        } else if compliance >= self.s {
            Rating::S
        } else if compliance >= self.m {
            Rating::M
        } else {
            Rating::U
        }
    }
}

/// Checked scoring thresholds (see the module docs for the rules).
#[derive(Clone, Debug, PartialEq)]
pub struct Thresholds {
    pub weight_report: f64,
    pub weight_grade: f64,
    pub weight_activate: f64,
    pub weight_step: f64,
    /// Step action → weight (overrides `weight_step`).
    pub step_weights: Vec<(String, f64)>,
    pub late_floor: f64,
    pub late_floor_at: f64,
    pub out_of_order: f64,
    pub wrong_level: f64,
    /// Credit factor of a task done by another unit or body (drill logs).
    pub wrong_actor: f64,
    /// Task kind (`report`, `grade`, `activate`) → capability.
    pub kind_capability: Vec<(String, Capability)>,
    /// Step action → capability.
    pub action_capability: Vec<(String, Capability)>,
    /// Indexed like [`Capability::ALL`].
    pub ratings: [RatingRule; 6],
    /// Days to complete a corrective action, by rating P, S, M, U.
    pub due_days: [u32; 4],
    /// Outcome limits on ratings.
    pub outcome_rules: OutcomeRules,
    /// Days to complete a corrective action by the kind of its root cause,
    /// indexed like [`super::root_cause::CauseKind::ALL`]; None: the
    /// rating's `due_days` only.
    pub improvement: Option<[u32; 4]>,
}

/// Outcomes that hold a rating below P whatever the compliance (None: the
/// rule is off). See `score::ratings`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OutcomeRules {
    /// Containment is at best S when more than this share of the WAN's
    /// nodes was cut off from HQ at once.
    pub containment_max_cut_off_share: Option<f64>,
    /// Containment is at best S when infections kept rising more than this
    /// many hours after the first containment step finished (or never
    /// stopped rising).
    pub containment_max_growth_hours: Option<f64>,
    /// Grading and activation is at best S with more wrong-level gradings
    /// than this.
    pub grading_max_wrong_level: Option<u32>,
}

impl Thresholds {
    /// Weight of an obligation of `kind` (step `action`).
    pub fn weight(&self, kind: &str, action: &str) -> f64 {
        match kind {
            "report" => self.weight_report,
            "grade" => self.weight_grade,
            "activate" => self.weight_activate,
            _ => self
                .step_weights
                .iter()
                .find(|(a, _)| a == action)
                .map(|(_, w)| *w)
                .unwrap_or(self.weight_step),
        }
    }

    /// The capability an obligation exercises. Steps whose action the file
    /// does not map (e.g. from a drill log) count as post-incident work.
    pub fn capability(&self, kind: &str, action: &str) -> Capability {
        let by_kind = self.kind_capability.iter().find(|(k, _)| k == kind);
        let by_action = self.action_capability.iter().find(|(a, _)| a == action);
        match (kind, by_kind, by_action) {
            (_, Some((_, c)), _) => *c,
            ("step", _, Some((_, c))) => *c,
            _ => Capability::PostIncident,
        }
    }

    /// Late credit factor (1 at the deadline, `late_floor` from
    /// `late_floor_at` × the allowed time on).
    pub fn late_factor(&self, trigger: f64, due: f64, done: f64) -> f64 {
        if done <= due {
            return 1.0;
        }
        let allowed = due - trigger;
        let span = (self.late_floor_at - 1.0) * allowed;
        if span <= 0.0 {
            return self.late_floor;
        }
        let f = ((done - due) / span).min(1.0);
        1.0 - (1.0 - self.late_floor) * f
    }

    pub fn rule(&self, c: Capability) -> &RatingRule {
        &self.ratings[c as usize]
    }

    pub fn due_days(&self, r: Rating) -> u32 {
        self.due_days[r as usize]
    }

    /// Due days of a corrective action whose root cause is of `kind`, if the
    /// `improvement` block gives them.
    pub fn improvement_days(&self, kind: super::root_cause::CauseKind) -> Option<u32> {
        let i = super::root_cause::CauseKind::ALL
            .iter()
            .position(|k| *k == kind)?;
        self.improvement.map(|d| d[i])
    }
}

// ---------------------------------------------------------------------------
// Loader
// ---------------------------------------------------------------------------

/// The default thresholds (`assets/scoring.ron`, embedded).
pub fn default_thresholds() -> Thresholds {
    parse(DEFAULT_SCORING, Path::new(DEFAULT_SCORING_PATH))
        .expect("embedded assets/scoring.ron is valid (checked by a unit test)")
}

/// Reads and validates a thresholds file.
pub fn load_thresholds(path: &Path) -> Result<Thresholds, Diagnostics> {
    let src = crate::model::diag::read_source(path, "scoring file")?;
    parse(&src, path)
}

/// Parses and validates thresholds text.
pub fn parse(src: &str, path: &Path) -> Result<Thresholds, Diagnostics> {
    let raw: ScoringFile = crate::model::diag::parse_ron(src, path)?;
    let mut v = Validator {
        file: path,
        src,
        tree: SpanTree::parse(src),
        diags: Diagnostics::default(),
    };
    let th = v.thresholds(&raw);
    v.diags.into_result(th)
}

struct Validator<'a> {
    file: &'a Path,
    src: &'a str,
    tree: SpanTree,
    diags: Diagnostics,
}

impl Validator<'_> {
    fn err(&mut self, path: &[Seg], msg: impl Into<String>) {
        let off = self.tree.locate(path);
        self.diags
            .push(Diagnostic::at_offset(self.file, self.src, off, msg));
    }

    /// `x` finite and within [lo, hi] (`lo` excluded when `strict`).
    fn range(&mut self, x: f64, path: &[Seg], what: &str, lo: f64, hi: f64, strict: bool) -> f64 {
        let ok = x.is_finite() && (if strict { x > lo } else { x >= lo }) && x <= hi;
        if !ok {
            let op = if strict { ">" } else { "≥" };
            let upper = if hi.is_finite() {
                format!(" and ≤ {hi}")
            } else {
                String::new()
            };
            self.err(path, format!("{what} must be {op} {lo}{upper} (got {x})"));
        }
        x
    }

    fn thresholds(&mut self, raw: &ScoringFile) -> Thresholds {
        let inf = f64::INFINITY;
        let w = &raw.weights;
        let wp = |f: &'static str| [F("weights"), F(f)];
        let weight_report = self.range(w.report, &wp("report"), "weight", 0.0, inf, true);
        let weight_grade = self.range(w.grade, &wp("grade"), "weight", 0.0, inf, true);
        let weight_activate = self.range(w.activate, &wp("activate"), "weight", 0.0, inf, true);
        let weight_step = self.range(w.step, &wp("step"), "weight", 0.0, inf, true);

        let mut step_weights: Vec<(String, f64)> = Vec::new();
        for (i, (action, x)) in raw.step_weights.iter().enumerate() {
            let at = [F("step_weights"), I(i)];
            if StepAction::parse(action).is_none() {
                self.err(&[F("step_weights"), I(i), I(0)], unknown_action(action));
            } else if step_weights.iter().any(|(a, _)| a == action) {
                self.err(&at, format!("step action `{action}` is weighted twice"));
            }
            let x = self.range(
                *x,
                &[F("step_weights"), I(i), I(1)],
                "weight",
                0.0,
                inf,
                true,
            );
            step_weights.push((action.clone(), x));
        }

        let c = &raw.credit;
        let cp = |f: &'static str| [F("credit"), F(f)];
        let late_floor = self.range(
            c.late_floor,
            &cp("late_floor"),
            "late_floor",
            0.0,
            1.0,
            false,
        );
        let late_floor_at = self.range(
            c.late_floor_at,
            &cp("late_floor_at"),
            "late_floor_at",
            1.0,
            inf,
            true,
        );
        let out_of_order = self.range(
            c.out_of_order,
            &cp("out_of_order"),
            "out_of_order",
            0.0,
            1.0,
            false,
        );
        let wrong_level = self.range(
            c.wrong_level,
            &cp("wrong_level"),
            "wrong_level",
            0.0,
            1.0,
            false,
        );
        let wrong_actor = self.range(
            c.wrong_actor,
            &cp("wrong_actor"),
            "wrong_actor",
            0.0,
            1.0,
            false,
        );

        let mut kind_capability: Vec<(String, Capability)> = Vec::new();
        let mut action_capability: Vec<(String, Capability)> = Vec::new();
        for (i, m) in raw.capabilities.iter().enumerate() {
            for (k, kind) in m.kinds.iter().enumerate() {
                let at = [F("capabilities"), I(i), F("kinds"), I(k)];
                if !KINDS.contains(&kind.as_str()) {
                    self.err(
                        &at,
                        format!(
                            "unknown task kind `{kind}`: use report, grade or activate \
                             (steps are mapped by their action)"
                        ),
                    );
                } else if kind_capability.iter().any(|(x, _)| x == kind) {
                    self.err(&at, format!("task kind `{kind}` is mapped twice"));
                } else {
                    kind_capability.push((kind.clone(), m.capability));
                }
            }
            for (k, action) in m.actions.iter().enumerate() {
                let at = [F("capabilities"), I(i), F("actions"), I(k)];
                if StepAction::parse(action).is_none() {
                    self.err(&at, unknown_action(action));
                } else if action_capability.iter().any(|(x, _)| x == action) {
                    self.err(&at, format!("step action `{action}` is mapped twice"));
                } else {
                    action_capability.push((action.clone(), m.capability));
                }
            }
        }
        let missing_kinds: Vec<&str> = KINDS
            .into_iter()
            .filter(|k| !kind_capability.iter().any(|(x, _)| x == k))
            .collect();
        let missing_actions: Vec<&str> = StepAction::ALL
            .into_iter()
            .map(StepAction::as_str)
            .filter(|a| !action_capability.iter().any(|(x, _)| x == a))
            .collect();
        if !missing_kinds.is_empty() || !missing_actions.is_empty() {
            let list: Vec<&str> = missing_kinds.into_iter().chain(missing_actions).collect();
            self.err(
                &[F("capabilities")],
                format!(
                    "not mapped to a capability: {} (map every task kind and step action once)",
                    list.join(", ")
                ),
            );
        }

        let mut ratings: [Option<RatingRule>; 6] = [None; 6];
        for (i, r) in raw.ratings.iter().enumerate() {
            let at = |f: &'static str| [F("ratings"), I(i), F(f)];
            let p = self.range(r.p, &at("p"), "p", 0.0, 100.0, false);
            let s = self.range(r.s, &at("s"), "s", 0.0, 100.0, false);
            let m = self.range(r.m, &at("m"), "m", 0.0, 100.0, false);
            if s > p {
                self.err(&at("s"), format!("s ({s}) must not exceed p ({p})"));
            }
            if m > s {
                self.err(&at("m"), format!("m ({m}) must not exceed s ({s})"));
            }
            let slot = &mut ratings[r.capability as usize];
            if slot.is_some() {
                self.err(
                    &at("capability"),
                    format!("capability `{}` is rated twice", r.capability.as_str()),
                );
            }
            *slot = Some(RatingRule {
                p,
                p_max_missed: r.p_max_missed,
                s,
                m,
            });
        }
        let unrated: Vec<&str> = Capability::ALL
            .into_iter()
            .filter(|c| ratings[*c as usize].is_none())
            .map(Capability::as_str)
            .collect();
        if !unrated.is_empty() {
            self.err(
                &[F("ratings")],
                format!("no rating cut-offs for: {}", unrated.join(", ")),
            );
        }
        let fallback = RatingRule {
            p: 90.0,
            p_max_missed: 0,
            s: 75.0,
            m: 50.0,
        };
        let ratings = ratings.map(|r| r.unwrap_or(fallback));

        let d = &raw.due_days;
        // The worse the rating, the sooner its corrective actions are due.
        for (v, f) in [(d.p, "p"), (d.s, "s"), (d.m, "m"), (d.u, "u")] {
            if v > crate::model::limits::MAX_DURATION_DAYS {
                self.err(
                    &[F("due_days"), F(f)],
                    format!(
                        "due_days {f}: {v} days is above the limit of {} days",
                        crate::model::limits::MAX_DURATION_DAYS
                    ),
                );
            }
        }
        if d.m > d.s {
            self.err(
                &[F("due_days"), F("m")],
                format!(
                    "due_days out of order: m ({}) is later than s ({}); a worse rating's \
                     actions are due sooner (s ≥ m ≥ u)",
                    d.m, d.s
                ),
            );
        }
        if d.u > d.m {
            self.err(
                &[F("due_days"), F("u")],
                format!(
                    "due_days out of order: u ({}) is later than m ({}); a worse rating's \
                     actions are due sooner (s ≥ m ≥ u)",
                    d.u, d.m
                ),
            );
        }
        let o = &raw.outcomes;
        Thresholds {
            weight_report,
            weight_grade,
            weight_activate,
            weight_step,
            step_weights,
            late_floor,
            late_floor_at,
            out_of_order,
            wrong_level,
            wrong_actor,
            kind_capability,
            action_capability,
            ratings,
            due_days: [d.p, d.s, d.m, d.u],
            outcome_rules: OutcomeRules {
                containment_max_cut_off_share: o.containment_max_cut_off_share.map(|x| {
                    self.range(
                        x,
                        &[F("outcomes"), F("containment_max_cut_off_share")],
                        "containment_max_cut_off_share",
                        0.0,
                        1.0,
                        false,
                    )
                }),
                containment_max_growth_hours: o.containment_max_growth_hours.map(|x| {
                    self.range(
                        x,
                        &[F("outcomes"), F("containment_max_growth_hours")],
                        "containment_max_growth_hours",
                        0.0,
                        f64::MAX,
                        false,
                    )
                }),
                grading_max_wrong_level: o.grading_max_wrong_level,
            },
            improvement: raw
                .improvement
                .map(|i| [i.report_chain, i.staff_queue, i.plan_gap, i.training]),
        }
    }
}

fn unknown_action(action: &str) -> String {
    let known: Vec<&str> = StepAction::ALL
        .into_iter()
        .map(StepAction::as_str)
        .collect();
    format!(
        "unknown step action `{action}` (known: {})",
        known.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_thresholds_parse() {
        let t = default_thresholds();
        assert_eq!(t.weight("report", "hq"), 3.0);
        assert_eq!(t.weight("step", "isolate"), 2.0);
        assert_eq!(t.weight("step", "clean"), 1.0);
        assert_eq!(t.capability("report", "gd"), Capability::DetectionReporting);
        assert_eq!(t.capability("grade", "III"), Capability::GradingActivation);
        assert_eq!(
            t.capability("activate", "II"),
            Capability::GradingActivation
        );
        assert_eq!(t.capability("step", "isolate"), Capability::Containment);
        assert_eq!(
            t.capability("step", "switch_to_backup"),
            Capability::Containment
        );
        assert_eq!(
            t.capability("step", "harden"),
            Capability::EradicationRecovery
        );
        assert_eq!(
            t.capability("step", "notify_users"),
            Capability::Communication
        );
        assert_eq!(t.capability("step", "train"), Capability::PostIncident);
        for a in StepAction::ALL {
            assert!(
                t.action_capability.iter().any(|(x, _)| x == a.as_str()),
                "{a:?}"
            );
        }
        assert_eq!(t.rule(Capability::Containment).rate(90.0, 0), Rating::P);
        assert_eq!(t.rule(Capability::Containment).rate(95.0, 1), Rating::S);
        assert_eq!(t.rule(Capability::Containment).rate(74.9, 0), Rating::M);
        assert_eq!(t.rule(Capability::Containment).rate(49.9, 0), Rating::U);
        assert_eq!(t.due_days(Rating::U), 30);
    }

    #[test]
    fn late_credit_decays_linearly_to_the_floor() {
        let t = default_thresholds();
        // Allowed 30 min (trigger 0, due 30): floor at 60.
        assert_eq!(t.late_factor(0.0, 30.0, 20.0), 1.0);
        assert_eq!(t.late_factor(0.0, 30.0, 30.0), 1.0);
        assert!((t.late_factor(0.0, 30.0, 45.0) - 0.75).abs() < 1e-12);
        assert_eq!(t.late_factor(0.0, 30.0, 60.0), 0.5);
        assert_eq!(t.late_factor(0.0, 30.0, 600.0), 0.5);
        // Deadline at the trigger: the floor at once.
        assert_eq!(t.late_factor(10.0, 10.0, 11.0), 0.5);
    }

    #[test]
    fn scoring_errors_are_positioned() {
        let src = DEFAULT_SCORING
            .replacen("late_floor: 0.5", "late_floor: 1.5", 1)
            .replacen("(\"isolate\", 2.0)", "(\"isolat\", 2.0)", 1)
            .replacen("\"trace_source\", ", "", 1)
            .replacen(
                "kinds: [\"grade\", \"activate\"]",
                "kinds: [\"grade\", \"step\"]",
                1,
            )
            .replacen("s: 75.0, m: 50.0", "s: 95.0, m: 50.0", 1);
        let d = parse(&src, Path::new("scoring.ron")).unwrap_err();
        let find = |needle: &str| {
            d.0.iter()
                .find(|x| x.message.contains(needle))
                .unwrap_or_else(|| panic!("no {needle:?} in {d}"))
        };
        for (needle, text) in [
            ("late_floor must be", "1.5"),
            ("unknown step action `isolat`", "\"isolat\""),
            ("unknown task kind `step`", "\"step\""),
            ("s (95) must not exceed p (90)", "95.0"),
            ("not mapped to a capability: activate, trace_source", "["),
        ] {
            let diag = find(needle);
            let line = src.lines().nth(diag.line - 1).unwrap();
            let rest: String = line.chars().skip(diag.col - 1).collect();
            assert!(rest.starts_with(text), "{diag}");
        }
        assert_eq!(d.len(), 5, "{d}");
    }

    #[test]
    fn syntax_and_unknown_fields_are_positioned() {
        let src = DEFAULT_SCORING.replacen("due_days: (", "due_dayz: (", 1);
        let d = parse(&src, Path::new("scoring.ron")).unwrap_err();
        assert_eq!(d.len(), 1);
        let line = src.lines().nth(d.0[0].line - 1).unwrap();
        assert!(line.contains("due_dayz"), "{d}");
        let src =
            DEFAULT_SCORING.replacen("capability: containment,\n", "capability: contain,\n", 1);
        let d = parse(&src, Path::new("scoring.ron")).unwrap_err();
        let line = src.lines().nth(d.0[0].line - 1).unwrap();
        assert!(line.contains("contain,"), "{d}");
    }
}
