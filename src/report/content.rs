//! The report's content, independent of format (HSEEP AAR/IP order).

use crate::model::topology_summary::thousands;
use jiff::civil::DateTime;

use super::Ctx;
use super::charts::Chart;
use super::labels::{self as lb, fill};
use crate::engine::record::EventKind;
use crate::score::{Capability, Obligation, Status};

/// A whole report.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    pub title: String,
    pub subtitle: String,
    pub scenario: String,
    pub note: String,
    pub sections: Vec<Section>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// Anchor id (ASCII).
    pub id: &'static str,
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Para(String),
    Heading(String),
    Bullets(Vec<String>),
    /// Label → value pairs.
    Facts(Vec<(String, String)>),
    Table(Table),
    /// A chart, by index into the chart list; numbered in order.
    Figure(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A table cell; `class` styles it in HTML (`rating-P`, `status-missed`, `num`).
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub text: String,
    pub class: Option<&'static str>,
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell { text, class: None }
    }
}
impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell {
            text: text.to_string(),
            class: None,
        }
    }
}

fn cell(text: impl Into<String>, class: &'static str) -> Cell {
    Cell {
        text: text.into(),
        class: Some(class),
    }
}

/// Key events listed at most.
pub const MAX_EVENTS: usize = 30;
/// Late and missed obligations listed at most.
pub const MAX_DEVIATIONS: usize = 25;
/// Data losses listed at most (largest first).
pub const MAX_DATA_LOSSES: usize = 15;

pub fn document(ctx: &Ctx, charts: &[Chart]) -> Doc {
    let rec = ctx.rec;
    // A real drill's log (`drillsim assess`) says so in the title and has
    // its own section after the overview.
    let drill = super::drill::section(ctx);
    let (title, subtitle) = match drill {
        Some(_) => (super::drill::TITLE, super::drill::SUBTITLE),
        None => (lb::REPORT_TITLE, lb::REPORT_SUBTITLE),
    };
    let mut doc = Doc {
        title: ctx.t(title).to_string(),
        subtitle: ctx.t(subtitle).to_string(),
        scenario: rec.scenario.clone(),
        note: ctx.t(lb::GENERATED_BY).to_string(),
        sections: vec![
            overview(ctx),
            summary(ctx),
            timeline(ctx),
            Section {
                id: "charts",
                title: ctx.t(lb::SEC_CHARTS).to_string(),
                blocks: (0..charts.len()).map(Block::Figure).collect(),
            },
            capabilities(ctx),
            deviations(ctx),
            outcomes(ctx),
            improvement(ctx),
            method(ctx),
            sign_off(ctx),
            appendix(ctx, charts),
        ],
    };
    if let Some(d) = drill {
        doc.sections.insert(1, d);
    }
    doc
}

fn pct(v: f64) -> String {
    format!("{v:.1}%")
}

fn overview(ctx: &Ctx) -> Section {
    let rec = ctx.rec;
    let t = |l| ctx.t(l).to_string();
    let plan = if rec.meta.plan.is_empty() {
        t(lb::OV_PLAN_NONE)
    } else {
        format!("{} ({})", rec.meta.plan_name, rec.meta.plan)
    };
    let mut facts = vec![
        (t(lb::OV_SCENARIO), rec.scenario.clone()),
        (t(lb::OV_SCENARIO_FILE), rec.scenario_slug.clone()),
        (t(lb::OV_PLAN), plan),
        (t(lb::OV_SEED), rec.seed.to_string()),
        (t(lb::OV_START), ctx.clock(0.0)),
        (t(lb::OV_END), ctx.clock(rec.duration_min)),
        (t(lb::OV_DURATION), ctx.duration(rec.duration_min)),
        (t(lb::OV_TICK), ctx.duration(rec.tick_min)),
        (
            t(lb::OV_NETWORK),
            fill(
                ctx.t(lb::OV_NETWORK_FMT),
                &[
                    ("nodes", thousands(rec.wan_nodes as u64)),
                    ("links", thousands(rec.links as u64)),
                    ("hosts", thousands(rec.hosts)),
                    ("services", thousands(rec.services as u64)),
                ],
            ),
        ),
        (t(lb::OV_PROVINCES), rec.meta.provinces.len().to_string()),
    ];
    if !rec.meta.bodies.is_empty() {
        let names: Vec<String> = rec
            .meta
            .bodies
            .iter()
            .map(|b| ctx.lang.pick(&b.name_zh, &b.name_en).to_string())
            .collect();
        facts.push((t(lb::OV_BODIES), names.join(ctx.lang.pick("、", ", "))));
    }
    let units = participating_units(ctx);
    if !units.is_empty() {
        facts.push((t(lb::OV_UNITS), units));
    }
    let mut blocks = vec![Block::Facts(facts)];
    if rec.response {
        // Every run of `drillsim run` is played by the simulated teams (the
        // record has no other source of decisions yet).
        // A drill log's record says who the real players were.
        blocks.push(Block::Para(
            super::drill::players_note(ctx).unwrap_or_else(|| t(lb::OV_SIMULATED)),
        ));
    }
    if !rec.meta.scenario_description.is_empty() {
        blocks.push(Block::Heading(t(lb::OV_DESCRIPTION)));
        blocks.push(Block::Para(rec.meta.scenario_description.clone()));
    }
    if !rec.meta.objectives.is_empty() {
        blocks.push(Block::Heading(t(lb::OV_OBJECTIVES)));
        blocks.push(Block::Table(objectives(ctx)));
    }
    if !rec.meta.injects.is_empty() {
        blocks.push(Block::Heading(t(lb::OV_INJECTS)));
        blocks.push(Block::Bullets(
            rec.meta
                .injects
                .iter()
                .enumerate()
                .map(|(i, (m, d))| {
                    let d = ctx.names().inject(d);
                    format!("I{} {} ({}): {}", i + 1, ctx.clock(*m), ctx.elapsed(*m), d)
                })
                .collect(),
        ));
    }
    Section {
        id: "overview",
        title: t(lb::SEC_OVERVIEW),
        blocks,
    }
}

/// The scenario's objectives, each with its capability's rating (or why it
/// is not rated).
fn objectives(ctx: &Ctx) -> Table {
    let rows = ctx
        .rec
        .meta
        .objectives
        .iter()
        .enumerate()
        .map(|(i, (cap, clause, text))| {
            let rating = ctx.a.ratings.iter().find(|r| r.capability == *cap);
            let (label, class) = match rating {
                Some(r) => (
                    lb::rating(r.rating).get(ctx.lang).to_string(),
                    match r.rating {
                        crate::score::Rating::P => "rating-P",
                        crate::score::Rating::S => "rating-S",
                        crate::score::Rating::M => "rating-M",
                        crate::score::Rating::U => "rating-U",
                    },
                ),
                None => (ctx.t(lb::OBJ_NOT_RATED).to_string(), "rating-none"),
            };
            vec![
                cell(format!("O{}", i + 1), "num"),
                Cell::from(text.clone()),
                Cell::from(lb::capability(*cap).get(ctx.lang)),
                cell(clause.clone(), "clause"),
                cell(label, class),
            ]
        })
        .collect();
    Table {
        head: [
            lb::IP_NO,
            lb::OBJ_TEXT,
            lb::IP_CAPABILITY,
            lb::DEV_CLAUSE,
            lb::CAP_RATING,
        ]
        .iter()
        .map(|l| ctx.t(*l).to_string())
        .collect(),
        rows,
    }
}

