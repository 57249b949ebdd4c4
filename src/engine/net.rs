//! The network's live state: which nodes are up, which lines carry traffic,
//! what is reachable from HQ and which services are available.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use bevy_ecs::prelude::Resource;

use crate::model::topology::{LinkId, LinkKind, NodeId, ServiceKind, Tier, Topology};

/// Live state of nodes and links. Changes go through methods that report
/// which links flipped between usable and unusable, so the worm can keep its
/// per-node pressure exact.
#[derive(Clone, Debug, Resource)]
pub struct Net {
    /// Active reasons a node is down (failure, power, disaster), counted.
    pub node_down: Vec<u16>,
    /// The same, by cause: `[failure, power, disaster]`.
    pub down_by: Vec<[u16; 3]>,
    /// Node running on backup power (mains lost).
    pub on_backup_power: Vec<u16>,
    /// Node deliberately cut off from the WAN by its responders.
    pub node_isolated: Vec<bool>,
    /// Share of the node's hosts infected is past the overload threshold.
    pub node_overloaded: Vec<bool>,
    /// Active cuts of a line, counted.
    pub link_cut: Vec<u16>,
    /// Worm traffic exceeds the line's capacity.
    pub link_saturated: Vec<bool>,
    /// For backup lines: carrying traffic.
    pub backup_active: Vec<bool>,
    /// Cached: the line carries traffic now.
    pub usable: Vec<bool>,
    /// Responders filter the worm on this line (ACLs at the routers).
    pub worm_filtered: Vec<bool>,
    /// Cached: the line carries the worm (usable and not filtered). The worm
    /// reads this in its hot loop; flips of it are what the worm must hear of.
    pub spread: Vec<bool>,
    /// For each primary line, its backup line, if any.
    /// Shared by the runs on one network (it never changes).
    pub backup_for: Arc<[Option<LinkId>]>,
    /// Reachable from HQ over usable lines (valid after [`Net::refresh_view`]).
    pub reachable: Vec<bool>,
    pub nodes_cut_off: u32,
    /// Times a site was taken off the WAN by the response.
    pub sites_disconnected: u32,
    pub nodes_down: u32,
    pub services_available: u32,
    /// Internet-facing (taxpayer) services available.
    pub taxpayer_services_available: u32,
    /// Lines saturated now.
    pub links_saturated: u32,
    /// Sites whose internet link a denial-of-service flood saturates: their
    /// internet-facing services are unavailable (`engine::threats::dos`).
    /// Almost always empty, so a list, not a per-node vector.
    pub flooded: Vec<NodeId>,
    /// Connectivity changed since the last [`Net::refresh_view`].
    pub dirty: bool,
    /// Nodes whose services' availability may have changed since the last
    /// refresh (deduplicated through `svc_marked`).
    svc_dirty: Vec<NodeId>,
    svc_marked: Vec<bool>,
    /// The node hosts at least one service (others are never marked: their
    /// availability is always (0, 0)).
    /// Shared by the runs on one network (it never changes).
    has_services: Arc<[bool]>,
    /// Each node's services, packed (shared by the runs on one network):
    /// the refresh reads these instead of the large node records, which
    /// cost a cache miss per node once an outbreak marks thousands.
    services: Arc<Services>,
    /// Per node: (services available, taxpayer services available).
    svc_avail: Vec<(u16, u16)>,
    /// Primary lines that went down and may fail over: (line, minute).
    pub pending_failover: Vec<(LinkId, f64)>,
    queue: VecDeque<NodeId>,
    /// For tree-shaped networks (every line joins a node and its parent,
    /// backups included): reachability is recomputed only below the nodes
    /// whose state changed.
    tree: Option<Arc<TreeIndex>>,
    /// Nodes whose own connectivity or uplink changed since the last refresh.
    roots: Vec<NodeId>,
}

/// The services of every node as one flat list (CSR).
#[derive(Debug)]
struct Services {
    /// Node `v`'s services are `kinds[start[v]..start[v + 1]]`.
    start: Vec<u32>,
    kinds: Vec<ServiceKind>,
}

