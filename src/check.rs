//! `drillsim check`: the plan linter.
//!
//! The loader ([`crate::model::plan_file`]) already rejects what cannot be
//! resolved (unknown ids and names, duplicates, missing levels, dependency
//! cycles, bad numbers); `check` re-reports those as errors and, on a plan that
//! loads, looks for what would make the plan fail in a drill. Every finding
//! points at the offending value (file:line:col).
//!
//! Errors (exit code 2):
//! - a step that can never run: an actor body that exists at no tier where
//!   the step's scope needs it, or a step that waits (`after`) for a step that
//!   runs only at a more severe level than it does (a predecessor that does not
//!   run at the incident's level blocks its successors);
//! - an incident class that a threat kind maps to but no procedure covers,
//!   neither its own nor an ancestor class's; a procedure with no steps;
//! - a response level whose lead body cannot lead (expert group, technical
//!   support, logistics…) or does not exist at the tier where the level is led;
//! - a deadline that cannot be met: the median durations along the longest
//!   `after` chain up to and including the step exceed the deadline (for
//!   deadlines from the end of the response only the steps that also count
//!   from the end are summed);
//! - reporting: a rule whose reporting body does not exist at its tier or
//!   whose receiving body does not exist at the parent tier; a gap in the
//!   chain (some tier from grassroots up reports to its parent only at a more
//!   severe level than the tier above must pass on, or than a level led
//!   higher up); HQ with no rule to the national office for level Ⅱ (and so
//!   Ⅰ);
//! - a body that reports to itself, or a cycle in `reports_to`;
//! - a special plan with no steps, or one that no class and no service starts.
//!
//! A level's duties are checked like steps: a deadline shorter than the
//! median durations along its `after` chain is an error.
//!
//! Warnings: a level's duty given to a body the level neither leads nor
//! convenes (or that exists neither at the lead's tier nor above it);
//! threat kinds with no incident class, classes no procedure covers
//! that no threat maps to, approvers or convened bodies missing at the lead
//! tier, `lead`-scope steps whose actor is missing at the tier where some
//! level at which they run is led, grading rules with no condition (always apply), a summary report due
//! before the evaluation; steps or duties without `name_zh` / `name_en` (one
//! warning per plan, at the first: the report then names them by their
//! action, never by their id).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::model::diag::Diagnostic;
use crate::model::plan::*;
use crate::model::plan_file::{self, PlanSource};
use crate::model::scenario_file::format_duration;
use crate::model::scenario_file::locate::Seg::{self, F, I};
use crate::model::topology::Tier;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub diag: Diagnostic,
}

/// Everything `check` found in one plan file.
#[derive(Clone, Debug)]
pub struct CheckReport {
    pub file: PathBuf,
    /// Sorted by position in the file.
    pub findings: Vec<Finding>,
    /// The plan, when it loaded.
    pub plan: Option<Plan>,
}

impl CheckReport {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.of(Severity::Error)
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.of(Severity::Warning)
    }
    fn of(&self, s: Severity) -> impl Iterator<Item = &Diagnostic> {
        self.findings
            .iter()
            .filter(move |f| f.severity == s)
            .map(|f| &f.diag)
    }
    /// 2 when there is an error, else 0 (warnings do not fail).
    pub fn exit_code(&self) -> u8 {
        if self.has_errors() { 2 } else { 0 }
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for x in &self.findings {
            writeln!(f, "{}: {}", x.severity.as_str(), x.diag)?;
        }
        let e = self.errors().count();
        let w = self.warnings().count();
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        match &self.plan {
            Some(p) if e == 0 => write!(
                f,
                "{}: plan `{}` is consistent ({} bodies, {} classes, {} procedures, {} reporting \
                 rules, {} special plans); {w} warning{}",
                crate::model::diag::shown_path(&self.file),
                p.slug,
                p.bodies.len(),
                p.classes.len(),
                p.procedures.len(),
                p.reporting.len(),
                p.special_plans.len(),
                plural(w)
            ),
            _ => write!(
                f,
                "{}: {e} error{}, {w} warning{}",
                crate::model::diag::shown_path(&self.file),
                plural(e),
                plural(w)
            ),
        }
    }
}

