//! The leads' duties: what a response level's lead and the bodies it
//! convenes do once the level starts.
//!
//! A plan level lists its duties (`levels[..].duties`: convene the command
//! headquarters, consult the expert group, issue public statements through
//! the information-release group, logistics, legal review, report to the
//! superior authority). When the level is activated at a lead unit, each
//! duty becomes a task of its actor body at that unit (or the nearest unit
//! above it where the body exists and has staff), with its deadline counted
//! from the activation (or the incident's detection), `after` among the
//! duties of the same level. A duty already started at the same lead unit
//! under another level (same id, action and actor, e.g. the command
//! headquarters' `convene` when Ⅱ is raised to Ⅰ) is not done twice.

use super::{Response, StepSource, TaskId, TaskKind};
use crate::model::plan::{DeadlineFrom, Level, Step, StepAction};
use crate::model::topology::{NodeId, Topology};

impl Response {
    /// The duties of `level` at `lead`, activated at minute `t`.
    pub(super) fn make_duties(
        &mut self,
        inc: usize,
        lead: NodeId,
        level: Level,
        t: f64,
        topo: &Topology,
    ) {
        let plan = self.plan.clone();
        let li = level.index();
        let source = StepSource::Level(li);
        for (k, d) in plan.levels[li].duties.iter().enumerate() {
            let key = (lead, source, k);
            if self.incidents[inc].steps_made.contains_key(&key) {
                continue;
            }
            // The same duty under another level at this lead covers it.
            if let Some(other) = self.duty_made(inc, lead, li, d) {
                self.incidents[inc].steps_made.insert(key, other);
                continue;
            }
            let unit = self.responsible(topo, lead, d.actor);
            let deps: Vec<TaskId> = d
                .after
                .iter()
                .filter_map(|&a| {
                    self.incidents[inc]
                        .steps_made
                        .get(&(lead, source, a))
                        .copied()
                })
                .collect();
            let due = d.deadline_min.and_then(|m| match d.deadline_from {
                DeadlineFrom::Activation => Some(t + m),
                DeadlineFrom::Detection => self.incidents[inc].opened.map(|o| o + m),
                // Rejected by the loader.
                DeadlineFrom::End => None,
            });
            let id = self.add_task(
                inc,
                TaskKind::Step { source, step: k },
                unit,
                d.actor,
                unit,
                d.staff,
                t,
                due,
                &deps,
            );
            self.incidents[inc].steps_made.insert(key, id);
        }
    }

    /// The task of the same duty (id, action and actor) made at `lead` under
    /// another level.
    fn duty_made(&self, inc: usize, lead: NodeId, li: usize, duty: &Step) -> Option<TaskId> {
        self.plan
            .levels
            .iter()
            .enumerate()
            .filter(|&(l, _)| l != li)
            .find_map(|(l, lvl)| {
                let k = lvl.duties.iter().position(|d| {
                    d.id == duty.id && d.action == duty.action && d.actor == duty.actor
                })?;
                self.incidents[inc]
                    .steps_made
                    .get(&(lead, StepSource::Level(l), k))
                    .copied()
            })
    }

    /// The detail of a finished duty (no effect on the network).
    pub(super) fn duty_detail(&self, s: &Step) -> String {
        match s.action {
            StepAction::Convene => "; command assembled".into(),
            StepAction::ConsultExperts => "; expert advice received".into(),
            StepAction::PublicStatement => "; statement issued".into(),
            StepAction::Logistics => "; supplies and support arranged".into(),
            StepAction::LegalReview => "; legal review done".into(),
            StepAction::ReportToSuperior => "; situation reported to the superior authority".into(),
            _ => String::new(),
        }
    }
}
