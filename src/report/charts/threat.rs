//! (a) The threat over time: stacked panels that share the time axis, one
//! per quantity with data in the run (hosts infected; nodes cut off from HQ
//! and nodes down; service instances unavailable), with the injects and the
//! response milestones as vertical marks whose labels are staggered in a
//! band above the panels so that none overlaps another or leaves the canvas.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels as cl;
use super::{
    BLUE, GREEN, GREY, Mark, ORANGE, OrStr, PURPLE, R, RED_, W, count_fmt, hours_fmt, label_width,
    legend, place, stagger, text, thin, title,
};
use crate::report::Ctx;
use crate::report::labels::{self as lb, L, fill};
use crate::score::outcomes::first_inject;

/// One line of a panel.
pub struct Series {
    pub label: L,
    pub colour: RGBColor,
    pub points: Vec<(f64, f64)>,
}

/// One panel: its axis name and lines (only lines with data).
pub struct Panel {
    pub axis: L,
    pub series: Vec<Series>,
    pub max: f64,
}

/// The panels with data, top to bottom.
pub fn panels(ctx: &Ctx) -> Vec<Panel> {
    let tl = &ctx.rec.timeline;
    let services = ctx.rec.services as f64;
    let line = |label: L, colour: RGBColor, f: &dyn Fn(&crate::engine::TimelineRow) -> f64| {
        let points: Vec<(f64, f64)> = tl.iter().map(|r| (r.minute / 60.0, f(r))).collect();
        let any = points.iter().any(|p| p.1 > 0.0);
        any.then(|| Series {
            label,
            colour,
            points: thin(points),
        })
    };
    let groups: [(L, Vec<Option<Series>>); 3] = [
        (
            cl::THREAT_HOSTS_AXIS,
            vec![line(cl::THREAT_HOSTS, RED_, &|r| r.hosts_infected as f64)],
        ),
        (
            cl::THREAT_NODES_AXIS,
            vec![
                line(cl::THREAT_CUT_OFF, PURPLE, &|r| r.nodes_cut_off as f64),
                line(cl::THREAT_DOWN, BLUE, &|r| r.nodes_down as f64),
            ],
        ),
        (
            cl::THREAT_SERVICES_AXIS,
            vec![line(cl::THREAT_SERVICES, ORANGE, &|r| {
                ((100.0 - r.services_available_pct) * services / 100.0)
                    .round()
                    .max(0.0)
            })],
        ),
    ];
    groups
        .into_iter()
        .filter_map(|(axis, series)| {
            let series: Vec<Series> = series.into_iter().flatten().collect();
            let max = series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.1))
                .fold(0.0, f64::max);
            (!series.is_empty()).then_some(Panel { axis, series, max })
        })
        .collect()
}

/// A vertical mark: an inject (`I1`, …) or a response milestone.
pub struct Marker {
    pub minute: f64,
    pub label: String,
    pub colour: RGBColor,
    pub inject: bool,
}

/// The response milestones (label, minute from the start or None).
pub fn milestones(ctx: &Ctx) -> Vec<(L, Option<f64>)> {
    let o = &ctx.a.outcomes;
    let base = first_inject(ctx.rec);
    [
        (cl::MS_DETECT, o.time_to_detect_min),
        (cl::MS_FIRST_REPORT, o.time_to_first_report_min),
        (cl::MS_ACTIVATION, o.time_to_activation_min),
        (cl::MS_CONTAINMENT, o.time_to_containment_min),
    ]
    .into_iter()
    .map(|(l, t)| {
        (
            l,
            t.map(|t| base + t)
                .filter(|m| *m <= ctx.rec.duration_min + 1e-9),
        )
    })
    .collect()
}

/// Inject labels: darker than their grey lines, to be read at 13 px.
const INJECT_INK: RGBColor = RGBColor(80, 80, 80);

