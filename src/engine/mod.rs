//! The simulation engine: a bevy_ecs `World` and one `Schedule` run once per
//! tick, systems in chained phases Inject → Threat → Observe → Decide → Act
//! → Score → Record. It does no I/O and cannot fail on validated input: it
//! only appends to the [`RunRecord`].
//!
//! The hot state (per-node host counts, line states) lives in flat
//! resources ([`Net`], [`worm::Worm`]) rather than one entity per node: the
//! worm's exact sampler touches it hundreds of thousands of times per run.

pub mod agenda;
pub mod damage;
pub mod net;
pub mod radix;
pub mod record;
pub mod response;
pub mod rng;
pub mod sumtree;
pub mod threats;
/// The former name of [`threats`] (kept so existing paths still resolve).
pub use threats as threat;
pub mod worm;

use std::sync::Arc;

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, SingleThreadedExecutor};
use rand_chacha::ChaCha8Rng;

pub use net::Net;
pub use record::{
    BodyMeta, DataLoss, Event, EventKind, NodeMeta, RunMeta, RunRecord, TaskRecord, TimelineRow,
    Totals,
};

use crate::model::plan::{Plan, ThreatKind};
use crate::model::scenario::{InjectKind, Scenario};
use crate::model::teams::Teams;
use crate::model::topology::Topology;

/// The phases of one tick, run in this order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Scripted injects due in this tick go on the agenda.
    Inject,
    /// Threats advance exactly through the tick; agenda actions apply.
    Threat,
    /// The network view (reachability, services) is refreshed; teams observe.
    Observe,
    /// Teams decide (later: simulated teams, a drill log, or live players).
    Decide,
    /// Decisions take effect on the network.
    Act,
    /// Losses accrue.
    Score,
    /// The tick's state is appended to the record.
    Record,
}

/// Simulated time.
#[derive(Debug, Clone, Copy, Resource)]
pub struct Clock {
    /// Minutes from the scenario start at the beginning of this tick.
    pub now: f64,
    /// Tick length in minutes.
    pub dt: f64,
    pub tick: u64,
}

/// The shared, immutable network.
#[derive(Debug, Clone, Resource)]
pub struct TopoRes(pub Arc<Topology>);

/// The shared, immutable scenario.
#[derive(Debug, Clone, Resource)]
pub struct ScenarioRes(pub Arc<Scenario>);

/// Hosts per node for this run (the topology's, or the validation override).
#[derive(Debug, Clone, Resource)]
pub struct Hosts(pub Vec<u32>);

/// One random stream per subsystem (see [`rng`]).
#[derive(Debug, Resource)]
pub struct Streams {
    pub worm: ChaCha8Rng,
    pub outage: ChaCha8Rng,
    /// The run's seed (for streams named at an inject, e.g. `worm.K`).
    pub seed: u64,
}

/// Options of one run.
#[derive(Debug, Clone, Copy)]
pub struct RunConfig {
    pub seed: u64,
    /// Simulate the response teams. `false` = the threat's natural course.
    pub response: bool,
}

/// The plan revision and the teams that work it.
#[derive(Debug, Clone)]
pub struct ResponseSetup {
    pub plan: Arc<Plan>,
    pub teams: Arc<Teams>,
    /// Durations vary around their medians (false under perfect readiness).
    pub spread: bool,
}

/// The threat kind behind each inject (one incident per inject).
pub fn inject_threats(scenario: &Scenario) -> Vec<ThreatKind> {
    scenario
        .injects
        .iter()
        .map(|i| match &i.kind {
            InjectKind::Worm(_) => ThreatKind::Worm,
            InjectKind::LinkCut { .. } => ThreatKind::LinkFailure,
            InjectKind::NodeFailure { .. } => ThreatKind::NodeFailure,
            InjectKind::PowerOutage { .. } => ThreatKind::PowerOutage,
            InjectKind::Disaster { .. } => ThreatKind::Disaster,
            InjectKind::Intrusion(_) => ThreatKind::Intrusion,
            InjectKind::Defacement(d) if d.harmful => ThreatKind::HarmfulContent,
            InjectKind::Defacement(_) => ThreatKind::Defacement,
            InjectKind::DenialOfService(_) => ThreatKind::DenialOfService,
            InjectKind::DataLeak(_) => ThreatKind::DataLeak,
            InjectKind::Virus(_) => ThreatKind::Virus,
            InjectKind::Insider(_) => ThreatKind::Insider,
        })
        .collect()
}