impl Services {
    fn new(topo: &Topology) -> Services {
        let mut start = Vec::with_capacity(topo.nodes.len() + 1);
        let mut kinds = Vec::new();
        start.push(0);
        for n in &topo.nodes {
            kinds.extend_from_slice(&n.services);
            start.push(kinds.len() as u32);
        }
        Services { start, kinds }
    }

    #[inline]
    fn of(&self, v: NodeId) -> &[ServiceKind] {
        &self.kinds[self.start[v as usize] as usize..self.start[v as usize + 1] as usize]
    }
}

/// The network as a tree rooted at HQ (parallel lines allowed).
#[derive(Clone, Debug)]
struct TreeIndex {
    parent: Vec<Option<NodeId>>,
    /// Position in breadth-first order (ancestors first).
    rank: Vec<u32>,
    child_start: Vec<u32>,
    children: Vec<NodeId>,
}

impl TreeIndex {
    /// `None` when some line joins two nodes that are not parent and child.
    fn build(topo: &Topology) -> Option<TreeIndex> {
        let n = topo.nodes.len();
        let mut parent = vec![None; n];
        let mut rank = vec![u32::MAX; n];
        let mut order = Vec::with_capacity(n);
        rank[topo.hq as usize] = 0;
        order.push(topo.hq);
        let mut i = 0;
        while i < order.len() {
            let v = order[i];
            i += 1;
            for &(w, _) in topo.neighbours(v) {
                if rank[w as usize] == u32::MAX {
                    rank[w as usize] = order.len() as u32;
                    parent[w as usize] = Some(v);
                    order.push(w);
                }
            }
        }
        for link in &topo.links {
            let (a, b) = (link.a, link.b);
            if parent[a as usize] != Some(b) && parent[b as usize] != Some(a) {
                return None;
            }
        }
        let mut count = vec![0u32; n + 1];
        for p in parent.iter().flatten() {
            count[*p as usize + 1] += 1;
        }
        for v in 0..n {
            count[v + 1] += count[v];
        }
        let mut fill = count.clone();
        let mut children = vec![0; count[n] as usize];
        for &v in &order {
            if let Some(p) = parent[v as usize] {
                children[fill[p as usize] as usize] = v;
                fill[p as usize] += 1;
            }
        }
        Some(TreeIndex {
            parent,
            rank,
            child_start: count,
            children,
        })
    }
}

/// The initial state of the last network seen (see [`Net::initial`]).
type NetCache = Option<(Arc<Topology>, Arc<Net>)>;
static NET_CACHE: Mutex<NetCache> = Mutex::new(None);

impl Net {
    /// The initial state of `topo`, as [`Net::new`] builds it, cloned from
    /// a copy kept for the last network seen: a batch builds it once instead
    /// of once per run (a breadth-first pass and every service, ~0.5 ms on
    /// the national network). The key holds the `Arc`, so pointer equality
    /// cannot be fooled by a freed and reused allocation.
    pub fn initial(topo: &Arc<Topology>) -> Net {
        let hit = NET_CACHE.lock().ok().and_then(|c| {
            c.as_ref()
                .filter(|(t, _)| Arc::ptr_eq(t, topo))
                .map(|(_, n)| n.clone())
        });
        if let Some(net) = hit {
            return (*net).clone();
        }
        let net = Arc::new(Net::new(topo));
        if let Ok(mut c) = NET_CACHE.lock() {
            *c = Some((topo.clone(), net.clone()));
        }
        (*net).clone()
    }

    /// Nothing waits for the next [`Net::refresh_view`] or for a failover:
    /// the view is current.
    pub fn settled(&self) -> bool {
        !self.dirty && self.svc_dirty.is_empty() && self.pending_failover.is_empty()
    }