/// Loads and lints a plan file.
pub fn check_plan(plan_path: &Path) -> CheckReport {
    report(plan_path, plan_file::load_with_source(plan_path))
}

/// Lints plan text (`path` is used in messages only).
pub fn check_source(src: &str, path: &Path, slug: &str) -> CheckReport {
    report(path, plan_file::parse_with_source(src, path, slug))
}

fn report(
    path: &Path,
    loaded: Result<(Plan, PlanSource), crate::model::Diagnostics>,
) -> CheckReport {
    let (findings, plan) = match loaded {
        Err(d) => (
            d.0.into_iter()
                .map(|diag| Finding {
                    severity: Severity::Error,
                    diag,
                })
                .collect(),
            None,
        ),
        Ok((plan, source)) => (lint(&plan, &source), Some(plan)),
    };
    let mut findings: Vec<Finding> = findings;
    findings.sort_by_key(|f| (f.diag.line, f.diag.col));
    CheckReport {
        file: path.to_path_buf(),
        findings,
        plan,
    }
}

/// The lint rules on a loaded plan (see the module docs).
pub fn lint(plan: &Plan, source: &PlanSource) -> Vec<Finding> {
    let mut l = Linter {
        plan,
        source,
        out: Vec::new(),
    };
    l.bodies();
    l.classes();
    l.levels();
    for (i, p) in plan.procedures.iter().enumerate() {
        let base = [F("procedures"), I(i)];
        if p.steps.is_empty() {
            l.error(
                &[F("procedures"), I(i), F("steps")],
                format!("procedure `{}` has no steps", p.name),
            );
        }
        l.steps(&p.steps, &base);
        l.order(&p.steps, &base);
    }
    for (i, sp) in plan.special_plans.iter().enumerate() {
        let base = [F("special_plans"), I(i)];
        if sp.steps.is_empty() {
            l.error(
                &[F("special_plans"), I(i), F("id")],
                format!("special plan `{}` has no steps", sp.id),
            );
        }
        if sp.classes.is_empty() && sp.services.is_empty() {
            l.error(
                &[F("special_plans"), I(i), F("id")],
                format!(
                    "special plan `{}` is never started: it lists no class and no service",
                    sp.id
                ),
            );
        }
        l.steps(&sp.steps, &base);
        l.order(&sp.steps, &base);
    }
    l.reporting();
    l.grading();
    l.names();
    if plan.end.summary_report_days < plan.end.evaluation_days {
        l.warning(
            &[F("end"), F("summary_report_days")],
            format!(
                "the summary report is due after {} days, before the evaluation ({} days) is done",
                plan.end.summary_report_days, plan.end.evaluation_days
            ),
        );
    }
    l.out
}

struct Linter<'a> {
    plan: &'a Plan,
    source: &'a PlanSource,
    out: Vec<Finding>,
}

