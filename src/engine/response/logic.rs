//! The plan logic: what the plan requires when something happens.
//!
//! Detection opens an incident and the site's steps; a unit that learns of
//! an incident grades it; a grade calls for reports (per the reporting rules
//! of the unit's tier and level) and for activation by the body the plan
//! names; activation starts the lead's steps and HQ-wide orders; finished
//! steps change the network; a contained incident ends with evaluation and
//! the summary report.

use rand::RngExt;

use super::{Incident, Response, StepSource, Task, TaskId, TaskKind, TaskState, order};
use crate::engine::net::Net;
use crate::engine::record::{EventKind, RunRecord, TaskRecord};
use crate::engine::worm::{Worm, WormRes};

/// Whether worm `w` belongs to incident `inc` (its inject, or the compound
/// event its inject is part of).
fn worm_of(group: &[usize], w: &Worm, incident_inject: usize) -> bool {
    group.get(w.inject).copied().unwrap_or(w.inject) == incident_inject
}
use crate::model::plan::{
    BodyId, BodyRole, DeadlineFrom, Facts, LeadAt, Level, ReportKind, ReportTo, Step, StepAction,
    StepScope, ThreatKind,
};
use crate::model::topology::{LinkId, LinkKind, NodeId, ServiceKind, Tier, Topology};

impl Response {
    // ----- helpers -----------------------------------------------------------

    /// Whether the plan's body `b` exists at `tier`.
    fn body_exists(&self, b: BodyId, tier: Tier) -> bool {
        self.plan.bodies[b].tiers.contains(&tier)
    }

    /// The unit that acts for body `b` at site `v`: the nearest unit, `v` or
    /// an ancestor, where the body exists and has staff (属地为主: the local
    /// unit first). Falls back to the nearest where the body exists, then HQ.
    pub fn responsible(&mut self, topo: &Topology, v: NodeId, b: BodyId) -> NodeId {
        if self.responsible_memo.len() <= b {
            self.responsible_memo.resize(b + 1, Vec::new());
        }
        if self.responsible_memo[b].is_empty() {
            self.responsible_memo[b] = vec![u32::MAX; topo.nodes.len()];
        }
        let memo = self.responsible_memo[b][v as usize];
        if memo != u32::MAX {
            return memo;
        }
        let u = self.find_responsible(topo, v, b);
        self.responsible_memo[b][v as usize] = u;
        u
    }

    fn find_responsible(&self, topo: &Topology, v: NodeId, b: BodyId) -> NodeId {
        let role = self.plan.bodies[b].role;
        let mut fallback = None;
        let mut x = Some(v);
        while let Some(u) = x {
            let node = &topo.nodes[u as usize];
            if self.body_exists(b, node.tier) {
                if self
                    .teams
                    .readiness(node.tier, node.province)
                    .staff_of(role)
                    > 0
                {
                    return u;
                }
                fallback.get_or_insert(u);
            }
            x = node.parent;
        }
        fallback.unwrap_or(topo.hq)
    }

    /// The emergency office body (first recipient of reports).
    pub(super) fn office(&self) -> BodyId {
        self.plan
            .body(BodyRole::EmergencyOffice)
            .or_else(|| self.plan.body(BodyRole::LeadershipGroup))
            .unwrap_or(0)
    }

    /// The body that watches the network (information centre, else technical support).
    pub(super) fn monitor(&self) -> BodyId {
        self.plan
            .body(BodyRole::InformationCentre)
            .or_else(|| self.plan.body(BodyRole::TechnicalSupport))
            .unwrap_or_else(|| self.office())
    }

    pub fn actor(&self, topo: &Topology, unit: NodeId, body: BodyId) -> String {
        format!(
            "{} {}",
            topo.nodes[unit as usize].id, self.plan.bodies[body].id
        )
    }

    /// Whether `v` is `a` or below it in the tree.
    pub(super) fn is_ancestor_or_self(topo: &Topology, a: NodeId, mut v: NodeId) -> bool {
        loop {
            if a == v {
                return true;
            }
            match topo.nodes[v as usize].parent {
                Some(p) => v = p,
                None => return false,
            }
        }
    }

    /// Whether the calendar has staff on duty at minute `t` (see `duty.rs`).
    pub fn duty_at(&self, t: f64) -> bool {
        self.calendar_duty(t).on_duty()
    }

    // ----- incidents and detection ------------------------------------------

    fn incident_for(&mut self, inject: usize) -> Option<usize> {
        // One compound event (same label in the scenario) is one incident.
        let inject = self.inject_group.get(inject).copied().unwrap_or(inject);
        if let Some(i) = self.incidents.iter().position(|i| i.inject == inject) {
            return Some(i);
        }
        let threat = *self.inject_threats.get(inject)?;
        let class = self.plan.class_of(threat)?;
        let mut incident = Incident::new(inject, threat, class, self.nodes);
        if self.inject_group.iter().filter(|&&g| g == inject).count() > 1 {
            incident.shown = Some(Default::default());
        }
        self.incidents.push(incident);
        Some(self.incidents.len() - 1)
    }

    /// How visible the incident is at `v` now, 0–1: for a compound
    /// incident the strongest symptom among its threats that showed at `v`
    /// (a defaced page someone noticed is told at once even when the
    /// incident began as a worm with its slower symptom).
    fn symptom(&self, net: &Net, worm: &WormRes, v: NodeId, inc: usize) -> f64 {
        let i = &self.incidents[inc];
        match &i.shown {
            None => self.symptom_of(i.threat, net, worm, v, i.inject),
            Some(shown) => {
                let kinds = shown.get(&v).copied().unwrap_or(0);
                ThreatKind::ALL
                    .iter()
                    .filter(|&&k| kinds & (1 << k as u16) != 0)
                    .map(|&k| self.symptom_of(k, net, worm, v, i.inject))
                    .fold(0.0, f64::max)
            }
        }
    }

    /// How visible a threat of kind `threat` of incident `own` (its first
    /// inject) is at `v` now, 0–1.
    fn symptom_of(
        &self,
        threat: ThreatKind,
        net: &Net,
        worm: &WormRes,
        v: NodeId,
        own: usize,
    ) -> f64 {
        let vi = v as usize;
        match threat {
            ThreatKind::Worm => {
                // The incident's own worm(s) (one, unless grouped).
                let mut i = 0;
                let mut n = 0;
                for w in worm.iter() {
                    if worm_of(&self.inject_group, w, own) {
                        i += w.i[vi];
                        n = w.n[vi];
                    }
                }
                if i == 0 {
                    0.0
                } else if net.node_overloaded[vi] {
                    1.0
                } else {
                    // The share of the site's hosts scanning (LAN load, user
                    // complaints), plus their absolute number (IDS alerts
                    // and line load): 50 infected hosts are plain to see.
                    let i = i as f64;
                    (4.0 * i / n.max(1) as f64 + i / 50.0).min(1.0)
                }
            }
            // A flood's alarms, a leak's discovery (an audit finding, a
            // call from the police), an insider's audit finding and a
            // defaced or harmful page someone noticed (staff, a taxpayer's
            // call, the press) are told to the site outright [I]: the
            // symptom appears only when the threat model says someone
            // noticed, so the teams need not find it again.
            ThreatKind::DenialOfService
            | ThreatKind::DataLeak
            | ThreatKind::Insider
            | ThreatKind::Defacement
            | ThreatKind::HarmfulContent => 1.0,
            _ => {
                if !net.alive(v) || !net.reachable[vi] {
                    1.0
                } else {
                    // A cut line with the backup carrying traffic is still noticed.
                    0.3
                }
            }
        }
    }