/// The units that had obligations, by tier: every name for HQ and the
/// provincial tier, counts with the first names below.
fn participating_units(ctx: &Ctx) -> String {
    let mut parts = Vec::new();
    for tier in &ctx.a.tiers {
        let mut units: Vec<&str> = ctx
            .a
            .obligations
            .iter()
            .filter(|o| &o.tier == tier)
            .map(|o| o.unit.as_str())
            .collect();
        units.sort_unstable();
        units.dedup();
        let shown = if matches!(tier.as_str(), "hq" | "provincial") {
            units.len()
        } else {
            3
        };
        let mut names: Vec<String> = units.iter().take(shown).map(|u| ctx.node_name(u)).collect();
        if units.len() > shown {
            names.push("…".into());
        }
        parts.push(format!(
            "{} {}（{}）",
            lb::tier(tier).get(ctx.lang),
            units.len(),
            names.join(ctx.lang.pick("、", ", "))
        ));
    }
    let parts: Vec<String> = if ctx.lang == super::Lang::En {
        parts
            .into_iter()
            .map(|p| p.replace('（', " (").replace('）', ")"))
            .collect()
    } else {
        parts
    };
    parts.join(ctx.lang.pick("；", "; "))
}

fn other_deviations(o: &crate::score::Outcomes) -> u32 {
    o.other_deviations
}

fn summary(ctx: &Ctx) -> Section {
    let a = ctx.a;
    let o = &a.outcomes;
    let mut blocks = Vec::new();
    if ctx.rec.response {
        blocks.push(Block::Para(fill(
            ctx.t(lb::SUM_LEAD),
            &[
                ("n", thousands(o.obligations as u64)),
                ("on_time", thousands(o.on_time as u64)),
                ("late", thousands(o.late as u64)),
                ("missed", thousands(o.missed as u64)),
                ("other", thousands(other_deviations(o) as u64)),
                ("pending", thousands(o.pending as u64)),
                ("not_due", thousands(o.not_due as u64)),
                ("compliance", pct(o.final_compliance)),
            ],
        )));
    } else {
        blocks.push(Block::Para(ctx.t(lb::SUM_NO_RESPONSE).to_string()));
    }
    blocks.push(Block::Para(impact(ctx)));
    if !a.ratings.is_empty() {
        blocks.push(Block::Heading(ctx.t(lb::SUM_RATINGS).to_string()));
        blocks.push(Block::Bullets(
            a.ratings
                .iter()
                .map(|r| {
                    format!(
                        "{}: {}",
                        lb::capability(r.capability).get(ctx.lang),
                        lb::rating(r.rating).get(ctx.lang)
                    )
                })
                .collect(),
        ));
    }
    for (strength, label) in [(true, lb::SUM_STRENGTHS), (false, lb::SUM_AREAS)] {
        blocks.push(Block::Heading(ctx.t(label).to_string()));
        let items: Vec<String> = a
            .findings
            .iter()
            .filter(|f| f.strength == strength)
            .map(|f| {
                format!(
                    "{}: {}",
                    lb::capability(f.capability).get(ctx.lang),
                    ctx.lang.pick(&f.text_zh, &f.text_en)
                )
            })
            .collect();
        if items.is_empty() {
            blocks.push(Block::Para(ctx.t(lb::NONE_RECORDED).to_string()));
        } else {
            blocks.push(Block::Bullets(items));
        }
    }
    Section {
        id: "summary",
        title: ctx.t(lb::SEC_SUMMARY).to_string(),
        blocks,
    }
}

/// The executive summary's impact sentence: the worm's numbers when hosts
/// were infected; a virus's hosts when only a virus infected any; for an outage (nothing infected) what it did instead —
/// nodes down, nodes cut off from HQ, services lost — never "peak 0 hosts";
/// and where nothing was infected or lost, that plainly (never "an outage:
/// at most 0 nodes were down").
fn impact(ctx: &Ctx) -> String {
    let o = &ctx.a.outcomes;
    let tot = &ctx.rec.totals;
    let args = [
        ("peak", thousands(o.peak_infected_hosts)),
        ("total", thousands(o.total_infected_hosts)),
        ("nodes", thousands(o.nodes_affected as u64)),
        ("down", thousands(tot.nodes_down_max as u64)),
        ("cut", thousands(o.nodes_cut_off_max as u64)),
        ("svc", format!("{:.1}", o.service_hours_lost)),
        ("tax", format!("{:.1}", o.taxpayer_service_hours_lost)),
    ];
    // The worms' hosts (the timeline's): a virus alone (hosts only in the
    // outcome total) has no peak to quote.
    let mut text = if tot.total_infected_hosts > 0 {
        fill(ctx.t(lb::SUM_IMPACT), &args)
    } else if o.total_infected_hosts > 0 {
        // Hosts infected, but by a virus in an office LAN, not a worm.
        fill(ctx.t(lb::SUM_IMPACT_VIRUS), &args)
    } else if tot.nodes_down_max == 0
        && o.nodes_cut_off_max == 0
        && o.service_hours_lost == 0.0
        && o.taxpayer_service_hours_lost == 0.0
    {
        // A defaced page, harmful posts, copied records: no outage to tell.
        ctx.t(lb::SUM_IMPACT_NONE).to_string()
    } else {
        fill(ctx.t(lb::SUM_IMPACT_OUTAGE), &args)
    };
    if tot.total_infected_hosts > 0 && (tot.nodes_down_max > 0 || o.nodes_cut_off_max > 0) {
        text += ctx.lang.pick("", " ");
        text += &fill(ctx.t(lb::SUM_IMPACT_ALSO), &args);
    }
    text
}

/// Why a row is in the key-events table; lower = more important. Rows of
/// [`Why::Must`] are never cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Why {
    /// Injects, the first hit per tier, every level change, the largest
    /// network consequences, the end of each response.
    Must,
    /// Missed obligations (costliest first), first detection and report,
    /// the first report to reach HQ, outages at HQ or a provincial bureau.
    High,
    /// The first finish of each step action, duty, other milestones.
    Low,
}

