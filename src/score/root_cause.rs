//! Root causes as far as a run's record shows them (pure functions).
//!
//! - **Reporting chain**: a late or missed report is walked along the chain
//!   it belongs to — back to the unit that first knew (the one whose news
//!   reached this unit first, and so on down to a unit that detected the
//!   incident itself), then forward through the target's own report of the
//!   same kind up to the top the report reached (HQ, or the national
//!   authority), stopping at a target that knew already (its news came
//!   another way). Each hop is one unit: from when it learned (its first
//!   grading task was created) to when its report was done, split into
//!   grading, waiting for staff and reporting, against the time the rule
//!   allowed (report due − learned). The hop that ran most over its allowed
//!   time is where the delay sits.
//! - **Staff queue**: a task that waited longer for staff than it took to
//!   do, with the number of the unit's other tasks of the same body that
//!   were in hand meanwhile; a task never started at all.
//! - **Missing step in the plan**: a capability the run's outcomes called
//!   for (hosts infected, nodes down or records lost, taxpayer services
//!   lost, an incident to close) with no obligation at all: the plan triggered no step of it for
//!   the incident class (it has none, or none at the levels reached).
//!
//! Each cause has a [`CauseKind`], which picks the corrective action's due
//! days in the thresholds file's `improvement` block.

use serde::{Deserialize, Serialize};

use super::{Capability, Obligation, Status};
use crate::engine::RunRecord;
use crate::engine::record::{EventKind, TaskRecord};
use crate::model::topology_summary::thousands;

/// What kind of root cause the record shows (the key of the thresholds
/// file's `improvement` block).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CauseKind {
    /// A hop of the reporting chain lost the time.
    ReportChain,
    /// The task waited for staff (or was never picked up).
    StaffQueue,
    /// The plan has no step for what the outcomes called for.
    PlanGap,
    /// The work itself: slow, skipped, out of order, wrong level.
    Training,
    /// No single cause (outcome limits only, or nothing went wrong).
    #[default]
    None,
}

impl CauseKind {
    pub const ALL: [CauseKind; 4] = [
        CauseKind::ReportChain,
        CauseKind::StaffQueue,
        CauseKind::PlanGap,
        CauseKind::Training,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CauseKind::ReportChain => "report_chain",
            CauseKind::StaffQueue => "staff_queue",
            CauseKind::PlanGap => "plan_gap",
            CauseKind::Training => "training",
            CauseKind::None => "none",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CauseKind::ReportChain => "报告链路",
            CauseKind::StaffQueue => "人员排队",
            CauseKind::PlanGap => "预案缺口",
            CauseKind::Training => "培训演练",
            CauseKind::None => "无",
        }
    }
}

/// A root cause: its kind, the unit (node id) and body where it sits, and
/// the sentence (English, Chinese).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RootCause {
    pub kind: CauseKind,
    pub unit: String,
    pub body: String,
    pub en: String,
    pub zh: String,
}

/// One hop of a reporting chain: `unit` learned of the incident, graded it,
/// and reported to `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    /// The report task (`RunRecord::tasks` index).
    pub task: usize,
    /// Reporting unit (node index) and body.
    pub unit: u32,
    pub body: String,
    /// The report's target (node id, or a body id above HQ).
    pub to: String,
    /// When the unit learned (its first grading task of the incident was
    /// created; the report's creation when it has none).
    pub learned: f64,
    /// When the report task was created (the grading was done).
    pub created: f64,
    pub started: Option<f64>,
    pub finished: Option<f64>,
    /// Time the rule allowed: due − learned.
    pub allowed: f64,
}

impl Hop {
    /// Minutes from learning to the report done (to `end` if never done).
    pub fn took(&self, end: f64) -> f64 {
        self.finished.unwrap_or(end) - self.learned
    }
    /// Minutes over the allowed time (negative: under).
    pub fn over(&self, end: f64) -> f64 {
        self.took(end) - self.allowed
    }
}

fn node_index(rec: &RunRecord, id: &str) -> Option<u32> {
    rec.meta
        .nodes
        .iter()
        .position(|n| n.id == id)
        .map(|i| i as u32)
}