/// The incident of each inject: the index of the first inject (in time
/// order) with the same compound-event label, or the inject itself.
pub fn inject_groups(scenario: &Scenario) -> Vec<usize> {
    let inj = &scenario.injects;
    (0..inj.len())
        .map(|k| match &inj[k].incident {
            Some(label) => inj
                .iter()
                .position(|j| j.incident.as_ref() == Some(label))
                .unwrap_or(k),
            None => k,
        })
        .collect()
}

/// A run in progress: a world and its schedule. Step it tick by tick (the
/// tabletop will), or call [`Sim::run_to_end`].
pub struct Sim {
    world: World,
    schedule: Schedule,
    ticks: u64,
    /// Each node's province, read at the end of the run for the impact
    /// per province (shared by the runs on one network).
    node_province: Arc<[Option<u16>]>,
}

impl Sim {
    /// A run without response: the threat's natural course.
    pub fn new(topo: Arc<Topology>, scenario: Arc<Scenario>, cfg: RunConfig) -> Sim {
        Sim::with_response(topo, scenario, None, cfg)
    }

    /// A run; `response` is the plan and teams (used when `cfg.response`).
    pub fn with_response(
        topo: Arc<Topology>,
        scenario: Arc<Scenario>,
        response: Option<ResponseSetup>,
        cfg: RunConfig,
    ) -> Sim {
        // Damage happens with or without a response; it needs the sites'
        // backup intervals (teams file).
        let damage_teams = response.as_ref().map(|r| r.teams.clone());
        let response = response.filter(|_| cfg.response);
        let hosts: Vec<u32> = match scenario.hosts_per_node {
            Some(h) => vec![h; topo.nodes.len()],
            None => topo.nodes.iter().map(|n| n.hosts).collect(),
        };
        let dt = scenario.tick_min;
        let ticks = (scenario.duration_min / dt - 1e-9).ceil().max(0.0) as u64;
        let shared = shared_meta(&topo, &scenario, response.as_ref());
        let (meta, wan_nodes) = (shared.meta.clone(), shared.wan_nodes);
        let record = RunRecord {
            scenario: scenario.name.clone(),
            scenario_slug: scenario.slug.clone(),
            seed: cfg.seed,
            start: scenario.start.to_string(),
            tick_min: dt,
            duration_min: ticks as f64 * dt,
            response: response.is_some(),
            wan_nodes,
            links: topo.links.len(),
            hosts: hosts.iter().map(|&h| h as u64).sum(),
            services: topo.services.len(),
            meta,
            // One row per tick plus the initial one. The event list grows
            // as it goes: a capacity taken from earlier runs would make every
            // later run of a batch hold room for the largest outbreak seen,
            // and a batch's memory grow with its number of runs.
            timeline: Vec::with_capacity(ticks as usize + 1),
            ..RunRecord::default()
        };
        let (mut world, schedule) = match SPARE.with(|s| s.borrow_mut().take()) {
            Some((mut world, schedule)) => {
                // A finished run's world (see [`Sim::finish`]): every
                // resource below is overwritten in place; the optional ones
                // of the last run go first. The decisions' message queue is
                // kept as it is: the Act phase reads or clears every decision
                // in the tick it is made, so it is empty of unread ones, and
                // its reader's cursor (a system local) stays in step with it.
                world.remove_resource::<damage::Damage>();
                world.remove_resource::<response::Response>();
                world.remove_resource::<worm::Sampler>();
                world.clear_trackers();
                (world, schedule)
            }
            None => {
                let mut world = World::new();
                bevy_ecs::message::MessageRegistry::register_message::<response::Decision>(
                    &mut world,
                );
                (world, build_schedule())
            }
        };
        world.insert_resource(Net::initial(&topo));
        world.insert_resource(Clock {
            now: 0.0,
            dt,
            tick: 0,
        });
        world.insert_resource(Streams {
            worm: rng::stream(cfg.seed, "worm"),
            outage: rng::stream(cfg.seed, "outage"),
            seed: cfg.seed,
        });
        world.insert_resource(Hosts(hosts));
        if let Some(teams) = damage_teams {
            world.insert_resource(damage::Damage::new(
                teams,
                &scenario,
                topo.nodes.len(),
                rng::stream(cfg.seed, "damage"),
            ));
        }
        if let Some(r) = &response {
            let mut resp = response::Response::new(
                r.plan.clone(),
                r.teams.clone(),
                scenario.start,
                inject_threats(&scenario),
                rng::stream(cfg.seed, "teams"),
                r.spread,
            );
            resp.nodes = topo.nodes.len();
            resp.inject_group = inject_groups(&scenario);
            resp.spares = scenario
                .injects
                .iter()
                .filter_map(|i| match i.kind {
                    InjectKind::NodeFailure {
                        node,
                        spare,
                        replacement_min,
                        ..
                    } if spare.is_some() || replacement_min.is_some() => {
                        Some((node, spare, replacement_min))
                    }
                    _ => None,
                })
                .collect();
            world.insert_resource(resp);
        }
        world.insert_resource(threats::Symptoms::default());
        world.insert_resource(TopoRes(topo));
        let origin = scenario.start;
        world.insert_resource(ScenarioRes(scenario));
        world.insert_resource(worm::WormRes::default());
        world.insert_resource(agenda::Agenda::default());
        world.insert_resource(threats::InjectCursor::default());
        world.insert_resource(threats::intrusion::Intrusions::new(cfg.seed));
        world.insert_resource(threats::defacement::Defacements::new(cfg.seed));
        world.insert_resource(threats::dos::Dos::new(cfg.seed, origin));
        world.insert_resource(threats::leak::Leaks::new(cfg.seed));
        world.insert_resource(threats::virus::Viruses::new(cfg.seed));
        world.insert_resource(threats::insider::Insiders::new(cfg.seed));
        world.insert_resource(Losses::default());
        world.insert_resource(record);

        let mut sim = Sim {
            world,
            schedule,
            ticks,
            node_province: shared.node_province,
        };
        sim.initial_row();
        sim
    }

