//! Test inputs: a small hand-made run and a stand-in assessment (the real
//! `score::assess` is written elsewhere; this only feeds the renderer).

use crate::engine::RunRecord;
use crate::engine::record::{
    BodyMeta, Event, EventKind, NodeMeta, ProvinceImpact, RunMeta, TaskRecord, TimelineRow,
};
use crate::score::{
    Assessment, Capability, CapabilityRating, CompliancePoint, Finding, Obligation, Outcomes,
    Rating, Status,
};

/// A small run: 3 provinces, 2 bodies, a few tasks.
pub fn record(name: &str) -> RunRecord {
    let nodes = vec![
        node(
            "hq",
            "国家税务总局",
            "State Taxation Administration HQ",
            "hq",
            "",
        ),
        node(
            "gd",
            "广东省税务局",
            "Guangdong provincial bureau",
            "provincial",
            "gd",
        ),
        node(
            "gd.01",
            "广州市税务局",
            "Guangzhou bureau",
            "prefecture",
            "gd",
        ),
        node("bj", "北京市税务局", "Beijing bureau", "provincial", "bj"),
    ];
    let timeline = (0..=240)
        .map(|m| {
            let m = m as f64 * 3.0;
            let inf = if m < 60.0 {
                0
            } else {
                ((m - 60.0) * 2.0).min(400.0) as u64
            };
            TimelineRow {
                minute: m,
                hosts_susceptible: 1000 - inf,
                hosts_infected: inf,
                nodes_affected: (inf / 100) as u32,
                nodes_down: u32::from(m > 300.0 && m < 420.0),
                services_available_pct: 100.0 - inf as f64 / 20.0,
                taxpayer_services_down: (inf / 150) as u32,
                ..Default::default()
            }
        })
        .collect();
    let task = |id: usize,
                kind: &str,
                tname: &str,
                body: &str,
                s: f64,
                f: Option<f64>,
                due: Option<f64>| TaskRecord {
        id,
        incident: 0,
        kind: kind.into(),
        name: tname.into(),
        source: "".into(),
        decided: None,
        expected_level: None,
        action: tname.into(),
        unit: 1,
        body: body.into(),
        site: 1,
        created: s,
        due,
        started: Some(s),
        finished: f,
        state: if f.is_some() {
            "done".into()
        } else {
            "running".into()
        },
        out_of_order: false,
        clause: format!("§3.{id} <b>clause</b>").into(),
        log_row: None,
        done_by: None,
    };
    RunRecord {
        scenario: name.to_string(),
        scenario_slug: "test".into(),
        seed: 7,
        start: "2002-11-08T09:00:00".into(),
        tick_min: 3.0,
        duration_min: 720.0,
        response: true,
        wan_nodes: 4,
        links: 3,
        hosts: 1000,
        services: 10,
        threats: Vec::new(),
        timeline,
        events: vec![
            ev(0.0, EventKind::Inject, Some(1), "", "worm released <i>"),
            ev(
                90.0,
                EventKind::Detection,
                Some(1),
                "gd information_centre",
                "symptom seen",
            ),
            ev(
                95.0,
                EventKind::IncidentOpened,
                Some(1),
                "gd information_centre",
                "incident 1",
            ),
            ev(
                120.0,
                EventKind::Report,
                Some(0),
                "gd emergency_office",
                "initial report",
            ),
            ev(
                130.0,
                EventKind::Grading,
                Some(0),
                "hq emergency_office",
                "level III",
            ),
            ev(
                150.0,
                EventKind::Activation,
                Some(0),
                "hq leadership_group",
                "level III",
            ),
            ev(
                200.0,
                EventKind::StepFinish,
                Some(1),
                "gd information_centre",
                "isolate at gd",
            ),
            ev(700.0, EventKind::ResponseEnded, None, "", "end"),
        ],
        tasks: vec![
            task(
                0,
                "report",
                "initial",
                "emergency_office",
                95.0,
                Some(120.0),
                Some(125.0),
            ),
            task(
                1,
                "grade",
                "grade",
                "emergency_office",
                120.0,
                Some(130.0),
                Some(125.0),
            ),
            task(
                2,
                "activate",
                "III",
                "leadership_group",
                130.0,
                Some(150.0),
                Some(160.0),
            ),
            task(
                3,
                "step",
                "isolate",
                "information_centre",
                150.0,
                Some(200.0),
                Some(180.0),
            ),
            task(
                4,
                "step",
                "patch",
                "information_centre",
                200.0,
                None,
                Some(400.0),
            ),
        ],
        data_losses: vec![crate::engine::DataLoss {
            node: 1,
            inject: 0,
            cause: "worm_encrypt".into(),
            minute: 100.0,
            backup_age_hours: 10.5,
            hosts: 12,
            records: 63,
            restored: Some(300.0),
        }],
        totals: crate::engine::record::Totals {
            peak_infected_hosts: 400,
            total_infected_hosts: 450,
            nodes_affected: 3,
            provinces: vec![
                ProvinceImpact {
                    code: "bj".into(),
                    nodes_infected: 0,
                    hosts_infected: 0,
                    nodes_down: 0,
                },
                ProvinceImpact {
                    code: "gd".into(),
                    nodes_infected: 3,
                    hosts_infected: 450,
                    nodes_down: 1,
                },
                ProvinceImpact {
                    code: "sh".into(),
                    nodes_infected: 1,
                    hosts_infected: 12,
                    nodes_down: 0,
                },
            ],
            ..Default::default()
        },
        texts: Default::default(),
        lean: false,
        drill: None,
        meta: std::sync::Arc::new(RunMeta {
            scenario_description: "测试情景 <test> & description".into(),
            plan: "test-plan".into(),
            plan_name: "测试预案 Test plan".into(),
            bodies: vec![
                body("leadership_group", "领导小组", "Leadership group"),
                body("emergency_office", "应急办公室", "Emergency office"),
                body("information_centre", "信息中心", "Information centre"),
            ],
            provinces: vec![
                ("bj".into(), "北京".into(), "Beijing".into()),
                ("gd".into(), "广东".into(), "Guangdong".into()),
                ("sh".into(), "上海".into(), "Shanghai".into()),
            ],
            nodes,
            injects: vec![
                (0.0, "worm released".into()),
                (300.0, "power failure <x>".into()),
            ],
            objectives: vec![(
                crate::score::Capability::Containment,
                "总体预案 五.2".into(),
                "Isolate infected sites within the deadline <i>".into(),
            )],
            ..Default::default()
        }),
    }
}

