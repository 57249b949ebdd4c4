//! The report's charts: each a pure function of the record and the
//! assessment, drawn twice by the same code: SVG (text as `<text>` in the
//! `sans-serif` family) and PNG (text drawn with the bundled font).

use std::collections::BTreeMap;
use std::fmt::Display;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Ctx;
use super::fonts::{self, FAMILY};
use super::labels::{self as lb, L, fill};
use crate::score::Status;

/// One chart, in both formats.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// File stem: `charts/<name>.svg`, `charts/<name>.png`.
    pub name: &'static str,
    pub title: String,
    pub caption: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// The charts in report order.
pub const NAMES: [&str; 6] = [
    "threat",
    "compliance",
    "response_timeline",
    "services",
    "provinces",
    "obligations_by_tier",
];

const W: u32 = 1000;

const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(230, 120, 10);
const GREEN: RGBColor = RGBColor(44, 160, 44);
const RED_: RGBColor = RGBColor(214, 39, 40);
const PURPLE: RGBColor = RGBColor(148, 103, 189);
const BROWN: RGBColor = RGBColor(140, 86, 75);
const GREY: RGBColor = RGBColor(127, 127, 127);
const CYAN: RGBColor = RGBColor(23, 160, 180);
const OLIVE: RGBColor = RGBColor(160, 160, 30);
const INK: RGBColor = RGBColor(30, 30, 30);
const SERIES: [RGBColor; 7] = [BLUE, ORANGE, GREEN, PURPLE, BROWN, CYAN, OLIVE];

/// The status groups of the charts (and their colours).
const GROUPS: [(L, RGBColor); 5] = [
    (L("按时", "On time"), GREEN),
    (L("超时", "Late"), ORANGE),
    (L("未履行", "Missed"), RED_),
    (lb::CH_STATUS_OTHER, PURPLE),
    (L("未到期", "Pending"), GREY),
];

fn group(s: Status) -> usize {
    match s {
        Status::OnTime => 0,
        Status::Late => 1,
        Status::Missed => 2,
        Status::WrongActor | Status::OutOfOrder | Status::WrongLevel => 3,
        Status::Pending | Status::NotDue => 4,
    }
}

/// Severity for "worst status of a row": missed > late > other > pending > on time.
fn severity(g: usize) -> u8 {
    [0, 3, 4, 2, 1][g]
}

type R = Result<(), String>;

trait OrStr<T> {
    fn s(self) -> Result<T, String>;
}
impl<T, E: Display> OrStr<T> for Result<T, E> {
    fn s(self) -> Result<T, String> {
        self.map_err(|e| e.to_string())
    }
}

fn font(size: u32) -> FontDesc<'static> {
    (FAMILY, size).into_font()
}

fn text(size: u32) -> TextStyle<'static> {
    font(size).color(&INK)
}

#[derive(Clone, Copy)]
enum Kind {
    Threat,
    Compliance,
    Gantt,
    Services,
    Provinces,
    Status,
}

/// All charts, in report order.
pub fn all(ctx: &Ctx) -> Vec<Chart> {
    fonts::ensure_registered();
    let kinds = [
        (Kind::Threat, lb::CH_THREAT, lb::CAPTION_THREAT),
        (Kind::Compliance, lb::CH_COMPLIANCE, lb::CAPTION_COMPLIANCE),
        (Kind::Gantt, lb::CH_GANTT, lb::CAPTION_GANTT),
        (Kind::Services, lb::CH_SERVICES, lb::CAPTION_SERVICES),
        (Kind::Provinces, lb::CH_PROVINCES, lb::CAPTION_PROVINCES),
        (Kind::Status, lb::CH_STATUS, lb::CAPTION_STATUS),
    ];
    kinds
        .iter()
        .zip(NAMES)
        .map(|(&(kind, title, caption), name)| {
            let h = height(kind, ctx);
            let (svg, png) = draw_both(kind, ctx, W, h)
                .unwrap_or_else(|e| panic!("chart {name} could not be drawn: {e}"));
            Chart {
                name,
                title: ctx.t(title).to_string(),
                caption: ctx.t(caption).to_string(),
                svg,
                png,
            }
        })
        .collect()
}

