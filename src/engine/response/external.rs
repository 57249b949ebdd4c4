//! The external decision maker: a drill log or live players decide for some
//! bodies instead of the simulated teams.
//!
//! [`Sim::with_external`](crate::engine::Sim::with_external) names the
//! bodies the log controls ([`Control`]) and hands over its
//! [`LoggedAction`]s; [`Sim::push_external`](crate::engine::Sim::push_external)
//! adds one during a run (the tabletop). Every other body is played by the
//! simulated teams ([`super::decide`]).
//!
//! Semantics:
//!
//! - A controlled body's tasks (a task is controlled when its unit and body
//!   are, [`Control::covers`]) never reach the simulated teams' queues: they
//!   wait for a logged action. The threat still evolves meanwhile.
//! - Each logged action goes on the agenda at its own minute and takes
//!   effect there, inside the tick, like any timed action: the matched task
//!   starts and finishes at that minute (a logged action is the moment the
//!   thing was done; it takes no simulated time), its effect on the network
//!   applies, and the plan logic makes what follows (reports, grading,
//!   activation, next steps) from that minute on.
//! - Matching: the task must be of the action's kind (`report` → a report
//!   hop, `grade` and `escalate` → a grading, `activate` → an activation of
//!   the logged level if one is given, a step id → that step), not done yet
//!   (ready, or still waiting for its prerequisites: done then, it is
//!   `out_of_order`), and, when the action names a `target`, at that site
//!   (the task's site, the report's recipient, or a detected site of the
//!   task's incident). Among those, a task of the logged unit and body
//!   comes first (earliest deadline, then the first made).
//! - Wrong actor: when no task of the logged unit and body matches but the
//!   action names a body the plan does not have, or a target, a matching
//!   task of another unit or body is taken: it is done, and scored
//!   `wrong_actor` (the record keeps who did it, `TaskRecord::done_by`).
//! - `grade` uses the logged level (else the level the grader's facts call
//!   for); the facts' level is kept as `expected`, so a different logged
//!   level is `wrong_level`. `escalate` is a re-grade at the logged level
//!   (else one level up); when no re-grade is pending the unit asks for one
//!   itself (its initiative, not a deviation).
//! - `detect` (target = the site, else the unit itself) opens or extends the
//!   incident whose symptoms show at that site. Units whose monitoring body
//!   is controlled detect only this way, never by chance.
//! - `close` declares the end of the response the unit (or the target
//!   site) is part of — the plan's end of response (`Plan::end`: its actor
//!   declares the end, then evaluation and summary report are due). The
//!   plan ends a response only once the incident is contained, so a close
//!   of a contained incident ends its response at that minute even with
//!   tasks still open (they stay open and are scored by their deadlines:
//!   an undone report is missed), and the post-incident steps start then.
//!   A close of an incident not yet contained changes nothing and is a
//!   deviation; a close after the response already ended on its own
//!   (contained, no task open: the engine's rule) is accepted. Without a
//!   close the engine's rule ends the response as for simulated teams.
//! - Early actions: an action that finds no task (or no symptom) at its
//!   minute waits. Whenever a controlled task is made or a new symptom
//!   shows, the waiting actions are tried again at that minute, in log
//!   order; one that then matches is done **as soon as its task exists**
//!   (at that minute, not its logged one), and a `deviation` event says it
//!   was logged before the plan called for it.
//! - What the log does not do is not done: those tasks stay open and are
//!   scored missed or pending as usual.
//! - An action that never matched is kept: at the end of the run it is
//!   recorded as a `deviation` event at its logged minute (never dropped).
//! - Unknown actions (not a plan step, not one of the fixed words) are
//!   deviations too.
//! - A logged step reaches the threat models as a simulated team's
//!   finished step does (`Response::finished_step`, the threats' `on_step`):
//!   a logged `take_down_content` ends a defacement's exposure, a logged
//!   `cut_attack_source` stops an intrusion's kill chain.

