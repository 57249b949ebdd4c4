//! Timed state changes, applied at their exact minute inside a tick.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use bevy_ecs::prelude::Resource;

use crate::model::topology::{LinkId, NodeId};

/// Why a node is down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DownCause {
    Failure,
    Power,
    Disaster,
}

impl DownCause {
    /// Index into [`super::Net::down_by`].
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn as_str(self) -> &'static str {
        match self {
            DownCause::Failure => "equipment failure",
            DownCause::Power => "power outage",
            DownCause::Disaster => "disaster",
        }
    }
}

/// A state change due at a given minute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Action {
    /// Scenario inject number `k` takes effect.
    Inject(usize),
    /// A node goes down; the last field is the scenario inject that caused it.
    NodeDown(NodeId, DownCause, usize),
    NodeUp(NodeId, DownCause),
    /// A site lost mains power but runs on its backup supply.
    BackupPower(NodeId),
    /// A line is cut; the last field is the scenario inject that caused it.
    LinkCut(LinkId, usize),
    LinkRepair(LinkId),
    /// A response task finishes (its effects apply now).
    TaskDone(usize),
    /// The failover delay of primary line `l` has passed.
    FailoverCheck(LinkId),
    /// A unit patches its vulnerable computers under a patch order (task).
    PatchUnit(NodeId, usize),
    /// Logged action `k` of the external decision maker takes effect (see
    /// `response::external`).
    Logged(usize),
    /// The stage in progress of intrusion chain `c` ends.
    Intrusion(usize),
    /// Defacement `c` is first noticed (by whom: its state says).
    Defacement(usize),
    /// Denial-of-service attack `c`: noticed (`false`) or the attacker
    /// stops by itself (`true`).
    Dos(usize, bool),
    /// Data leak `c`: discovered (`false`) or the exfiltration ends by
    /// itself (`true`).
    Leak(usize, bool),
    /// Something of virus `c` may be due (an infection or a payload; its
    /// state says which, a stale one does nothing).
    Virus(usize),
    /// An audit finds insider case `c`.
    Insider(usize),
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    minute: f64,
    seq: u64,
    action: Action,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Reversed: the heap pops the earliest minute, then the earliest added.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .minute
            .total_cmp(&self.minute)
            .then(other.seq.cmp(&self.seq))
    }
}

/// The agenda of timed actions, ordered by minute then insertion.
#[derive(Debug, Default, Resource)]
pub struct Agenda {
    heap: BinaryHeap<Entry>,
    seq: u64,
}

impl Agenda {
    pub fn push(&mut self, minute: f64, action: Action) {
        self.seq += 1;
        self.heap.push(Entry {
            minute,
            seq: self.seq,
            action,
        });
    }
    /// Nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    pub fn next_minute(&self) -> Option<f64> {
        self.heap.peek().map(|e| e.minute)
    }
    /// Pops the next action if it is due at or before `now`.
    pub fn pop_due(&mut self, now: f64) -> Option<(f64, Action)> {
        if self.heap.peek()?.minute <= now {
            self.heap.pop().map(|e| (e.minute, e.action))
        } else {
            None
        }
    }
}
