//! (b) Compliance over time as small multiples: one panel per tier with
//! obligations, all on the same axes, the overall curve in grey behind each
//! tier's, and a numbered mark where a missed obligation entered the score
//! (the sharp drops), listed in the caption. The legend sits above the
//! panels, never on the data.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels as cl;
use super::{
    BLUE, GREY, Mark, OrStr, R, RED_, W, count_fmt, hlegend, hours_fmt, label_width, place,
    stagger, text, thin, tier_rank, title,
};
use crate::report::Ctx;
use crate::report::content::obligation_name;
use crate::report::labels::{self as lb, fill};
use crate::score::Status;
use crate::score::obligations::entry_minutes;

/// A numbered mark: the missed obligations of one tier that entered the
/// score at one minute.
pub struct Drop {
    pub number: usize,
    /// Index into `Assessment::tiers`.
    pub tier: usize,
    pub minute: f64,
    /// Indexes into `Assessment::obligations`.
    pub obligations: Vec<usize>,
}

/// The tiers drawn (indexes into `Assessment::tiers`), in hierarchy order:
/// those with at least one obligation.
pub fn tiers(ctx: &Ctx) -> Vec<usize> {
    let mut v: Vec<usize> = (0..ctx.a.tiers.len())
        .filter(|&i| {
            ctx.a
                .obligations
                .iter()
                .any(|o| o.tier.as_str() == ctx.a.tiers[i].as_str())
        })
        .collect();
    v.sort_by_key(|&i| (tier_rank(&ctx.a.tiers[i]), i));
    v
}

/// The drops within the time axis, numbered in time order.
pub fn drops(ctx: &Ctx) -> Vec<Drop> {
    let entries = entry_minutes(ctx.rec, &ctx.a.obligations);
    let mut v: Vec<Drop> = Vec::new();
    let mut missed: Vec<(f64, usize, usize)> = ctx
        .a
        .obligations
        .iter()
        .enumerate()
        .filter(|(_, o)| o.status == Status::Missed)
        .filter_map(|(k, o)| {
            let m = entries.get(k).copied().flatten()?;
            let tier = ctx
                .a
                .tiers
                .iter()
                .position(|t| t.as_str() == o.tier.as_str())?;
            (m <= ctx.rec.duration_min + 1e-9).then_some((m, tier, k))
        })
        .collect();
    missed.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(tier_rank(&ctx.a.tiers[a.1]).cmp(&tier_rank(&ctx.a.tiers[b.1])))
            .then(a.2.cmp(&b.2))
    });
    for (m, tier, k) in missed {
        match v.last_mut() {
            Some(d) if d.tier == tier && (d.minute - m).abs() < 1e-6 => d.obligations.push(k),
            _ => v.push(Drop {
                number: v.len() + 1,
                tier,
                minute: m,
                obligations: vec![k],
            }),
        }
    }
    v
}

const TOP: u32 = 44;
const LEGEND_H: u32 = 26;
const HEAD_H: u32 = 22;
const ROW_H: i32 = 16;
const PLOT_H: u32 = 170;
const X_AXIS_H: u32 = 34;
const LEFT: u32 = 44;
const MARGIN: u32 = 10;
const NUM_SIZE: u32 = 12;

fn grid(n: usize) -> (usize, usize) {
    let cols = match n {
        0 | 1 => 1,
        2 | 4 => 2,
        _ => 3,
    };
    (cols, n.div_ceil(cols).max(1))
}

/// Plot x-range of a panel in column `c` of `cols`.
fn plot_x(c: usize, cols: usize) -> (i32, i32) {
    let pw = W as usize / cols;
    let x0 = (c * pw) as i32 + (MARGIN + LEFT) as i32;
    let x1 = ((c + 1) * pw) as i32 - MARGIN as i32;
    (x0, x1)
}

/// The label of each drop in its panel's band: (left, width) and row.
fn layout(ctx: &Ctx, tiers: &[usize], drops: &[Drop]) -> (Vec<(i32, i32)>, Vec<usize>, usize) {
    let (cols, _) = grid(tiers.len());
    let xh = ctx.hours();
    let mut spans = vec![(0, 0); drops.len()];
    let mut rows = vec![0; drops.len()];
    let mut max_rows = 0;
    for (p, &t) in tiers.iter().enumerate() {
        let (x0, x1) = plot_x(p % cols, cols);
        let idx: Vec<usize> = (0..drops.len()).filter(|&i| drops[i].tier == t).collect();
        let s: Vec<(i32, i32, i32)> = idx
            .iter()
            .map(|&i| {
                let x = x0 + ((drops[i].minute / 60.0) / xh * (x1 - x0) as f64).round() as i32;
                let label = drops[i].number.to_string();
                let (l, w) = place(x, label_width(&label, NUM_SIZE), x0 - 20, x1 + 6);
                (l, w, x)
            })
            .collect();
        let r = stagger(&s, 3);
        for (k, &i) in idx.iter().enumerate() {
            spans[i] = (s[k].0, s[k].1);
            rows[i] = r[k];
            max_rows = max_rows.max(r[k] + 1);
        }
    }
    (spans, rows, max_rows)
}

