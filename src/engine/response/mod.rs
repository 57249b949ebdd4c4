//! The response: incidents, the tasks the plan requires, and the teams that
//! work them.
//!
//! Three parts, matching the tick's phases:
//!
//! - **Observe** ([`observe`]): teams detect symptoms (coverage × staff on
//!   duty × symptom strength); incidents open; the top unit re-grades
//!   periodically; a contained incident ends.
//! - **Decide** ([`decide`]): a decision maker picks which ready tasks start
//!   now, how long they take, and which are skipped, and says so in
//!   [`Decision`] messages. The simulated teams are one decision maker; a
//!   drill log or live players will be others behind the same seam.
//! - **Act** ([`act`]): decisions take effect: tasks start, staff is taken,
//!   and each task's completion goes on the agenda at its exact minute. When
//!   it comes due, the Threat loop calls [`Response::complete`], which applies
//!   the step's effect on the network and lets the plan logic ([`logic`])
//!   create what follows (reports, grading, activation, next steps).

pub mod decide;
pub mod duties;
pub mod duty;
pub mod epilogue;
pub mod external;
pub mod logic;
pub mod order;
pub mod restore;
pub mod rollout;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use bevy_ecs::message::{Message, MessageReader, MessageWriter};
use bevy_ecs::prelude::*;
use rand_chacha::ChaCha8Rng;

use super::agenda::{Action, Agenda};
use super::net::Net;
use super::record::RunRecord;
use super::threats::Symptoms;
use super::worm::WormRes;
use super::{Clock, TopoRes};
use crate::model::plan::{BodyId, BodyRole, ClassId, Level, Plan, ThreatKind};
use crate::model::teams::Teams;
use crate::model::topology::NodeId;

pub type TaskId = usize;

/// Which list of steps a step task comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepSource {
    /// `Plan::procedures[i]`.
    Procedure(usize),
    /// `Plan::special_plans[i]`.
    Special(usize),
    /// The duties of `Plan::levels[i]` (see [`duties`]).
    Level(usize),
}

impl StepSource {
    /// `procedure:N` or `special:N` (as in the run record).
    pub fn label(self) -> String {
        match self {
            StepSource::Procedure(p) => format!("procedure:{p}"),
            StepSource::Special(s) => format!("special:{s}"),
            StepSource::Level(l) => format!("level:{l}"),
        }
    }
}

/// What a task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskKind {
    /// A report hop under `Plan::reporting[rule]` to a unit (None: the
    /// national coordination office).
    Report { rule: usize, to: Option<NodeId> },
    /// The unit's emergency office grades the incident with what it knows.
    Grade,
    /// The approver starts the response at `level`; the lead body assembles.
    Activate { level: Level },
    /// A procedure or special-plan step.
    Step { source: StepSource, step: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    /// Waiting for the steps it follows.
    Waiting,
    Ready,
    Running,
    Done,
    Skipped,
    /// Post-incident work of an incident still open when the run ended: it
    /// counts from the end of the response, which never came.
    NotDue,
}

/// One thing the plan requires of someone during the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub id: TaskId,
    pub incident: usize,
    pub kind: TaskKind,
    /// The unit (node) whose body does it.
    pub unit: NodeId,
    pub body: BodyId,
    /// Where it acts (the site for site steps; the unit otherwise).
    pub site: NodeId,
    pub staff: u32,
    pub created: f64,
    pub due: Option<f64>,
    pub started: Option<f64>,
    /// When the team committed to the start (the start may be paced later).
    pub decided: Option<f64>,
    pub finished: Option<f64>,
    pub state: TaskState,
    /// Prerequisite tasks not finished yet.
    pub deps_left: u32,
    pub dependents: Vec<TaskId>,
    /// Started before its prerequisites finished (a deviation).
    pub out_of_order: bool,
    /// The team will not wait for its prerequisites (a deviation drawn when
    /// the task is made; `out_of_order` if it then starts before them).
    pub jumps_order: bool,
    /// Grade tasks: the level the grader chose.
    pub level: Option<Level>,
    /// Grade tasks: the level the grader's facts called for.
    pub expected: Option<Level>,
    /// Done by logged action number `k` (see [`external`]).
    pub logged: Option<usize>,
    /// Done by a logged action of another unit or body than the plan names.
    pub wrong_actor: bool,
}

