//! Restoring damaged data: `restore_data` runs only where a threat damaged
//! data (the damage model, `engine::damage`, says where), waits until its
//! site is up (power back, rebuilt), and brings the data back to the last
//! backup; it loses nothing itself.
//!
//! A site step that a site does not need (`restore_data` where nothing is
//! damaged or where another step list's `restore_data` already restores it,
//! `notify_users` where no public service runs, …) is not created
//! and is no obligation; the steps after it follow what it would have
//! followed, so the plan's order still holds (`restore_service` after
//! `restore_data` after `clean` waits for `clean`). If damage appears at a
//! site after its steps were made (a worm payload hitting more hosts), the
//! `restore_data` step is made then, and the steps after it that have not
//! started wait for it.

use super::{Response, StepSource, TaskId, TaskKind, TaskState};
use crate::engine::net::Net;
use crate::model::plan::{Step, StepAction};
use crate::model::topology::{NodeId, Topology};

impl Response {
    fn size_losses(&mut self) {
        if self.losses.damaged.len() < self.nodes {
            self.losses.damaged.resize(self.nodes, false);
            self.losses.restored_at.resize(self.nodes, f64::NAN);
        }
    }

    /// Whether `site` has damaged data not restored yet.
    pub fn has_damage(&self, site: NodeId) -> bool {
        self.losses
            .damaged
            .get(site as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Minute `site`'s data was last restored from backup.
    pub fn restored_at(&self, site: NodeId) -> Option<f64> {
        self.losses
            .restored_at
            .get(site as usize)
            .copied()
            .filter(|m| !m.is_nan())
    }

    /// The damage model: `site`'s data was damaged by scenario inject
    /// `inject` at minute `now`. If the incident has already seen the site,
    /// its `restore_data` step is made now.
    pub fn data_damaged(&mut self, site: NodeId, inject: usize, now: f64, topo: &Topology) {
        self.size_losses();
        self.losses.damaged[site as usize] = true;
        // The incident of the inject (a compound event is one incident).
        let inject = self.inject_group.get(inject).copied().unwrap_or(inject);
        let Some(inc) = self.incidents.iter().position(|i| i.inject == inject) else {
            return;
        };
        let Some(&(_, detected)) = self.incidents[inc].sites.iter().find(|s| s.0 == site) else {
            return;
        };
        // The steps after `restore_data` at this site that have not started
        // wait for it now: they registered for it when they were made (see
        // `order`), so making it is enough.
        for source in self.incidents[inc].sources.clone() {
            for k in 0..self.source_len(source) {
                if self.step(source, k).action == StepAction::RestoreData {
                    self.losses.passed.remove(&(inc, site, source, k));
                }
            }
        }
        self.make_site_steps(inc, site, detected, now, topo);
    }

    /// Whether incident `inc` already has a `restore_data` task at `site`
    /// (a procedure and a special plan both listing the step restore the
    /// same data once: the first made does it).
    pub(super) fn restore_made(&self, inc: usize, site: NodeId) -> bool {
        self.incidents[inc].sources.iter().any(|&source| {
            (0..self.source_len(source)).any(|k| {
                self.step(source, k).action == StepAction::RestoreData
                    && self.incidents[inc]
                        .site_steps
                        .contains_key(&(site, source, k))
            })
        })
    }

    /// Takes a ready task out of the queues (it waits again).
    pub(super) fn unqueue(&mut self, id: TaskId) {
        let t = &self.tasks[id];
        let key = (t.unit, self.plan.bodies[t.body].role);
        if let Some(q) = self.queues.get_mut(&key) {
            q.retain(|&x| x != id);
        }
        self.ready_free.retain(|&x| x != id);
        self.losses.held.retain(|&x| x != id);
    }

    fn source_len(&self, source: StepSource) -> usize {
        super::order::steps_of(&self.plan, source).len()
    }

    /// The tasks a site step follows at `site`: the steps it is `after`,
    /// and for a step not needed at this site, what that step would have
    /// followed.
    pub(super) fn site_step_deps(
        &self,
        inc: usize,
        site: NodeId,
        source: StepSource,
        s: &Step,
    ) -> Vec<TaskId> {
        let mut deps = Vec::new();
        for &a in &s.after {
            if let Some(&id) = self.incidents[inc].site_steps.get(&(site, source, a)) {
                deps.push(id);
            } else if let Some(ids) = self.losses.passed.get(&(inc, site, source, a)) {
                deps.extend(ids.iter().copied());
            }
        }
        deps.sort_unstable();
        deps.dedup();
        deps
    }

    /// Site step `k` is not needed at `site`: its dependents follow what it
    /// would have followed.
    pub(super) fn pass_step(
        &mut self,
        inc: usize,
        site: NodeId,
        source: StepSource,
        k: usize,
        s: &Step,
    ) {
        let deps = self.site_step_deps(inc, site, source, s);
        self.losses.passed.insert((inc, site, source, k), deps);
    }

    /// The effect of a finished `restore_data` at `site`: the damaged data
    /// is back as of the last backup (what was written since is lost to
    /// the threat, not to the restore).
    pub(super) fn restore_effect(&mut self, site: NodeId, t: f64) -> String {
        self.size_losses();
        if self.losses.damaged[site as usize] {
            self.losses.damaged[site as usize] = false;
            self.losses.restored_at[site as usize] = t;
            "; damaged data restored from the last backup".into()
        } else {
            "; no damaged data left to restore".into()
        }
    }

    /// Whether task `id` must wait because it restores data at a site that
    /// is down; if so it is held until the site is up.
    pub(super) fn hold_if_site_down(&mut self, id: TaskId, net: &Net) -> bool {
        let t = &self.tasks[id];
        let TaskKind::Step { source, step } = t.kind else {
            return false;
        };
        if self.step(source, step).action != StepAction::RestoreData || net.alive(t.site) {
            return false;
        }
        self.losses.held.push(id);
        true
    }

    /// Held `restore_data` tasks whose site is up again go back in the queues.
    pub(super) fn release_held(&mut self, net: &Net) {
        if self.losses.held.is_empty() {
            return;
        }
        let held = std::mem::take(&mut self.losses.held);
        for id in held {
            if self.tasks[id].state != TaskState::Ready {
                continue;
            }
            if net.alive(self.tasks[id].site) {
                self.enqueue(id);
            } else {
                self.losses.held.push(id);
            }
        }
    }
}