    /// The same run with the worm sampled by `sampler` (see
    /// [`worm::Sampler`]; [`worm::Sampler::Auto`] by default). Call before
    /// the first step.
    pub fn with_sampler(mut self, sampler: worm::Sampler) -> Sim {
        self.world.insert_resource(sampler);
        self
    }

    /// Before the first step: these bodies' decisions come from `actions`
    /// (a drill log; sorted here by minute, stably), not from the simulated
    /// teams. See [`response::external`] for what an action does. A run
    /// without response ignores them.
    pub fn with_external(
        mut self,
        control: response::external::Control,
        mut actions: Vec<response::external::LoggedAction>,
    ) -> Sim {
        actions.sort_by(|a, b| a.at.total_cmp(&b.at));
        let Some(mut resp) = self.world.get_resource_mut::<response::Response>() else {
            return self;
        };
        resp.external = Some(response::external::External::new(control));
        let ks: Vec<(f64, usize)> = actions
            .into_iter()
            .filter_map(|a| {
                let at = a.at;
                resp.external.as_mut().map(|e| (at, e.push(a)))
            })
            .collect();
        let mut agenda = self.world.resource_mut::<agenda::Agenda>();
        for (at, k) in ks {
            agenda.push(at.max(0.0), agenda::Action::Logged(k));
        }
        self
    }

    /// During a run (tabletop): queue one more action; `a.at` >= the current
    /// minute (an earlier one takes effect now). Without a prior
    /// [`Sim::with_external`] the action is ignored.
    pub fn push_external(&mut self, a: response::external::LoggedAction) {
        let now = self.now();
        let Some(mut resp) = self.world.get_resource_mut::<response::Response>() else {
            return;
        };
        let at = a.at.max(now);
        let Some(k) = resp.external.as_mut().map(|e| e.push(a)) else {
            return;
        };
        self.world
            .resource_mut::<agenda::Agenda>()
            .push(at, agenda::Action::Logged(k));
    }

    /// Minute the simulation has reached (the end of the last tick run).
    pub fn now(&self) -> f64 {
        self.world.resource::<Clock>().now
    }

    /// Ticks in the whole run.
    pub fn ticks(&self) -> u64 {
        self.ticks
    }

    /// Ticks done so far.
    pub fn tick(&self) -> u64 {
        self.world.resource::<Clock>().tick
    }

    /// Runs one tick. Returns `false` once the run is over.
    pub fn step(&mut self) -> bool {
        if self.tick() >= self.ticks {
            return false;
        }
        self.schedule.run(&mut self.world);
        // bevy 0.20 keeps resources on entities: every `resource_scope`
        // (the message update does one per tick) records a removal, kept
        // until the trackers are cleared — 32 bytes a tick, 17 MB in a
        // year of minutes. Nothing here uses change detection.
        self.world.clear_trackers();
        true
    }

    /// The world, for inspection (tests, the tabletop).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Keeps a lean record ([`RunRecord::lean`]): no per-node worm events.
    /// For runs whose record is only scored (a batch without
    /// `--keep-runs`); the assessment is the same.
    pub fn lean(mut self) -> Sim {
        self.world.resource_mut::<RunRecord>().lean = true;
        self
    }

