//! After the network horizon: the teams' paperwork runs to completion.
//!
//! The scenario's horizon (e.g. 72 h) bounds the network simulation, but the
//! plan's post-incident work (evaluation within 7 days of the end, the
//! summary report within 30) lies beyond it. Once the last tick is done,
//! [`Response::paperwork`] keeps the teams working, event by event on the
//! agenda and without simulating the network (no worm, no outages, no
//! timeline rows), on the incidents whose response has ended: their tasks
//! start, finish and are recorded at their real minutes past the horizon.
//!
//! An incident still open at the horizon is frozen as it stood: its ready
//! tasks do not start, its running tasks only free their staff when they
//! would have finished, and its post-incident obligations (the steps due
//! from the end of the response, and evaluation or summary steps not yet
//! done nor overdue) are recorded as `not_due` with a `response_open` event
//! that says why — they cannot fall due before the response ends.

use super::{Decision, Response, StepSource, Task, TaskKind, TaskState};
use crate::engine::agenda::{Action, Agenda};
use crate::engine::net::Net;
use crate::engine::record::{EventKind, RunRecord};
use crate::engine::worm::WormRes;
use crate::model::plan::{DeadlineFrom, StepAction, StepScope};
use crate::model::topology::Topology;

/// Safety bound on the epilogue's rounds (each finishes at least one task
/// or ends the loop; a plan has far fewer).
const MAX_ROUNDS: usize = 1_000_000;

impl Response {
    /// Runs the ended incidents' remaining tasks to completion after the
    /// horizon `horizon`; records the open incidents' post-incident
    /// obligations as not due.
    pub fn paperwork(
        &mut self,
        horizon: f64,
        topo: &Topology,
        net: &mut Net,
        worm: &mut WormRes,
        agenda: &mut Agenda,
        rec: &mut RunRecord,
    ) {
        let open: Vec<bool> = self.incidents.iter().map(|i| i.ended.is_none()).collect();
        let frozen = |tasks: &[Task], id: usize| open[tasks[id].incident];
        // Open incidents stand still: their ready tasks never start.
        let tasks = &self.tasks;
        for q in self.queues.values_mut() {
            q.retain(|&id| !frozen(tasks, id));
        }
        self.ready_free.retain(|&id| !frozen(tasks, id));
        let mut now = horizon;
        let mut flipped = Vec::new();
        let mut changed = Vec::new();
        for _ in 0..MAX_ROUNDS {
            // 24-hour duty ends with the response: the paperwork of ended
            // responses is office work (a still-open one keeps its duty).
            self.on_duty = self.duty_at(now)
                || self
                    .incidents
                    .iter()
                    .any(|i| i.round_the_clock && i.ended.is_none());
            let worm_now = &*worm;
            for d in self.simulated_decisions(now, topo, net, worm_now) {
                match d {
                    Decision::Start {
                        task,
                        delay,
                        minutes,
                        level,
                        expected,
                    } => {
                        let at = now + delay.max(0.0);
                        self.tasks[task].expected = expected;
                        if self.start_task(task, at, level, topo, rec) {
                            agenda.push(at + minutes.max(0.0), Action::TaskDone(task));
                        }
                    }
                    Decision::Skip { task } => self.skip_task(task, now, topo, rec),
                }
            }
            let Some(next) = agenda.next_minute() else {
                break;
            };
            now = now.max(next);
            while let Some((m, action)) = agenda.pop_due(now) {
                // Past the horizon only the teams' work goes on (and the
                // drill log's, see `external`).
                if let Action::Logged(k) = action {
                    self.apply_logged(
                        k,
                        m,
                        topo,
                        net,
                        worm,
                        rec,
                        agenda,
                        &mut flipped,
                        &mut changed,
                    );
                    self.retry_external(m, agenda);
                    continue;
                }
                let Action::TaskDone(id) = action else {
                    continue;
                };
                if open[self.tasks[id].incident] {
                    self.free_staff(id);
                } else {
                    self.complete(id, m, topo, net, worm, rec, &mut flipped, &mut changed);
                    self.retry_external(m, agenda);
                }
            }
        }
        for (inc, &is_open) in open.iter().enumerate() {
            if is_open && self.incidents[inc].opened.is_some() {
                self.not_due(inc, horizon, topo, rec);
            }
        }
    }

