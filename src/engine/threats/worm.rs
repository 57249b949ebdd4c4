//! The worm as a threat: its release at an inject and the response's patch
//! orders reaching a unit. The host compartments and the exact sampler
//! live in `engine::worm`; this is the glue the Threat phase calls. The
//! first worm's random stream is `worm`; a later one (several worms in one
//! scenario) draws from `worm.K`, K its scenario inject.

use rand_chacha::ChaCha8Rng;

use crate::engine::net::Net;
use crate::engine::record::{EventKind, RunRecord};
use crate::engine::rng::stream;
use crate::engine::worm::{Others, Sampler, Worm, WormRes};
use crate::model::scenario::WormInject;
use crate::model::topology::{LinkId, NodeId, Topology};

/// Inject `k` releases worm `p` at minute `t`.
#[allow(clippy::too_many_arguments)]
pub fn release(
    topo: &Topology,
    k: usize,
    p: &WormInject,
    t: f64,
    hosts: &[u32],
    net: &mut Net,
    worm: &mut WormRes,
    rng: &mut ChaCha8Rng,
    seed: u64,
    rec: &mut RunRecord,
    sampler: Sampler,
    flipped: &mut Vec<LinkId>,
) {
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
    if worm.is_empty() {
        let w = Worm::release(
            k,
            topo,
            net,
            p,
            hosts,
            rng,
            t,
            rec,
            sampler,
            Others::NONE,
            flipped,
        );
        worm.push(w, t);
        return;
    }
    // A later worm: its own stream; every worm on the direct method.
    for w in worm.iter_mut() {
        w.leave_event_driven(net);
    }
    let mut own = stream(seed, &format!("worm.{k}"));
    let others = Others::all(worm);
    let mut w = Worm::release(
        k,
        topo,
        net,
        p,
        hosts,
        &mut own,
        t,
        rec,
        Sampler::Direct,
        others,
        flipped,
    );
    w.own_rng = Some(Box::new(own));
    for o in worm.iter_mut() {
        o.apply_flips(topo, net, flipped);
    }
    worm.push(w, t);
}

/// A patch order reached unit `v`: its susceptible hosts are patched (of
/// every worm present).
pub fn patch_unit(net: &Net, worm: &mut WormRes, v: NodeId) {
    for w in worm.iter_mut() {
        let n = w.s[v as usize];
        w.patch(net, v, n);
    }
}

/// One line describing the release (reports, chart markers).
pub fn describe(w: &WormInject) -> String {
    format!(
        "worm released: {} ({} initial node(s), {} exposed gateway(s))",
        w.name,
        w.initial_nodes.len(),
        w.internet_entry.len()
    )
}