use super::{Response, TaskId, TaskKind, TaskState};
use crate::engine::agenda::{Action, Agenda};
use crate::engine::net::Net;
use crate::engine::record::{EventKind, RunRecord};
use crate::engine::worm::WormRes;
use crate::model::plan::{BodyId, Level};
use crate::model::topology::{LinkId, NodeId, Topology};

/// One action a real team took (a drill-log row, or a player's command).
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedAction {
    /// Minutes from the scenario start.
    pub at: f64,
    /// The unit that acted.
    pub unit: NodeId,
    /// None: the log names a body the plan does not have.
    pub body: Option<BodyId>,
    /// The body as written (for reports of deviations).
    pub body_text: String,
    pub action: LogAction,
    /// Site / node acted on (the incident's site), if any.
    pub target: Option<NodeId>,
    /// For grade / activate / escalate.
    pub level: Option<Level>,
    pub note: String,
    /// Source row (CSV row, or command number); 0 if none.
    pub row: usize,
}

/// What a logged action did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogAction {
    Detect,
    Report,
    Grade,
    Activate,
    Escalate,
    Close,
    /// A plan step id.
    Step(String),
    /// Neither a fixed word nor a step of the plan: kept as a deviation.
    Unknown(String),
}

impl LogAction {
    /// The fixed words; anything else is a step id (`is_step`) or unknown.
    pub fn parse(s: &str, is_step: impl Fn(&str) -> bool) -> LogAction {
        match s.trim().to_ascii_lowercase().as_str() {
            "detect" => LogAction::Detect,
            "report" => LogAction::Report,
            "grade" => LogAction::Grade,
            "activate" => LogAction::Activate,
            "escalate" => LogAction::Escalate,
            "close" => LogAction::Close,
            _ if is_step(s.trim()) => LogAction::Step(s.trim().to_string()),
            _ => LogAction::Unknown(s.trim().to_string()),
        }
    }

    /// As written in a drill log.
    pub fn as_str(&self) -> &str {
        match self {
            LogAction::Detect => "detect",
            LogAction::Report => "report",
            LogAction::Grade => "grade",
            LogAction::Activate => "activate",
            LogAction::Escalate => "escalate",
            LogAction::Close => "close",
            LogAction::Step(s) | LogAction::Unknown(s) => s,
        }
    }
}

/// Whom the external decision maker decides for; every other body is played
/// by the simulated teams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Every body at every unit (assessing a drill log).
    All,
    /// One body, at one unit or (None) at every unit (a tabletop player).
    Only { body: BodyId, unit: Option<NodeId> },
}

impl Control {
    /// Whether the task of `body` at `unit` waits for logged actions.
    pub fn covers(&self, unit: NodeId, body: BodyId) -> bool {
        match *self {
            Control::All => true,
            Control::Only { body: b, unit: u } => b == body && u.is_none_or(|u| u == unit),
        }
    }
}

/// What became of one logged action.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Its minute has not come yet.
    Queued,
    /// Its minute came; no task or symptom matched it yet.
    Waiting,
    /// It did task `task` (None: a detection or a close) at minute `at`
    /// (its logged minute, or later if its task did not exist yet).
    Done {
        task: Option<TaskId>,
        at: f64,
        wrong_actor: bool,
    },
    /// Kept as a deviation: why it matched nothing.
    Deviation(String),
}

/// The external decision maker's state, inside [`Response`].
#[derive(Clone, Debug)]
pub struct External {
    pub control: Control,
    /// Every action, in the order given (sorted by minute when handed over).
    pub actions: Vec<LoggedAction>,
    /// Per action: what became of it.
    pub outcomes: Vec<Outcome>,
    /// Actions whose minute came and that matched nothing yet, in order.
    pending: Vec<usize>,
    /// A controlled task was made or a symptom showed since the waiting
    /// actions were last tried.
    pub(crate) dirty: bool,
}