    /// Runs the remaining ticks and returns the record. Once the run has
    /// settled (see [`Sim::settled`]) the remaining ticks are fast-forwarded:
    /// only the systems that still change anything (losses, the timeline
    /// row, the clock) run, directly, with the same arithmetic in the same
    /// order, so the record is the one the full schedule would have made.
    pub fn run_to_end(mut self) -> RunRecord {
        while self.step() {
            if self.settled() {
                self.coast();
                break;
            }
        }
        self.finish()
    }

    /// Nothing can happen any more but time passing: no response, no
    /// inject left to schedule, an empty agenda, a current network view,
    /// no worm or one with a total event rate of zero (it stays zero: only
    /// agenda actions and the response change rates), no symptom waiting,
    /// and nothing left for the damage model to look at. Every system of a
    /// tick other than [`accrue_losses`], [`record_tick`] and
    /// [`advance_clock`] is then a no-op (no random draw either).
    fn settled(&self) -> bool {
        let w = &self.world;
        let worms = w.resource::<worm::WormRes>();
        w.get_resource::<response::Response>().is_none()
            && w.resource::<threats::InjectCursor>().0
                == w.resource::<ScenarioRes>().0.injects.len()
            && w.resource::<agenda::Agenda>().is_empty()
            && w.resource::<Net>().settled()
            && w.resource::<threats::Symptoms>().0.is_empty()
            && worms.settled()
            && w.get_resource::<damage::Damage>()
                .is_none_or(|d| damage::idle(d, worms, &w.resource::<ScenarioRes>().0))
    }

    /// The remaining ticks of a settled run (see [`Sim::run_to_end`]).
    fn coast(&mut self) {
        let topo = self.world.resource::<TopoRes>().0.clone();
        let w = &mut self.world;
        let (Some(mut clock), Some(mut losses), Some(mut rec)) = (
            w.remove_resource::<Clock>(),
            w.remove_resource::<Losses>(),
            w.remove_resource::<RunRecord>(),
        ) else {
            return;
        };
        {
            let net = w.resource::<Net>();
            let hosts = w.resource::<Hosts>();
            let worm = w.resource::<worm::WormRes>();
            while clock.tick < self.ticks {
                accrue(&topo, &clock, net, &mut losses);
                push_row(&topo, &clock, hosts, net, worm, &mut rec);
                clock.now += clock.dt;
                clock.tick += 1;
            }
        }
        w.insert_resource(clock);
        w.insert_resource(losses);
        w.insert_resource(rec);
    }