fn height(kind: Kind, ctx: &Ctx) -> u32 {
    match kind {
        Kind::Gantt => 130 + 24 * gantt_rows(ctx).0.len().max(3) as u32,
        Kind::Provinces => 120 + 20 * ctx.rec.meta.provinces.len().max(3) as u32,
        Kind::Status => 160 + 48 * status_rows(ctx).len().max(2) as u32,
        _ => 460,
    }
}

fn draw_both(kind: Kind, ctx: &Ctx, w: u32, h: u32) -> Result<(String, Vec<u8>), String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).s()?;
        draw(kind, &root, ctx)?;
        root.present().s()?;
    }
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        root.fill(&WHITE).s()?;
        draw(kind, &root, ctx)?;
        root.present().s()?;
    }
    Ok((svg, encode_png(&rgb, w, h)?))
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Best);
        enc.set_filter(png::FilterType::Paeth);
        enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut wr = enc.write_header().s()?;
        wr.write_image_data(rgb).s()?;
    }
    Ok(out)
}

fn draw<DB: DrawingBackend>(kind: Kind, root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> R {
    match kind {
        Kind::Threat => threat(root, ctx),
        Kind::Compliance => compliance(root, ctx),
        Kind::Gantt => gantt(root, ctx),
        Kind::Services => services(root, ctx),
        Kind::Provinces => provinces(root, ctx),
        Kind::Status => status(root, ctx),
    }
}

/// Keeps at most ~1200 points of a series: the first and last point of
/// every bucket and its extremes, in order (spikes survive).
fn thin(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    const BUCKETS: usize = 300;
    if points.len() <= 4 * BUCKETS {
        return points;
    }
    let size = points.len().div_ceil(BUCKETS);
    let mut out = Vec::with_capacity(4 * BUCKETS + 1);
    for chunk in points.chunks(size) {
        let (mut lo, mut hi) = (0, 0);
        for (i, p) in chunk.iter().enumerate() {
            if p.1 < chunk[lo].1 {
                lo = i;
            }
            if p.1 > chunk[hi].1 {
                hi = i;
            }
        }
        let mut idx = vec![0, lo, hi, chunk.len() - 1];
        idx.sort_unstable();
        idx.dedup();
        out.extend(idx.into_iter().map(|i| chunk[i]));
    }
    out
}

fn no_data<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, title: &str, ctx: &Ctx) -> R {
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 24),
        text(22).pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .s()?;
    root.draw(&Text::new(
        ctx.t(lb::NO_DATA).to_string(),
        (w as i32 / 2, h as i32 / 2),
        text(18)
            .color(&GREY)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
    .s()
}

fn legend_line(c: RGBColor, width: u32) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(width))
}

/// Room right of a plot for its legend.
const LEGEND_W: u32 = 150;

/// A legend entry's mark.
#[derive(Clone, Copy)]
enum Mark {
    Box(RGBColor, f64),
    Tick(RGBColor),
}

/// A legend drawn at backend pixel `at` (right of the plot, in the room left
/// by `right_y_label_area_size(LEGEND_W)`; plotters clips its own legend to
/// the plotting area).
fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    items: &[(String, Mark)],
) -> R {
    let (x, y0) = at;
    for (k, (label, mark)) in items.iter().enumerate() {
        let y = y0 + 10 + 22 * k as i32;
        match *mark {
            Mark::Box(c, alpha) => root
                .draw(&Rectangle::new(
                    [(x, y - 6), (x + 14, y + 6)],
                    c.mix(alpha).filled(),
                ))
                .s()?,
            Mark::Tick(c) => root
                .draw(&PathElement::new(
                    vec![(x + 7, y - 8), (x + 7, y + 8)],
                    c.stroke_width(3),
                ))
                .s()?,
        }
        root.draw(&Text::new(
            label.clone(),
            (x + 22, y),
            text(13).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .s()?;
    }
    Ok(())
}

fn count_fmt(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{:.0}", v)
    } else {
        String::new()
    }
}

fn hours_fmt(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{:.0}", v)
    } else {
        format!("{:.1}", v)
    }
}

