//! Capability ratings (HSEEP P/S/M/U) and findings.
//!
//! A capability is *exercised* when at least one of its obligations was
//! assessed (not pending). Only exercised capabilities are rated and get a
//! finding: `Assessment::ratings` and `Assessment::findings` leave the
//! others out (the not-exercised ones are `Capability::ALL` minus those
//! rated), since rating a capability nobody had to perform would be
//! meaningless.
//!
//! `CapabilityRating::obligations` counts all of the capability's
//! obligations, pending ones included; `compliance` only the assessed ones.
//!
//! Rating: from the capability's final compliance and its missed count via
//! the thresholds' [`super::thresholds::RatingRule`]. Findings: one per
//! rated capability, in `Capability::ALL` order — a strength when rated P,
//! else an area for improvement — with evidence naming the counts, the
//! median lateness and the (tier, body) with most late, missed or deviating
//! obligations; the owner is the body with most late or missed obligations
//! (ties: the order of `Assessment::bodies`; none late or missed: most
//! deviations; none at all: most obligations); due days by rating.

use super::thresholds::Thresholds;
use super::{Capability, CapabilityRating, Finding, Obligation, Rating, Status, compliance};
use crate::engine::RunRecord;
use crate::model::topology_summary::thousands;

pub fn ratings(rec: &RunRecord, obs: &[Obligation], th: &Thresholds) -> Vec<CapabilityRating> {
    Capability::ALL
        .into_iter()
        .filter_map(|c| {
            let of: Vec<&Obligation> = obs.iter().filter(|o| o.capability == c).collect();
            if !of.iter().any(|o| o.status.assessed()) {
                return None;
            }
            let count = |s: Status| of.iter().filter(|o| o.status == s).count() as u32;
            let comp = compliance::final_compliance(obs, |o| o.capability == c);
            let missed = count(Status::Missed);
            let limits = outcome_limits(rec, c, &of, th);
            let mut rating = th.rule(c).rate(comp, missed);
            if rating == Rating::P && !limits.is_empty() {
                rating = Rating::S;
            }
            Some(CapabilityRating {
                capability: c,
                rating,
                compliance: comp,
                obligations: of.len() as u32,
                on_time: count(Status::OnTime),
                late: count(Status::Late),
                missed,
                limits,
            })
        })
        .collect()
}

/// The outcome rules of the thresholds file that hold capability `c` at S
/// at best in this run, each as (English, Chinese) with the numbers:
/// containment — nodes cut off from HQ above a share of the WAN, infections
/// still rising hours after the first containment step finished; grading
/// and activation — more wrong-level gradings than allowed.
pub fn outcome_limits(
    rec: &RunRecord,
    c: Capability,
    of: &[&Obligation],
    th: &Thresholds,
) -> Vec<(String, String)> {
    let r = th.outcome_rules;
    let mut out = Vec::new();
    match c {
        Capability::Containment => {
            let cut = rec.totals.nodes_cut_off_max;
            if let Some(share) = r.containment_max_cut_off_share {
                let limit = share * rec.wan_nodes as f64;
                if f64::from(cut) > limit {
                    out.push((
                        format!(
                            "{} of {} WAN nodes were cut off from HQ at once (limit {:.1} %)",
                            thousands(u64::from(cut)),
                            thousands(rec.wan_nodes as u64),
                            share * 100.0
                        ),
                        format!(
                            "最多 {} 个节点（共 {} 个）同时与总局失联（上限 {:.1}%）",
                            thousands(u64::from(cut)),
                            thousands(rec.wan_nodes as u64),
                            share * 100.0
                        ),
                    ));
                }
            }
            let infected = rec.totals.total_infected_hosts > 0;
            let first_step = of
                .iter()
                .filter(|o| o.kind == "step")
                .filter_map(|o| o.done_min)
                .min_by(f64::total_cmp);
            if let (Some(h), true, Some(step)) =
                (r.containment_max_growth_hours, infected, first_step)
            {
                let grew_until = match super::outcomes::containment(rec) {
                    Some(m) => m,
                    None => rec.duration_min,
                };
                let hours = (grew_until - step) / 60.0;
                if hours > h {
                    out.push((
                        format!(
                            "infections kept rising {hours:.1} h after the first containment step finished (limit {h:.1} h)"
                        ),
                        format!("首个遏制步骤完成后感染仍持续上升 {hours:.1} 小时（上限 {h:.1} 小时）"),
                    ));
                }
            }
        }
        Capability::GradingActivation => {
            let wrong = of.iter().filter(|o| o.status == Status::WrongLevel).count() as u32;
            if let Some(k) = r.grading_max_wrong_level
                && wrong > k
            {
                out.push((
                    format!("{wrong} gradings chose the wrong level (limit {k})"),
                    format!("{wrong} 次定级错误（上限 {k} 次）"),
                ));
            }
        }
        _ => {}
    }
    out
}