    /// Observe phase.
    #[allow(clippy::too_many_arguments)]
    pub fn observe(
        &mut self,
        now: f64,
        dt: f64,
        topo: &Topology,
        net: &Net,
        worm: &WormRes,
        new: impl Iterator<Item = (NodeId, usize)>,
        rec: &mut RunRecord,
    ) {
        self.update_duty(now, rec);
        for (v, inject) in new {
            let Some(inc) = self.incident_for(inject) else {
                continue;
            };
            if let Some(shown) = self.incidents[inc].shown.as_mut()
                && let Some(&kind) = self.inject_threats.get(inject)
            {
                *shown.entry(v).or_insert(0) |= 1 << kind as u16;
            }
            self.watch_systems_at(inc, v, topo);
            if !self.incidents[inc].site_seen[v as usize] && self.watching.insert((v, inc)) {
                self.watch.push((v, inc));
                if let Some(ext) = self.external.as_mut() {
                    ext.dirty = true;
                }
            }
        }
        self.check_system_plans(now, topo, net);
        // Detection draws, in a stable order.
        let watch = std::mem::take(&mut self.watch);
        let mut keep = Vec::with_capacity(watch.len());
        let off = self.teams.roster.off_hours_detection;
        let monitor = self.monitor();
        for (v, inc) in watch {
            if self.incidents[inc].site_seen[v as usize] {
                self.watching.remove(&(v, inc));
                continue;
            }
            let strength = self.symptom(net, worm, v, inc);
            if strength <= 0.0 {
                self.watching.remove(&(v, inc));
                continue;
            }
            let mut observer = self.responsible(topo, v, monitor);
            if !net.alive(observer)
                && let Some(p) = topo.nodes[observer as usize].parent
            {
                observer = self.responsible(topo, p, monitor);
            }
            // A unit the external decision maker controls detects when its
            // log says so (see `external`), not by chance.
            if self
                .external
                .as_ref()
                .is_some_and(|e| e.control.covers(observer, monitor))
            {
                keep.push((v, inc));
                continue;
            }
            let node = &topo.nodes[observer as usize];
            let rate = self
                .teams
                .readiness(node.tier, node.province)
                .detection_per_hour
                * strength
                * if self.on_duty { 1.0 } else { off };
            // Taxpayers and the press notice a public service that is down.
            let site = &topo.nodes[v as usize];
            let external = if site
                .services
                .iter()
                .any(|&k| k.internet_facing() && !net.service_available(topo, v, k))
            {
                self.teams.roster.external_detection_per_hour
            } else {
                0.0
            };
            let p = 1.0 - (-(rate + external) * dt / 60.0).exp();
            if self.rng.random::<f64>() < p {
                self.watching.remove(&(v, inc));
                self.detect(inc, v, observer, monitor, now, topo, rec);
            } else {
                keep.push((v, inc));
            }
        }
        self.watch = keep;
        self.regrade_and_end(now, topo, net, worm, rec);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn detect(
        &mut self,
        inc: usize,
        site: NodeId,
        observer: NodeId,
        monitor: BodyId,
        now: f64,
        topo: &Topology,
        rec: &mut RunRecord,
    ) {
        let clause = "detect, then report at once to the emergency office: the flow every later plan in the \
             seed shares (e.g. the overall plan's 应急处置流程) [I: common reading]";
        let office = self.office();
        let unit = self.responsible(topo, site, office);
        let i = &mut self.incidents[inc];
        i.site_seen[site as usize] = true;
        i.sites.push((site, now));
        i.site_office.push(unit);
        let first = i.opened.is_none();
        if first {
            i.opened = Some(now);
            i.first_unit = Some(observer);
            i.province = topo.nodes[site as usize].province;
        }
        let actor = self.actor(topo, observer, monitor);
        if first {
            let class = &self.plan.classes[self.incidents[inc].class];
            rec.action(
                now,
                EventKind::IncidentOpened,
                Some(site),
                actor.clone(),
                &class.clause,
                format!(
                    "incident {} ({} {}) opened",
                    inc + 1,
                    class.code,
                    class.name_en
                ),
            );
        }
        rec.action(
            now,
            EventKind::Detection,
            Some(site),
            actor,
            clause,
            format!(
                "incident {}: symptom seen at {}",
                inc + 1,
                topo.nodes[site as usize].id
            ),
        );
        // A system-started special plan fits here: it may now apply at a
        // unit already leading (see `applies_at`).
        let system_plan_here = self.incidents[inc].sys_fit.iter().any(|&(s, _)| s == site);
        if self.add_sources(inc, site) || system_plan_here {
            // A special plan just started: its steps at the units already
            // leading, and HQ's orders.
            for (level, lead, _) in self.incidents[inc].activated.clone() {
                self.make_unit_steps(inc, lead, StepScope::Lead, level, now, topo);
            }
            if let Some(&(level, _)) = self.incidents[inc].graded.get(&topo.hq) {
                self.make_unit_steps(inc, topo.hq, StepScope::National, level, now, topo);
            }
        }
        self.make_site_steps(inc, site, now, now, topo);
        self.learn(inc, unit, now);
    }

    /// `unit` hears of incident `inc` (its own detection or a report).
    fn learn(&mut self, inc: usize, unit: NodeId, now: f64) {
        let i = &mut self.incidents[inc];
        if i.knows[unit as usize].is_nan() {
            i.knows[unit as usize] = now;
            i.knowers.push(unit);
        }
        if self.incidents[inc].graded.contains_key(&unit) {
            // Already graded: news from below is weighed at the next review
            // (this tick), and re-graded only if it calls for more.
            if !self.incidents[inc].review.contains(&unit) {
                self.incidents[inc].review.push(unit);
            }
        } else {
            self.ask_grade(inc, unit, now);
        }
    }

    pub(super) fn ask_grade(&mut self, inc: usize, unit: NodeId, now: f64) {
        if self.incidents[inc].grade_pending.insert(unit) {
            let office = self.office();
            self.add_task(inc, TaskKind::Grade, unit, office, unit, 0, now, None, &[]);
        }
    }

    /// What `unit` knows of incident `inc` now: the detected sites whose
    /// reports have reached it.
    pub fn facts(
        &self,
        inc: usize,
        unit: NodeId,
        now: f64,
        topo: &Topology,
        net: &Net,
        worm: &WormRes,
    ) -> Facts {
        let i = &self.incidents[inc];
        let mut f = Facts::default();
        let mut provinces: Vec<u16> = Vec::new();
        let mut earliest = f64::INFINITY;
        let mut portal = false;
        let mut core = false;
        let mut unreachable = 0u32;
        let mut cut_sites: Vec<NodeId> = Vec::new();
        for (&(s, at), &office_unit) in i.sites.iter().zip(&i.site_office) {
            let mut x = office_unit;
            let mut known = false;
            loop {
                if i.knows[x as usize].is_nan() {
                    break;
                }
                if x == unit {
                    known = true;
                    break;
                }
                match topo.nodes[x as usize].parent {
                    Some(p) => x = p,
                    None => break,
                }
            }
            if !known {
                continue;
            }
            let node = &topo.nodes[s as usize];
            f.nodes_affected += 1;
            if let Some(p) = node.province
                && !provinces.contains(&p)
            {
                provinces.push(p);
            }
            if f.highest_tier.is_none_or(|t| node.tier < t) {
                f.highest_tier = Some(node.tier);
            }
            // A worm incident counts its own worm(s); any other incident
            // the infected hosts of every worm at its sites.
            for w in worm.iter() {
                if i.threat != ThreatKind::Worm || worm_of(&self.inject_group, w, i.inject) {
                    f.hosts_infected += w.i[s as usize] as u64;
                }
            }
            for &k in &node.services {
                if !net.service_available(topo, s, k) {
                    f.services_down += 1;
                    earliest = earliest.min(at);
                    if k == ServiceKind::PublicWebsite && node.tier <= Tier::Provincial {
                        portal = true;
                    }
                    if k == ServiceKind::CoreTaxSystem {
                        core = true;
                    }
                }
            }
            if !net.reachable[s as usize] {
                unreachable += 1;
                cut_sites.push(s);
            }
        }
        f.provinces_affected = provinces.len() as u32;
        if f.nodes_affected > 0 {
            f.records_leaked = self
                .records_leaked
                .iter()
                .find(|&&(g, _)| g == i.inject)
                .map_or(0, |&(_, n)| n);
        }
        if f.services_down > 0 {
            f.service_down_hours = (now - earliest) / 60.0;
            if portal {
                f.portal_down_hours = f.service_down_hours;
            }
            if core {
                f.core_system_down_hours = f.service_down_hours;
            }
        }
        // HQ sees the whole network's reachability; others their known sites.
        // Elsewhere: the known sites cut off, and the units under them (a
        // provincial bureau whose core router failed knows its prefectures
        // and counties lost the WAN with it) [I].
        f.nodes_cut_off = if unit == topo.hq && f.nodes_affected > 0 {
            net.nodes_cut_off
        } else if cut_sites.is_empty() {
            unreachable
        } else {
            // Each cut site's subtree once (a cut site under another is
            // counted with it), walked down the tree's links.
            let mut n = 0u32;
            let mut stack = Vec::new();
            for &s in &cut_sites {
                let mut up = topo.nodes[s as usize].parent;
                let mut nested = false;
                while let Some(p) = up {
                    if cut_sites.contains(&p) {
                        nested = true;
                        break;
                    }
                    up = topo.nodes[p as usize].parent;
                }
                if nested {
                    continue;
                }
                stack.push(s);
                while let Some(v) = stack.pop() {
                    n += !net.reachable[v as usize] as u32;
                    let adj = topo.neighbours(v);
                    // Each child once, however many lines join it to `v`.
                    stack.extend(adj.iter().enumerate().filter_map(|(i, &(w, _))| {
                        (topo.nodes[w as usize].parent == Some(v)
                            && adj[..i].iter().all(|&(x, _)| x != w))
                        .then_some(w)
                    }));
                }
            }
            n
        };
        f
    }

    // ----- tasks ---------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    pub(super) fn add_task(
        &mut self,
        inc: usize,
        kind: TaskKind,
        unit: NodeId,
        body: BodyId,
        site: NodeId,
        staff: u32,
        now: f64,
        due: Option<f64>,
        deps: &[TaskId],
    ) -> TaskId {
        let id = self.tasks.len();
        let mut deps_left = 0;
        for &d in deps {
            if matches!(self.tasks[d].state, TaskState::Done | TaskState::Skipped) {
                continue;
            }
            deps_left += 1;
            self.tasks[d].dependents.push(id);
        }
        let jumps_order =
            deps_left > 0 && self.rng.random::<f64>() < self.teams.deviations.p_out_of_order;
        let ready = deps_left == 0 || jumps_order;
        self.tasks.push(Task {
            id,
            incident: inc,
            kind,
            unit,
            body,
            site,
            staff,
            created: now,
            due,
            started: None,
            decided: None,
            finished: None,
            state: if ready {
                TaskState::Ready
            } else {
                TaskState::Waiting
            },
            deps_left,
            dependents: Vec::new(),
            out_of_order: false,
            jumps_order,
            level: None,
            expected: None,
            logged: None,
            wrong_actor: false,
        });
        self.incidents[inc].open_tasks += 1;
        if ready {
            self.enqueue(id);
        }
        id
    }

