//! Duty from the calendar: who is at work when.
//!
//! Staff are on duty in office hours of working days: Monday to Friday
//! unless a public holiday, plus the make-up working days (调休) the State
//! Council's holiday notices move onto a Saturday or Sunday. Nights,
//! weekends and holidays are off hours: a skeleton duty detects at
//! `off_hours_detection` of the normal rate, and before a unit's staff can
//! work on a task they must be called in (`callout`). Heightened-duty periods
//! (the 2002 notice's protected period) and the round-the-clock duty of an
//! activated response level keep everyone on duty. All of it comes from the
//! teams file's `roster` (`assets/teams.ron`).
//!
//! The state is recorded: a `duty` event whenever it changes (and at the
//! start), a `call_out` event when a unit's staff are called in.

use jiff::civil::{DateTime, Weekday};

use super::{Response, TaskKind};
use crate::engine::record::{EventKind, RunRecord};
use crate::model::plan::BodyId;
use crate::model::teams::Roster;
use crate::model::topology::{NodeId, Topology};

/// Why staff are (or are not) on duty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duty {
    /// Office hours of a working day; `makeup`: a weekend day worked (调休).
    Office { makeup: bool },
    /// Inside the roster's heightened-duty period number `.0`.
    Heightened(usize),
    /// An activated response level orders round-the-clock duty.
    RoundTheClock,
    /// Perfect readiness: on duty around the clock.
    Always,
    /// A working day outside office hours.
    Night { makeup: bool },
    /// A Saturday or Sunday that is not a make-up working day.
    Weekend,
    /// A public holiday (index into `Roster::holidays`).
    Holiday(usize),
}

impl Duty {
    pub fn on_duty(self) -> bool {
        matches!(
            self,
            Duty::Office { .. } | Duty::Heightened(_) | Duty::RoundTheClock | Duty::Always
        )
    }

    /// What a reader of events.csv needs to know.
    pub fn describe(self, r: &Roster) -> String {
        let off = |what: &str| {
            format!(
                "off duty: {what}; skeleton duty detects at {:.0} % of the normal rate, \
                 staff are called in before work starts (+{})",
                r.off_hours_detection * 100.0,
                fmt_minutes(r.callout_min)
            )
        };
        match self {
            Duty::Office { makeup: false } => "on duty: office hours of a working day".into(),
            Duty::Office { makeup: true } => {
                "on duty: office hours of a make-up working day (调休)".into()
            }
            Duty::Heightened(k) => {
                let (a, b) = r.heightened[k];
                format!("on duty: heightened duty around the clock ({a} – {b}) [I]")
            }
            Duty::RoundTheClock => {
                "on duty: round-the-clock duty of an activated response level".into()
            }
            Duty::Always => "on duty: around the clock (perfect readiness)".into(),
            Duty::Night { makeup } => off(&format!(
                "outside office hours of a {}working day",
                if makeup { "make-up " } else { "" }
            )),
            Duty::Weekend => off("weekend"),
            Duty::Holiday(k) => {
                let h = &r.holidays[k];
                off(&format!(
                    "public holiday {} ({} – {})",
                    h.name, h.from, h.to
                ))
            }
        }
    }

    /// The rule behind the state, for the event's clause column.
    pub fn clause(self, r: &Roster) -> String {
        match self {
            Duty::Holiday(k) => r.holidays[k].clause.clone(),
            Duty::Heightened(_) => "teams roster: heightened-duty period".into(),
            Duty::RoundTheClock => "plan: level with round_the_clock_duty".into(),
            Duty::Office { makeup: true } | Duty::Night { makeup: true } => {
                "teams roster: make-up working day (调休), office hours".into()
            }
            Duty::Weekend => "teams roster: working days are Monday to Friday".into(),
            Duty::Always => "--perfect-readiness".into(),
            Duty::Office { .. } | Duty::Night { .. } => "teams roster: office hours".into(),
        }
    }
}

