//! The report's charts: each a pure function of the record and the
//! assessment, drawn twice by the same code: SVG (text as `<text>` in the
//! `sans-serif` family) and PNG (text drawn with the bundled font).

use std::collections::BTreeMap;
use std::fmt::Display;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

mod drawable;
use super::Ctx;
use super::fonts::{self, FAMILY};
use super::labels::{self as lb, L};
use crate::score::Status;

pub mod compliance;
pub mod gantt;
pub mod labels;
pub mod provinces;
pub mod threat;

use labels as cl;

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
const GREY: RGBColor = RGBColor(127, 127, 127);
const INK: RGBColor = RGBColor(30, 30, 30);

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
        Kind::Threat,
        Kind::Compliance,
        Kind::Gantt,
        Kind::Services,
        Kind::Provinces,
        Kind::Status,
    ];
    kinds
        .iter()
        .zip(NAMES)
        .map(|(&kind, name)| {
            let h = height(kind, ctx);
            let (svg, png) = draw_both(kind, ctx, W, h)
                .unwrap_or_else(|e| panic!("chart {name} could not be drawn: {e}"));
            let (title, caption) = texts(kind, ctx);
            Chart {
                name,
                title,
                caption,
                svg,
                png,
            }
        })
        .collect()
}

/// A chart's title and caption (the caption may list what the chart marks).
fn texts(kind: Kind, ctx: &Ctx) -> (String, String) {
    match kind {
        Kind::Threat => (ctx.t(cl::THREAT).to_string(), threat::caption(ctx)),
        Kind::Compliance => (ctx.t(cl::COMPLIANCE).to_string(), compliance::caption(ctx)),
        Kind::Gantt => (ctx.t(cl::GANTT).to_string(), gantt::caption(ctx)),
        Kind::Services => (
            ctx.t(lb::CH_SERVICES).to_string(),
            ctx.t(lb::CAPTION_SERVICES).to_string(),
        ),
        Kind::Provinces => (ctx.t(cl::PROVINCES).to_string(), provinces::caption(ctx)),
        Kind::Status => (
            ctx.t(lb::CH_STATUS).to_string(),
            ctx.t(lb::CAPTION_STATUS).to_string(),
        ),
    }
}

fn height(kind: Kind, ctx: &Ctx) -> u32 {
    match kind {
        Kind::Threat => threat::height(ctx),
        Kind::Compliance => compliance::height(ctx),
        Kind::Gantt => gantt::height(ctx),
        Kind::Provinces => provinces::height(ctx),
        Kind::Status => 160 + 48 * status_rows(ctx).len().max(2) as u32,
        Kind::Services => 460,
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
        let root =
            drawable::Drawable(BitMapBackend::with_buffer(&mut rgb, (w, h))).into_drawing_area();
        root.fill(&WHITE).s()?;
        draw(kind, &root, ctx)?;
        root.present().s()?;
    }
    Ok((svg, encode_png(&rgb, w, h)?))
}

/// An RGB buffer as PNG bytes (deterministic: fixed compression and filter).
pub(crate) fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
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
        Kind::Threat => threat::draw(root, ctx),
        Kind::Compliance => compliance::draw(root, ctx),
        Kind::Gantt => gantt::draw(root, ctx),
        Kind::Services => services(root, ctx),
        Kind::Provinces => provinces::draw(root, ctx),
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
    Line(RGBColor),
    Thin(RGBColor),
    Dot(RGBColor),
}

/// Width of a horizontal legend item.
fn hitem_w(label: &str) -> i32 {
    26 + label_width(label, 13) as i32 + 22
}

/// Rows a horizontal legend needs within `width` pixels.
fn hlegend_rows(items: &[(String, Mark)], width: i32) -> u32 {
    let mut rows = 1;
    let mut x = 0;
    for (l, _) in items {
        let w = hitem_w(l);
        if x > 0 && x + w > width {
            rows += 1;
            x = 0;
        }
        x += w;
    }
    rows
}

/// Height of one row of a horizontal legend.
const HLEGEND_ROW: i32 = 22;

