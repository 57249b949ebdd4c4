//! Duty from the calendar (issue 7, item 7): off-hours behaviour runs, shows
//! in the events, and makes a worm on a Saturday night detected later than
//! the same worm on a weekday morning.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use crate::util::mean_se;
use drillsim::app;
use drillsim::engine::response::duty::{Duty, calendar};
use drillsim::engine::{ResponseSetup, RunConfig, RunRecord, run_with};
use drillsim::model::scenario::Scenario;
use drillsim::model::topology::Topology;
use drillsim::model::{plan_file, teams_file};

/// Hours of each run: detection happens early; the rest is not needed here.
const HORIZON_MIN: f64 = 24.0 * 60.0;

fn weekend_worm() -> (Arc<Topology>, Scenario) {
    let topo = app::load_topology(None).unwrap();
    let scenario = app::load_scenario(Some(Path::new("scenarios/weekend-worm.ron")), &topo)
        .unwrap()
        .as_ref()
        .clone();
    (topo, scenario)
}

fn setup(perfect: bool) -> ResponseSetup {
    let teams = teams_file::default_teams();
    ResponseSetup {
        plan: Arc::new(plan_file::load(Path::new("scenarios/plans/sat-overall.ron")).unwrap()),
        teams: Arc::new(if perfect { teams.perfect() } else { teams }),
        spread: !perfect,
    }
}

/// Seeds `0..n` on two threads, in seed order, default teams.
fn runs(topo: &Arc<Topology>, scenario: &Arc<Scenario>, n: u64) -> Vec<RunRecord> {
    runs_with(topo, scenario, &setup(false), n)
}

