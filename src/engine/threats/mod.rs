//! The Inject and Threat phases. Every threat model lives in its own file
//! behind one small interface the Threat phase dispatches to:
//!
//! - `inject(ctx, k, …)` — scenario inject `k` takes effect at `ctx.t`
//!   (events, state, actions put on the agenda at their exact minutes);
//! - `on_action(ctx, action)` — one of its agenda actions is due;
//! - `describe(…)` — one line naming the inject (reports, chart markers);
//! - symptoms: it pushes a [`Symptom`] where the teams can notice it;
//! - losses: what it did stays in its state and goes into the record.
//!
//! Threats: [`worm`] (glue to the sampler in `engine::worm`), [`outages`]
//! (line cut, device failure, power, disaster), [`intrusion`] (the kill
//! chain; also reacts to the response's finished steps, `on_step`),
//! [`defacement`] (a defaced website: exposure, who notices, take-down),
//! [`dos`] (a flood at an online-filing portal: filings lost and delayed
//! under a calendar demand model), [`leak`] (records copied out of a data
//! centre, discovered later; the records feed the grading). Each draws from its own
//! [`virus`] (a virus in one site's office hosts: spread, payloads, clean),
//! [`insider`] (misuse of access or a rule violation found by audit). Each draws from its own
//! named random stream (`rng.rs`), so adding one never shifts another's
//! draws. A threat absent from the scenario costs nothing: its state is
//! only built at its inject, and everything it does is on the agenda.

pub mod defacement;
pub mod dos;
pub mod insider;
pub mod intrusion;
pub mod leak;
pub mod outages;
mod site_case;
pub mod virus;
pub mod worm;

use bevy_ecs::prelude::*;

use super::agenda::{Action, Agenda};
use super::net::Net;
use super::record::RunRecord;
use super::response::Response;
use super::worm::{Sampler, WormRes};
use super::{Clock, Hosts, ScenarioRes, Streams, TopoRes};
use crate::model::scenario::InjectKind;
use crate::model::topology::{LinkId, NodeId, Topology};

/// A node showing a new symptom of a scripted threat (for the teams to detect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Symptom {
    pub node: NodeId,
    /// The scenario inject behind it (one incident per inject).
    pub inject: usize,
}

/// Symptoms that appeared since the Observe phase last looked.
#[derive(Debug, Default, Resource)]
pub struct Symptoms(pub Vec<Symptom>);

/// Cursor into the scenario's (sorted) injects.
#[derive(Debug, Default, Resource)]
pub struct InjectCursor(pub usize);

/// What a threat handler may touch at minute `t`.
pub struct Ctx<'a> {
    pub topo: &'a Topology,
    pub t: f64,
    pub net: &'a mut Net,
    pub agenda: &'a mut Agenda,
    pub rec: &'a mut RunRecord,
    pub symptoms: &'a mut Symptoms,
    /// Lines whose usability changed (the worm is told after each action).
    pub flipped: &'a mut Vec<LinkId>,
    /// Nodes whose state changed (likewise).
    pub changed: &'a mut Vec<NodeId>,
}

/// Inject phase: every inject due before the end of this tick goes on the
/// agenda at its exact minute.
pub fn schedule_injects(
    clock: Res<Clock>,
    scenario: Res<ScenarioRes>,
    mut cursor: ResMut<InjectCursor>,
    mut agenda: ResMut<Agenda>,
) {
    let end = clock.now + clock.dt;
    let injects = &scenario.0.injects;
    while cursor.0 < injects.len() && injects[cursor.0].at_min < end {
        agenda.push(
            injects[cursor.0].at_min.max(clock.now),
            Action::Inject(cursor.0),
        );
        cursor.0 += 1;
    }
}

