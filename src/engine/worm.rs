//! Worm dynamics, exact in continuous time.
//!
//! Each node keeps host counts by compartment: susceptible `s`, infected
//! `i`, cleaned `r` and patched/immune `imm` (`n` = their sum). Events:
//!
//! - infection of a host at node v, rate `s_v/n_v · (β·i_v + τ·c_v + e_v)`
//!   where `c_v` is the number of infected hosts at the far end of v's lines
//!   that carry the worm (usable and not filtered by responders) and `e_v` the internet scanning pressure at an exposed gateway;
//! - recovery of an infected host (`γ·a_v`), cleaned and immune after.
//!
//! Responders isolate the infected hosts of a site (`isolate`): they move to
//! the quarantined count `q_v` (still infected, counted in `i_v`, but
//! unplugged: no spread, no scanning traffic). While the site is under
//! containment its team quarantines each newly infected host as it appears,
//! until the site is cleaned and reconnected. Only the active hosts
//! `a_v = i_v − q_v` spread, recover by themselves and load the lines.
//!
//! Between two state changes made by other systems, the process is a
//! continuous-time Markov chain; [`Worm::advance`] samples it exactly with
//! the direct method (a [`SumTree`] of per-node rates), so results do not
//! depend on the tick length. With one host per node (`n_v = 1`), β = 0 and
//! no internet pressure this is exactly the Markovian network SIR with
//! per-link transmission rate τ and recovery rate γ.
//!
//! For that plain network SIR (at most one host per node, no internet
//! pressure, no line traffic, every node up at release) [`Worm::release`]
//! picks the event-driven sampler of Kiss, Miller & Simon (EoN's `fast_SIR`)
//! instead: when a node is infected at `t` it draws its recovery time `t +
//! Exp(γ)` and, for each susceptible neighbour over a line that carries the
//! worm, a transmission time `t + Exp(τ)`, kept only if before the recovery
//! and before the neighbour's earliest transmission so far; events are taken
//! in time order from a radix heap ([`RadixHeap`]). It is the same Markov
//! chain (each infected–susceptible pair's clock and each recovery clock is
//! an exponential clock, drawn once instead of resampled after every event),
//! with fewer and cheaper draws: O(infected × degree × log) per outbreak
//! instead of a logarithm and a sum-tree descent and update per event. Its
//! draws differ from the direct method's, so results of the validation mode
//! differ from those of the direct method seed by seed, not in distribution
//! (tests/engine_validation_sampler.rs), and do not depend on the tick length
//! at all (draws are made at infection, not per tick). Anything that changes
//! rates from outside (a line or node flips, isolation, cleaning, patching)
//! first hands the state to the direct method ([`Worm::leave_event_driven`]);
//! by memorylessness the pending clocks can be dropped and the chain goes on
//! exactly.

use bevy_ecs::prelude::Resource;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, Exp1};

use super::net::Net;
use super::radix::RadixHeap;
use super::record::{EventKind, RunRecord, ThreatOutcome, WormFigures};
use super::sumtree::{SumTree, prefetch};
use crate::model::scenario::WormInject;
use crate::model::topology::{LinkId, NodeId, Topology};

thread_local! {
    /// A finished outbreak's worm, its per-node vectors put back as at
    /// release ([`Worm::recycle`]), for the next one on this thread.
    static SPARE_WORM: std::cell::RefCell<Option<Worm>> = const { std::cell::RefCell::new(None) };
}

/// Share of a node's hosts infected past which the site's servers and LAN are
/// overwhelmed by scanning traffic and its services count as unavailable.
pub const OVERLOAD_SHARE: f64 = 0.5;

/// Which sampler a run's worm uses (a resource; [`Sampler::Auto`] unless
/// set with [`super::Sim::with_sampler`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Resource)]
pub enum Sampler {
    /// The event-driven sampler where the model is the plain network SIR
    /// (see the module documentation), the direct method elsewhere.
    #[default]
    Auto,
    /// Always the direct method (the sum tree), as before the event-driven
    /// sampler existed: for comparing the two (tests).
    Direct,
}

/// The worm's state (present once a worm has been released).
#[derive(Clone, Debug)]
pub struct Worm {
    pub name: String,
    /// The scenario inject that released it.
    pub inject: usize,
    /// Nodes infected for the first time since the Observe phase last looked.
    pub newly_infected: Vec<NodeId>,
    /// Its own random stream (`worm.K`); `None` for the first worm, which
    /// draws from the run's `worm` stream.
    pub own_rng: Option<Box<ChaCha8Rng>>,
    beta: f64,
    tau: f64,
    gamma: f64,
    traffic: f64,
    pub n: Vec<u32>,
    pub s: Vec<u32>,
    pub i: Vec<u32>,
    pub r: Vec<u32>,
    pub imm: Vec<u32>,
    /// Infected hosts isolated by responders (a subset of `i`).
    pub q: Vec<u32>,
    /// Site under containment: new infections are isolated at once.
    pub contained: Vec<bool>,
    /// What the rates read, per node, in one place (one cache line instead
    /// of one per array; see [`Hot`]).
    hot: Vec<Hot>,
    /// Internet scanning pressure per node, per minute (0 unless an exposed
    /// gateway; read only where [`Hot`] flags it).
    ext: Vec<f64>,
    /// Event-driven sampler only: the earliest transmission scheduled to
    /// each (susceptible) node so far, in minutes (∞ if none); empty under
    /// the direct method.
    next: Vec<f64>,
    /// Internet scanning blocked at this gateway (by responders).
    pub ext_blocked: Vec<bool>,
    /// The direct method's rates (empty while [`Worm::events`] is in use).
    tree: SumTree,
    /// Scratch list of staged leaves (see [`SumTree::stage`]).
    touched: Vec<u32>,
    /// The event-driven sampler's pending events, while it is in use.
    events: Option<EventQueue>,
    pub tot_s: u64,
    pub tot_i: u64,
    pub tot_r: u64,
    pub tot_imm: u64,
    /// Node has ever had an infected host.
    pub ever: Vec<bool>,
    /// The nodes of `ever`, in the order first infected.
    pub ever_list: Vec<NodeId>,
    pub nodes_ever: u32,
    /// Nodes with at least one infected host now.
    pub nodes_infected_now: u32,
    pub infections: u64,
    pub peak: u64,
    pub peak_minute: f64,
}