fn runs_with(
    topo: &Arc<Topology>,
    scenario: &Arc<Scenario>,
    s: &ResponseSetup,
    n: u64,
) -> Vec<RunRecord> {
    let mut out: Vec<(u64, RunRecord)> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..2u64)
            .map(|k| {
                let (topo, scenario, s) = (topo.clone(), scenario.clone(), s.clone());
                sc.spawn(move || {
                    (k..n)
                        .step_by(2)
                        .map(|seed| {
                            let cfg = RunConfig {
                                seed,
                                response: true,
                            };
                            let rec =
                                run_with(topo.clone(), scenario.clone(), Some(s.clone()), cfg);
                            (seed, rec)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    out.sort_by_key(|(s, _)| *s);
    out.into_iter().map(|(_, r)| r).collect()
}

/// Minute of the first detection (the run's horizon if none).
fn first_detection(rec: &RunRecord) -> f64 {
    rec.events
        .iter()
        .filter(|e| e.kind.as_str() == "incident_opened")
        .map(|e| e.minute)
        .fold(rec.duration_min, f64::min)
}

#[test]
fn off_hours_worm_is_detected_later_than_its_office_hours_twin() {
    let (topo, mut weekend) = weekend_worm();
    weekend.duration_min = HORIZON_MIN;
    // The twin: the same scenario on Tuesday 2003-03-25 at 10:00, outside
    // the protected period.
    let mut office = weekend.clone();
    office.start = jiff::civil::date(2003, 3, 25).at(10, 0, 0, 0);
    let roster = &teams_file::default_teams().roster;
    assert_eq!(calendar(roster, weekend.start), Duty::Weekend);
    assert_eq!(
        calendar(roster, office.start),
        Duty::Office { makeup: false }
    );

    let off = runs(&topo, &Arc::new(weekend), 50);
    let on = runs(&topo, &Arc::new(office), 50);
    let t_off: Vec<f64> = off.iter().map(first_detection).collect();
    let t_on: Vec<f64> = on.iter().map(first_detection).collect();
    let ((m_off, se_off), (m_on, se_on)) = (mean_se(&t_off), mean_se(&t_on));
    let se = (se_off * se_off + se_on * se_on).sqrt();
    eprintln!(
        "mean minutes to first detection over 50 seeds: off hours {m_off:.1} (SE {se_off:.1}), \
         office hours {m_on:.1} (SE {se_on:.1})"
    );
    // A calendar that put both on duty (or both off) gives about equal means
    // (the worm's draws are the same in both): the skeleton duty detects at a
    // quarter of the rate, so the gap must be wide and well beyond noise.
    assert!(
        m_off >= 1.3 * m_on && m_off - m_on >= 60.0 && m_off - m_on >= 3.0 * se,
        "off hours {m_off:.1} min, office hours {m_on:.1} min (SE of the gap {se:.1})"
    );

    // The test tells calendars apart: with a protected period that never
    // ended (the bug this replaces), the Saturday night is on duty and the
    // gap to the weekday twin closes.
    let mut teams = teams_file::default_teams();
    teams.roster.heightened[0].1 = jiff::civil::date(2004, 1, 1).at(0, 0, 0, 0);
    let broken = ResponseSetup {
        teams: Arc::new(teams),
        ..setup(false)
    };
    let (topo2, mut weekend2) = weekend_worm();
    weekend2.duration_min = HORIZON_MIN;
    let t_broken: Vec<f64> = runs_with(&topo2, &Arc::new(weekend2), &broken, 50)
        .iter()
        .map(first_detection)
        .collect();
    let (m_broken, _) = mean_se(&t_broken);
    eprintln!("… with a protected period that never ends: {m_broken:.1}");
    assert!(
        m_off - m_broken >= 60.0 && (m_broken - m_on).abs() < 0.5 * (m_off - m_on),
        "broken calendar {m_broken:.1}, off hours {m_off:.1}, office hours {m_on:.1}"
    );

    // What a reader sees: the duty at the start, and staff called in.
    let rec = &off[0];
    let first = &rec
        .events
        .iter()
        .find(|e| e.kind.as_str() == "duty")
        .unwrap();
    assert_eq!(first.minute, 0.0);
    assert!(
        first.detail.starts_with("off duty: weekend"),
        "{}",
        first.detail
    );
    let callouts: Vec<_> = off
        .iter()
        .flat_map(|r| r.events.iter())
        .filter(|e| e.kind.as_str() == "call_out")
        .collect();
    assert!(!callouts.is_empty());
    assert!(
        callouts.iter().all(|e| e
            .detail
            .contains("staff called in (off duty: weekend, +1h)")
            && !e.actor.is_empty()),
        "{:?}",
        callouts[0]
    );
    let rec = &on[0];
    let first = rec
        .events
        .iter()
        .find(|e| e.kind.as_str() == "duty")
        .unwrap();
    assert!(
        first.detail.starts_with("on duty: office hours"),
        "{}",
        first.detail
    );
    // In office hours nobody is called in before the first detection.
    let t0 = first_detection(rec);
    assert!(
        !rec.events
            .iter()
            .any(|e| e.kind.as_str() == "call_out" && e.minute <= t0)
    );
}

/// Perfect readiness keeps staff on duty around the clock, calendar or not.
#[test]
fn perfect_readiness_ignores_the_calendar() {
    let (topo, mut weekend) = weekend_worm();
    weekend.duration_min = 12.0 * 60.0;
    let rec = run_with(
        topo,
        Arc::new(weekend),
        Some(setup(true)),
        RunConfig {
            seed: 1,
            response: true,
        },
    );
    let duty: Vec<_> = rec
        .events
        .iter()
        .filter(|e| e.kind.as_str() == "duty")
        .collect();
    assert_eq!(duty.len(), 1, "{duty:?}");
    assert!(duty[0].detail.contains("perfect readiness"));
    assert!(!rec.events.iter().any(|e| e.kind.as_str() == "call_out"));
}

/// A broken calendar in a user's teams file: exit 2, file:line:col, no panic.
#[test]
fn a_bad_calendar_exits_2_with_its_position() {
    let t = tempfile::tempdir().unwrap();
    let teams = t.path().join("teams.ron");
    let src =
        teams_file::DEFAULT_TEAMS.replacen("(date: \"2002-04-27\"", "(date: \"2002-04-29\"", 1);
    std::fs::write(&teams, &src).unwrap();
    let line = src.lines().position(|l| l.contains("2002-04-29")).unwrap() + 1;
    let out = t.path().join("run");
    let o = Command::new(env!("CARGO_BIN_EXE_drillsim"))
        .args([
            "run",
            "scenarios/weekend-worm.ron",
            "--teams",
            teams.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("teams.ron:{line}:")), "{stderr}");
    assert!(stderr.contains("is a Monday"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists());
}
