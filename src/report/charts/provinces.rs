//! (e) Impact by unit: HQ (and any unit outside the provinces) and every
//! provincial unit with nodes infected or down, one panel per measure with
//! data (nodes infected, hosts infected, nodes down at some time). The rows
//! add up to the run's totals: the engine counts per province, so what lies
//! outside every province (HQ) is the total less the provinces' sum.

use std::collections::BTreeSet;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::labels as cl;
use super::{BLUE, OrStr, R, RED_, W, count_fmt, ellipsize, label_width, text, title};
use crate::engine::EventKind;
use crate::model::topology_summary::thousands as thousands_like;
use crate::report::Ctx;
use crate::report::labels::{L, fill};

/// One unit's impact.
#[derive(Clone, Debug, PartialEq)]
pub struct ImpactRow {
    pub name: String,
    pub nodes_infected: u64,
    pub hosts_infected: u64,
    pub nodes_down: u64,
}

impl ImpactRow {
    fn any(&self) -> bool {
        self.nodes_infected + self.hosts_infected + self.nodes_down > 0
    }
    fn value(&self, m: usize) -> u64 {
        [self.nodes_infected, self.hosts_infected, self.nodes_down][m]
    }
}

/// The rows with anything to show: HQ first, then the provinces in the
/// record's order.
pub fn rows(ctx: &Ctx) -> Vec<ImpactRow> {
    let t = &ctx.rec.totals;
    let nodes = &ctx.rec.meta.nodes;
    // Outside the provinces: the totals less the provinces' sums (nodes and
    // hosts infected); nodes down from the events (the record has no
    // per-node total for outages outside a province).
    let sum_nodes: u64 = t.provinces.iter().map(|p| p.nodes_infected as u64).sum();
    let sum_hosts: u64 = t.provinces.iter().map(|p| p.hosts_infected).sum();
    let outside = |kind: EventKind| -> BTreeSet<u32> {
        ctx.rec
            .events
            .iter()
            .filter(|e| e.kind == kind)
            .filter_map(|e| e.node)
            .filter(|&n| nodes.get(n as usize).is_some_and(|m| m.province.is_empty()))
            .collect()
    };
    let down_outside = outside(EventKind::NodeDown);
    let hit_outside: BTreeSet<u32> = outside(EventKind::NodeInfected)
        .union(&down_outside)
        .copied()
        .collect();
    let only_hq = hit_outside
        .iter()
        .all(|&n| nodes.get(n as usize).is_some_and(|m| m.tier == "hq"));
    let hq = ImpactRow {
        name: ctx
            .t(if only_hq {
                cl::PROV_HQ
            } else {
                cl::PROV_HQ_EXTERNAL
            })
            .to_string(),
        nodes_infected: (t.nodes_infected as u64).saturating_sub(sum_nodes),
        hosts_infected: t.total_infected_hosts.saturating_sub(sum_hosts),
        nodes_down: down_outside.len() as u64,
    };
    let mut out: Vec<ImpactRow> = vec![hq];
    for (code, zh, en) in &ctx.rec.meta.provinces {
        let Some(p) = t.provinces.iter().find(|p| p.code == *code) else {
            continue;
        };
        out.push(ImpactRow {
            name: ctx.lang.pick(zh, en).to_string(),
            nodes_infected: p.nodes_infected as u64,
            hosts_infected: p.hosts_infected,
            nodes_down: p.nodes_down as u64,
        });
    }
    out.retain(ImpactRow::any);
    out
}

const MEASURES: [(L, RGBColor); 3] = [
    (cl::PROV_NODES, BLUE),
    (cl::PROV_HOSTS, RED_),
    (cl::PROV_DOWN, RGBColor(100, 100, 100)),
];

/// The measures with data (indexes into [`MEASURES`]).
fn measures(rows: &[ImpactRow]) -> Vec<usize> {
    (0..3)
        .filter(|&m| rows.iter().any(|r| r.value(m) > 0))
        .collect()
}

const TOP: u32 = 44;
const ROW_H: u32 = 22;
const X_AXIS_H: u32 = 50;
const LABEL_SIZE: u32 = 13;

