//! (c) The response timeline: one bar per obligation, from when it arose to
//! when it was done (a missed one to its deadline, one not yet due to the
//! end of the run), grouped by body and unit, groups and rows in time order.
//! At most the first [`FIRST`] obligations by time plus every missed one
//! are drawn; the caption says how many were left out.

use std::collections::BTreeMap;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels as cl;
use super::{
    GREEN, HLEGEND_ROW, INK, Mark, ORANGE, OrStr, PURPLE, R, RED_, W, ellipsize, hlegend,
    hlegend_rows, hours_fmt, label_width, text, title,
};
use crate::report::Ctx;
use crate::report::content::obligation_name;
use crate::report::labels::{self as lb, L, fill};
use crate::score::{Obligation, Status};

/// The first obligations by time that are always drawn.
pub const FIRST: usize = 40;

const PENDING: RGBColor = RGBColor(185, 185, 185);
const NOT_DUE: RGBColor = RGBColor(150, 190, 225);

/// Bar colour and legend label of a status.
fn look(s: Status) -> (RGBColor, L) {
    match s {
        Status::OnTime => (GREEN, lb::status(Status::OnTime)),
        Status::Late => (ORANGE, lb::status(Status::Late)),
        Status::Missed => (RED_, cl::GANTT_MISSED),
        Status::WrongActor | Status::OutOfOrder | Status::WrongLevel => {
            (PURPLE, lb::CH_STATUS_OTHER)
        }
        Status::Pending => (PENDING, cl::GANTT_PENDING),
        Status::NotDue => (NOT_DUE, cl::GANTT_NOT_DUE),
    }
}

/// A row: a group heading (unit · body) or an obligation (index into
/// `Assessment::obligations`).
#[derive(Clone, Debug, PartialEq)]
pub enum Row {
    Group(String),
    Obligation(usize),
}

/// The rows drawn, the obligations drawn and the obligations left out.
pub fn rows(ctx: &Ctx) -> (Vec<Row>, usize, usize) {
    let obs = &ctx.a.obligations;
    let mut order: Vec<usize> = (0..obs.len()).collect();
    order.sort_by(|&a, &b| {
        obs[a]
            .trigger_min
            .total_cmp(&obs[b].trigger_min)
            .then(a.cmp(&b))
    });
    let shown: Vec<usize> = order
        .iter()
        .enumerate()
        .filter(|&(rank, &k)| rank < FIRST || obs[k].status == Status::Missed)
        .map(|(_, &k)| k)
        .collect();
    let body_rank = |b: &str| {
        ctx.rec
            .meta
            .bodies
            .iter()
            .position(|m| m.id == b)
            .unwrap_or(usize::MAX)
    };
    // Groups keyed by (body, unit), in order of their first obligation.
    let mut groups: BTreeMap<(usize, &str, &str), Vec<usize>> = BTreeMap::new();
    for &k in &shown {
        let o = &obs[k];
        groups
            .entry((body_rank(&o.body), o.body.as_str(), o.unit.as_str()))
            .or_default()
            .push(k);
    }
    type Group<'g> = (&'g (usize, &'g str, &'g str), &'g Vec<usize>);
    let mut groups: Vec<Group> = groups.iter().collect();
    groups.sort_by(|a, b| {
        let (x, y) = (&obs[a.1[0]], &obs[b.1[0]]);
        x.trigger_min.total_cmp(&y.trigger_min).then(a.0.cmp(b.0))
    });
    let mut out = Vec::new();
    for ((_, body, unit), ks) in groups {
        out.push(Row::Group(format!(
            "{} · {}",
            ctx.node_name(unit),
            ctx.body_name(body)
        )));
        out.extend(ks.iter().map(|&k| Row::Obligation(k)));
    }
    let n = shown.len();
    (out, n, obs.len() - n)
}

/// Start and end minute of an obligation's bar, within the run.
fn span(ctx: &Ctx, o: &Obligation) -> (f64, f64) {
    let end_of_run = ctx.rec.duration_min;
    let start = o.trigger_min.min(end_of_run);
    let end = match (o.status, o.done_min) {
        (_, Some(d)) => d,
        (Status::Missed, None) => o.due_min.unwrap_or(end_of_run),
        _ => end_of_run,
    };
    (start, end.clamp(start, end_of_run))
}

const TOP: u32 = 44;
const ROW_H: u32 = 19;
const X_AXIS_H: u32 = 50;
const MARGIN: u32 = 14;
const LABEL_MAX: u32 = 380;
const HEAD_SIZE: u32 = 13;
const ITEM_SIZE: u32 = 12;
const INDENT: i32 = 14;

fn legend_items(ctx: &Ctx, rows: &[Row]) -> Vec<(String, Mark)> {
    let mut seen: Vec<(u8, RGBColor, L)> = Vec::new();
    for r in rows {
        if let Row::Obligation(k) = r {
            let s = ctx.a.obligations[*k].status;
            let rank = match s {
                Status::OnTime => 0,
                Status::Late => 1,
                Status::Missed => 2,
                Status::WrongActor | Status::OutOfOrder | Status::WrongLevel => 3,
                Status::Pending => 4,
                Status::NotDue => 5,
            };
            if !seen.iter().any(|x| x.0 == rank) {
                let (c, l) = look(s);
                seen.push((rank, c, l));
            }
        }
    }
    seen.sort_by_key(|x| x.0);
    let mut items: Vec<(String, Mark)> = seen
        .into_iter()
        .map(|(_, c, l)| (ctx.t(l).to_string(), Mark::Box(c, 1.0)))
        .collect();
    items.push((ctx.t(cl::GANTT_DUE).to_string(), Mark::Tick(INK)));
    items
}