/// One row of the key-events table.
#[derive(Clone, Debug, PartialEq)]
struct KeyRow {
    minute: f64,
    why: Why,
    /// Tie-break: events keep their record order; derived rows follow them.
    order: usize,
    kind: String,
    place: String,
    actor: String,
    detail: String,
}

/// A quantity read off one timeline row.
type RowValue = fn(&crate::engine::TimelineRow) -> f64;

/// Missed obligations listed among the key events at most.
pub const MAX_MISSED_EVENTS: usize = 5;

/// `incident 3: graded level II (orange)…` → (3, "II"); for activations
/// `incident 3: level II (orange) response started…` → (3, "II").
fn incident_level(detail: &str) -> Option<(usize, String)> {
    let rest = detail.strip_prefix("incident ")?;
    let (n, rest) = rest.split_once(':')?;
    let n: usize = n.trim().parse().ok()?;
    let rest = rest.trim_start();
    let rest = rest.strip_prefix("graded ").unwrap_or(rest);
    let lvl = rest.strip_prefix("level ")?.split([' ', ';', ',']).next()?;
    crate::score::outcomes::level_rank(lvl).map(|_| (n, lvl.to_string()))
}

/// The rise of a timeline quantity that was largest, as (row index, before,
/// after); None when it never rose. Ties: the earliest.
fn largest_rise(
    rows: &[crate::engine::TimelineRow],
    f: impl Fn(&crate::engine::TimelineRow) -> f64,
) -> Option<(usize, f64, f64)> {
    let mut best: Option<(usize, f64, f64)> = None;
    for i in 1..rows.len() {
        let (a, b) = (f(&rows[i - 1]), f(&rows[i]));
        if b > a && best.is_none_or(|(_, x, y)| b - a > y - x) {
            best = Some((i, a, b));
        }
    }
    best
}

/// Key events, chosen by consequence: the injects; the first node hit
/// (infected or down) in each tier, HQ included; every change of an
/// incident's level (its first grading, a unit raising its level, a grading
/// or activation more severe than any before in that incident, and HQ's
/// gradings and activations); the largest rise of nodes cut off from HQ, of
/// nodes down and of services unavailable (from the timeline, with what
/// happened in that step); the end (or open state) of each response. Then,
/// as room allows, the costliest missed obligations, the first detection,
/// report and report reaching HQ, outages at HQ or provincial bureaus, and
/// the first finish of each step action. In time order; capped at
/// [`MAX_EVENTS`] rows by cutting the least important first, never a
/// [`Why::Must`] row. Returns the rows and how many were left out.
fn key_events(ctx: &Ctx) -> (Vec<KeyRow>, usize) {
    use EventKind as K;
    let rec = ctx.rec;
    let ev = &rec.events;
    let tier_of = |node: Option<u32>| {
        node.and_then(|i| rec.meta.nodes.get(i as usize))
            .map(|n| n.tier.as_str())
            .unwrap_or("")
    };
    let hq = rec
        .meta
        .nodes
        .iter()
        .find(|n| n.tier == "hq")
        .map(|n| n.id.clone())
        .unwrap_or_else(|| "hq".into());
    let row_of = |i: usize, why: Why| {
        let e = &ev[i];
        KeyRow {
            minute: e.minute,
            why,
            order: i,
            kind: lb::event_kind(e.kind).get(ctx.lang).to_string(),
            place: ctx.node_name_at(e.node),
            actor: ctx.actor(&e.actor),
            detail: ctx.names().detail(e),
        }
    };
    let mut rows: Vec<KeyRow> = Vec::new();
    let mut first: std::collections::BTreeSet<(EventKind, String)> = Default::default();
    // Most severe level so far per incident (rank: I = 1), graded / activated.
    let mut graded: std::collections::BTreeMap<usize, u8> = Default::default();
    let mut activated: std::collections::BTreeMap<usize, u8> = Default::default();
    let first_hq_report = crate::score::outcomes::report_reached_hq(rec);
    let mut hq_report_listed = false;
    for (i, e) in ev.iter().enumerate() {
        let unit = e.actor.split(' ').next().unwrap_or("");
        let why = match e.kind {
            K::Inject | K::WormRelease | K::ResponseEnded | K::ResponseOpen => Some(Why::Must),
            K::IncidentOpened => Some(Why::High),
            // The first node hit in each tier (HQ's own infection included).
            K::NodeInfected | K::NodeDown
                if first.insert((K::NodeInfected, tier_of(e.node).to_string())) =>
            {
                Some(Why::Must)
            }
            K::NodeDown | K::LinkCut if matches!(tier_of(e.node), "hq" | "provincial") => {
                Some(Why::High)
            }
            K::Grading => match incident_level(&e.detail) {
                Some((n, lvl)) => {
                    let r = crate::score::outcomes::level_rank(&lvl).unwrap_or(4);
                    let more_severe = graded.get(&n).is_none_or(|&x| r < x);
                    if more_severe {
                        graded.insert(n, r);
                    }
                    (more_severe || e.detail.contains("raised from") || unit == hq)
                        .then_some(Why::Must)
                }
                None => first.insert((e.kind, String::new())).then_some(Why::High),
            },
            K::Activation => match incident_level(&e.detail) {
                Some((n, lvl)) if e.detail.contains("response started") => {
                    let r = crate::score::outcomes::level_rank(&lvl).unwrap_or(4);
                    let more_severe = activated.get(&n).is_none_or(|&x| r < x);
                    if more_severe {
                        activated.insert(n, r);
                    }
                    (more_severe || unit == hq).then_some(Why::Must)
                }
                _ => None,
            },
            K::Detection if first.insert((e.kind, String::new())) => Some(Why::High),
            K::Report if first.insert((e.kind, String::new())) => Some(Why::High),
            K::Report
                if !hq_report_listed
                    && first_hq_report.is_some_and(|m| (m - e.minute).abs() < 1e-6) =>
            {
                hq_report_listed = true;
                Some(Why::High)
            }
            K::Duty if first.insert((e.kind, String::new())) => Some(Why::Low),
            K::StepFinish => {
                let step = e.detail.split(' ').next().unwrap_or("").to_string();
                first.insert((e.kind, step)).then_some(Why::Low)
            }
            _ => None,
        };
        if let Some(w) = why {
            rows.push(row_of(i, w));
        }
    }
    // The largest network consequences, read off the timeline.
    let tl = &rec.timeline;
    let consequences: [(lb::L, lb::L, RowValue); 3] = [
        (lb::KE_CUT_OFF, lb::KE_CUT_OFF_FMT, |r| {
            r.nodes_cut_off as f64
        }),
        (lb::KE_DOWN, lb::KE_DOWN_FMT, |r| r.nodes_down as f64),
        (lb::KE_SERVICES, lb::KE_SERVICES_FMT, |r| {
            100.0 - r.services_available_pct
        }),
    ];
    let instances = rec.services as f64 / 100.0;
    for (k, (kind, fmt, f)) in consequences.into_iter().enumerate() {
        let Some((ri, before, after)) = largest_rise(tl, f) else {
            continue;
        };
        let (from, to) = (tl[ri - 1].minute, tl[ri].minute);
        // What happened in that step: an inject, else the first outage,
        // cut, saturation or finished step in it.
        let in_step = |keep: &dyn Fn(EventKind) -> bool| {
            ev.iter()
                .position(|e| e.minute >= from && e.minute <= to && keep(e.kind))
        };
        let cause = in_step(&|k| matches!(k, K::Inject | K::WormRelease)).or_else(|| {
            in_step(&|k| {
                matches!(
                    k,
                    K::NodeDown | K::LinkCut | K::LinkSaturated | K::StepFinish | K::NodeInfected
                )
            })
        });
        // Service shares are shown as instances (share × instances).
        let num = |v: f64| {
            let v = if k == 2 { v * instances } else { v };
            thousands(v.round().max(0.0) as u64)
        };
        let mut detail = fill(
            ctx.t(fmt),
            &[
                ("before", num(before)),
                ("after", num(after)),
                ("rise", num(after - before)),
                ("peak", num(tl.iter().map(f).fold(0.0, f64::max))),
            ],
        );
        let (mut place, mut actor) = (String::new(), String::new());
        if let Some(c) = cause {
            let e = &ev[c];
            detail = format!(
                "{detail}{}{}: {}",
                ctx.t(lb::KE_CAUSE),
                lb::event_kind(e.kind).get(ctx.lang),
                ctx.names().detail(e)
            );
            place = ctx.node_name_at(e.node);
            actor = ctx.actor(&e.actor);
        }
        rows.push(KeyRow {
            minute: to,
            why: Why::Must,
            order: ev.len() + k,
            kind: ctx.t(kind).to_string(),
            place,
            actor,
            detail,
        });
    }
    // Missed obligations, costliest first.
    let mut missed: Vec<&Obligation> = ctx
        .a
        .obligations
        .iter()
        .filter(|o| o.status == Status::Missed)
        .collect();
    missed.sort_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then(
                x.due_min
                    .unwrap_or(f64::MAX)
                    .total_cmp(&y.due_min.unwrap_or(f64::MAX)),
            )
            .then(x.task.cmp(&y.task))
    });
    for (k, o) in missed.iter().take(MAX_MISSED_EVENTS).enumerate() {
        rows.push(KeyRow {
            minute: o.due_min.unwrap_or(rec.duration_min),
            why: Why::High,
            order: ev.len() + 3 + k,
            kind: ctx.t(lb::KE_MISSED).to_string(),
            place: ctx.node_name(&o.site),
            actor: format!("{} · {}", ctx.node_name(&o.unit), ctx.body_name(&o.body)),
            detail: format!("{} ({})", obligation_name(ctx, o), o.clause),
        });
    }
    let total = rows.len();
    let must = rows.iter().filter(|r| r.why == Why::Must).count();
    let cap = MAX_EVENTS.max(must);
    if total > cap {
        rows.sort_by(|a, b| {
            a.why
                .cmp(&b.why)
                .then(a.minute.total_cmp(&b.minute))
                .then(a.order.cmp(&b.order))
        });
        rows.truncate(cap);
    }
    rows.sort_by(|a, b| a.minute.total_cmp(&b.minute).then(a.order.cmp(&b.order)));
    let more = total - rows.len();
    (rows, more)
}

