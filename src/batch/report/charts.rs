//! The batch report's charts, each drawn twice by the same code: SVG (text
//! as `<text>` in the `sans-serif` family) and PNG (text drawn with the
//! bundled font, see `report::fonts`). Every label is measured with the
//! bundled font and shortened with "…" when it would not fit, so nothing is
//! clipped; legends sit right of the plot, outside the data.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels as lb;
use crate::report::Lang;
use crate::report::charts::Chart;
use crate::report::fonts::{self, FAMILY};
use crate::report::labels::L;

const W: u32 = 1000;
const INK: RGBColor = RGBColor(30, 30, 30);
const GREY: RGBColor = RGBColor(127, 127, 127);
const GRID: RGBColor = RGBColor(215, 215, 215);
/// Variant colours (colour-blind-safe Okabe–Ito order, then more).
const SERIES: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 120, 120),
    RGBColor(140, 86, 75),
];

/// The colour of variant `i`.
pub fn colour(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

type R = Result<(), String>;

fn e<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, String> {
    r.map_err(|e| e.to_string())
}

fn font(size: u32) -> FontDesc<'static> {
    (FAMILY, size).into_font()
}

fn text(size: u32) -> TextStyle<'static> {
    font(size).color(&INK)
}

/// Something drawn the same way on any backend.
trait Draw {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R;
}

fn render<D: Draw>(d: &D, name: &'static str, title: String, caption: String, h: u32) -> Chart {
    fonts::ensure_registered();
    let both = || -> Result<(String, Vec<u8>), String> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (W, h)).into_drawing_area();
            e(root.fill(&WHITE))?;
            d.draw(&root)?;
            e(root.present())?;
        }
        let mut rgb = vec![0u8; (W * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (W, h)).into_drawing_area();
            e(root.fill(&WHITE))?;
            d.draw(&root)?;
            e(root.present())?;
        }
        Ok((svg, crate::report::charts::encode_png(&rgb, W, h)?))
    };
    let (svg, png) = both().unwrap_or_else(|err| panic!("chart {name} could not be drawn: {err}"));
    Chart {
        name,
        title,
        caption,
        svg,
        png,
    }
}

/// Width in pixels of `s` drawn in `style` (measured with the bundled font).
fn width<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, s: &str, style: &TextStyle) -> u32 {
    root.estimate_text_size(s, style)
        .map(|(w, _)| w)
        .unwrap_or_else(|_| s.chars().count() as u32 * 16)
}

/// `s`, shortened with "…" to fit `max_px`.
fn fit<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    style: &TextStyle,
    max_px: u32,
) -> String {
    if width(root, s, style) <= max_px {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut n = chars.len();
    while n > 0 {
        n -= 1;
        let t: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if width(root, &t, style) <= max_px {
            return t;
        }
    }
    "…".to_string()
}

/// Axis numbers: integers without decimals, small values with one or two.
fn axis_num(v: &f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e5 {
        format!("{:.0}k", v / 1e3)
    } else if (v - v.round()).abs() < 1e-9 || a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A legend of variants at backend pixel `(x, y)`, at most `max_px` wide.
fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    names: &[String],
    max_px: u32,
) -> R {
    let style = text(14);
    for (i, n) in names.iter().enumerate() {
        let yy = y + 10 + 24 * i as i32;
        e(root.draw(&Rectangle::new(
            [(x, yy - 7), (x + 16, yy + 7)],
            colour(i).filled(),
        )))?;
        let label = fit(root, n, &style, max_px.saturating_sub(24));
        e(root.draw(&Text::new(
            label,
            (x + 24, yy),
            style.pos(Pos::new(HPos::Left, VPos::Center)),
        )))?;
    }
    Ok(())
}

/// Room right of a plot for the legend of variants.
const LEGEND_W: u32 = 200;

// ---------------------------------------------------------------------------
// (a) Distributions

/// One metric's values per variant (empty when a variant has none).
pub struct Panel {
    pub label: String,
    pub values: Vec<Vec<f64>>,
    /// The axis stops here (100 for percentages) when the data allow.
    pub max: Option<f64>,
}

struct Dist<'a> {
    title: &'a str,
    no_data: &'a str,
    names: &'a [String],
    panels: &'a [Panel],
}

/// The five numbers of a box and the mean.
fn box_stats(xs: &[f64]) -> Option<[f64; 6]> {
    if xs.is_empty() {
        return None;
    }
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    let q = |p| crate::batch::stats::quantile(&s, p);
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    Some([q(0.05), q(0.25), q(0.5), q(0.75), q(0.95), mean])
}

