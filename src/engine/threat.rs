//! The Inject and Threat phases: scripted injects, the worm, outages and
//! backup-line failover, all applied at their exact minute.

use bevy_ecs::prelude::*;
use rand::RngExt;

use super::agenda::{Action, Agenda, DownCause};
use super::net::Net;
use super::record::{EventKind, RunRecord};
use super::response::Response;
use super::worm::{Sampler, Worm, WormRes};
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
    sampler: Option<Res<Sampler>>,
) {
    let topo = &*topo.0;
    let sampler = sampler.map_or(Sampler::Auto, |s| *s);
    let t_end = clock.now + clock.dt;
    let mut t = clock.now;
    let mut flipped = Vec::new();
    loop {
        schedule_failovers(topo, &mut net, &mut agenda);
        let next = agenda.next_minute().unwrap_or(f64::INFINITY);
        let target = next.min(t_end).max(t);
        t = match worm.0.as_mut() {
            Some(w) => w.advance(topo, &mut net, &mut streams.worm, &mut rec, t, target),
            None => target,
        };
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
                Action::Inject(k) => {
                    let inject = &scenario.0.injects[k];
                    apply_inject(
                        topo,
                        k,
                        &inject.kind,
                        t,
                        &hosts.0,
                        &mut net,
                        &mut worm,
                        &mut agenda,
                        &mut streams,
                        &mut rec,
                        sampler,
                    );
                }
                Action::NodeDown(v, cause, src) => {
                    if net.set_node_down(topo, v, cause.index(), true, &mut flipped) {
                        rec.event(t, EventKind::NodeDown, Some(v), None, cause.as_str());
                        changed_nodes.push(v);
                        symptoms.0.push(Symptom {
                            node: v,
                            inject: src,
                        });
                    }
                }
                Action::NodeUp(v, cause) => {
                    if net.set_node_down(topo, v, cause.index(), false, &mut flipped) {
                        rec.event(
                            t,
                            EventKind::NodeUp,
                            Some(v),
                            None,
                            format!("{} over", cause.as_str()),
                        );
                        changed_nodes.push(v);
                    }
                    if cause == DownCause::Power {
                        net.on_backup_power[v as usize] = 0;
                    }
                }
                Action::BackupPower(v) => {
                    net.on_backup_power[v as usize] += 1;
                    rec.event(
                        t,
                        EventKind::OnBackupPower,
                        Some(v),
                        None,
                        format!(
                            "mains lost; backup power for {:.0} h",
                            topo.nodes[v as usize].backup_power_hours
                        ),
                    );
                }
                Action::LinkCut(l, src) => {
                    net.set_link_cut(topo, l, true, t, &mut flipped);
                    rec.event(
                        t,
                        EventKind::LinkCut,
                        Some(topo.links[l as usize].a),
                        Some(l),
                        link_name(topo, l),
                    );
                    // The site is the lower end of the line (the one cut off).
                    let link = &topo.links[l as usize];
                    let site =
                        if topo.nodes[link.a as usize].tier > topo.nodes[link.b as usize].tier {
                            link.a
                        } else {
                            link.b
                        };
                    symptoms.0.push(Symptom {
                        node: site,
                        inject: src,
                    });
                }
                Action::LinkRepair(l) => {
                    let was_backup_active = backup_active_for(&net, l);
                    net.set_link_cut(topo, l, false, t, &mut flipped);
                    rec.event(
                        t,
                        EventKind::LinkRepaired,
                        Some(topo.links[l as usize].a),
                        Some(l),
                        link_name(topo, l),
                    );
                    if was_backup_active && !backup_active_for(&net, l) {
                        rec.event(
                            t,
                            EventKind::Failback,
                            Some(topo.links[l as usize].a),
                            Some(l),
                            format!("traffic back on {}", link_name(topo, l)),
                        );
                    }
                }
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
                    }
                }
                Action::PatchUnit(v, _task) => {
                    if let Some(w) = worm.0.as_mut() {
                        let n = w.s[v as usize];
                        w.patch(&net, v, n);
                    }
                }
                Action::FailoverCheck(p) => {
                    if let Some(b) = net.backup_for[p as usize]
                        && !net.line_ok(topo, p)
                        && !net.backup_active[b as usize]
                    {
                        net.set_backup_active(topo, b, true, &mut flipped);
                        rec.event(
                            t,
                            EventKind::Failover,
                            Some(topo.links[p as usize].a),
                            Some(b),
                            format!("{} down; traffic on backup line", link_name(topo, p)),
                        );
                    }
                }
            }
            if let Some(w) = worm.0.as_mut() {
                w.apply_flips(topo, &net, &flipped);
                for &v in &changed_nodes {
                    w.node_changed(&net, v);
                }
            }
            // Logged actions waiting for a task may act now (see `external`).
            if let Some(resp) = response.as_deref_mut() {
                resp.retry_external(t, &mut agenda);
            }
        }
    }
}

fn backup_active_for(net: &Net, primary: LinkId) -> bool {
    net.backup_for[primary as usize].is_some_and(|b| net.backup_active[b as usize])
}