/// (a) Hosts infected (left axis) and nodes down (right axis), with injects.
fn threat<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> R {
    let title = ctx.t(lb::CH_THREAT);
    let tl = &ctx.rec.timeline;
    if tl.is_empty() {
        return no_data(root, title, ctx);
    }
    let xh = ctx.hours();
    let hosts_max = tl
        .iter()
        .map(|r| r.hosts_infected)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let down_max = tl.iter().map(|r| r.nodes_down).max().unwrap_or(0).max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(22))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(78)
        .right_y_label_area_size(70)
        .build_cartesian_2d(0f64..xh, 0f64..hosts_max * 1.12)
        .s()?
        .set_secondary_coord(0f64..xh, 0f64..(down_max * 1.12).max(5.0));
    chart
        .configure_mesh()
        .x_desc(ctx.t(lb::AXIS_HOURS))
        .y_desc(ctx.t(lb::CH_THREAT_HOSTS))
        .x_label_formatter(&hours_fmt)
        .y_label_formatter(&count_fmt)
        .label_style(text(14))
        .axis_desc_style(text(15))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .s()?;
    chart
        .configure_secondary_axes()
        .y_desc(ctx.t(lb::CH_THREAT_DOWN))
        .y_label_formatter(&count_fmt)
        .label_style(text(14))
        .axis_desc_style(text(15))
        .draw()
        .s()?;
    let top = hosts_max * 1.12;
    for (i, (minute, _)) in ctx.rec.meta.injects.iter().enumerate() {
        let x = minute / 60.0;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x, 0.0), (x, top)],
                6,
                4,
                GREY.stroke_width(1),
            ))
            .s()?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("I{}", i + 1),
                (x, top),
                text(13).color(&GREY).pos(Pos::new(HPos::Left, VPos::Top)),
            )))
            .s()?;
    }
    let hosts = thin(
        tl.iter()
            .map(|r| (r.minute / 60.0, r.hosts_infected as f64))
            .collect(),
    );
    let down = thin(
        tl.iter()
            .map(|r| (r.minute / 60.0, r.nodes_down as f64))
            .collect(),
    );
    chart
        .draw_series(LineSeries::new(hosts, RED_.stroke_width(2)))
        .s()?
        .label(ctx.t(lb::CH_THREAT_HOSTS))
        .legend(legend_line(RED_, 2));
    chart
        .draw_secondary_series(LineSeries::new(down, BLUE.stroke_width(2)))
        .s()?
        .label(ctx.t(lb::CH_THREAT_DOWN))
        .legend(legend_line(BLUE, 2));
    if !ctx.rec.meta.injects.is_empty() {
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .s()?
            .label(format!("{} (I1…)", ctx.t(lb::CH_INJECT)))
            .legend(|(x, y)| {
                PathElement::new(vec![(x + 10, y - 7), (x + 10, y + 7)], GREY.stroke_width(1))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(text(14))
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .draw()
        .s()
}

/// (b) Compliance, overall and per tier, with missed deadlines.
fn compliance<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> R {
    let title = ctx.t(lb::CH_COMPLIANCE);
    let cp = &ctx.a.compliance;
    if cp.is_empty() || ctx.a.obligations.is_empty() {
        return no_data(root, title, ctx);
    }
    let xh = ctx.hours();
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(22))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..xh, 0f64..105f64)
        .s()?;
    chart
        .configure_mesh()
        .x_desc(ctx.t(lb::AXIS_HOURS))
        .y_desc(ctx.t(lb::CH_COMPLIANCE_Y))
        .x_label_formatter(&hours_fmt)
        .y_label_formatter(&count_fmt)
        .label_style(text(14))
        .axis_desc_style(text(15))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .s()?;
    let mut order: Vec<usize> = (0..ctx.a.tiers.len()).collect();
    order.sort_by_key(|&i| (tier_rank(&ctx.a.tiers[i]), i));
    for (k, &i) in order.iter().enumerate() {
        let tier = &ctx.a.tiers[i];
        let c = SERIES[k % SERIES.len()];
        let pts = thin(
            cp.iter()
                .filter_map(|p| p.by_tier.get(i).map(|v| (p.minute / 60.0, *v)))
                .collect(),
        );
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(2)))
            .s()?
            .label(lb::tier(tier).get(ctx.lang))
            .legend(legend_line(c, 2));
    }
    let overall = thin(cp.iter().map(|p| (p.minute / 60.0, p.overall)).collect());
    chart
        .draw_series(LineSeries::new(overall, INK.stroke_width(3)))
        .s()?
        .label(ctx.t(lb::CH_OVERALL))
        .legend(legend_line(INK, 3));
    let at = |minute: f64| -> f64 {
        let i = cp.partition_point(|p| p.minute <= minute);
        cp[i.saturating_sub(1)].overall
    };
    let mut missed: Vec<f64> = ctx
        .a
        .obligations
        .iter()
        .filter(|o| o.status == Status::Missed)
        .filter_map(|o| o.due_min)
        .filter(|m| *m <= ctx.rec.duration_min)
        .collect();
    missed.sort_by(f64::total_cmp);
    missed.dedup();
    chart
        .draw_series(
            missed
                .iter()
                .map(|m| Cross::new((m / 60.0, at(*m)), 5, RED_.stroke_width(2))),
        )
        .s()?
        .label(ctx.t(lb::CH_MISSED_DUE))
        .legend(|(x, y)| Cross::new((x + 10, y), 5, RED_.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .label_font(text(14))
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .draw()
        .s()
}

/// One row of the response timeline: one task of one body.
#[derive(Clone, Debug)]
struct GanttRow {
    label: String,
    start: f64,
    end: f64,
    unfinished: bool,
    due: Option<f64>,
    /// Index into [`GROUPS`] of the worst status (None: no obligation).
    worst: Option<usize>,
}

const GANTT_MAX_ROWS: usize = 32;

/// The rows (capped) and how many were left out.
fn gantt_rows(ctx: &Ctx) -> (Vec<GanttRow>, usize) {
    let mut worst_of_task: BTreeMap<usize, usize> = BTreeMap::new();
    for o in &ctx.a.obligations {
        let g = group(o.status);
        let e = worst_of_task.entry(o.task).or_insert(g);
        if severity(g) > severity(*e) {
            *e = g;
        }
    }
    let body_rank = |b: &str| {
        ctx.rec
            .meta
            .bodies
            .iter()
            .position(|m| m.id == b)
            .unwrap_or(usize::MAX)
    };
    let mut groups: BTreeMap<(usize, &str, &str, &str), GanttRow> = BTreeMap::new();
    // The chart's axis is the network horizon: work after it (the paperwork
    // of ended responses) is drawn up to the edge; the report lists it.
    let horizon = ctx.rec.duration_min;
    for t in &ctx.rec.tasks {
        let start = t.started.unwrap_or(t.created).min(horizon);
        let end = match t.finished {
            Some(f) => f,
            // Skipped: it stopped at its deadline (or never ran).
            None if t.state == "skipped" => t.due.unwrap_or(start).min(ctx.rec.duration_min),
            None => ctx.rec.duration_min,
        }
        .min(horizon)
        .max(start);
        let key = (
            body_rank(&t.body),
            t.body.as_str(),
            t.kind.as_str(),
            t.name.as_str(),
        );
        let kind = lb::task_kind(&t.kind).get(ctx.lang);
        let row = groups.entry(key).or_insert_with(|| GanttRow {
            label: if t.name == t.kind || t.name.is_empty() {
                format!("{} · {}", ctx.body_name(&t.body), kind)
            } else {
                // The step's name from the plan file, never its id.
                let name = ctx.names().task(&t.kind, &t.name, &t.source);
                format!("{} · {} {}", ctx.body_name(&t.body), kind, name)
            },
            start,
            end,
            unfinished: false,
            due: None,
            worst: None,
        });
        row.start = row.start.min(start);
        row.end = row.end.max(end);
        row.unfinished |= t.finished.is_none() && t.state != "skipped";
        if let Some(d) = t.due {
            row.due = Some(row.due.map_or(d, |x: f64| x.min(d)));
        }
        if let Some(&g) = worst_of_task.get(&t.id) {
            row.worst = Some(match row.worst {
                Some(w) if severity(w) >= severity(g) => w,
                _ => g,
            });
        }
    }
    let mut rows: Vec<GanttRow> = groups.into_values().collect();
    let total = rows.len();
    if total > GANTT_MAX_ROWS {
        // Keep the worst rows, then show them in plan order.
        let mut idx: Vec<usize> = (0..total).collect();
        idx.sort_by_key(|&i| (std::cmp::Reverse(rows[i].worst.map_or(0, severity)), i));
        idx.truncate(GANTT_MAX_ROWS);
        idx.sort_unstable();
        rows = idx.into_iter().map(|i| rows[i].clone()).collect();
    }
    (rows, total.saturating_sub(GANTT_MAX_ROWS))
}

/// Rough pixel width of a label at `size` px (CJK wide, Latin narrow).
fn label_width(s: &str, size: u32) -> u32 {
    let w: f64 = s
        .chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.58 } else { 1.0 })
        .sum();
    (w * size as f64).ceil() as u32
}