    /// Closes the record (totals) and returns it. The teams' remaining
    /// paperwork runs first (see [`response::epilogue`]).
    pub fn finish(mut self) -> RunRecord {
        self.paperwork();
        let losses = self.world.resource::<Losses>().clone();
        let worms = self.world.resource::<worm::WormRes>();
        let worm_totals = worms.0.as_ref().map(|w| {
            (
                w.peak,
                w.peak_minute,
                w.infections,
                w.nodes_ever,
                w.ever.clone(),
            )
        });
        // Several worms: the totals sum over them (peak: of the summed
        // infected count, `worm::Combined`), each one's own figures go to
        // `RunRecord::threats`.
        let several = (worms.len() > 1).then(|| {
            let mut ever = vec![false; self.world.resource::<TopoRes>().0.nodes.len()];
            for w in worms.iter() {
                for (e, &x) in ever.iter_mut().zip(&w.ever) {
                    *e |= x;
                }
            }
            let infections: u64 = worms.iter().map(|w| w.infections).sum();
            let outcomes: Vec<record::ThreatOutcome> = worms.iter().map(worm::outcome).collect();
            (ever, infections, outcomes, worms.2)
        });
        let resp = self.world.remove_resource::<response::Response>();
        let mut rec = self
            .world
            .remove_resource::<RunRecord>()
            .expect("record present");
        let mut resp = resp;
        if let Some(r) = resp.as_mut() {
            let topo = self.world.resource::<TopoRes>().0.clone();
            r.flush_external(&topo, &mut rec);
            rec.drill = r.drill_meta(&topo);
        }
        if let Some(r) = &resp {
            rec.tasks = r.task_records(&self.world.resource::<TopoRes>().0, &mut rec.texts);
        }
        if let Some(d) = self.world.get_resource::<damage::Damage>() {
            rec.data_losses = damage::finish(d, |v| resp.as_ref().and_then(|r| r.restored_at(v)));
        }
        // The response's working state is not needed any more; freed before
        // the totals are built, it does not add to a large run's peak.
        let had_response = resp.is_some();
        drop(resp);
        let data_lost_hours = rec
            .data_losses
            .iter()
            .fold(0.0, |a, l| a + l.backup_age_hours);
        let mut affected = losses.ever_down.clone();
        affected.resize(self.world.resource::<TopoRes>().0.nodes.len(), false);
        let mut t = Totals {
            nodes_down_max: losses.nodes_down_max,
            nodes_cut_off_max: losses.cut_off_max,
            sites_disconnected: self.world.resource::<Net>().sites_disconnected,
            service_hours_lost: losses.service_hours_lost,
            taxpayer_service_hours_lost: losses.taxpayer_service_hours_lost,
            data_lost_hours,
            records_lost: rec.data_losses.iter().map(|l| l.records).sum(),
            sites_damaged: rec.data_losses.len() as u32,
            sites_restored: rec
                .data_losses
                .iter()
                .filter(|l| l.restored.is_some())
                .count() as u32,
            ..Totals::default()
        };
        let mut worm_outcomes = Vec::new();
        if let Some((ever, infections, outcomes, combined)) = several {
            t.peak_infected_hosts = combined.peak;
            t.peak_minute = combined.peak_minute;
            t.total_infected_hosts = infections;
            t.nodes_infected = ever.iter().filter(|&&e| e).count() as u32;
            for (a, e) in affected.iter_mut().zip(ever) {
                *a |= e;
            }
            worm_outcomes = outcomes;
        } else if let Some((peak, peak_minute, infections, nodes_ever, ever)) = worm_totals {
            t.peak_infected_hosts = peak;
            t.peak_minute = peak_minute;
            t.total_infected_hosts = infections;
            t.nodes_infected = nodes_ever;
            for (a, e) in affected.iter_mut().zip(ever) {
                *a |= e;
            }
        }
        t.nodes_affected = affected.iter().filter(|&&a| a).count() as u32;
        // Impact per province.
        let topo = self.world.resource::<TopoRes>().0.clone();
        let worm = self.world.resource::<worm::WormRes>();
        t.provinces = topo
            .provinces
            .iter()
            .map(|p| record::ProvinceImpact {
                code: p.code.clone(),
                ..Default::default()
            })
            .collect();
        // Only the nodes ever infected or down count: those `affected`
        // marks (the flags are read first: the node records are large and
        // mostly not needed; integer sums, so the order does not matter).
        for (v, _) in affected.iter().enumerate().filter(|&(_, &a)| a) {
            let infected = worm.ever_at(v);
            let down = losses.ever_down.get(v).copied().unwrap_or(false);
            if !infected && !down {
                continue;
            }
            let Some(p) = self.node_province[v] else {
                continue;
            };
            let imp = &mut t.provinces[p as usize];
            if infected {
                imp.nodes_infected += 1;
                imp.hosts_infected += worm.ever_hosts_at(v) as u64;
            }
            if down {
                imp.nodes_down += 1;
            }
        }
        rec.totals = t;
        let horizon = self.world.resource::<Clock>().now;
        rec.threats = self
            .world
            .resource::<threats::intrusion::Intrusions>()
            .outcomes(horizon);
        rec.threats.extend(
            self.world
                .resource::<threats::defacement::Defacements>()
                .outcomes(horizon),
        );
        rec.threats
            .extend(self.world.resource::<threats::dos::Dos>().outcomes(horizon));
        rec.threats.extend(
            self.world
                .resource::<threats::leak::Leaks>()
                .outcomes(horizon),
        );
        rec.threats.extend(
            self.world
                .resource::<threats::virus::Viruses>()
                .outcomes(horizon),
        );
        rec.threats.extend(
            self.world
                .resource::<threats::insider::Insiders>()
                .outcomes(horizon),
        );
        rec.threats.extend(worm_outcomes);
        rec.threats.sort_by_key(|o| o.inject);
        // Task starts are recorded when decided, possibly ahead of time.
        rec.events.sort_by(|a, b| a.minute.total_cmp(&b.minute));
        // The world and its built schedule serve the next run on this thread,
        // and so may the worm's per-node vectors (see `worm::Worm::recycle`).
        let Sim {
            mut world,
            schedule,
            ..
        } = self;
        if !had_response
            && let Some(mut worms) = world.get_resource_mut::<worm::WormRes>()
            && worms.1.is_empty()
            && let Some(w) = worms.0.take()
        {
            w.recycle(&topo);
        }
        SPARE.with(|s| *s.borrow_mut() = Some((world, schedule)));
        rec
    }

    /// The timeline's row for minute 0, before the first tick.
    fn initial_row(&mut self) {
        self.world.resource_scope(|w, mut rec: Mut<RunRecord>| {
            push_row(
                &w.resource::<TopoRes>().0,
                w.resource::<Clock>(),
                w.resource::<Hosts>(),
                w.resource::<Net>(),
                w.resource::<worm::WormRes>(),
                &mut rec,
            );
        });
    }
}