fn timeline(ctx: &Ctx) -> Section {
    let (rows, more) = key_events(ctx);
    let mut blocks = Vec::new();
    if rows.is_empty() {
        blocks.push(Block::Para(ctx.t(lb::TL_EMPTY).to_string()));
    } else {
        blocks.push(Block::Para(ctx.t(lb::TL_LEAD).to_string()));
        let rows = rows
            .into_iter()
            .map(|r| {
                vec![
                    cell(ctx.clock(r.minute), "nowrap"),
                    cell(ctx.elapsed(r.minute), "num"),
                    cell(r.kind, "nowrap"),
                    Cell::from(r.place),
                    Cell::from(r.actor),
                    Cell::from(r.detail),
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            head: [
                lb::TL_TIME,
                lb::TL_ELAPSED,
                lb::TL_EVENT,
                lb::TL_WHERE,
                lb::TL_ACTOR,
                lb::TL_DETAIL,
            ]
            .iter()
            .map(|l| ctx.t(*l).to_string())
            .collect(),
            rows,
        }));
        if more > 0 {
            blocks.push(Block::Para(fill(
                ctx.t(lb::TL_MORE),
                &[("n", more.to_string())],
            )));
        }
    }
    after_horizon(ctx, &mut blocks);
    Section {
        id: "timeline",
        title: ctx.t(lb::SEC_TIMELINE).to_string(),
        blocks,
    }
}

/// The obligations resolved after the network horizon (the paperwork of
/// ended responses) and those not due because their response was still open.
fn after_horizon(ctx: &Ctx, blocks: &mut Vec<Block>) {
    let end = ctx.rec.duration_min;
    let later: Vec<&Obligation> = ctx
        .a
        .obligations
        .iter()
        .filter(|o| o.status == Status::NotDue || o.done_min.is_some_and(|d| d > end))
        .collect();
    if later.is_empty() {
        return;
    }
    blocks.push(Block::Para(fill(
        ctx.t(lb::TL_AFTER),
        &[("horizon", ctx.clock(end))],
    )));
    let rows = later
        .iter()
        .map(|o| {
            vec![
                cell(
                    o.done_min
                        .map(|d| ctx.clock(d))
                        .unwrap_or_else(|| "—".into()),
                    "nowrap",
                ),
                cell(lb::status(o.status).get(ctx.lang), "nowrap"),
                Cell::from(obligation_name(ctx, o)),
                Cell::from(format!(
                    "{} · {}",
                    ctx.node_name(&o.unit),
                    ctx.body_name(&o.body)
                )),
                cell(
                    o.due_min
                        .map(|d| ctx.clock(d))
                        .unwrap_or_else(|| "—".into()),
                    "nowrap",
                ),
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        head: [
            lb::DEV_DONE,
            lb::DEV_STATUS,
            lb::DEV_OBLIGATION,
            lb::DEV_ACTOR,
            lb::DEV_DUE,
        ]
        .iter()
        .map(|l| ctx.t(*l).to_string())
        .collect(),
        rows,
    }));
}