fn ellipsize(s: &str, max_px: u32, size: u32) -> String {
    if label_width(s, size) <= max_px {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        out.push(c);
        if label_width(&out, size) + size > max_px {
            out.push('…');
            break;
        }
    }
    out
}

/// (c) Response timeline: bodies' tasks as bars against deadlines.
fn gantt<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> R {
    let title = ctx.t(lb::CH_GANTT);
    let (rows, more) = gantt_rows(ctx);
    if rows.is_empty() {
        return no_data(root, title, ctx);
    }
    let n = rows.len() as f64;
    let labels: Vec<String> = rows.iter().map(|r| ellipsize(&r.label, 400, 13)).collect();
    let label_px = labels
        .iter()
        .map(|l| label_width(l, 13))
        .max()
        .unwrap_or(50)
        + 16;
    let xh = ctx.hours();
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(22))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(label_px)
        .right_y_label_area_size(LEGEND_W)
        .build_cartesian_2d(0f64..xh, 0f64..n)
        .s()?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(ctx.t(lb::AXIS_HOURS))
        .x_label_formatter(&hours_fmt)
        .label_style(text(14))
        .axis_desc_style(text(15))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .s()?;
    let y = |i: usize| n - i as f64 - 0.5;
    let min_w = xh / 400.0;
    let mut items: Vec<(String, Mark)> = Vec::new();
    for (gi, (name, colour)) in GROUPS.iter().enumerate() {
        let bars: Vec<Rectangle<(f64, f64)>> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.worst.unwrap_or(0) == gi)
            .map(|(i, r)| {
                let style = if r.unfinished {
                    colour.mix(0.45).filled()
                } else {
                    colour.filled()
                };
                Rectangle::new(
                    [
                        (r.start / 60.0, y(i) - 0.32),
                        ((r.end / 60.0).max(r.start / 60.0 + min_w), y(i) + 0.32),
                    ],
                    style,
                )
            })
            .collect();
        chart.draw_series(bars).s()?;
        items.push((name.get(ctx.lang).to_string(), Mark::Box(*colour, 1.0)));
    }
    chart
        .draw_series(rows.iter().enumerate().filter_map(|(i, r)| {
            r.due.filter(|d| *d <= ctx.rec.duration_min).map(|d| {
                PathElement::new(
                    vec![(d / 60.0, y(i) - 0.45), (d / 60.0, y(i) + 0.45)],
                    RED_.stroke_width(3),
                )
            })
        }))
        .s()?;
    items.push((ctx.t(lb::CH_GANTT_DEADLINE).to_string(), Mark::Tick(RED_)));
    if rows.iter().any(|r| r.unfinished) {
        items.push((
            ctx.t(lb::CH_GANTT_RUNNING).to_string(),
            Mark::Box(GREY, 0.45),
        ));
    }
    // Row labels, right-aligned left of the plot.
    let (px, _) = chart.plotting_area().get_pixel_range();
    for (i, l) in labels.iter().enumerate() {
        let (_, py) = chart.backend_coord(&(0.0, y(i)));
        root.draw(&Text::new(
            l.clone(),
            (px.start - 8, py),
            text(13).pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .s()?;
    }
    if more > 0 {
        let (w, h) = root.dim_in_pixel();
        root.draw(&Text::new(
            fill(ctx.t(lb::CH_GANTT_MORE), &[("n", more.to_string())]),
            (w as i32 - 16, h as i32 - 8),
            text(13)
                .color(&GREY)
                .pos(Pos::new(HPos::Right, VPos::Bottom)),
        ))
        .s()?;
    }
    let (px, py) = chart.plotting_area().get_pixel_range();
    legend(root, (px.end + 14, py.start + 4), &items)
}

/// (d) Services available (left, %) and taxpayer services down (right).
fn services<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> R {
    let title = ctx.t(lb::CH_SERVICES);
    let tl = &ctx.rec.timeline;
    if tl.is_empty() {
        return no_data(root, title, ctx);
    }
    let xh = ctx.hours();
    let tax_max = tl
        .iter()
        .map(|r| r.taxpayer_services_down)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(22))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(70)
        .right_y_label_area_size(70)
        .build_cartesian_2d(0f64..xh, 0f64..105f64)
        .s()?
        .set_secondary_coord(0f64..xh, 0f64..(tax_max * 1.12).max(5.0));
    chart
        .configure_mesh()
        .x_desc(ctx.t(lb::AXIS_HOURS))
        .y_desc(ctx.t(lb::CH_SERVICES_PCT))
        .x_label_formatter(&hours_fmt)
        .y_label_formatter(&count_fmt)
        .label_style(text(14))
        .axis_desc_style(text(15))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .s()?;
    chart
        .configure_secondary_axes()
        .y_desc(ctx.t(lb::CH_TAXPAYER_DOWN))
        .y_label_formatter(&count_fmt)
        .label_style(text(14))
        .axis_desc_style(text(15))
        .draw()
        .s()?;
    let pct = thin(
        tl.iter()
            .map(|r| (r.minute / 60.0, r.services_available_pct))
            .collect(),
    );
    let tax = thin(
        tl.iter()
            .map(|r| (r.minute / 60.0, r.taxpayer_services_down as f64))
            .collect(),
    );
    chart
        .draw_series(AreaSeries::new(pct.clone(), 0.0, GREEN.mix(0.15)))
        .s()?;
    chart
        .draw_series(LineSeries::new(pct, GREEN.stroke_width(2)))
        .s()?
        .label(ctx.t(lb::CH_SERVICES_PCT))
        .legend(legend_line(GREEN, 2));
    chart
        .draw_secondary_series(LineSeries::new(tax, ORANGE.stroke_width(2)))
        .s()?
        .label(ctx.t(lb::CH_TAXPAYER_DOWN))
        .legend(legend_line(ORANGE, 2));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font(text(14))
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .draw()
        .s()
}