fn at<'s>(base: &[Seg<'s>], more: &[Seg<'s>]) -> Vec<Seg<'s>> {
    [base, more].concat()
}

/// Roles that may lead a response level.
fn can_lead(r: BodyRole) -> bool {
    matches!(
        r,
        BodyRole::EmergencyOffice
            | BodyRole::LeadershipGroup
            | BodyRole::CommandHeadquarters
            | BodyRole::HandlingGroup
    )
}

fn lead_tier(a: LeadAt) -> Option<Tier> {
    match a {
        LeadAt::Hq => Some(Tier::Hq),
        LeadAt::Provincial => Some(Tier::Provincial),
        // Incidents are detected at any tier; a local lead must exist at the
        // county bureaus (grassroots units fall back on their county).
        LeadAt::Local => Some(Tier::County),
    }
}

fn parent_tier(t: Tier) -> Option<Tier> {
    match t {
        Tier::Hq | Tier::External => None,
        Tier::Provincial => Some(Tier::Hq),
        Tier::Prefecture => Some(Tier::Provincial),
        Tier::County => Some(Tier::Prefecture),
        Tier::Grassroots => Some(Tier::County),
    }
}

/// The less severe of two levels.
fn lenient(a: Level, b: Level) -> Level {
    a.max(b)
}

impl<'a> Linter<'a> {
    fn push(&mut self, severity: Severity, path: &[Seg], msg: String) {
        let diag = self.source.diag(path, msg);
        self.out.push(Finding { severity, diag });
    }
    fn error(&mut self, path: &[Seg], msg: String) {
        self.push(Severity::Error, path, msg);
    }
    fn warning(&mut self, path: &[Seg], msg: String) {
        self.push(Severity::Warning, path, msg);
    }
    fn body(&self, b: BodyId) -> &'a Body {
        &self.plan.bodies[b]
    }
    fn level_path(&self, l: Level, field: &'static str) -> Vec<Seg<'static>> {
        vec![F("levels"), I(self.source.level_pos[l.index()]), F(field)]
    }

    fn bodies(&mut self) {
        for (i, b) in self.plan.bodies.iter().enumerate() {
            let Some(up) = b.reports_to else { continue };
            let path = [F("bodies"), I(i), F("reports_to"), I(0)];
            if up == i {
                self.error(&path, format!("body `{}` reports to itself", b.id));
                continue;
            }
            // Follow the chain; a cycle is reported at its first body in file order.
            let mut seen = vec![i];
            let mut cur = up;
            loop {
                if cur == i {
                    if seen.iter().all(|&s| s >= i) {
                        let names: Vec<&str> = seen
                            .iter()
                            .chain([&i])
                            .map(|&s| self.plan.bodies[s].id.as_str())
                            .collect();
                        self.error(
                            &path,
                            format!("cycle in `reports_to`: {}", names.join(" → ")),
                        );
                    }
                    break;
                }
                if seen.contains(&cur) {
                    break; // a cycle not through `i`: reported from its own members
                }
                seen.push(cur);
                match self.plan.bodies[cur].reports_to {
                    Some(n) => cur = n,
                    None => break,
                }
            }
        }
    }

    fn classes(&mut self) {
        let plan = self.plan;
        let mapped: Vec<ThreatKind> = plan.threat_classes.iter().map(|(t, _)| *t).collect();
        // The threat models added with their own files (intrusion,
        // defacement, …) are optional: a plan that maps none of them runs
        // such a scenario without a response, and is not warned about.
        let missing: Vec<&str> = ThreatKind::ALL
            .iter()
            .filter(|t| !t.optional())
            .filter(|t| !mapped.contains(t))
            .map(|t| t.as_str())
            .collect();
        if !missing.is_empty() {
            self.warning(
                &[F("threat_classes")],
                format!(
                    "threat kind{} {} map{} to no incident class: the plan does not cover {}",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", "),
                    if missing.len() == 1 { "s" } else { "" },
                    if missing.len() == 1 { "it" } else { "them" },
                ),
            );
        }
        for (k, &(t, c)) in plan.threat_classes.iter().enumerate() {
            if plan.procedure_for(c).is_none() {
                self.error(
                    &[F("threat_classes"), I(k), F("class")],
                    format!(
                        "class `{}` (threat `{}`) has no procedure, neither its own nor a parent \
                         class's",
                        plan.classes[c].code,
                        t.as_str()
                    ),
                );
            }
        }
        for (i, c) in plan.classes.iter().enumerate() {
            let has_sub_or_proc =
                plan.procedure_for(i).is_some() || plan.classes.iter().any(|d| d.parent == Some(i));
            let mapped = plan.threat_classes.iter().any(|&(_, m)| m == i);
            if !has_sub_or_proc && !mapped {
                self.warning(
                    &[F("classification"), F("classes"), I(i), F("code")],
                    format!(
                        "class `{}` has no procedure (nor has any parent class)",
                        c.code
                    ),
                );
            }
        }
    }

    fn levels(&mut self) {
        let plan = self.plan;
        for l in &plan.levels {
            self.duties(l);
            let lead = self.body(l.lead);
            if !can_lead(lead.role) {
                self.error(
                    &self.level_path(l.level, "lead"),
                    format!(
                        "level {}: body `{}` ({}) cannot lead a response; the lead must be an \
                         emergency office, leadership group, command headquarters or handling group",
                        l.level.as_str(),
                        lead.id,
                        lead.role.as_str()
                    ),
                );
            }
            let Some(tier) = lead_tier(l.lead_at) else {
                continue;
            };
            if !lead.tiers.contains(&tier) {
                self.error(
                    &self.level_path(l.level, "lead"),
                    format!(
                        "level {}: lead body `{}` does not exist at the {} tier, where this level \
                         is led",
                        l.level.as_str(),
                        lead.id,
                        tier.as_str()
                    ),
                );
            }
            let approver = self.body(l.approver);
            if !approver.tiers.contains(&tier) {
                self.warning(
                    &self.level_path(l.level, "approver"),
                    format!(
                        "level {}: approver `{}` does not exist at the {} tier, where this level \
                         is led",
                        l.level.as_str(),
                        approver.id,
                        tier.as_str()
                    ),
                );
            }
            for (k, &b) in l.convenes.iter().enumerate() {
                let body = self.body(b);
                if !body.tiers.contains(&tier) {
                    let mut p = self.level_path(l.level, "convenes");
                    p.push(I(k));
                    self.warning(
                        &p,
                        format!(
                            "level {}: convened body `{}` does not exist at the {} tier",
                            l.level.as_str(),
                            body.id,
                            tier.as_str()
                        ),
                    );
                }
            }
        }
    }

    /// A level's duties: each actor is the level's lead or a body it
    /// convenes, and exists where the level is led (or above).
    /// One warning for the steps and duties without `name_zh` / `name_en`
    /// (the report can only name them by their action), at the first one.
    fn names(&mut self) {
        let mut unnamed: Vec<(Vec<Seg<'static>>, String)> = Vec::new();
        let mut look = |steps: &[Step], base: Vec<Seg<'static>>, field: &'static str| {
            for (k, st) in steps.iter().enumerate() {
                if st.name_zh.is_empty() || st.name_en.is_empty() {
                    unnamed.push((at(&base, &[F(field), I(k), F("id")]), st.id.clone()));
                }
            }
        };
        for l in &self.plan.levels {
            look(
                &l.duties,
                self.level_path(l.level, "duties")[..2].to_vec(),
                "duties",
            );
        }
        for (i, p) in self.plan.procedures.iter().enumerate() {
            look(&p.steps, vec![F("procedures"), I(i)], "steps");
        }
        for (i, sp) in self.plan.special_plans.iter().enumerate() {
            look(&sp.steps, vec![F("special_plans"), I(i)], "steps");
        }
        if let Some((path, id)) = unnamed.first() {
            let ids: Vec<&str> = unnamed.iter().take(5).map(|(_, id)| id.as_str()).collect();
            self.warning(
                path,
                format!(
                    "{} step(s) or duties without `name_zh` and `name_en` (first `{id}`; {}{}): \
                     the report can only name them by their action",
                    unnamed.len(),
                    ids.join(", "),
                    if unnamed.len() > 5 { ", …" } else { "" }
                ),
            );
        }
    }

    fn duties(&mut self, l: &ResponseLevel) {
        let tier = lead_tier(l.lead_at);
        for (k, d) in l.duties.iter().enumerate() {
            if let Some(within) = d.deadline_min {
                let (earliest, chain) = earliest_finish(&l.duties, k);
                if earliest > within + 1e-9 {
                    let names: Vec<&str> = chain.iter().map(|&c| l.duties[c].id.as_str()).collect();
                    let mut p = self.level_path(l.level, "duties");
                    p.extend([I(k), F("deadline"), I(0), F("within")]);
                    self.error(
                        &p,
                        format!(
                            "level {}: deadline of duty `{}` cannot be met: {}, but the median \
                             durations along {} already take {}",
                            l.level.as_str(),
                            d.id,
                            format_duration(within),
                            names.join(" → "),
                            format_duration(earliest)
                        ),
                    );
                }
            }
            let mut p = self.level_path(l.level, "duties");
            p.extend([I(k), F("actor")]);
            let actor = self.body(d.actor);
            if d.actor != l.lead && !l.convenes.contains(&d.actor) {
                self.warning(
                    &p,
                    format!(
                        "level {}: duty `{}` is given to `{}`, which this level neither leads nor \
                         convenes",
                        l.level.as_str(),
                        d.id,
                        actor.id
                    ),
                );
            } else if let Some(t) = tier
                && !actor.tiers.iter().any(|&x| x <= t)
            {
                self.warning(
                    &p,
                    format!(
                        "level {}: duty `{}`: `{}` exists neither at the {} tier, where this \
                         level is led, nor above it",
                        l.level.as_str(),
                        d.id,
                        actor.id,
                        t.as_str()
                    ),
                );
            }
        }
    }

    fn steps(&mut self, steps: &[Step], base: &[Seg<'static>]) {
        // Effective minimum level: the most severe of the step's own and its
        // predecessors' (a predecessor that does not run blocks it).
        let n = steps.len();
        let mut eff: Vec<Option<Level>> = vec![None; n];
        for s in 0..n {
            effective(steps, s, &mut eff);
        }
        for (s, st) in steps.iter().enumerate() {
            let sb = at(base, &[F("steps"), I(s)]);
            let own = st.min_level.unwrap_or(Level::IV);
            // Blocked by a predecessor that is not itself blocked (the root cause).
            for (k, &p) in st.after.iter().enumerate() {
                let pe = eff[p].unwrap_or(Level::IV);
                let p_own = steps[p].min_level.unwrap_or(Level::IV);
                if pe < own && pe == p_own {
                    self.error(
                        &at(&sb, &[F("after"), I(k)]),
                        format!(
                            "step `{}` can never run below level {}: it waits for `{}`, which runs \
                             only at level {} or above ({})",
                            st.id,
                            pe.as_str(),
                            steps[p].id,
                            pe.as_str(),
                            match st.min_level {
                                Some(l) => format!("its own min_level is {}", l.as_str()),
                                None => "it has no min_level of its own".to_owned(),
                            }
                        ),
                    );
                    break;
                }
            }
            let actor = self.body(st.actor);
            let never = match st.scope {
                StepScope::National => (!actor.tiers.contains(&Tier::Hq))
                    .then(|| format!("scope `national` needs `{}` at HQ", actor.id)),
                StepScope::Site | StepScope::Lead => actor
                    .tiers
                    .is_empty()
                    .then(|| format!("actor `{}` exists at no tier", actor.id)),
            };
            if never.is_none() && st.scope == StepScope::Lead {
                let runs = eff[s].unwrap_or(Level::IV);
                for l in self.plan.levels.iter().filter(|l| l.level.at_least(runs)) {
                    if let Some(t) = lead_tier(l.lead_at)
                        && !actor.tiers.contains(&t)
                    {
                        self.warning(
                            &at(&sb, &[F("actor")]),
                            format!(
                                "step `{}` (scope `lead`): at level {} the response is led at the \
                                 {} tier, where `{}` does not exist",
                                st.id,
                                l.level.as_str(),
                                t.as_str(),
                                actor.id
                            ),
                        );
                        break;
                    }
                }
            }
            if let Some(why) = never {
                self.error(
                    &at(&sb, &[F("actor")]),
                    format!("step `{}` can never run: {why}", st.id),
                );
            }
            if let Some(d) = st.deadline_min {
                let (earliest, chain) = earliest_finish(steps, s);
                if earliest > d + 1e-9 {
                    let from = match st.deadline_from {
                        DeadlineFrom::Detection => "detection",
                        DeadlineFrom::Activation => "activation",
                        DeadlineFrom::End => "the end of the response",
                    };
                    let names: Vec<&str> = chain.iter().map(|&c| steps[c].id.as_str()).collect();
                    self.error(
                        &at(&sb, &[F("deadline"), I(0), F("within")]),
                        format!(
                            "deadline of step `{}` cannot be met: {} from {from}, but the median \
                             durations along {} already take {}",
                            st.id,
                            format_duration(d),
                            names.join(" → "),
                            format_duration(earliest)
                        ),
                    );
                }
            }
        }
    }

    /// Dependencies the engine cannot always honour: a step after one that
    /// does not run at every site (so where it does not run there is nothing
    /// to wait for), or after one made only at the end of the response.
    fn order(&mut self, steps: &[Step], base: &[Seg<'static>]) {
        for (s, st) in steps.iter().enumerate() {
            for (k, &p) in st.after.iter().enumerate() {
                let pre = &steps[p];
                let path = at(base, &[F("steps"), I(s), F("after"), I(k)]);
                let only_some = match (pre.scope, pre.action) {
                    (StepScope::Site, StepAction::NotifyUsers) => {
                        Some("sites with internet-facing services")
                    }
                    (StepScope::Site, StepAction::SwitchToBackup) => {
                        Some("sites with a backup line")
                    }
                    _ => None,
                };
                if let Some(where_) = only_some {
                    self.warning(
                        &path,
                        format!(
                            "step `{}` waits for `{}`, which runs only at {where_}: elsewhere \
                             there is nothing to wait for and `{}` starts without it",
                            st.id, pre.id, st.id
                        ),
                    );
                }
                if pre.deadline_from == DeadlineFrom::End && st.deadline_from != DeadlineFrom::End {
                    self.warning(
                        &path,
                        format!(
                            "step `{}` waits for `{}`, which is made only at the end of the \
                             response (its deadline counts from the end): `{}` cannot run \
                             before the response has ended",
                            st.id, pre.id, st.id
                        ),
                    );
                }
            }
        }
    }

    fn reporting(&mut self) {
        let plan = self.plan;
        for (i, r) in plan.reporting.iter().enumerate() {
            let base = [F("reporting"), I(i)];
            let from = self.body(r.from_body);
            if !from.tiers.contains(&r.from_tier) {
                self.error(
                    &at(&base, &[F("from_body")]),
                    format!(
                        "reporting body `{}` does not exist at the {} tier",
                        from.id,
                        r.from_tier.as_str()
                    ),
                );
            }
            let to = self.body(r.to_body);
            match r.to {
                ReportTo::Parent => {
                    if let Some(pt) = parent_tier(r.from_tier)
                        && !to.tiers.contains(&pt)
                    {
                        self.error(
                            &at(&base, &[F("to_body")]),
                            format!(
                                "receiving body `{}` does not exist at the {} tier (the parent of \
                                 a {} unit)",
                                to.id,
                                pt.as_str(),
                                r.from_tier.as_str()
                            ),
                        );
                    }
                }
                ReportTo::NationalOffice => {
                    if to.role != BodyRole::NationalOffice {
                        self.error(
                            &at(&base, &[F("to_body")]),
                            format!(
                                "reports to the national office must go to a body with role \
                                 `national_office`, not `{}` ({})",
                                to.id,
                                to.role.as_str()
                            ),
                        );
                    }
                }
            }
        }

        // HQ → national office for Ⅱ and above.
        let hq_up = plan
            .reporting
            .iter()
            .filter(|r| r.from_tier == Tier::Hq && r.to == ReportTo::NationalOffice)
            .map(|r| r.min_level)
            .max();
        if hq_up.is_none_or(|l| l < Level::II) {
            let path = match plan
                .reporting
                .iter()
                .position(|r| r.from_tier == Tier::Hq && r.to == ReportTo::NationalOffice)
            {
                Some(k) => vec![F("reporting"), I(k), F("min_level")],
                None => vec![F("reporting")],
            };
            self.error(
                &path,
                "reporting gap: no rule reports level II incidents from HQ to the national office \
                 (Ⅱ and above must reach the national cyberspace authority)"
                    .to_owned(),
            );
        }

        // Tiers below HQ: each must report to its parent at least at the
        // least severe level the parent tier must know about.
        let most_lenient_up = |t: Tier| {
            plan.reporting
                .iter()
                .filter(|r| r.from_tier == t)
                .map(|r| r.min_level)
                .max()
        };
        for t in [
            Tier::Provincial,
            Tier::Prefecture,
            Tier::County,
            Tier::Grassroots,
        ] {
            let Some(parent) = parent_tier(t) else {
                continue;
            };
            // The parent must know what it passes on, and what it leads.
            let mut need = most_lenient_up(parent);
            let mut why = need.map(|l| {
                format!(
                    "the {} tier reports level {} upward",
                    parent.as_str(),
                    l.as_str()
                )
            });
            for l in &plan.levels {
                let led_at = match l.lead_at {
                    LeadAt::Hq => Some(Tier::Hq),
                    LeadAt::Provincial => Some(Tier::Provincial),
                    LeadAt::Local => None,
                };
                if led_at == Some(parent) && need.is_none_or(|n| l.level > n) {
                    need = Some(l.level);
                    why = Some(format!(
                        "level {} is led at the {} tier",
                        l.level.as_str(),
                        led_at.map(|x| x.as_str()).unwrap_or("")
                    ));
                }
            }
            let Some(need) = need else { continue };
            if t == Tier::Grassroots
                && !plan
                    .bodies
                    .iter()
                    .any(|b| b.tiers.contains(&Tier::Grassroots))
            {
                // No response body at grassroots units: their county detects for them.
                continue;
            }
            let have = plan
                .reporting
                .iter()
                .filter(|r| r.from_tier == t && r.to == ReportTo::Parent)
                .map(|r| r.min_level)
                .fold(None, |a: Option<Level>, l| {
                    Some(a.map_or(l, |a| lenient(a, l)))
                });
            if have.is_some_and(|h| h >= need) {
                continue;
            }
            let path = match plan.reporting.iter().position(|r| {
                r.from_tier == t && r.to == ReportTo::Parent && Some(r.min_level) == have
            }) {
                Some(k) => vec![F("reporting"), I(k), F("min_level")],
                None => vec![F("reporting")],
            };
            let msg = match have {
                Some(h) => format!(
                    "reporting gap: {} units report to their parent only at level {} and above, \
                     but {} (so it must hear of level {} incidents)",
                    t.as_str(),
                    h.as_str(),
                    why.unwrap_or_default(),
                    need.as_str()
                ),
                None => format!(
                    "reporting gap: no rule reports from {} units to their parent, but {}",
                    t.as_str(),
                    why.unwrap_or_default()
                ),
            };
            self.error(&path, msg);
        }
    }

    fn grading(&mut self) {
        for (i, r) in self.plan.grading.rules.iter().enumerate() {
            if r.all.is_empty() {
                self.warning(
                    &[F("grading"), F("rules"), I(i), F("all")],
                    format!(
                        "grading rule with no condition: every incident is graded at least level {}",
                        r.value.as_str()
                    ),
                );
            }
        }
    }
}

fn effective(steps: &[Step], s: usize, eff: &mut Vec<Option<Level>>) -> Level {
    if let Some(l) = eff[s] {
        return l;
    }
    let mut l = steps[s].min_level.unwrap_or(Level::IV);
    for &p in &steps[s].after {
        l = l.min(effective(steps, p, eff));
    }
    eff[s] = Some(l);
    l
}

/// Median earliest finish of step `s` counted from its deadline's origin,
/// and the chain that gives it (in execution order). The loader guarantees
/// that `after` has no cycle.
fn earliest_finish(steps: &[Step], s: usize) -> (f64, Vec<usize>) {
    let from = steps[s].deadline_from;
    fn go(steps: &[Step], s: usize, from: DeadlineFrom) -> (f64, Vec<usize>) {
        let mut best = (0.0, Vec::new());
        for &p in &steps[s].after {
            // For deadlines from the end of the response, only steps that
            // themselves count from the end run after it.
            if from == DeadlineFrom::End
                && !(steps[p].deadline_min.is_some() && steps[p].deadline_from == DeadlineFrom::End)
            {
                continue;
            }
            let c = go(steps, p, from);
            if c.0 > best.0 {
                best = c;
            }
        }
        best.0 += steps[s].duration.median_min;
        best.1.push(s);
        best
    }
    go(steps, s, from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn ron_files(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ron"))
            .collect();
        files.sort();
        files
    }

    #[test]
    fn bundled_plans_check_clean() {
        let files = ron_files(&root().join("scenarios/plans"));
        assert!(files.len() >= 3, "{files:?}");
        for f in files {
            let r = check_plan(&f);
            if f.ends_with("sat-2002.ron") {
                // The 2002 notice as written cannot run an incident.
                assert_eq!(r.errors().count(), 5, "{r}");
                assert!(
                    r.errors()
                        .all(|d| d.message.contains("cannot run an incident")),
                    "{r}"
                );
                assert!(r.plan.is_none());
                assert_eq!(r.exit_code(), 2);
                continue;
            }
            assert!(!r.has_errors(), "{r}");
            // The bundled plans are written to be clean of warnings too.
            assert!(r.findings.is_empty(), "{r}");
            assert_eq!(r.exit_code(), 0);
            assert!(r.plan.is_some());
        }
        // The minimal test plan leaves its steps unnamed: one warning, at
        // the first step, naming how many and which.
        let r = check_plan(&root().join("tests/data/plans/minimal.ron"));
        assert_eq!(r.findings.len(), 1, "{r}");
        let w = &r.findings[0];
        assert_eq!(w.severity, Severity::Warning, "{r}");
        assert!(
            w.diag
                .message
                .starts_with("6 step(s) or duties without `name_zh` and `name_en`"),
            "{r}"
        );
        assert_eq!((w.diag.line, w.diag.col), (47, 18), "{r}");
        assert!(!r.has_errors());
    }

    /// Every file under `tests/data/bad-plans/` states its fault in header
    /// lines `// expect: LINE:COL`, `// message: TEXT` and optionally
    /// `// severity: warning` (default error): check must find exactly one
    /// finding of that severity, there, with that text.
    #[test]
    fn bad_plans_are_caught_at_the_right_place() {
        let files = ron_files(&root().join("tests/data/bad-plans"));
        assert!(files.len() >= 8, "{files:?}");
        for f in files {
            let src = std::fs::read_to_string(&f).unwrap();
            let header = |key: &str| {
                src.lines()
                    .find_map(|l| l.strip_prefix(key).map(|s| s.trim().to_owned()))
            };
            let expect = header("// expect:").unwrap_or_else(|| panic!("{}", f.display()));
            let message = header("// message:").unwrap_or_else(|| panic!("{}", f.display()));
            let severity = match header("// severity:").as_deref() {
                None | Some("error") => Severity::Error,
                Some("warning") => Severity::Warning,
                Some(s) => panic!("{}: severity {s}", f.display()),
            };
            let (line, col) = expect.split_once(':').unwrap();
            let (line, col): (usize, usize) = (line.parse().unwrap(), col.parse().unwrap());
            let r = check_plan(&f);
            let found: Vec<&Finding> = r
                .findings
                .iter()
                // The fixtures leave their steps unnamed (one warning of its own).
                .filter(|x| x.severity == severity && !x.diag.message.contains("`name_zh`"))
                .collect();
            assert_eq!(found.len(), 1, "{}:\n{r}", f.display());
            let d = &found[0].diag;
            assert_eq!((d.line, d.col), (line, col), "{}:\n{r}", f.display());
            assert!(d.message.contains(&message), "{}:\n{r}", f.display());
            if severity == Severity::Error {
                assert_eq!(r.exit_code(), 2);
            } else {
                assert!(!r.has_errors(), "{}:\n{r}", f.display());
            }
        }
    }

    #[test]
    fn report_display_lists_findings_and_a_summary() {
        let src = std::fs::read_to_string(root().join("tests/data/plans/minimal.ron")).unwrap();
        let src = src.replacen("median: \"10m\"", "median: \"5h\"", 1);
        let r = check_source(&src, Path::new("x.ron"), "x");
        let text = r.to_string();
        assert!(text.contains("error: x.ron:"), "{text}");
        assert!(text.contains("cannot be met"), "{text}");
        // The minimal plan's steps have no names: one warning.
        assert!(text.ends_with("1 error, 1 warning"), "{text}");
    }
}
