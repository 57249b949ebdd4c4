//! The simulated teams: one decision maker behind the [`Decision`] seam.
//!
//! Each tick they look at the ready tasks and decide, as real people do,
//! imperfectly: staff limits (two county technicians cannot isolate twenty
//! sites at once), skill, nights and weekends (call-out time unless on
//! heightened or round-the-clock duty), and the readiness file's chances of
//! being late, skipping a report or step, and grading one level too low.

use rand::RngExt;
use rand_distr::{Distribution, LogNormal};

use super::{Decision, Response, TaskId, TaskKind};
use crate::engine::net::Net;
use crate::engine::worm::WormRes;
use crate::model::plan::{ReportKind, StepAction, StepScope};
use crate::model::topology::Topology;

/// Median minutes for an emergency office to grade what it knows.
const GRADE_MIN: f64 = 5.0;
/// Log-normal σ of report, grading and assembly times.
const ADMIN_SPREAD: f64 = 0.4;

impl Response {
    /// This tick's decisions of the simulated teams.
    pub fn simulated_decisions(
        &mut self,
        now: f64,
        topo: &Topology,
        net: &Net,
        worm: &WormRes,
    ) -> Vec<Decision> {
        let mut out = Vec::new();
        // Data is restored only once its site is up (see `restore`).
        self.release_held(net);
        for id in std::mem::take(&mut self.ready_free) {
            if self.hold_if_site_down(id, net) {
                continue;
            }
            out.push(self.decide_one(id, now, topo, net, worm));
        }
        // Only queues with a new task or freed staff can move.
        for key in std::mem::take(&mut self.dirty_queues) {
            let (unit, role) = key;
            let node = &topo.nodes[unit as usize];
            let cap = self
                .teams
                .readiness(node.tier, node.province)
                .staff_of(role);
            while let Some(&id) = self.queues.get(&key).and_then(|q| q.front()) {
                let need = self.tasks[id].staff;
                let busy = self.busy.get(&key).copied().unwrap_or(0);
                // A task needing more staff than the unit has runs alone.
                let fits = busy + need <= cap || busy == 0;
                if !fits {
                    break;
                }
                if let Some(q) = self.queues.get_mut(&key) {
                    q.pop_front();
                }
                if self.hold_if_site_down(id, net) {
                    continue;
                }
                let d = self.decide_one(id, now, topo, net, worm);
                if matches!(d, Decision::Start { .. }) {
                    *self.busy.entry(key).or_insert(0) += need;
                }
                out.push(d);
            }
        }
        out
    }

    fn lognormal(&mut self, sigma: f64) -> f64 {
        if !self.spread || sigma <= 0.0 {
            return 1.0;
        }
        LogNormal::new(0.0, sigma)
            .map(|d| d.sample(&mut self.rng))
            .unwrap_or(1.0)
    }

    fn decide_one(
        &mut self,
        id: TaskId,
        now: f64,
        topo: &Topology,
        net: &Net,
        worm: &WormRes,
    ) -> Decision {
        let task = self.tasks[id].clone();
        let node = &topo.nodes[task.unit as usize];
        let readiness = self.teams.readiness(node.tier, node.province).clone();
        let dev = self.teams.deviations.clone();
        let mut level = None;
        let mut expected = None;
        let mut minutes = match task.kind {
            TaskKind::Report { rule, .. } => {
                if self.rng.random::<f64>() < dev.p_skip_report {
                    return Decision::Skip { task: id };
                }
                let written = self.plan.reporting[rule].kind == ReportKind::Written;
                readiness.report_min
                    * if written { 4.0 } else { 1.0 }
                    * self.lognormal(ADMIN_SPREAD)
            }
            TaskKind::Grade => {
                let facts = self.facts(task.incident, task.unit, now, topo, net, worm);
                let mut l = self.plan.grading.grade(&facts);
                // A level once graded is kept while the response runs: a
                // re-grade raises it when the facts call for more and never
                // lowers it (the plans have no rule for lowering a level).
                let current = self.incidents[task.incident]
                    .graded
                    .get(&task.unit)
                    .map(|g| g.0);
                if let Some(c) = current {
                    l = l.min(c);
                }
                expected = Some(l);
                if self.rng.random::<f64>() < dev.p_wrong_level {
                    l = l.down();
                }
                if let Some(c) = current {
                    l = l.min(c);
                }
                level = Some(l);
                GRADE_MIN * self.lognormal(ADMIN_SPREAD)
            }
            TaskKind::Activate { .. } => readiness.assembly_min * self.lognormal(ADMIN_SPREAD),
            TaskKind::Step { source, step } => {
                let s = self.step(source, step).clone();
                // Bringing a site back (reconnect, repair, rebuild, fail over,
                // restore damaged data) can be late but is never forgotten: a
                // skipped restoration would leave a site down or its data
                // missing for good, which no team does.
                let restores = matches!(
                    s.action,
                    StepAction::RestoreService
                        | StepAction::Repair
                        | StepAction::Rebuild
                        | StepAction::SwitchToBackup
                        | StepAction::RestoreData
                );
                let skip = self.rng.random::<f64>() < dev.p_skip_step;
                if skip && !restores {
                    return Decision::Skip { task: id };
                }
                let site = task.site as usize;
                let site_node = &topo.nodes[site];
                let site_ready = self.teams.readiness(site_node.tier, site_node.province);
                let wide = s.scope != StepScope::Site;
                let any = !worm.is_empty();
                let per_host_hosts = match s.action {
                    StepAction::Clean if any => worm.i_at(site) as f64,
                    StepAction::Patch if any && !wide => worm.s_at(site) as f64,
                    StepAction::RestoreData | StepAction::Rebuild => site_node.hosts as f64,
                    _ => 0.0,
                };
                let base = match s.action {
                    StepAction::Repair => {
                        // The scenario's word on spares at this site, else the teams file's.
                        let (spare, replacement) = self
                            .spares
                            .iter()
                            .find(|s| s.0 == task.site)
                            .map_or((None, None), |s| (s.1, s.2));
                        if spare.unwrap_or(site_ready.spare_equipment) {
                            60.0 * site_ready.repair_hours
                        } else {
                            replacement.unwrap_or(60.0 * site_ready.supplier_repair_hours)
                        }
                    }
                    _ => s.duration.median_min,
                };
                let spread = s.duration.spread;
                // Per-host time is person-time, shared by the step's staff.
                let per_host = s.duration.per_host_min * per_host_hosts / s.staff.max(1) as f64;
                // A patch order over an area: preparing it, then the rollout
                // by every unit's own staff (see `rollout`).
                let rollout = if s.action == StepAction::Patch && wide {
                    self.rollout(id, topo, worm).span_min
                } else {
                    0.0
                };
                (base * self.lognormal(spread) + per_host) * readiness.skill + rollout
            }
        };
        // Off hours the unit's staff are called in first (duty.rs).
        let wait = self.callout_wait(task.unit, task.body, task.kind, now);
        // Teams pace themselves to their deadline: part of the slack goes
        // before the start.
        let mut delay = wait;
        if let Some(due) = task.due {
            let slack = due - now - wait - minutes;
            if slack > 0.0 && dev.slack_use > 0.0 {
                delay += self.rng.random::<f64>() * dev.slack_use * slack;
            }
        }
        if self.rng.random::<f64>() < dev.p_late {
            minutes *= dev.late_factor;
        }
        Decision::Start {
            task: id,
            delay,
            minutes,
            level,
            expected,
        }
    }
}
