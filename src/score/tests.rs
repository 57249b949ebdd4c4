//! Golden tests on a small hand-built record, and one on a real run.

use std::path::Path;

use super::*;
use crate::engine::{
    BodyMeta, Event, EventKind, NodeMeta, RunMeta, RunRecord, TaskRecord, TimelineRow, Totals,
};

#[allow(clippy::too_many_arguments)]
fn task(
    id: usize,
    kind: &str,
    name: &str,
    action: &str,
    unit: u32,
    body: &str,
    created: f64,
    due: Option<f64>,
    finished: Option<f64>,
    state: &str,
) -> TaskRecord {
    TaskRecord {
        id,
        incident: 0,
        kind: kind.into(),
        name: name.into(),
        source: "".into(),
        decided: None,
        expected_level: None,
        action: action.into(),
        unit,
        body: body.into(),
        site: unit,
        created,
        due,
        started: finished.map(|f| f - 1.0),
        finished,
        state: state.into(),
        out_of_order: false,
        clause: format!("clause {id}").into(),
        log_row: None,
        done_by: None,
    }
}

fn event(minute: f64, kind: EventKind, node: u32, detail: &str) -> Event {
    Event {
        minute,
        kind,
        node: Some(node),
        link: None,
        actor: "".into(),
        clause: "".into(),
        detail: detail.to_owned().into(),
    }
}