impl Sim {
    /// After the horizon: the ended incidents' remaining tasks run to
    /// completion without the network being simulated.
    fn paperwork(&mut self) {
        let Some(mut resp) = self.world.remove_resource::<response::Response>() else {
            return;
        };
        let horizon = self.world.resource::<Clock>().now;
        let topo = self.world.resource::<TopoRes>().0.clone();
        let w = &mut self.world;
        let (Some(mut net), Some(mut worm), Some(mut agenda), Some(mut rec)) = (
            w.remove_resource::<Net>(),
            w.remove_resource::<worm::WormRes>(),
            w.remove_resource::<agenda::Agenda>(),
            w.remove_resource::<RunRecord>(),
        ) else {
            w.insert_resource(resp);
            return;
        };
        resp.paperwork(horizon, &topo, &mut net, &mut worm, &mut agenda, &mut rec);
        w.insert_resource(net);
        w.insert_resource(worm);
        w.insert_resource(agenda);
        w.insert_resource(rec);
        w.insert_resource(resp);
    }
}

thread_local! {
    /// The world and built schedule of the last run finished on this
    /// thread, kept for the next [`Sim`] made here: bevy builds a
    /// schedule's graph (a sixth of a small run's fixed cost) once per
    /// world, and a built schedule runs only on the world it was built for.
    /// Every resource is overwritten when the world is reused, so a run's
    /// record does not depend on whether its world is new.
    static SPARE: std::cell::RefCell<Option<(World, Schedule)>> =
        const { std::cell::RefCell::new(None) };
}

/// The tick's systems in their phases (the same for every run).
fn build_schedule() -> Schedule {
    let mut schedule = Schedule::default();
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.set_build_settings(ScheduleBuildSettings {
        ambiguity_detection: LogLevel::Error,
        ..Default::default()
    });
    schedule.configure_sets(
        (
            Phase::Inject,
            Phase::Threat,
            Phase::Observe,
            Phase::Decide,
            Phase::Act,
            Phase::Score,
            Phase::Record,
        )
            .chain(),
    );
    schedule.add_systems((
        threats::schedule_injects.in_set(Phase::Inject),
        (threats::advance_threats, damage::assess_damage)
            .chain()
            .in_set(Phase::Threat),
        (refresh_view, response::observe)
            .chain()
            .in_set(Phase::Observe),
        response::decide.in_set(Phase::Decide),
        response::act.in_set(Phase::Act),
        accrue_losses.in_set(Phase::Score),
        (
            record_tick,
            advance_clock,
            bevy_ecs::message::message_update_system,
        )
            .chain()
            .in_set(Phase::Record),
    ));
    schedule
}

/// The inputs a cached [`RunMeta`] was built from.
type MetaKey = (Arc<Topology>, Arc<Scenario>, Option<Arc<Plan>>);

/// The meta of the last (network, scenario, plan) seen: a batch of runs on
/// the same inputs shares one copy instead of cloning 16,000 node names per
/// run. The key holds the `Arc`s, so pointer equality cannot be fooled by a
/// freed and reused allocation.
static META_CACHE: std::sync::Mutex<Option<(MetaKey, SharedRun)>> = std::sync::Mutex::new(None);

/// What every run on the same inputs shares: the record's meta and
/// per-node facts that would otherwise be gathered from the (large) node
/// records once per run.
#[derive(Clone)]
struct SharedRun {
    meta: Arc<RunMeta>,
    wan_nodes: usize,
    node_province: Arc<[Option<u16>]>,
}

fn shared_meta(
    topo: &Arc<Topology>,
    scenario: &Arc<Scenario>,
    response: Option<&ResponseSetup>,
) -> SharedRun {
    let plan = response.map(|r| r.plan.clone());
    let hit = |k: &MetaKey| {
        Arc::ptr_eq(&k.0, topo)
            && Arc::ptr_eq(&k.1, scenario)
            && match (&k.2, &plan) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    };
    if let Ok(cache) = META_CACHE.lock()
        && let Some((k, shared)) = cache.as_ref()
        && hit(k)
    {
        return shared.clone();
    }
    let shared = SharedRun {
        meta: Arc::new(run_meta(topo, scenario, response)),
        wan_nodes: topo.wan_nodes(),
        node_province: topo.nodes.iter().map(|n| n.province).collect(),
    };
    if let Ok(mut cache) = META_CACHE.lock() {
        *cache = Some(((topo.clone(), scenario.clone(), plan), shared.clone()));
    }
    shared
}

