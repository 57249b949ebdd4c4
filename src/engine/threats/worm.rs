//! The worm as a threat: its release at an inject and the response's patch
//! orders reaching a unit. The host compartments and the exact sampler
//! live in `engine::worm`; this is the glue the Threat phase calls. Its
//! random stream is `worm`.

use rand_chacha::ChaCha8Rng;

use crate::engine::net::Net;
use crate::engine::record::{EventKind, RunRecord};
use crate::engine::worm::{Sampler, Worm, WormRes};
use crate::model::scenario::WormInject;
use crate::model::topology::{NodeId, Topology};

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
    rec: &mut RunRecord,
    sampler: Sampler,
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
    worm.0 = Some(Worm::release(k, topo, net, p, hosts, rng, t, rec, sampler));
}

/// A patch order reached unit `v`: its susceptible hosts are patched.
pub fn patch_unit(net: &Net, worm: &mut WormRes, v: NodeId) {
    if let Some(w) = worm.0.as_mut() {
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
