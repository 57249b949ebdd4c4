//! Teams and readiness (validated model): staff, duty roster, skill,
//! monitoring coverage, backups, spares and how often people deviate from
//! the plan. Default in `assets/teams.ron`, overridable per tier and per
//! province; loaded by [`super::teams_file`].

use super::plan::BodyRole;
use super::topology::Tier;

/// Readiness of the units of one tier (possibly overridden for a province).
#[derive(Clone, Debug, PartialEq)]
pub struct Readiness {
    /// Staff per body role at one unit of this tier. Roles not listed have none.
    pub staff: Vec<(BodyRole, u32)>,
    /// Duration multiplier for procedure steps (1 = nominal; 1.5 = 50 % slower).
    pub skill: f64,
    /// Detection rate per hour of a fully visible symptom with monitoring
    /// staff on duty (coverage of the tier's detection tools).
    pub detection_per_hour: f64,
    /// Minutes for an activated body to assemble.
    pub assembly_min: f64,
    /// Minutes for a report hop (phone) at median; written reports take longer.
    pub report_min: f64,
    /// Hours between data backups, taken at fixed times from midnight (see
    /// `engine::damage`): data written since the last one is lost when a
    /// site's data is damaged.
    pub backup_interval_hours: f64,
    /// Spare equipment on site: repairs take `repair_hours` instead of the
    /// supplier's `supplier_repair_hours`.
    pub spare_equipment: bool,
    pub repair_hours: f64,
    pub supplier_repair_hours: f64,
    /// Minutes for an HQ-wide patch order (and the patch) to reach a unit of
    /// this tier.
    pub patch_distribution_min: f64,
    /// Person-minutes to patch one computer at a unit of this tier.
    pub patch_per_host_min: f64,
}

impl Readiness {
    pub fn staff_of(&self, role: BodyRole) -> u32 {
        self.staff
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    }
}

/// A run of public-holiday days off (inclusive), as the State Council's
/// holiday notice sets it (statutory days plus the rest days moved next to
/// them).
#[derive(Clone, Debug, PartialEq)]
pub struct Holiday {
    pub name: String,
    pub from: jiff::civil::Date,
    pub to: jiff::civil::Date,
    /// The notice it comes from.
    pub clause: String,
}

/// The duty calendar: office hours on working days, public holidays, the
/// make-up working days (调休) and heightened-duty periods. Evaluated by
/// `engine::response::duty`.
#[derive(Clone, Debug, PartialEq)]
pub struct Roster {
    /// Office hours on working days, minutes after midnight (e.g. 510 = 08:30).
    pub office_start_min: f64,
    pub office_end_min: f64,
    /// Off hours (nights, weekends, holidays): detection rate multiplier (skeleton duty).
    pub off_hours_detection: f64,
    /// Off hours: minutes to call a unit's staff in before its first task starts.
    pub callout_min: f64,
    /// Taxpayers or the press report an unavailable internet-facing service
    /// at this rate (per hour), whoever is on duty.
    pub external_detection_per_hour: f64,
    /// Heightened-duty periods (24-hour duty), as civil date-times.
    pub heightened: Vec<(jiff::civil::DateTime, jiff::civil::DateTime)>,
    /// Public holidays (days off even on a weekday), sorted, not overlapping.
    pub holidays: Vec<Holiday>,
    /// Make-up working days (调休): Saturdays or Sundays worked as weekdays.
    pub workdays: Vec<jiff::civil::Date>,
    /// Staff on duty around the clock whatever the calendar says (perfect
    /// readiness).
    pub always_on_duty: bool,
}

/// Probabilities of not following the plan, per action.
#[derive(Clone, Debug, PartialEq)]
pub struct Deviations {
    /// A report or step is late: its time is multiplied by `late_factor`.
    pub p_late: f64,
    pub late_factor: f64,
    /// A report hop is skipped (the next unit up never hears from this one).
    pub p_skip_report: f64,
    /// A step is skipped (steps that bring a site back — reconnect, repair,
    /// rebuild, fail over — are never skipped, only late).
    pub p_skip_step: f64,
    /// A step starts before the steps it should follow.
    pub p_out_of_order: f64,
    /// A grader picks a level one step less severe than the facts call for.
    pub p_wrong_level: f64,
    /// Share of a deadline's slack a team uses before it starts (people pace
    /// themselves to the deadline they are given): the start is delayed by
    /// U(0,1) × slack_use × (deadline − now − expected duration).
    pub slack_use: f64,
}

impl Deviations {
    pub fn none() -> Deviations {
        Deviations {
            p_late: 0.0,
            late_factor: 1.0,
            p_skip_report: 0.0,
            p_skip_step: 0.0,
            p_out_of_order: 0.0,
            p_wrong_level: 0.0,
            slack_use: 0.0,
        }
    }
}

/// How data gets damaged and what a lost hour of data is worth
/// (see `engine::damage`).
#[derive(Clone, Debug, PartialEq)]
pub struct DataDamage {
    /// Tax records (declarations, invoices, payment entries) written per
    /// host-hour: data lost = hosts hit × hours since the last backup × this.
    pub records_per_host_hour: f64,
    /// Share of a site's hosts whose local data is damaged when the site
    /// loses power without an orderly shutdown (no backup power, or backup
    /// power exhausted), 0–1.
    pub power_loss_share: f64,
}

impl Default for DataDamage {
    fn default() -> Self {
        DataDamage {
            records_per_host_hour: 0.5,
            power_loss_share: 0.02,
        }
    }
}

/// Teams and readiness for the whole network.
#[derive(Clone, Debug, PartialEq)]
pub struct Teams {
    /// Per tier (indexed by `Tier as usize`; External unused).
    pub tiers: Vec<Readiness>,
    /// Province overrides: (province index, tier, readiness).
    pub overrides: Vec<(u16, Tier, Readiness)>,
    pub roster: Roster,
    pub deviations: Deviations,
    /// How data gets damaged (a property of the sites' equipment and
    /// backups rather than of the people; kept here beside the backup
    /// intervals).
    pub data: DataDamage,
}

impl Teams {
    /// Readiness of a unit of `tier` in `province`.
    pub fn readiness(&self, tier: Tier, province: Option<u16>) -> &Readiness {
        if let Some(p) = province
            && let Some((_, _, r)) = self
                .overrides
                .iter()
                .find(|(q, t, _)| *q == p && *t == tier)
        {
            return r;
        }
        &self.tiers[tier as usize]
    }

    /// Perfect readiness: no deviations, always on duty, every unit at its
    /// tier's standard (no province overrides), no duration spread (applied
    /// by the engine), staff as given.
    pub fn perfect(mut self) -> Teams {
        self.deviations = Deviations::none();
        self.overrides.clear();
        self.roster.off_hours_detection = 1.0;
        self.roster.callout_min = 0.0;
        self.roster.office_start_min = 0.0;
        self.roster.office_end_min = 24.0 * 60.0;
        self.roster.always_on_duty = true;
        self
    }
}
