//! The teams / readiness file format (RON) and its loader.
//!
//! Default: `assets/teams.ron` (embedded, [`default_teams`]). Two stages as
//! for every input: serde into the `*File` structs (`deny_unknown_fields`),
//! then validation into [`Teams`], collecting every problem with
//! file:line:col.
//!
//! # Format
//!
//! ```ron
//! Teams(
//!     tiers: [   // each of hq, provincial, prefecture, county, grassroots exactly once
//!         (tier: "county",
//!          staff: [("emergency_office", 1), ("information_centre", 2)],  // role → people
//!          skill: 1.3,                 // duration multiplier, > 0 (1 = nominal)
//!          detection_per_hour: 0.3,    // ≥ 0
//!          assembly: "45m", report: "15m",            // durations > 0
//!          backup_interval: "24h",
//!          spare_equipment: false, repair: "8h", supplier_repair: "48h"),
//!     ],
//!     overrides: [   // optional; every field but province and tier optional
//!         (province: "xz", tier: "county", staff: Some([("information_centre", 1)]),
//!          skill: Some(1.6), supplier_repair: Some("96h"), clause: "..."),
//!     ],
//!     roster: (office_hours: ("08:30", "17:30"), off_hours_detection: 0.3, callout: "45m",
//!              heightened: [(from: "2002-11-08T00:00:00", to: "2003-03-19T00:00:00", clause: "...")],
//!              holidays: [(name: "国庆节 National Day", from: "2003-10-01", to: "2003-10-07",
//!                          clause: "...")],             // inclusive days off
//!              workdays: [(date: "2003-09-27", clause: "...")]),  // 调休: weekend days worked
//!     deviations: (p_late: 0.10, late_factor: 2.0, p_skip_report: 0.03, p_skip_step: 0.02,
//!                  p_out_of_order: 0.03, p_wrong_level: 0.10),
//!     data_damage: (records_per_host_hour: 0.5,   // optional, each field too; ≥ 0
//!                   power_loss_share: 0.02),      // 0–1
//! )
//! ```
//!
//! An override's `staff` list replaces the staff of the roles it names and
//! keeps the others. Province codes are those of the topology (by default
//! the 36 of `assets/topology.ron`). Probabilities lie in [0, 1],
//! `off_hours_detection` in [0, 1] (a share of the normal rate), staff per
//! role at most `model::limits::MAX_STAFF`, durations at most 366 days,
//! `late_factor` ≥ 1, office hours start before they end, heightened periods
//! start before they end and do not overlap, holidays are dates whose `to`
//! is not before `from` and do not overlap, and a make-up working day is a
//! Saturday or Sunday outside every holiday, listed once.

use std::path::Path;

use serde::Deserialize;

use super::diag::{Diagnostic, Diagnostics};
use super::plan::BodyRole;
use super::scenario_file::locate::{
    Seg::{self, F, I},
    SpanTree,
};
use super::scenario_file::parse_duration;
use super::teams::{DataDamage, Deviations, Holiday, Readiness, Roster, Teams};
use super::topology::{Province, Tier};
use super::topology_spec;

/// The embedded default.
pub const DEFAULT_TEAMS: &str = include_str!("../../assets/teams.ron");
pub const DEFAULT_TEAMS_PATH: &str = "assets/teams.ron";

// ---------------------------------------------------------------------------
// Raw file structs
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Teams")]
pub struct TeamsFile {
    pub tiers: Vec<TierFile>,
    #[serde(default)]
    pub overrides: Vec<OverrideFile>,
    pub roster: RosterFile,
    pub deviations: DeviationsFile,
    /// How data gets damaged (optional; defaults in [`DataDamage::default`]).
    #[serde(default)]
    pub data_damage: DataDamageFile,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "DataDamage", default)]
pub struct DataDamageFile {
    pub records_per_host_hour: f64,
    pub power_loss_share: f64,
}