impl Draw for Dist<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R {
        let body = e(root.titled(self.title, font(22)))?;
        let cols = 2;
        let rows = self.panels.len().div_ceil(cols).max(1);
        let areas = body.split_evenly((rows, cols));
        let n = self.names.len();
        for (p, area) in self.panels.iter().zip(&areas) {
            let stats: Vec<Option<[f64; 6]>> = p.values.iter().map(|v| box_stats(v)).collect();
            let have: Vec<&[f64; 6]> = stats.iter().flatten().collect();
            if have.is_empty() {
                e(area.draw(&Text::new(
                    p.label.clone(),
                    (area.dim_in_pixel().0 as i32 / 2, 14),
                    text(17).pos(Pos::new(HPos::Center, VPos::Center)),
                )))?;
                e(area.draw(&Text::new(
                    self.no_data.to_string(),
                    (
                        area.dim_in_pixel().0 as i32 / 2,
                        area.dim_in_pixel().1 as i32 / 2,
                    ),
                    text(16)
                        .color(&GREY)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                )))?;
                continue;
            }
            let lo = have
                .iter()
                .map(|s| s[0].min(s[5]))
                .fold(f64::INFINITY, f64::min);
            let hi = have
                .iter()
                .map(|s| s[4].max(s[5]))
                .fold(f64::NEG_INFINITY, f64::max);
            let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.02).max(0.5);
            let y0 = if lo >= 0.0 && lo - pad < 0.0 {
                0.0
            } else {
                lo - pad
            };
            let y1 = match p.max {
                Some(m) if hi <= m => (hi + pad).min(m + pad * 0.25),
                _ => hi + pad,
            };
            let mut chart = e(ChartBuilder::on(area)
                .caption(p.label.as_str(), font(17))
                .margin(10)
                .margin_right(18)
                .x_label_area_size(34)
                .y_label_area_size(62)
                .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y0..y1))?;
            e(chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(0)
                .y_labels(6)
                .y_label_formatter(&axis_num)
                .label_style(text(13))
                .light_line_style(WHITE)
                .bold_line_style(GRID)
                .draw())?;
            for (i, s) in stats.iter().enumerate() {
                let x = i as f64;
                let c = colour(i);
                let Some([p5, p25, p50, p75, p95, mean]) = *s else {
                    e(chart.draw_series(std::iter::once(Text::new(
                        "–".to_string(),
                        (x, (y0 + y1) / 2.0),
                        text(16).pos(Pos::new(HPos::Center, VPos::Center)),
                    ))))?;
                    continue;
                };
                let half = 0.28f64.min(0.4);
                e(chart.draw_series([
                    PathElement::new(vec![(x, p5), (x, p25)], INK.stroke_width(1)),
                    PathElement::new(vec![(x, p75), (x, p95)], INK.stroke_width(1)),
                    PathElement::new(
                        vec![(x - half / 2.0, p5), (x + half / 2.0, p5)],
                        INK.stroke_width(1),
                    ),
                    PathElement::new(
                        vec![(x - half / 2.0, p95), (x + half / 2.0, p95)],
                        INK.stroke_width(1),
                    ),
                ]))?;
                e(chart.draw_series([
                    Rectangle::new([(x - half, p25), (x + half, p75)], c.mix(0.35).filled()),
                    Rectangle::new([(x - half, p25), (x + half, p75)], c.stroke_width(2)),
                ]))?;
                e(chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x - half, p50), (x + half, p50)],
                    INK.stroke_width(3),
                ))))?;
                e(chart.draw_series([
                    Circle::new((x, mean), 5, WHITE.filled()),
                    Circle::new((x, mean), 5, INK.stroke_width(2)),
                ]))?;
            }
            // Variant names under their boxes, in the label area.
            let slot = (area.dim_in_pixel().0.saturating_sub(90) / n.max(1) as u32).max(20);
            let style = text(13);
            for (i, name) in self.names.iter().enumerate() {
                let (px, py) = chart.backend_coord(&(i as f64, y0));
                let label = fit(root, name, &style, slot - 6);
                e(root.draw(&Text::new(
                    label,
                    (px, py + 8),
                    style.pos(Pos::new(HPos::Center, VPos::Top)),
                )))?;
            }
        }
        Ok(())
    }
}