fn fmt_minutes(m: f64) -> String {
    let m = m.round() as i64;
    match (m / 60, m % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// The calendar's duty at a civil date-time (round-the-clock duty of an
/// activated level is not a calendar matter: see [`Response::update_duty`]).
pub fn calendar(r: &Roster, when: DateTime) -> Duty {
    if r.always_on_duty {
        return Duty::Always;
    }
    if let Some(k) = r
        .heightened
        .iter()
        .position(|(a, b)| *a <= when && when < *b)
    {
        return Duty::Heightened(k);
    }
    let day = when.date();
    if let Some(k) = r.holidays.iter().position(|h| h.from <= day && day <= h.to) {
        return Duty::Holiday(k);
    }
    let makeup = r.workdays.binary_search(&day).is_ok();
    let weekday = day.weekday();
    if matches!(weekday, Weekday::Saturday | Weekday::Sunday) && !makeup {
        return Duty::Weekend;
    }
    let m = f64::from(when.hour()) * 60.0 + f64::from(when.minute());
    if m >= r.office_start_min && m < r.office_end_min {
        Duty::Office { makeup }
    } else {
        Duty::Night { makeup }
    }
}

impl Response {
    /// The calendar's duty at minute `t` of the run.
    pub fn calendar_duty(&self, t: f64) -> Duty {
        match self
            .start
            .checked_add(jiff::SignedDuration::from_secs((t * 60.0) as i64))
        {
            Ok(when) => calendar(&self.teams.roster, when),
            Err(_) => Duty::Always,
        }
    }

    /// Observe: who is on duty now (calendar, or the round-the-clock duty of
    /// an activated level while its incident is open); a `duty` event when
    /// that changes. Called-in staff go home when the next duty starts.
    pub fn update_duty(&mut self, now: f64, rec: &mut RunRecord) {
        let mut d = self.calendar_duty(now);
        if !d.on_duty()
            && self
                .incidents
                .iter()
                .any(|i| i.round_the_clock && i.ended.is_none())
        {
            d = Duty::RoundTheClock;
        }
        self.on_duty = d.on_duty();
        if self.duty == Some(d) {
            return;
        }
        if d.on_duty() {
            self.called_in.clear();
        }
        let r = &self.teams.roster;
        let minute = if self.duty.is_none() { 0.0 } else { now };
        rec.action(
            minute,
            EventKind::Duty,
            None,
            String::new(),
            &d.clause(r),
            d.describe(r),
        );
        self.duty = Some(d);
    }

    /// Decide: minutes a task of `unit` waits off hours for its staff to be
    /// called in (0 on duty). The first task of a unit calls its staff in;
    /// they then stay until the next duty starts. A report hop is phoned by
    /// whoever is on skeleton duty and waits for nobody [P].
    pub fn callout_wait(&mut self, unit: NodeId, body: BodyId, kind: TaskKind, now: f64) -> f64 {
        if self.on_duty || matches!(kind, TaskKind::Report { .. }) {
            return 0.0;
        }
        let callout = self.teams.roster.callout_min;
        let arrive = *self.called_in.entry(unit).or_insert_with(|| {
            self.callouts.push((now, unit, body));
            now + callout
        });
        (arrive - now).max(0.0)
    }

    /// Act: a `call_out` event for each unit whose staff were called in.
    pub fn record_callouts(&mut self, topo: &Topology, rec: &mut RunRecord) {
        for (t, unit, body) in std::mem::take(&mut self.callouts) {
            let why = self
                .duty
                .map(|d| d.describe(&self.teams.roster))
                .unwrap_or_default();
            let why = why.split(';').next().unwrap_or("off duty");
            rec.action(
                t,
                EventKind::CallOut,
                Some(unit),
                self.actor(topo, unit, body),
                "teams roster: callout",
                format!(
                    "staff called in ({why}, +{})",
                    fmt_minutes(self.teams.roster.callout_min)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::teams_file::default_teams;
    use jiff::civil::date;

    fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> Duty {
        calendar(&default_teams().roster, date(y, m, d).at(h, min, 0, 0))
    }

    #[test]
    fn a_saturday_night_is_off_duty() {
        assert_eq!(date(2003, 3, 22).weekday(), Weekday::Saturday);
        let d = at(2003, 3, 22, 22, 0);
        assert_eq!(d, Duty::Weekend);
        assert!(!d.on_duty());
        // … and so is a Sunday afternoon.
        assert!(!at(2003, 3, 23, 15, 0).on_duty());
    }

    #[test]
    fn a_weekday_morning_is_on_duty_and_its_night_is_not() {
        assert_eq!(date(2003, 3, 25).weekday(), Weekday::Tuesday);
        assert_eq!(at(2003, 3, 25, 10, 0), Duty::Office { makeup: false });
        assert!(at(2003, 3, 25, 10, 0).on_duty());
        // Office hours 08:30–17:30.
        assert_eq!(at(2003, 3, 25, 8, 29), Duty::Night { makeup: false });
        assert!(at(2003, 3, 25, 8, 30).on_duty());
        assert!(!at(2003, 3, 25, 17, 30).on_duty());
        assert!(!at(2003, 3, 25, 23, 0).on_duty());
    }

    #[test]
    fn national_day_is_a_holiday_even_on_a_weekday() {
        assert_eq!(date(2003, 10, 3).weekday(), Weekday::Friday);
        let d = at(2003, 10, 3, 10, 0);
        assert!(matches!(d, Duty::Holiday(_)), "{d:?}");
        assert!(!d.on_duty());
        let r = default_teams().roster;
        assert!(
            d.describe(&r).contains("National Day 2003"),
            "{}",
            d.describe(&r)
        );
        // The day after the golden week is a working day again.
        assert!(at(2003, 10, 8, 10, 0).on_duty());
    }

    #[test]
    fn a_make_up_sunday_is_a_working_day() {
        assert_eq!(date(2003, 9, 28).weekday(), Weekday::Sunday);
        assert_eq!(at(2003, 9, 28, 10, 0), Duty::Office { makeup: true });
        // Its night is off, as on any working day; the Sunday before is a weekend.
        assert_eq!(at(2003, 9, 28, 22, 0), Duty::Night { makeup: true });
        assert_eq!(at(2003, 9, 21, 10, 0), Duty::Weekend);
    }

    #[test]
    fn the_protected_period_is_heightened_duty_only_on_its_dates() {
        // A Saturday night in the protected period: on duty.
        assert_eq!(date(2002, 11, 9).weekday(), Weekday::Saturday);
        let d = at(2002, 11, 9, 2, 0);
        assert_eq!(d, Duty::Heightened(0));
        assert!(d.on_duty());
        // It covers the Spring Festival 2003 holiday and ends with 2003-03-18.
        assert!(at(2003, 2, 3, 3, 0).on_duty());
        assert!(at(2003, 3, 18, 23, 59).on_duty());
        assert_eq!(at(2003, 3, 19, 2, 0), Duty::Night { makeup: false });
        // The night before it opened was an ordinary night.
        assert!(!at(2002, 11, 7, 23, 0).on_duty());
        let r = default_teams().roster;
        assert!(d.describe(&r).contains("[I]"));
    }

    #[test]
    fn perfect_readiness_is_always_on_duty() {
        let r = default_teams().perfect().roster;
        assert_eq!(
            calendar(&r, date(2003, 3, 22).at(22, 0, 0, 0)),
            Duty::Always
        );
    }
}