fn capabilities(ctx: &Ctx) -> Section {
    let mut rows = Vec::new();
    for cap in Capability::ALL {
        let Some(r) = ctx.a.ratings.iter().find(|r| r.capability == cap) else {
            continue;
        };
        let letter = lb::rating_letter(r.rating);
        let c = cap_counts(ctx, cap);
        let evidence = if r.obligations == 0 {
            ctx.t(lb::CAP_NO_OBLIGATIONS).to_string()
        } else {
            fill(
                ctx.t(lb::CAP_EVIDENCE_FMT),
                &[
                    ("n", c.all.to_string()),
                    ("assessed", c.assessed.to_string()),
                    ("on_time", c.on_time.to_string()),
                    ("late", c.late.to_string()),
                    ("missed", c.missed.to_string()),
                    ("other", c.other.to_string()),
                    ("open", c.open.to_string()),
                ],
            )
        };
        rows.push(vec![
            Cell::from(lb::capability(cap).get(ctx.lang)),
            cell(
                lb::rating(r.rating).get(ctx.lang),
                match letter {
                    "P" => "rating-P",
                    "S" => "rating-S",
                    "M" => "rating-M",
                    _ => "rating-U",
                },
            ),
            cell(pct(r.compliance), "num"),
            Cell::from(evidence),
        ]);
    }
    let mut blocks = vec![Block::Para(ctx.t(lb::CAP_LEGEND).to_string())];
    let unrated: Vec<String> = Capability::ALL
        .into_iter()
        .filter(|c| !ctx.a.ratings.iter().any(|r| r.capability == *c))
        .map(|c| {
            let k = cap_counts(ctx, c);
            let why = if k.all == 0 {
                ctx.t(lb::CAP_UNRATED_NONE).to_string()
            } else {
                fill(ctx.t(lb::CAP_UNRATED_OPEN), &[("n", k.all.to_string())])
            };
            format!("{}: {why}", lb::capability(c).get(ctx.lang))
        })
        .collect();
    if ctx.rec.response && !unrated.is_empty() && !rows.is_empty() {
        blocks.push(Block::Para(fill(
            ctx.t(lb::CAP_UNRATED),
            &[
                ("rated", rows.len().to_string()),
                ("all", Capability::ALL.len().to_string()),
            ],
        )));
        blocks.push(Block::Bullets(unrated));
    }
    if rows.is_empty() {
        blocks.push(Block::Para(ctx.t(lb::NONE_RECORDED).to_string()));
    } else {
        blocks.push(Block::Table(Table {
            head: [
                lb::CAP_CAPABILITY,
                lb::CAP_RATING,
                lb::CAP_COMPLIANCE,
                lb::CAP_EVIDENCE,
            ]
            .iter()
            .map(|l| ctx.t(*l).to_string())
            .collect(),
            rows,
        }));
    }
    Section {
        id: "capabilities",
        title: ctx.t(lb::SEC_CAPABILITIES).to_string(),
        blocks,
    }
}

/// A capability's obligations by outcome; `all` = `assessed` + `open`,
/// `assessed` = on time + late + missed + other deviations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CapCounts {
    pub all: usize,
    pub assessed: usize,
    pub on_time: usize,
    pub late: usize,
    pub missed: usize,
    /// Out of order, wrong level, wrong actor.
    pub other: usize,
    /// Pending or not due: not assessed.
    pub open: usize,
}

pub fn cap_counts(ctx: &Ctx, cap: Capability) -> CapCounts {
    let mut k = CapCounts::default();
    for o in ctx.a.obligations.iter().filter(|o| o.capability == cap) {
        k.all += 1;
        match o.status {
            Status::OnTime => k.on_time += 1,
            Status::Late => k.late += 1,
            Status::Missed => k.missed += 1,
            Status::Pending | Status::NotDue => k.open += 1,
            _ => k.other += 1,
        }
    }
    k.assessed = k.all - k.open;
    k
}

pub(crate) fn obligation_name(ctx: &Ctx, o: &Obligation) -> String {
    let kind = lb::task_kind(&o.kind).get(ctx.lang);
    if o.name.is_empty() || o.name == o.kind {
        kind.to_string()
    } else {
        let name = ctx.names().task_at(o.task, &o.kind, &o.name);
        if o.kind == "report" {
            // `电话初报` / `书面报告` say what they are.
            return name;
        }
        format!("{kind} {name}")
    }
}

fn deviations(ctx: &Ctx) -> Section {
    let end = ctx.rec.duration_min;
    let delay = |o: &Obligation| match (o.due_min, o.done_min) {
        (Some(d), Some(x)) => (x - d).max(0.0),
        (Some(d), None) => (end - d).max(0.0),
        _ => 0.0,
    };
    let mut list: Vec<&Obligation> = ctx
        .a
        .obligations
        .iter()
        .filter(|o| matches!(o.status, Status::Late | Status::Missed))
        .collect();
    let total = list.len();
    // Costliest first: credit lost, then missed before late, then delay.
    list.sort_by(|x, y| {
        let lx = x.weight - x.credit;
        let ly = y.weight - y.credit;
        ly.total_cmp(&lx)
            .then((y.status == Status::Missed).cmp(&(x.status == Status::Missed)))
            .then(delay(y).total_cmp(&delay(x)))
            .then(x.task.cmp(&y.task))
    });
    list.truncate(MAX_DEVIATIONS);
    let mut blocks = Vec::new();
    if list.is_empty() {
        blocks.push(Block::Para(ctx.t(lb::DEV_NONE).to_string()));
    } else {
        blocks.push(Block::Para(fill(
            ctx.t(lb::DEV_LEAD),
            &[("n", list.len().to_string()), ("total", total.to_string())],
        )));
        let rows = list
            .iter()
            .map(|o| {
                vec![
                    cell(
                        lb::status(o.status).get(ctx.lang),
                        if o.status == Status::Missed {
                            "status-missed nowrap"
                        } else {
                            "status-late nowrap"
                        },
                    ),
                    Cell::from(obligation_name(ctx, o)),
                    cell(o.clause.to_string(), "clause"),
                    Cell::from(format!(
                        "{} · {}",
                        ctx.node_name(&o.unit),
                        ctx.body_name(&o.body)
                    )),
                    cell(
                        o.due_min
                            .map(|d| ctx.clock(d))
                            .unwrap_or_else(|| "—".into()),
                        "nowrap",
                    ),
                    cell(
                        o.done_min
                            .map(|d| ctx.clock(d))
                            .unwrap_or_else(|| ctx.t(lb::DEV_NOT_DONE).to_string()),
                        "nowrap",
                    ),
                    cell(
                        if o.due_min.is_some() {
                            ctx.duration(delay(o))
                        } else {
                            "—".into()
                        },
                        "num",
                    ),
                    cell(format!("{:.2}", o.weight - o.credit), "num"),
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            head: [
                lb::DEV_STATUS,
                lb::DEV_OBLIGATION,
                lb::DEV_CLAUSE,
                lb::DEV_ACTOR,
                lb::DEV_DUE,
                lb::DEV_DONE,
                lb::DEV_DELAY,
                lb::DEV_COST,
            ]
            .iter()
            .map(|l| ctx.t(*l).to_string())
            .collect(),
            rows,
        }));
    }
    Section {
        id: "deviations",
        title: ctx.t(lb::SEC_DEVIATIONS).to_string(),
        blocks,
    }
}