/// The per-node values the sampler's rates read, packed together in 16
/// bytes (four to a cache line, none straddling two): `s` and `a = i − q`
/// mirror the public arrays (kept in step by [`Worm::sync`] after every
/// change), `c` lives only here; `n` carries in its top bit whether the
/// node has internet scanning pressure ([`Worm::ext`]), so the rates of
/// the other nodes (nearly all) never read that array. On the 10× network
/// (161,314 nodes) the per-node state no longer fits the core's cache: each
/// byte less per node is fewer misses per event.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(16))]
struct Hot {
    s: u32,
    /// Active infected hosts (`i − q`).
    a: u32,
    /// Σ active infected hosts at the far end of the node's lines that
    /// carry the worm.
    c: u32,
    /// Hosts (`n`), with [`EXT_FLAG`] set where `ext` is not 0.
    n_ext: u32,
}

/// The top bit of [`Hot::n_ext`]: the node has internet scanning pressure.
/// A node has at most 1 M hosts (`model::limits`), far below it.
const EXT_FLAG: u32 = 1 << 31;

impl Hot {
    #[inline]
    fn n(&self) -> u32 {
        self.n_ext & !EXT_FLAG
    }
    #[inline]
    fn has_ext(&self) -> bool {
        self.n_ext & EXT_FLAG != 0
    }
}

/// The event-driven sampler's state.
#[derive(Clone, Debug, Default)]
struct EventQueue {
    /// Pending events: `node << 1 | 1` a recovery, `node << 1` a
    /// transmission to the node.
    heap: RadixHeap,
    /// Σ_v s_v·c_v: (susceptible host, infected host) pairs across lines
    /// that carry the worm; the total rate is τ·pairs + γ·infected.
    pairs: u64,
}

/// The worms as a resource: `.0` the first one released (`None` until
/// then), `.1` any later ones in release order. Each worm is its own
/// population of vulnerable hosts and its own Markov chain with its own
/// random stream (the first one `worm`, a later one `worm.K` for its
/// scenario inject K), so one worm's draws never shift another's; they
/// meet only where they share the network (a site overloaded, a line
/// saturated by their summed traffic) and in the response, which isolates,
/// cleans and patches every worm present at a site.
#[derive(Debug, Default, Resource)]
pub struct WormRes(pub Option<Worm>, pub Vec<Worm>, pub Combined);

/// Figures over several worms together (kept only while there are several).
#[derive(Clone, Copy, Debug, Default)]
pub struct Combined {
    /// Most hosts infected at once, summed over the worms, and when.
    pub peak: u64,
    pub peak_minute: f64,
}

/// The other worms of a run, read-only, while one of them changes (see
/// [`WormRes::split`]).
#[derive(Clone, Copy, Default)]
pub struct Others<'a> {
    first: Option<&'a Worm>,
    a: &'a [Worm],
    b: &'a [Worm],
}

impl<'a> Others<'a> {
    /// No other worm (a run with one worm).
    pub const NONE: Others<'static> = Others {
        first: None,
        a: &[],
        b: &[],
    };

    pub fn iter(&self) -> impl Iterator<Item = &'a Worm> + use<'a> {
        self.first.into_iter().chain(self.a).chain(self.b)
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.first.is_none() && self.a.is_empty() && self.b.is_empty()
    }

    /// Every worm of `worms` (while a new one is released).
    pub fn all(worms: &'a WormRes) -> Others<'a> {
        Others {
            first: worms.0.as_ref(),
            a: &worms.1,
            b: &[],
        }
    }
}

impl WormRes {
    /// How many worms were released.
    pub fn len(&self) -> usize {
        usize::from(self.0.is_some()) + self.1.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Every worm, in release order.
    pub fn iter(&self) -> impl Iterator<Item = &Worm> {
        self.0.iter().chain(&self.1)
    }

    /// Every worm, in release order, mutable.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Worm> {
        self.0.iter_mut().chain(&mut self.1)
    }

    /// Worm `k` (release order), mutable, and the others read-only.
    pub fn split(&mut self, k: usize) -> Option<(&mut Worm, Others<'_>)> {
        let first = self.0.as_mut()?;
        if k == 0 {
            return Some((
                first,
                Others {
                    first: None,
                    a: &self.1,
                    b: &[],
                },
            ));
        }
        let (a, rest) = self.1.split_at_mut(k - 1);
        let (w, b) = rest.split_first_mut()?;
        Some((
            w,
            Others {
                first: Some(first),
                a,
                b,
            },
        ))
    }

    /// Σ over worms of infected hosts at node `v` (isolated included).
    pub fn i_at(&self, v: usize) -> u32 {
        self.iter().map(|w| w.i[v]).sum()
    }

    /// Σ over worms of susceptible hosts at node `v`.
    pub fn s_at(&self, v: usize) -> u32 {
        self.iter().map(|w| w.s[v]).sum()
    }

    /// Σ over worms of infected hosts ever at `v` (infected now + cleaned).
    pub fn ever_hosts_at(&self, v: usize) -> u32 {
        self.iter().map(|w| w.i[v] + w.r[v]).sum()
    }

    /// Whether any worm ever infected a host at `v`.
    pub fn ever_at(&self, v: usize) -> bool {
        self.iter().any(|w| w.ever[v])
    }

    /// Adds a released worm (`threats::worm::release` first moves every
    /// worm to the direct method when it is not the first: the event-driven
    /// sampler is for one plain network SIR).
    pub fn push(&mut self, w: Worm, now: f64) {
        match &self.0 {
            None => self.0 = Some(w),
            Some(first) => {
                if self.1.is_empty() {
                    // Until now the first worm's peak was the run's.
                    self.2 = Combined {
                        peak: first.peak,
                        peak_minute: first.peak_minute,
                    };
                }
                self.1.push(w);
                self.note_peak(now);
            }
        }
    }

