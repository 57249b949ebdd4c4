//! Outages: a line cut, a device failure, a power outage over an area and a
//! regional disaster. A device failure left to the response (`duration:
//! None`) lasts until the `repair` step finishes; that step takes the teams
//! file's repair time when a spare is held at the site and the shipping
//! time of a replacement when not — the scenario may say which per failure
//! (`spare`, `replacement`; `Response::spares`, used by `decide`). Each inject puts its state changes on the agenda at
//! their exact minutes; the `outage` random stream decides which nodes a
//! disaster destroys.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{Ctx, Symptom, link_name};
use crate::engine::agenda::{Action, DownCause};
use crate::engine::net::Net;
use crate::engine::record::EventKind;
use crate::model::scenario::InjectKind;
use crate::model::topology::{LinkId, Topology};

/// Applies inject `k` (one of the outage kinds; other kinds are ignored).
pub fn inject(ctx: &mut Ctx, k: usize, kind: &InjectKind, outage: &mut ChaCha8Rng) {
    let (topo, t) = (ctx.topo, ctx.t);
    match kind {
        InjectKind::LinkCut { link, duration_min } => {
            ctx.rec.event(
                t,
                EventKind::Inject,
                Some(topo.links[*link as usize].a),
                Some(*link),
                format!("line cut: {}", link_name(topo, *link)),
            );
            ctx.agenda.push(t, Action::LinkCut(*link, k));
            if let Some(d) = duration_min {
                ctx.agenda.push(t + d, Action::LinkRepair(*link));
            }
        }
        InjectKind::NodeFailure {
            node,
            duration_min,
            spare,
            ..
        } => {
            ctx.rec.event(
                t,
                EventKind::Inject,
                Some(*node),
                None,
                format!(
                    "device failure at {}{}",
                    topo.nodes[*node as usize].id,
                    spare_note(*spare)
                ),
            );
            ctx.agenda
                .push(t, Action::NodeDown(*node, DownCause::Failure, k));
            if let Some(d) = duration_min {
                ctx.agenda
                    .push(t + d, Action::NodeUp(*node, DownCause::Failure));
            }
        }
        InjectKind::PowerOutage {
            nodes,
            duration_min,
            backup_power,
        } => {
            ctx.rec.event(
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
                    ctx.agenda.push(t, Action::BackupPower(v));
                }
                if hold < *duration_min {
                    ctx.agenda
                        .push(t + hold, Action::NodeDown(v, DownCause::Power, k));
                    ctx.agenda
                        .push(t + duration_min, Action::NodeUp(v, DownCause::Power));
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
                if outage.random::<f64>() < *node_fraction {
                    hit += 1;
                    ctx.agenda
                        .push(t, Action::NodeDown(v, DownCause::Disaster, k));
                    ctx.agenda
                        .push(t + duration_min, Action::NodeUp(v, DownCause::Disaster));
                }
            }
            ctx.rec.event(
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
        _ => {}
    }
}

/// Applies one of the outages' agenda actions. Returns `false` for an
/// action that is not theirs.
pub fn on_action(ctx: &mut Ctx, action: Action) -> bool {
    let (topo, t) = (ctx.topo, ctx.t);
    match action {
        Action::NodeDown(v, cause, src) => {
            if ctx
                .net
                .set_node_down(topo, v, cause.index(), true, ctx.flipped)
            {
                ctx.rec
                    .event(t, EventKind::NodeDown, Some(v), None, cause.as_str());
                ctx.changed.push(v);
                ctx.symptoms.0.push(Symptom {
                    node: v,
                    inject: src,
                });
            }
        }
        Action::NodeUp(v, cause) => {
            if ctx
                .net
                .set_node_down(topo, v, cause.index(), false, ctx.flipped)
            {
                ctx.rec.event(
                    t,
                    EventKind::NodeUp,
                    Some(v),
                    None,
                    format!("{} over", cause.as_str()),
                );
                ctx.changed.push(v);
            }
            if cause == DownCause::Power {
                ctx.net.on_backup_power[v as usize] = 0;
            }
        }
        Action::BackupPower(v) => {
            ctx.net.on_backup_power[v as usize] += 1;
            ctx.rec.event(
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
            ctx.net.set_link_cut(topo, l, true, t, ctx.flipped);
            ctx.rec.event(
                t,
                EventKind::LinkCut,
                Some(topo.links[l as usize].a),
                Some(l),
                link_name(topo, l),
            );
            // The site is the lower end of the line (the one cut off).
            let link = &topo.links[l as usize];
            let site = if topo.nodes[link.a as usize].tier > topo.nodes[link.b as usize].tier {
                link.a
            } else {
                link.b
            };
            ctx.symptoms.0.push(Symptom {
                node: site,
                inject: src,
            });
        }
        Action::LinkRepair(l) => {
            let was_backup_active = backup_active_for(ctx.net, l);
            ctx.net.set_link_cut(topo, l, false, t, ctx.flipped);
            ctx.rec.event(
                t,
                EventKind::LinkRepaired,
                Some(topo.links[l as usize].a),
                Some(l),
                link_name(topo, l),
            );
            if was_backup_active && !backup_active_for(ctx.net, l) {
                ctx.rec.event(
                    t,
                    EventKind::Failback,
                    Some(topo.links[l as usize].a),
                    Some(l),
                    format!("traffic back on {}", link_name(topo, l)),
                );
            }
        }
        Action::FailoverCheck(p) => {
            if let Some(b) = ctx.net.backup_for[p as usize]
                && !ctx.net.line_ok(topo, p)
                && !ctx.net.backup_active[b as usize]
            {
                ctx.net.set_backup_active(topo, b, true, ctx.flipped);
                ctx.rec.event(
                    t,
                    EventKind::Failover,
                    Some(topo.links[p as usize].a),
                    Some(b),
                    format!("{} down; traffic on backup line", link_name(topo, p)),
                );
            }
        }
        _ => return false,
    }
    true
}

/// What a failure's inject says about spares (nothing when the teams file decides).
fn spare_note(spare: Option<bool>) -> &'static str {
    match spare {
        Some(true) => "; spare device held on site",
        Some(false) => "; no spare on site: a replacement must be shipped",
        None => "",
    }
}

fn backup_active_for(net: &Net, primary: LinkId) -> bool {
    net.backup_for[primary as usize].is_some_and(|b| net.backup_active[b as usize])
}

/// Puts a failover check on the agenda for every primary line that just went down.
pub fn schedule_failovers(
    topo: &Topology,
    net: &mut Net,
    agenda: &mut crate::engine::agenda::Agenda,
) {
    for (p, since) in net.pending_failover.drain(..) {
        if let Some(b) = net.backup_for[p as usize] {
            agenda.push(
                since + topo.links[b as usize].failover_min,
                Action::FailoverCheck(p),
            );
        }
    }
}

/// One line describing an outage inject (`None` for other kinds).
pub fn describe(topo: &Topology, kind: &InjectKind) -> Option<String> {
    Some(match kind {
        InjectKind::LinkCut { link, duration_min } => format!(
            "line cut: {}{}",
            link_name(topo, *link),
            duration_min
                .map(|d| format!(" for {d:.0} min"))
                .unwrap_or_default()
        ),
        InjectKind::NodeFailure {
            node,
            duration_min,
            spare,
            ..
        } => format!(
            "device failure at {}{}{}",
            topo.nodes[*node as usize].id,
            duration_min
                .map(|d| format!(" for {d:.0} min"))
                .unwrap_or_default(),
            spare_note(*spare)
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
        _ => return None,
    })
}
