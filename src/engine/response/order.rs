//! Step order across scopes: which tasks a new step task waits for.
//!
//! A step's `after` names steps of the same list (procedure or special
//! plan). The engine honours it whatever the two steps' scopes:
//!
//! - a site step after a site step waits for that step at the same site;
//! - a unit step (lead or national scope) after a site step waits for that
//!   step at every site of the incident in the unit's area (its subtree; the
//!   whole country for HQ), including sites detected later while it has not
//!   started;
//! - a unit step after a unit step waits for it at the same unit, above it
//!   (an HQ order) or below it (the leads' steps);
//! - a site step after a unit step waits for that step at the units above
//!   the site, now or when it is made later while the site step has not
//!   started.
//!
//! Special plans run beside the incident's procedure. A special plan's step
//! that brings something back (restore service, restore data, rebuild) waits
//! at its site for what the procedure puts before its own step of the same
//! kind (or, if the procedure has none, for the procedure's containment and
//! eradication steps at that site): nothing is reconnected or restored before
//! what the plan puts first.
//!
//! A step whose prerequisite is never made (a step that does not run at the
//! incident's level, or does not apply at the site) does not wait for it;
//! `drillsim check` reports steps blocked by a level. Starting before a
//! prerequisite has finished is a deviation drawn from the teams'
//! probabilities (`p_out_of_order`), recorded as such at the start.

use std::collections::HashMap;

use super::{Response, StepSource, TaskId, TaskState};
use crate::model::plan::{Plan, Step, StepAction, StepScope};
use crate::model::topology::{NodeId, Topology};

/// Where a step task is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// A site step at this site.
    Site(NodeId),
    /// A lead or national step at this unit.
    Unit(NodeId),
}

/// Which tasks of a step a waiting task waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    /// The step's task at this site.
    Site(NodeId),
    /// The step's tasks at this unit or below it (sites in its area).
    Area(NodeId),
    /// The step's unit tasks at this site or a unit above it.
    Above(NodeId),
    /// The step's unit tasks at this unit, above it or below it (a lead's
    /// step after an HQ order, HQ's step after the leads').
    Related(NodeId),
}

/// Tasks waiting for tasks of a step that may be made later, by (source,
/// step, site for a same-site wait): the waiting task and how it matches.
pub type Waiters = HashMap<(StepSource, usize, Option<NodeId>), Vec<(TaskId, Filter)>>;

/// Actions that bring a site back.
pub fn restores(a: StepAction) -> bool {
    matches!(
        a,
        StepAction::RestoreService | StepAction::RestoreData | StepAction::Rebuild
    )
}

/// Actions that contain or eradicate (what comes before a restoration).
fn containment_or_eradication(a: StepAction) -> bool {
    matches!(
        a,
        StepAction::Isolate
            | StepAction::DisconnectSite
            | StepAction::CutAttackSource
            | StepAction::BlockAtGateways
            | StepAction::Clean
            | StepAction::Patch
            | StepAction::TakeDownContent
            | StepAction::Repair
    )
}

/// The steps of a procedure or special plan.
pub fn steps_of(plan: &Plan, source: StepSource) -> &[Step] {
    match source {
        StepSource::Procedure(p) => &plan.procedures[p].steps,
        StepSource::Special(s) => &plan.special_plans[s].steps,
        StepSource::Level(l) => &plan.levels[l].duties,
    }
}

/// Indexes of the steps that come before step `k` (transitively by `after`).
pub fn before(steps: &[Step], k: usize) -> Vec<usize> {
    let mut seen = vec![false; steps.len()];
    let mut stack: Vec<usize> = steps[k].after.clone();
    while let Some(j) = stack.pop() {
        if !seen[j] {
            seen[j] = true;
            stack.extend(steps[j].after.iter().copied());
        }
    }
    (0..steps.len()).filter(|&j| seen[j]).collect()
}

/// The procedure steps a special plan's restoring step waits for at its
/// site: what the procedure puts before its own step of that action, else
/// its containment and eradication site steps.
pub fn special_prerequisites(procedure: &[Step], action: StepAction) -> Vec<usize> {
    match procedure.iter().position(|p| p.action == action) {
        Some(k) => before(procedure, k)
            .into_iter()
            .filter(|&j| procedure[j].scope == StepScope::Site)
            .collect(),
        None => (0..procedure.len())
            .filter(|&j| {
                procedure[j].scope == StepScope::Site
                    && containment_or_eradication(procedure[j].action)
            })
            .collect(),
    }
}