fn is_problem(s: Status) -> bool {
    !matches!(s, Status::OnTime | Status::Pending | Status::NotDue)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// English and Chinese names of a tier's units.
pub fn tier_units(tier: &str) -> (String, String) {
    let (en, zh) = match tier {
        "hq" => ("HQ", "总局"),
        "provincial" => ("provincial bureaus", "省级税务局"),
        "prefecture" => ("prefecture-level bureaus", "市级税务局"),
        "county" => ("county-level bureaus", "县级税务局"),
        "grassroots" => ("grassroots tax offices", "基层税务所"),
        "external" => ("external partners", "外部单位"),
        other => return (other.to_owned(), other.to_owned()),
    };
    (en.to_owned(), zh.to_owned())
}

/// English (lower-case first letter) and Chinese names of a body.
fn body_names(rec: &RunRecord, id: &str) -> (String, String) {
    rec.meta
        .bodies
        .iter()
        .find(|b| b.id == id)
        .map(|b| (lower_first(&b.name_en), b.name_zh.clone()))
        .unwrap_or_else(|| (id.replace('_', " "), id.to_owned()))
}

/// The problem that cost most credit (ties: missed first, then the
/// longest delay, then the task id).
fn costliest<'a>(problems: &[&&'a Obligation]) -> Option<&'a Obligation> {
    let delay = |o: &Obligation| match (o.due_min, o.done_min) {
        (Some(d), Some(x)) => x - d,
        _ => 0.0,
    };
    problems.iter().map(|o| **o).min_by(|x, y| {
        (y.weight - y.credit)
            .total_cmp(&(x.weight - x.credit))
            .then((y.status == Status::Missed).cmp(&(x.status == Status::Missed)))
            .then(delay(y).total_cmp(&delay(x)))
            .then(x.task.cmp(&y.task))
    })
}

/// Minutes readably: `45 min` / `3.2 h`.
fn span(m: f64) -> (String, String) {
    if m < 120.0 {
        (format!("{m:.0} min"), format!("{m:.0} 分钟"))
    } else {
        (
            format!("{:.1} h", m / 60.0),
            format!("{:.1} 小时", m / 60.0),
        )
    }
}

/// The root cause of one problem as far as the record shows it: where it
/// happened and, from its task, whether it waited in the staff queue (the
/// time from when it arose to its start) or took long once started, was
/// never started, started before its predecessors, or graded another level.
pub fn root_cause(rec: &RunRecord, o: &Obligation) -> (String, String) {
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
    match o.status {
        Status::WrongLevel => {
            let expected = task
                .and_then(|t| t.expected_level.clone())
                .unwrap_or_default();
            (
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
        Status::OutOfOrder => (
            format!("{what_en} started before the steps the plan puts first (missing step order)"),
            format!("{what_zh}在预案规定的前序步骤完成前开始（未按步骤顺序）"),
        ),
        Status::Missed if task.is_none_or(|t| t.started.is_none()) => {
            if task.is_some_and(|t| t.state == "skipped") {
                (
                    format!("{what_en} was skipped: the team left the step out (not done at all)"),
                    format!("{what_zh}被跳过：该小组漏做了这一步（完全未执行）"),
                )
            } else {
                (
                    format!(
                        "{what_en} was never started by the end of the run: no one picked it up"
                    ),
                    format!("{what_zh}至运行结束仍未开始：无人承接"),
                )
            }
        }
        _ => {
            let Some(t) = task else {
                return (what_en, what_zh);
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
                (
                    format!(
                        "{what_en} waited {w_en} in the staff queue before it started, then took                          {k_en} (allowed {a_en} in all)"
                    ),
                    format!(
                        "{what_zh}在人员队列中等待 {w_zh} 才开始，办理用时 {k_zh}（时限共 {a_zh}）"
                    ),
                )
            } else {
                (
                    format!(
                        "{what_en} started after {w_en} but took {k_en} to do (allowed {a_en} in all)"
                    ),
                    format!("{what_zh}等待 {w_zh} 后开始，但办理用时 {k_zh}（时限共 {a_zh}）"),
                )
            }
        }
    }
}

/// English and Chinese names of a node (its id if unknown).
fn node_names(rec: &RunRecord, id: &str) -> (String, String) {
    rec.meta
        .nodes
        .iter()
        .find(|n| n.id == id)
        .map(|n| (n.name_en.clone(), n.name_zh.clone()))
        .unwrap_or_else(|| (id.to_owned(), id.to_owned()))
}

/// The (unit, body) with most of `problems` (ties: the first in sorted
/// order), its count, and the clause most of its problems cite (ties: the
/// first in sorted order).
fn top_unit<'a>(problems: &[&&'a Obligation]) -> Option<(&'a str, &'a str, usize, &'a str)> {
    let mut by: std::collections::BTreeMap<(&str, &str), Vec<&str>> = Default::default();
    for o in problems {
        by.entry((o.unit.as_str(), o.body.as_str()))
            .or_default()
            .push(o.clause.as_str());
    }
    let ((unit, body), clauses) = by.into_iter().fold(
        None::<((&str, &str), Vec<&str>)>,
        |best, (k, v)| match best {
            Some((_, ref bv)) if bv.len() >= v.len() => best,
            _ => Some((k, v)),
        },
    )?;
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for c in &clauses {
        *counts.entry(c).or_default() += 1;
    }
    let clause = counts
        .into_iter()
        .fold(None::<(&str, usize)>, |best, (c, n)| match best {
            Some((_, bn)) if bn >= n => best,
            _ => Some((c, n)),
        })
        .map(|(c, _)| c)
        .unwrap_or("");
    Some((unit, body, clauses.len(), clause))
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Index of the largest count; ties go to the earliest.
fn argmax(counts: &[u32]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, &c) in counts.iter().enumerate() {
        if c > 0 && best.is_none_or(|b| c > counts[b]) {
            best = Some(i);
        }
    }
    best
}