/// Threat phase: advance the worm exactly to each agenda minute inside the
/// tick, apply the actions due then, and go on to the end of the tick.
#[allow(clippy::too_many_arguments)]
pub fn advance_threats(
    clock: Res<Clock>,
    topo: Res<TopoRes>,
    scenario: Res<ScenarioRes>,
    hosts: Res<Hosts>,
    mut net: ResMut<Net>,
    mut worm: ResMut<WormRes>,
    mut agenda: ResMut<Agenda>,
    mut streams: ResMut<Streams>,
    mut rec: ResMut<RunRecord>,
    mut symptoms: ResMut<Symptoms>,
    mut response: Option<ResMut<Response>>,
    mut intrusions: ResMut<intrusion::Intrusions>,
    mut defacements: ResMut<defacement::Defacements>,
    (mut floods, mut leaks): (ResMut<dos::Dos>, ResMut<leak::Leaks>),
    (mut viruses, mut insiders): (ResMut<virus::Viruses>, ResMut<insider::Insiders>),
    sampler: Option<Res<Sampler>>,
) {
    let topo = &*topo.0;
    let sampler = sampler.map_or(Sampler::Auto, |s| *s);
    let t_end = clock.now + clock.dt;
    let mut t = clock.now;
    let mut flipped = Vec::new();
    // The context a threat model's handlers get (one place for its fields).
    macro_rules! ctx {
        ($changed:ident) => {
            Ctx {
                topo,
                t,
                net: &mut net,
                agenda: &mut agenda,
                rec: &mut rec,
                symptoms: &mut symptoms,
                flipped: &mut flipped,
                changed: &mut $changed,
            }
        };
    }
    // A finished step (a simulated team's, or a logged one) reaches every
    // threat model with state of its own; each ignores steps not for it.
    macro_rules! stop_threats {
        ($resp:ident, $done:expr, $changed:ident) => {{
            let (step, site, group) = $done;
            if !(intrusions.chains.is_empty()
                && defacements.sites.is_empty()
                && floods.attacks.is_empty()
                && leaks.leaks.is_empty()
                && viruses.outbreaks.is_empty()
                && insiders.cases.is_empty())
            {
                let mut ctx = ctx!($changed);
                intrusions.on_step(&mut ctx, step, site, group);
                // An exfiltration the step stopped: forensics count what
                // was copied (a grading fact).
                for c in intrusions
                    .chains
                    .iter()
                    .filter(|c| c.group == group && c.stopped.is_some_and(|s| s.0 == t))
                {
                    let n = c.records(t);
                    if n > 0 {
                        $resp.set_records_leaked(group, n);
                    }
                }
                defacements.on_step(&mut ctx, step, site, group);
                floods.on_step(&mut ctx, step, site, group);
                for (g, n) in leaks.on_step(&mut ctx, step, site, group) {
                    $resp.set_records_leaked(g, n);
                }
                viruses.on_step(&mut ctx, step, site, group);
                for (g, n) in insiders.on_step(&mut ctx, step, site, group) {
                    $resp.set_records_leaked(g, n);
                }
            }
        }};
    }
    loop {
        outages::schedule_failovers(topo, &mut net, &mut agenda);
        let next = agenda.next_minute().unwrap_or(f64::INFINITY);
        let target = next.min(t_end).max(t);
        t = worm.advance_all(topo, &mut net, &mut streams.worm, &mut rec, t, target);
        if t < target {
            continue;
        }
        if next >= t_end {
            break;
        }
        while let Some((_, action)) = agenda.pop_due(t) {
            flipped.clear();
            let mut changed_nodes: Vec<NodeId> = Vec::new();
            match action {
                Action::Inject(k) => match &scenario.0.injects[k].kind {
                    InjectKind::Worm(p) => {
                        let seed = streams.seed;
                        worm::release(
                            topo,
                            k,
                            p,
                            t,
                            &hosts.0,
                            &mut net,
                            &mut worm,
                            &mut streams.worm,
                            seed,
                            &mut rec,
                            sampler,
                            &mut Vec::new(),
                        )
                    }
                    kind => {
                        let mut ctx = ctx!(changed_nodes);
                        match kind {
                            InjectKind::Intrusion(p) => {
                                let group = super::inject_groups(&scenario.0)[k];
                                intrusions.inject(&mut ctx, k, group, p);
                            }
                            InjectKind::Defacement(p) => {
                                let group = super::inject_groups(&scenario.0)[k];
                                defacements.inject(&mut ctx, k, group, p);
                            }
                            InjectKind::DenialOfService(p) => {
                                let group = super::inject_groups(&scenario.0)[k];
                                floods.inject(&mut ctx, k, group, p);
                            }
                            InjectKind::DataLeak(p) => {
                                let group = super::inject_groups(&scenario.0)[k];
                                leaks.inject(&mut ctx, k, group, p);
                            }
                            InjectKind::Virus(p) => {
                                let group = super::inject_groups(&scenario.0)[k];
                                viruses.inject(&mut ctx, k, group, p);
                            }
                            InjectKind::Insider(p) => {
                                let group = super::inject_groups(&scenario.0)[k];
                                insiders.inject(&mut ctx, k, group, p);
                            }
                            _ => outages::inject(&mut ctx, k, kind, &mut streams.outage),
                        }
                    }
                },
                Action::TaskDone(id) => {
                    if let Some(resp) = response.as_deref_mut() {
                        resp.complete(
                            id,
                            t,
                            topo,
                            &mut net,
                            &mut worm,
                            &mut rec,
                            &mut flipped,
                            &mut changed_nodes,
                        );
                        // Steps that stop a threat model with state of its own.
                        if let Some(done) = resp.finished_step(id) {
                            stop_threats!(resp, done, changed_nodes);
                        }
                    }
                }
                Action::Logged(k) => {
                    if let Some(resp) = response.as_deref_mut() {
                        resp.apply_logged(
                            k,
                            t,
                            topo,
                            &mut net,
                            &mut worm,
                            &mut rec,
                            &mut agenda,
                            &mut flipped,
                            &mut changed_nodes,
                        );
                        // A logged step stops a threat model as a simulated
                        // team's finished step does (see TaskDone above).
                        if let Some(id) = resp.logged_task(k)
                            && let Some(done) = resp.finished_step(id)
                        {
                            stop_threats!(resp, done, changed_nodes);
                        }
                    }
                }
                Action::PatchUnit(v, _task) => worm::patch_unit(&net, &mut worm, v),
                action => {
                    let mut ctx = ctx!(changed_nodes);
                    match action {
                        Action::Intrusion(c) => intrusions.on_action(&mut ctx, c),
                        Action::Defacement(c) => defacements.on_action(&mut ctx, c),
                        Action::Dos(c, ends) => floods.on_action(&mut ctx, c, ends),
                        Action::Leak(c, ends) => {
                            if let Some((g, n)) = leaks.on_action(&mut ctx, c, ends)
                                && let Some(resp) = response.as_deref_mut()
                            {
                                resp.set_records_leaked(g, n);
                            }
                        }
                        Action::Virus(c) => viruses.on_action(&mut ctx, c),
                        Action::Insider(c) => {
                            if let Some((g, n)) = insiders.on_action(&mut ctx, c)
                                && let Some(resp) = response.as_deref_mut()
                            {
                                resp.set_records_leaked(g, n);
                            }
                        }
                        _ => {
                            outages::on_action(&mut ctx, action);
                        }
                    }
                }
            }
            worm.changed(topo, &net, &flipped, &changed_nodes);
            // Logged actions waiting for a task may act now (see `external`).
            if let Some(resp) = response.as_deref_mut() {
                resp.retry_external(t, &mut agenda);
            }
        }
    }
}

/// "a–b (kind)" for event details.
pub fn link_name(topo: &Topology, l: LinkId) -> String {
    let link = &topo.links[l as usize];
    format!(
        "{}–{} ({})",
        topo.nodes[link.a as usize].id,
        topo.nodes[link.b as usize].id,
        link.kind.as_str()
    )
}

/// One line describing an inject (for reports and chart markers).
pub fn describe_inject(topo: &Topology, kind: &InjectKind) -> String {
    match kind {
        InjectKind::Worm(w) => worm::describe(w),
        InjectKind::Intrusion(p) => intrusion::describe(topo, p),
        InjectKind::Defacement(p) => defacement::describe(topo, p),
        InjectKind::DenialOfService(p) => dos::describe(topo, p),
        InjectKind::DataLeak(p) => leak::describe(topo, p),
        InjectKind::Virus(p) => virus::describe(topo, p),
        InjectKind::Insider(p) => insider::describe(topo, p),
        kind => outages::describe(topo, kind).unwrap_or_default(),
    }
}