impl Response {
    /// The tasks a new task of step `k` of `source`, placed at `at`, waits
    /// for now, and the (source, step, filter) of prerequisites it must
    /// also wait for if they are made later.
    pub(super) fn step_deps(
        &self,
        inc: usize,
        source: StepSource,
        k: usize,
        at: Placement,
        topo: &Topology,
    ) -> (Vec<TaskId>, Vec<(StepSource, usize, Filter)>) {
        let plan = &*self.plan;
        let steps = steps_of(plan, source);
        let mut wants: Vec<(StepSource, usize, Filter)> = Vec::new();
        for &a in &steps[k].after {
            let filter = match (steps[a].scope, at) {
                (StepScope::Site, Placement::Site(site)) => Filter::Site(site),
                (StepScope::Site, Placement::Unit(unit)) => Filter::Area(unit),
                (_, Placement::Unit(unit)) => Filter::Related(unit),
                (_, Placement::Site(site)) => Filter::Above(site),
            };
            wants.push((source, a, filter));
        }
        if let (StepSource::Special(_), Placement::Site(site)) = (source, at)
            && restores(steps[k].action)
        {
            for &src in &self.incidents[inc].sources {
                if let StepSource::Procedure(_) = src {
                    let proc_steps = steps_of(plan, src);
                    for j in special_prerequisites(proc_steps, steps[k].action) {
                        wants.push((src, j, Filter::Site(site)));
                    }
                }
            }
        }
        let mut deps = Vec::new();
        for &(src, a, filter) in &wants {
            for &d in self.incidents[inc]
                .by_step
                .get(&(src, a))
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                if self.matches(d, filter, topo) && !deps.contains(&d) {
                    deps.push(d);
                }
            }
        }
        (deps, wants)
    }

    fn matches(&self, d: TaskId, filter: Filter, topo: &Topology) -> bool {
        let t = &self.tasks[d];
        match filter {
            Filter::Site(site) => t.site == site,
            Filter::Area(unit) => Self::is_ancestor_or_self(topo, unit, t.site),
            Filter::Above(site) => Self::is_ancestor_or_self(topo, t.unit, site),
            Filter::Related(unit) => {
                Self::is_ancestor_or_self(topo, unit, t.unit)
                    || Self::is_ancestor_or_self(topo, t.unit, unit)
            }
        }
    }

    /// After task `id` of step `k` of `source` was made: remember it, make
    /// it wait for the prerequisites made later, and make the tasks already
    /// waiting for this step wait for it.
    pub(super) fn wire_step(
        &mut self,
        inc: usize,
        id: TaskId,
        source: StepSource,
        k: usize,
        wants: Vec<(StepSource, usize, Filter)>,
        topo: &Topology,
    ) {
        self.incidents[inc]
            .by_step
            .entry((source, k))
            .or_default()
            .push(id);
        for (src, step, filter) in wants {
            let at = match filter {
                Filter::Site(site) => Some(site),
                _ => None,
            };
            self.incidents[inc]
                .waiters
                .entry((src, step, at))
                .or_default()
                .push((id, filter));
        }
        let site = self.tasks[id].site;
        let mut waiting: Vec<TaskId> = Vec::new();
        for key in [(source, k, Some(site)), (source, k, None)] {
            if let Some(ws) = self.incidents[inc].waiters.get(&key) {
                waiting.extend(
                    ws.iter()
                        .filter(|&&(w, f)| w != id && self.matches(id, f, topo))
                        .map(|&(w, _)| w),
                );
            }
        }
        for w in waiting {
            self.add_dep(w, id);
        }
    }

    /// Task `w`, not started yet, now also waits for `d`.
    fn add_dep(&mut self, w: TaskId, d: TaskId) {
        if self.tasks[w].started.is_some()
            || !matches!(self.tasks[w].state, TaskState::Waiting | TaskState::Ready)
            || matches!(self.tasks[d].state, TaskState::Done | TaskState::Skipped)
            || self.tasks[d].dependents.contains(&w)
        {
            return;
        }
        self.tasks[w].deps_left += 1;
        self.tasks[d].dependents.push(w);
        if self.tasks[w].state == TaskState::Ready && !self.tasks[w].jumps_order {
            self.tasks[w].state = TaskState::Waiting;
            self.unqueue(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plan::{DeadlineFrom, StepDuration};

    fn step(id: &str, action: StepAction, scope: StepScope, after: Vec<usize>) -> Step {
        Step {
            id: id.into(),
            name_zh: String::new(),
            name_en: String::new(),
            action,
            actor: 0,
            scope,
            after,
            min_level: None,
            duration: StepDuration {
                median_min: 1.0,
                spread: 0.0,
                per_host_min: 0.0,
            },
            staff: 1,
            deadline_min: None,
            deadline_from: DeadlineFrom::Detection,
            clause: String::new(),
        }
    }

    #[test]
    fn special_restore_waits_for_what_the_procedure_puts_first() {
        use StepAction::*;
        use StepScope::*;
        let proc = vec![
            step("isolate", Isolate, Site, vec![]),
            step("clean", Clean, Site, vec![0]),
            step("patch", Patch, Site, vec![1]),
            step("investigate", Investigate, Lead, vec![0]),
            step("restore_service", RestoreService, Site, vec![2]),
        ];
        assert_eq!(special_prerequisites(&proc, RestoreService), vec![0, 1, 2]);
        // No restore_data in the procedure: its containment and eradication steps.
        assert_eq!(special_prerequisites(&proc, RestoreData), vec![0, 1, 2]);
        assert_eq!(before(&proc, 3), vec![0]);
        assert!(before(&proc, 0).is_empty());
    }
}