impl External {
    pub fn new(control: Control) -> External {
        External {
            control,
            actions: Vec::new(),
            outcomes: Vec::new(),
            pending: Vec::new(),
            dirty: false,
        }
    }

    /// Adds an action; returns its number (for the agenda).
    pub(crate) fn push(&mut self, a: LoggedAction) -> usize {
        self.actions.push(a);
        self.outcomes.push(Outcome::Queued);
        self.actions.len() - 1
    }
}

impl Response {
    /// The source row of logged action `k`.
    pub fn logged_row(&self, k: usize) -> Option<usize> {
        self.external.as_ref().map(|e| e.actions[k].row)
    }

    /// Sites whose symptoms wait to be detected, with their incident (the
    /// tabletop shows them to the monitoring body as alerts).
    pub fn watched(&self) -> impl Iterator<Item = (NodeId, usize)> + '_ {
        self.watch.iter().copied()
    }

    /// The task logged action `k` did (None: none yet, a detection, a
    /// close or a deviation).
    pub fn logged_task(&self, k: usize) -> Option<TaskId> {
        match self.external.as_ref()?.outcomes.get(k)? {
            Outcome::Done { task, .. } => *task,
            _ => None,
        }
    }

    /// "unit body" of logged action `k`, as the record names actors.
    pub fn logged_actor(&self, k: usize, topo: &Topology) -> Option<String> {
        let a = &self.external.as_ref()?.actions[k];
        let body = match a.body {
            Some(b) => self.plan.bodies[b].id.clone(),
            None => a.body_text.clone(),
        };
        Some(format!("{} {body}", topo.nodes[a.unit as usize].id))
    }

    /// The waiting actions go on the agenda again at `t` when something
    /// they may match has appeared since they were last tried.
    pub fn retry_external(&mut self, t: f64, agenda: &mut Agenda) {
        let Some(ext) = self.external.as_mut() else {
            return;
        };
        if !ext.dirty || ext.pending.is_empty() {
            return;
        }
        ext.dirty = false;
        for k in std::mem::take(&mut ext.pending) {
            agenda.push(t, Action::Logged(k));
        }
    }

    /// The agenda's hook: logged action `k` takes effect at minute `t`.
    #[allow(clippy::too_many_arguments)]
    pub fn apply_logged(
        &mut self,
        k: usize,
        t: f64,
        topo: &Topology,
        net: &mut Net,
        worm: &mut WormRes,
        rec: &mut RunRecord,
        agenda: &mut Agenda,
        flipped: &mut Vec<LinkId>,
        changed: &mut Vec<NodeId>,
    ) {
        let Some(ext) = self.external.as_ref() else {
            return;
        };
        let a = ext.actions[k].clone();
        let outcome = match &a.action {
            LogAction::Unknown(s) => Outcome::Deviation(format!("the plan has no step `{s}`")),
            LogAction::Close => {
                // The response to close: the first open one the unit (or
                // the target site) is part of.
                let site = a.target.unwrap_or(a.unit);
                let open = self.incidents.iter().position(|i| {
                    i.opened.is_some_and(|o| o <= t)
                        && i.ended.is_none()
                        && (i.site_seen[site as usize]
                            || i.knowers.contains(&a.unit)
                            || i.activated.iter().any(|x| x.1 == site))
                });
                match open {
                    Some(inc) if self.contained(inc, net, worm) => {
                        // The plan's end of response, declared now: the
                        // post-incident work starts; tasks still open stay
                        // open and are scored by their deadlines.
                        self.end_response(inc, t, topo, rec);
                        Outcome::Done {
                            task: None,
                            at: t,
                            wrong_actor: false,
                        }
                    }
                    Some(inc) => Outcome::Deviation(format!(
                        "incident {} was not contained at minute {} (the plan ends a response only once it is)",
                        inc + 1,
                        fmt_min(t)
                    )),
                    None if self
                        .incidents
                        .iter()
                        .any(|i| i.ended.is_some_and(|e| e <= t)) =>
                    {
                        // The response had already ended (all done).
                        Outcome::Done {
                            task: None,
                            at: t,
                            wrong_actor: false,
                        }
                    }
                    None => Outcome::Deviation("no response was open to close".into()),
                }
            }
            LogAction::Detect => {
                let site = a.target.unwrap_or(a.unit);
                let found = self
                    .watch
                    .iter()
                    .filter(|&&(v, _)| v == site)
                    .map(|&(_, inc)| inc)
                    .min();
                match found {
                    Some(inc) => {
                        self.watch.retain(|&w| w != (site, inc));
                        self.watching.remove(&(site, inc));
                        let body = a.body.unwrap_or_else(|| self.monitor());
                        self.detect(inc, site, a.unit, body, t, topo, rec);
                        Outcome::Done {
                            task: None,
                            at: t,
                            wrong_actor: false,
                        }
                    }
                    None => Outcome::Waiting,
                }
            }
            _ => {
                let mut found = self.find_task(&a);
                if found.is_none() && a.action == LogAction::Escalate {
                    // The unit re-grades on its own initiative.
                    if let Some(inc) = self
                        .incidents
                        .iter()
                        .position(|i| i.ended.is_none() && i.graded.contains_key(&a.unit))
                    {
                        self.ask_grade(inc, a.unit, t);
                        found = self.find_task(&a);
                    }
                }
                match found {
                    Some((id, wrong)) => {
                        self.do_logged(
                            k, id, wrong, t, topo, net, worm, rec, agenda, flipped, changed,
                        );
                        Outcome::Done {
                            task: Some(id),
                            at: t,
                            wrong_actor: wrong,
                        }
                    }
                    None => Outcome::Waiting,
                }
            }
        };
        let actor = self
            .logged_actor(k, topo)
            .unwrap_or_else(|| a.body_text.clone());
        if let Outcome::Done {
            task: Some(id),
            wrong_actor: true,
            ..
        } = outcome
        {
            let named = self.actor(topo, self.tasks[id].unit, self.tasks[id].body);
            rec.action(
                t,
                EventKind::Deviation,
                Some(self.tasks[id].site),
                &actor,
                "",
                format!(
                    "{} at {} done by {actor}, not {named} as the plan names (row {})",
                    self.task_name(id),
                    topo.nodes[self.tasks[id].site as usize].id,
                    a.row
                ),
            );
        }
        let Some(ext) = self.external.as_mut() else {
            return;
        };
        if outcome == Outcome::Waiting {
            ext.pending.push(k);
        } else if matches!(outcome, Outcome::Done { .. }) && t > a.at {
            let before = if a.action == LogAction::Detect {
                "before any symptom showed at the site"
            } else {
                "before the plan called for it"
            };
            rec.action(
                t,
                EventKind::Deviation,
                Some(a.target.unwrap_or(a.unit)),
                &actor,
                "",
                format!(
                    "{} logged at minute {} (row {}) {before}; counted as done at minute {}",
                    a.action.as_str(),
                    fmt_min(a.at),
                    a.row,
                    fmt_min(t)
                ),
            );
        }
        let ext = self.external.as_mut().expect("external present");
        ext.outcomes[k] = outcome;
    }

    /// The task logged action `a` does: (task, done by another actor).
    fn find_task(&self, a: &LoggedAction) -> Option<(TaskId, bool)> {
        let ext = self.external.as_ref()?;
        let mut exact: Option<(u8, f64, TaskId)> = None;
        let mut loose: Option<TaskId> = None;
        for (id, t) in self.tasks.iter().enumerate() {
            if !matches!(t.state, TaskState::Ready | TaskState::Waiting)
                || !ext.control.covers(t.unit, t.body)
                || !self.kind_matches(id, a)
            {
                continue;
            }
            if t.unit == a.unit && a.body == Some(t.body) {
                // Ready before waiting, then earliest deadline, then first made.
                let key = (
                    u8::from(t.state != TaskState::Ready),
                    t.due.unwrap_or(f64::INFINITY),
                    id,
                );
                if exact.is_none_or(|e| (key.0, key.1) < (e.0, e.1)) {
                    exact = Some(key);
                }
            } else if loose.is_none()
                && (a.target.is_some() || (a.body.is_none() && t.unit == a.unit))
            {
                loose = Some(id);
            }
        }
        match (exact, loose) {
            (Some(e), _) => Some((e.2, false)),
            (None, Some(l)) => Some((l, true)),
            _ => None,
        }
    }

    /// Whether task `id` is of logged action `a`'s kind, level and target.
    fn kind_matches(&self, id: TaskId, a: &LoggedAction) -> bool {
        let t = &self.tasks[id];
        let kind = match (&a.action, t.kind) {
            (LogAction::Report, TaskKind::Report { .. }) => true,
            (LogAction::Grade | LogAction::Escalate, TaskKind::Grade) => true,
            (LogAction::Activate, TaskKind::Activate { level }) => {
                a.level.is_none_or(|l| l == level)
            }
            (LogAction::Step(s), TaskKind::Step { source, step }) => {
                self.step(source, step).id == *s
            }
            _ => false,
        };
        if !kind {
            return false;
        }
        match a.target {
            None => true,
            Some(x) => {
                t.site == x
                    || matches!(t.kind, TaskKind::Report { to: Some(u), .. } if u == x)
                    || self.incidents[t.incident].site_seen[x as usize]
            }
        }
    }

    /// Logged action `k` does task `id` at minute `t`.
    #[allow(clippy::too_many_arguments)]
    fn do_logged(
        &mut self,
        k: usize,
        id: TaskId,
        wrong: bool,
        t: f64,
        topo: &Topology,
        net: &mut Net,
        worm: &mut WormRes,
        rec: &mut RunRecord,
        agenda: &mut Agenda,
        flipped: &mut Vec<LinkId>,
        changed: &mut Vec<NodeId>,
    ) {
        let a = self.external.as_ref().expect("external present").actions[k].clone();
        let (mut level, mut expected) = (None, None);
        if self.tasks[id].kind == TaskKind::Grade {
            let task = self.tasks[id].clone();
            let facts = self.facts(task.incident, task.unit, t, topo, net, worm);
            let mut e = self.plan.grading.grade(&facts);
            // As the simulated graders: a level once graded is not lowered.
            let current = self.incidents[task.incident]
                .graded
                .get(&task.unit)
                .map(|g| g.0);
            if let Some(c) = current {
                e = e.min(c);
            }
            expected = Some(e);
            level = Some(match (a.level, &a.action) {
                (Some(l), _) => l,
                (None, LogAction::Escalate) => current.unwrap_or(e).up(),
                (None, _) => e,
            });
        }
        let task = &mut self.tasks[id];
        task.logged = Some(k);
        task.wrong_actor = wrong;
        task.expected = expected;
        task.decided = Some(t);
        // A task still waiting for its prerequisites is done out of order.
        task.state = TaskState::Ready;
        if self.start_task(id, t, level, topo, rec) {
            if self.is_rollout(id) {
                // The patch order goes out at the logged minute; each unit
                // patches at its own pace after it.
                let r = self.rollout(id, topo, worm);
                for &(v, off) in &r.units {
                    agenda.push(t + off, Action::PatchUnit(v, id));
                }
                self.rollouts.insert(id, r);
            }
            self.complete(id, t, topo, net, worm, rec, flipped, changed);
        }
    }

    /// At the end of the run: every logged action that never matched is
    /// recorded as a deviation at its logged minute.
    pub fn flush_external(&mut self, topo: &Topology, rec: &mut RunRecord) {
        let Some(ext) = self.external.as_mut() else {
            return;
        };
        for k in std::mem::take(&mut ext.pending) {
            ext.outcomes[k] = Outcome::Deviation(match ext.actions[k].action {
                LogAction::Detect => "no symptom of any incident at that site".into(),
                _ => "no task of the plan matched it (none called for, or already done)".into(),
            });
        }
        for k in 0..ext.actions.len() {
            if ext.outcomes[k] == Outcome::Queued {
                ext.outcomes[k] = Outcome::Deviation("after the end of the run".into());
            }
        }
        let ext = self.external.as_ref().expect("external present");
        for (a, o) in ext.actions.iter().zip(&ext.outcomes) {
            let Outcome::Deviation(why) = o else {
                continue;
            };
            let body = match a.body {
                Some(b) => self.plan.bodies[b].id.clone(),
                None => a.body_text.clone(),
            };
            let target = a
                .target
                .map(|x| format!(" at {}", topo.nodes[x as usize].id))
                .unwrap_or_default();
            let level = a
                .level
                .map(|l| format!(" level {}", l.as_str()))
                .unwrap_or_default();
            rec.action(
                a.at,
                EventKind::Deviation,
                Some(a.target.unwrap_or(a.unit)),
                format!("{} {body}", topo.nodes[a.unit as usize].id),
                "",
                format!(
                    "logged {}{level}{target} (row {}) not in the plan's response: {why}",
                    a.action.as_str(),
                    a.row
                ),
            );
        }
    }
}