/// (a) Distribution of the key metrics per variant: box plots, one panel
/// per metric. `None` when no panel has data.
pub fn distribution(lang: Lang, names: &[String], panels: &[Panel]) -> Option<Chart> {
    if panels.iter().all(|p| p.values.iter().all(Vec::is_empty)) {
        return None;
    }
    let d = Dist {
        title: lb::CH_DIST.get(lang),
        no_data: lb::NO_DATA.get(lang),
        names,
        panels,
    };
    let h = 60 + 330 * panels.len().div_ceil(2) as u32;
    Some(render(
        &d,
        "distributions",
        lb::CH_DIST.get(lang).to_string(),
        lb::CAP_DIST.get(lang).to_string(),
        h,
    ))
}

// ---------------------------------------------------------------------------
// (b), (c) Bands over time

/// One variant's band: (hour, mean, p5, p95) per grid point.
pub type Band = Vec<(f64, f64, f64, f64)>;

struct Bands<'a> {
    title: &'a str,
    x_desc: &'a str,
    y_desc: &'a str,
    names: &'a [String],
    bands: &'a [Band],
    y_max: Option<f64>,
}

impl Draw for Bands<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R {
        let x1 = self
            .bands
            .iter()
            .flat_map(|b| b.iter().map(|p| p.0))
            .fold(1.0f64, f64::max);
        let top = self
            .bands
            .iter()
            .flat_map(|b| b.iter().map(|p| p.1.max(p.3)))
            .fold(1.0f64, f64::max);
        let y1 = self.y_max.unwrap_or(top * 1.1);
        // With a fixed top (percentages), start below the lowest band value
        // at a multiple of 10 instead of wasting the plot on empty space.
        let y0 = match self.y_max {
            Some(_) => {
                let low = self
                    .bands
                    .iter()
                    .flat_map(|b| b.iter().map(|p| p.1.min(p.2)))
                    .fold(f64::INFINITY, f64::min);
                (((low - 2.0) / 10.0).floor() * 10.0).clamp(0.0, (y1 - 10.0).max(0.0))
            }
            None => 0.0,
        };
        let mut chart = e(ChartBuilder::on(root)
            .caption(self.title, font(22))
            .margin(14)
            .x_label_area_size(48)
            .y_label_area_size(78)
            .margin_right(LEGEND_W)
            .build_cartesian_2d(0f64..x1, y0..y1))?;
        e(chart
            .configure_mesh()
            .x_desc(self.x_desc)
            .y_desc(self.y_desc)
            .x_label_formatter(&axis_num)
            .y_label_formatter(&axis_num)
            .label_style(text(14))
            .axis_desc_style(text(15))
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .draw())?;
        for (i, b) in self.bands.iter().enumerate() {
            if b.is_empty() {
                continue;
            }
            let mut poly: Vec<(f64, f64)> = b.iter().map(|p| (p.0, p.2)).collect();
            poly.extend(b.iter().rev().map(|p| (p.0, p.3)));
            e(chart.draw_series(std::iter::once(Polygon::new(
                poly,
                colour(i).mix(0.16).filled(),
            ))))?;
            for edge in [2usize, 3] {
                e(chart.draw_series(LineSeries::new(
                    b.iter().map(|p| (p.0, if edge == 2 { p.2 } else { p.3 })),
                    colour(i).mix(0.55).stroke_width(1),
                )))?;
            }
        }
        for (i, b) in self.bands.iter().enumerate() {
            e(chart.draw_series(LineSeries::new(
                b.iter().map(|p| (p.0, p.1)),
                colour(i).stroke_width(3),
            )))?;
        }
        let (px, py) = chart.backend_coord(&(x1, y1));
        let room = root.dim_in_pixel().0 as i32 - px - 24;
        legend(root, (px + 18, py), self.names, room.max(40) as u32)
    }
}

/// (b) or (c): mean over time with its 90% band per variant.
pub fn bands(
    lang: Lang,
    name: &'static str,
    title: L,
    y_desc: L,
    names: &[String],
    bands: &[Band],
    y_max: Option<f64>,
) -> Chart {
    let d = Bands {
        title: title.get(lang),
        x_desc: lb::AXIS_HOURS.get(lang),
        y_desc: y_desc.get(lang),
        names,
        bands,
        y_max,
    };
    let h = 480.max(80 + 24 * names.len() as u32);
    render(
        &d,
        name,
        title.get(lang).to_string(),
        lb::CAP_BAND.get(lang).to_string(),
        h,
    )
}