    /// Several worms: the summed infected count may have a new peak at `t`.
    fn note_peak(&mut self, t: f64) {
        let i: u64 = self.iter().map(|w| w.tot_i).sum();
        if i > self.2.peak {
            self.2 = Combined {
                peak: i,
                peak_minute: t,
            };
        }
    }

    /// Samples every worm from `t0` until `t1` (see [`Worm::advance`]).
    /// One worm: exactly its own sampler. Several: the superposition of
    /// their chains — each worm keeps its own next event time, drawn from
    /// its own stream, until its rates change (a line or site flipped by
    /// any worm: then every worm redraws, exact by memorylessness); the
    /// earliest event fires.
    pub fn advance_all(
        &mut self,
        topo: &Topology,
        net: &mut Net,
        shared: &mut ChaCha8Rng,
        rec: &mut RunRecord,
        t0: f64,
        t1: f64,
    ) -> f64 {
        if self.1.is_empty() {
            return match self.0.as_mut() {
                Some(w) => w.advance(topo, net, shared, rec, t0, t1, Others::NONE),
                None => t1,
            };
        }
        let n = self.len();
        let mut next = vec![f64::NAN; n];
        let mut t = t0;
        let mut flipped = Vec::new();
        loop {
            for (k, nk) in next.iter_mut().enumerate() {
                if nk.is_nan()
                    && let Some((w, _)) = self.split(k)
                {
                    let mut rng = w.own_rng.take();
                    let dt = w.draw_wait(rng.as_deref_mut().unwrap_or(shared));
                    w.own_rng = rng;
                    *nk = t + dt;
                }
            }
            let (m, tm) = next
                .iter()
                .copied()
                .enumerate()
                .fold(
                    (0, f64::INFINITY),
                    |b, (k, x)| if x < b.1 { (k, x) } else { b },
                );
            if tm >= t1 {
                return t1;
            }
            t = tm;
            next[m] = f64::NAN;
            if let Some((w, others)) = self.split(m) {
                let mut rng = w.own_rng.take();
                let rng_m = rng.as_deref_mut().unwrap_or(shared);
                let fired = w.fire(topo, net, rng_m, rec, t, others, &mut flipped);
                w.own_rng = rng;
                if fired {
                    self.note_peak(t);
                }
            }
            if !flipped.is_empty() {
                for w in self.iter_mut() {
                    w.apply_flips(topo, net, &flipped);
                }
                flipped.clear();
                next.fill(f64::NAN);
            }
            if !net.pending_failover.is_empty() {
                return t;
            }
        }
    }

    /// A line or node changed state outside the worms: every worm is told.
    pub fn changed(&mut self, topo: &Topology, net: &Net, flipped: &[LinkId], nodes: &[NodeId]) {
        for w in self.iter_mut() {
            w.apply_flips(topo, net, flipped);
            for &v in nodes {
                w.node_changed(net, v);
            }
        }
    }

    /// Whether nothing can change any more: no worm has an event rate or a
    /// new infection waiting.
    pub fn settled(&self) -> bool {
        self.iter()
            .all(|x| x.total_rate() <= 0.0 && x.newly_infected.is_empty())
    }
}

impl Worm {
    /// Releases a worm: draws the vulnerable hosts of every node and infects
    /// the initial ones. `hosts[v]` is the node's host count for this run.
    #[allow(clippy::too_many_arguments)]
    pub fn release(
        inject: usize,
        topo: &Topology,
        net: &mut Net,
        p: &WormInject,
        hosts: &[u32],
        rng: &mut ChaCha8Rng,
        now: f64,
        rec: &mut RunRecord,
        sampler: Sampler,
        others: Others,
        flipped: &mut Vec<LinkId>,
    ) -> Worm {
        let nn = topo.nodes.len();
        let event_driven = sampler == Sampler::Auto
            && others.is_empty()
            && Worm::is_plain_network_sir(p, hosts, net);
        // Vulnerable hosts per node, drawn in node order (nodes without
        // hosts draw nothing); every per-node vector is built in one pass
        // from them (no fill and overwrite: this runs once per outbreak of a
        // batch, over every node).
        if event_driven
            && p.vulnerable_fraction >= 1.0
            && let Some(w) = SPARE_WORM.with(|x| x.borrow_mut().take())
            && w.n.as_slice() == hosts
        {
            return w.rerelease(inject, topo, net, p, rng, now, rec, flipped);
        }
        let s: Vec<u32> = if p.vulnerable_fraction >= 1.0 {
            hosts.to_vec()
        } else if p.vulnerable_fraction <= 0.0 {
            vec![0; nn]
        } else {
            hosts
                .iter()
                .map(|&n| {
                    if n == 0 {
                        0
                    } else {
                        Binomial::new(n as u64, p.vulnerable_fraction)
                            .map(|b| b.sample(rng) as u32)
                            .unwrap_or(0)
                    }
                })
                .collect()
        };
        let imm: Vec<u32> = hosts.iter().zip(&s).map(|(&n, &s)| n - s).collect();
        let hot: Vec<Hot> = hosts
            .iter()
            .zip(&s)
            .map(|(&n, &s)| Hot {
                s,
                n_ext: n,
                ..Hot::default()
            })
            .collect();
        let tot_s: u64 = s.iter().map(|&x| x as u64).sum();
        let tot_imm: u64 = imm.iter().map(|&x| x as u64).sum();
        let mut w = Worm {
            name: p.name.clone(),
            inject,
            newly_infected: Vec::new(),
            own_rng: None,
            beta: p.beta_per_hour / 60.0,
            tau: p.tau_per_hour / 60.0,
            gamma: p.gamma_per_hour / 60.0,
            traffic: p.traffic_kbps_per_host,
            n: hosts.to_vec(),
            s,
            i: vec![0; nn],
            r: vec![0; nn],
            imm,
            q: vec![0; nn],
            contained: vec![false; nn],
            hot,
            ext: vec![0.0; nn],
            next: if event_driven {
                vec![f64::INFINITY; nn]
            } else {
                Vec::new()
            },
            ext_blocked: vec![false; nn],
            tree: SumTree::new(0),
            touched: Vec::new(),
            events: None,
            tot_s,
            tot_i: 0,
            tot_r: 0,
            tot_imm,
            ever: vec![false; nn],
            ever_list: Vec::new(),
            nodes_ever: 0,
            nodes_infected_now: 0,
            infections: 0,
            peak: 0,
            peak_minute: now,
        };
        let ext = p.internet_scan_per_hour / 60.0;
        for &v in &p.internet_entry {
            let vi = v as usize;
            w.ext[vi] = ext;
            if ext != 0.0 {
                w.hot[vi].n_ext |= EXT_FLAG;
            } else {
                w.hot[vi].n_ext &= !EXT_FLAG;
            }
        }
        w.seed(topo, net, p, rng, now, rec, event_driven, others, flipped);
        w
    }