fn outcomes(ctx: &Ctx) -> Section {
    let o = &ctx.a.outcomes;
    let time = |v: Option<f64>| match v {
        Some(m) => ctx.duration(m),
        None => ctx.t(lb::OUT_NEVER).to_string(),
    };
    let rows: Vec<(lb::L, String)> = vec![
        (lb::OUT_DETECT, time(o.time_to_detect_min)),
        (lb::OUT_FIRST_REPORT, time(o.time_to_first_report_min)),
        (lb::OUT_REPORT_HQ, time(o.time_to_report_hq_min)),
        (lb::OUT_GRADE, time(o.time_to_correct_grade_min)),
        (lb::OUT_ACTIVATION, time(o.time_to_activation_min)),
        (lb::OUT_CONTAIN, time(o.time_to_containment_min)),
        (lb::OUT_RECOVER, time(o.time_to_recovery_min)),
        (lb::OUT_PEAK, thousands(o.peak_infected_hosts)),
        (lb::OUT_TOTAL, thousands(o.total_infected_hosts)),
        (lb::OUT_NODES, thousands(o.nodes_affected as u64)),
        (lb::OUT_CUT_OFF, thousands(o.nodes_cut_off_max as u64)),
        (lb::OUT_SVC, format!("{:.1}", o.service_hours_lost)),
        (lb::OUT_TAX, format!("{:.1}", o.taxpayer_service_hours_lost)),
        (lb::OUT_DATA, format!("{:.1}", o.data_lost_hours)),
        (lb::OUT_RECORDS, thousands(o.records_lost)),
        (
            lb::OUT_SITES_DAMAGED,
            format!(
                "{} ({})",
                thousands(ctx.rec.totals.sites_damaged as u64),
                thousands(ctx.rec.totals.sites_restored as u64)
            ),
        ),
        (lb::OUT_COMPLIANCE, pct(o.final_compliance)),
    ];
    let mut rows = rows;
    rows.extend(threat_rows(ctx));
    Section {
        id: "outcomes",
        title: ctx.t(lb::SEC_OUTCOMES).to_string(),
        blocks: vec![
            Block::Table(Table {
                head: vec![
                    ctx.t(lb::OUT_METRIC).to_string(),
                    ctx.t(lb::OUT_VALUE).to_string(),
                ],
                rows: rows
                    .into_iter()
                    .map(|(l, v)| vec![Cell::from(ctx.t(l)), cell(v, "num")])
                    .collect(),
            }),
            Block::Para(ctx.t(lb::OUT_FROM_INJECT).to_string()),
            Block::Para(ctx.t(lb::OUT_DATA_NOTE).to_string()),
        ]
        .into_iter()
        .chain(data_losses(ctx))
        .chain(super::spread::blocks(ctx, ctx.spread))
        .collect(),
    }
}

/// Outcome rows of the threat models with outcomes of their own (one set
/// per intrusion or defacement inject; none when the scenario has none).
fn threat_rows(ctx: &Ctx) -> Vec<(lb::L, String)> {
    let mut rows = Vec::new();
    let at = |m: Option<f64>| match m {
        Some(m) => format!("{} ({})", ctx.clock(m), ctx.elapsed(m)),
        None => ctx.t(lb::OUT_NEVER).to_string(),
    };
    // When and by which step (or the attacker) a threat model stopped.
    let stopped = |o: &crate::engine::record::ThreatOutcome| match o.stopped {
        Some(_) if o.stopped_by == "attacker" => {
            format!("{}, {}", at(o.stopped), ctx.t(lb::OUT_BY_ATTACKER))
        }
        Some(_) => format!(
            "{}, {}",
            at(o.stopped),
            super::names::action(&o.stopped_by).map_or("", |l| ctx.t(l))
        ),
        None => at(None),
    };
    for o in ctx.rec.threats.iter().filter(|o| o.threat == "intrusion") {
        rows.push((
            lb::OUT_INTR_STAGE,
            format!(
                "{} ({})",
                ctx.t(lb::intrusion_stage(&o.stage)),
                ctx.node_name_at(Some(o.node))
            ),
        ));
        rows.push((lb::OUT_INTR_STOPPED, stopped(o)));
        rows.push((lb::OUT_INTR_GOAL, at(o.objective_done)));
        rows.push((lb::OUT_INTR_ALERTS, thousands(o.alerts as u64)));
        rows.push((lb::OUT_INTR_RECORDS, thousands(o.records_leaked)));
    }
    for o in ctx.rec.threats.iter().filter(|o| o.threat == "defacement") {
        rows.push((
            lb::OUT_DEF_NOTICED,
            ctx.t(lb::noticer(&o.noticed_by)).into(),
        ));
        rows.push((lb::OUT_DEF_DOWN, at(o.stopped)));
        rows.push((lb::OUT_DEF_VIEWS, thousands(o.exposure_views)));
    }
    for o in ctx
        .rec
        .threats
        .iter()
        .filter(|o| o.threat == "denial_of_service")
    {
        rows.push((lb::OUT_DOS_STOPPED, stopped(o)));
        rows.push((lb::OUT_DOS_LOST, thousands(o.filings_lost)));
        rows.push((lb::OUT_DOS_DELAYED, thousands(o.filings_delayed)));
    }
    for o in ctx.rec.threats.iter().filter(|o| o.threat == "data_leak") {
        rows.push((lb::OUT_LEAK_FOUND, ctx.t(lb::noticer(&o.noticed_by)).into()));
        rows.push((lb::OUT_LEAK_STOPPED, stopped(o)));
        rows.push((lb::OUT_INTR_RECORDS, thousands(o.records_leaked)));
    }
    for o in ctx.rec.threats.iter().filter(|o| o.threat == "virus") {
        rows.push((
            lb::OUT_VIR_STAGE,
            format!(
                "{} ({})",
                ctx.t(lb::virus_stage(&o.stage)),
                ctx.node_name_at(Some(o.node))
            ),
        ));
        rows.push((lb::OUT_VIR_HOSTS, thousands(o.hosts_infected)));
        rows.push((lb::OUT_VIR_STOPPED, stopped(o)));
    }
    for o in ctx.rec.threats.iter().filter(|o| o.threat == "insider") {
        let found = if o.alerts > 0 {
            ctx.t(lb::OUT_INS_YES)
        } else {
            ctx.t(lb::OUT_INS_NO)
        };
        rows.push((lb::OUT_INS_FOUND, found.into()));
        rows.push((lb::OUT_INS_STOPPED, stopped(o)));
        rows.push((lb::OUT_INS_HOURS, format!("{:.1}", o.misuse_min / 60.0)));
        rows.push((lb::OUT_INS_RECORDS, thousands(o.records_leaked)));
    }
    // Several worms: each one's own figures (one worm's are the totals).
    for w in ctx.rec.threats.iter().filter_map(|o| o.worm.as_ref()) {
        rows.push((
            lb::OUT_WORM_HOSTS,
            format!(
                "{}: {} ({})",
                w.name,
                thousands(w.hosts_infected),
                thousands(w.nodes_infected as u64)
            ),
        ));
        rows.push((
            lb::OUT_WORM_PEAK,
            format!(
                "{}: {}, {}",
                w.name,
                thousands(w.peak_infected),
                at(Some(w.peak_minute))
            ),
        ));
        rows.push((
            lb::OUT_WORM_END,
            format!("{}: {}", w.name, thousands(w.infected_at_end)),
        ));
    }
    rows
}

