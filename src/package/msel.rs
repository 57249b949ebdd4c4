//! The master scenario events list: `msel.csv` (every expected action on a
//! row, with its inject) and `msel.html` (introduction, preparation
//! schedule, injects, then the expected actions grouped by inject and unit
//! tier), plus `schedule.csv`.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::labels::{self as lb, WEEKDAYS};
use super::schedule::{Basis, Milestone, Schedule, Step};
use super::{Action, BOM, InjectRow, Package, TIERS, minutes};
use crate::report::labels::{L, fill, tier};

/// Page CSS shared with the observer sheets: A4, repeated table heads,
/// rows kept whole.
pub const CSS: &str = r#"
* { box-sizing: border-box; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "SimHei", "Droid Sans Fallback", "DejaVu Sans", sans-serif; color: #1e1e1e; }
body { margin: 0 auto; max-width: 1180px; padding: 20px 28px 40px; font-size: 14px; line-height: 1.5; }
header { border-bottom: 3px solid #1f4e8c; margin-bottom: 16px; padding-bottom: 8px; }
h1 { font-size: 24px; margin: 0 0 4px; color: #1f4e8c; }
h2 { font-size: 19px; color: #1f4e8c; border-bottom: 1px solid #c8c8c8; padding-bottom: 3px; margin: 26px 0 10px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
h4 { font-size: 14px; margin: 12px 0 4px; }
.subtitle { margin: 0; color: #555; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 12.5px; }
th, td { border: 1px solid #c8c8c8; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
thead { display: table-header-group; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; }
td.clause { font-size: 11.5px; color: #333; max-width: 300px; }
td.blank { min-width: 110px; height: 2.2em; }
td.muted { color: #888; }
.fields { display: flex; gap: 36px; margin: 8px 0 12px; }
.fields span { border-bottom: 1px solid #555; min-width: 160px; display: inline-block; }
footer { margin-top: 28px; color: #666; font-size: 12px; border-top: 1px solid #c8c8c8; padding-top: 4px; }
@media print {
  @page { size: A4 landscape; margin: 12mm 10mm 14mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  table { font-size: 8.5pt; }
  td.blank { height: 2.6em; }
}
"#;

/// `msel.csv`: one row per expected action with its inject's columns;
/// an inject without actions (or part of an earlier inject's incident)
/// has one row with the action columns empty.
pub fn csv(p: &Package) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    let _ = w.write_record([
        "inject",
        "inject_minute",
        "inject_time",
        "deliver_minute",
        "deliver_time",
        "recipient",
        "recipient_name",
        "message",
        "tier",
        "unit",
        "unit_name",
        "body",
        "body_name",
        "kind",
        "action",
        "action_name",
        "level",
        "site",
        "site_name",
        "arises_minute",
        "due_minute",
        "due_time",
        "reference_minute",
        "clause",
    ]);
    let inject_cols = |i: Option<&InjectRow>| -> Vec<String> {
        match i {
            Some(i) => vec![
                (i.index + 1).to_string(),
                minutes(i.minute),
                p.clock(i.minute).unwrap_or_default(),
                minutes(i.deliver),
                p.clock(i.deliver).unwrap_or_default(),
                i.recipient.clone().unwrap_or_default(),
                recipient_name(p, i),
                i.message.clone(),
            ],
            None => vec![String::new(); 8],
        }
    };
    let action_cols = |a: &Action| -> Vec<String> {
        let t = p.task(a);
        vec![
            p.tier(t.unit).to_string(),
            p.node_id(t.unit).to_string(),
            p.node_name(t.unit),
            t.body.to_string(),
            p.body_name(&t.body),
            t.kind.to_string(),
            Package::log_action(t).to_string(),
            p.action_name(t),
            p.level(t).unwrap_or("").to_string(),
            p.node_id(t.site).to_string(),
            p.node_name(t.site),
            minutes(t.created),
            t.due.map(minutes).unwrap_or_default(),
            t.due.and_then(|d| p.clock(d)).unwrap_or_default(),
            t.finished.map(minutes).unwrap_or_default(),
            t.clause.to_string(),
        ]
    };
    for i in &p.injects {
        let head = inject_cols(Some(i));
        let mut any = false;
        if i.same_as.is_none() {
            for a in p.actions_of(Some(i.index)) {
                any = true;
                let _ = w.write_record(head.iter().cloned().chain(action_cols(a)));
            }
        }
        if !any {
            let _ = w.write_record(head.iter().cloned().chain(vec![String::new(); 16]));
        }
    }
    for a in p.actions_of(None) {
        let _ = w.write_record(inject_cols(None).into_iter().chain(action_cols(a)));
    }
    w.into_inner().unwrap_or_default()
}

fn recipient_name(p: &Package, i: &InjectRow) -> String {
    match (&i.recipient, &i.recipient_body) {
        (Some(u), Some(b)) => format!("{} · {}", p.node_name_of(u), p.body_name(b)),
        (Some(u), None) => p.node_name_of(u),
        _ => String::new(),
    }
}

pub fn milestone_name(s: Step) -> L {
    match s {
        Step::InitialPlanning => lb::M_INITIAL_PLANNING,
        Step::FinalPlanning => lb::M_FINAL_PLANNING,
        Step::Training => lb::M_TRAINING,
        Step::Briefing => lb::M_BRIEFING,
        Step::Drill => lb::M_DRILL,
        Step::AfterActionReport => lb::M_AAR,
        Step::ImprovementPlan => lb::M_IP,
        Step::ReportToSuperior => lb::M_REPORT,
        Step::Deadline => lb::M_DEADLINE,
    }
}

/// The anchor's name inside a lead-time text (lower-cased in English).
fn anchor_name(p: &Package, s: Step) -> String {
    let short = match s {
        Step::Drill => L("演练日", "drill"),
        Step::AfterActionReport => L("评估报告", "after-action report"),
        Step::ImprovementPlan => L("改进计划", "improvement plan"),
        Step::ReportToSuperior => L("向上级报告", "report to the superior"),
        other => milestone_name(other),
    };
    p.t(short).to_string()
}

fn lead_text(p: &Package, m: &Milestone) -> String {
    match m.anchor {
        Some(a) if m.offset < 0 => fill(
            p.t(lb::LEAD_BEFORE),
            &[
                ("anchor", anchor_name(p, a)),
                ("n", (-m.offset).to_string()),
            ],
        ),
        Some(a) => fill(
            p.t(lb::LEAD_AFTER),
            &[("anchor", anchor_name(p, a)), ("n", m.offset.to_string())],
        ),
        None if m.step == Step::Drill => p.t(lb::LEAD_GIVEN).to_string(),
        None => p.t(lb::LEAD_NONE).to_string(),
    }
}

fn basis_text(p: &Package, m: &Milestone) -> String {
    let b = match m.basis {
        Basis::Seed if m.step == Step::Deadline => {
            return format!(
                "{}：{}",
                p.t(lb::BASIS_SEED),
                super::schedule::DEADLINE_CLAUSE
            );
        }
        Basis::Seed | Basis::Given => lb::LEAD_GIVEN,
        Basis::Practice => lb::BASIS_P,
        Basis::Inference => lb::BASIS_I,
    };
    p.t(b).to_string()
}

fn weekday(p: &Package, d: jiff::civil::Date) -> String {
    let i = d.weekday().to_monday_zero_offset() as usize;
    p.t(WEEKDAYS[i]).to_string()
}

/// `schedule.csv`: one row per milestone, in date order.
pub fn schedule_csv(p: &Package, s: &Schedule) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    let _ = w.write_record([
        "date",
        "weekday",
        "working_day",
        "milestone",
        "name",
        "offset_working_days",
        "anchor",
        "basis",
        "lead_time",
    ]);
    for m in &s.milestones {
        let _ = w.write_record([
            m.date.to_string(),
            weekday(p, m.date),
            if m.working_day { "yes" } else { "no" }.to_string(),
            m.step.key().to_string(),
            p.t(milestone_name(m.step)).to_string(),
            m.offset.to_string(),
            m.anchor.map(|a| a.key()).unwrap_or("").to_string(),
            m.basis.tag().to_string(),
            lead_text(p, m),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

fn schedule_section(p: &Package, s: &Schedule) -> Markup {
    html! {
        h2 id="schedule" { (p.t(lb::SEC_SCHEDULE)) }
        p { (fill(p.t(lb::SCHEDULE_LEAD), &[("deadline", s.deadline.to_string())])) }
        @if s.drill_picked { p { (p.t(lb::SCHEDULE_PICKED)) } }
        table {
            thead { tr {
                th { (p.t(lb::H_DATE)) } th { (p.t(lb::H_WEEKDAY)) } th { (p.t(lb::H_MILESTONE)) }
                th { (p.t(lb::H_LEAD)) } th { (p.t(lb::H_BASIS)) }
            } }
            tbody {
                @for m in &s.milestones {
                    tr {
                        td class="nowrap" { (m.date.to_string()) }
                        td class="nowrap" {
                            (weekday(p, m.date))
                            @if !m.working_day { (p.t(lb::SCHEDULE_NOT_WORKING)) }
                        }
                        td { @if m.step == Step::Drill { b { (p.t(milestone_name(m.step))) } } @else { (p.t(milestone_name(m.step))) } }
                        td { (lead_text(p, m)) }
                        td class="clause" { (basis_text(p, m)) }
                    }
                }
            }
        }
    }
}

fn opt(s: Option<String>) -> String {
    s.unwrap_or_else(|| "—".into())
}

fn actions_table(p: &Package, actions: &[&Action]) -> Markup {
    html! {
        table {
            thead { tr {
                th { (p.t(lb::H_ARISES)) } th { (p.t(lb::H_UNIT)) } th { (p.t(lb::H_BODY)) }
                th { (p.t(lb::H_ACTION)) } th { (p.t(lb::H_SITE)) } th { (p.t(lb::H_DUE)) }
                @if p.start().is_some() { th { (p.t(lb::H_DUE_CLOCK)) } }
                th { (p.t(lb::H_REFERENCE)) } th { (p.t(lb::H_CLAUSE)) }
            } }
            tbody {
                @for a in actions {
                    @let t = p.task(a);
                    tr {
                        td class="num" { (minutes(t.created)) }
                        td { (p.node_name(t.unit)) }
                        td { (p.body_name(&t.body)) }
                        td { (p.action_name(t)) }
                        td { (p.node_name(t.site)) }
                        td class="num" { (opt(t.due.map(minutes))) }
                        @if p.start().is_some() { td class="nowrap" { (opt(t.due.and_then(|d| p.clock(d)))) } }
                        td class="num" { (opt(t.finished.map(minutes))) }
                        td class="clause" { (t.clause.as_str()) }
                    }
                }
            }
        }
    }
}

fn by_tier(p: &Package, actions: Vec<&Action>) -> Markup {
    html! {
        @for tr in TIERS {
            @let rows: Vec<&Action> = actions.iter().copied().filter(|a| p.tier(p.task(a).unit) == tr).collect();
            @if !rows.is_empty() {
                h4 { (fill(p.t(lb::TIER_COUNT), &[("tier", p.t(tier(tr)).to_string()), ("n", rows.len().to_string())])) }
                (actions_table(p, &rows))
            }
        }
        @let other: Vec<&Action> = actions.iter().copied().filter(|a| !TIERS.contains(&p.tier(p.task(a).unit))).collect();
        @if !other.is_empty() {
            h4 { (fill(p.t(lb::TIER_COUNT), &[("tier", p.t(tier("")).to_string()), ("n", other.len().to_string())])) }
            (actions_table(p, &other))
        }
    }
}

/// `msel.html`: one self-contained, printable page.
pub fn html(p: &Package) -> Vec<u8> {
    let rec = p.rec;
    let start_time = rec
        .start
        .parse::<jiff::civil::DateTime>()
        .map(|d| d.strftime("%H:%M").to_string())
        .unwrap_or_default();
    let page = html! {
        (DOCTYPE)
        html lang=(p.lang.tag()) {
            head {
                meta charset="utf-8";
                title { (p.t(lb::MSEL_TITLE)) " — " (p.scenario_name) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { (p.t(lb::MSEL_TITLE)) }
                    p.subtitle { (p.t(lb::MSEL_SUBTITLE)) }
                    dl.facts {
                        dt { (p.t(lb::F_SCENARIO)) } dd { (p.scenario_name) }
                        dt { (p.t(lb::F_PLAN)) } dd { (rec.meta.plan_name) " (" (rec.meta.plan) ")" }
                        dt { (p.t(lb::F_SEED)) } dd { (rec.seed) }
                        dt { (p.t(lb::F_DRILL_DATE)) }
                        dd {
                            @match p.drill_date {
                                Some(d) => { (d.to_string()) @if p.drill_picked { (p.t(lb::F_PICKED)) } }
                                None => { (p.t(lb::F_NO_DATE)) }
                            }
                        }
                        @if let Some(s) = p.start() {
                            dt { (p.t(lb::F_DRILL_START)) } dd { (s.strftime("%Y-%m-%d %H:%M").to_string()) }
                        }
                        dt { (p.t(lb::F_COUNTS)) }
                        dd { (fill(p.t(lb::F_COUNTS_VALUE), &[
                            ("injects", p.injects.len().to_string()),
                            ("actions", p.actions.len().to_string()),
                            ("bodies", p.bodies().len().to_string()),
                        ])) }
                    }
                }
                h2 id="intro" { (p.t(lb::SEC_INTRO)) }
                p { (fill(p.t(lb::INTRO_DERIVED), &[("plan", rec.meta.plan_name.clone()), ("seed", rec.seed.to_string())])) }
                p { (p.t(lb::INTRO_MESSAGE)) }
                p { (p.t(lb::INTRO_DUE)) }
                p { (p.t(lb::INTRO_GROUPING)) }
                @if let Some(d) = p.drill_date {
                    p { (fill(p.t(lb::INTRO_CLOCK), &[("date", d.to_string()), ("time", start_time.clone())])) }
                }
                @if let Some(s) = &p.schedule { (schedule_section(p, s)) }
                h2 id="injects" { (p.t(lb::SEC_INJECTS)) }
                table {
                    thead { tr {
                        th { (p.t(lb::H_INJECT)) } th { (p.t(lb::H_MINUTE)) }
                        @if p.start().is_some() { th { (p.t(lb::H_CLOCK)) } }
                        th { (p.t(lb::H_DELIVER)) }
                        @if p.start().is_some() { th { (p.t(lb::H_CLOCK)) } }
                        th { (p.t(lb::H_RECIPIENT)) } th { (p.t(lb::H_MESSAGE)) } th { (p.t(lb::H_ACTIONS)) }
                    } }
                    tbody {
                        @for i in &p.injects {
                            tr {
                                td class="num" { (i.index + 1) }
                                td class="num" { (minutes(i.minute)) }
                                @if p.start().is_some() { td class="nowrap" { (opt(p.clock(i.minute))) } }
                                td class="num" { (minutes(i.deliver)) }
                                @if p.start().is_some() { td class="nowrap" { (opt(p.clock(i.deliver))) } }
                                td { (recipient_name(p, i)) }
                                td {
                                    (i.message)
                                    @if let Some(l) = i.same_as { " (" (fill(p.t(lb::SAME_INCIDENT), &[("n", (l + 1).to_string())])) ")" }
                                    @if i.incident.is_none() && i.same_as.is_none() { " (" (p.t(lb::NOT_DETECTED)) ")" }
                                }
                                td class="num" { @if i.same_as.is_none() { (p.actions_of(Some(i.index)).count()) } @else { "—" } }
                            }
                        }
                    }
                }
                h2 id="actions" { (p.t(lb::SEC_ACTIONS)) }
                @for i in p.injects.iter().filter(|i| i.same_as.is_none()) {
                    h3 { (fill(p.t(lb::ACTIONS_OF), &[("n", (i.index + 1).to_string()), ("message", i.message.clone())])) }
                    @let actions: Vec<&Action> = p.actions_of(Some(i.index)).collect();
                    @if actions.is_empty() { p { (p.t(lb::NO_ACTIONS)) } }
                    @else { (by_tier(p, actions)) }
                }
                @let rest: Vec<&Action> = p.actions_of(None).collect();
                @if !rest.is_empty() {
                    h3 { (p.t(lb::UNATTRIBUTED)) }
                    (by_tier(p, rest))
                }
                footer { (p.t(lb::FOOTER)) }
            }
        }
    };
    page.into_string().into_bytes()
}
