//! The preparation schedule of a drill, worked back from a deadline
//! (`drillsim package --deadline`).
//!
//! The 2002 notice (国税函〔2002〕865号 二) sets the deadline and what must be
//! done by it: 「各地应于10月15日前按照本地制定的网络与信息安全防范处置预案完成培训和具体演练工作,
//! 并将有关执行情况及时报告总局网络与信息安全协调小组办公室」. It gives no lead
//! times; those below are documented defaults from exercise practice [P]
//! (HSEEP's planning meetings and controller/evaluator briefing, the drill
//! write-up's on-site comments and summary) or inferences [I], in working
//! days of the duty calendar (`assets/teams.ron`'s roster: Monday to
//! Friday minus public holidays, plus make-up working days, see
//! `engine::response::duty`).
//!
//! Backwards from the deadline: the report to the superior is due on the
//! last working day before it (「前」 read as before that day [I]); the
//! improvement plan [`IP_TO_REPORT`] working days before that; the
//! after-action report [`AAR_TO_IP`] before the improvement plan; the drill
//! [`DRILL_TO_AAR`] before the after-action report — the latest drill day
//! that fits, the default. A drill date given instead is checked forward
//! with the same lead times. Before the drill: the initial planning meeting
//! ([`INITIAL_PLANNING`] working days), the final planning meeting that
//! makes the MSEL final ([`FINAL_PLANNING`]), the players' training on the
//! plan done ([`TRAINING`]) and the observers' and controllers' briefing
//! ([`BRIEFING`]).

use jiff::ToSpan;
use jiff::civil::Date;

use crate::engine::response::duty::{self, Duty};
use crate::model::teams::Roster;

/// Working days from the initial planning meeting to the drill [P: HSEEP
/// initial planning meeting, scaled to a one-unit drill, I].
pub const INITIAL_PLANNING: i64 = 15;
/// Working days from the final planning meeting (MSEL final) to the drill [P].
pub const FINAL_PLANNING: i64 = 5;
/// Working days from the end of the players' training on the plan to the drill [I].
pub const TRAINING: i64 = 3;
/// Working days from the observers' and controllers' briefing to the drill [P].
pub const BRIEFING: i64 = 1;
/// Working days from the drill to the after-action report [I].
pub const DRILL_TO_AAR: i64 = 3;
/// Working days from the after-action report to the improvement plan [I].
pub const AAR_TO_IP: i64 = 2;
/// Working days from the improvement plan to the report to the superior [I].
pub const IP_TO_REPORT: i64 = 1;

/// The notice's words on the deadline (quoted verbatim from the seed).
pub const DEADLINE_CLAUSE: &str = "国税函〔2002〕865号 二:「各地应于10月15日前按照本地制定的网络与信息安全防范处置预案完成培训和具体演练工作,并将有关执行情况及时报告总局网络与信息安全协调小组办公室」";

/// Where a milestone's lead time comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// Stated in the seed (the date itself, not a lead time).
    Seed,
    /// Common exercise practice.
    Practice,
    /// An inference: a default the user may change.
    Inference,
    /// Given by the user (`--drill-date`).
    Given,
}

impl Basis {
    pub fn tag(self) -> &'static str {
        match self {
            Basis::Seed => "seed",
            Basis::Practice => "P",
            Basis::Inference => "I",
            Basis::Given => "given",
        }
    }
}

/// The milestones, in date order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    InitialPlanning,
    FinalPlanning,
    Training,
    Briefing,
    Drill,
    AfterActionReport,
    ImprovementPlan,
    ReportToSuperior,
    Deadline,
}

impl Step {
    /// The machine key (schedule.csv's `milestone`).
    pub fn key(self) -> &'static str {
        match self {
            Step::InitialPlanning => "initial_planning_meeting",
            Step::FinalPlanning => "final_planning_meeting_msel_final",
            Step::Training => "training_done",
            Step::Briefing => "observers_briefed",
            Step::Drill => "drill_day",
            Step::AfterActionReport => "after_action_report_due",
            Step::ImprovementPlan => "improvement_plan_due",
            Step::ReportToSuperior => "report_to_superior_due",
            Step::Deadline => "deadline",
        }
    }
}

/// One dated milestone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Milestone {
    pub step: Step,
    pub date: Date,
    /// Working days from the anchor (negative: before it), the anchor, and
    /// where the lead time comes from.
    pub offset: i64,
    pub anchor: Option<Step>,
    pub basis: Basis,
    /// Whether the date is a working day of the calendar.
    pub working_day: bool,
}

/// The whole schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub deadline: Date,
    pub drill: Date,
    /// Whether the drill date was picked (the latest that fits) rather than given.
    pub drill_picked: bool,
    pub milestones: Vec<Milestone>,
}

/// Working days of a roster: its holidays and make-up days, nothing else
/// (heightened duty and perfect readiness are about hours, not days).
pub struct Calendar(Roster);

impl Calendar {
    pub fn new(roster: &Roster) -> Self {
        let mut r = roster.clone();
        r.always_on_duty = false;
        r.heightened.clear();
        r.office_start_min = 0.0;
        r.office_end_min = 24.0 * 60.0;
        Calendar(r)
    }

    /// Whether `d` is a working day (the duty calendar's office hours).
    pub fn working(&self, d: Date) -> bool {
        matches!(
            duty::calendar(&self.0, d.at(12, 0, 0, 0)),
            Duty::Office { .. }
        )
    }