    pub(super) fn enqueue(&mut self, id: TaskId) {
        let t = &self.tasks[id];
        // A body the external decision maker controls waits for its log.
        if let Some(ext) = self.external.as_mut()
            && ext.control.covers(t.unit, t.body)
        {
            ext.dirty = true;
            return;
        }
        if t.staff > 0 {
            let key = (t.unit, self.plan.bodies[t.body].role);
            // Earliest deadline first (no deadline last), then first come.
            let due = |t: &Task| t.due.unwrap_or(f64::INFINITY);
            let d = due(&self.tasks[id]);
            let tasks = &self.tasks;
            let q = self.queues.entry(key).or_default();
            let at = q.partition_point(|&o| due(&tasks[o]) <= d);
            q.insert(at, id);
            self.dirty_queues.insert(key);
        } else {
            self.ready_free.push(id);
        }
    }

    /// Act: a task starts.
    pub fn start_task(
        &mut self,
        id: TaskId,
        now: f64,
        level: Option<Level>,
        topo: &Topology,
        rec: &mut RunRecord,
    ) -> bool {
        let t = &mut self.tasks[id];
        if t.state != TaskState::Ready {
            return false;
        }
        t.state = TaskState::Running;
        t.started = Some(now);
        t.level = level;
        t.out_of_order = t.deps_left > 0;
        let waiting = t.deps_left;
        if let TaskKind::Step { source, step } = t.kind {
            let (unit, body, site) = (t.unit, t.body, t.site);
            let s = self.step(source, step);
            let mut detail = format!("{} at {}", s.id, topo.nodes[site as usize].id);
            if waiting > 0 {
                detail.push_str(&format!(
                    " (deviation: started before {waiting} prerequisite step(s) finished)"
                ));
            }
            let clause = s.clause.clone();
            rec.action(
                now,
                EventKind::StepStart,
                Some(site),
                self.actor(topo, unit, body),
                &clause,
                detail,
            );
        }
        true
    }

    /// Act: a task is skipped (a deviation).
    pub fn skip_task(&mut self, id: TaskId, now: f64, topo: &Topology, rec: &mut RunRecord) {
        if self.tasks[id].state != TaskState::Ready {
            return;
        }
        self.tasks[id].state = TaskState::Skipped;
        let clause = self.clause_of(id);
        let t = &self.tasks[id];
        rec.action(
            now,
            EventKind::Skipped,
            Some(t.site),
            self.actor(topo, t.unit, t.body),
            &clause,
            format!("{} not done", self.task_name(id)),
        );
        self.release(id);
    }

    /// Frees a finished or skipped task's staff and readies its dependents.
    fn release(&mut self, id: TaskId) {
        let (inc, unit, body, staff, started) = {
            let t = &self.tasks[id];
            (t.incident, t.unit, t.body, t.staff, t.started)
        };
        if staff > 0 && started.is_some() && self.tasks[id].logged.is_none() {
            let role = self.plan.bodies[body].role;
            if let Some(b) = self.busy.get_mut(&(unit, role)) {
                *b = b.saturating_sub(staff);
            }
            self.dirty_queues.insert((unit, role));
        }
        self.incidents[inc].open_tasks -= 1;
        let dependents = std::mem::take(&mut self.tasks[id].dependents);
        for d in &dependents {
            let t = &mut self.tasks[*d];
            t.deps_left = t.deps_left.saturating_sub(1);
            if t.deps_left == 0 && t.state == TaskState::Waiting {
                t.state = TaskState::Ready;
                self.enqueue(*d);
            }
        }
        self.tasks[id].dependents = dependents;
    }

    pub fn step(&self, source: StepSource, step: usize) -> &Step {
        &order::steps_of(&self.plan, source)[step]
    }

    /// Incident `group` (its first inject) is known to have leaked `n`
    /// records (a data leak, an exfiltration, an insider's copying): a fact
    /// for the graders from now on.
    pub fn set_records_leaked(&mut self, group: usize, n: u64) {
        match self.records_leaked.iter_mut().find(|(g, _)| *g == group) {
            Some(e) => e.1 = e.1.max(n),
            None => self.records_leaked.push((group, n)),
        }
    }

    /// A finished step task: its action, its site and its incident's
    /// inject (the first of a compound event). Threat models with state
    /// of their own react to these (`engine::threats`).
    pub fn finished_step(&self, id: TaskId) -> Option<(StepAction, NodeId, usize)> {
        let t = self.tasks.get(id)?;
        match t.kind {
            TaskKind::Step { source, step } if t.state == TaskState::Done => Some((
                self.step(source, step).action,
                t.site,
                self.incidents[t.incident].inject,
            )),
            _ => None,
        }
    }

    pub fn clause_of(&self, id: TaskId) -> String {
        let t = &self.tasks[id];
        match t.kind {
            TaskKind::Report { rule, .. } => self.plan.reporting[rule].clause.clone(),
            TaskKind::Grade => self.plan.grading.clause.clone(),
            TaskKind::Activate { level } => self.plan.level(level).clause.clone(),
            TaskKind::Step { source, step } => self.step(source, step).clause.clone(),
        }
    }

