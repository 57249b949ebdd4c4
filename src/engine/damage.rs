//! The damage model: which threats damage or encrypt data, how much, and
//! when. Records lost come from the threat and the backup schedule, never
//! from the response; the response's `restore_data` step only brings the
//! damaged data back to the last backup (see `response::restore`).
//!
//! - **Worm**: with a destructive payload (scenario, `payload: Some((kind,
//!   share))`), each newly infected host loses its local data with
//!   probability `share` (deleted or encrypted). Without one (the default,
//!   as SQL Slammer, which lived in memory only) no data is damaged.
//! - **Power outage**: a site that loses power without an orderly shutdown —
//!   no backup power, or its backup power exhausted — damages the data of a
//!   share (`power_loss_share` of the teams file) of its hosts, each host
//!   independently [I]. A site whose UPS/generator holds loses nothing.
//! - **Disaster**: a destroyed site loses the data of every host back to
//!   the last backup (backup media are kept off-site [P, I]).
//! - **Virus** (`threats::virus`): each payload that fires deletes or
//!   encrypts one host's files at its exact minute; cleaning before it
//!   fires saves them.
//! - **Line cut, node (router) failure**: no data damage.
//!
//! Backups are taken at fixed times every `backup_interval` of the site's
//! tier (teams file), counted from midnight of Monday 2001-01-01, so daily
//! backups run at midnight and weekly ones at midnight between Sunday and
//! Monday [I]. Damage at minute `t` loses what was written since the last
//! backup before `t`: `hosts hit × hours since that backup ×
//! records_per_host_hour` records. Data-hours lost count each damaged site
//! once, with the age of its last backup at its first damage.
//!
//! Draws come from the run's own `damage` stream, so damage never shifts
//! the worm's, the outages' or the teams' draws.

use std::collections::BTreeMap;
use std::sync::Arc;

use bevy_ecs::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};

use super::record::{DataLoss, EventKind, RunRecord};
use super::response::Response;
use super::threats::Symptoms;
use super::threats::virus::Viruses;
use super::worm::WormRes;
use super::{Clock, ScenarioRes, TopoRes};
use crate::model::scenario::{InjectKind, Payload, PayloadKind, Scenario};
use crate::model::teams::Teams;
use crate::model::topology::{NodeId, Topology};

/// Why a site's data was damaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    Worm(PayloadKind),
    PowerLoss,
    Disaster,
    Virus(PayloadKind),
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Worm(PayloadKind::Destroy) => "worm_destroy",
            Cause::Worm(PayloadKind::Encrypt) => "worm_encrypt",
            Cause::PowerLoss => "power_loss",
            Cause::Disaster => "disaster",
            Cause::Virus(PayloadKind::Destroy) => "virus_destroy",
            Cause::Virus(PayloadKind::Encrypt) => "virus_encrypt",
        }
    }
}

/// The damage model's state: flat per-node counters and the losses so far.
#[derive(Resource)]
pub struct Damage {
    teams: Arc<Teams>,
    /// Minutes from the backup epoch (Monday 2001-01-01 00:00) to the
    /// scenario start.
    start_min: f64,
    rng: ChaCha8Rng,
    /// Per worm (release order) and node: hosts ever infected that the
    /// payload has already been drawn for.
    worm_seen: Vec<Vec<u32>>,
    /// Each worm's infection count when last looked at (nothing new ⇒ skip).
    worm_infections: Vec<u64>,
    nodes: usize,
    losses: Vec<DataLoss>,
    /// Unrounded records per loss (rounded into `DataLoss::records`).
    records: Vec<f64>,
    /// (node, inject) → index into `losses`.
    index: BTreeMap<(NodeId, usize), usize>,
}

/// Minutes from the backup epoch to `start` (0 if out of range).
fn minutes_from_epoch(start: jiff::civil::DateTime) -> f64 {
    let epoch = jiff::civil::date(2001, 1, 1).at(0, 0, 0, 0);
    start.duration_since(epoch).as_secs_f64() / 60.0
}