    pub fn new(topo: &Topology) -> Net {
        let n = topo.nodes.len();
        let m = topo.links.len();
        let mut backup_for = vec![None; m];
        for &(b, p) in &topo.backup_of {
            backup_for[p as usize] = Some(b);
        }
        let mut net = Net {
            node_down: vec![0; n],
            down_by: vec![[0; 3]; n],
            on_backup_power: vec![0; n],
            node_isolated: vec![false; n],
            node_overloaded: vec![false; n],
            link_cut: vec![0; m],
            link_saturated: vec![false; m],
            backup_active: vec![false; m],
            usable: vec![false; m],
            worm_filtered: vec![false; m],
            spread: vec![false; m],
            backup_for: backup_for.into(),
            reachable: vec![false; n],
            nodes_cut_off: 0,
            sites_disconnected: 0,
            nodes_down: 0,
            services_available: 0,
            taxpayer_services_available: 0,
            links_saturated: 0,
            flooded: Vec::new(),
            dirty: true,
            svc_dirty: Vec::new(),
            svc_marked: vec![false; n],
            has_services: topo.nodes.iter().map(|x| !x.services.is_empty()).collect(),
            services: Arc::new(Services::new(topo)),
            svc_avail: vec![(0, 0); n],
            pending_failover: Vec::new(),
            queue: VecDeque::with_capacity(n),
            tree: TreeIndex::build(topo).map(Arc::new),
            roots: Vec::new(),
        };
        for l in 0..m {
            net.usable[l] = net.compute_usable(topo, l as LinkId);
            net.spread[l] = net.usable[l];
        }
        // The first view is computed in full (every node starts unreachable).
        let tree = net.tree.take();
        net.refresh_view(topo);
        net.tree = tree;
        for v in 0..n as NodeId {
            net.mark_services(v);
        }
        net.refresh_view(topo);
        net
    }

    #[inline]
    pub fn alive(&self, v: NodeId) -> bool {
        self.node_down[v as usize] == 0
    }

    #[inline]
    pub fn connected(&self, v: NodeId) -> bool {
        self.node_down[v as usize] == 0 && !self.node_isolated[v as usize]
    }

    /// The line itself works (not cut, not saturated, backup switched in).
    #[inline]
    pub fn line_ok(&self, topo: &Topology, l: LinkId) -> bool {
        let li = l as usize;
        self.link_cut[li] == 0
            && !self.link_saturated[li]
            && (topo.links[li].kind != LinkKind::Backup || self.backup_active[li])
    }

    fn compute_usable(&self, topo: &Topology, l: LinkId) -> bool {
        let link = &topo.links[l as usize];
        self.line_ok(topo, l) && self.connected(link.a) && self.connected(link.b)
    }

    /// Recomputes the cached usability of `l`; pushes it to `flipped` if
    /// whether it carries the worm changed.
    fn refresh_link(&mut self, topo: &Topology, l: LinkId, flipped: &mut Vec<LinkId>) {
        let li = l as usize;
        let now = self.compute_usable(topo, l);
        if now != self.usable[li] {
            self.usable[li] = now;
            self.dirty = true;
            let (a, b) = (topo.links[li].a, topo.links[li].b);
            self.mark_services(a);
            self.mark_services(b);
            if let Some(t) = &self.tree {
                let link = &topo.links[li];
                let child = if t.parent[link.a as usize] == Some(link.b) {
                    link.a
                } else {
                    link.b
                };
                self.roots.push(child);
            }
        }
        let spread = now && !self.worm_filtered[li];
        if spread != self.spread[li] {
            self.spread[li] = spread;
            flipped.push(l);
        }
    }

    /// Filters the worm on line `l` (or lifts the filter).
    pub fn set_worm_filtered(
        &mut self,
        topo: &Topology,
        l: LinkId,
        on: bool,
        flipped: &mut Vec<LinkId>,
    ) {
        self.worm_filtered[l as usize] = on;
        self.refresh_link(topo, l, flipped);
    }