    pub fn task_name(&self, id: TaskId) -> String {
        let t = &self.tasks[id];
        match t.kind {
            TaskKind::Report { rule, .. } => match self.plan.reporting[rule].kind {
                ReportKind::Initial => "initial_report".into(),
                ReportKind::Written => "written_report".into(),
            },
            TaskKind::Grade => "grade".into(),
            TaskKind::Activate { level } => format!("activate_{}", level.as_str()),
            TaskKind::Step { source, step } => self.step(source, step).id.clone(),
        }
    }

    /// The Threat loop's hook: task `id` finishes at minute `t`.
    #[allow(clippy::too_many_arguments)]
    pub fn complete(
        &mut self,
        id: TaskId,
        t: f64,
        topo: &Topology,
        net: &mut Net,
        worm: &mut WormRes,
        rec: &mut RunRecord,
        flipped: &mut Vec<LinkId>,
        changed: &mut Vec<NodeId>,
    ) {
        if self.tasks[id].state != TaskState::Running {
            return;
        }
        self.tasks[id].state = TaskState::Done;
        self.tasks[id].finished = Some(t);
        let task = self.tasks[id].clone();
        let clause = self.clause_of(id);
        let actor = self.actor(topo, task.unit, task.body);
        let inc = task.incident;
        match task.kind {
            TaskKind::Report { rule, to } => {
                let r = &self.plan.reporting[rule];
                let target = match to {
                    Some(u) => self.actor(topo, u, r.to_body),
                    None => self.plan.bodies[r.to_body].id.clone(),
                };
                rec.action(
                    t,
                    EventKind::Report,
                    Some(task.unit),
                    actor,
                    &clause,
                    format!(
                        "incident {}: {} report to {target}",
                        inc + 1,
                        if r.kind == ReportKind::Initial {
                            "initial"
                        } else {
                            "written"
                        }
                    ),
                );
                self.release(id);
                if let Some(u) = to {
                    self.learn(inc, u, t);
                }
            }
            TaskKind::Grade => {
                let level = task.level.unwrap_or(Level::IV);
                self.incidents[inc].grade_pending.remove(&task.unit);
                let before = self.incidents[inc]
                    .graded
                    .insert(task.unit, (level, t))
                    .map(|g| g.0);
                let first = before.is_none();
                let prev = self.incidents[inc].level;
                if prev.is_none_or(|p| level < p) {
                    self.incidents[inc].level = Some(level);
                }
                let facts = self.facts(inc, task.unit, t, topo, net, worm);
                let change = match before {
                    None => "first grading".to_string(),
                    Some(b) if level < b => format!("raised from {}", b.as_str()),
                    Some(_) => "level kept".to_string(),
                };
                let wrong = match task.expected {
                    Some(e) if e != level => {
                        format!("; deviation: the facts called for level {}", e.as_str())
                    }
                    _ => String::new(),
                };
                rec.action(
                    t,
                    EventKind::Grading,
                    Some(task.unit),
                    actor,
                    &clause,
                    format!(
                        "incident {}: graded level {} ({}); {change}: {}{wrong}",
                        inc + 1,
                        level.as_str(),
                        self.plan.level(level).colour,
                        describe_facts(&facts),
                    ),
                );
                self.release(id);
                self.on_graded(inc, task.unit, level, first, t, topo);
            }
            TaskKind::Activate { level } => {
                // A more severe level already started here covers this one.
                if let Some(&(higher, _, _)) = self.incidents[inc]
                    .activated
                    .iter()
                    .find(|&&(l, u, _)| u == task.unit && l.at_least(level))
                {
                    rec.action(
                        t,
                        EventKind::Activation,
                        Some(task.unit),
                        actor,
                        &clause,
                        format!(
                            "incident {}: level {} already covered by the level {} response",
                            inc + 1,
                            level.as_str(),
                            higher.as_str()
                        ),
                    );
                    self.release(id);
                    return;
                }
                let lvl = self.plan.level(level).clone();
                let convened: Vec<&str> = lvl
                    .convenes
                    .iter()
                    .map(|&b| self.plan.bodies[b].id.as_str())
                    .collect();
                rec.action(
                    t,
                    EventKind::Activation,
                    Some(task.unit),
                    actor,
                    &clause,
                    format!(
                        "incident {}: level {} ({}) response started, led by {}; convened: {}",
                        inc + 1,
                        level.as_str(),
                        lvl.colour,
                        self.plan.bodies[lvl.lead].id,
                        convened.join(", ")
                    ),
                );
                self.release(id);
                self.on_activated(inc, task.unit, level, t, topo);
            }
            TaskKind::Step { source, step } => {
                let s = self.step(source, step).clone();
                let detail =
                    self.apply_effect(&s, &task, t, topo, net, worm, rec, flipped, changed);
                rec.action(
                    t,
                    EventKind::StepFinish,
                    Some(task.site),
                    actor,
                    &clause,
                    format!(
                        "{} at {}{}",
                        s.id, topo.nodes[task.site as usize].id, detail
                    ),
                );
                self.release(id);
            }
        }
    }

    // ----- what grades and activations set off -----------------------------

    /// `first`: the unit's first grade of this incident. Reports owed at
    /// this level count from when the unit learned of the incident if the
    /// first grade already called for them, else from this (re-)grade.
    fn on_graded(
        &mut self,
        inc: usize,
        unit: NodeId,
        level: Level,
        first: bool,
        t: f64,
        topo: &Topology,
    ) {
        let tier = topo.nodes[unit as usize].tier;
        // Reports this tier owes at this level.
        let plan = self.plan.clone();
        for (ri, rule) in plan.reporting.iter().enumerate() {
            if rule.from_tier != tier
                || !level.at_least(rule.min_level)
                || !self.incidents[inc].reports_made.insert((unit, ri))
            {
                continue;
            }
            let to = match rule.to {
                ReportTo::Parent => match topo.nodes[unit as usize].parent {
                    Some(p) => Some(self.responsible(topo, p, rule.to_body)),
                    None => continue,
                },
                ReportTo::NationalOffice => None,
            };
            let learned = Some(self.incidents[inc].knows[unit as usize])
                .filter(|k| !k.is_nan() && first)
                .unwrap_or(t);
            self.add_task(
                inc,
                TaskKind::Report { rule: ri, to },
                unit,
                rule.from_body,
                unit,
                0,
                t,
                Some(learned + rule.deadline_min),
                &[],
            );
        }
        // Activation by the body the plan names for this level.
        let lvl = self.plan.level(level).clone();
        let lead = match lvl.lead_at {
            LeadAt::Local => Some(unit),
            LeadAt::Hq => (unit == topo.hq).then_some(topo.hq),
            LeadAt::Provincial => {
                let mut x = unit;
                while topo.nodes[x as usize].tier > Tier::Provincial {
                    x = topo.nodes[x as usize].parent.unwrap_or(topo.hq);
                }
                if x == topo.hq {
                    // HQ directs the incident's province.
                    let prov = self.incidents[inc].province;
                    topo.nodes
                        .iter()
                        .position(|n| n.tier == Tier::Provincial && n.province == prov)
                        .map(|p| p as NodeId)
                        .or(Some(topo.hq))
                } else {
                    Some(x)
                }
            }
        };
        if let Some(lead) = lead
            && Self::is_ancestor_or_self(topo, unit, lead)
        {
            let already = self.incidents[inc]
                .activated
                .iter()
                .any(|&(l, u, _)| u == lead && l.at_least(level));
            if !already && self.incidents[inc].activation_asked.insert((lead, level)) {
                self.add_task(
                    inc,
                    TaskKind::Activate { level },
                    lead,
                    lvl.approver,
                    lead,
                    0,
                    t,
                    Some(t + lvl.activation_deadline_min),
                    &[],
                );
            }
        }
        // HQ-wide orders at this level.
        if unit == topo.hq {
            self.make_unit_steps(inc, topo.hq, StepScope::National, level, t, topo);
        }
        // Site steps that a more severe level now calls for.
        let now_level = self.incidents[inc].level;
        if now_level.is_some() && now_level != self.incidents[inc].site_level {
            self.incidents[inc].site_level = now_level;
            let sites: Vec<(NodeId, f64)> = self.incidents[inc].sites.clone();
            for (s, at) in sites {
                self.make_site_steps(inc, s, at, t, topo);
            }
        }
    }