fn node_id(rec: &RunRecord, i: u32) -> String {
    rec.meta
        .nodes
        .get(i as usize)
        .map(|n| n.id.clone())
        .unwrap_or_else(|| i.to_string())
}

/// When `unit` learned of incident `inc`: its first grading task's creation.
fn learned(rec: &RunRecord, inc: usize, unit: u32) -> Option<f64> {
    rec.tasks
        .iter()
        .filter(|t| t.incident == inc && t.unit == unit && t.kind == "grade")
        .map(|t| t.created)
        .min_by(f64::total_cmp)
}

fn hop(rec: &RunRecord, t: &TaskRecord) -> Hop {
    let learned = learned(rec, t.incident, t.unit)
        .filter(|l| *l <= t.created)
        .unwrap_or(t.created);
    Hop {
        task: t.id,
        unit: t.unit,
        body: t.body.to_string(),
        to: t.action.to_string(),
        learned,
        created: t.created,
        started: t.started,
        finished: t.finished,
        allowed: t.due.map_or(0.0, |d| d - learned),
    }
}

/// The reporting chain through report task `task`, from the unit that first
/// knew to the top the report reached, in order. Empty when `task` is not a
/// report.
pub fn report_chain(rec: &RunRecord, task: usize) -> Vec<Hop> {
    let Some(t) = rec.tasks.get(task).filter(|t| t.kind == "report") else {
        return Vec::new();
    };
    let inc = t.incident;
    let reports = || {
        rec.tasks
            .iter()
            .filter(move |x| x.incident == inc && x.kind == "report")
    };
    let mut seen = vec![t.unit];
    // Backward: the report through which each unit first heard.
    let mut back = Vec::new();
    let mut unit = t.unit;
    loop {
        let id = node_id(rec, unit);
        let knew = learned(rec, inc, unit).unwrap_or(f64::INFINITY);
        let from = reports()
            .filter(|x| x.action == id)
            .filter(|x| x.finished.is_some_and(|f| f <= knew + 1e-6))
            .min_by(|a, b| {
                a.finished
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&b.finished.unwrap_or(f64::INFINITY))
                    .then(a.id.cmp(&b.id))
            });
        match from {
            Some(x) if !seen.contains(&x.unit) => {
                seen.push(x.unit);
                back.push(hop(rec, x));
                unit = x.unit;
            }
            _ => break,
        }
    }
    back.reverse();
    // Forward: the target's own report of the same kind.
    let mut hops = back;
    hops.push(hop(rec, t));
    let mut cur = t;
    while cur.finished.is_some() {
        let Some(next_unit) = node_index(rec, &cur.action) else {
            break;
        };
        // The target knew already (from another report or its own
        // detection): this report did not carry the news further.
        let knew = learned(rec, inc, next_unit).unwrap_or(f64::INFINITY);
        if seen.contains(&next_unit) || cur.finished.is_some_and(|f| knew < f - 1e-6) {
            break;
        }
        let next = reports()
            .filter(|x| x.unit == next_unit && x.name == t.name)
            .min_by(|a, b| a.created.total_cmp(&b.created).then(a.id.cmp(&b.id)));
        match next {
            Some(x) => {
                seen.push(x.unit);
                hops.push(hop(rec, x));
                cur = x;
            }
            None => break,
        }
    }
    hops
}

/// English and Chinese names of a node (its id if unknown).
pub fn node_names(rec: &RunRecord, id: &str) -> (String, String) {
    rec.meta
        .nodes
        .iter()
        .find(|n| n.id == id)
        .map(|n| (n.name_en.clone(), n.name_zh.clone()))
        .unwrap_or_else(|| match rec.meta.bodies.iter().find(|b| b.id == id) {
            Some(b) => (b.name_en.clone(), b.name_zh.clone()),
            None => (id.to_owned(), id.to_owned()),
        })
}

/// English (lower-case first letter) and Chinese names of a body.
pub fn body_names(rec: &RunRecord, id: &str) -> (String, String) {
    rec.meta
        .bodies
        .iter()
        .find(|b| b.id == id)
        .map(|b| {
            let mut c = b.name_en.chars();
            let en = match c.next() {
                Some(f) => f.to_lowercase().chain(c).collect(),
                None => String::new(),
            };
            (en, b.name_zh.clone())
        })
        .unwrap_or_else(|| (id.replace('_', " "), id.to_owned()))
}