/// Puts a failover check on the agenda for every primary line that just went down.
fn schedule_failovers(topo: &Topology, net: &mut Net, agenda: &mut Agenda) {
    for (p, since) in net.pending_failover.drain(..) {
        if let Some(b) = net.backup_for[p as usize] {
            agenda.push(
                since + topo.links[b as usize].failover_min,
                Action::FailoverCheck(p),
            );
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

#[allow(clippy::too_many_arguments)]
fn apply_inject(
    topo: &Topology,
    k: usize,
    kind: &InjectKind,
    t: f64,
    hosts: &[u32],
    net: &mut Net,
    worm: &mut WormRes,
    agenda: &mut Agenda,
    streams: &mut Streams,
    rec: &mut RunRecord,
    sampler: Sampler,
) {
    match kind {
        InjectKind::Worm(p) => {
            rec.event(
                t,
                EventKind::WormRelease,
                p.initial_nodes
                    .first()
                    .copied()
                    .or(p.internet_entry.first().copied()),
                None,
                format!(
                    "{}: {} initial node(s), {} exposed gateway(s)",
                    p.name,
                    p.initial_nodes.len(),
                    p.internet_entry.len()
                ),
            );
            worm.0 = Some(Worm::release(
                k,
                topo,
                net,
                p,
                hosts,
                &mut streams.worm,
                t,
                rec,
                sampler,
            ));
        }
        InjectKind::LinkCut { link, duration_min } => {
            rec.event(
                t,
                EventKind::Inject,
                Some(topo.links[*link as usize].a),
                Some(*link),
                format!("line cut: {}", link_name(topo, *link)),
            );
            agenda.push(t, Action::LinkCut(*link, k));
            if let Some(d) = duration_min {
                agenda.push(t + d, Action::LinkRepair(*link));
            }
        }
        InjectKind::NodeFailure { node, duration_min } => {
            rec.event(
                t,
                EventKind::Inject,
                Some(*node),
                None,
                format!("device failure at {}", topo.nodes[*node as usize].id),
            );
            agenda.push(t, Action::NodeDown(*node, DownCause::Failure, k));
            if let Some(d) = duration_min {
                agenda.push(t + d, Action::NodeUp(*node, DownCause::Failure));
            }
        }
        InjectKind::PowerOutage {
            nodes,
            duration_min,
            backup_power,
        } => {
            rec.event(
                t,
                EventKind::Inject,
                nodes.first().copied(),
                None,
                format!(
                    "power outage over {} node(s) for {:.0} min",
                    nodes.len(),
                    duration_min
                ),
            );
            for &v in nodes {
                let hold = if *backup_power {
                    topo.nodes[v as usize].backup_power_hours * 60.0
                } else {
                    0.0
                };
                if hold > 0.0 {
                    agenda.push(t, Action::BackupPower(v));
                }
                if hold < *duration_min {
                    agenda.push(t + hold, Action::NodeDown(v, DownCause::Power, k));
                    agenda.push(t + duration_min, Action::NodeUp(v, DownCause::Power));
                }
            }
        }
        InjectKind::Disaster {
            nodes,
            node_fraction,
            duration_min,
        } => {
            let mut hit = 0;
            for &v in nodes {
                if streams.outage.random::<f64>() < *node_fraction {
                    hit += 1;
                    agenda.push(t, Action::NodeDown(v, DownCause::Disaster, k));
                    agenda.push(t + duration_min, Action::NodeUp(v, DownCause::Disaster));
                }
            }
            rec.event(
                t,
                EventKind::Inject,
                nodes.first().copied(),
                None,
                format!(
                    "disaster: {hit} of {} node(s) destroyed for {:.0} min",
                    nodes.len(),
                    duration_min
                ),
            );
        }
    }
}

/// One line describing an inject (for reports and chart markers).
pub fn describe_inject(topo: &Topology, kind: &InjectKind) -> String {
    match kind {
        InjectKind::Worm(w) => format!(
            "worm released: {} ({} initial node(s), {} exposed gateway(s))",
            w.name,
            w.initial_nodes.len(),
            w.internet_entry.len()
        ),
        InjectKind::LinkCut { link, duration_min } => format!(
            "line cut: {}{}",
            link_name(topo, *link),
            duration_min
                .map(|d| format!(" for {d:.0} min"))
                .unwrap_or_default()
        ),
        InjectKind::NodeFailure { node, duration_min } => format!(
            "device failure at {}{}",
            topo.nodes[*node as usize].id,
            duration_min
                .map(|d| format!(" for {d:.0} min"))
                .unwrap_or_default()
        ),
        InjectKind::PowerOutage {
            nodes,
            duration_min,
            ..
        } => format!(
            "power outage over {} node(s) for {duration_min:.0} min",
            nodes.len()
        ),
        InjectKind::Disaster {
            nodes,
            node_fraction,
            duration_min,
        } => format!(
            "disaster over {} node(s), {:.0}% destroyed, for {duration_min:.0} min",
            nodes.len(),
            node_fraction * 100.0
        ),
    }
}