    fn refresh_node_links(&mut self, topo: &Topology, v: NodeId, flipped: &mut Vec<LinkId>) {
        for &(_, l) in topo.neighbours(v) {
            self.refresh_link(topo, l, flipped);
        }
    }

    /// Adds (`down = true`) or removes one reason `cause` (0 failure, 1
    /// power, 2 disaster) for `v` to be down. Returns whether the node's
    /// aliveness changed.
    pub fn set_node_down(
        &mut self,
        topo: &Topology,
        v: NodeId,
        cause: usize,
        down: bool,
        flipped: &mut Vec<LinkId>,
    ) -> bool {
        let was_alive = self.alive(v);
        let c = &mut self.down_by[v as usize][cause];
        if down {
            *c += 1;
        } else {
            *c = c.saturating_sub(1);
        }
        self.node_down[v as usize] = self.down_by[v as usize].iter().sum();
        self.after_node_change(topo, v, was_alive, flipped)
    }

    fn after_node_change(
        &mut self,
        topo: &Topology,
        v: NodeId,
        was_alive: bool,
        flipped: &mut Vec<LinkId>,
    ) -> bool {
        let changed = was_alive != self.alive(v);
        if changed {
            if topo.nodes[v as usize].tier.is_wan() {
                if was_alive {
                    self.nodes_down += 1;
                } else {
                    self.nodes_down -= 1;
                }
            }
            self.dirty = true;
            self.roots.push(v);
            self.mark_services(v);
            self.refresh_node_links(topo, v, flipped);
        }
        changed
    }

    /// The services at `v` may have changed availability.
    #[inline]
    pub fn mark_services(&mut self, v: NodeId) {
        if !self.svc_marked[v as usize] && self.has_services[v as usize] {
            self.svc_marked[v as usize] = true;
            self.svc_dirty.push(v);
        }
    }

    /// A denial-of-service flood at `v`'s internet link starts (`on`) or
    /// ends: its internet-facing services go down or come back.
    pub fn set_flooded(&mut self, v: NodeId, on: bool) {
        let was = self.flooded.contains(&v);
        if on && !was {
            self.flooded.push(v);
        } else if !on && was {
            self.flooded.retain(|&x| x != v);
        } else {
            return;
        }
        self.mark_services(v);
    }

    /// Isolates `v` from the WAN (or lifts the isolation).
    pub fn set_isolated(
        &mut self,
        topo: &Topology,
        v: NodeId,
        on: bool,
        flipped: &mut Vec<LinkId>,
    ) {
        if self.node_isolated[v as usize] != on {
            self.node_isolated[v as usize] = on;
            if on {
                self.sites_disconnected += 1;
            }
            self.dirty = true;
            self.roots.push(v);
            self.mark_services(v);
            self.refresh_node_links(topo, v, flipped);
        }
    }

    /// Adds or removes one cut of line `l` at minute `now`.
    pub fn set_link_cut(
        &mut self,
        topo: &Topology,
        l: LinkId,
        cut: bool,
        now: f64,
        flipped: &mut Vec<LinkId>,
    ) {
        let was_ok = self.line_ok(topo, l);
        let c = &mut self.link_cut[l as usize];
        if cut {
            *c += 1;
        } else {
            *c = c.saturating_sub(1);
        }
        self.after_line_change(topo, l, was_ok, now, flipped);
    }

    /// Marks line `l` saturated or not at minute `now`.
    pub fn set_saturated(
        &mut self,
        topo: &Topology,
        l: LinkId,
        on: bool,
        now: f64,
        flipped: &mut Vec<LinkId>,
    ) {
        let was_ok = self.line_ok(topo, l);
        if self.link_saturated[l as usize] != on {
            if on {
                self.links_saturated += 1;
            } else {
                self.links_saturated -= 1;
            }
        }
        self.link_saturated[l as usize] = on;
        self.after_line_change(topo, l, was_ok, now, flipped);
    }

