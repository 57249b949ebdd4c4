//! The network's live state: which nodes are up, which lines carry traffic,
//! what is reachable from HQ and which services are available.

use std::collections::VecDeque;

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
    pub backup_for: Vec<Option<LinkId>>,
    /// Reachable from HQ over usable lines (valid after [`Net::refresh_view`]).
    pub reachable: Vec<bool>,
    pub nodes_cut_off: u32,
    pub nodes_down: u32,
    pub services_available: u32,
    /// Lines saturated now.
    pub links_saturated: u32,
    /// Connectivity changed since the last [`Net::refresh_view`].
    pub dirty: bool,
    /// Service conditions (overload) changed since the last refresh.
    pub dirty_services: bool,
    /// Primary lines that went down and may fail over: (line, minute).
    pub pending_failover: Vec<(LinkId, f64)>,
    queue: VecDeque<NodeId>,
}

impl Net {
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
            backup_for,
            reachable: vec![false; n],
            nodes_cut_off: 0,
            nodes_down: 0,
            services_available: 0,
            links_saturated: 0,
            dirty: true,
            dirty_services: true,
            pending_failover: Vec::new(),
            queue: VecDeque::with_capacity(n),
        };
        for l in 0..m {
            net.usable[l] = net.compute_usable(topo, l as LinkId);
            net.spread[l] = net.usable[l];
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
        let changed = was_alive != self.alive(v);
        if changed {
            self.dirty = true;
            self.refresh_node_links(topo, v, flipped);
        }
        changed
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
            self.dirty = true;
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
        let changed = was_alive != self.alive(v);
        if changed {
            self.dirty = true;
            self.refresh_node_links(topo, v, flipped);
        }
        changed
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
        match kind {
            // Data exchange needs at least one working line to a partner.
            ServiceKind::DataExchange => topo.neighbours(v).iter().any(|&(w, l)| {
                topo.nodes[w as usize].tier == Tier::External && self.usable[l as usize]
            }),
            _ => true,
        }
    }

    /// Recomputes reachability from HQ and service availability if anything
    /// changed. O(nodes + links) after a connectivity change, O(services)
    /// after an overload change; run at most once per tick.
    pub fn refresh_view(&mut self, topo: &Topology) {
        if self.dirty {
            self.refresh_reach(topo);
            self.dirty_services = true;
        }
        if self.dirty_services {
            self.dirty_services = false;
            self.services_available = topo
                .services
                .iter()
                .filter(|s| self.service_available(topo, s.node, s.kind))
                .count() as u32;
        }
    }

    fn refresh_reach(&mut self, topo: &Topology) {
        self.dirty = false;
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
        let mut cut_off = 0;
        let mut down = 0;
        for (v, node) in topo.nodes.iter().enumerate() {
            if !node.tier.is_wan() {
                continue;
            }
            if self.node_down[v] > 0 {
                down += 1;
            }
            if v as NodeId != topo.hq && !self.reachable[v] {
                cut_off += 1;
            }
        }
        self.nodes_cut_off = cut_off;
        self.nodes_down = down;
    }
}