// ---------------------------------------------------------------------------
// (d) On-time rate per clause

/// One clause: its short label and on-time rate (0–1) per variant.
pub struct ClauseBar {
    pub label: String,
    pub rates: Vec<Option<f64>>,
}

struct Clauses<'a> {
    title: &'a str,
    x_desc: &'a str,
    names: &'a [String],
    clauses: &'a [ClauseBar],
}

const CLAUSE_LABEL_W: u32 = 380;

impl Draw for Clauses<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> R {
        let k = self.clauses.len() as f64;
        let n = self.names.len().max(1);
        let mut chart = e(ChartBuilder::on(root)
            .caption(self.title, font(22))
            .margin(14)
            .x_label_area_size(48)
            .y_label_area_size(CLAUSE_LABEL_W)
            .margin_right(LEGEND_W)
            .build_cartesian_2d(0f64..112f64, 0f64..k))?;
        e(chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(12)
            .x_desc(self.x_desc)
            .x_label_formatter(&|v: &f64| {
                if *v <= 100.0 + 1e-9 {
                    axis_num(v)
                } else {
                    String::new()
                }
            })
            .label_style(text(14))
            .axis_desc_style(text(15))
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .draw())?;
        let h = 0.8 / n as f64;
        for (ci, c) in self.clauses.iter().enumerate() {
            let top = k - ci as f64 - 0.1;
            for (vi, r) in c.rates.iter().enumerate() {
                let yt = top - vi as f64 * h;
                let yb = yt - h * 0.9;
                match r {
                    Some(r) => {
                        let x = r * 100.0;
                        e(chart.draw_series(std::iter::once(Rectangle::new(
                            [(0.0, yb), (x, yt)],
                            colour(vi).filled(),
                        ))))?;
                        e(chart.draw_series(std::iter::once(Text::new(
                            format!("{x:.0}%"),
                            (x + 0.8, (yt + yb) / 2.0),
                            text(12).pos(Pos::new(HPos::Left, VPos::Center)),
                        ))))?;
                    }
                    None => {
                        e(chart.draw_series(std::iter::once(Text::new(
                            "–".to_string(),
                            (0.8, (yt + yb) / 2.0),
                            text(12).pos(Pos::new(HPos::Left, VPos::Center)),
                        ))))?;
                    }
                }
            }
            if ci > 0 {
                e(chart.draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, k - ci as f64), (112.0, k - ci as f64)],
                    GRID.stroke_width(1),
                ))))?;
            }
            let (px, py) = chart.backend_coord(&(0.0, k - ci as f64 - 0.5));
            let style = text(13);
            let label = fit(root, &c.label, &style, CLAUSE_LABEL_W - 16);
            e(root.draw(&Text::new(
                label,
                (px - 8, py),
                style.pos(Pos::new(HPos::Right, VPos::Center)),
            )))?;
        }
        let (px, py) = chart.backend_coord(&(112.0, k));
        let room = root.dim_in_pixel().0 as i32 - px - 24;
        legend(root, (px + 18, py), self.names, room.max(40) as u32)
    }
}

/// (d) On-time rate per clause per variant: horizontal bars, one group
/// per clause, in the order given.
pub fn clauses(lang: Lang, names: &[String], clauses: &[ClauseBar]) -> Chart {
    // Two clauses may shorten to the same label: number the repeats.
    let mut seen: Vec<String> = Vec::new();
    let clauses: Vec<ClauseBar> = clauses
        .iter()
        .map(|c| {
            let k = seen.iter().filter(|s| **s == c.label).count();
            seen.push(c.label.clone());
            ClauseBar {
                label: if k == 0 {
                    c.label.clone()
                } else {
                    format!("[{}] {}", k + 1, c.label)
                },
                rates: c.rates.clone(),
            }
        })
        .collect();
    let clauses = clauses.as_slice();
    let d = Clauses {
        title: lb::CH_CLAUSES.get(lang),
        x_desc: lb::AXIS_ON_TIME.get(lang),
        names,
        clauses,
    };
    let per = (16 * names.len() as u32 + 12).max(30);
    let h = (130 + per * clauses.len() as u32).max(120 + 24 * names.len() as u32);
    render(
        &d,
        "clauses",
        lb::CH_CLAUSES.get(lang).to_string(),
        lb::CAP_CLAUSES.get(lang).to_string(),
        h,
    )
}