    /// Clears every active reason `cause` for `v` to be down (repair,
    /// rebuild). Returns whether the node came up.
    pub fn clear_node_down(
        &mut self,
        topo: &Topology,
        v: NodeId,
        cause: usize,
        flipped: &mut Vec<LinkId>,
    ) -> bool {
        let was_alive = self.alive(v);
        self.down_by[v as usize][cause] = 0;
        self.node_down[v as usize] = self.down_by[v as usize].iter().sum();
        self.after_node_change(topo, v, was_alive, flipped)
    }

    /// Switches backup line `b` in or out.
    pub fn set_backup_active(
        &mut self,
        topo: &Topology,
        b: LinkId,
        on: bool,
        flipped: &mut Vec<LinkId>,
    ) {
        self.backup_active[b as usize] = on;
        self.dirty = true;
        self.refresh_link(topo, b, flipped);
    }

    fn after_line_change(
        &mut self,
        topo: &Topology,
        l: LinkId,
        was_ok: bool,
        now: f64,
        flipped: &mut Vec<LinkId>,
    ) {
        let ok = self.line_ok(topo, l);
        if was_ok && !ok && self.backup_for[l as usize].is_some() {
            self.pending_failover.push((l, now));
        }
        if ok && !was_ok {
            // Primary back: traffic returns to it, the backup goes idle.
            if let Some(b) = self.backup_for[l as usize]
                && self.backup_active[b as usize]
            {
                self.set_backup_active(topo, b, false, flipped);
            }
        }
        self.dirty = true;
        self.refresh_link(topo, l, flipped);
    }

    /// Whether a service instance at `v` is available now.
    pub fn service_available(&self, topo: &Topology, v: NodeId, kind: ServiceKind) -> bool {
        if !self.connected(v) || self.node_overloaded[v as usize] {
            return false;
        }
        if kind.internet_facing() && !self.flooded.is_empty() && self.flooded.contains(&v) {
            return false;
        }
        match kind {
            // Data exchange needs at least one working line to a partner.
            ServiceKind::DataExchange => topo.neighbours(v).iter().any(|&(w, l)| {
                topo.nodes[w as usize].tier == Tier::External && self.usable[l as usize]
            }),
            _ => true,
        }
    }

    /// Recomputes reachability from HQ (below the nodes that changed) and
    /// the availability of the services at the nodes that changed; run at
    /// most once per tick.
    pub fn refresh_view(&mut self, topo: &Topology) {
        if self.dirty {
            self.refresh_reach(topo);
        }
        let dirty = std::mem::take(&mut self.svc_dirty);
        let services = self.services.clone();
        for &v in &dirty {
            self.svc_marked[v as usize] = false;
            let (mut all, mut taxpayer) = (0u16, 0u16);
            for &k in services.of(v) {
                if self.service_available(topo, v, k) {
                    all += 1;
                    taxpayer += k.internet_facing() as u16;
                }
            }
            let (old_all, old_tax) = self.svc_avail[v as usize];
            self.services_available = self.services_available + all as u32 - old_all as u32;
            self.taxpayer_services_available =
                self.taxpayer_services_available + taxpayer as u32 - old_tax as u32;
            self.svc_avail[v as usize] = (all, taxpayer);
        }
        self.svc_dirty = dirty;
        self.svc_dirty.clear();
    }