/// The problem that dominates a capability's deviations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Problem {
    Missed,
    Late,
    WrongLevel,
    OutOfOrder,
    None,
}

pub fn findings(
    rec: &RunRecord,
    obs: &[Obligation],
    ratings: &[CapabilityRating],
    tiers: &[String],
    bodies: &[String],
    th: &Thresholds,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in ratings {
        let c = r.capability;
        let of: Vec<&Obligation> = obs
            .iter()
            .filter(|o| o.capability == c && o.status.assessed())
            .collect();
        let n = of.len();
        let count = |s: Status| of.iter().filter(|o| o.status == s).count();
        let (on_time, late, missed) = (
            count(Status::OnTime),
            count(Status::Late),
            count(Status::Missed),
        );
        let (ooo, wrong_level, wrong_actor) = (
            count(Status::OutOfOrder),
            count(Status::WrongLevel),
            count(Status::WrongActor),
        );
        let pending = obs
            .iter()
            .filter(|o| o.capability == c && o.status == Status::Pending)
            .count();
        let problems: Vec<&&Obligation> = of.iter().filter(|o| is_problem(o.status)).collect();
        let med_late = median(
            of.iter()
                .filter(|o| o.status == Status::Late)
                .filter_map(|o| Some(o.done_min? - o.due_min?))
                .collect(),
        );

        // Owner: most late or missed; else most deviations; else most obligations.
        let body_idx = |o: &Obligation| bodies.iter().position(|b| *b == o.body).unwrap_or(0);
        let tally = |keep: &dyn Fn(&Obligation) -> bool| {
            let mut v = vec![0u32; bodies.len()];
            for o in of.iter().filter(|o| keep(o)) {
                v[body_idx(o)] += 1;
            }
            v
        };
        let owner_i = argmax(&tally(&|o| {
            matches!(o.status, Status::Late | Status::Missed)
        }))
        .or_else(|| argmax(&tally(&|o| is_problem(o.status))))
        .or_else(|| argmax(&tally(&|_| true)))
        .unwrap_or(0);
        let owner = bodies.get(owner_i).cloned().unwrap_or_default();
        let (owner_en, owner_zh) = body_names(rec, &owner);

        // The (tier, body) with most problems.
        let mut pair = vec![0u32; tiers.len() * bodies.len().max(1)];
        for o in &problems {
            let t = tiers.iter().position(|x| *x == o.tier).unwrap_or(0);
            pair[t * bodies.len() + body_idx(o)] += 1;
        }
        let top = argmax(&pair).map(|i| (i / bodies.len(), i % bodies.len(), pair[i]));

        let (cap_en, cap_zh) = (c.name_en(), c.name_zh());
        let mut en =
            format!("{n} {cap_en} obligations were assessed: {on_time} on time, {late} late");
        let mut zh = format!("{n} 项{cap_zh}义务中：按时完成 {on_time} 项，逾期 {late} 项");
        if let Some(m) = med_late {
            en += &format!(" (median {m:.1} min late)");
            zh += &format!("（逾期时长中位数 {m:.1} 分钟）");
        }
        en += &format!(", {missed} missed");
        zh += &format!("，未完成 {missed} 项");
        if wrong_level > 0 {
            en += &format!(", {wrong_level} graded at the wrong level");
            zh += &format!("，定级错误 {wrong_level} 项");
        }
        if ooo > 0 {
            en += &format!(", {ooo} out of order");
            zh += &format!("，未按顺序执行 {ooo} 项");
        }
        if wrong_actor > 0 {
            en += &format!(", {wrong_actor} done by another unit");
            zh += &format!("，由非指定单位执行 {wrong_actor} 项");
        }
        en += &format!(
            "; compliance {:.1} % (rated {})",
            r.compliance,
            r.rating.as_str()
        );
        zh += &format!(
            "；符合率 {:.1}%（评定 {}）",
            r.compliance,
            r.rating.as_str()
        );
        if pending > 0 {
            en += &format!("; {pending} more were still pending when the run ended");
            zh += &format!("；另有 {pending} 项在演练结束时尚未到期");
        }
        en += ".";
        zh += "。";
        if let Some((t, b, k)) = top {
            let (tier_en, tier_zh) = tier_units(&tiers[t]);
            let (b_en, b_zh) = body_names(rec, &bodies[b]);
            let p = problems.len();
            en += &format!(
                " {k} of the {p} late, missed or deviating obligations fall to the {b_en} of {tier_en}."
            );
            zh += &format!("其中{tier_zh}{b_zh}占 {k} 项（共 {p} 项逾期、未完成或存在偏差）。");
        }
        // The one unit (and body) with most problems, and the clause most of
        // them cite.
        if let Some((unit, body, k, clause)) = top_unit(&problems).filter(|t| t.2 >= 2) {
            let (u_en, u_zh) = node_names(rec, unit);
            let (b_en, b_zh) = body_names(rec, body);
            let p = problems.len();
            en += &format!(" Most at one unit: {u_en}, {b_en}: {k} of {p}, clause {clause}.");
            zh += &format!("问题最集中的单位：{u_zh}{b_zh}，{k} 项（共 {p} 项），条款：{clause}。");
        }
        for (l_en, l_zh) in &r.limits {
            en += &format!(" Held at S by the outcome: {l_en}.");
            zh += &format!("因结果指标评定至多为 S：{l_zh}。");
        }

        let dominant = [
            (missed, Problem::Missed),
            (late, Problem::Late),
            (wrong_level, Problem::WrongLevel),
            (ooo, Problem::OutOfOrder),
        ]
        .into_iter()
        .filter(|(k, _)| *k > 0)
        .fold(None::<(usize, Problem)>, |best, (k, p)| match best {
            Some((bk, _)) if bk >= k => best,
            _ => Some((k, p)),
        })
        .map(|(_, p)| p)
        .unwrap_or(Problem::None);
        let strength = r.rating == Rating::P;
        let (action_en, action_zh) = if strength {
            (
                format!(
                    "Sustain: record the {cap_en} practice of the {owner_en} as a reference \
                     procedure and keep it in the annual comprehensive drill."
                ),
                format!("保持：将{owner_zh}的{cap_zh}做法固化为标准流程，纳入年度综合演练。"),
            )
        } else {
            corrective_action(c, dominant, &owner_en, &owner_zh)
        };
        // Who owns the fix and why, as far as the record shows.
        let worst = costliest(&problems);
        let owner_o = top_unit(&problems)
            .filter(|t| t.2 >= 2)
            .and_then(|(u, b, _, _)| problems.iter().find(|o| o.unit == u && o.body == b))
            .map(|o| **o)
            .or(worst);
        let (owner, owner_unit) = match (strength, owner_o) {
            (false, Some(o)) => (o.body.clone(), o.unit.clone()),
            _ => (owner, String::new()),
        };
        // The root cause: the owning unit's costliest problem.
        let own: Vec<&&Obligation> = problems
            .iter()
            .filter(|o| o.unit == owner_unit && o.body == owner)
            .copied()
            .collect();
        let (mut root_en, mut root_zh) = match (strength, costliest(&own)) {
            (false, Some(o)) => root_cause(rec, o),
            _ => (String::new(), String::new()),
        };
        for (l_en, l_zh) in &r.limits {
            if !root_en.is_empty() {
                root_en += "; ";
                root_zh += "；";
            }
            root_en += &format!("outcome: {l_en}");
            root_zh += &format!("结果指标：{l_zh}");
        }
        out.push(Finding {
            capability: c,
            strength,
            text_en: en,
            text_zh: zh,
            action_en,
            action_zh,
            owner,
            due_days: th.due_days(r.rating),
            owner_unit,
            root_en,
            root_zh,
        });
    }
    out
}