fn node(id: &str, zh: &str, en: &str, tier: &str, prov: &str) -> NodeMeta {
    NodeMeta {
        id: id.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        tier: tier.into(),
        province: prov.into(),
    }
}

fn body(id: &str, zh: &str, en: &str) -> BodyMeta {
    BodyMeta {
        id: id.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        role: id.into(),
    }
}

fn ev(minute: f64, kind: EventKind, node: Option<u32>, actor: &str, detail: &str) -> Event {
    Event {
        minute,
        kind,
        node,
        link: None,
        actor: actor.into(),
        clause: "c".into(),
        detail: detail.to_string().into(),
    }
}

fn capability(kind: &str, name: &str) -> Capability {
    match (kind, name) {
        ("report", _) => Capability::DetectionReporting,
        ("grade", _) | ("activate", _) => Capability::GradingActivation,
        (_, "isolate") | (_, "block_port") => Capability::Containment,
        (_, "summary_report") => Capability::PostIncident,
        _ => Capability::EradicationRecovery,
    }
}

/// A stand-in for `score::assess`, good enough to exercise the renderer.
pub fn assess(rec: &RunRecord) -> Assessment {
    let end = rec.duration_min;
    let obligations: Vec<Obligation> = rec
        .tasks
        .iter()
        .map(|t| {
            let status = match (t.due, t.finished) {
                _ if t.state == "skipped" => Status::Missed,
                (Some(d), Some(f)) if f > d => Status::Late,
                (_, Some(_)) => Status::OnTime,
                (Some(d), None) if d <= end => Status::Missed,
                _ => Status::Pending,
            };
            let credit = match status {
                Status::OnTime => 1.0,
                Status::Late => 0.5,
                _ => 0.0,
            };
            let unit = rec.meta.nodes.get(t.unit as usize);
            Obligation {
                task: t.id,
                incident: t.incident,
                kind: t.kind.clone(),
                name: t.name.clone(),
                action: t.action.clone(),
                capability: capability(&t.kind, &t.name),
                clause: t.clause.clone(),
                unit: unit.map(|n| n.id.as_str()).unwrap_or_default().into(),
                tier: unit.map(|n| n.tier.as_str()).unwrap_or_default().into(),
                body: t.body.clone(),
                site: unit.map(|n| n.id.as_str()).unwrap_or_default().into(),
                trigger_min: t.created,
                due_min: t.due,
                done_min: t.finished,
                status,
                weight: 1.0,
                credit,
            }
        })
        .collect();
    let mut tiers: Vec<String> = obligations.iter().map(|o| o.tier.to_string()).collect();
    tiers.sort();
    tiers.dedup();
    let ratio = |m: f64, f: &dyn Fn(&Obligation) -> bool| {
        let due: Vec<&Obligation> = obligations
            .iter()
            .filter(|o| f(o) && o.due_min.is_some_and(|d| d <= m))
            .collect();
        if due.is_empty() {
            return 100.0;
        }
        let earned: f64 = due
            .iter()
            .map(|o| {
                if o.done_min.is_some_and(|d| d <= m) {
                    o.credit
                } else {
                    0.0
                }
            })
            .sum();
        100.0 * earned / due.len() as f64
    };
    let compliance = rec
        .timeline
        .iter()
        .map(|r| CompliancePoint {
            minute: r.minute,
            overall: ratio(r.minute, &|_| true),
            by_tier: tiers
                .iter()
                .map(|t| ratio(r.minute, &|o| &o.tier == t))
                .collect(),
            by_body: vec![],
            by_capability: vec![],
        })
        .collect::<Vec<_>>();
    let count = |s: Status| obligations.iter().filter(|o| o.status == s).count() as u32;
    let ratings = Capability::ALL
        .iter()
        .map(|&c| {
            let os: Vec<&Obligation> = obligations.iter().filter(|o| o.capability == c).collect();
            let n = os.len() as u32;
            let on = os.iter().filter(|o| o.status == Status::OnTime).count() as u32;
            let late = os.iter().filter(|o| o.status == Status::Late).count() as u32;
            let missed = os.iter().filter(|o| o.status == Status::Missed).count() as u32;
            let comp = if n == 0 {
                100.0
            } else {
                100.0 * os.iter().map(|o| o.credit).sum::<f64>() / n as f64
            };
            let rating = match comp {
                x if x >= 90.0 => Rating::P,
                x if x >= 70.0 => Rating::S,
                x if x >= 40.0 => Rating::M,
                _ => Rating::U,
            };
            CapabilityRating {
                capability: c,
                rating,
                compliance: comp,
                obligations: n,
                on_time: on,
                late,
                missed,
                limits: vec![],
            }
        })
        .collect();
    let final_compliance = compliance.last().map_or(100.0, |p| p.overall);
    Assessment {
        outcomes: Outcomes {
            time_to_detect_min: Some(90.0),
            time_to_first_report_min: Some(120.0),
            peak_infected_hosts: rec.totals.peak_infected_hosts,
            total_infected_hosts: rec.totals.total_infected_hosts,
            nodes_affected: rec.totals.nodes_affected,
            service_hours_lost: rec.totals.service_hours_lost,
            final_compliance,
            obligations: obligations.len() as u32,
            on_time: count(Status::OnTime),
            late: count(Status::Late),
            missed: count(Status::Missed),
            pending: count(Status::Pending),
            ..Default::default()
        },
        obligations,
        tiers,
        bodies: vec![],
        compliance,
        ratings,
        method: crate::score::Method::of(&crate::score::default_thresholds()),
        findings: vec![
            Finding {
                capability: Capability::DetectionReporting,
                strength: true,
                text_en: "Initial reports went up within the deadline.".into(),
                text_zh: "初次报告均在时限内上报。".into(),
                action_en: String::new(),
                action_zh: String::new(),
                owner: "emergency_office".into(),
                due_days: 0,
                owner_unit: String::new(),
                root_en: String::new(),
                root_zh: String::new(),
                cause: Default::default(),
                due: Default::default(),
            },
            Finding {
                capability: Capability::Containment,
                strength: false,
                text_en: "Isolation of infected sites was late <b>.".into(),
                text_zh: "受感染站点的隔离超时。".into(),
                action_en: "Drill isolation procedures quarterly.".into(),
                action_zh: "每季度演练隔离操作规程。".into(),
                owner: "information_centre".into(),
                due_days: 30,
                owner_unit: "gd".into(),
                root_en: "late isolation hop <b>".into(),
                root_zh: "隔离超时".into(),
                cause: Default::default(),
                due: Default::default(),
            },
        ],
    }
}