impl Response {
    /// The record's summary of the external actions (None without them).
    pub fn drill_meta(&self, topo: &Topology) -> Option<crate::engine::record::DrillMeta> {
        let ext = self.external.as_ref()?;
        let control = match ext.control {
            Control::All => "all".to_string(),
            Control::Only { body, unit } => {
                let b = &self.plan.bodies[body].id;
                match unit {
                    Some(u) => format!("{b}@{}", topo.nodes[u as usize].id),
                    None => b.clone(),
                }
            }
        };
        let mut m = crate::engine::record::DrillMeta {
            control,
            actions: ext.actions.len(),
            ..Default::default()
        };
        for (a, o) in ext.actions.iter().zip(&ext.outcomes) {
            match o {
                Outcome::Done {
                    at, wrong_actor, ..
                } => {
                    m.applied += 1;
                    m.early += usize::from(*at > a.at);
                    m.wrong_actor += usize::from(*wrong_actor);
                }
                Outcome::Deviation(_) => m.deviations += 1,
                Outcome::Queued | Outcome::Waiting => {}
            }
        }
        Some(m)
    }
}

/// A minute for texts: whole minutes without decimals.
fn fmt_min(m: f64) -> String {
    if m.fract() == 0.0 {
        format!("{m:.0}")
    } else {
        format!("{m:.1}")
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::engine::{ResponseSetup, RunConfig, RunRecord, Sim};
    use crate::model::topology::Topology;

    const SCENARIO: &str = r#"Scenario(
        name: "sc outage", description: "", start: "2026-09-14T09:00:00",
        duration: "6h",
        injects: [(at: "+10m", what: NodeFailure((node: "sc", duration: Some("3h"))))],
    )"#;

    fn inputs() -> (
        Arc<Topology>,
        Arc<crate::model::scenario::Scenario>,
        ResponseSetup,
    ) {
        let topo = Arc::new(crate::model::topology_spec::default_topology());
        let scenario = crate::model::scenario_file::parse(SCENARIO, Path::new("t.ron"), "t", &topo)
            .expect("scenario");
        let plan = crate::app::load_plan("sat-overall").expect("plan");
        let teams = crate::model::teams_file::parse_for(
            crate::model::teams_file::DEFAULT_TEAMS,
            Path::new("teams.ron"),
            &topo.provinces,
        )
        .expect("teams");
        let setup = ResponseSetup {
            plan,
            teams: Arc::new(teams),
            spread: true,
        };
        (topo, Arc::new(scenario), setup)
    }

    fn node(topo: &Topology, id: &str) -> NodeId {
        topo.nodes.iter().position(|n| n.id == id).expect("node") as NodeId
    }

    fn run(control: Control, actions: Vec<LoggedAction>) -> RunRecord {
        let (topo, scenario, setup) = inputs();
        let cfg = RunConfig {
            seed: 1,
            response: true,
        };
        Sim::with_response(topo, scenario, Some(setup), cfg)
            .with_external(control, actions)
            .run_to_end()
    }

    fn act(
        at: f64,
        unit: NodeId,
        body: &str,
        action: LogAction,
        level: Option<Level>,
    ) -> LoggedAction {
        let plan = crate::app::load_plan("sat-overall").expect("plan");
        LoggedAction {
            at,
            unit,
            body: plan.bodies.iter().position(|b| b.id == body),
            body_text: body.into(),
            action,
            target: None,
            level,
            note: String::new(),
            row: 0,
        }
    }

    #[test]
    fn a_logged_report_finishes_its_task_at_the_logged_minute() {
        let (topo, _, _) = inputs();
        let sc = node(&topo, "sc");
        let log = vec![
            act(40.0, sc, "emergency_office", LogAction::Report, None),
            act(20.0, sc, "information_centre", LogAction::Detect, None),
            act(
                25.0,
                sc,
                "emergency_office",
                LogAction::Grade,
                Some(Level::III),
            ),
        ];
        let rec = run(Control::All, log);
        let report = rec
            .tasks
            .iter()
            .find(|t| t.kind == "report" && t.unit == sc)
            .expect("a report task at sc");
        assert_eq!(report.state, "done");
        assert_eq!(report.finished, Some(40.0));
        assert_eq!(report.due, Some(50.0), "30 minutes from learning at 20");
        let grade = rec.tasks.iter().find(|t| t.kind == "grade").expect("grade");
        assert_eq!((grade.finished, grade.action.as_str()), (Some(25.0), "III"));
        let opened = rec
            .events
            .iter()
            .find(|e| e.kind == EventKind::IncidentOpened)
            .expect("opened");
        assert_eq!(opened.minute, 20.0);
        // Nothing else was done: no step started without a log line.
        assert!(
            rec.tasks
                .iter()
                .all(|t| t.kind != "step" || t.state != "done")
        );
    }

    #[test]
    fn a_controlled_body_without_log_does_nothing() {
        let (_, _, setup) = inputs();
        let office = setup
            .plan
            .bodies
            .iter()
            .position(|b| b.id == "emergency_office");
        let rec = run(
            Control::Only {
                body: office.expect("office"),
                unit: None,
            },
            Vec::new(),
        );
        // The simulated teams detected and worked their steps...
        assert!(rec.events.iter().any(|e| e.kind == EventKind::Detection));
        assert!(
            rec.tasks
                .iter()
                .any(|t| t.kind == "step" && t.state == "done")
        );
        // ...but the emergency office never graded: its task waits.
        let grades: Vec<_> = rec.tasks.iter().filter(|t| t.kind == "grade").collect();
        assert!(!grades.is_empty());
        assert!(
            grades
                .iter()
                .all(|t| t.state == "ready" && t.finished.is_none())
        );
        assert!(!rec.events.iter().any(|e| e.kind == EventKind::Grading));
    }

    #[test]
    fn unmatched_and_unknown_actions_are_kept_as_deviations() {
        let (topo, _, _) = inputs();
        let sc = node(&topo, "sc");
        let log = vec![
            act(
                30.0,
                sc,
                "emergency_office",
                LogAction::Unknown("pray".into()),
                None,
            ),
            act(35.0, sc, "emergency_office", LogAction::Report, None),
        ];
        let rec = run(Control::All, log);
        let dev: Vec<_> = rec
            .events
            .iter()
            .filter(|e| e.kind == EventKind::Deviation)
            .collect();
        assert_eq!(dev.len(), 2, "{dev:?}");
        assert_eq!(dev[0].minute, 30.0);
        assert!(dev[0].detail.contains("pray"));
        assert!(dev[1].detail.contains("report"));
    }
}