    /// A worm released the same way as the one before on this thread (see
    /// [`Worm::recycle`]): its per-node vectors are already back in their
    /// state at release, only its own figures are set afresh.
    #[allow(clippy::too_many_arguments)]
    fn rerelease(
        mut self,
        inject: usize,
        topo: &Topology,
        net: &mut Net,
        p: &WormInject,
        rng: &mut ChaCha8Rng,
        now: f64,
        rec: &mut RunRecord,
        flipped: &mut Vec<LinkId>,
    ) -> Worm {
        self.name = p.name.clone();
        self.inject = inject;
        self.newly_infected.clear();
        self.own_rng = None;
        self.beta = p.beta_per_hour / 60.0;
        self.tau = p.tau_per_hour / 60.0;
        self.gamma = p.gamma_per_hour / 60.0;
        self.traffic = p.traffic_kbps_per_host;
        self.tree = SumTree::new(0);
        self.touched.clear();
        self.events = None;
        self.tot_s = self.n.iter().map(|&x| x as u64).sum();
        self.tot_i = 0;
        self.tot_r = 0;
        self.tot_imm = 0;
        self.ever_list.clear();
        self.nodes_ever = 0;
        self.nodes_infected_now = 0;
        self.infections = 0;
        self.peak = 0;
        self.peak_minute = now;
        // `ext` of the internet entries: 0 (no scanning, or no entry) in
        // a worm that can be released this way, as the spare's already is.
        self.seed(topo, net, p, rng, now, rec, true, Others::NONE, flipped);
        self
    }

    /// Keeps a finished run's worm for the next release on this thread
    /// ([`Worm::release`] of the plain network SIR with every host
    /// vulnerable on the same hosts): the nodes the outbreak touched — those
    /// ever infected and their neighbours — are put back as they were at
    /// release, instead of allocating and filling a dozen per-node vectors
    /// for every node in the next run. Only a worm that stayed with the
    /// event-driven sampler in a run without response qualifies: then
    /// nothing else wrote its per-node state (everything that changes rates
    /// from outside first leaves the event-driven sampler, and only the
    /// response writes `ext_blocked`).
    pub fn recycle(mut self, topo: &Topology) {
        if self.events.is_none() || self.tot_imm != 0 || self.own_rng.is_some() {
            return;
        }
        let ever = std::mem::take(&mut self.ever_list);
        for &v in &ever {
            self.reset_node(v as usize);
            for &(x, _) in topo.neighbours(v) {
                self.reset_node(x as usize);
            }
        }
        self.ever_list = ever;
        self.events = None;
        SPARE_WORM.with(|x| *x.borrow_mut() = Some(self));
    }

    /// Whether a recycled worm waits on this thread (for tests).
    #[doc(hidden)]
    pub fn spare_waiting() -> bool {
        SPARE_WORM.with(|x| x.borrow().is_some())
    }

    /// Node `vi` as at release with every host vulnerable.
    fn reset_node(&mut self, vi: usize) {
        let n = self.n[vi];
        self.s[vi] = n;
        self.i[vi] = 0;
        self.r[vi] = 0;
        self.ever[vi] = false;
        self.hot[vi] = Hot {
            s: n,
            n_ext: n,
            ..Hot::default()
        };
        if let Some(x) = self.next.get_mut(vi) {
            *x = f64::INFINITY;
        }
    }