/// Minutes readably: `45 min` / `3.2 h`.
pub fn span(m: f64) -> (String, String) {
    let m = m.max(0.0);
    if m < 120.0 {
        (format!("{m:.0} min"), format!("{m:.0} 分钟"))
    } else {
        (
            format!("{:.1} h", m / 60.0),
            format!("{:.1} 小时", m / 60.0),
        )
    }
}

fn report_kind(name: &str) -> (&'static str, &'static str) {
    match name {
        "initial_report" => ("initial report", "初次报告"),
        "written_report" => ("written report", "书面报告"),
        _ => ("report", "报告"),
    }
}

/// The root cause of a late or missed report: the hop of its chain that ran
/// most over its allowed time (ties: the earlier hop).
pub fn report_cause(rec: &RunRecord, o: &Obligation) -> Option<RootCause> {
    let chain = report_chain(rec, o.task);
    let end = rec.duration_min;
    let worst = chain
        .iter()
        .enumerate()
        .fold(None::<usize>, |b, (i, h)| match b {
            Some(j) if chain[j].over(end) >= h.over(end) => b,
            _ => Some(i),
        })?;
    let (first, last, h) = (&chain[0], chain.last()?, &chain[worst]);
    let (k_en, k_zh) = report_kind(&o.name);
    let (o_en, o_zh) = node_names(rec, &node_id(rec, first.unit));
    let (top_en, top_zh) = node_names(rec, &last.to);
    let (u_en, u_zh) = node_names(rec, &node_id(rec, h.unit));
    let (b_en, b_zh) = body_names(rec, &h.body);
    let allowed_all: f64 = chain.iter().map(|h| h.allowed).sum();
    let (al_en, al_zh) = span(allowed_all);
    let (head_en, head_zh) = match last.finished {
        Some(f) => {
            let (t_en, t_zh) = span(f - first.learned);
            (
                format!(
                    "{k_en} from {o_en} reached {top_en} after {t_en} (due {al_en} along the chain)"
                ),
                format!("{o_zh}的{k_zh}经 {t_zh} 到达{top_zh}（逐级时限合计 {al_zh}）"),
            )
        }
        None => (
            format!(
                "{k_en} from {o_en} had not reached {top_en} when the run ended (due {al_en} along the chain)"
            ),
            format!("{o_zh}的{k_zh}至演练结束仍未到达{top_zh}（逐级时限合计 {al_zh}）"),
        ),
    };
    let grading = h.created - h.learned;
    let queue = h.started.unwrap_or(h.finished.unwrap_or(end)) - h.created;
    let work = match (h.started, h.finished) {
        (Some(s), Some(f)) => f - s,
        (Some(s), None) => end - s,
        _ => 0.0,
    };
    let (g_en, g_zh) = span(grading);
    let (q_en, q_zh) = span(queue);
    let (w_en, w_zh) = span(work);
    let (a_en, a_zh) = span(h.allowed);
    let (tk_en, tk_zh) = span(h.took(end));
    let hops = chain.len();
    let (of_en, of_zh) = if hops > 1 {
        (
            format!(", the slowest of {hops} hops"),
            format!("（{hops} 级中最慢的一级）"),
        )
    } else {
        (String::new(), String::new())
    };
    let skipped = rec.tasks.get(h.task).is_some_and(|t| t.state == "skipped");
    let (d_en, d_zh) = if skipped {
        (
            format!(
                "{g_en} to grade, then the report was skipped (not done at all; allowed {a_en})"
            ),
            format!("定级 {g_zh}，随后漏报（完全未报告；时限 {a_zh}）"),
        )
    } else if h.started.is_none() {
        (
            format!(
                "{g_en} to grade, then {q_en} waiting for staff without being started (allowed {a_en})"
            ),
            format!("定级 {g_zh}，随后等待人员 {q_zh} 仍未开始（时限 {a_zh}）"),
        )
    } else {
        let (end_en, end_zh) = if h.finished.is_some() {
            ("", "")
        } else {
            (", not done by the end", "，至演练结束仍未完成")
        };
        (
            format!(
                "{tk_en} from learning to reporting against {a_en} allowed — {g_en} to grade, {q_en} waiting for staff, {w_en} to report{end_en}"
            ),
            format!(
                "从获知到报出用时 {tk_zh}（时限 {a_zh}），其中定级 {g_zh}、等待人员 {q_zh}、报告 {w_zh}{end_zh}"
            ),
        )
    };
    Some(RootCause {
        kind: CauseKind::ReportChain,
        unit: node_id(rec, h.unit),
        body: h.body.clone(),
        en: format!("{head_en}; the delay sits at {u_en} ({b_en}){of_en}: {d_en}"),
        zh: format!("{head_zh}；延误主要在{u_zh}{b_zh}{of_zh}：{d_zh}"),
    })
}