/// Hours since the last backup at `minutes_from_epoch`, with backups every
/// `interval_h` hours from the epoch (times before the epoch count back
/// the same way).
pub fn backup_age_hours(minutes_from_epoch: f64, interval_h: f64) -> f64 {
    if interval_h <= 0.0 {
        return 0.0;
    }
    (minutes_from_epoch / 60.0).rem_euclid(interval_h)
}

impl Damage {
    pub fn new(teams: Arc<Teams>, scenario: &Scenario, nodes: usize, rng: ChaCha8Rng) -> Damage {
        Damage {
            teams,
            start_min: minutes_from_epoch(scenario.start),
            rng,
            worm_seen: Vec::new(),
            worm_infections: Vec::new(),
            nodes,
            losses: Vec::new(),
            records: Vec::new(),
            index: BTreeMap::new(),
        }
    }

    /// Age of site `v`'s last backup at run minute `t`, hours.
    pub fn backup_age(&self, topo: &Topology, v: NodeId, t: f64) -> f64 {
        let node = &topo.nodes[v as usize];
        let interval = self
            .teams
            .readiness(node.tier, node.province)
            .backup_interval_hours;
        backup_age_hours(self.start_min + t, interval)
    }

    /// `hosts` hosts of `v` lose their data at minute `t`. Returns whether
    /// this is the site's first damage from this inject.
    #[allow(clippy::too_many_arguments)]
    fn hit(
        &mut self,
        topo: &Topology,
        v: NodeId,
        inject: usize,
        cause: Cause,
        hosts: u32,
        t: f64,
        rec: &mut RunRecord,
    ) -> bool {
        if hosts == 0 {
            return false;
        }
        let age = self.backup_age(topo, v, t);
        let records = hosts as f64 * age * self.teams.data.records_per_host_hour;
        if let Some(&k) = self.index.get(&(v, inject)) {
            self.losses[k].hosts += hosts;
            self.records[k] += records;
            self.losses[k].records = self.records[k].round() as u64;
            return false;
        }
        self.index.insert((v, inject), self.losses.len());
        self.records.push(records);
        self.losses.push(DataLoss {
            node: v,
            inject,
            cause: cause.as_str().to_string(),
            minute: t,
            backup_age_hours: age,
            hosts,
            records: records.round() as u64,
            restored: None,
        });
        let loss = self.losses.last().expect("just pushed");
        rec.event(
            t,
            EventKind::DataDamaged,
            Some(v),
            None,
            format!(
                "{}: data of {hosts} of {} host(s) lost back to the last backup ({age:.1} h old): ~{} record(s)",
                loss.cause_text(),
                topo.nodes[v as usize].hosts,
                loss.records
            ),
        );
        true
    }

    /// The losses so far (one per site and inject, in order of first damage).
    pub fn losses(&self) -> &[DataLoss] {
        &self.losses
    }
}