    fn refresh_reach(&mut self, topo: &Topology) {
        self.dirty = false;
        let mut roots = std::mem::take(&mut self.roots);
        if let Some(tree) = self.tree.take() {
            // Only below the nodes that changed; parents before children.
            roots.sort_by_key(|&v| tree.rank[v as usize]);
            roots.dedup();
            let mut stack = Vec::new();
            for &r in &roots {
                stack.push(r);
                while let Some(x) = stack.pop() {
                    let xi = x as usize;
                    let now = self.connected(x)
                        && match tree.parent[xi] {
                            None => x == topo.hq,
                            Some(p) => {
                                self.reachable[p as usize]
                                    && topo
                                        .neighbours(x)
                                        .iter()
                                        .any(|&(w, l)| w == p && self.usable[l as usize])
                            }
                        };
                    if now == self.reachable[xi] && x != r {
                        continue;
                    }
                    if now != self.reachable[xi] {
                        self.reachable[xi] = now;
                        if x != topo.hq && topo.nodes[xi].tier.is_wan() {
                            if now {
                                self.nodes_cut_off -= 1;
                            } else {
                                self.nodes_cut_off += 1;
                            }
                        }
                    } else {
                        continue;
                    }
                    let (a, b) = (tree.child_start[xi], tree.child_start[xi + 1]);
                    stack.extend_from_slice(&tree.children[a as usize..b as usize]);
                }
            }
            self.tree = Some(tree);
            roots.clear();
            self.roots = roots;
            return;
        }
        self.reachable.iter_mut().for_each(|r| *r = false);
        if self.connected(topo.hq) {
            self.reachable[topo.hq as usize] = true;
            self.queue.clear();
            self.queue.push_back(topo.hq);
            while let Some(v) = self.queue.pop_front() {
                for &(w, l) in topo.neighbours(v) {
                    if self.usable[l as usize] && !self.reachable[w as usize] {
                        self.reachable[w as usize] = true;
                        self.queue.push_back(w);
                    }
                }
            }
        }
        self.nodes_cut_off = topo
            .nodes
            .iter()
            .enumerate()
            .filter(|&(v, node)| node.tier.is_wan() && v as NodeId != topo.hq && !self.reachable[v])
            .count() as u32;
        roots.clear();
        self.roots = roots;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::topology_spec::default_topology;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Incremental reachability on the tree equals a full breadth-first
    /// search after every kind of change.
    #[test]
    fn incremental_reachability_matches_full_search() {
        let topo = default_topology();
        let mut net = Net::new(&topo);
        assert!(net.tree.is_some(), "the default network is a tree");
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut flipped = Vec::new();
        let n = topo.nodes.len() as u32;
        let m = topo.links.len() as u32;
        for step in 0..400 {
            match rng.random_range(0..5) {
                0 => {
                    let v = rng.random_range(0..n);
                    let down = net.node_down[v as usize] == 0;
                    net.set_node_down(&topo, v, 0, down, &mut flipped);
                }
                1 => {
                    // Mostly high tiers, so that whole subtrees flip.
                    let v = rng.random_range(0..400.min(n));
                    let on = !net.node_isolated[v as usize];
                    net.set_isolated(&topo, v, on, &mut flipped);
                }
                2 => {
                    let l = rng.random_range(0..m);
                    let cut = net.link_cut[l as usize] == 0;
                    net.set_link_cut(&topo, l, cut, step as f64, &mut flipped);
                }
                3 => {
                    if let Some(&(b, _)) = topo
                        .backup_of
                        .get(rng.random_range(0..topo.backup_of.len()))
                    {
                        let on = !net.backup_active[b as usize];
                        net.set_backup_active(&topo, b, on, &mut flipped);
                    }
                }
                _ => {
                    let l = rng.random_range(0..m);
                    let on = !net.link_saturated[l as usize];
                    net.set_saturated(&topo, l, on, step as f64, &mut flipped);
                }
            }
            net.refresh_view(&topo);
            let mut full = net.clone();
            full.tree = None;
            full.dirty = true;
            full.refresh_view(&topo);
            assert_eq!(net.reachable, full.reachable, "step {step}");
            assert_eq!(net.nodes_cut_off, full.nodes_cut_off, "step {step}");
            let down = (0..n as usize)
                .filter(|&v| topo.nodes[v].tier.is_wan() && net.node_down[v] > 0)
                .count() as u32;
            assert_eq!(net.nodes_down, down, "step {step}");
            let avail = topo
                .services
                .iter()
                .filter(|sv| net.service_available(&topo, sv.node, sv.kind))
                .count() as u32;
            assert_eq!(net.services_available, avail, "step {step}");
        }
    }
}