/// (e) Nodes and hosts infected per provincial unit (two panels).
fn provinces<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> R {
    let title = ctx.t(lb::CH_PROVINCES);
    let provs = &ctx.rec.meta.provinces;
    if provs.is_empty() {
        return no_data(root, title, ctx);
    }
    let impact = |code: &str| ctx.rec.totals.provinces.iter().find(|p| p.code == code);
    let names: Vec<String> = provs
        .iter()
        .map(|(_, zh, en)| ellipsize(ctx.lang.pick(zh, en), 150, 13))
        .collect();
    let nodes: Vec<f64> = provs
        .iter()
        .map(|(c, _, _)| impact(c).map_or(0.0, |p| p.nodes_infected as f64))
        .collect();
    let hosts: Vec<f64> = provs
        .iter()
        .map(|(c, _, _)| impact(c).map_or(0.0, |p| p.hosts_infected as f64))
        .collect();
    let area = root.titled(title, font(22)).s()?;
    let label_px = names.iter().map(|l| label_width(l, 13)).max().unwrap_or(40) + 14;
    let (w, _) = area.dim_in_pixel();
    let (left, right) = area.split_horizontally(label_px + (w - label_px) / 2);
    let n = provs.len() as f64;
    let y = |i: usize| n - i as f64 - 0.5;
    for (panel, values, colour, name, lpx) in [
        (&left, &nodes, BLUE, lb::CH_PROV_NODES, label_px),
        (&right, &hosts, RED_, lb::CH_PROV_HOSTS, 10),
    ] {
        let max = values.iter().cloned().fold(0.0, f64::max).max(1.0) * 1.15;
        let mut chart = ChartBuilder::on(panel)
            .margin(10)
            .x_label_area_size(48)
            .y_label_area_size(lpx)
            .build_cartesian_2d(0f64..max, 0f64..n)
            .s()?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(5)
            .x_desc(ctx.t(name))
            .x_label_formatter(&count_fmt)
            .label_style(text(13))
            .axis_desc_style(text(15))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()
            .s()?;
        chart
            .draw_series(values.iter().enumerate().map(|(i, v)| {
                Rectangle::new([(0.0, y(i) - 0.35), (*v, y(i) + 0.35)], colour.filled())
            }))
            .s()?;
        chart
            .draw_series(
                values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v > 0.0)
                    .map(|(i, v)| {
                        Text::new(
                            format!("{v:.0}"),
                            (*v, y(i)),
                            text(11).pos(Pos::new(HPos::Left, VPos::Center)),
                        )
                    }),
            )
            .s()?;
        if lpx > 10 {
            let (px, _) = chart.plotting_area().get_pixel_range();
            for (i, l) in names.iter().enumerate() {
                let (_, py) = chart.backend_coord(&(0.0, y(i)));
                root.draw(&Text::new(
                    l.clone(),
                    (px.start - 6, py),
                    text(13).pos(Pos::new(HPos::Right, VPos::Center)),
                ))
                .s()?;
            }
        }
    }
    Ok(())
}