fn corrective_action(
    c: Capability,
    p: Problem,
    owner_en: &str,
    owner_zh: &str,
) -> (String, String) {
    let (base_en, base_zh) = match c {
        Capability::DetectionReporting => (
            format!(
                "Re-brief the {owner_en} at every tier on the reporting chain and its deadlines \
                 (phone report within 30 minutes, written report within 2 hours, level Ⅱ and \
                 above to the national authority within 1 hour); keep report templates and the \
                 upward contact list at each duty post"
            ),
            format!(
                "对各级{owner_zh}重新培训报告链路和时限（30分钟内电话报告、2小时内书面报告、Ⅱ级及以上\
                 1小时内报国家主管部门），在各值班岗位配备报告模板和上级联系表"
            ),
        ),
        Capability::GradingActivation => (
            format!(
                "Train the {owner_en} on the four-level grading criteria (scope, severity, \
                 urgency) with worked examples, and pre-authorise starting the response at the \
                 graded level"
            ),
            format!(
                "以案例培训{owner_zh}掌握四级定级标准（影响范围、严重程度、紧急程度），并预先授权按所定\
                 级别启动应急响应"
            ),
        ),
        Capability::Containment => (
            format!(
                "Pre-authorise the {owner_en} to isolate infected segments and block attack \
                 traffic at gateways without waiting for further approval; keep isolation \
                 runbooks and access-control templates ready"
            ),
            format!(
                "预先授权{owner_zh}无需逐级审批即可隔离受感染网段、在网关阻断攻击流量；备好隔离操作手册\
                 和访问控制模板"
            ),
        ),
        Capability::EradicationRecovery => (
            format!(
                "Keep patch baselines, cleaning tools and tested backups at every site, and make \
                 restore checks part of the {owner_en}'s routine"
            ),
            format!(
                "在各站点储备补丁基线、查杀工具和经验证的备份，并将恢复验证纳入{owner_zh}日常工作"
            ),
        ),
        Capability::Communication => (
            format!(
                "Prepare notices for taxpayers and internal users (service halls, the 12366 \
                 hotline, websites) in advance and name who in the {owner_en} issues them"
            ),
            format!(
                "预先准备面向纳税人和内部用户的通知模板（办税服务厅、12366热线、网站），并明确{owner_zh}\
                 中的发布责任人"
            ),
        ),
        Capability::PostIncident => (
            format!(
                "Schedule the investigation, evaluation and summary report as tasks with owners \
                 and deadlines in the {owner_en}'s work plan"
            ),
            format!("将调查、评估和总结报告作为有责任人和期限的任务列入{owner_zh}工作计划"),
        ),
    };
    let (add_en, add_zh) = match (c, p) {
        (Capability::GradingActivation, Problem::WrongLevel) => (
            "; add a second-person check of the level before it is announced",
            "；定级结果发布前增加双人复核",
        ),
        (_, Problem::WrongLevel) => (
            "; check the grading criteria before acting",
            "；行动前核对定级标准",
        ),
        (_, Problem::OutOfOrder) => (
            "; enforce the plan's step order with a checklist (isolate, remove the malware and \
             patch before restoring data)",
            "；以核对清单落实预案步骤顺序（先隔离、清除病毒、修补漏洞，再恢复数据）",
        ),
        (_, Problem::Missed) => (
            "; track every required action to completion on the duty log, with a named person \
             per site",
            "；在值班记录中跟踪每项规定动作直至完成，并为每个站点指定责任人",
        ),
        (_, Problem::Late) => (
            "; rehearse these actions against their deadlines and add staff or supplier support \
             where they ran late",
            "；按时限演练上述动作，对超时环节增配人员或供应商支持",
        ),
        (_, Problem::None) => ("", ""),
    };
    (
        format!("{base_en}{add_en}."),
        format!("{base_zh}{add_zh}。"),
    )
}
