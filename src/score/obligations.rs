//! Obligations: one per task of the response, with its status and credit.
//!
//! Every task the response created is a requirement of the plan. Status:
//! - `skipped` → [`Status::Missed`] (credit 0);
//! - done → [`Status::WrongActor`] when a drill log's action by another
//!   unit or body than the plan names did it (`done_by`), else
//!   [`Status::WrongLevel`] when a grade chose another level than
//!   its `expected_level`, else [`Status::OutOfOrder`] when started before
//!   the steps it follows, else [`Status::Late`] when finished after its
//!   deadline, else [`Status::OnTime`] (also when it has no deadline). The
//!   first matching deviation names the status; credit multiplies all that
//!   apply (late decay × wrong-actor × out-of-order × wrong-level factors, see
//!   [`super::thresholds`]); lateness stays visible as `done_min > due_min`;
//! - not done, deadline within the run (due ≤ run end) → [`Status::Missed`];
//! - not done, no deadline or a deadline after the run → [`Status::Pending`]
//!   (not counted in compliance);
//! - post-incident work of a response still open at the end of the run
//!   (task state `not_due`) → [`Status::NotDue`] (not counted either).
//!
//! Work done after the network horizon (the paperwork of ended responses,
//! see `engine::response::epilogue`) is scored at its real minutes.
//!
//! [`Status::WrongActor`] is never produced from a simulated run: the engine
//! only lets the unit the plan names do a task. It comes from drill logs
//! (`engine::response::external`), where an observer records that another
//! unit or body acted.

use std::collections::HashMap;

use super::thresholds::Thresholds;
use super::{Obligation, Status};
use crate::engine::record::{Interner, Text};
use crate::engine::{EventKind, RunRecord, TaskRecord};

/// Obligations of a run, in task order (`obligations[i].task == i` for the
/// engine's records).
pub fn obligations(rec: &RunRecord, th: &Thresholds) -> Vec<Obligation> {
    let end = rec.duration_min;
    // Units, sites and tiers repeat across thousands of obligations: each
    // text is stored once.
    let mut texts = Interner::default();
    rec.tasks
        .iter()
        .map(|t| obligation(rec, t, th, end, &mut texts))
        .collect()
}

fn node_id(rec: &RunRecord, v: u32, texts: &mut Interner) -> Text {
    match rec.meta.nodes.get(v as usize) {
        Some(n) => texts.get(&n.id),
        None => texts.get(&format!("#{v}")),
    }
}

fn obligation(
    rec: &RunRecord,
    t: &TaskRecord,
    th: &Thresholds,
    end: f64,
    texts: &mut Interner,
) -> Obligation {
    let done_min = if t.state == "done" { t.finished } else { None };
    let wrong_level = t.kind == "grade"
        && done_min.is_some()
        && t.expected_level.as_deref().is_some_and(|e| e != t.action);
    let (status, factor) = if t.state == "not_due" {
        (Status::NotDue, 0.0)
    } else if t.state == "skipped" {
        (Status::Missed, 0.0)
    } else if let Some(f) = done_min {
        let late = t.due.is_some_and(|d| f > d);
        let mut factor = t
            .due
            .map(|d| th.late_factor(t.created, d, f))
            .unwrap_or(1.0);
        if t.out_of_order {
            factor *= th.out_of_order;
        }
        if wrong_level {
            factor *= th.wrong_level;
        }
        let wrong_actor = t.done_by.is_some();
        if wrong_actor {
            factor *= th.wrong_actor;
        }
        let status = if wrong_actor {
            Status::WrongActor
        } else if wrong_level {
            Status::WrongLevel
        } else if t.out_of_order {
            Status::OutOfOrder
        } else if late {
            Status::Late
        } else {
            Status::OnTime
        };
        (status, factor)
    } else if t.due.is_some_and(|d| d <= end) {
        (Status::Missed, 0.0)
    } else {
        (Status::Pending, 0.0)
    };
    let weight = th.weight(&t.kind, &t.action);
    Obligation {
        task: t.id,
        incident: t.incident,
        kind: t.kind.clone(),
        name: t.name.clone(),
        action: t.action.clone(),
        capability: th.capability(&t.kind, &t.action),
        clause: t.clause.clone(),
        unit: node_id(rec, t.unit, texts),
        tier: texts.get(
            rec.meta
                .nodes
                .get(t.unit as usize)
                .map_or("", |n| n.tier.as_str()),
        ),
        body: t.body.clone(),
        site: node_id(rec, t.site, texts),
        trigger_min: t.created,
        due_min: t.due,
        done_min,
        status,
        weight,
        credit: weight * factor,
    }
}

/// When each obligation enters compliance ("due by t"): the earlier of its
/// deadline and the moment it was resolved (done, or skipped). Pending
/// obligations never enter (None). A skipped task's moment is its `skipped`
/// event (same unit, "<name> not done", the earliest at or after the trigger
/// not already claimed by another task); without one, its deadline, else its
/// trigger.
pub fn entry_minutes(rec: &RunRecord, obs: &[Obligation]) -> Vec<Option<f64>> {
    // (node, detail) → minutes of skipped events, in record order.
    let mut skips: HashMap<(u32, String), Vec<(f64, bool)>> = HashMap::new();
    for e in &rec.events {
        if e.kind == EventKind::Skipped
            && let Some(n) = e.node
        {
            skips
                .entry((n, e.detail.to_string()))
                .or_default()
                .push((e.minute, false));
        }
    }
    let mut out = Vec::with_capacity(obs.len());
    for (t, o) in rec.tasks.iter().zip(obs) {
        if !o.status.assessed() {
            out.push(None);
            continue;
        }
        let resolved = match o.done_min {
            Some(f) => Some(f),
            None if t.state == "skipped" => {
                let detail = format!("{} not done", t.name);
                skips
                    .get_mut(&(t.unit, detail))
                    .and_then(|v| {
                        v.iter_mut()
                            .filter(|(m, used)| !*used && *m >= t.created)
                            .min_by(|a, b| a.0.total_cmp(&b.0))
                    })
                    .map(|slot| {
                        slot.1 = true;
                        slot.0
                    })
            }
            None => None,
        };
        out.push(Some(match (o.due_min, resolved) {
            (Some(d), Some(r)) => d.min(r),
            (Some(d), None) => d,
            (None, Some(r)) => r,
            (None, None) => t.created,
        }));
    }
    out
}