/// Threat phase, after the threats have advanced: the damage this tick's
/// symptoms (a site down by power or disaster) and new infections caused.
/// Sites damaged for the first time are told to the response (its
/// `restore_data` steps exist only where there is damage).
#[allow(clippy::too_many_arguments)]
pub fn assess_damage(
    clock: Res<Clock>,
    topo: Res<TopoRes>,
    scenario: Res<ScenarioRes>,
    symptoms: Res<Symptoms>,
    worm: Res<WormRes>,
    mut viruses: ResMut<Viruses>,
    damage: Option<ResMut<Damage>>,
    mut response: Option<ResMut<Response>>,
    mut rec: ResMut<RunRecord>,
) {
    let Some(mut damage) = damage else {
        viruses.hits.clear();
        return;
    };
    let topo = &*topo.0;
    let now = clock.now + clock.dt;
    let mut first: Vec<(NodeId, usize, f64)> = Vec::new();
    // Virus payloads fired this tick, at their exact minutes.
    for h in std::mem::take(&mut viruses.hits) {
        let cause = Cause::Virus(h.kind);
        if damage.hit(topo, h.site, h.inject, cause, h.hosts, h.minute, &mut rec) {
            first.push((h.site, h.inject, h.minute));
        }
    }
    // Power and disaster: a symptom is a site that just went down.
    for s in &symptoms.0 {
        let inject = &scenario.0.injects[s.inject];
        let node = &topo.nodes[s.node as usize];
        let (cause, hosts, t) = match &inject.kind {
            InjectKind::PowerOutage { backup_power, .. } => {
                let hold = if *backup_power {
                    node.backup_power_hours * 60.0
                } else {
                    0.0
                };
                let share = damage.teams.data.power_loss_share;
                let hit = draw(&mut damage.rng, node.hosts, share);
                (Cause::PowerLoss, hit, inject.at_min + hold)
            }
            InjectKind::Disaster { .. } => (Cause::Disaster, node.hosts, inject.at_min),
            _ => continue,
        };
        if damage.hit(topo, s.node, s.inject, cause, hosts, t, &mut rec) {
            first.push((s.node, s.inject, t));
        }
    }
    // Worm payload: a share of the hosts infected since the last look
    // (each worm in release order).
    for (k, w) in worm.iter().enumerate() {
        if damage.worm_infections.len() <= k {
            damage.worm_infections.push(0);
            let nodes = damage.nodes;
            damage.worm_seen.push(vec![0; nodes]);
        }
        if w.infections == damage.worm_infections[k] {
            continue;
        }
        let InjectKind::Worm(p) = &scenario.0.injects[w.inject].kind else {
            continue;
        };
        let Some(Payload { kind, share }) = p.payload else {
            continue;
        };
        damage.worm_infections[k] = w.infections;
        for v in 0..topo.nodes.len() {
            let ever = w.i[v] + w.r[v];
            let new = ever.saturating_sub(damage.worm_seen[k][v]);
            if new == 0 {
                continue;
            }
            damage.worm_seen[k][v] = ever;
            let hit = draw(&mut damage.rng, new, share);
            let v = v as NodeId;
            if damage.hit(topo, v, w.inject, Cause::Worm(kind), hit, now, &mut rec) {
                first.push((v, w.inject, now));
            }
        }
    }
    if let Some(resp) = response.as_deref_mut() {
        for (v, inject, t) in first {
            resp.data_damaged(v, inject, t.max(clock.now), topo);
        }
    }
}

/// Whether [`assess_damage`] has nothing to do while no symptom appears and
/// the worm does not change: no new worm infections since it last looked,
/// or a worm without payload (used to fast-forward a settled run).
pub fn idle(damage: &Damage, worms: &WormRes, scenario: &Scenario) -> bool {
    worms.iter().enumerate().all(|(k, w)| {
        damage.worm_infections.get(k).copied().unwrap_or(0) == w.infections
            || !matches!(&scenario.injects[w.inject].kind,
                InjectKind::Worm(p) if p.payload.is_some())
    })
}

/// Hosts hit among `n`, each with probability `p`.
fn draw(rng: &mut ChaCha8Rng, n: u32, p: f64) -> u32 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    Binomial::new(n as u64, p)
        .map(|b| b.sample(rng) as u32)
        .unwrap_or(0)
}

/// The losses as the record keeps them: sorted by minute then node, with the
/// minute each site's data was restored (from the response, if any).
pub fn finish(damage: &Damage, restored_at: impl Fn(NodeId) -> Option<f64>) -> Vec<DataLoss> {
    let mut out = damage.losses.clone();
    for l in &mut out {
        l.restored = restored_at(l.node).filter(|&r| r >= l.minute);
    }
    out.sort_by(|a, b| {
        a.minute
            .total_cmp(&b.minute)
            .then(a.node.cmp(&b.node))
            .then(a.inject.cmp(&b.inject))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_run_at_fixed_times_from_midnight() {
        // 2002-11-13 (a Wednesday) 18:00: daily backup at midnight → 18 h old.
        let t = minutes_from_epoch("2002-11-13T18:00:00".parse().unwrap());
        assert_eq!(backup_age_hours(t, 24.0), 18.0);
        // Weekly backups at midnight between Sunday and Monday: Wednesday
        // 18:00 is 2 days 18 h after Monday 00:00.
        assert_eq!(backup_age_hours(t, 168.0), 66.0);
        // Twice a day: 18:00 is 6 h after the noon backup.
        assert_eq!(backup_age_hours(t, 12.0), 6.0);
        assert_eq!(backup_age_hours(t, 0.0), 0.0);
    }
}