/// What the record needs to stand on its own.
fn run_meta(topo: &Topology, scenario: &Scenario, response: Option<&ResponseSetup>) -> RunMeta {
    let plan = response.map(|r| &r.plan);
    RunMeta {
        scenario_description: scenario.description.clone(),
        plan: plan.map(|p| p.slug.clone()).unwrap_or_default(),
        plan_name: plan.map(|p| p.name.clone()).unwrap_or_default(),
        bodies: plan
            .map(|p| {
                p.bodies
                    .iter()
                    .map(|b| BodyMeta {
                        id: b.id.clone(),
                        name_zh: b.name_zh.clone(),
                        name_en: b.name_en.clone(),
                        role: b.role.as_str().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        provinces: topo
            .provinces
            .iter()
            .map(|p| (p.code.clone(), p.name_zh.clone(), p.name_en.clone()))
            .collect(),
        nodes: topo
            .nodes
            .iter()
            .map(|n| NodeMeta {
                id: n.id.clone(),
                name_zh: n.name_zh.clone(),
                name_en: n.name_en.clone(),
                tier: n.tier.as_str().to_string(),
                province: n
                    .province
                    .map(|p| topo.provinces[p as usize].code.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        injects: scenario
            .injects
            .iter()
            .map(|i| (i.at_min, threats::describe_inject(topo, &i.kind)))
            .collect(),
        objectives: scenario
            .objectives
            .iter()
            .map(|o| (o.capability, o.clause.clone(), o.text.clone()))
            .collect(),
        end: plan.map(|p| crate::engine::record::EndMeta {
            actor: p.bodies[p.end.actor].id.clone(),
            evaluation_days: p.end.evaluation_days,
            summary_report_days: p.end.summary_report_days,
            clause: p.end.clause.clone(),
        }),
        steps: plan.map(|p| step_meta(p)).unwrap_or_default(),
        classes: plan
            .map(|p| {
                p.classes
                    .iter()
                    .map(|c| (c.code.clone(), c.name_zh.clone(), c.name_en.clone()))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Every step and level duty of the plan with its names, keyed like
/// `TaskRecord::source` (`procedure:N`, `special:N`, `level:N`).
fn step_meta(plan: &Plan) -> Vec<record::StepMeta> {
    use response::StepSource;
    let lists = (0..plan.procedures.len())
        .map(StepSource::Procedure)
        .chain((0..plan.special_plans.len()).map(StepSource::Special))
        .chain((0..plan.levels.len()).map(StepSource::Level));
    lists
        .flat_map(|src| {
            response::order::steps_of(plan, src)
                .iter()
                .map(move |s| record::StepMeta {
                    source: src.label(),
                    id: s.id.clone(),
                    action: s.action.as_str().to_string(),
                    name_zh: s.name_zh.clone(),
                    name_en: s.name_en.clone(),
                })
        })
        .collect()
}

/// Tells the C allocator to keep freed memory for reuse instead of handing
/// it back to the kernel at once. glibc unmaps or trims freed blocks above
/// 128 KiB, so every run of a batch faulted its large vectors (sum tree,
/// event list) in again: about 12 % of a validation outbreak's time went
/// to the kernel. Called once by the binary (and the benches) at start;
/// elsewhere, and on other platforms, a no-op. Results do not depend on it.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        const M_TRIM_THRESHOLD: i32 = -1;
        const M_MMAP_THRESHOLD: i32 = -3;
        // SAFETY: mallopt only changes glibc's allocation thresholds; it is
        // called before any thread of ours allocates concurrently.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, 64 << 20);
            mallopt(M_TRIM_THRESHOLD, 256 << 20);
        }
    }
}

/// Hands the memory the runs freed back to the kernel (glibc's
/// `malloc_trim`): kept for reuse by [`keep_freed_memory`], it sits in the
/// worker threads' arenas, where work done afterwards on another thread
/// (a batch's summary and report) cannot reuse it. Elsewhere a no-op.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim only returns free memory to the kernel.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Runs a whole scenario without response and returns its record.
pub fn run(topo: Arc<Topology>, scenario: Arc<Scenario>, cfg: RunConfig) -> RunRecord {
    Sim::new(topo, scenario, cfg).run_to_end()
}

/// Runs a whole scenario with the plan and teams (if `cfg.response`).
pub fn run_with(
    topo: Arc<Topology>,
    scenario: Arc<Scenario>,
    response: Option<ResponseSetup>,
    cfg: RunConfig,
) -> RunRecord {
    Sim::with_response(topo, scenario, response, cfg).run_to_end()
}

/// Losses accrued so far.
#[derive(Debug, Clone, Default, Resource)]
struct Losses {
    service_hours_lost: f64,
    taxpayer_service_hours_lost: f64,
    nodes_down_max: u32,
    cut_off_max: u32,
    ever_down: Vec<bool>,
}

/// Observe phase: reachability and services, recomputed only after a change.
fn refresh_view(topo: Res<TopoRes>, mut net: ResMut<Net>) {
    net.refresh_view(&topo.0);
}

/// Score phase: service-hours lost over this tick (state at the tick's end)
/// and maxima.
fn accrue_losses(topo: Res<TopoRes>, clock: Res<Clock>, net: Res<Net>, mut losses: ResMut<Losses>) {
    accrue(&topo.0, &clock, &net, &mut losses);
}

fn accrue(topo: &Topology, clock: &Clock, net: &Net, losses: &mut Losses) {
    let down = topo.services.len() as f64 - net.services_available as f64;
    losses.service_hours_lost += down * clock.dt / 60.0;
    let taxpayer_down = topo.taxpayer_services as f64 - net.taxpayer_services_available as f64;
    losses.taxpayer_service_hours_lost += taxpayer_down * clock.dt / 60.0;
    losses.nodes_down_max = losses.nodes_down_max.max(net.nodes_down);
    losses.cut_off_max = losses.cut_off_max.max(net.nodes_cut_off);
    if net.nodes_down > 0 {
        if losses.ever_down.is_empty() {
            losses.ever_down = vec![false; net.node_down.len()];
        }
        for (e, &d) in losses.ever_down.iter_mut().zip(&net.node_down) {
            *e |= d > 0;
        }
    }
}

/// Record phase: one timeline row at the end of the tick.
fn record_tick(
    topo: Res<TopoRes>,
    clock: Res<Clock>,
    hosts: Res<Hosts>,
    net: Res<Net>,
    worm: Res<worm::WormRes>,
    mut rec: ResMut<RunRecord>,
) {
    push_row(&topo.0, &clock, &hosts, &net, &worm, &mut rec);
}

fn push_row(
    topo: &Topology,
    clock: &Clock,
    hosts: &Hosts,
    net: &Net,
    worm: &worm::WormRes,
    rec: &mut RunRecord,
) {
    let minute = if rec.timeline.is_empty() {
        0.0
    } else {
        clock.now + clock.dt
    };
    let mut row = TimelineRow {
        minute,
        nodes_down: net.nodes_down,
        nodes_cut_off: net.nodes_cut_off,
        links_saturated: net.links_saturated,
        taxpayer_services_down: topo.taxpayer_services - net.taxpayer_services_available,
        services_available_pct: if topo.services.is_empty() {
            100.0
        } else {
            100.0 * net.services_available as f64 / topo.services.len() as f64
        },
        ..TimelineRow::default()
    };
    match &worm.0 {
        Some(w) if worm.1.is_empty() => {
            row.hosts_susceptible = w.tot_s;
            row.hosts_infected = w.tot_i;
            row.hosts_cleaned = w.tot_r;
            row.hosts_immune = w.tot_imm;
            row.nodes_affected = w.nodes_infected_now;
            if net.nodes_down > 0 {
                row.nodes_affected = (0..net.node_down.len())
                    .filter(|&v| w.i[v] > 0 || net.node_down[v] > 0)
                    .count() as u32;
            }
        }
        Some(_) => {
            // Several worms: host counts sum over them (a host two worms
            // can infect is counted in each); a node is affected when any
            // worm has an infected host there or it is down.
            for w in worm.iter() {
                row.hosts_susceptible += w.tot_s;
                row.hosts_infected += w.tot_i;
                row.hosts_cleaned += w.tot_r;
                row.hosts_immune += w.tot_imm;
            }
            row.nodes_affected = if net.nodes_down > 0 {
                (0..net.node_down.len())
                    .filter(|&v| worm.i_at(v) > 0 || net.node_down[v] > 0)
                    .count() as u32
            } else {
                // Only nodes some worm ever reached can have an infected
                // host (each counted once, for the first worm that did).
                let mut n = 0;
                for (k, w) in worm.iter().enumerate() {
                    for &v in &w.ever_list {
                        let vi = v as usize;
                        if worm.iter().take(k).any(|o| o.ever[vi]) {
                            continue;
                        }
                        if worm.i_at(vi) > 0 {
                            n += 1;
                        }
                    }
                }
                n
            };
        }
        None => {
            row.hosts_susceptible = hosts.0.iter().map(|&h| h as u64).sum();
            row.nodes_affected = net.nodes_down;
        }
    }
    rec.timeline.push(row);
}

fn advance_clock(mut clock: ResMut<Clock>) {
    clock.now += clock.dt;
    clock.tick += 1;
}