fn cause_label(cause: &str) -> lb::L {
    match cause {
        "worm_destroy" => lb::DL_WORM_DESTROY,
        "worm_encrypt" => lb::DL_WORM_ENCRYPT,
        "power_loss" => lb::DL_POWER,
        "virus_destroy" => lb::DL_VIRUS_DESTROY,
        "virus_encrypt" => lb::DL_VIRUS_ENCRYPT,
        _ => lb::DL_DISASTER,
    }
}

/// What threats destroyed or encrypted, where and why (the damage model's
/// record): totals per cause, then the largest losses.
fn data_losses(ctx: &Ctx) -> Vec<Block> {
    let losses = &ctx.rec.data_losses;
    let mut blocks = vec![Block::Heading(ctx.t(lb::DL_HEADING).to_string())];
    if losses.is_empty() {
        blocks.push(Block::Para(ctx.t(lb::DL_NONE).to_string()));
        return blocks;
    }
    blocks.push(Block::Para(ctx.t(lb::DL_INTRO).to_string()));
    let mut causes: Vec<&str> = losses.iter().map(|l| l.cause.as_str()).collect();
    causes.sort_unstable();
    causes.dedup();
    let bullets = causes
        .iter()
        .map(|&c| {
            let of: Vec<_> = losses.iter().filter(|l| l.cause == c).collect();
            fill(
                ctx.t(lb::DL_BY_CAUSE),
                &[
                    ("cause", ctx.t(cause_label(c)).to_string()),
                    ("sites", thousands(of.len() as u64)),
                    (
                        "hosts",
                        thousands(of.iter().map(|l| l.hosts as u64).sum::<u64>()),
                    ),
                    (
                        "records",
                        thousands(of.iter().map(|l| l.records).sum::<u64>()),
                    ),
                    (
                        "restored",
                        thousands(of.iter().filter(|l| l.restored.is_some()).count() as u64),
                    ),
                ],
            )
        })
        .collect();
    blocks.push(Block::Bullets(bullets));
    let mut largest: Vec<_> = losses.iter().collect();
    largest.sort_by(|a, b| {
        b.records
            .cmp(&a.records)
            .then(a.minute.total_cmp(&b.minute))
            .then(a.node.cmp(&b.node))
    });
    largest.truncate(MAX_DATA_LOSSES);
    blocks.push(Block::Para(fill(
        ctx.t(lb::DL_LARGEST),
        &[("n", MAX_DATA_LOSSES.to_string())],
    )));
    blocks.push(Block::Table(Table {
        head: [
            lb::DL_SITE,
            lb::DL_CAUSE,
            lb::DL_WHEN,
            lb::DL_BACKUP_AGE,
            lb::DL_HOSTS,
            lb::DL_RECORDS,
            lb::DL_RESTORED,
        ]
        .iter()
        .map(|l| ctx.t(*l).to_string())
        .collect(),
        rows: largest
            .into_iter()
            .map(|l| {
                vec![
                    Cell::from(ctx.node_name_at(Some(l.node))),
                    Cell::from(ctx.t(cause_label(&l.cause))),
                    cell(ctx.clock(l.minute), "nowrap"),
                    cell(format!("{:.1}", l.backup_age_hours), "num"),
                    cell(thousands(l.hosts as u64), "num"),
                    cell(thousands(l.records), "num"),
                    match l.restored {
                        Some(m) => cell(ctx.clock(m), "nowrap"),
                        None => Cell::from(ctx.t(lb::DL_NOT_RESTORED)),
                    },
                ]
            })
            .collect(),
    }));
    blocks
}

/// Exercise start date + `days`, as `YYYY-MM-DD`.
pub fn due_date(start: &str, days: u32) -> String {
    match start.parse::<DateTime>() {
        Ok(t) => t
            .date()
            .checked_add(jiff::Span::new().days(i64::from(days)))
            .map(|d| d.to_string())
            .unwrap_or_default(),
        Err(_) => format!("+{days} d"),
    }
}

/// The date `days` after minute `from_min` of a run that started at
/// `start`, as `YYYY-MM-DD`.
pub fn due_date_at(start: &str, from_min: f64, days: u32) -> String {
    match start.parse::<DateTime>() {
        Ok(t) => t
            .checked_add(jiff::Span::new().minutes(from_min.max(0.0) as i64))
            .ok()
            .and_then(|t| {
                t.date()
                    .checked_add(jiff::Span::new().days(i64::from(days)))
                    .ok()
            })
            .map(|d| d.to_string())
            .unwrap_or_default(),
        Err(_) => format!("+{days} d"),
    }
}

fn improvement(ctx: &Ctx) -> Section {
    let rows: Vec<Vec<Cell>> = ctx
        .a
        .findings
        .iter()
        .filter(|f| !f.strength)
        .enumerate()
        .map(|(i, f)| {
            let owner = if f.owner_unit.is_empty() {
                ctx.body_name(&f.owner)
            } else {
                format!(
                    "{} · {}",
                    ctx.node_name(&f.owner_unit),
                    ctx.body_name(&f.owner)
                )
            };
            let root = ctx.lang.pick(&f.root_zh, &f.root_en);
            vec![
                cell((i + 1).to_string(), "num"),
                Cell::from(lb::capability(f.capability).get(ctx.lang)),
                Cell::from(ctx.lang.pick(&f.text_zh, &f.text_en)),
                Cell::from(if root.is_empty() {
                    ctx.t(lb::IP_ROOT_UNKNOWN).to_string()
                } else {
                    root.to_string()
                }),
                Cell::from(ctx.lang.pick(&f.action_zh, &f.action_en)),
                Cell::from(owner),
                cell(
                    due_date_at(&ctx.rec.start, f.due.from_min, f.due.days),
                    "nowrap",
                ),
                Cell::from(if f.due.basis_en.is_empty() {
                    fill(ctx.t(lb::IP_DUE_RULE), &[("days", f.due_days.to_string())])
                } else {
                    ctx.lang.pick(&f.due.basis_zh, &f.due.basis_en).to_string()
                }),
            ]
        })
        .collect();
    let blocks = if rows.is_empty() {
        vec![Block::Para(ctx.t(lb::IP_NONE).to_string())]
    } else {
        vec![Block::Table(Table {
            head: [
                lb::IP_NO,
                lb::IP_CAPABILITY,
                lb::IP_FINDING,
                lb::IP_ROOT,
                lb::IP_ACTION,
                lb::IP_OWNER,
                lb::IP_DUE,
                lb::IP_BASIS,
            ]
            .iter()
            .map(|l| ctx.t(*l).to_string())
            .collect(),
            rows,
        })]
    };
    Section {
        id: "improvement",
        title: ctx.t(lb::SEC_IMPROVEMENT).to_string(),
        blocks,
    }
}