/// hq (0) → gd (1) → gd.01 (2) → gd.01.01 (3); 120 minutes, 10-minute ticks.
fn small_record() -> RunRecord {
    let node = |id: &str, tier: &str| NodeMeta {
        id: id.to_owned(),
        name_zh: id.to_owned(),
        name_en: id.to_owned(),
        tier: tier.to_owned(),
        province: String::new(),
    };
    let body = |id: &str, en: &str, zh: &str| BodyMeta {
        id: id.to_owned(),
        name_zh: zh.to_owned(),
        name_en: en.to_owned(),
        role: id.to_owned(),
    };
    let infected = [0, 5, 10, 20, 15, 10, 12, 8, 5, 3, 0, 0, 0];
    let services = [
        100.0, 99.0, 98.0, 97.0, 97.0, 98.0, 98.0, 99.0, 99.5, 99.95, 100.0, 100.0, 100.0,
    ];
    let timeline = (0..13)
        .map(|i| TimelineRow {
            minute: 10.0 * i as f64,
            hosts_infected: infected[i],
            services_available_pct: services[i],
            ..TimelineRow::default()
        })
        .collect();
    let (eo, ic, lg) = ("emergency_office", "information_centre", "leadership_group");
    let mut tasks = vec![
        task(
            0,
            "report",
            "initial_report",
            "gd",
            3,
            eo,
            0.0,
            Some(30.0),
            Some(20.0),
            "done",
        ),
        task(
            1,
            "report",
            "written_report",
            "gd",
            3,
            eo,
            0.0,
            Some(30.0),
            Some(45.0),
            "done",
        ),
        task(
            2,
            "report",
            "initial_report",
            "hq",
            1,
            eo,
            10.0,
            Some(40.0),
            None,
            "waiting",
        ),
        task(
            3,
            "step",
            "isolate",
            "isolate",
            3,
            ic,
            0.0,
            Some(60.0),
            None,
            "skipped",
        ),
        task(
            4,
            "step",
            "clean",
            "clean",
            3,
            ic,
            0.0,
            None,
            Some(70.0),
            "done",
        ),
        task(
            5,
            "grade",
            "grade",
            "IV",
            1,
            eo,
            5.0,
            None,
            Some(8.0),
            "done",
        ),
        task(
            6,
            "grade",
            "grade",
            "II",
            0,
            eo,
            10.0,
            None,
            Some(15.0),
            "done",
        ),
        task(
            7,
            "activate",
            "activate_II",
            "II",
            0,
            lg,
            15.0,
            Some(45.0),
            Some(25.0),
            "done",
        ),
        task(
            8,
            "step",
            "notify_users",
            "notify_users",
            3,
            ic,
            50.0,
            Some(200.0),
            None,
            "ready",
        ),
        task(
            9,
            "step",
            "investigate",
            "investigate",
            0,
            ic,
            60.0,
            None,
            None,
            "running",
        ),
    ];
    tasks[4].out_of_order = true;
    tasks[5].expected_level = Some("III".into());
    tasks[6].expected_level = Some("II".into());
    RunRecord {
        scenario: "small".to_owned(),
        start: "2002-11-08T09:00:00".to_owned(),
        tick_min: 10.0,
        duration_min: 120.0,
        response: true,
        timeline,
        events: vec![
            event(5.0, EventKind::WormRelease, 3, "worm released"),
            event(12.0, EventKind::Detection, 3, "symptom"),
            event(
                20.0,
                EventKind::Report,
                3,
                "incident 1: initial report to gd emergency_office",
            ),
            event(25.0, EventKind::Activation, 0, "level II"),
            // Another unit's skip first, then the one of task 3.
            event(40.0, EventKind::Skipped, 2, "isolate not done"),
            event(50.0, EventKind::Skipped, 3, "isolate not done"),
        ],
        tasks,
        totals: Totals {
            peak_infected_hosts: 20,
            total_infected_hosts: 25,
            nodes_affected: 1,
            data_lost_hours: 2.5,
            records_lost: 30,
            ..Totals::default()
        },
        meta: std::sync::Arc::new(RunMeta {
            bodies: vec![
                body(lg, "Leadership group", "领导小组"),
                body(eo, "Emergency office", "应急办公室"),
                body(ic, "Information centre", "信息中心"),
            ],
            nodes: vec![
                node("hq", "hq"),
                node("gd", "provincial"),
                node("gd.01", "prefecture"),
                node("gd.01.01", "county"),
            ],
            injects: vec![(5.0, "worm released".to_owned())],
            ..RunMeta::default()
        }),
        ..RunRecord::default()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn golden_obligations() {
    let rec = small_record();
    let a = assess(&rec, &default_thresholds());
    let got: Vec<(Status, f64, f64)> = a
        .obligations
        .iter()
        .map(|o| (o.status, o.weight, o.credit))
        .collect();
    let want = [
        (Status::OnTime, 3.0, 3.0),
        // 15 min late of 30 allowed: 1 − 0.5 × 15/30 = 0.75.
        (Status::Late, 3.0, 2.25),
        (Status::Missed, 3.0, 0.0),
        (Status::Missed, 2.0, 0.0),
        (Status::OutOfOrder, 1.0, 0.5),
        (Status::WrongLevel, 2.0, 1.0),
        (Status::OnTime, 2.0, 2.0),
        (Status::OnTime, 2.0, 2.0),
        (Status::Pending, 1.0, 0.0),
        (Status::Pending, 1.0, 0.0),
    ];
    assert_eq!(got, want);
    let o = &a.obligations[1];
    assert_eq!(
        (o.unit.as_str(), o.tier.as_str(), o.site.as_str()),
        ("gd.01.01", "county", "gd.01.01")
    );
    assert_eq!(o.capability, Capability::DetectionReporting);
    assert_eq!(a.obligations[3].capability, Capability::Containment);
    assert_eq!(a.obligations[8].capability, Capability::Communication);
    assert_eq!(a.obligations[3].done_min, None);
    // Entry minutes: the skip of task 3 is its own event (50), not gd.01's (40).
    let e = obligations::entry_minutes(&rec, &a.obligations);
    assert_eq!(
        e,
        vec![
            Some(20.0),
            Some(30.0),
            Some(40.0),
            Some(50.0),
            Some(70.0),
            Some(8.0),
            Some(15.0),
            Some(25.0),
            None,
            None
        ]
    );
}

#[test]
fn golden_compliance() {
    let rec = small_record();
    let a = assess(&rec, &default_thresholds());
    // A step function: a point where the values may change, one per row
    // once expanded.
    assert!(a.compliance.len() <= rec.timeline.len());
    assert_eq!(a.compliance[0].minute, rec.timeline[0].minute);
    let sparse = a.compliance.clone();
    let mut a = a;
    a.compliance =
        crate::score::compliance::at_rows(&sparse, rec.timeline.iter().map(|r| r.minute))
            .cloned()
            .collect();
    assert_eq!(a.compliance.len(), rec.timeline.len());
    assert_eq!(
        a.tiers,
        ["hq", "provincial", "prefecture", "county", "grassroots"]
    );
    assert_eq!(
        a.bodies,
        ["leadership_group", "emergency_office", "information_centre"]
    );
    let overall: Vec<f64> = a.compliance.iter().map(|p| p.overall).collect();
    let want = [
        100.0,
        50.0,
        600.0 / 7.0,
        800.0 / 12.0,
        800.0 / 15.0,
        1025.0 / 17.0,
        1025.0 / 17.0,
        1075.0 / 18.0,
        1075.0 / 18.0,
        1075.0 / 18.0,
        1075.0 / 18.0,
        1075.0 / 18.0,
        1075.0 / 18.0,
    ];
    for (g, w) in overall.iter().zip(want) {
        assert!(close(*g, w), "{overall:?}");
    }
    let last = a.compliance.last().unwrap();
    // hq, provincial, prefecture (nothing due), county, grassroots.
    let tiers = [100.0, 20.0, 100.0, 575.0 / 9.0, 100.0];
    for (g, w) in last.by_tier.iter().zip(tiers) {
        assert!(close(*g, w), "{:?}", last.by_tier);
    }
    let bodies = [100.0, 825.0 / 13.0, 50.0 / 3.0];
    for (g, w) in last.by_body.iter().zip(bodies) {
        assert!(close(*g, w), "{:?}", last.by_body);
    }
    let caps = [525.0 / 9.0, 500.0 / 6.0, 0.0, 50.0, 100.0, 100.0];
    for (g, w) in last.by_capability.iter().zip(caps) {
        assert!(close(*g, w), "{:?}", last.by_capability);
    }
    // Containment before its skip (minute 40): nothing due yet.
    assert_eq!(a.compliance[4].by_capability[2], 100.0);
    assert_eq!(a.compliance[5].by_capability[2], 0.0);
    assert!(close(a.outcomes.final_compliance, 1075.0 / 18.0));
}

#[test]
fn golden_outcomes_and_ratings() {
    let rec = small_record();
    let a = assess(&rec, &default_thresholds());
    let o = &a.outcomes;
    assert_eq!(o.time_to_detect_min, Some(7.0));
    assert_eq!(o.time_to_first_report_min, Some(15.0));
    // The only report to HQ was missed.
    assert_eq!(o.time_to_report_hq_min, None);
    // Most severe warranted level II, first chosen at 15.
    assert_eq!(o.time_to_correct_grade_min, Some(10.0));
    assert_eq!(o.time_to_activation_min, Some(20.0));
    // Last growth of infected hosts at minute 60 (10 → 12), then it recedes.
    assert_eq!(o.time_to_containment_min, Some(55.0));
    // Services back within 0.1 of minute 0 at minute 90.
    assert_eq!(o.time_to_recovery_min, Some(85.0));
    assert_eq!(o.records_lost, 30);
    assert_eq!(
        (
            o.obligations,
            o.on_time,
            o.late,
            o.missed,
            o.other_deviations,
            o.pending
        ),
        (10, 3, 1, 2, 2, 2)
    );

    let r: Vec<(Capability, Rating, u32)> = a
        .ratings
        .iter()
        .map(|r| (r.capability, r.rating, r.obligations))
        .collect();
    // Communication and post-incident only have pending obligations: not rated.
    assert_eq!(
        r,
        [
            (Capability::DetectionReporting, Rating::M, 3),
            (Capability::GradingActivation, Rating::S, 3),
            (Capability::Containment, Rating::U, 1),
            (Capability::EradicationRecovery, Rating::M, 1),
        ]
    );

    assert_eq!(a.findings.len(), 4);
    let f = &a.findings[0];
    assert!(!f.strength);
    assert_eq!(f.owner, "emergency_office");
    // Rated M (60 days), but the root cause's kind gives 30: the sooner.
    assert_eq!(f.due_days, 30);
    assert!(
        f.due.basis_en.starts_with("scoring.ron improvement."),
        "{}",
        f.due.basis_en
    );
    assert!(
        f.text_en.starts_with(
            "3 detection and reporting obligations were assessed: 1 on time, 1 late \
             (median 15.0 min late), 1 missed; compliance 58.3 % (rated M)."
        ),
        "{}",
        f.text_en
    );
    assert!(
        f.text_en.contains("compliance 58.3 % (rated M)"),
        "{}",
        f.text_en
    );
    assert!(
        f.text_en
            .contains("1 of the 2 late, missed or deviating obligations fall to the emergency office of provincial bureaus."),
        "{}",
        f.text_en
    );
    assert!(
        f.text_zh.contains("逾期时长中位数 15.0 分钟"),
        "{}",
        f.text_zh
    );
    assert!(
        f.action_en.contains("track every required action"),
        "{}",
        f.action_en
    );
    let g = &a.findings[1];
    assert_eq!(g.capability, Capability::GradingActivation);
    assert!(
        g.text_en.contains("1 graded at the wrong level"),
        "{}",
        g.text_en
    );
    assert!(
        g.action_en.contains("second-person check"),
        "{}",
        g.action_en
    );
    // Rated S (90 days); a wrong level is a training cause (30 days).
    assert_eq!(g.cause, root_cause::CauseKind::Training);
    assert_eq!(g.due_days, 30);
    assert_eq!(
        g.due.basis_en,
        "scoring.ron improvement.training: 30 days from the exercise start"
    );
    assert_eq!(a.findings[2].due_days, 30);
    assert_eq!(a.findings[2].owner, "information_centre");
    // Deterministic.
    assert_eq!(a, assess(&rec, &default_thresholds()));
}

#[test]
fn csv_and_columns() {
    let rec = small_record();
    let a = assess(&rec, &default_thresholds());
    let csv = String::from_utf8(obligations_csv(&a, &rec)).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 11);
    assert!(lines[0].starts_with("id,incident,kind,name,capability,clause,unit,tier,body,site,"));
    assert_eq!(
        lines[2],
        "1,0,report,written_report,detection_reporting,clause 1,gd.01.01,county,\
         emergency_office,gd.01.01,2002-11-08 09:00:00,0.000,2002-11-08 09:30:00,30.000,\
         2002-11-08 09:45:00,45.000,late,3.000,2.250"
    );
    assert!(lines[9].ends_with(",,,pending,1.000,0.000"), "{}", lines[9]);
    let (head, rows) = compliance_columns(&a, &rec);
    assert_eq!(head.len(), 1 + 5 + 3 + 6);
    assert_eq!(head[0], "compliance_overall");
    assert_eq!(head[4], "compliance_tier_county");
    assert_eq!(head[7], "compliance_body_emergency_office");
    assert_eq!(head[14], "compliance_cap_post_incident");
    assert_eq!(rows.len(), rec.timeline.len());
    assert_eq!(rows[2][0], "85.71");
    assert!(rows.iter().all(|r| r.len() == head.len()));
    // timeline.csv carries the same cells, one row per timeline row.
    let tl = String::from_utf8(crate::output::timeline_csv(&rec, &a)).unwrap();
    let lines: Vec<&str> = tl.lines().collect();
    assert_eq!(lines.len(), 1 + rec.timeline.len());
    for (line, row) in lines[1..].iter().zip(&rows) {
        assert!(line.ends_with(&format!(",{}", row.join(","))), "{line}");
    }
}

#[test]
fn outage_containment_and_no_response() {
    let mut rec = small_record();
    rec.tasks.clear();
    rec.totals.total_infected_hosts = 0;
    let cut = [0, 0, 50, 50, 50, 40, 10, 0, 0, 0, 0, 0, 0];
    let down = [0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
    for (i, r) in rec.timeline.iter_mut().enumerate() {
        r.hosts_infected = 0;
        r.nodes_cut_off = cut[i];
        r.nodes_down = down[i];
    }
    let a = assess(&rec, &default_thresholds());
    // Cut-off recedes at 50 before the node is back up at 80.
    assert_eq!(a.outcomes.time_to_containment_min, Some(45.0));
    assert_eq!(a.outcomes.time_to_recovery_min, Some(85.0));
    assert!(a.obligations.is_empty() && a.ratings.is_empty() && a.findings.is_empty());
    assert!(a.compliance.iter().all(|p| p.overall == 100.0));
    // A report event to HQ counts when there are no tasks (drill log).
    rec.events.push(event(
        33.0,
        EventKind::Report,
        1,
        "incident 1: initial report to hq emergency_office",
    ));
    let a = assess(&rec, &default_thresholds());
    assert_eq!(a.outcomes.time_to_report_hq_min, Some(28.0));
}

#[test]
fn real_run_is_assessed() {
    use crate::app;
    use crate::engine::{ResponseSetup, RunConfig};
    let topo = app::load_topology(None).unwrap();
    let scenario = app::load_scenario(
        Some(Path::new("scenarios/hq-core-router-failure.ron")),
        &topo,
    )
    .unwrap();
    let plan = app::load_plan("sat-overall").unwrap();
    let teams = app::load_teams(None, &topo).unwrap();
    let rec = crate::engine::run_with(
        topo,
        scenario,
        Some(ResponseSetup {
            plan,
            teams,
            spread: true,
        }),
        RunConfig {
            seed: 1,
            response: true,
        },
    );
    let a = assess(&rec, &default_thresholds());
    assert!(!rec.tasks.is_empty());
    assert_eq!(a.obligations.len(), rec.tasks.len());
    assert!(!a.compliance.is_empty() && a.compliance.len() <= rec.timeline.len());
    for p in &a.compliance {
        for x in [p.overall]
            .iter()
            .chain(&p.by_tier)
            .chain(&p.by_body)
            .chain(&p.by_capability)
        {
            assert!((0.0..=100.0).contains(x), "{p:?}");
        }
    }
    let o = &a.outcomes;
    assert!((0.0..=100.0).contains(&o.final_compliance));
    assert_eq!(
        o.on_time + o.late + o.missed + o.other_deviations + o.pending,
        o.obligations
    );
    for c in Capability::ALL {
        let exercised = a
            .obligations
            .iter()
            .any(|ob| ob.capability == c && ob.status != Status::Pending);
        assert_eq!(
            a.ratings.iter().any(|r| r.capability == c),
            exercised,
            "{c:?}"
        );
    }
    // One finding per rated capability, plus the plan's gaps (capabilities
    // the outcomes called for without any obligation).
    let gaps: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| !a.ratings.iter().any(|r| r.capability == f.capability))
        .collect();
    assert_eq!(a.findings.len(), a.ratings.len() + gaps.len());
    for g in &gaps {
        assert_eq!(g.cause, root_cause::CauseKind::PlanGap, "{g:?}");
        assert!(!a.obligations.iter().any(|o| o.capability == g.capability));
    }
    eprintln!(
        "plan gaps: {:?}",
        gaps.iter().map(|g| &g.root_en).collect::<Vec<_>>()
    );
    assert!(o.time_to_detect_min.is_some());
    assert_eq!(a, assess(&rec, &default_thresholds()));
    eprintln!(
        "hq-core-router-failure: {} obligations, {:?}, ratings {:?}",
        a.obligations.len(),
        o,
        a.ratings
            .iter()
            .map(|r| (r.capability, r.rating, r.compliance))
            .collect::<Vec<_>>()
    );
}

/// Outcome limits: more wrong-level gradings than the thresholds allow hold
/// grading and activation at S (at the limit it stays P); a cut-off above
/// the share holds containment at S; with the rules off nothing is held.
#[test]
fn outcome_limits_hold_ratings_at_s() {
    let th = default_thresholds();
    let rec = small_record();
    let obs = obligations::obligations(&rec, &th);
    let base = obs
        .iter()
        .find(|o| o.capability == Capability::GradingActivation)
        .expect("a grading obligation")
        .clone();
    let limit = th.outcome_rules.grading_max_wrong_level.expect("rule on");
    let graded = |wrong: u32| {
        let mut v: Vec<Obligation> = (0..10)
            .map(|i| Obligation {
                task: 1000 + i,
                status: Status::OnTime,
                credit: base.weight,
                ..base.clone()
            })
            .collect();
        for o in v.iter_mut().take(wrong as usize) {
            o.status = Status::WrongLevel;
        }
        v
    };
    let limits = |obs: &[Obligation], c: Capability, th: &Thresholds, rec: &RunRecord| {
        let of: Vec<&Obligation> = obs.iter().filter(|o| o.capability == c).collect();
        ratings::outcome_limits(rec, c, &of, th)
    };
    assert!(limits(&graded(limit), Capability::GradingActivation, &th, &rec).is_empty());
    let over = limits(&graded(limit + 1), Capability::GradingActivation, &th, &rec);
    assert_eq!(over.len(), 1);
    assert!(
        over[0]
            .0
            .contains(&format!("{} gradings chose the wrong level", limit + 1))
    );
    let r = ratings::ratings(&rec, &graded(limit + 1), &th);
    // Full credit on every obligation: compliance alone gives P, the
    // limit holds it at S.
    assert_eq!(r[0].compliance, 100.0);
    assert_eq!((r[0].limits.len(), r[0].rating), (1, Rating::S));
    assert_eq!(
        ratings::ratings(&rec, &graded(limit), &th)[0].rating,
        Rating::P
    );

    let mut cut = rec.clone();
    cut.wan_nodes = 1000;
    cut.totals.nodes_cut_off_max = 11; // > 1 % of 1,000
    let c = limits(&obs, Capability::Containment, &th, &cut);
    assert!(
        c.iter().any(|l| l.0.starts_with("11 of 1,000 WAN nodes")),
        "{c:?}"
    );
    cut.totals.nodes_cut_off_max = 10;
    let c = limits(&obs, Capability::Containment, &th, &cut);
    assert!(!c.iter().any(|l| l.0.contains("cut off")), "{c:?}");
    let mut off = th.clone();
    off.outcome_rules = Default::default();
    cut.totals.nodes_cut_off_max = 500;
    assert!(limits(&obs, Capability::Containment, &off, &cut).is_empty());
}