    /// Infects the initial nodes of a worm just released and starts its
    /// sampler.
    #[allow(clippy::too_many_arguments)]
    fn seed(
        &mut self,
        topo: &Topology,
        net: &mut Net,
        p: &WormInject,
        rng: &mut ChaCha8Rng,
        now: f64,
        rec: &mut RunRecord,
        event_driven: bool,
        others: Others,
        flipped: &mut Vec<LinkId>,
    ) {
        let nn = topo.nodes.len();
        let w = self;
        for &v in &p.initial_nodes {
            let k = p.initial_hosts.min(w.s[v as usize]);
            for _ in 0..k {
                w.s[v as usize] -= 1;
                w.i[v as usize] += 1;
                w.tot_s -= 1;
                w.tot_i += 1;
                w.infections += 1;
            }
            w.sync(v as usize);
            if k > 0 && !w.ever[v as usize] {
                w.ever[v as usize] = true;
                w.ever_list.push(v);
                w.nodes_ever += 1;
                w.newly_infected.push(v);
                node_event(rec, now, EventKind::NodeInfected, v, "initial infection");
            }
        }
        // The nodes infected now: only initial ones (ascending, once each).
        let mut seeded: Vec<NodeId> = p
            .initial_nodes
            .iter()
            .copied()
            .filter(|&v| w.i[v as usize] > 0)
            .collect();
        seeded.sort_unstable();
        seeded.dedup();
        w.nodes_infected_now = seeded.len() as u32;
        w.peak = w.tot_i;
        // Pressure from neighbours over usable lines: only the neighbours of
        // infected nodes get any (each line is listed once at each end, so
        // this adds the same counts as a pass over every line).
        for &v in &seeded {
            let iv = w.i[v as usize];
            for &(x, l) in topo.neighbours(v) {
                if net.spread[l as usize] {
                    w.hot[x as usize].c += iv;
                }
            }
        }
        if event_driven {
            // Each initial node draws its recovery and its transmissions
            // now, in ascending order.
            let mut q = EventQueue::default();
            for &v in &seeded {
                for &(x, l) in topo.neighbours(v) {
                    if net.spread[l as usize] {
                        q.pairs += w.i[v as usize] as u64 * w.hot[x as usize].s as u64;
                    }
                }
            }
            for &v in &seeded {
                w.schedule(topo, net, rng, &mut q, v, now);
            }
            w.events = Some(q);
        } else {
            w.tree = SumTree::new(nn);
            // A node with no infected host, no pressure from its lines and no
            // internet scanning has rate 0 (β·0 + τ·0 + 0 = 0, γ·0 = 0), as its
            // leaf already is: only the infected nodes, their neighbours and
            // the internet gateways can have a rate. Setting those leaves on
            // the zero tree leaves exactly the tree a fill with every rate
            // would (each sum is `left + right` of the final children).
            let mut touched = std::mem::take(&mut w.touched);
            let candidates = seeded
                .iter()
                .flat_map(|&v| std::iter::once(v).chain(topo.neighbours(v).iter().map(|&(x, _)| x)))
                .chain(p.internet_entry.iter().copied());
            for v in candidates {
                let vi = v as usize;
                let h = w.hot[vi];
                if w.i[vi] == 0 && h.c == 0 && !h.has_ext() {
                    continue;
                }
                let (a, b) = w.rates(net, v);
                w.tree.stage(vi, a + b, &mut touched);
            }
            w.tree.commit(&mut touched);
            w.touched = touched;
        }
        for &v in &seeded {
            w.check_node(topo, net, v, now, rec, flipped, others);
        }
        w.apply_flips(topo, net, flipped);
    }

    /// The worm is the plain Markovian network SIR, for which the
    /// event-driven sampler is exact: at most one host per node (so spread
    /// inside a node never happens), no internet scanning, no traffic to
    /// saturate lines, every node up.
    /// Bookkeeping after a host of node `v` was infected at `t` (its counts
    /// already updated): the node's first infection and the peak.
    #[inline]
    fn note_infection(&mut self, v: NodeId, t: f64, rec: &mut RunRecord) {
        let vi = v as usize;
        if !self.ever[vi] {
            self.ever[vi] = true;
            self.ever_list.push(v);
            self.nodes_ever += 1;
            self.newly_infected.push(v);
            node_event(rec, t, EventKind::NodeInfected, v, "first host infected");
        }
        if self.tot_i > self.peak {
            self.peak = self.tot_i;
            self.peak_minute = t;
        }
    }

    fn is_plain_network_sir(p: &WormInject, hosts: &[u32], net: &Net) -> bool {
        hosts.iter().all(|&h| h <= 1)
            && (p.internet_entry.is_empty() || p.internet_scan_per_hour <= 0.0)
            && p.traffic_kbps_per_host <= 0.0
            && net.node_down.iter().all(|&d| d == 0)
    }

    /// Whether the event-driven sampler is in use (see the module
    /// documentation).
    pub fn event_driven(&self) -> bool {
        self.events.is_some()
    }

    /// Event-driven sampler: node `v` was infected at minute `t`; draws its
    /// recovery time and, for each susceptible neighbour over a line that
    /// carries the worm (in adjacency order), a transmission time, kept if
    /// before the recovery and before the neighbour's earliest one so far.
    fn schedule(
        &mut self,
        topo: &Topology,
        net: &Net,
        rng: &mut ChaCha8Rng,
        q: &mut EventQueue,
        v: NodeId,
        t: f64,
    ) {
        let recovery = t + exp(rng, self.gamma);
        q.heap.push(recovery, v << 1 | 1);
        for &(x, l) in topo.neighbours(v) {
            if self.hot[x as usize].s == 0 || !net.spread[l as usize] {
                continue;
            }
            let at = t + exp(rng, self.tau);
            let next = &mut self.next[x as usize];
            if at < recovery && at < *next {
                *next = at;
                q.heap.push(at, x << 1);
            }
        }
    }

    /// Hands the state to the direct method: the sum tree is built from
    /// every node's rates now and the pending events are dropped (their
    /// clocks are memoryless, so the chain goes on exactly). Called before
    /// anything changes rates from outside; a no-op under the direct method.
    pub fn leave_event_driven(&mut self, net: &Net) {
        if self.events.take().is_none() {
            return;
        }
        let mut tree = SumTree::new(self.n.len());
        tree.fill((0..self.n.len()).map(|v| {
            let (a, b) = self.rates(net, v as NodeId);
            a + b
        }));
        self.tree = tree;
    }

    /// (infection rate, recovery rate) at node `v`, per minute.
    #[inline]
    fn rates(&self, net: &Net, v: NodeId) -> (f64, f64) {
        let vi = v as usize;
        if !net.alive(v) {
            return (0.0, 0.0);
        }
        let h = self.hot[vi];
        let s = h.s;
        let i = h.a;
        let inf = if s == 0 {
            0.0
        } else {
            // Most nodes have no internet pressure: test that first and
            // skip the two lookups that could only turn it off.
            let ext = if h.has_ext() && net.connected(v) && !self.ext_blocked[vi] {
                self.ext[vi]
            } else {
                0.0
            };
            let pressure = self.beta * i as f64 + self.tau * h.c as f64 + ext;
            s as f64 / h.n() as f64 * pressure
        };
        (inf, self.gamma * i as f64)
    }