/// How obligations, compliance and ratings are computed, with the numbers
/// of the thresholds file in force.
fn method(ctx: &Ctx) -> Section {
    let m = &ctx.a.method;
    let f2 = |v: f64| {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    let mut bullets = vec![
        fill(
            ctx.t(lb::EM_OBLIGATIONS),
            &[
                ("report", f2(m.weights[0])),
                ("grade", f2(m.weights[1])),
                ("activate", f2(m.weights[2])),
                ("step", f2(m.weights[3])),
                (
                    "special",
                    m.step_weights
                        .iter()
                        .map(|(a, w)| {
                            let a = super::names::action(a).map_or(a.as_str(), |l| l.get(ctx.lang));
                            format!("{a} {}", f2(*w))
                        })
                        .collect::<Vec<_>>()
                        .join(ctx.lang.pick("，", ", ")),
                ),
            ],
        ),
        fill(
            ctx.t(lb::EM_CREDIT),
            &[
                ("floor", f2(m.late_floor)),
                ("at", f2(m.late_floor_at)),
                ("ooo", f2(m.out_of_order)),
                ("wl", f2(m.wrong_level)),
            ],
        ),
        ctx.t(lb::EM_COMPLIANCE).to_string(),
    ];
    // One line when every capability has the same cut-offs.
    let same = m
        .ratings
        .windows(2)
        .all(|w| (w[0].1, w[0].2, w[0].3, w[0].4) == (w[1].1, w[1].2, w[1].3, w[1].4));
    let rule = |r: &(crate::score::Capability, f64, u32, f64, f64)| {
        fill(
            ctx.t(lb::EM_RATING_RULE),
            &[
                ("p", f2(r.1)),
                ("k", r.2.to_string()),
                ("s", f2(r.3)),
                ("m", f2(r.4)),
            ],
        )
    };
    if same && !m.ratings.is_empty() {
        bullets.push(format!(
            "{}{}",
            ctx.t(lb::EM_RATINGS_ALL),
            rule(&m.ratings[0])
        ));
    } else {
        for r in &m.ratings {
            bullets.push(format!(
                "{}: {}",
                lb::capability(r.0).get(ctx.lang),
                rule(r)
            ));
        }
    }
    let off = || ctx.t(lb::EM_OFF).to_string();
    bullets.push(fill(
        ctx.t(lb::EM_OUTCOMES),
        &[
            (
                "cut",
                m.containment_max_cut_off_share
                    .map(|x| format!("{}%", f2(x * 100.0)))
                    .unwrap_or_else(off),
            ),
            (
                "growth",
                m.containment_max_growth_hours
                    .map(|x| format!("{} h", f2(x)))
                    .unwrap_or_else(off),
            ),
            (
                "wrong",
                m.grading_max_wrong_level
                    .map(|x| x.to_string())
                    .unwrap_or_else(off),
            ),
        ],
    ));
    bullets.push(fill(
        ctx.t(lb::EM_DUE),
        &[
            ("s", m.due_days[1].to_string()),
            ("m", m.due_days[2].to_string()),
            ("u", m.due_days[3].to_string()),
        ],
    ));
    if let Some(d) = m.improvement {
        bullets.push(fill(
            ctx.t(lb::EM_DUE_CAUSE),
            &[
                ("rc", d[0].to_string()),
                ("sq", d[1].to_string()),
                ("pg", d[2].to_string()),
                ("tr", d[3].to_string()),
            ],
        ));
    }
    Section {
        id: "method",
        title: ctx.t(lb::SEC_METHOD).to_string(),
        blocks: vec![
            Block::Para(ctx.t(lb::EM_LEAD).to_string()),
            Block::Bullets(bullets),
        ],
    }
}

/// The sign-off block: lines for the assessor and the approver to sign.
fn sign_off(ctx: &Ctx) -> Section {
    let line = "______________________";
    let mut blocks = Vec::new();
    if ctx.rec.response {
        blocks.push(Block::Para(
            super::drill::sign_off_note(ctx).unwrap_or_else(|| ctx.t(lb::SO_SIMULATED).to_string()),
        ));
    }
    blocks.push(Block::Table(Table {
        head: [lb::SO_ROLE, lb::SO_NAME, lb::SO_SIGNATURE, lb::SO_DATE]
            .iter()
            .map(|l| ctx.t(*l).to_string())
            .collect(),
        rows: [lb::SO_ASSESSOR, lb::SO_APPROVER]
            .iter()
            .map(|r| {
                vec![
                    Cell::from(ctx.t(*r)),
                    cell(line, "sign"),
                    cell(line, "sign"),
                    cell(line, "sign"),
                ]
            })
            .collect(),
    }));
    Section {
        id: "signoff",
        title: ctx.t(lb::SEC_SIGNOFF).to_string(),
        blocks,
    }
}

fn appendix(ctx: &Ctx, charts: &[Chart]) -> Section {
    let mut rows: Vec<Vec<Cell>> = [
        ("timeline.csv", lb::AP_TIMELINE),
        ("events.csv", lb::AP_EVENTS),
        ("obligations.csv", lb::AP_OBLIGATIONS),
        ("summary.json", lb::AP_SUMMARY),
        ("record.json", lb::AP_RECORD),
        ("report.html, report.md", lb::AP_REPORT),
        (crate::output::LANG_FILE, lb::AP_LANG),
    ]
    .iter()
    .map(|(f, l)| vec![cell(*f, "file"), Cell::from(ctx.t(*l))])
    .collect();
    for c in charts {
        rows.push(vec![
            cell(format!("charts/{0}.svg, charts/{0}.png", c.name), "file"),
            Cell::from(format!("{}: {}", ctx.t(lb::AP_CHARTS), c.title)),
        ]);
    }
    Section {
        id: "appendix",
        title: ctx.t(lb::SEC_APPENDIX).to_string(),
        blocks: vec![Block::Table(Table {
            head: vec![
                ctx.t(lb::AP_FILE).to_string(),
                ctx.t(lb::AP_CONTENT).to_string(),
            ],
            rows,
        })],
    }
}