    fn on_activated(&mut self, inc: usize, lead: NodeId, level: Level, t: f64, topo: &Topology) {
        self.incidents[inc].activated.push((level, lead, t));
        if self.plan.level(level).round_the_clock_duty {
            self.incidents[inc].round_the_clock = true;
        }
        self.make_unit_steps(inc, lead, StepScope::Lead, level, t, topo);
        self.make_duties(inc, lead, level, t, topo);
        if lead == topo.hq {
            self.make_unit_steps(inc, lead, StepScope::National, level, t, topo);
        }
        // Deadlines counted from the (first) activation now have a start.
        let first = self.incidents[inc].activated.len() == 1;
        for tid in (0..self.tasks.len()).filter(|_| first) {
            let task = &self.tasks[tid];
            if task.incident != inc || task.due.is_some() {
                continue;
            }
            if let TaskKind::Step { source, step } = task.kind {
                let s = self.step(source, step);
                if s.deadline_from == DeadlineFrom::Activation
                    && let Some(d) = s.deadline_min
                {
                    self.tasks[tid].due = Some(t + d);
                }
            }
        }
    }

    /// Step lists that apply to incident `inc` (its procedure and the special
    /// plans started by its class or by the systems at its sites).
    fn sources(&self, inc: usize) -> Vec<StepSource> {
        self.incidents[inc].sources.clone()
    }

    /// Adds the step lists a new site starts: the procedure and the special
    /// plans of the class (first site), the system-started special plans
    /// that fit at the site (see `system_plan_due`).
    /// Returns whether a step list was added after the first site.
    fn add_sources(&mut self, inc: usize, site: NodeId) -> bool {
        let plan = self.plan.clone();
        let class = self.incidents[inc].class;
        let srcs = &mut self.incidents[inc].sources;
        let mut added = false;
        if srcs.is_empty() {
            if let Some(p) = plan.procedure_for(class)
                && let Some(pi) = plan.procedures.iter().position(|q| std::ptr::eq(q, p))
            {
                srcs.push(StepSource::Procedure(pi));
            }
            for (si, sp) in plan.special_plans.iter().enumerate() {
                if sp.classes.iter().any(|&c| plan.class_within(class, c)) {
                    srcs.push(StepSource::Special(si));
                }
            }
        }
        // System-started plans that fit at this site (see `system_plan_due`),
        // in the order they fit.
        let i = &mut self.incidents[inc];
        for &(s, si) in &i.sys_fit {
            let src = StepSource::Special(si);
            if s == site && !i.sources.contains(&src) {
                i.sources.push(src);
                added = true;
            }
        }
        added
    }

    /// Incident `inc` touched `site` (a newly infected node, a symptom):
    /// if the site runs a system whose special plan does not fit there yet,
    /// it is watched from now on (see `check_system_plans`).
    fn watch_systems_at(&mut self, inc: usize, site: NodeId, topo: &Topology) {
        let i = &self.incidents[inc];
        if i.ended.is_some() || i.sys_watch.contains(&site) {
            return;
        }
        let services = &topo.nodes[site as usize].services;
        let waiting = self.plan.special_plans.iter().enumerate().any(|(si, sp)| {
            sp.services.iter().any(|k| services.contains(k)) && !i.sys_fit.contains(&(site, si))
        });
        if waiting {
            self.incidents[inc].sys_watch.push(site);
        }
    }

    /// Each tick: the system-started special plans that now fit at a site
    /// an open incident touched (see `system_plan_due`). At a site already
    /// detected the plan starts at once: its step list joins the incident,
    /// its site steps are made there (deadlines from now) and its steps at
    /// the units already leading above the site and HQ's orders.
    fn check_system_plans(&mut self, now: f64, topo: &Topology, net: &Net) {
        for inc in 0..self.incidents.len() {
            if self.incidents[inc].sys_watch.is_empty() {
                continue;
            }
            if self.incidents[inc].ended.is_some() {
                self.incidents[inc].sys_watch.clear();
                continue;
            }
            let sites = std::mem::take(&mut self.incidents[inc].sys_watch);
            let mut keep = Vec::with_capacity(sites.len());
            for site in sites {
                let services = &topo.nodes[site as usize].services;
                let mut waiting = false;
                let mut fit = false;
                for (si, sp) in self.plan.special_plans.iter().enumerate() {
                    if !sp.services.iter().any(|k| services.contains(k))
                        || self.incidents[inc].sys_fit.contains(&(site, si))
                    {
                        continue;
                    }
                    if self.system_plan_due(inc, si, site, topo, net) {
                        self.incidents[inc].sys_fit.push((site, si));
                        fit = true;
                    } else {
                        waiting = true;
                    }
                }
                if waiting {
                    keep.push(site);
                }
                if fit && self.incidents[inc].site_seen[site as usize] {
                    self.start_system_plans(inc, site, now, topo);
                }
            }
            self.incidents[inc].sys_watch = keep;
        }
    }

    /// A system-started special plan fits at `site`, already detected,
    /// mid-incident (its system went down there after the detection).
    fn start_system_plans(&mut self, inc: usize, site: NodeId, now: f64, topo: &Topology) {
        self.add_sources(inc, site);
        for (level, lead, _) in self.incidents[inc].activated.clone() {
            self.make_unit_steps(inc, lead, StepScope::Lead, level, now, topo);
        }
        if let Some(&(level, _)) = self.incidents[inc].graded.get(&topo.hq) {
            self.make_unit_steps(inc, topo.hq, StepScope::National, level, now, topo);
        }
        let detected = self.incidents[inc]
            .sites
            .iter()
            .find(|s| s.0 == site)
            .map_or(now, |s| s.1);
        self.make_site_steps(inc, site, detected, now, topo);
    }

    fn level_allows(&self, inc: usize, s: &Step) -> bool {
        match s.min_level {
            None => true,
            Some(m) => self.incidents[inc].level.is_some_and(|l| l.at_least(m)),
        }
    }

    fn due_of(&self, inc: usize, s: &Step, detected: f64) -> Option<f64> {
        let d = s.deadline_min?;
        match s.deadline_from {
            DeadlineFrom::Detection => Some(detected + d),
            DeadlineFrom::Activation => self.incidents[inc].activated.first().map(|a| a.2 + d),
            DeadlineFrom::End => self.incidents[inc].ended.map(|e| e + d),
        }
    }

    pub(super) fn make_site_steps(
        &mut self,
        inc: usize,
        site: NodeId,
        detected: f64,
        now: f64,
        topo: &Topology,
    ) {
        let plan = self.plan.clone();
        for source in self.sources(inc) {
            for (k, s) in order::steps_of(&plan, source).iter().enumerate() {
                if s.scope != StepScope::Site
                    || s.deadline_from == DeadlineFrom::End
                    || !self.level_allows(inc, s)
                    || self.incidents[inc]
                        .site_steps
                        .contains_key(&(site, source, k))
                    || !self.applies_at(inc, source, site, false, topo)
                {
                    continue;
                }
                if let Some(done) = self.same_action_made(inc, s, site) {
                    self.losses
                        .passed
                        .insert((inc, site, source, k), vec![done]);
                    continue;
                }
                if !self.site_needs(inc, s, site, topo) {
                    self.pass_step(inc, site, source, k, s);
                    continue;
                }
                let (mut deps, wants) =
                    self.step_deps(inc, source, k, order::Placement::Site(site), topo);
                // A prerequisite not needed at this site: what it would have followed.
                for &a in &s.after {
                    if let Some(ids) = self.losses.passed.get(&(inc, site, source, a)) {
                        deps.extend(ids.iter().copied());
                    }
                }
                deps.sort_unstable();
                deps.dedup();
                let unit = self.responsible(topo, site, s.actor);
                // A step that applies only now (a more severe level, a special
                // plan just started) counts its deadline from now.
                let due = self.due_of(inc, s, detected.max(now));
                let id = self.add_task(
                    inc,
                    TaskKind::Step { source, step: k },
                    unit,
                    s.actor,
                    site,
                    s.staff,
                    now,
                    due,
                    &deps,
                );
                self.incidents[inc].site_steps.insert((site, source, k), id);
                self.wire_step(inc, id, source, k, wants, topo);
            }
        }
    }