    /// A frozen task's staff go back to their queue.
    fn free_staff(&mut self, id: usize) {
        let t = &self.tasks[id];
        if t.staff > 0 && t.started.is_some() {
            let key = (t.unit, self.plan.bodies[t.body].role);
            if let Some(b) = self.busy.get_mut(&key) {
                *b = b.saturating_sub(t.staff);
            }
            self.dirty_queues.insert(key);
        }
    }

    /// Incident `inc` is still open at the horizon: its post-incident
    /// obligations are recorded, not due.
    fn not_due(&mut self, inc: usize, horizon: f64, topo: &Topology, rec: &mut RunRecord) {
        let lead = self.incidents[inc]
            .activated
            .iter()
            .min_by_key(|a| (topo.nodes[a.1 as usize].tier, a.1))
            .map(|a| a.1)
            .or(self.incidents[inc].first_unit)
            .unwrap_or(topo.hq);
        let plan = self.plan.clone();
        let mut names = Vec::new();
        // Evaluation and summary steps the plan puts inside the response
        // (not counted from its end) wait for it too.
        for id in 0..self.tasks.len() {
            let t = &self.tasks[id];
            if t.incident != inc
                || matches!(t.state, TaskState::Done | TaskState::Skipped)
                || t.due.is_some_and(|d| d <= horizon)
            {
                continue;
            }
            if let TaskKind::Step { source, step } = t.kind
                && matches!(
                    self.step(source, step).action,
                    StepAction::Evaluate | StepAction::SummaryReport
                )
            {
                names.push(self.step(source, step).id.clone());
                self.tasks[id].state = TaskState::NotDue;
            }
        }
        for source in self.incidents[inc].sources.clone() {
            let steps = match source {
                StepSource::Procedure(p) => &plan.procedures[p].steps,
                StepSource::Special(s) => &plan.special_plans[s].steps,
                StepSource::Level(l) => &plan.levels[l].duties,
            };
            for (k, s) in steps.iter().enumerate() {
                if s.deadline_from != DeadlineFrom::End
                    || s.min_level
                        .is_some_and(|m| !self.incidents[inc].level.is_some_and(|l| l.at_least(m)))
                {
                    continue;
                }
                let unit = if s.scope == StepScope::National {
                    topo.hq
                } else {
                    lead
                };
                if self.incidents[inc]
                    .steps_made
                    .contains_key(&(unit, source, k))
                {
                    continue;
                }
                let id = self.tasks.len();
                self.tasks.push(Task {
                    id,
                    incident: inc,
                    kind: TaskKind::Step { source, step: k },
                    unit,
                    body: s.actor,
                    site: unit,
                    staff: s.staff,
                    created: horizon,
                    due: None,
                    started: None,
                    decided: None,
                    finished: None,
                    state: TaskState::NotDue,
                    deps_left: 0,
                    dependents: Vec::new(),
                    out_of_order: false,
                    jumps_order: false,
                    level: None,
                    expected: None,
                    logged: None,
                    wrong_actor: false,
                });
                self.incidents[inc].steps_made.insert((unit, source, k), id);
                names.push(s.id.clone());
            }
        }
        let end = &plan.end;
        rec.action(
            horizon,
            EventKind::ResponseOpen,
            Some(lead),
            self.actor(topo, lead, end.actor),
            &end.clause,
            format!(
                "incident {}: response still open at the end of the run; not due: {}",
                inc + 1,
                if names.is_empty() {
                    "-".to_string()
                } else {
                    names.join(", ")
                }
            ),
        );
    }
}