pub fn height(ctx: &Ctx) -> u32 {
    TOP + rows(ctx).len().max(4) as u32 * ROW_H + X_AXIS_H + 20
}

pub fn caption(ctx: &Ctx) -> String {
    let rows = rows(ctx);
    let sum = |m: usize| rows.iter().map(|r| r.value(m)).sum::<u64>();
    fill(
        ctx.t(cl::CAP_PROVINCES),
        &[
            ("shown", rows.len().to_string()),
            ("all", ctx.rec.meta.provinces.len().to_string()),
            ("nodes", thousands_like(sum(0))),
            ("hosts", thousands_like(sum(1))),
            ("down", thousands_like(sum(2))),
        ],
    )
}

pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx) -> R {
    let name = ctx.t(cl::PROVINCES);
    let rows = rows(ctx);
    if rows.is_empty() {
        title(root, name)?;
        let (w, h) = root.dim_in_pixel();
        return root
            .draw(&Text::new(
                ctx.t(cl::PROV_NONE).to_string(),
                (w as i32 / 2, h as i32 / 2),
                text(16)
                    .color(&RGBColor(127, 127, 127))
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .s();
    }
    title(root, name)?;
    let names: Vec<String> = rows
        .iter()
        .map(|r| ellipsize(&r.name, 160, LABEL_SIZE))
        .collect();
    let label_px = names
        .iter()
        .map(|l| label_width(l, LABEL_SIZE))
        .max()
        .unwrap_or(40)
        + 24;
    let ms = measures(&rows);
    let (_, body) = root.split_vertically(TOP);
    let (_, plots) = body.split_horizontally(label_px);
    let panel_w = (W - label_px) / ms.len() as u32;
    // At least four row slots, so that one row is not one fat bar.
    let n = rows.len().max(4) as f64;
    let y = |i: usize| n - i as f64 - 0.5;
    for (k, &m) in ms.iter().enumerate() {
        let panel = plots
            .clone()
            .shrink((k as u32 * panel_w, 0), (panel_w, plots.dim_in_pixel().1));
        let (label, colour) = MEASURES[m];
        let max = rows.iter().map(|r| r.value(m)).max().unwrap_or(0).max(1) as f64;
        // Room right of the longest bar for its value.
        let value_px = label_width(&thousands_like(max as u64), 11) as f64 + 8.0;
        let plot_px = (panel_w as f64 - 30.0).max(60.0);
        let x_max = max / (1.0 - (value_px / plot_px).min(0.6));
        let mut chart = ChartBuilder::on(&panel)
            .margin_left(6)
            .margin_right(16)
            .margin_bottom(10)
            .x_label_area_size(X_AXIS_H)
            .y_label_area_size(4)
            .build_cartesian_2d(0f64..x_max, 0f64..n)
            .s()?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(4)
            .x_desc(ctx.t(label))
            .x_label_formatter(&count_fmt)
            .label_style(text(12))
            .axis_desc_style(text(14))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(220, 220, 220))
            .draw()
            .s()?;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                Rectangle::new(
                    [(0.0, y(i) - 0.34), (r.value(m) as f64, y(i) + 0.34)],
                    colour.filled(),
                )
            }))
            .s()?;
        chart
            .draw_series(
                rows.iter()
                    .enumerate()
                    .filter(|(_, r)| r.value(m) > 0)
                    .map(|(i, r)| {
                        Text::new(
                            format!(" {}", thousands_like(r.value(m))),
                            (r.value(m) as f64, y(i)),
                            text(11).pos(Pos::new(HPos::Left, VPos::Center)),
                        )
                    }),
            )
            .s()?;
        if k == 0 {
            let (px, _) = chart.plotting_area().get_pixel_range();
            for (i, l) in names.iter().enumerate() {
                let (_, py) = chart.backend_coord(&(0.0, y(i)));
                root.draw(&Text::new(
                    l.clone(),
                    (px.start - 10, py),
                    text(LABEL_SIZE).pos(Pos::new(HPos::Right, VPos::Center)),
                ))
                .s()?;
            }
        }
    }
    Ok(())
}