    /// Whether a step list applies at `at` (a site for site steps, the
    /// acting unit for a unit's steps, `unit`): the procedure and
    /// class-started special plans everywhere; a system-started special
    /// plan at a detected site where it fits (see `system_plan_due`), and at
    /// a unit running one of its systems that is such a site or above one
    /// (the lead over the site where the system went down; HQ over all).
    fn applies_at(
        &self,
        inc: usize,
        source: StepSource,
        at: NodeId,
        unit: bool,
        topo: &Topology,
    ) -> bool {
        match source {
            StepSource::Procedure(_) | StepSource::Level(_) => true,
            StepSource::Special(si) => {
                let sp = &self.plan.special_plans[si];
                let i = &self.incidents[inc];
                sp.classes
                    .iter()
                    .any(|&c| self.plan.class_within(i.class, c))
                    || (topo.nodes[at as usize]
                        .services
                        .iter()
                        .any(|k| sp.services.contains(k))
                        && i.sys_fit.iter().any(|&(s, p)| {
                            p == si
                                && i.site_seen[s as usize]
                                && (s == at || unit && Self::is_ancestor_or_self(topo, at, s))
                        }))
            }
        }
    }

    /// Whether the special plan `si` of some systems fits at `site`, which
    /// incident `inc` touched and which runs one of those systems, so that
    /// it starts there (and its steps apply there and at the units leading
    /// above it). [I] The seed starts a system's plan for an event aimed at
    /// that system (「判断是否存在针对该事件的特定系统预案,如存在,则启动特定系统应急预案」,
    /// special-system plan 2.1(2)); read here as: the system is down at
    /// the site now (checked every tick while the incident is open, so a
    /// plan starts when its system goes down mid-incident and stays
    /// started once it has), or the threat aims at it by design.
    /// - A denial of service floods online filing: it aims at the
    ///   internet-facing systems of its site (online filing), never at the
    ///   core tax system, whether or not the flood saturates the link.
    /// - A worm, an outage, an intrusion or a virus aims at no system: a
    ///   system's plan starts where that system is unavailable (the same
    ///   availability the grading facts read) by a cause the threat has —
    ///   a worm overloading the site, a failure, power cut or disaster
    ///   taking the node down, or the site taken off the WAN — not where
    ///   office hosts were infected while the system kept running.
    /// - A defaced page, harmful posts, copied records or an insider's
    ///   misuse take no system down: no system's plan (their class-started
    ///   plans and procedures do the work).
    fn system_plan_due(
        &self,
        inc: usize,
        si: usize,
        site: NodeId,
        topo: &Topology,
        net: &Net,
    ) -> bool {
        let sp = &self.plan.special_plans[si];
        let node = &topo.nodes[site as usize];
        let here = || {
            node.services
                .iter()
                .copied()
                .filter(|k| sp.services.contains(k))
        };
        let vi = site as usize;
        let down = || here().any(|s| !net.service_available(topo, site, s));
        // Down by a cause the threat can have: a worm overloads the site,
        // an equipment failure, a power cut or a disaster takes the node
        // down; a site its responders took off the WAN counts for any
        // incident there (which incident's step did it is not kept). A
        // system down by another incident's cause starts that incident's
        // plan, not this one's (one worm and an HQ router failure: HQ's
        // plans start once, for the failure).
        self.incident_threats(inc).any(|k| match k {
            ThreatKind::Defacement
            | ThreatKind::HarmfulContent
            | ThreatKind::DataLeak
            | ThreatKind::Insider => false,
            ThreatKind::DenialOfService => here().any(|s| s.internet_facing()),
            ThreatKind::Worm => (net.node_overloaded[vi] || net.node_isolated[vi]) && down(),
            ThreatKind::NodeFailure | ThreatKind::PowerOutage | ThreatKind::Disaster => {
                (!net.alive(site) || net.node_isolated[vi]) && down()
            }
            ThreatKind::LinkFailure | ThreatKind::Intrusion | ThreatKind::Virus => {
                net.node_isolated[vi] && down()
            }
        })
    }

    /// The task already made at `site` for incident `inc` that does what
    /// step `s` does, from another of the incident's step lists, where
    /// doing it twice means nothing: one take-down removes the content
    /// whichever plan asked for it. [I] The seed starts every plan that
    /// applies (「同时启动所有涉及的预案」), not every step twice.
    fn same_action_made(&self, inc: usize, s: &Step, site: NodeId) -> Option<TaskId> {
        if s.action != StepAction::TakeDownContent {
            return None;
        }
        self.incidents[inc]
            .site_steps
            .iter()
            .filter(|&(&(n, source, k), _)| n == site && self.step(source, k).action == s.action)
            .map(|(_, &id)| id)
            .min()
    }