    #[inline]
    fn refresh_leaf(&mut self, net: &Net, v: NodeId) {
        let (a, b) = self.rates(net, v);
        self.tree.set(v as usize, a + b);
    }

    /// Total event rate now (per minute).
    pub fn total_rate(&self) -> f64 {
        match &self.events {
            Some(q) => self.tau * q.pairs as f64 + self.gamma * self.tot_i as f64,
            None => self.tree.total(),
        }
    }

    /// Lines whose usability flipped: move the far-end infected counts in or
    /// out of each end's pressure and refresh both ends' rates.
    pub fn apply_flips(&mut self, topo: &Topology, net: &Net, flipped: &[LinkId]) {
        if !flipped.is_empty() {
            self.leave_event_driven(net);
        }
        for &l in flipped {
            let link = &topo.links[l as usize];
            let (a, b) = (link.a as usize, link.b as usize);
            let (act_a, act_b) = (self.active(a), self.active(b));
            if net.spread[l as usize] {
                self.hot[a].c += act_b;
                self.hot[b].c += act_a;
            } else {
                self.hot[a].c -= act_b;
                self.hot[b].c -= act_a;
            }
            self.refresh_leaf(net, link.a);
            self.refresh_leaf(net, link.b);
        }
    }

    /// A node changed state (up/down, isolated, internet blocked).
    pub fn node_changed(&mut self, net: &Net, v: NodeId) {
        self.leave_event_driven(net);
        self.refresh_leaf(net, v);
    }

    /// Changes the infected count of `v` by `delta` (±1) and updates the
    /// pressure on its neighbours.
    ///
    /// The leaves of `v` and its neighbours are staged and their paths to
    /// the root recomputed once ([`SumTree::commit`]): the same tree, bit
    /// for bit, as refreshing each leaf in turn.
    #[inline]
    fn shift_infected(&mut self, topo: &Topology, net: &Net, v: NodeId, up: bool) {
        let mut touched = std::mem::take(&mut self.touched);
        let neighbours = topo.neighbours(v);
        let start = topo.adj_start[v as usize] as usize;
        prefetch(&topo.adj_capacity, start);
        prefetch(
            &topo.adj_capacity,
            start + neighbours.len().saturating_sub(1),
        );
        // What each neighbour's rate reads and writes lies across the node
        // tables (a node's lines lead to nodes far apart in them): ask for
        // every line first so the misses overlap instead of queueing one
        // neighbour after the other (hints only; no effect on the result).
        for &(w, _) in neighbours {
            let wi = w as usize;
            prefetch(&self.hot, wi);
            prefetch(&net.node_down, wi);
            self.tree.prefetch_leaf(wi);
        }
        for &(w, l) in neighbours {
            if net.spread[l as usize] {
                let wi = w as usize;
                if up {
                    self.hot[wi].c += 1;
                } else {
                    self.hot[wi].c -= 1;
                }
                if self.hot[wi].s > 0 {
                    let (a, b) = self.rates(net, w);
                    self.tree.stage(wi, a + b, &mut touched);
                }
            }
        }
        let (a, b) = self.rates(net, v);
        self.tree.stage(v as usize, a + b, &mut touched);
        self.tree.commit(&mut touched);
        self.touched = touched;
    }

    /// Saturation and overload checks after `i_v` changed.
    #[allow(clippy::too_many_arguments)]
    fn check_node(
        &mut self,
        topo: &Topology,
        net: &mut Net,
        v: NodeId,
        now: f64,
        rec: &mut RunRecord,
        flipped: &mut Vec<LinkId>,
        others: Others,
    ) {
        let vi = v as usize;
        // Several worms: their infected hosts and traffic add up.
        // (One worm, the common case, skips the sums: no cost on its hot path.)
        let alone = others.is_empty();
        let mut i = self.i[vi];
        if !alone {
            for o in others.iter() {
                i += o.i[vi];
            }
        }
        // `n` from the node's [`Hot`] entry, just read by the sampler (the
        // `n` array is the same value in another cache line).
        let n = self.hot[vi].n();
        let over = n > 0 && i as f64 >= OVERLOAD_SHARE * n as f64;
        if over != net.node_overloaded[vi] {
            net.node_overloaded[vi] = over;
            net.mark_services(v);
        }
        if self.traffic <= 0.0 && (alone || others.iter().all(|o| o.traffic <= 0.0)) {
            return;
        }
        for (w, l, capacity_kbps) in topo.neighbours_with_capacity(v) {
            let mut load = self.traffic * (self.active(vi) + self.active(w as usize)) as f64;
            if !alone {
                for o in others.iter() {
                    load += o.traffic * (o.active(vi) + o.active(w as usize)) as f64;
                }
            }
            let sat = load > capacity_kbps;
            if sat != net.link_saturated[l as usize] {
                let link = &topo.links[l as usize];
                net.set_saturated(topo, l, sat, now, flipped);
                let (kind, what) = if sat {
                    (EventKind::LinkSaturated, "saturated by worm traffic")
                } else {
                    (EventKind::LinkDesaturated, "worm traffic below capacity")
                };
                rec.event(
                    now,
                    kind,
                    Some(link.a),
                    Some(l),
                    format!(
                        "{}–{} {}: {:.0} of {:.0} kbit/s",
                        topo.nodes[link.a as usize].id,
                        topo.nodes[link.b as usize].id,
                        what,
                        load,
                        link.capacity_kbps
                    ),
                );
            }
        }
    }

    /// Samples the worm from minute `t0` until `t1`. Returns the minute
    /// reached: `t1`, or earlier when a primary line went down and the caller
    /// must schedule its failover before going on. `others`: the run's
    /// other worms (their hosts and traffic add to overload and saturation).
    #[allow(clippy::too_many_arguments)]
    pub fn advance(
        &mut self,
        topo: &Topology,
        net: &mut Net,
        rng: &mut ChaCha8Rng,
        rec: &mut RunRecord,
        t0: f64,
        t1: f64,
        others: Others,
    ) -> f64 {
        if self.events.is_some() {
            return self.advance_events(topo, net, rng, rec, t0, t1);
        }
        self.advance_direct(topo, net, rng, rec, t0, t1, others)
    }