/// Other tasks of the same unit and body in hand (started, not finished)
/// while task `t` waited for staff.
pub fn busy_meanwhile(rec: &RunRecord, t: &TaskRecord) -> usize {
    let until = t.started.unwrap_or(rec.duration_min);
    rec.tasks
        .iter()
        .filter(|x| x.id != t.id && x.unit == t.unit && x.body == t.body)
        .filter(|x| {
            x.started.is_some_and(|s| s < until) && x.finished.is_none_or(|f| f > t.created)
        })
        .count()
}

/// The classes of the run's incidents (from the `incident_opened` events'
/// `incident N (class name) opened`), distinct, in order of opening.
pub fn incident_classes(rec: &RunRecord) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in rec
        .events
        .iter()
        .filter(|e| e.kind == EventKind::IncidentOpened)
    {
        let class = e
            .detail
            .split_once('(')
            .and_then(|(_, r)| r.split([' ', ')']).next())
            .unwrap_or("")
            .to_owned();
        if !class.is_empty() && !out.contains(&class) {
            out.push(class);
        }
    }
    out
}

/// What the run's outcomes show that capability `c` was needed for
/// (English, Chinese); None when they show no need.
pub fn needed_for(rec: &RunRecord, c: Capability) -> Option<(String, String)> {
    let t = &rec.totals;
    match c {
        Capability::Containment if t.total_infected_hosts > 0 => Some((
            format!("{} hosts were infected", thousands(t.total_infected_hosts)),
            format!("{} 台主机被感染", thousands(t.total_infected_hosts)),
        )),
        Capability::EradicationRecovery if t.nodes_down_max > 0 || t.records_lost > 0 => Some((
            format!(
                "up to {} nodes were down and {} records lost",
                thousands(u64::from(t.nodes_down_max)),
                thousands(t.records_lost)
            ),
            format!(
                "最多 {} 个节点宕机，损失 {} 条记录",
                thousands(u64::from(t.nodes_down_max)),
                thousands(t.records_lost)
            ),
        )),
        Capability::Communication if t.taxpayer_service_hours_lost > 0.0 => Some((
            format!(
                "taxpayer services were down {:.1} service-hours",
                t.taxpayer_service_hours_lost
            ),
            format!(
                "面向纳税人的服务中断 {:.1} 服务小时",
                t.taxpayer_service_hours_lost
            ),
        )),
        // Every incident needs closing: investigation, evaluation, summary.
        // (Detection, reporting and grading are the engine's own flow for
        // every incident; HQ's detection below level Ⅱ owes no report, so
        // their absence is no gap.)
        Capability::PostIncident => Some((
            "an incident was opened".to_owned(),
            "已立案处置事件".to_owned(),
        )),
        _ => None,
    }
}