    /// The threat kinds of incident `inc`'s injects (one, or those of its
    /// compound event).
    fn incident_threats(&self, inc: usize) -> impl Iterator<Item = ThreatKind> + '_ {
        let own = self.incidents[inc].inject;
        self.inject_threats
            .iter()
            .enumerate()
            .filter(move |&(j, _)| self.inject_group.get(j).copied().unwrap_or(j) == own)
            .map(|(_, &k)| k)
    }

    /// Whether a site step makes sense at this site (e.g. notifying users
    /// only where internet-facing services run; switching to backup only
    /// where there is a backup line; restoring data only where a threat
    /// damaged it; patching and hardening only where a hole was exploited;
    /// a take-down only where content was altered or published).
    fn site_needs(&self, _inc: usize, s: &Step, site: NodeId, topo: &Topology) -> bool {
        let node = &topo.nodes[site as usize];
        match s.action {
            StepAction::NotifyUsers => node.services.iter().any(|k| k.internet_facing()),
            StepAction::SwitchToBackup => topo
                .neighbours(site)
                .iter()
                .any(|&(_, l)| topo.links[l as usize].kind == LinkKind::Backup),
            // Only where a threat damaged data, once per site (see `restore`).
            StepAction::RestoreData => self.has_damage(site) && !self.restore_made(_inc, site),
            // [I] Patching the exploited hole and hardening only where a
            // hole was exploited: a flood uses none (the hacker-attack
            // procedure's 「修复漏洞,加固系统」 has nothing to fix after a
            // denial of service).
            StepAction::Patch | StepAction::Harden => self
                .incident_threats(_inc)
                .any(|k| k != ThreatKind::DenialOfService),
            // [I] Taking content down only where content was altered or
            // published: records copied out (a leak) or a flood leave
            // nothing on the site to take down.
            StepAction::TakeDownContent => self
                .incident_threats(_inc)
                .any(|k| !matches!(k, ThreatKind::DataLeak | ThreatKind::DenialOfService)),
            _ => true,
        }
    }

    fn make_unit_steps(
        &mut self,
        inc: usize,
        unit: NodeId,
        scope: StepScope,
        level: Level,
        t: f64,
        topo: &Topology,
    ) {
        // Gated by the level this unit acts at, not the incident's worst anywhere.
        let plan = self.plan.clone();
        for source in self.sources(inc) {
            for (k, s) in order::steps_of(&plan, source).iter().enumerate() {
                if s.scope != scope
                    || s.deadline_from == DeadlineFrom::End
                    || s.min_level.is_some_and(|m| !level.at_least(m))
                    || !self.applies_at(inc, source, unit, true, topo)
                    || self.incidents[inc]
                        .steps_made
                        .contains_key(&(unit, source, k))
                {
                    continue;
                }
                let (deps, wants) =
                    self.step_deps(inc, source, k, order::Placement::Unit(unit), topo);
                // A unit's step exists from its activation (or HQ's grading,
                // or the start of a special plan): its deadline counts from
                // then. A slow activation shows as a late activation.
                let from = t;
                // A unit's step counts "from activation" from the activation
                // that made it (`t`), not the incident's first one elsewhere.
                let due = match s.deadline_from {
                    DeadlineFrom::Activation => s.deadline_min.map(|d| t + d),
                    _ => self.due_of(inc, s, from),
                };
                let id = self.add_task(
                    inc,
                    TaskKind::Step { source, step: k },
                    unit,
                    s.actor,
                    unit,
                    s.staff,
                    t,
                    due,
                    &deps,
                );
                self.incidents[inc].steps_made.insert((unit, source, k), id);
                self.wire_step(inc, id, source, k, wants, topo);
            }
        }
    }

    // ----- periodic re-grading and the end of the response --------------------

    fn regrade_and_end(
        &mut self,
        now: f64,
        topo: &Topology,
        net: &Net,
        worm: &WormRes,
        rec: &mut RunRecord,
    ) {
        for inc in 0..self.incidents.len() {
            let i = &self.incidents[inc];
            if i.opened.is_none() || i.ended.is_some() {
                continue;
            }
            // The highest unit that knows reviews the grade hourly as facts
            // arrive and re-grades when they call for a more severe level
            // (levels are not lowered while the response runs).
            if let Some(&top) = i
                .knowers
                .iter()
                .min_by_key(|&&u| (topo.nodes[u as usize].tier, u))
                && let Some(&(current, at)) = i.graded.get(&top)
                && at.max(i.reviewed) + super::REGRADE_MIN <= now
                && !i.grade_pending.contains(&top)
            {
                self.incidents[inc].reviewed = now;
                let facts = self.facts(inc, top, now, topo, net, worm);
                if self.plan.grading.grade(&facts) < current {
                    self.ask_grade(inc, top, now);
                }
            }
            for unit in std::mem::take(&mut self.incidents[inc].review) {
                let i = &self.incidents[inc];
                if i.grade_pending.contains(&unit) {
                    continue;
                }
                let current = i.graded.get(&unit).map(|g| g.0);
                let facts = self.facts(inc, unit, now, topo, net, worm);
                if current.is_some_and(|c| self.plan.grading.grade(&facts) < c) {
                    self.ask_grade(inc, unit, now);
                }
            }
            let contained = self.contained(inc, net, worm);
            let i = &self.incidents[inc];
            // Open tasks other than pending re-grades.
            let busy = i.open_tasks as usize > i.grade_pending.len();
            if contained && !busy {
                self.end_response(inc, now, topo, rec);
            }
        }
    }

    /// Whether incident `inc` is contained (the plan's end condition
    /// besides no open task): no infected host left for a worm, every seen
    /// site up and reachable otherwise.
    pub(super) fn contained(&self, inc: usize, net: &Net, worm: &WormRes) -> bool {
        let i = &self.incidents[inc];
        match i.threat {
            ThreatKind::Worm => worm
                .iter()
                .filter(|w| worm_of(&self.inject_group, w, i.inject))
                .all(|w| w.tot_i == 0),
            _ => i
                .sites
                .iter()
                .all(|&(s, _)| net.alive(s) && net.reachable[s as usize]),
        }
    }

    pub(super) fn end_response(
        &mut self,
        inc: usize,
        now: f64,
        topo: &Topology,
        rec: &mut RunRecord,
    ) {
        self.incidents[inc].ended = Some(now);
        let lead = self.incidents[inc]
            .activated
            .iter()
            .min_by_key(|a| (topo.nodes[a.1 as usize].tier, a.1))
            .map(|a| a.1)
            .or(self.incidents[inc].first_unit)
            .unwrap_or(topo.hq);
        let end = self.plan.end.clone();
        rec.action(
            now,
            EventKind::ResponseEnded,
            Some(lead),
            self.actor(topo, lead, end.actor),
            &end.clause,
            format!(
                "incident {}: contained; evaluation within {} days, summary report within {} days",
                inc + 1,
                end.evaluation_days,
                end.summary_report_days
            ),
        );
        let plan = self.plan.clone();
        for source in self.sources(inc) {
            for (k, s) in order::steps_of(&plan, source).iter().enumerate() {
                if s.deadline_from != DeadlineFrom::End || !self.level_allows(inc, s) {
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
                let due = s.deadline_min.map(|d| now + d);
                let (deps, wants) =
                    self.step_deps(inc, source, k, order::Placement::Unit(unit), topo);
                let id = self.add_task(
                    inc,
                    TaskKind::Step { source, step: k },
                    unit,
                    s.actor,
                    unit,
                    s.staff,
                    now,
                    due,
                    &deps,
                );
                self.incidents[inc].steps_made.insert((unit, source, k), id);
                self.wire_step(inc, id, source, k, wants, topo);
            }
        }
    }

    // ----- effects on the network ----------------------------------------------

    #[allow(clippy::too_many_arguments)]
    fn apply_effect(
        &mut self,
        s: &Step,
        task: &Task,
        t: f64,
        topo: &Topology,
        net: &mut Net,
        worm: &mut WormRes,
        rec: &mut RunRecord,
        flipped: &mut Vec<LinkId>,
        changed: &mut Vec<NodeId>,
    ) -> String {
        let site = task.site;
        let si = site as usize;
        let any = !worm.is_empty();
        match s.action {
            StepAction::Isolate => {
                if any {
                    // The infected hosts (of every worm there) are unplugged;
                    // the router keeps carrying transit traffic for the nodes
                    // behind the site.
                    // Several worms: the lines one worm's isolation frees
                    // are applied to every worm before the next one moves
                    // (one worm: left to the caller, as before).
                    let several = worm.len() > 1;
                    let mut k = 0;
                    for j in 0..worm.len() {
                        let mut own = Vec::new();
                        let fl = if several { &mut own } else { &mut *flipped };
                        if let Some((w, others)) = worm.split(j) {
                            k += w.isolate(topo, net, site, t, rec, fl, others);
                        }
                        worm.changed(topo, net, &own, &[]);
                    }
                    changed.push(site);
                    format!(
                        "; {k} infected host(s) isolated, site under containment (its router stays on the WAN)"
                    )
                } else {
                    "; affected systems isolated (the site stays on the WAN)".into()
                }
            }
            StepAction::DisconnectSite => {
                net.set_isolated(topo, site, true, flipped);
                changed.push(site);
                "; whole site taken off the WAN (the plan names disconnect_site)".into()
            }
            StepAction::RestoreService => {
                // Nobody reconnects a site that still has infected hosts. At
                // a site under containment the team first cleans the hosts
                // isolated since the cleaning step (they are on the
                // quarantined segments it checks before reconnecting).
                let mut late_clean = 0;
                if !task.out_of_order {
                    for w in worm.iter_mut() {
                        if w.contained[si] && w.i[si] == w.q[si] {
                            late_clean += w.clean(topo, net, site, w.q[si]);
                        }
                    }
                }
                let infected = worm.i_at(si);
                let contained = worm.iter().any(|w| w.contained[si]);
                if infected > 0 {
                    if net.node_isolated[si] || contained {
                        format!("; {infected} host(s) still infected: they stay isolated")
                    } else {
                        String::new()
                    }
                } else {
                    let mut done = Vec::new();
                    if net.node_isolated[si] {
                        net.set_isolated(topo, site, false, flipped);
                        changed.push(site);
                        done.push("site reconnected to the WAN");
                    }
                    let several = worm.len() > 1;
                    let mut ended = false;
                    for j in 0..worm.len() {
                        let mut own = Vec::new();
                        let fl = if several { &mut own } else { &mut *flipped };
                        if let Some((w, others)) = worm.split(j) {
                            ended |= w.end_containment(topo, net, site, t, rec, fl, others);
                        }
                        worm.changed(topo, net, &own, &[]);
                    }
                    if ended {
                        changed.push(site);
                        done.push("isolated segments reconnected");
                    }
                    let cleaned = if late_clean > 0 {
                        format!("; {late_clean} host(s) infected while isolated cleaned first")
                    } else {
                        String::new()
                    };
                    if done.is_empty() {
                        cleaned
                    } else {
                        format!("{cleaned}; {}", done.join(", "))
                    }
                }
            }
            StepAction::CutAttackSource => {
                for w in worm.iter_mut() {
                    w.ext_blocked[si] = true;
                }
                if any {
                    changed.push(site);
                }
                "; attack source blocked at the gateway".into()
            }
            StepAction::BlockAtGateways => {
                // HQ blocks at every gateway and on the backbone; a provincial
                // or local lead at its own gateway and on its own uplinks.
                let national = task.unit == topo.hq;
                let mut gateways = 0;
                let mut lines = 0;
                let nodes: Vec<NodeId> = if national {
                    (0..topo.nodes.len() as NodeId).collect()
                } else {
                    vec![task.unit]
                };
                if any {
                    for &v in &nodes {
                        let vi = v as usize;
                        if topo.nodes[vi].gateway && worm.iter().any(|w| !w.ext_blocked[vi]) {
                            for w in worm.iter_mut() {
                                w.ext_blocked[vi] = true;
                            }
                            changed.push(v);
                            gateways += 1;
                        }
                    }
                }
                let tier = |v: NodeId| topo.nodes[v as usize].tier;
                let lines_in_scope: Vec<LinkId> = if national {
                    (0..topo.links.len() as LinkId)
                        .filter(|&l| {
                            let link = &topo.links[l as usize];
                            matches!(link.kind, LinkKind::Backbone | LinkKind::Backup)
                                && tier(link.a).min(tier(link.b)) == Tier::Hq
                        })
                        .collect()
                } else {
                    topo.neighbours(task.unit)
                        .iter()
                        .filter(|&&(w, _)| tier(w) < tier(task.unit))
                        .map(|&(_, l)| l)
                        .collect()
                };
                for l in lines_in_scope {
                    if !net.worm_filtered[l as usize] {
                        net.set_worm_filtered(topo, l, true, flipped);
                        lines += 1;
                    }
                }
                format!("; worm blocked at {gateways} gateway(s) and on {lines} line(s)")
            }
            StepAction::Clean if any => {
                let mut k = 0;
                for w in worm.iter_mut() {
                    let i = w.i[si];
                    k += w.clean(topo, net, site, i);
                }
                format!("; {k} host(s) cleaned")
            }
            StepAction::Clean => String::new(),
            StepAction::Patch => match (any, s.scope) {
                (true, StepScope::Site) => {
                    let mut k = 0;
                    for w in worm.iter_mut() {
                        let n = w.s[si];
                        k += w.patch(net, site, n);
                    }
                    format!("; {k} host(s) patched")
                }
                (true, _) => match self.rollouts.remove(&task.id) {
                    Some(r) => format!(
                        "; patch order carried out: {} host(s) at {} unit(s) patched by the staff of {} unit(s) ({} people) over {:.1} h",
                        r.hosts,
                        r.units.len(),
                        r.workers,
                        r.staff,
                        r.span_min / 60.0
                    ),
                    None => String::new(),
                },
                (false, _) => String::new(),
            },
            StepAction::RestoreData => self.restore_effect(site, t),
            StepAction::Rebuild => {
                if net.clear_node_down(topo, site, 2, flipped) {
                    changed.push(site);
                    "; site rebuilt and back up".into()
                } else {
                    String::new()
                }
            }
            StepAction::Repair => {
                let mut up = false;
                if net.clear_node_down(topo, site, 0, flipped) {
                    changed.push(site);
                    up = true;
                }
                for &(_, l) in topo.neighbours(site) {
                    while net.link_cut[l as usize] > 0 {
                        net.set_link_cut(topo, l, false, t, flipped);
                        up = true;
                    }
                }
                if up {
                    "; equipment repaired".into()
                } else {
                    String::new()
                }
            }
            StepAction::SwitchToBackup => {
                let mut switched = false;
                for &(_, l) in topo.neighbours(site) {
                    if let Some(b) = net.backup_for[l as usize]
                        && !net.line_ok(topo, l)
                        && !net.backup_active[b as usize]
                    {
                        net.set_backup_active(topo, b, true, flipped);
                        switched = true;
                    }
                }
                if switched {
                    "; traffic on the backup line".into()
                } else {
                    String::new()
                }
            }
            _ => self.duty_detail(s),
        }
    }

    // ----- the record -------------------------------------------------------------

    /// The tasks as records for scoring.
    pub fn task_records(
        &self,
        topo: &Topology,
        texts: &mut crate::engine::record::Interner,
    ) -> Vec<TaskRecord> {
        self.tasks
            .iter()
            .map(|t| {
                let (kind, action) = match t.kind {
                    TaskKind::Report { to, .. } => (
                        "report",
                        texts.get(to.map_or("national_office", |u| &topo.nodes[u as usize].id)),
                    ),
                    TaskKind::Grade => ("grade", texts.get(t.level.map_or("", |l| l.as_str()))),
                    TaskKind::Activate { level } => ("activate", texts.get(level.as_str())),
                    TaskKind::Step { source, step } => {
                        ("step", texts.get(self.step(source, step).action.as_str()))
                    }
                };
                let source = match t.kind {
                    TaskKind::Step { source, .. } => texts.get(&source.label()),
                    _ => texts.get(""),
                };
                TaskRecord {
                    id: t.id,
                    incident: t.incident,
                    kind: texts.get(kind),
                    name: texts.get(&self.task_name(t.id)),
                    source,
                    expected_level: t.expected.map(|l| texts.get(l.as_str())),
                    action,
                    unit: t.unit,
                    body: texts.get(&self.plan.bodies[t.body].id),
                    site: t.site,
                    created: t.created,
                    due: t.due,
                    started: t.started,
                    decided: t.decided,
                    finished: t.finished,
                    state: texts.get(match t.state {
                        TaskState::Waiting => "waiting",
                        TaskState::Ready => "ready",
                        TaskState::Running => "running",
                        TaskState::Done => "done",
                        TaskState::Skipped => "skipped",
                        TaskState::NotDue => "not_due",
                    }),
                    out_of_order: t.out_of_order,
                    clause: texts.get(&self.clause_of(t.id)),
                    log_row: t.logged.and_then(|k| self.logged_row(k)),
                    done_by: t
                        .logged
                        .filter(|_| t.wrong_actor)
                        .and_then(|k| self.logged_actor(k, topo))
                        .map(|a| texts.get(&a)),
                }
            })
            .collect()
    }
}

/// What a grader knew, in one line (the reason given with a grade).
fn describe_facts(f: &Facts) -> String {
    let mut parts = vec![format!(
        "{} site(s) in {} province(s)",
        f.nodes_affected, f.provinces_affected
    )];
    if let Some(t) = f.highest_tier {
        parts.push(format!("highest tier {}", t.as_str()));
    }
    if f.hosts_infected > 0 {
        parts.push(format!("{} host(s) infected", f.hosts_infected));
    }
    if f.services_down > 0 {
        parts.push(format!(
            "{} service(s) down, longest {:.1} h",
            f.services_down, f.service_down_hours
        ));
    }
    if f.nodes_cut_off > 0 {
        parts.push(format!("{} node(s) cut off", f.nodes_cut_off));
    }
    if f.records_leaked > 0 {
        parts.push(format!("{} records leaked", f.records_leaked));
    }
    parts.join(", ")
}