/// One incident: everything one scripted threat sets off.
#[derive(Clone, Debug)]
pub struct Incident {
    pub inject: usize,
    pub threat: ThreatKind,
    pub class: ClassId,
    pub opened: Option<f64>,
    pub first_unit: Option<NodeId>,
    pub province: Option<u16>,
    /// Detected sites, in order, with their detection minute.
    pub sites: Vec<(NodeId, f64)>,
    /// The unit whose emergency office reports for each site (same order).
    pub(crate) site_office: Vec<NodeId>,
    /// Per node: already a detected site.
    pub(crate) site_seen: Vec<bool>,
    /// Minute each unit learned of the incident.
    /// Per node: minute the unit learned of the incident (NaN: not yet).
    pub knows: Vec<f64>,
    /// Units that know, in the order they learned.
    pub knowers: Vec<NodeId>,
    /// Latest grade per unit, and when.
    pub graded: HashMap<NodeId, (Level, f64)>,
    grade_pending: HashSet<NodeId>,
    /// Most severe level graded so far.
    pub level: Option<Level>,
    /// Last periodic review of the grade by the top unit (minute).
    pub(crate) reviewed: f64,
    /// Graded units with news since (a report from below): review the grade.
    pub(crate) review: Vec<NodeId>,
    /// Activations done: (level, lead unit, minute).
    pub activated: Vec<(Level, NodeId, f64)>,
    activation_asked: HashSet<(NodeId, Level)>,
    reports_made: HashSet<(NodeId, usize)>,
    /// Non-site steps created: (unit, source, step).
    steps_made: HashMap<(NodeId, StepSource, usize), TaskId>,
    /// Site steps created: (site, source, step) → task.
    site_steps: HashMap<(NodeId, StepSource, usize), TaskId>,
    /// Every task of a step: (source, step) → tasks, in order made.
    pub(crate) by_step: HashMap<(StepSource, usize), Vec<TaskId>>,
    /// Tasks waiting for prerequisites that may be made later.
    pub(crate) waiters: order::Waiters,
    /// Step lists that apply (procedure, special plans by class or by system).
    pub(crate) sources: Vec<StepSource>,
    /// System-started special plans that fit at a site the incident
    /// touched (one of their systems there is or was down, or the threat
    /// aims at it): (site, special plan), in the order seen (see
    /// `logic::system_plan_due`). They start at the site once it is
    /// detected.
    pub(crate) sys_fit: Vec<(NodeId, usize)>,
    /// Sites the incident touched that run a system of a system-started
    /// special plan not yet fit there: looked at every tick until it fits
    /// or the incident ends.
    pub(crate) sys_watch: Vec<NodeId>,
    /// The level for which every site's steps have been created.
    pub(crate) site_level: Option<Level>,
    pub round_the_clock: bool,
    pub ended: Option<f64>,
    /// Open tasks (not done or skipped).
    pub open_tasks: u32,
    /// A compound incident's symptoms (several injects with one label, see
    /// [`crate::engine::inject_groups`]): per site, the threat kinds that
    /// showed one there (bit `ThreatKind as u16`); detection there goes by
    /// the strongest of them. `None` for an incident of one inject, whose
    /// kind is `threat`.
    pub(crate) shown: Option<HashMap<NodeId, u16>>,
}

impl Incident {
    fn new(inject: usize, threat: ThreatKind, class: ClassId, nodes: usize) -> Incident {
        Incident {
            inject,
            threat,
            class,
            opened: None,
            first_unit: None,
            province: None,
            sites: Vec::new(),
            site_office: Vec::new(),
            site_seen: vec![false; nodes],
            knows: vec![f64::NAN; nodes],
            knowers: Vec::new(),
            graded: HashMap::new(),
            grade_pending: HashSet::new(),
            level: None,
            reviewed: f64::NEG_INFINITY,
            review: Vec::new(),
            activated: Vec::new(),
            activation_asked: HashSet::new(),
            reports_made: HashSet::new(),
            steps_made: HashMap::new(),
            site_steps: HashMap::new(),
            by_step: HashMap::new(),
            waiters: HashMap::new(),
            sources: Vec::new(),
            sys_fit: Vec::new(),
            sys_watch: Vec::new(),
            site_level: None,
            round_the_clock: false,
            ended: None,
            open_tasks: 0,
            shown: None,
        }
    }
}