    /// The `n`-th working day after `d` (`n` > 0) or before it (`n` < 0);
    /// `d` itself when `n` is 0.
    pub fn add(&self, d: Date, n: i64) -> Date {
        let step = if n < 0 { -1 } else { 1 };
        let mut left = n.abs();
        let mut day = d;
        while left > 0 {
            day = day.checked_add(step.days()).unwrap_or(day);
            if self.working(day) {
                left -= 1;
            }
        }
        day
    }
}

/// Why a schedule cannot be made: the message and which option is at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// `--drill-date` or `--deadline`.
    pub option: &'static str,
    pub message: String,
}

/// The schedule for `deadline`, with the drill on `drill` or, when `None`,
/// on the latest day that leaves the documented lead times before it.
pub fn schedule(cal: &Calendar, deadline: Date, drill: Option<Date>) -> Result<Schedule, Refusal> {
    let last_report = cal.add(deadline, -1);
    let latest_drill = cal.add(last_report, -(IP_TO_REPORT + AAR_TO_IP + DRILL_TO_AAR));
    let (drill, picked) = match drill {
        Some(d) => (d, false),
        None => (latest_drill, true),
    };
    if drill >= deadline {
        return Err(Refusal {
            option: "--drill-date",
            message: format!(
                "the drill date {drill} is not before the deadline {deadline}: the notice asks for the drill \
                 to be done before it; the latest drill date that leaves time for the after-action report, \
                 the improvement plan and the report to the superior is {latest_drill}"
            ),
        });
    }
    let aar = cal.add(drill, DRILL_TO_AAR);
    let ip = cal.add(aar, AAR_TO_IP);
    let report = cal.add(ip, IP_TO_REPORT);
    if report > last_report {
        return Err(Refusal {
            option: "--drill-date",
            message: format!(
                "too little time between the drill date {drill} and the deadline {deadline}: with the \
                 documented lead times (after-action report {DRILL_TO_AAR}, improvement plan {AAR_TO_IP}, \
                 report to the superior {IP_TO_REPORT} working day(s) later) the report would be due on \
                 {report}, after {last_report}, the last working day before the deadline; hold the drill \
                 on or before {latest_drill}"
            ),
        });
    }
    let m = |step, date, offset, anchor, basis| Milestone {
        step,
        date,
        offset,
        anchor,
        basis,
        working_day: cal.working(date),
    };
    let milestones = vec![
        m(
            Step::InitialPlanning,
            cal.add(drill, -INITIAL_PLANNING),
            -INITIAL_PLANNING,
            Some(Step::Drill),
            Basis::Practice,
        ),
        m(
            Step::FinalPlanning,
            cal.add(drill, -FINAL_PLANNING),
            -FINAL_PLANNING,
            Some(Step::Drill),
            Basis::Practice,
        ),
        m(
            Step::Training,
            cal.add(drill, -TRAINING),
            -TRAINING,
            Some(Step::Drill),
            Basis::Inference,
        ),
        m(
            Step::Briefing,
            cal.add(drill, -BRIEFING),
            -BRIEFING,
            Some(Step::Drill),
            Basis::Practice,
        ),
        m(
            Step::Drill,
            drill,
            if picked {
                -(DRILL_TO_AAR + AAR_TO_IP + IP_TO_REPORT)
            } else {
                0
            },
            picked.then_some(Step::ReportToSuperior),
            if picked {
                Basis::Inference
            } else {
                Basis::Given
            },
        ),
        m(
            Step::AfterActionReport,
            aar,
            DRILL_TO_AAR,
            Some(Step::Drill),
            Basis::Inference,
        ),
        m(
            Step::ImprovementPlan,
            ip,
            AAR_TO_IP,
            Some(Step::AfterActionReport),
            Basis::Inference,
        ),
        m(
            Step::ReportToSuperior,
            report,
            IP_TO_REPORT,
            Some(Step::ImprovementPlan),
            Basis::Inference,
        ),
        m(Step::Deadline, deadline, 0, None, Basis::Seed),
    ];
    Ok(Schedule {
        deadline,
        drill,
        drill_picked: picked,
        milestones,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cal() -> Calendar {
        let teams = crate::model::teams_file::parse(
            crate::model::teams_file::DEFAULT_TEAMS,
            std::path::Path::new("assets/teams.ron"),
        )
        .unwrap();
        Calendar::new(&teams.roster)
    }

    #[test]
    fn national_day_2002_and_its_make_up_weekend() {
        let c = cal();
        assert!(!c.working(date(2002, 10, 1)));
        assert!(!c.working(date(2002, 10, 7)));
        assert!(c.working(date(2002, 9, 28)), "make-up Saturday");
        assert!(c.working(date(2002, 9, 29)), "make-up Sunday");
        assert!(!c.working(date(2002, 10, 12)), "Saturday");
        assert_eq!(c.add(date(2002, 10, 8), -1), date(2002, 9, 30));
        assert_eq!(c.add(date(2002, 9, 30), 1), date(2002, 10, 8));
        assert_eq!(c.add(date(2002, 10, 15), 0), date(2002, 10, 15));
    }

    #[test]
    fn a_drill_on_the_deadline_or_too_close_is_refused() {
        let c = cal();
        let e = schedule(&c, date(2002, 10, 15), Some(date(2002, 10, 15))).unwrap_err();
        assert!(e.message.contains("not before the deadline"), "{e:?}");
        let e = schedule(&c, date(2002, 10, 15), Some(date(2002, 10, 10))).unwrap_err();
        assert!(e.message.contains("too little time"), "{e:?}");
        assert!(e.message.contains("2002-09-29"), "{e:?}");
        assert!(schedule(&c, date(2002, 10, 15), Some(date(2002, 9, 29))).is_ok());
    }
}