fn tier_rank(tier: &str) -> usize {
    const ORDER: [&str; 6] = [
        "hq",
        "provincial",
        "prefecture",
        "county",
        "grassroots",
        "external",
    ];
    ORDER.iter().position(|t| *t == tier).unwrap_or(ORDER.len())
}

/// Obligation counts per tier and status group, tiers in hierarchy order.
fn status_rows(ctx: &Ctx) -> Vec<(String, [u32; 5])> {
    let mut by: BTreeMap<(usize, String), [u32; 5]> = BTreeMap::new();
    for o in &ctx.a.obligations {
        let rank = tier_rank(&o.tier);
        by.entry((rank, o.tier.to_string())).or_default()[group(o.status)] += 1;
    }
    by.into_iter()
        .map(|((_, t), c)| (lb::tier(&t).get(ctx.lang).to_string(), c))
        .collect()
}

/// (f) Obligation status by tier: stacked horizontal bars.
fn status<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> R {
    let title = ctx.t(lb::CH_STATUS);
    let rows = status_rows(ctx);
    if rows.is_empty() {
        return no_data(root, title, ctx);
    }
    let n = rows.len() as f64;
    let max = rows
        .iter()
        .map(|(_, c)| c.iter().sum::<u32>())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let label_px = rows
        .iter()
        .map(|(l, _)| label_width(l, 14))
        .max()
        .unwrap_or(40)
        + 16;
    let mut chart = ChartBuilder::on(root)
        .caption(title, font(22))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(label_px)
        .right_y_label_area_size(LEGEND_W)
        .build_cartesian_2d(0f64..max * 1.1, 0f64..n)
        .s()?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(ctx.t(lb::CH_OBLIGATIONS))
        .x_label_formatter(&count_fmt)
        .label_style(text(14))
        .axis_desc_style(text(15))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .s()?;
    let y = |i: usize| n - i as f64 - 0.5;
    let mut items: Vec<(String, Mark)> = Vec::new();
    for (gi, (name, colour)) in GROUPS.iter().enumerate() {
        let mut bars = Vec::new();
        let mut labels = Vec::new();
        for (i, (_, c)) in rows.iter().enumerate() {
            let x0: u32 = c[..gi].iter().sum();
            let v = c[gi];
            if v == 0 {
                continue;
            }
            let (a, b) = (x0 as f64, (x0 + v) as f64);
            bars.push(Rectangle::new(
                [(a, y(i) - 0.3), (b, y(i) + 0.3)],
                colour.filled(),
            ));
            if (b - a) / (max * 1.1) > 0.04 {
                labels.push(Text::new(
                    v.to_string(),
                    ((a + b) / 2.0, y(i)),
                    text(13)
                        .color(&WHITE)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ));
            }
        }
        chart.draw_series(bars).s()?;
        items.push((name.get(ctx.lang).to_string(), Mark::Box(*colour, 1.0)));
        chart.draw_series(labels).s()?;
    }
    let (px, _) = chart.plotting_area().get_pixel_range();
    for (i, (l, _)) in rows.iter().enumerate() {
        let (_, py) = chart.backend_coord(&(0.0, y(i)));
        root.draw(&Text::new(
            l.clone(),
            (px.start - 8, py),
            text(14).pos(Pos::new(HPos::Right, VPos::Center)),
        ))
        .s()?;
    }
    let (px, py) = chart.plotting_area().get_pixel_range();
    legend(root, (px.end + 14, py.start + 4), &items)
}