/// A decision by whoever decides for the teams.
#[derive(Clone, Copy, Debug, PartialEq, Message)]
pub enum Decision {
    /// Start `task` after `delay` minutes; it then takes `minutes`. For a
    /// Grade task, `level` is the verdict.
    Start {
        task: TaskId,
        delay: f64,
        minutes: f64,
        level: Option<Level>,
        /// For a Grade task: the level the grader's facts called for.
        expected: Option<Level>,
    },
    /// The task is not done (a deviation from the plan).
    Skip { task: TaskId },
}

/// Damaged data as the response sees it (the damage model tells it; see
/// [`restore`]). The response itself never loses data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResponseLosses {
    /// Per node: the site has damaged data not restored yet.
    pub damaged: Vec<bool>,
    /// Per node: minute its data was last restored from backup (NaN: never).
    pub restored_at: Vec<f64>,
    /// `restore_data` tasks held while their site is down (no power, not
    /// rebuilt): queued again once it is up.
    pub(crate) held: Vec<TaskId>,
    /// Site steps not needed at a site (e.g. `restore_data` where nothing
    /// is damaged): (incident, site, source, step) → the tasks they would
    /// have followed, which their dependents follow instead.
    pub(crate) passed: BTreeMap<(usize, NodeId, StepSource, usize), Vec<TaskId>>,
}

/// The response's state (present only when the run simulates a response).
#[derive(Resource)]
pub struct Response {
    pub plan: Arc<Plan>,
    pub teams: Arc<Teams>,
    pub start: jiff::civil::DateTime,
    pub incidents: Vec<Incident>,
    /// Threat kind of each scenario inject.
    pub inject_threats: Vec<ThreatKind>,
    /// The incident of each inject: the first inject of its compound event
    /// (see [`crate::engine::inject_groups`]); empty = one incident per inject.
    pub inject_group: Vec<usize>,
    /// Spares the scenario sets per failed device: (site, spare held,
    /// replacement minutes); the teams file decides where it says nothing.
    pub spares: Vec<(NodeId, Option<bool>, Option<f64>)>,
    pub tasks: Vec<Task>,
    /// Ready tasks that need staff, queued per (unit, role), FIFO.
    pub(crate) queues: BTreeMap<(NodeId, BodyRole), VecDeque<TaskId>>,
    /// Ready tasks that need no staff.
    pub(crate) ready_free: Vec<TaskId>,
    /// Staff busy per (unit, role).
    pub(crate) busy: HashMap<(NodeId, BodyRole), u32>,
    /// Candidate sites to detect: (node, incident).
    watch: Vec<(NodeId, usize)>,
    watching: HashSet<(NodeId, usize)>,
    /// Memo of [`Response::responsible`]: per body, per node (u32::MAX = not yet).
    pub(crate) responsible_memo: Vec<Vec<u32>>,
    /// Staff queues with a new task or freed staff since the last decisions.
    pub(crate) dirty_queues: std::collections::BTreeSet<(NodeId, BodyRole)>,
    /// Nodes in the network (sizes per-incident tables).
    pub(crate) nodes: usize,
    /// Teams' random stream (detection, durations, deviations).
    pub rng: ChaCha8Rng,
    /// Durations vary around their medians (false under perfect readiness).
    pub spread: bool,
    /// Staff on duty now (office hours, heightened duty, round-the-clock).
    pub on_duty: bool,
    /// Why (see [`duty`]); None before the first tick.
    pub duty: Option<duty::Duty>,
    /// Off hours: units whose staff were called in, and when they arrive.
    pub(crate) called_in: BTreeMap<NodeId, f64>,
    /// Call-outs decided this tick, not yet recorded: (minute, unit, body).
    pub(crate) callouts: Vec<(f64, NodeId, BodyId)>,
    pub losses: ResponseLosses,
    /// Patch orders under way: their rollout schedules.
    pub rollouts: HashMap<TaskId, rollout::Rollout>,
    /// The external decision maker (drill log, players), if any: the
    /// bodies it controls and its actions (see [`external`]).
    pub external: Option<external::External>,
    /// Records leaked as the response knows them, per incident (its first
    /// inject): told by a data leak's discovery and by the cut of its
    /// source (`engine::threats::leak`). Empty without a leak.
    pub records_leaked: Vec<(usize, u64)>,
}

/// Re-grading interval of the unit at the top of an open incident, minutes.
pub const REGRADE_MIN: f64 = 60.0;