/// A missing step in the plan: capability `c` had no obligation at all in
/// a run with a response and an incident, and the outcomes called for it.
/// The cause sits with the plan's owner: HQ's emergency office (or the
/// first body of the plan).
pub fn plan_gap(rec: &RunRecord, obs: &[Obligation], c: Capability) -> Option<RootCause> {
    let classes = incident_classes(rec);
    if !rec.response || classes.is_empty() || obs.iter().any(|o| o.capability == c) {
        return None;
    }
    let (need_en, need_zh) = needed_for(rec, c)?;
    let hq = rec
        .meta
        .nodes
        .iter()
        .find(|n| n.tier == "hq")
        .map(|n| n.id.clone())?;
    let body = rec
        .meta
        .bodies
        .iter()
        .find(|b| b.role == "emergency_office")
        .or(rec.meta.bodies.first())
        .map(|b| b.id.clone())?;
    let (h_en, h_zh) = node_names(rec, &hq);
    let (b_en, b_zh) = body_names(rec, &body);
    let cls = classes.join(", ");
    // The Chinese text names the classes (a code is an identifier).
    let cls_zh = classes
        .iter()
        .map(|code| {
            rec.meta
                .classes
                .iter()
                .find(|c| &c.0 == code)
                .map_or(code.clone(), |c| c.1.clone())
        })
        .collect::<Vec<_>>()
        .join("、");
    let plan = if rec.meta.plan.is_empty() {
        "the plan".to_owned()
    } else {
        rec.meta.plan.clone()
    };
    Some(RootCause {
        kind: CauseKind::PlanGap,
        unit: hq,
        body,
        en: format!(
            "missing step in the plan: {need_en}, yet no {} step was triggered for {cls} — {plan} has none for this class or none at the levels reached; the plan is kept at {h_en} ({b_en})",
            c.name_en()
        ),
        zh: format!(
            "预案缺少步骤：{need_zh}，但本次事件（{cls_zh}）未触发任何{}步骤——预案 {plan} 对该类事件未作规定，或仅在更高级别才规定；预案由{h_zh}{b_zh}负责修订",
            c.name_zh()
        ),
    })
}