fn panel_h(band_rows: usize) -> u32 {
    HEAD_H + band_rows as u32 * ROW_H as u32 + PLOT_H + X_AXIS_H + 8
}

pub fn height(ctx: &Ctx) -> u32 {
    let tiers = tiers(ctx);
    if ctx.a.compliance.is_empty() || tiers.is_empty() {
        return 300;
    }
    let (_, _, band) = layout(ctx, &tiers, &drops(ctx));
    let (_, nrows) = grid(tiers.len());
    TOP + LEGEND_H + nrows as u32 * panel_h(band) + AXIS_NAME_H
}

/// Room for the shared time axis' name under the panels.
const AXIS_NAME_H: u32 = 26;

/// The clause's reference without the quotation (`… 3.1(1)`).
fn clause_ref(c: &str) -> String {
    let cut = c.find('「').or_else(|| c.find(':')).unwrap_or(c.len());
    let s = c[..cut].trim().trim_end_matches([':', '：']).trim();
    if s.is_empty() {
        c.to_string()
    } else {
        s.to_string()
    }
}

const CAPTION_MAX: usize = 20;

pub fn caption(ctx: &Ctx) -> String {
    let drops = drops(ctx);
    if drops.is_empty() {
        return ctx.t(cl::CAP_COMPLIANCE_NO_MISSED).to_string();
    }
    let zh = ctx.lang == crate::report::Lang::Zh;
    let items: Vec<String> = drops
        .iter()
        .take(CAPTION_MAX)
        .map(|d| {
            let first = &ctx.a.obligations[d.obligations[0]];
            let mut names: Vec<String> = d
                .obligations
                .iter()
                .map(|&k| {
                    let o = &ctx.a.obligations[k];
                    format!(
                        "{} · {} {}",
                        ctx.node_name(&o.unit),
                        ctx.body_name(&o.body),
                        obligation_name(ctx, o)
                    )
                })
                .collect();
            names.dedup();
            fill(
                ctx.t(cl::CAP_MISSED_ITEM),
                &[
                    ("n", d.number.to_string()),
                    ("time", ctx.elapsed(d.minute)),
                    ("unit", names.join(if zh { "、" } else { "; " })),
                    ("name", String::new()),
                    ("clause", clause_ref(&first.clause)),
                ],
            )
            .replace("  ", " ")
            .replace(" ,", ",")
            .replace(" ，", "，")
        })
        .collect();
    let mut out = ctx.t(cl::CAP_COMPLIANCE).to_string();
    out.push_str(super::sentence_gap(ctx));
    out.push_str(&items.join(if zh { "；" } else { "; " }));
    if drops.len() > CAPTION_MAX {
        out.push_str(if zh { "；" } else { "; " });
        out.push_str(&fill(
            ctx.t(cl::CAP_MISSED_MORE),
            &[("n", (drops.len() - CAPTION_MAX).to_string())],
        ));
    }
    out.push_str(if zh { "。" } else { "." });
    out
}

/// Compliance of tier `t` (None: overall) just after `minute`.
/// (The timeline row at or just after `minute`, and the point in force
/// there: the compliance series is a step function, see
/// `score::compliance::at_rows`.)
fn value_at(ctx: &Ctx, t: Option<usize>, minute: f64) -> f64 {
    let cp = &ctx.a.compliance;
    let tl = &ctx.rec.timeline;
    let row = tl
        .partition_point(|r| r.minute < minute - 1e-9)
        .min(tl.len().saturating_sub(1));
    let at = tl.get(row).map_or(minute, |r| r.minute);
    let i = cp.partition_point(|p| p.minute <= at).saturating_sub(1);
    match t {
        Some(t) => cp[i].by_tier.get(t).copied().unwrap_or(100.0),
        None => cp[i].overall,
    }
}

/// One `(hour, value)` per timeline row: the point in force at the row.
fn per_row(ctx: &Ctx, f: impl Fn(&crate::score::CompliancePoint) -> f64) -> Vec<(f64, f64)> {
    let minutes = ctx.rec.timeline.iter().map(|r| r.minute);
    minutes
        .clone()
        .zip(crate::score::compliance::at_rows(
            &ctx.a.compliance,
            minutes,
        ))
        .map(|(m, p)| (m / 60.0, f(p)))
        .collect()
}

pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> R {
    let name = ctx.t(cl::COMPLIANCE);
    let tiers = tiers(ctx);
    let cp = &ctx.a.compliance;
    if cp.is_empty() || tiers.is_empty() {
        return super::no_data(root, name, ctx);
    }
    title(root, name)?;
    let drops = drops(ctx);
    let (spans, rows, band) = layout(ctx, &tiers, &drops);
    let (_, h) = root.dim_in_pixel();
    root.draw(&Text::new(
        ctx.t(lb::AXIS_HOURS).to_string(),
        (W as i32 / 2, h as i32 - 6),
        text(14).pos(Pos::new(HPos::Center, VPos::Bottom)),
    ))
    .s()?;
    // The legend, one line above the panels.
    let items = [
        (ctx.t(cl::COMPLIANCE_TIER).to_string(), Mark::Line(BLUE)),
        (ctx.t(cl::COMPLIANCE_OVERALL).to_string(), Mark::Thin(GREY)),
        (ctx.t(cl::COMPLIANCE_MISSED).to_string(), Mark::Dot(RED_)),
    ];
    let total: i32 = items.iter().map(|(l, _)| super::hitem_w(l)).sum();
    hlegend(
        root,
        (((W as i32 - total) / 2).max(8), TOP as i32),
        W as i32 - 16,
        &items,
    )?;
    // Shared axes: the lowest value of any curve, to the 10 below.
    let lo = tiers
        .iter()
        .flat_map(|&t| {
            cp.iter()
                .map(move |p| p.by_tier.get(t).copied().unwrap_or(100.0))
        })
        .chain(cp.iter().map(|p| p.overall))
        .fold(100.0f64, f64::min);
    let y_lo = ((lo / 10.0).floor() * 10.0).clamp(0.0, 90.0);
    let xh = ctx.hours();
    let (cols, _) = grid(tiers.len());
    let ph = panel_h(band);
    let (_, body) = root.split_vertically(TOP + LEGEND_H);
    let overall = thin(per_row(ctx, |p| p.overall));
    for (p, &t) in tiers.iter().enumerate() {
        let (c, r) = (p % cols, p / cols);
        let pw = W / cols as u32;
        let area = body
            .clone()
            .shrink((c as u32 * pw, r as u32 * ph), (pw, ph));
        let (_, ay) = area.get_base_pixel();
        area.draw(&Text::new(
            lb::tier(&ctx.a.tiers[t]).get(ctx.lang).to_string(),
            ((MARGIN + LEFT) as i32, 4),
            text(15).pos(Pos::new(HPos::Left, VPos::Top)),
        ))
        .s()?;
        let band_px = band as u32 * ROW_H as u32;
        let mut chart = ChartBuilder::on(&area)
            .margin_left(MARGIN)
            .margin_right(MARGIN)
            .margin_top(HEAD_H + band_px)
            .margin_bottom(8)
            .x_label_area_size(X_AXIS_H)
            .y_label_area_size(LEFT)
            .build_cartesian_2d(0f64..xh, y_lo..101f64)
            .s()?;
        let mut mesh = chart.configure_mesh();
        mesh.x_label_formatter(&hours_fmt)
            .y_label_formatter(&count_fmt)
            .x_labels(6)
            .y_labels(6)
            .label_style(text(12))
            .axis_desc_style(text(13))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(225, 225, 225));
        mesh.draw().s()?;
        chart
            .draw_series(LineSeries::new(overall.clone(), GREY.stroke_width(1)))
            .s()?;
        let pts = thin(per_row(ctx, |q| q.by_tier.get(t).copied().unwrap_or(100.0)));
        chart
            .draw_series(LineSeries::new(pts, BLUE.stroke_width(2)))
            .s()?;
        for (i, d) in drops.iter().enumerate().filter(|(_, d)| d.tier == t) {
            let v = value_at(ctx, Some(t), d.minute);
            let (px, py) = chart.backend_coord(&(d.minute / 60.0, v));
            let ly = ay + HEAD_H as i32 + rows[i] as i32 * ROW_H + ROW_H / 2;
            root.draw(&PathElement::new(
                vec![(px, ly - 6), (px, py)],
                RED_.mix(0.5).stroke_width(1),
            ))
            .s()?;
            root.draw(&Circle::new((px, py), 4, RED_.filled())).s()?;
            root.draw(&Text::new(
                d.number.to_string(),
                (spans[i].0, ly),
                text(NUM_SIZE)
                    .color(&RED_)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .s()?;
        }
    }
    Ok(())
}