const MS_COLOURS: [RGBColor; 4] = [PURPLE, BLUE, ORANGE, GREEN];

/// Injects and reached milestones, in time order.
pub fn markers(ctx: &Ctx) -> Vec<Marker> {
    let mut v: Vec<Marker> = ctx
        .rec
        .meta
        .injects
        .iter()
        .enumerate()
        .filter(|(_, (m, _))| *m <= ctx.rec.duration_min + 1e-9)
        .map(|(i, (m, _))| Marker {
            minute: *m,
            label: format!("I{}", i + 1),
            colour: GREY,
            inject: true,
        })
        .collect();
    for ((l, m), colour) in milestones(ctx).into_iter().zip(MS_COLOURS) {
        if let Some(minute) = m {
            v.push(Marker {
                minute,
                label: ctx.t(l).to_string(),
                colour,
                inject: false,
            });
        }
    }
    // Stable: injects before milestones at the same minute.
    v.sort_by(|a, b| a.minute.total_cmp(&b.minute));
    v
}

const MARGIN: u32 = 14;
const LEFT: u32 = 72;
const RIGHT: u32 = 200;
const TOP: u32 = 44;
const ROW_H: i32 = 18;
const LABEL_SIZE: u32 = 13;
const PANEL_H: u32 = 150;
const X_AXIS_H: u32 = 50;

/// Pixel x of an hour on the shared time axis.
fn px(hour: f64, xh: f64) -> i32 {
    let (x0, x1) = ((MARGIN + LEFT) as f64, (W - MARGIN - RIGHT) as f64);
    (x0 + hour / xh * (x1 - x0)).round() as i32
}

/// Each marker's label: left edge, width and row in the band.
fn label_layout(ctx: &Ctx, markers: &[Marker]) -> (Vec<(i32, i32)>, Vec<usize>) {
    let xh = ctx.hours();
    let xs: Vec<i32> = markers.iter().map(|m| px(m.minute / 60.0, xh)).collect();
    let spans: Vec<(i32, i32)> = markers
        .iter()
        .zip(&xs)
        .map(|(m, &x)| place(x, label_width(&m.label, LABEL_SIZE), 4, W as i32 - 4))
        .collect();
    let items: Vec<(i32, i32, i32)> = spans.iter().zip(&xs).map(|(s, &x)| (s.0, s.1, x)).collect();
    let rows = stagger(&items, 6);
    (spans, rows)
}

fn band_h(rows: &[usize]) -> u32 {
    rows.iter()
        .max()
        .map_or(0, |r| (r + 1) as u32 * ROW_H as u32 + 6)
}

pub fn height(ctx: &Ctx) -> u32 {
    let n = panels(ctx).len() as u32;
    if ctx.rec.timeline.is_empty() || n == 0 {
        return 300;
    }
    let (_, rows) = label_layout(ctx, &markers(ctx));
    TOP + band_h(&rows) + n * PANEL_H + X_AXIS_H
}

pub fn caption(ctx: &Ctx) -> String {
    let mut out = ctx.t(cl::CAP_THREAT).to_string();
    let sep = match ctx.lang {
        crate::report::Lang::Zh => "；",
        crate::report::Lang::En => "; ",
    };
    let injects: Vec<String> = ctx
        .rec
        .meta
        .injects
        .iter()
        .enumerate()
        .map(|(i, (m, d))| {
            fill(
                ctx.t(cl::CAP_INJECT),
                &[
                    ("id", format!("I{}", i + 1)),
                    ("time", format!("{}, {}", ctx.clock(*m), ctx.elapsed(*m))),
                    ("text", d.clone()),
                ],
            )
        })
        .collect();
    if !injects.is_empty() {
        out.push_str(super::sentence_gap(ctx));
        out.push_str(&injects.join(sep));
        out.push_str(if ctx.lang == crate::report::Lang::Zh {
            "。"
        } else {
            "."
        });
    }
    let missing: Vec<&str> = milestones(ctx)
        .into_iter()
        .filter(|(_, m)| m.is_none())
        .map(|(l, _)| ctx.t(l))
        .collect();
    if !missing.is_empty() {
        out.push_str(super::sentence_gap(ctx));
        out.push_str(&fill(
            ctx.t(cl::CAP_NO_MILESTONE),
            &[("list", missing.join(sep))],
        ));
    }
    out
}

pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> R {
    let name = ctx.t(cl::THREAT);
    let panels = panels(ctx);
    if ctx.rec.timeline.is_empty() {
        return super::no_data(root, name, ctx);
    }
    title(root, name)?;
    if panels.is_empty() {
        let (w, h) = root.dim_in_pixel();
        return root
            .draw(&Text::new(
                ctx.t(cl::THREAT_NOTHING).to_string(),
                (w as i32 / 2, h as i32 / 2),
                text(16)
                    .color(&GREY)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .s();
    }
    let markers = markers(ctx);
    let (spans, rows) = label_layout(ctx, &markers);
    let band = band_h(&rows);
    let xh = ctx.hours();
    // The band: each label in its row, a leader line down to the panels.
    let band_bottom = (TOP + band) as i32;
    for ((m, &(x0, _)), &row) in markers.iter().zip(&spans).zip(&rows) {
        let y = TOP as i32 + row as i32 * ROW_H + ROW_H / 2;
        let x = px(m.minute / 60.0, xh);
        root.draw(&Text::new(
            m.label.clone(),
            (x0, y),
            text(LABEL_SIZE)
                .color(if m.inject { &INJECT_INK } else { &m.colour })
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .s()?;
        root.draw(&PathElement::new(
            vec![(x, y - 7), (x, band_bottom + 6)],
            m.colour.mix(0.8).stroke_width(1),
        ))
        .s()?;
    }
    let (_, mut rest) = root.split_vertically(TOP + band);
    let n = panels.len();
    for (i, p) in panels.iter().enumerate() {
        let last = i + 1 == n;
        let area = if last {
            rest.clone()
        } else {
            let (a, b) = rest.split_vertically(PANEL_H);
            rest = b;
            a
        };
        let top = p.max.max(1.0) * 1.12;
        let mut chart = ChartBuilder::on(&area)
            .margin_left(MARGIN)
            .margin_right(MARGIN + RIGHT)
            .margin_top(6)
            .margin_bottom(if last { 0 } else { 6 })
            .x_label_area_size(if last { X_AXIS_H } else { 0 })
            .y_label_area_size(LEFT)
            .build_cartesian_2d(0f64..xh, 0f64..top)
            .s()?;
        let mut mesh = chart.configure_mesh();
        mesh.y_desc(ctx.t(p.axis))
            .x_label_formatter(&hours_fmt)
            .y_label_formatter(&count_fmt)
            .y_labels(5)
            .label_style(text(13))
            .axis_desc_style(text(14))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(220, 220, 220));
        if last {
            mesh.x_desc(ctx.t(lb::AXIS_HOURS));
        }
        mesh.draw().s()?;
        for m in &markers {
            let x = m.minute / 60.0;
            if m.inject {
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(x, 0.0), (x, top)],
                        6,
                        4,
                        GREY.stroke_width(1),
                    ))
                    .s()?;
            } else {
                chart
                    .draw_series(LineSeries::new(
                        vec![(x, 0.0), (x, top)],
                        m.colour.mix(0.8).stroke_width(1),
                    ))
                    .s()?;
            }
        }
        let mut items = Vec::new();
        for s in &p.series {
            chart
                .draw_series(LineSeries::new(s.points.clone(), s.colour.stroke_width(2)))
                .s()?;
            items.push((ctx.t(s.label).to_string(), Mark::Line(s.colour)));
        }
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        legend(root, (xr.end + 12, yr.start + 2), &items)?;
    }
    Ok(())
}