impl Default for DataDamageFile {
    fn default() -> Self {
        let d = DataDamage::default();
        DataDamageFile {
            records_per_host_hour: d.records_per_host_hour,
            power_loss_share: d.power_loss_share,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Tier")]
pub struct TierFile {
    pub tier: String,
    #[serde(default)]
    pub staff: Vec<(String, u32)>,
    pub skill: f64,
    pub detection_per_hour: f64,
    pub assembly: String,
    pub report: String,
    pub backup_interval: String,
    pub spare_equipment: bool,
    pub repair: String,
    pub supplier_repair: String,
    /// Time for an order to patch (and the patch itself, on disc or by
    /// download) to reach a unit of this tier from HQ.
    pub patch_distribution: String,
    /// Person-time to patch one computer at a unit of this tier.
    pub patch_per_host: String,
    #[serde(default)]
    pub clause: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Override")]
pub struct OverrideFile {
    pub province: String,
    pub tier: String,
    #[serde(default)]
    pub staff: Option<Vec<(String, u32)>>,
    #[serde(default)]
    pub skill: Option<f64>,
    #[serde(default)]
    pub detection_per_hour: Option<f64>,
    #[serde(default)]
    pub assembly: Option<String>,
    #[serde(default)]
    pub report: Option<String>,
    #[serde(default)]
    pub backup_interval: Option<String>,
    #[serde(default)]
    pub spare_equipment: Option<bool>,
    #[serde(default)]
    pub repair: Option<String>,
    #[serde(default)]
    pub supplier_repair: Option<String>,
    #[serde(default)]
    pub clause: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Roster")]
pub struct RosterFile {
    /// `("08:30", "17:30")`, weekdays.
    pub office_hours: (String, String),
    pub off_hours_detection: f64,
    pub callout: String,
    /// Rate (per hour) at which taxpayers or the press report an unavailable
    /// internet-facing service to the bureau running it (default 2).
    #[serde(default = "default_external_detection")]
    pub external_detection_per_hour: f64,
    #[serde(default)]
    pub heightened: Vec<PeriodFile>,
    /// Public holidays: runs of days off, inclusive dates.
    #[serde(default)]
    pub holidays: Vec<HolidayFile>,
    /// Make-up working days (调休): weekend dates worked as weekdays.
    #[serde(default)]
    pub workdays: Vec<WorkdayFile>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Holiday")]
pub struct HolidayFile {
    #[serde(default)]
    pub name: String,
    /// First day off, `"2003-10-01"`.
    pub from: String,
    /// Last day off (inclusive).
    pub to: String,
    #[serde(default)]
    pub clause: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Workday")]
pub struct WorkdayFile {
    /// A Saturday or Sunday worked as a weekday, `"2003-09-27"`.
    pub date: String,
    #[serde(default)]
    pub clause: String,
}

fn default_external_detection() -> f64 {
    2.0
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Period")]
pub struct PeriodFile {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub clause: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Deviations")]
pub struct DeviationsFile {
    pub p_late: f64,
    pub late_factor: f64,
    pub p_skip_report: f64,
    pub p_skip_step: f64,
    pub p_out_of_order: f64,
    pub p_wrong_level: f64,
    /// Share of a deadline's slack used before starting (0–1; default 0.5).
    #[serde(default = "default_slack_use")]
    pub slack_use: f64,
}

fn default_slack_use() -> f64 {
    0.5
}

// ---------------------------------------------------------------------------
// Loader
// ---------------------------------------------------------------------------

/// The default teams (`assets/teams.ron`, embedded).
pub fn default_teams() -> Teams {
    parse(DEFAULT_TEAMS, Path::new(DEFAULT_TEAMS_PATH))
        .expect("embedded assets/teams.ron is valid (checked by a unit test)")
}

/// Reads and validates a teams file against the default province list.
pub fn load(path: &Path) -> Result<Teams, Diagnostics> {
    let src = crate::model::diag::read_source(path, "teams file")?;
    parse(&src, path)
}

/// Parses teams text; province codes are those of the default topology spec.
pub fn parse(src: &str, path: &Path) -> Result<Teams, Diagnostics> {
    let codes: Vec<String> = topology_spec::parse_spec(
        topology_spec::DEFAULT_SPEC,
        Path::new("assets/topology.ron"),
    )
    .map(|s| s.provinces.into_iter().map(|p| p.code).collect())
    .unwrap_or_default();
    parse_with_provinces(src, path, &codes)
}

/// Parses teams text; province codes resolve against `provinces` (the
/// topology's list, in order: the index is the province id).
pub fn parse_for(src: &str, path: &Path, provinces: &[Province]) -> Result<Teams, Diagnostics> {
    let codes: Vec<String> = provinces.iter().map(|p| p.code.clone()).collect();
    parse_with_provinces(src, path, &codes)
}

fn parse_with_provinces(src: &str, path: &Path, codes: &[String]) -> Result<Teams, Diagnostics> {
    let raw: TeamsFile = crate::model::diag::parse_ron(src, path)?;
    let mut v = Validator {
        file: path,
        src,
        tree: SpanTree::parse(src),
        diags: Diagnostics::default(),
    };
    let teams = v.teams(&raw, codes);
    v.diags.into_result(teams)
}

struct Validator<'a> {
    file: &'a Path,
    src: &'a str,
    tree: SpanTree,
    diags: Diagnostics,
}

const TIERS: [Tier; 5] = [
    Tier::Hq,
    Tier::Provincial,
    Tier::Prefecture,
    Tier::County,
    Tier::Grassroots,
];

fn at<'s>(base: &[Seg<'s>], more: &[Seg<'s>]) -> Vec<Seg<'s>> {
    [base, more].concat()
}

fn zero_readiness() -> Readiness {
    Readiness {
        staff: Vec::new(),
        skill: 1.0,
        detection_per_hour: 0.0,
        assembly_min: 0.0,
        report_min: 0.0,
        backup_interval_hours: 24.0,
        spare_equipment: false,
        repair_hours: 0.0,
        supplier_repair_hours: 0.0,
        patch_distribution_min: 0.0,
        patch_per_host_min: 0.0,
    }
}

impl Validator<'_> {
    fn err(&mut self, path: &[Seg], msg: impl Into<String>) {
        let off = self.tree.locate(path);
        self.diags
            .push(Diagnostic::at_offset(self.file, self.src, off, msg));
    }

    fn number(&mut self, x: f64, path: &[Seg], what: &str, min: f64, strict: bool) -> f64 {
        let ok = x.is_finite() && if strict { x > min } else { x >= min };
        if !ok {
            let op = if strict { ">" } else { "≥" };
            self.err(
                path,
                format!("{what} must be a finite number {op} {min}, not {x}"),
            );
            return min.max(if strict { 1.0 } else { 0.0 });
        }
        x
    }

    fn probability(&mut self, x: f64, path: &[Seg], what: &str) -> f64 {
        if !(0.0..=1.0).contains(&x) {
            self.err(path, format!("{what} is a probability in [0, 1], not {x}"));
            return 0.0;
        }
        x
    }

    /// Minutes; > 0.
    fn duration(&mut self, s: &str, path: &[Seg], what: &str) -> f64 {
        match parse_duration(s) {
            Some(m) if m > 0.0 => m,
            Some(_) => {
                self.err(path, format!("{what} must be longer than zero"));
                1.0
            }
            None => {
                let msg = super::scenario_file::duration_refusal(what, s, || {
                    format!("{what} {s:?} is not a duration like \"30m\", \"2h\" or \"1h30m\"")
                });
                self.err(path, msg);
                1.0
            }
        }
    }

    fn tier(&mut self, s: &str, path: &[Seg]) -> Option<Tier> {
        let t = Tier::parse(s).filter(|t| t.is_wan());
        if t.is_none() {
            self.err(
                path,
                format!(
                    "unknown tier `{s}` (expected one of `hq`, `provincial`, `prefecture`, \
                     `county`, `grassroots`)"
                ),
            );
        }
        t
    }

    fn staff(&mut self, raw: &[(String, u32)], base: &[Seg]) -> Vec<(BodyRole, u32)> {
        let mut out: Vec<(BodyRole, u32)> = Vec::new();
        for (k, (role, n)) in raw.iter().enumerate() {
            let p = at(base, &[I(k), I(0)]);
            match BodyRole::parse(role) {
                Some(r) if out.iter().any(|(q, _)| *q == r) => {
                    self.err(&p, format!("role `{role}` is listed twice"))
                }
                Some(r) => {
                    if *n > super::limits::MAX_STAFF {
                        self.err(
                            &at(base, &[I(k), I(1)]),
                            format!(
                                "{n} staff is above the limit of {} people in one role at one unit",
                                super::limits::MAX_STAFF
                            ),
                        );
                    }
                    out.push((r, (*n).min(super::limits::MAX_STAFF)))
                }
                None => {
                    let names: Vec<&str> = BodyRole::ALL.iter().map(|r| r.as_str()).collect();
                    self.err(
                        &p,
                        format!(
                            "unknown role `{role}` (expected one of {})",
                            names.join(", ")
                        ),
                    )
                }
            }
        }
        out
    }

    fn teams(&mut self, raw: &TeamsFile, codes: &[String]) -> Teams {
        let mut tiers: Vec<Option<Readiness>> = vec![None; Tier::ALL.len()];
        for (i, t) in raw.tiers.iter().enumerate() {
            let base = [F("tiers"), I(i)];
            let tier = self.tier(&t.tier, &at(&base, &[F("tier")]));
            let r = Readiness {
                staff: self.staff(&t.staff, &at(&base, &[F("staff")])),
                skill: self.number(t.skill, &at(&base, &[F("skill")]), "skill", 0.0, true),
                detection_per_hour: self.number(
                    t.detection_per_hour,
                    &at(&base, &[F("detection_per_hour")]),
                    "detection_per_hour",
                    0.0,
                    false,
                ),
                assembly_min: self.duration(&t.assembly, &at(&base, &[F("assembly")]), "assembly"),
                report_min: self.duration(&t.report, &at(&base, &[F("report")]), "report"),
                backup_interval_hours: self.duration(
                    &t.backup_interval,
                    &at(&base, &[F("backup_interval")]),
                    "backup_interval",
                ) / 60.0,
                spare_equipment: t.spare_equipment,
                repair_hours: self.duration(&t.repair, &at(&base, &[F("repair")]), "repair") / 60.0,
                supplier_repair_hours: self.duration(
                    &t.supplier_repair,
                    &at(&base, &[F("supplier_repair")]),
                    "supplier_repair",
                ) / 60.0,
                patch_distribution_min: self.duration(
                    &t.patch_distribution,
                    &at(&base, &[F("patch_distribution")]),
                    "patch_distribution",
                ),
                patch_per_host_min: self.duration(
                    &t.patch_per_host,
                    &at(&base, &[F("patch_per_host")]),
                    "patch_per_host",
                ),
            };
            if let Some(tier) = tier {
                if tiers[tier as usize].is_some() {
                    self.err(
                        &at(&base, &[F("tier")]),
                        format!("tier `{}` is listed twice", t.tier),
                    );
                }
                tiers[tier as usize] = Some(r);
            }
        }
        for t in TIERS {
            if tiers[t as usize].is_none() {
                self.err(
                    &[F("tiers")],
                    format!(
                        "tier `{}` is missing: list each of hq, provincial, prefecture, county \
                         and grassroots once",
                        t.as_str()
                    ),
                );
            }
        }
        let tiers: Vec<Readiness> = tiers
            .into_iter()
            .map(|r| r.unwrap_or_else(zero_readiness))
            .collect();

        let mut overrides: Vec<(u16, Tier, Readiness)> = Vec::new();
        for (i, o) in raw.overrides.iter().enumerate() {
            let base = [F("overrides"), I(i)];
            let province = codes.iter().position(|c| *c == o.province);
            if province.is_none() {
                self.err(
                    &at(&base, &[F("province")]),
                    format!("unknown province code `{}`", o.province),
                );
            }
            let tier = self.tier(&o.tier, &at(&base, &[F("tier")]));
            let mut r = tier
                .map(|t| tiers[t as usize].clone())
                .unwrap_or_else(zero_readiness);
            if let Some(staff) = &o.staff {
                for (role, n) in self.staff(staff, &at(&base, &[F("staff"), I(0)])) {
                    match r.staff.iter_mut().find(|(q, _)| *q == role) {
                        Some(e) => e.1 = n,
                        None => r.staff.push((role, n)),
                    }
                }
            }
            let opt = |f: &'static str| at(&base, &[F(f), I(0)]);
            if let Some(x) = o.skill {
                r.skill = self.number(x, &opt("skill"), "skill", 0.0, true);
            }
            if let Some(x) = o.detection_per_hour {
                r.detection_per_hour = self.number(
                    x,
                    &opt("detection_per_hour"),
                    "detection_per_hour",
                    0.0,
                    false,
                );
            }
            if let Some(s) = &o.assembly {
                r.assembly_min = self.duration(s, &opt("assembly"), "assembly");
            }
            if let Some(s) = &o.report {
                r.report_min = self.duration(s, &opt("report"), "report");
            }
            if let Some(s) = &o.backup_interval {
                r.backup_interval_hours =
                    self.duration(s, &opt("backup_interval"), "backup_interval") / 60.0;
            }
            if let Some(b) = o.spare_equipment {
                r.spare_equipment = b;
            }
            if let Some(s) = &o.repair {
                r.repair_hours = self.duration(s, &opt("repair"), "repair") / 60.0;
            }
            if let Some(s) = &o.supplier_repair {
                r.supplier_repair_hours =
                    self.duration(s, &opt("supplier_repair"), "supplier_repair") / 60.0;
            }
            if let (Some(p), Some(t)) = (province, tier) {
                let p = p as u16;
                if overrides.iter().any(|(q, u, _)| *q == p && *u == t) {
                    self.err(
                        &at(&base, &[F("tier")]),
                        format!(
                            "province `{}` already has an override for tier `{}`",
                            o.province, o.tier
                        ),
                    );
                } else {
                    overrides.push((p, t, r));
                }
            }
        }

        let roster = self.roster(&raw.roster);
        let d = &raw.deviations;
        let dp = |f: &'static str| [F("deviations"), F(f)];
        let deviations = Deviations {
            p_late: self.probability(d.p_late, &dp("p_late"), "p_late"),
            late_factor: self.number(d.late_factor, &dp("late_factor"), "late_factor", 1.0, false),
            p_skip_report: self.probability(d.p_skip_report, &dp("p_skip_report"), "p_skip_report"),
            p_skip_step: self.probability(d.p_skip_step, &dp("p_skip_step"), "p_skip_step"),
            p_out_of_order: self.probability(
                d.p_out_of_order,
                &dp("p_out_of_order"),
                "p_out_of_order",
            ),
            p_wrong_level: self.probability(d.p_wrong_level, &dp("p_wrong_level"), "p_wrong_level"),
            slack_use: self.probability(d.slack_use, &dp("slack_use"), "slack_use"),
        };
        let data = {
            let d = &raw.data_damage;
            {
                let dd = |f: &'static str| [F("data_damage"), F(f)];
                DataDamage {
                    records_per_host_hour: self.number(
                        d.records_per_host_hour,
                        &dd("records_per_host_hour"),
                        "records_per_host_hour",
                        0.0,
                        false,
                    ),
                    power_loss_share: self.probability(
                        d.power_loss_share,
                        &dd("power_loss_share"),
                        "power_loss_share",
                    ),
                }
            }
        };
        Teams {
            tiers,
            overrides,
            roster,
            deviations,
            data,
        }
    }

    fn clock(&mut self, s: &str, path: &[Seg]) -> Option<f64> {
        let parsed = s.split_once(':').and_then(|(h, m)| {
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(f64::from(h * 60 + m))
        });
        if parsed.is_none() {
            self.err(
                path,
                format!("{s:?} is not a time of day like \"08:30\" (00:00 to 24:00)"),
            );
        }
        parsed
    }

    fn roster(&mut self, r: &RosterFile) -> Roster {
        let base = [F("roster")];
        let start = self.clock(&r.office_hours.0, &at(&base, &[F("office_hours"), I(0)]));
        let end = self.clock(&r.office_hours.1, &at(&base, &[F("office_hours"), I(1)]));
        if let (Some(s), Some(e)) = (start, end)
            && s >= e
        {
            self.err(
                &at(&base, &[F("office_hours"), I(1)]),
                "office hours must end after they start",
            );
        }
        // A share of the normal detection rate: above 1 would detect better
        // off duty than on duty.
        let off_hours_detection = if (0.0..=1.0).contains(&r.off_hours_detection) {
            r.off_hours_detection
        } else {
            self.err(
                &at(&base, &[F("off_hours_detection")]),
                format!(
                    "off_hours_detection is a share of the normal detection rate in [0, 1], \
                     not {}",
                    r.off_hours_detection
                ),
            );
            0.0
        };
        let callout_min = self.duration(&r.callout, &at(&base, &[F("callout")]), "callout");
        let external_detection_per_hour = self.number(
            r.external_detection_per_hour,
            &at(&base, &[F("external_detection_per_hour")]),
            "external_detection_per_hour",
            0.0,
            false,
        );
        let mut heightened = Vec::new();
        for (k, p) in r.heightened.iter().enumerate() {
            let pb = at(&base, &[F("heightened"), I(k)]);
            let mut dt = |s: &str, f: &'static str| match s.parse::<jiff::civil::DateTime>() {
                Ok(t) => Some(t),
                Err(e) => {
                    self.err(
                        &at(&pb, &[F(f)]),
                        format!("{s:?} is not a valid date-time like \"2002-11-08T00:00:00\": {e}"),
                    );
                    None
                }
            };
            let (from, to) = (dt(&p.from, "from"), dt(&p.to, "to"));
            if let (Some(a), Some(b)) = (from, to) {
                if a >= b {
                    self.err(
                        &at(&pb, &[F("to")]),
                        "a heightened-duty period must end after it starts",
                    );
                }
                if let Some(j) = heightened.iter().position(
                    |(c, d): &(jiff::civil::DateTime, jiff::civil::DateTime)| a < *d && *c < b,
                ) {
                    self.err(
                        &at(&pb, &[F("from")]),
                        format!(
                            "this heightened-duty period overlaps an earlier one (number {})",
                            j + 1
                        ),
                    );
                }
                heightened.push((a, b));
            }
        }
        let holidays = self.holidays(&r.holidays, &base);
        let workdays = self.workdays(&r.workdays, &holidays, &base);
        Roster {
            office_start_min: start.unwrap_or(510.0),
            office_end_min: end.unwrap_or(1050.0),
            off_hours_detection,
            callout_min,
            external_detection_per_hour,
            heightened,
            holidays,
            workdays,
            always_on_duty: false,
        }
    }

    fn date(&mut self, s: &str, path: &[Seg]) -> Option<jiff::civil::Date> {
        match s.parse::<jiff::civil::Date>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.err(
                    path,
                    format!("{s:?} is not a valid date like \"2003-10-01\": {e}"),
                );
                None
            }
        }
    }

    /// Public holidays: dates parse, `to` is not before `from`, no overlaps.
    fn holidays(&mut self, raw: &[HolidayFile], base: &[Seg]) -> Vec<Holiday> {
        let mut out: Vec<Holiday> = Vec::new();
        for (k, h) in raw.iter().enumerate() {
            let hb = at(base, &[F("holidays"), I(k)]);
            let from = self.date(&h.from, &at(&hb, &[F("from")]));
            let to = self.date(&h.to, &at(&hb, &[F("to")]));
            let (Some(from), Some(to)) = (from, to) else {
                continue;
            };
            if to < from {
                self.err(
                    &at(&hb, &[F("to")]),
                    format!("a holiday must not end ({to}) before it starts ({from})"),
                );
                continue;
            }
            if let Some(o) = out.iter().find(|o| from <= o.to && o.from <= to) {
                self.err(
                    &at(&hb, &[F("from")]),
                    format!(
                        "holiday {from} – {to} overlaps `{}` ({} – {})",
                        o.name, o.from, o.to
                    ),
                );
                continue;
            }
            out.push(Holiday {
                name: h.name.clone(),
                from,
                to,
                clause: h.clause.clone(),
            });
        }
        out.sort_by_key(|h| h.from);
        out
    }

    /// Make-up working days: a Saturday or Sunday, outside every holiday, once.
    fn workdays(
        &mut self,
        raw: &[WorkdayFile],
        holidays: &[Holiday],
        base: &[Seg],
    ) -> Vec<jiff::civil::Date> {
        let mut out: Vec<jiff::civil::Date> = Vec::new();
        for (k, w) in raw.iter().enumerate() {
            let p = at(base, &[F("workdays"), I(k), F("date")]);
            let Some(d) = self.date(&w.date, &p) else {
                continue;
            };
            let wd = d.weekday();
            if !matches!(
                wd,
                jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
            ) {
                self.err(
                    &p,
                    format!(
                        "{d} is a {wd:?}, already a working day: a make-up working day (调休) \
                         is a Saturday or Sunday"
                    ),
                );
            } else if let Some(h) = holidays.iter().find(|h| h.from <= d && d <= h.to) {
                self.err(
                    &p,
                    format!(
                        "{d} lies in the holiday `{}` ({} – {}): a day cannot be both off and a \
                         make-up working day",
                        h.name, h.from, h.to
                    ),
                );
            } else if out.contains(&d) {
                self.err(&p, format!("make-up working day {d} is listed twice"));
            } else {
                out.push(d);
            }
        }
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_teams_parse() {
        let t = default_teams();
        assert_eq!(t.tiers.len(), Tier::ALL.len());
        let hq = t.readiness(Tier::Hq, None);
        let county = t.readiness(Tier::County, None);
        assert!(hq.staff_of(BodyRole::InformationCentre) >= 10);
        assert!(county.staff_of(BodyRole::InformationCentre) >= 1);
        assert!(hq.detection_per_hour > county.detection_per_hour);
        assert!(county.detection_per_hour > t.readiness(Tier::Grassroots, None).detection_per_hour);
        assert_eq!(t.roster.office_start_min, 510.0);
        assert_eq!(t.roster.office_end_min, 1050.0);
        assert!(!t.roster.heightened.is_empty());
        assert_eq!(
            t.roster.heightened[0].0,
            jiff::civil::date(2002, 11, 8).at(0, 0, 0, 0)
        );
        assert_eq!(t.deviations.p_late, 0.10);
        assert_eq!(t.data.records_per_host_hour, 0.5);
        assert_eq!(t.data.power_loss_share, 0.02);
        // Tibet's county bureaus: fewer staff, longer repairs.
        let codes: Vec<String> = topology_spec::parse_spec(
            topology_spec::DEFAULT_SPEC,
            Path::new("assets/topology.ron"),
        )
        .unwrap()
        .provinces
        .into_iter()
        .map(|p| p.code)
        .collect();
        let xz = codes.iter().position(|c| c == "xz").unwrap() as u16;
        let tibet = t.readiness(Tier::County, Some(xz));
        assert!(tibet.supplier_repair_hours > county.supplier_repair_hours);
        assert!(
            tibet.staff_of(BodyRole::InformationCentre)
                < county.staff_of(BodyRole::InformationCentre)
        );
        // Roles the override does not name keep the tier's value.
        assert_eq!(
            tibet.staff_of(BodyRole::LeadershipGroup),
            county.staff_of(BodyRole::LeadershipGroup)
        );
    }

    #[test]
    fn teams_errors_are_positioned() {
        let src = DEFAULT_TEAMS
            .replacen("(\"information_centre\",", "(\"it_dept\",", 1)
            .replacen("p_late: 0.10", "p_late: 1.5", 1)
            .replacen("province: \"xz\"", "province: \"zz\"", 1)
            .replacen("\"17:30\"", "\"7:90\"", 1);
        let d = parse(&src, Path::new("teams.ron")).unwrap_err();
        let find = |needle: &str| {
            d.0.iter()
                .find(|x| x.message.contains(needle))
                .unwrap_or_else(|| panic!("no {needle:?} in {d}"))
        };
        for (needle, text) in [
            ("unknown role `it_dept`", "\"it_dept\""),
            ("p_late is a probability", "1.5"),
            ("unknown province code `zz`", "\"zz\""),
            ("not a time of day", "\"7:90\""),
        ] {
            let diag = find(needle);
            let line = src.lines().nth(diag.line - 1).unwrap();
            let rest: String = line.chars().skip(diag.col - 1).collect();
            assert!(rest.starts_with(text), "{diag}");
        }
        assert_eq!(d.len(), 4, "{d}");
    }

    #[test]
    fn data_damage_errors_are_positioned_and_the_section_is_optional() {
        let src = DEFAULT_TEAMS.replacen("power_loss_share: 0.02", "power_loss_share: 2.0", 1);
        let d = parse(&src, Path::new("teams.ron")).unwrap_err();
        assert_eq!(d.len(), 1, "{d}");
        let diag = &d.0[0];
        assert!(
            diag.message.contains("power_loss_share is a probability"),
            "{diag}"
        );
        let line = src.lines().nth(diag.line - 1).unwrap();
        let rest: String = line.chars().skip(diag.col - 1).collect();
        assert!(rest.starts_with("2.0"), "{diag}");
        // Without the section: the documented defaults.
        let start = DEFAULT_TEAMS.find("    data_damage:").unwrap();
        let end = start + DEFAULT_TEAMS[start..].find("),\n").unwrap() + 3;
        let without = format!("{}{}", &DEFAULT_TEAMS[..start], &DEFAULT_TEAMS[end..]);
        let t = parse(&without, Path::new("teams.ron")).unwrap();
        assert_eq!(t.data, DataDamage::default());
    }

    #[test]
    fn a_missing_tier_and_a_duplicate_are_reported() {
        let src = DEFAULT_TEAMS.replacen("tier: \"grassroots\"", "tier: \"county\"", 1);
        let d = parse(&src, Path::new("teams.ron")).unwrap_err();
        assert!(
            d.0.iter().any(|x| x.message.contains("listed twice")),
            "{d}"
        );
        assert!(
            d.0.iter()
                .any(|x| x.message.contains("tier `grassroots` is missing")),
            "{d}"
        );
    }

    /// The calendar's new fields: every problem positioned, none fatal.
    #[test]
    fn calendar_errors_are_positioned() {
        let src = DEFAULT_TEAMS
            // an impossible date
            .replacen("from: \"2002-02-12\"", "from: \"2002-02-30\"", 1)
            // a holiday that ends before it starts
            .replacen("to: \"2002-05-07\"", "to: \"2002-04-07\"", 1)
            // a holiday overlapping another (New Year 2003 into Spring Festival)
            .replacen("to: \"2003-01-01\"", "to: \"2003-02-02\"", 1)
            // a make-up day on a Monday, one inside a holiday
            .replacen("(date: \"2002-04-27\"", "(date: \"2002-04-29\"", 1)
            .replacen("(date: \"2002-09-28\"", "(date: \"2002-10-05\"", 1)
            // heightened periods that overlap
            .replacen(
                "heightened: [",
                "heightened: [(from: \"2003-03-01T00:00:00\", to: \"2003-04-01T00:00:00\"),",
                1,
            );
        let d = parse(&src, Path::new("teams.ron")).unwrap_err();
        for (needle, text) in [
            ("is not a valid date", "\"2002-02-30\""),
            ("must not end", "\"2002-04-07\""),
            ("overlaps `元旦 New Year 2003`", "\"2003-02-01\""),
            ("is a Monday", "\"2002-04-29\""),
            ("lies in the holiday", "\"2002-10-05\""),
            ("overlaps an earlier one", "\"2002-11-08T00:00:00\""),
        ] {
            let diag =
                d.0.iter()
                    .find(|x| x.message.contains(needle))
                    .unwrap_or_else(|| panic!("no {needle:?} in {d}"));
            let line = src.lines().nth(diag.line - 1).unwrap();
            let rest: String = line.chars().skip(diag.col - 1).collect();
            assert!(rest.starts_with(text), "{diag}: {rest}");
        }
        assert_eq!(d.len(), 6, "{d}");
    }
}