fn labels(ctx: &Ctx, rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| match r {
            Row::Group(g) => ellipsize(g, LABEL_MAX, HEAD_SIZE),
            Row::Obligation(k) => ellipsize(
                &obligation_name(ctx, &ctx.a.obligations[*k]),
                LABEL_MAX - INDENT as u32,
                ITEM_SIZE,
            ),
        })
        .collect()
}

pub fn height(ctx: &Ctx) -> u32 {
    let (rows, _, _) = rows(ctx);
    if rows.is_empty() {
        return 300;
    }
    let lh = hlegend_rows(&legend_items(ctx, &rows), (W - 2 * MARGIN) as i32);
    TOP + lh * HLEGEND_ROW as u32 + 8 + rows.len() as u32 * ROW_H + X_AXIS_H + 10
}

pub fn caption(ctx: &Ctx) -> String {
    let (rows, shown, left) = rows(ctx);
    let mut out = ctx.t(cl::CAP_GANTT).to_string();
    out.push_str(super::sentence_gap(ctx));
    if left > 0 {
        out.push_str(&fill(
            ctx.t(cl::CAP_GANTT_SHOWN),
            &[
                ("first", FIRST.to_string()),
                ("shown", shown.to_string()),
                ("left", left.to_string()),
            ],
        ));
    } else {
        out.push_str(&fill(
            ctx.t(cl::CAP_GANTT_ALL),
            &[("shown", shown.to_string())],
        ));
    }
    let past = rows.iter().any(|r| match r {
        Row::Obligation(k) => ctx.a.obligations[*k]
            .done_min
            .is_some_and(|d| d > ctx.rec.duration_min),
        Row::Group(_) => false,
    });
    if past {
        out.push_str(super::sentence_gap(ctx));
        out.push_str(ctx.t(cl::CAP_GANTT_EDGE));
    }
    out
}

pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> R {
    let name = ctx.t(cl::GANTT);
    let (rows, _, _) = rows(ctx);
    if rows.is_empty() {
        return super::no_data(root, name, ctx);
    }
    title(root, name)?;
    let items = legend_items(ctx, &rows);
    let width = (W - 2 * MARGIN) as i32;
    hlegend(root, (MARGIN as i32, TOP as i32), width, &items)?;
    let lh = hlegend_rows(&items, width) * HLEGEND_ROW as u32 + 8;
    let labels = labels(ctx, &rows);
    let label_px = rows
        .iter()
        .zip(&labels)
        .map(|(r, l)| match r {
            Row::Group(_) => label_width(l, HEAD_SIZE),
            Row::Obligation(_) => label_width(l, ITEM_SIZE) + INDENT as u32,
        })
        .max()
        .unwrap_or(60)
        + 12;
    let (_, area) = root.split_vertically(TOP + lh);
    let n = rows.len() as f64;
    let xh = ctx.hours();
    let mut chart = ChartBuilder::on(&area)
        .margin_left(MARGIN)
        .margin_right(MARGIN + 10)
        .margin_bottom(10)
        .x_label_area_size(X_AXIS_H)
        .y_label_area_size(label_px)
        .build_cartesian_2d(0f64..xh, 0f64..n)
        .s()?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(ctx.t(lb::AXIS_HOURS))
        .x_label_formatter(&hours_fmt)
        .label_style(text(13))
        .axis_desc_style(text(14))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(220, 220, 220))
        .draw()
        .s()?;
    let y = |i: usize| n - i as f64 - 0.5;
    let min_w = xh / 300.0;
    // Group bands, then bars, then deadline ticks.
    chart
        .draw_series(
            rows.iter()
                .enumerate()
                .filter(|(_, r)| matches!(r, Row::Group(_)))
                .map(|(i, _)| {
                    Rectangle::new(
                        [(0.0, y(i) - 0.5), (xh, y(i) + 0.5)],
                        RGBColor(242, 242, 242).filled(),
                    )
                }),
        )
        .s()?;
    chart
        .draw_series(rows.iter().enumerate().filter_map(|(i, r)| match r {
            Row::Obligation(k) => {
                let o = &ctx.a.obligations[*k];
                let (s, e) = span(ctx, o);
                let (s, e) = (s / 60.0, (e / 60.0).max(s / 60.0 + min_w).min(xh));
                let s = s.min(e - min_w).max(0.0);
                Some(Rectangle::new(
                    [(s, y(i) - 0.32), (e, y(i) + 0.32)],
                    look(o.status).0.filled(),
                ))
            }
            Row::Group(_) => None,
        }))
        .s()?;
    chart
        .draw_series(rows.iter().enumerate().filter_map(|(i, r)| {
            match r {
                Row::Obligation(k) => ctx.a.obligations[*k]
                    .due_min
                    .filter(|d| *d <= ctx.rec.duration_min)
                    .map(|d| {
                        PathElement::new(
                            vec![(d / 60.0, y(i) - 0.45), (d / 60.0, y(i) + 0.45)],
                            INK.stroke_width(2),
                        )
                    }),
                Row::Group(_) => None,
            }
        }))
        .s()?;
    let (px, _) = chart.plotting_area().get_pixel_range();
    let left = px.start - label_px as i32 + 4;
    for (i, (r, l)) in rows.iter().zip(&labels).enumerate() {
        let (_, py) = chart.backend_coord(&(0.0, y(i)));
        let (x, size) = match r {
            Row::Group(_) => (left, HEAD_SIZE),
            Row::Obligation(_) => (left + INDENT, ITEM_SIZE),
        };
        root.draw(&Text::new(
            l.clone(),
            (x, py),
            text(size).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .s()?;
    }
    Ok(())
}