/// A legend laid out left to right from `(x0, y0)`, wrapping before `x0 +
/// width`; rows [`HLEGEND_ROW`] apart (outside every plot area).
fn hlegend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    width: i32,
    items: &[(String, Mark)],
) -> R {
    let (mut x, mut y) = (x0, y0 + HLEGEND_ROW / 2);
    for (label, mark) in items {
        let w = hitem_w(label);
        if x > x0 && x + w > x0 + width {
            x = x0;
            y += HLEGEND_ROW;
        }
        draw_mark(root, (x, y), *mark)?;
        root.draw(&Text::new(
            label.clone(),
            (x + 26, y),
            text(13).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .s()?;
        x += w;
    }
    Ok(())
}

fn draw_mark<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, (x, y): (i32, i32), m: Mark) -> R {
    match m {
        Mark::Box(c, alpha) => root
            .draw(&Rectangle::new(
                [(x, y - 6), (x + 18, y + 6)],
                c.mix(alpha).filled(),
            ))
            .s(),
        Mark::Tick(c) => root
            .draw(&PathElement::new(
                vec![(x + 9, y - 8), (x + 9, y + 8)],
                c.stroke_width(2),
            ))
            .s(),
        Mark::Line(c) => root
            .draw(&PathElement::new(
                vec![(x, y), (x + 20, y)],
                c.stroke_width(2),
            ))
            .s(),
        Mark::Thin(c) => root
            .draw(&PathElement::new(
                vec![(x, y), (x + 20, y)],
                c.stroke_width(1),
            ))
            .s(),
        Mark::Dot(c) => root.draw(&Circle::new((x + 10, y), 4, c.filled())).s(),
    }
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
        draw_mark(root, (x, y), *mark)?;
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

/// Estimated pixel width of a label at `size` px: CJK and full-width
/// characters 1 em, others 0.6 em (DejaVu Sans averages ≈ 0.55 em; the
/// estimate errs wide so that what it places is never clipped). The
/// text-inside-the-canvas test uses the same estimate.
pub fn label_width(s: &str, size: u32) -> u32 {
    let w: f64 = s
        .chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.6 } else { 1.0 })
        .sum();
    (w * size as f64).ceil() as u32
}

/// The space between two sentences of a caption (none in Chinese).
fn sentence_gap(ctx: &Ctx) -> &'static str {
    match ctx.lang {
        super::Lang::Zh => "",
        super::Lang::En => " ",
    }
}

/// Draws a chart's title centred at the top (its box is y 8–34).
fn title<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, s: &str) -> R {
    let (w, _) = root.dim_in_pixel();
    root.draw(&Text::new(
        ellipsize(s, w - 20, 22),
        (w as i32 / 2, 10),
        text(22).pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .s()
}

/// A label placed beside a vertical mark at pixel `x`: right of it if it
/// fits before `hi`, else left of it, never before `lo`. Returns the text's
/// left edge and width.
fn place(x: i32, width: u32, lo: i32, hi: i32) -> (i32, i32) {
    let w = width as i32;
    let x0 = if x + 3 + w <= hi { x + 3 } else { x - 3 - w };
    (x0.max(lo).min(hi - w).max(lo), w)
}

/// Assigns each label `(left, width, leader x)` a row of a band above a
/// plot, in the given order: the first row where it keeps `gap` pixels
/// from the labels already there, crosses no leader line of a label in a
/// row above it, and whose own leader (down from its row) crosses no label
/// in a row below (if no row allows that, the first row where its text
/// overlaps nothing). Returns the row of each label (rows = max + 1).
fn stagger(items: &[(i32, i32, i32)], gap: i32) -> Vec<usize> {
    let mut placed: Vec<(i32, i32, i32, usize)> = Vec::with_capacity(items.len());
    let mut out = Vec::with_capacity(items.len());
    for &(x0, w, lx) in items {
        let x1 = x0 + w;
        let hits = |a: i32, b: i32, x: i32| x + gap > a && x < b + gap;
        let ok = |r: usize| {
            placed.iter().all(|&(a, b, l, q)| {
                if q == r {
                    x1 + gap <= a || x0 >= b + gap
                } else if q < r {
                    !hits(x0, x1, l)
                } else {
                    !hits(a, b, lx)
                }
            })
        };
        // Labels whose leaders cannot avoid each other (marks at one x)
        // fall back to the first row without overlapping text.
        let free = |r: usize| {
            placed
                .iter()
                .all(|&(a, b, _, q)| q != r || x1 + gap <= a || x0 >= b + gap)
        };
        let limit = placed.len() + 1;
        let r = (0..limit)
            .find(|&r| ok(r))
            .or_else(|| (0..=limit).find(|&r| free(r)))
            .unwrap_or(limit);
        placed.push((x0, x1, lx, r));
        out.push(r);
    }
    out
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

#[cfg(test)]
mod tests {
    use super::stagger;

    #[test]
    fn staggered_labels_never_overlap_even_at_one_x() {
        // Three marks at one x, one near it, one far away.
        let items = [
            (100, 40, 97),
            (100, 40, 97),
            (100, 60, 97),
            (120, 30, 117),
            (400, 30, 397),
        ];
        let rows = stagger(&items, 6);
        for i in 0..items.len() {
            for j in 0..i {
                if rows[i] == rows[j] {
                    let (a, b) = (items[i], items[j]);
                    assert!(
                        a.0 + a.1 + 6 <= b.0 || b.0 + b.1 + 6 <= a.0,
                        "{i} and {j} overlap"
                    );
                }
            }
        }
        assert_eq!(rows[4], 0, "a label far away stays in the first row");
    }
}
