//! A patch order over an area (an HQ-wide or a lead's `patch` step): the
//! order travels down the tiers and each unit patches its own computers.
//!
//! The unit that orders (HQ or the lead) prepares the order — the step's own
//! duration. Then, for every unit of its area with vulnerable computers, the
//! patch reaches the unit after its tier's `patch_distribution` time (teams
//! file; on disc or by download in 2002), and the unit's IT staff patch its
//! computers one after another at the tier's `patch_per_host` person-time,
//! shared by the staff on hand. A unit without IT staff of its own is served
//! by the nearest unit above it that has them (a county's staff go round its
//! collection units), which works through its units in turn. The rollout
//! ends when the last unit is done, so its length is at least
//! hosts × per-host time ÷ staff of every worker.
//!
//! The schedule is a pure function of the network, the teams file and the
//! worm's state when the order starts; each unit's patching lands on the
//! agenda at its exact minute.

use super::{Response, TaskId, TaskKind};
use crate::engine::worm::WormRes;
use crate::model::plan::{BodyRole, StepAction, StepScope};
use crate::model::topology::{NodeId, Tier, Topology};

/// When each unit of a rollout is patched.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rollout {
    /// (unit, minutes after the order is issued when its computers are
    /// patched), in the order the work is done.
    pub units: Vec<(NodeId, f64)>,
    /// Minutes from the order to the last unit patched.
    pub span_min: f64,
    /// Computers to patch.
    pub hosts: u64,
    /// Units doing the work (theirs or others').
    pub workers: u32,
    /// Σ staff of the units doing the work.
    pub staff: u32,
}

impl Response {
    /// Whether task `id` is a patch order over an area.
    pub fn is_rollout(&self, id: TaskId) -> bool {
        match self.tasks[id].kind {
            TaskKind::Step { source, step } => {
                let s = self.step(source, step);
                s.action == StepAction::Patch && s.scope != StepScope::Site
            }
            _ => false,
        }
    }

    /// The rollout of patch order `id` given the worm's state now.
    pub fn rollout(&mut self, id: TaskId, topo: &Topology, worm: &WormRes) -> Rollout {
        if worm.is_empty() {
            return Rollout::default();
        }
        let root = self.tasks[id].unit;
        let it = self
            .plan
            .body(BodyRole::InformationCentre)
            .or_else(|| self.plan.body(BodyRole::TechnicalSupport))
            .unwrap_or(self.tasks[id].body);
        let role = self.plan.bodies[it].role;
        // Per worker: minute its queue frees up, and whether counted.
        let mut free: Vec<f64> = vec![f64::NAN; topo.nodes.len()];
        let mut out = Rollout::default();
        for v in 0..topo.nodes.len() as NodeId {
            let node = &topo.nodes[v as usize];
            let s = worm.s_at(v as usize);
            if s == 0 || node.tier == Tier::External || !Self::is_ancestor_or_self(topo, root, v) {
                continue;
            }
            let r = self.responsible(topo, v, it);
            let rn = &topo.nodes[r as usize];
            let worker = self.teams.readiness(rn.tier, rn.province);
            let staff = worker.staff_of(role).max(1);
            let per_host = worker.patch_per_host_min * worker.skill;
            let arrives = self
                .teams
                .readiness(node.tier, node.province)
                .patch_distribution_min;
            if free[r as usize].is_nan() {
                free[r as usize] = 0.0;
                out.workers += 1;
                out.staff += staff;
            }
            let start = free[r as usize].max(arrives);
            let done = start + s as f64 * per_host / staff as f64;
            free[r as usize] = done;
            out.units.push((v, done));
            out.hosts += s as u64;
            out.span_min = out.span_min.max(done);
        }
        out
    }
}