impl Response {
    pub fn new(
        plan: Arc<Plan>,
        teams: Arc<Teams>,
        start: jiff::civil::DateTime,
        inject_threats: Vec<ThreatKind>,
        rng: ChaCha8Rng,
        spread: bool,
    ) -> Response {
        Response {
            plan,
            teams,
            start,
            incidents: Vec::new(),
            inject_threats,
            inject_group: Vec::new(),
            spares: Vec::new(),
            tasks: Vec::new(),
            queues: BTreeMap::new(),
            ready_free: Vec::new(),
            busy: HashMap::new(),
            watch: Vec::new(),
            watching: HashSet::new(),
            responsible_memo: Vec::new(),
            dirty_queues: std::collections::BTreeSet::new(),
            nodes: 0,
            rng,
            spread,
            on_duty: true,
            duty: None,
            called_in: BTreeMap::new(),
            callouts: Vec::new(),
            losses: ResponseLosses::default(),
            rollouts: HashMap::new(),
            external: None,
            records_leaked: Vec::new(),
        }
    }
}

/// Observe phase: detection of new and standing symptoms, periodic
/// re-grading, end of response.
#[allow(clippy::too_many_arguments)]
pub fn observe(
    clock: Res<Clock>,
    topo: Res<TopoRes>,
    net: Res<Net>,
    mut worm: ResMut<WormRes>,
    mut symptoms: ResMut<Symptoms>,
    response: Option<ResMut<Response>>,
    mut rec: ResMut<RunRecord>,
    mut agenda: ResMut<Agenda>,
) {
    let Some(mut resp) = response else {
        symptoms.0.clear();
        for w in worm.iter_mut() {
            w.newly_infected.clear();
        }
        return;
    };
    let now = clock.now + clock.dt;
    let topo = &*topo.0;
    let mut new_worm: Vec<(NodeId, usize)> = Vec::new();
    for w in worm.iter_mut() {
        let inject = w.inject;
        new_worm.extend(w.newly_infected.drain(..).map(|v| (v, inject)));
    }
    let new_other: Vec<(NodeId, usize)> =
        symptoms.0.drain(..).map(|s| (s.node, s.inject)).collect();
    resp.observe(
        now,
        clock.dt,
        topo,
        &net,
        &worm,
        new_worm.into_iter().chain(new_other),
        &mut rec,
    );
    // Logged actions that found nothing to act on may now (see `external`).
    resp.retry_external(now, &mut agenda);
}

/// Decide phase: the simulated teams decide (see [`decide`]).
pub fn decide(
    clock: Res<Clock>,
    topo: Res<TopoRes>,
    net: Res<Net>,
    worm: Res<WormRes>,
    response: Option<ResMut<Response>>,
    mut out: MessageWriter<Decision>,
) {
    if let Some(mut resp) = response {
        let now = clock.now + clock.dt;
        for d in resp.simulated_decisions(now, &topo.0, &net, &worm) {
            out.write(d);
        }
    }
}

/// Act phase: decisions take effect; completions go on the agenda.
pub fn act(
    clock: Res<Clock>,
    topo: Res<TopoRes>,
    worm: Res<WormRes>,
    response: Option<ResMut<Response>>,
    mut decisions: MessageReader<Decision>,
    mut agenda: ResMut<Agenda>,
    mut rec: ResMut<RunRecord>,
) {
    let Some(mut resp) = response else {
        decisions.clear();
        return;
    };
    let now = clock.now + clock.dt;
    resp.record_callouts(&topo.0, &mut rec);
    for d in decisions.read() {
        match *d {
            Decision::Start {
                task,
                delay,
                minutes,
                level,
                expected,
            } => {
                let at = now + delay.max(0.0);
                resp.tasks[task].expected = expected;
                if resp.tasks[task].state == TaskState::Ready {
                    resp.tasks[task].decided = Some(now);
                }
                if resp.start_task(task, at, level, &topo.0, &mut rec) {
                    let done = at + minutes.max(0.0);
                    if resp.is_rollout(task) {
                        // The order goes out when it is ready; each unit
                        // patches at its minute, the last one when it is done.
                        let r = resp.rollout(task, &topo.0, &worm);
                        let issued = done - r.span_min;
                        for &(v, off) in &r.units {
                            agenda.push(issued + off, Action::PatchUnit(v, task));
                        }
                        resp.rollouts.insert(task, r);
                    }
                    agenda.push(done, Action::TaskDone(task));
                }
            }
            Decision::Skip { task } => resp.skip_task(task, now, &topo.0, &mut rec),
        }
    }
}