/// The root cause of one problem obligation: the reporting chain for a
/// late or missed report; else from its task — waited in the staff queue
/// (the time from when it arose to its start, with the unit's other tasks
/// in hand meanwhile) or took long once started, never started, skipped,
/// started before its predecessors, or graded another level.
pub fn of(rec: &RunRecord, o: &Obligation) -> RootCause {
    if o.kind == "report"
        && matches!(o.status, Status::Late | Status::Missed)
        && let Some(c) = report_cause(rec, o)
    {
        return c;
    }
    let (u_en, u_zh) = node_names(rec, &o.unit);
    let (b_en, b_zh) = body_names(rec, &o.body);
    // The task by its name in the plan (never its id), in each language.
    let name = |lang| crate::report::names::Names::new(rec, lang).task_at(o.task, &o.kind, &o.name);
    let (name_en, name_zh) = (name(crate::report::Lang::En), name(crate::report::Lang::Zh));
    let what_en = format!("{} {name_en} at {u_en} ({b_en})", o.kind);
    let kind_zh = match o.kind.as_str() {
        "report" => "报告",
        "grade" => "定级",
        "activate" => "启动响应",
        _ => "处置步骤",
    };
    let what_zh = format!("{u_zh}{b_zh}的{kind_zh}「{name_zh}」");
    let task = rec.tasks.get(o.task).filter(|t| t.id == o.task);
    let cause = |kind, en: String, zh: String| RootCause {
        kind,
        unit: o.unit.to_string(),
        body: o.body.to_string(),
        en,
        zh,
    };
    match o.status {
        Status::WrongLevel => {
            let expected = task
                .and_then(|t| t.expected_level.clone())
                .unwrap_or_default();
            cause(
                CauseKind::Training,
                format!(
                    "{what_en} chose level {} where the facts it had called for {expected}",
                    o.action
                ),
                format!(
                    "{what_zh}定为 {} 级，而掌握的情况应定为 {expected} 级",
                    o.action
                ),
            )
        }
        Status::OutOfOrder => cause(
            CauseKind::Training,
            format!("{what_en} started before the steps the plan puts first (missing step order)"),
            format!("{what_zh}在预案规定的前序步骤完成前开始（未按步骤顺序）"),
        ),
        Status::Missed if task.is_none_or(|t| t.started.is_none()) => {
            if task.is_some_and(|t| t.state == "skipped") {
                cause(
                    CauseKind::Training,
                    format!("{what_en} was skipped: the team left the step out (not done at all)"),
                    format!("{what_zh}被跳过：该小组漏做了这一步（完全未执行）"),
                )
            } else {
                let busy = task.map_or(0, |t| busy_meanwhile(rec, t));
                cause(
                    CauseKind::StaffQueue,
                    format!(
                        "{what_en} was never started by the end of the run: no one picked it up ({busy} other tasks of the unit's {b_en} were in hand meanwhile)"
                    ),
                    format!(
                        "{what_zh}至运行结束仍未开始：无人承接（其间该单位{b_zh}另有 {busy} 项任务在办）"
                    ),
                )
            }
        }
        _ => {
            let Some(t) = task else {
                return cause(CauseKind::None, what_en, what_zh);
            };
            let wait = t.started.map(|s| s - t.created).unwrap_or(0.0);
            let work = match (t.started, t.finished) {
                (Some(s), Some(f)) => f - s,
                _ => 0.0,
            };
            let allowed = t.due.map(|d| d - t.created).unwrap_or(0.0);
            let (w_en, w_zh) = span(wait);
            let (k_en, k_zh) = span(work);
            let (a_en, a_zh) = span(allowed);
            if wait >= work {
                let busy = busy_meanwhile(rec, t);
                cause(
                    CauseKind::StaffQueue,
                    format!(
                        "{what_en} waited {w_en} in the staff queue before it started ({busy} other tasks of the unit's {b_en} were in hand meanwhile), then took {k_en} (allowed {a_en} in all)"
                    ),
                    format!(
                        "{what_zh}在人员队列中等待 {w_zh} 才开始（其间该单位{b_zh}另有 {busy} 项任务在办），办理用时 {k_zh}（时限共 {a_zh}）"
                    ),
                )
            } else {
                cause(
                    CauseKind::Training,
                    format!(
                        "{what_en} started after {w_en} but took {k_en} to do (allowed {a_en} in all)"
                    ),
                    format!("{what_zh}等待 {w_zh} 后开始，但办理用时 {k_zh}（时限共 {a_zh}）"),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::record::{BodyMeta, EndMeta, Event, NodeMeta, RunMeta};
    use crate::score::{assess, default_thresholds};

    #[allow(clippy::too_many_arguments)]
    fn task(
        id: usize,
        kind: &str,
        name: &str,
        action: &str,
        unit: u32,
        created: f64,
        due: Option<f64>,
        started: Option<f64>,
        finished: Option<f64>,
    ) -> TaskRecord {
        TaskRecord {
            id,
            incident: 0,
            kind: kind.into(),
            name: name.into(),
            source: "".into(),
            expected_level: None,
            action: action.into(),
            unit,
            body: "emergency_office".into(),
            site: unit,
            created,
            due,
            started,
            decided: started,
            finished,
            state: if finished.is_some() { "done" } else { "ready" }.into(),
            out_of_order: false,
            clause: format!("clause {id}").into(),
            log_row: None,
            done_by: None,
        }
    }

    /// county gd.01.01 (3) → prefecture gd.01 (2) → province gd (1) → HQ
    /// (0); each unit grades in 3 min and has 30 min to phone; the
    /// prefecture's report waits 85 min for staff.
    fn chain_record() -> RunRecord {
        let node = |id: &str, tier: &str| NodeMeta {
            id: id.into(),
            name_zh: format!("{id}局"),
            name_en: format!("{id} bureau"),
            tier: tier.into(),
            province: String::new(),
        };
        let tasks = vec![
            task(
                0,
                "grade",
                "grade",
                "IV",
                3,
                0.0,
                None,
                Some(0.0),
                Some(3.0),
            ),
            task(
                1,
                "report",
                "initial_report",
                "gd.01",
                3,
                3.0,
                Some(30.0),
                Some(4.0),
                Some(12.0),
            ),
            task(
                2,
                "grade",
                "grade",
                "IV",
                2,
                12.0,
                None,
                Some(12.0),
                Some(15.0),
            ),
            task(
                3,
                "report",
                "initial_report",
                "gd",
                2,
                15.0,
                Some(42.0),
                Some(100.0),
                Some(107.0),
            ),
            task(
                4,
                "grade",
                "grade",
                "IV",
                1,
                107.0,
                None,
                Some(107.0),
                Some(110.0),
            ),
            task(
                5,
                "report",
                "initial_report",
                "hq",
                1,
                110.0,
                Some(137.0),
                Some(111.0),
                Some(120.0),
            ),
            task(
                6,
                "grade",
                "grade",
                "IV",
                0,
                120.0,
                None,
                Some(120.0),
                Some(123.0),
            ),
        ];
        RunRecord {
            start: "2002-11-08T09:00:00".into(),
            duration_min: 600.0,
            tick_min: 10.0,
            response: true,
            tasks,
            events: vec![
                Event {
                    minute: 0.0,
                    kind: EventKind::IncidentOpened,
                    node: Some(3),
                    link: None,
                    actor: "".into(),
                    clause: "".into(),
                    detail: "incident 1 (malware.worm Worm) opened".into(),
                },
                Event {
                    minute: 300.0,
                    kind: EventKind::ResponseEnded,
                    node: Some(1),
                    link: None,
                    actor: "".into(),
                    clause: "".into(),
                    detail: "incident 1: contained".into(),
                },
            ],
            totals: crate::engine::record::Totals {
                taxpayer_service_hours_lost: 12.5,
                ..Default::default()
            },
            meta: std::sync::Arc::new(RunMeta {
                plan: "test-plan".into(),
                bodies: vec![BodyMeta {
                    id: "emergency_office".into(),
                    name_zh: "应急办公室".into(),
                    name_en: "Emergency office".into(),
                    role: "emergency_office".into(),
                }],
                nodes: vec![
                    node("hq", "hq"),
                    node("gd", "provincial"),
                    node("gd.01", "prefecture"),
                    node("gd.01.01", "county"),
                ],
                end: Some(EndMeta {
                    actor: "emergency_office".into(),
                    evaluation_days: 7.0,
                    summary_report_days: 30.0,
                    clause: "plan 2.3 结束响应; [R] summary within 30 days".into(),
                }),
                ..RunMeta::default()
            }),
            ..RunRecord::default()
        }
    }

    #[test]
    fn the_chain_runs_from_the_first_unit_to_hq() {
        let rec = chain_record();
        // From the middle report: back to the county, forward to HQ.
        let chain = report_chain(&rec, 3);
        let units: Vec<u32> = chain.iter().map(|h| h.unit).collect();
        assert_eq!(units, [3, 2, 1]);
        assert_eq!(chain.last().unwrap().to, "hq");
        assert_eq!(chain[1].learned, 12.0);
        assert_eq!(chain[1].allowed, 30.0);
        assert_eq!(chain[1].over(600.0), 65.0);
        // From the county's report: the same chain.
        assert_eq!(report_chain(&rec, 1), chain);
        // Not a report: no chain.
        assert!(report_chain(&rec, 0).is_empty());
    }

    #[test]
    fn the_chain_stops_where_the_target_knew_already() {
        let mut rec = chain_record();
        // The province heard at minute 50 from elsewhere: the prefecture's
        // report (done at 107) carried no news further.
        rec.tasks[4].created = 50.0;
        let chain = report_chain(&rec, 3);
        let units: Vec<u32> = chain.iter().map(|h| h.unit).collect();
        assert_eq!(units, [3, 2]);
        assert_eq!(chain.last().unwrap().to, "gd");
        let a = assess(&rec, &default_thresholds());
        let late = a.obligations.iter().find(|o| o.task == 3).unwrap();
        let c = of(&rec, late);
        assert!(
            c.en.starts_with("initial report from gd.01.01 bureau reached gd bureau after 107 min"),
            "{}",
            c.en
        );
    }

    #[test]
    fn the_slow_hop_is_the_root_cause_and_owns_the_fix() {
        let rec = chain_record();
        let a = assess(&rec, &default_thresholds());
        let late: Vec<_> = a
            .obligations
            .iter()
            .filter(|o| o.status == Status::Late)
            .collect();
        assert_eq!(late.len(), 1, "{:?}", a.obligations);
        let c = of(&rec, late[0]);
        assert_eq!(c.kind, CauseKind::ReportChain);
        assert_eq!(c.unit, "gd.01");
        assert!(
            c.en.starts_with(
                "initial report from gd.01.01 bureau reached hq bureau after 2.0 h (due 90 min along the chain); the delay sits at gd.01 bureau (emergency office), the slowest of 3 hops: 95 min from learning to reporting against 30 min allowed — 3 min to grade, 85 min waiting for staff, 7 min to report"
            ),
            "{}",
            c.en
        );
        assert!(c.zh.contains("延误主要在gd.01局应急办公室"), "{}", c.zh);
        let f = a
            .findings
            .iter()
            .find(|f| f.capability == Capability::DetectionReporting)
            .unwrap();
        assert!(!f.strength);
        assert_eq!(
            (f.owner_unit.as_str(), f.owner.as_str()),
            ("gd.01", "emergency_office")
        );
        assert!(
            f.text_en
                .ends_with(" Root cause: the reporting chain's slowest hop, at gd.01 bureau (emergency office)."),
            "{}",
            f.text_en
        );
        assert!(
            f.root_en.contains("the delay sits at gd.01 bureau"),
            "{}",
            f.root_en
        );
        // Due: the improvement block's report_chain days (30) are sooner
        // than the rating's.
        assert_eq!(f.cause, CauseKind::ReportChain);
        assert_eq!((f.due.days, f.due.from_min), (30, 0.0));
        assert_eq!(
            f.due.basis_en,
            "scoring.ron improvement.report_chain: 30 days from the exercise start"
        );
    }

    #[test]
    fn without_the_improvement_block_the_rating_days_apply() {
        let rec = chain_record();
        let mut th = default_thresholds();
        th.improvement = None;
        let a = assess(&rec, &th);
        let f = &a.findings[0];
        let r = a.ratings[0].rating;
        assert_eq!(f.due.days, th.due_days(r));
        assert!(
            f.due.basis_en.starts_with("scoring.ron due_days."),
            "{}",
            f.due.basis_en
        );
    }

    #[test]
    fn a_capability_needed_without_any_step_is_a_plan_gap() {
        let rec = chain_record();
        let a = assess(&rec, &default_thresholds());
        let f = a
            .findings
            .iter()
            .find(|f| f.capability == Capability::Communication)
            .expect("communication gap");
        assert!(
            !a.ratings
                .iter()
                .any(|r| r.capability == Capability::Communication)
        );
        assert_eq!(f.cause, CauseKind::PlanGap);
        assert_eq!(f.owner_unit, "hq");
        assert!(
            f.root_en.starts_with(
                "missing step in the plan: taxpayer services were down 12.5 service-hours, yet no communication and information release step was triggered for malware.worm"
            ),
            "{}",
            f.root_en
        );
        assert_eq!(
            f.due.days, 30,
            "plan gap 90 days, but unrated counts as U (30)"
        );
        // Post-incident: the plan's own rule, from the response's end.
        let p = a
            .findings
            .iter()
            .find(|f| f.capability == Capability::PostIncident)
            .expect("post-incident gap");
        assert_eq!((p.due.days, p.due.from_min), (30, 300.0));
        assert_eq!(
            p.due.basis_en,
            "plan, plan 2.3 结束响应: summary report within 30 days of the end of the response"
        );
        // Containment: nothing infected, no need shown.
        assert!(
            !a.findings
                .iter()
                .any(|f| f.capability == Capability::Containment)
        );
    }

    #[test]
    fn staff_queue_counts_the_units_other_tasks() {
        let mut rec = chain_record();
        // A step at the prefecture that waited 60 min while its report ran.
        let mut t = task(
            7,
            "step",
            "isolate",
            "isolate",
            2,
            90.0,
            Some(100.0),
            Some(150.0),
            Some(160.0),
        );
        t.body = "emergency_office".into();
        rec.tasks.push(t);
        assert_eq!(busy_meanwhile(&rec, &rec.tasks[7]), 1);
        let a = assess(&rec, &default_thresholds());
        let o = a.obligations.iter().find(|o| o.task == 7).unwrap();
        let c = of(&rec, o);
        assert_eq!(c.kind, CauseKind::StaffQueue);
        assert!(
            c.en.contains("waited 60 min in the staff queue before it started (1 other tasks"),
            "{}",
            c.en
        );
    }
}