    /// [`Worm::advance`] with the event-driven sampler: takes the pending
    /// events before `t1` in time order (a transmission to a node no longer
    /// susceptible is dropped).
    fn advance_events(
        &mut self,
        topo: &Topology,
        net: &mut Net,
        rng: &mut ChaCha8Rng,
        rec: &mut RunRecord,
        t0: f64,
        t1: f64,
    ) -> f64 {
        let Some(mut q) = self.events.take() else {
            return self.advance_direct(topo, net, rng, rec, t0, t1, Others::NONE);
        };
        let mut flipped = Vec::new();
        while let Some(next) = q.heap.peek() {
            if next >= t1 {
                break;
            }
            let Some((t, ev)) = q.heap.pop() else { break };
            let v: NodeId = ev >> 1;
            let vi = v as usize;
            if ev & 1 == 1 {
                self.i[vi] -= 1;
                self.r[vi] += 1;
                self.sync(vi);
                self.tot_i -= 1;
                self.tot_r += 1;
                self.nodes_infected_now -= 1;
                node_event(
                    rec,
                    t,
                    EventKind::NodeClean,
                    v,
                    "last infected host recovered",
                );
                for &(x, l) in topo.neighbours(v) {
                    if net.spread[l as usize] {
                        let h = &mut self.hot[x as usize];
                        h.c -= 1;
                        q.pairs -= h.s as u64;
                    }
                }
            } else {
                if self.hot[vi].s == 0 {
                    continue;
                }
                q.pairs -= self.hot[vi].c as u64;
                self.s[vi] -= 1;
                self.i[vi] += 1;
                self.sync(vi);
                self.tot_s -= 1;
                self.tot_i += 1;
                self.infections += 1;
                self.nodes_infected_now += 1;
                self.note_infection(v, t, rec);
                // The pressure on the neighbours and the draws of
                // `schedule` in one pass over them (the same draws in the
                // same order: the recovery first, then each susceptible
                // neighbour in adjacency order).
                let recovery = t + exp(rng, self.gamma);
                q.heap.push(recovery, v << 1 | 1);
                for &(x, l) in topo.neighbours(v) {
                    if !net.spread[l as usize] {
                        continue;
                    }
                    let h = &mut self.hot[x as usize];
                    h.c += 1;
                    q.pairs += h.s as u64;
                    if h.s == 0 {
                        continue;
                    }
                    let at = t + exp(rng, self.tau);
                    let next = &mut self.next[x as usize];
                    if at < recovery && at < *next {
                        *next = at;
                        q.heap.push(at, x << 1);
                    }
                }
            }
            self.check_node(topo, net, v, t, rec, &mut flipped, Others::NONE);
            if !flipped.is_empty() || !net.pending_failover.is_empty() {
                // Not reached in the plain network SIR (no traffic, no
                // outages); handled exactly all the same.
                self.events = Some(q);
                self.apply_flips(topo, net, &flipped);
                return t;
            }
        }
        self.events = Some(q);
        t1
    }

    /// [`Worm::advance`] with the direct method over the sum tree.
    #[allow(clippy::too_many_arguments)]
    fn advance_direct(
        &mut self,
        topo: &Topology,
        net: &mut Net,
        rng: &mut ChaCha8Rng,
        rec: &mut RunRecord,
        t0: f64,
        t1: f64,
        others: Others,
    ) -> f64 {
        let mut t = t0;
        let mut flipped = Vec::new();
        loop {
            let dt = self.draw_wait(rng);
            if t + dt >= t1 {
                return t1;
            }
            t += dt;
            if !self.fire(topo, net, rng, rec, t, others, &mut flipped) {
                continue;
            }
            if !flipped.is_empty() {
                self.apply_flips(topo, net, &flipped);
                flipped.clear();
            }
            if !net.pending_failover.is_empty() {
                return t;
            }
        }
    }

    /// Direct method: the wait until the next event (∞ at rate 0; one
    /// uniform drawn otherwise).
    #[inline]
    fn draw_wait(&mut self, rng: &mut ChaCha8Rng) -> f64 {
        let total = self.tree.total();
        if total <= 0.0 {
            return f64::INFINITY;
        }
        let u: f64 = rng.random();
        -(1.0 - u).ln() / total
    }

    /// Direct method: the event at minute `t` (one uniform picks it).
    /// Lines it flips are added to `flipped` (applied by the caller).
    /// Returns `false` when rounding picked an empty leaf (nothing happened).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn fire(
        &mut self,
        topo: &Topology,
        net: &mut Net,
        rng: &mut ChaCha8Rng,
        rec: &mut RunRecord,
        t: f64,
        others: Others,
        flipped: &mut Vec<LinkId>,
    ) -> bool {
        let total = self.tree.total();
        let (v, x) = self.tree.find(rng.random::<f64>() * total);
        let vi = v;
        // Everything this event reads at the node, in tables far apart: ask
        // for all of it at once so the misses overlap (hints only).
        prefetch(&net.node_down, vi);
        prefetch(&self.hot, vi);
        prefetch(&self.s, vi);
        prefetch(&self.i, vi);
        prefetch(&self.q, vi);
        prefetch(&self.contained, vi);
        prefetch(&self.ever, vi);
        prefetch(&topo.adj_start, vi);
        prefetch(&net.node_overloaded, vi);
        let (inf, _) = self.rates(net, v as NodeId);
        let v = v as NodeId;
        if x < inf && self.s[vi] > 0 {
            self.s[vi] -= 1;
            self.i[vi] += 1;
            let isolated = self.contained[vi];
            if isolated {
                self.q[vi] += 1;
            }
            self.sync(vi);
            self.tot_s -= 1;
            self.tot_i += 1;
            self.infections += 1;
            if self.i[vi] == 1 {
                self.nodes_infected_now += 1;
            }
            self.note_infection(v, t, rec);
            if isolated {
                self.refresh_leaf(net, v);
            } else {
                self.shift_infected(topo, net, v, true);
            }
        } else if self.i[vi] > self.q[vi] {
            self.i[vi] -= 1;
            self.sync(vi);
            self.r[vi] += 1;
            self.tot_i -= 1;
            self.tot_r += 1;
            if self.i[vi] == 0 {
                self.nodes_infected_now -= 1;
                node_event(
                    rec,
                    t,
                    EventKind::NodeClean,
                    v,
                    "last infected host recovered",
                );
            }
            self.shift_infected(topo, net, v, false);
        } else {
            // Rounding picked an empty leaf: refresh it and go on.
            self.refresh_leaf(net, v);
            return false;
        }
        self.check_node(topo, net, v, t, rec, flipped, others);
        true
    }

    /// Infected hosts of node `vi` still on the network (not isolated).
    #[inline]
    pub fn active(&self, vi: usize) -> u32 {
        self.hot[vi].a
    }

    /// Copies `s` and `i − q` of node `vi` into its [`Hot`] record; called
    /// after every change of `s`, `i` or `q`, before any rate is read.
    #[inline]
    fn sync(&mut self, vi: usize) {
        self.hot[vi].s = self.s[vi];
        self.hot[vi].a = self.i[vi] - self.q[vi];
    }

    /// Isolates the infected hosts of `v` and keeps the site under
    /// containment (new infections there are isolated as they appear).
    /// Returns the hosts isolated now. The site's router is untouched.
    #[allow(clippy::too_many_arguments)]
    pub fn isolate(
        &mut self,
        topo: &Topology,
        net: &mut Net,
        v: NodeId,
        now: f64,
        rec: &mut RunRecord,
        flipped: &mut Vec<LinkId>,
        others: Others,
    ) -> u32 {
        self.leave_event_driven(net);
        let vi = v as usize;
        self.contained[vi] = true;
        let k = self.active(vi);
        for _ in 0..k {
            self.q[vi] += 1;
            self.sync(vi);
            self.shift_infected(topo, net, v, false);
        }
        self.check_node(topo, net, v, now, rec, flipped, others);
        k
    }

    /// Ends containment at `v` (the site is reconnected): any host still
    /// isolated goes back on the network.
    #[allow(clippy::too_many_arguments)]
    pub fn end_containment(
        &mut self,
        topo: &Topology,
        net: &mut Net,
        v: NodeId,
        now: f64,
        rec: &mut RunRecord,
        flipped: &mut Vec<LinkId>,
        others: Others,
    ) -> bool {
        let vi = v as usize;
        if !self.contained[vi] {
            return false;
        }
        self.leave_event_driven(net);
        self.contained[vi] = false;
        while self.q[vi] > 0 {
            self.q[vi] -= 1;
            self.sync(vi);
            self.shift_infected(topo, net, v, true);
        }
        self.check_node(topo, net, v, now, rec, flipped, others);
        true
    }

    /// Moves up to `k` infected hosts of `v` to cleaned (responders' work),
    /// isolated ones first.
    pub fn clean(&mut self, topo: &Topology, net: &mut Net, v: NodeId, k: u32) -> u32 {
        self.leave_event_driven(net);
        let vi = v as usize;
        let k = k.min(self.i[vi]);
        for _ in 0..k {
            self.i[vi] -= 1;
            self.r[vi] += 1;
            if self.q[vi] > 0 {
                self.q[vi] -= 1;
                self.sync(vi);
                self.refresh_leaf(net, v);
            } else {
                self.sync(vi);
                self.shift_infected(topo, net, v, false);
            }
        }
        self.tot_i -= k as u64;
        self.tot_r += k as u64;
        if k > 0 && self.i[vi] == 0 {
            self.nodes_infected_now -= 1;
        }
        k
    }

    /// Moves up to `k` susceptible hosts of `v` to patched/immune.
    pub fn patch(&mut self, net: &Net, v: NodeId, k: u32) -> u32 {
        self.leave_event_driven(net);
        let vi = v as usize;
        let k = k.min(self.s[vi]);
        self.s[vi] -= k;
        self.imm[vi] += k;
        self.sync(vi);
        self.tot_s -= k as u64;
        self.tot_imm += k as u64;
        self.refresh_leaf(net, v);
        k
    }
}

/// One worm's outcome in a run with several: `stage` is `extinct` or
/// `spreading`, `node` the node with most hosts ever infected (lowest id
/// on a tie).
pub fn outcome(w: &Worm) -> ThreatOutcome {
    let mut node = 0;
    let mut most = 0;
    for v in 0..w.n.len() {
        let e = w.i[v] + w.r[v];
        if e > most {
            most = e;
            node = v as NodeId;
        }
    }
    ThreatOutcome {
        inject: w.inject,
        threat: "worm".into(),
        stage: if w.tot_i == 0 { "extinct" } else { "spreading" }.into(),
        node,
        worm: Some(WormFigures {
            name: w.name.clone(),
            hosts_infected: w.infections,
            nodes_infected: w.nodes_ever,
            peak_infected: w.peak,
            peak_minute: w.peak_minute,
            infected_at_end: w.tot_i,
        }),
        ..ThreatOutcome::default()
    }
}

/// A per-node worm event (`node_infected`, `node_clean`), unless the record
/// is lean ([`RunRecord::lean`]).
#[inline]
fn node_event(rec: &mut RunRecord, t: f64, kind: EventKind, v: NodeId, detail: &'static str) {
    if !rec.lean {
        rec.event(t, kind, Some(v), None, detail);
    }
}

/// An exponential waiting time at `rate` per minute (∞ at rate 0).
#[inline]
fn exp(rng: &mut ChaCha8Rng, rate: f64) -> f64 {
    if rate > 0.0 {
        let e: f64 = Exp1.sample(rng);
        e / rate
    } else {
        f64::INFINITY
    }
}
