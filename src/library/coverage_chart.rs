//! The coverage heat map: plan clauses (rows, grouped by section) ×
//! scenarios (columns, numbered, named in the key below); each cell's
//! colour is the share of the scenario's runs in which the clause was
//! exercised and scored, with the percentage written in it. Clauses no
//! scenario exercises are marked "×" on a pale red row; cells exercised but
//! never scored are pale orange. Columns of the smallest covering set carry
//! a "*". Drawn twice by the same code, SVG and PNG, with the bundled font
//! (`report::fonts`); labels are measured and shortened with "…" to fit.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::coverage::{Coverage, section_zh};
use super::split_bilingual;
use crate::report::Lang;
use crate::report::charts::Chart;
use crate::report::fonts::{self, FAMILY};

const INK: RGBColor = RGBColor(30, 30, 30);
const GREY: RGBColor = RGBColor(150, 150, 150);
const BAND: RGBColor = RGBColor(232, 232, 232);
const MISS_ROW: RGBColor = RGBColor(253, 228, 228);
const MISS_INK: RGBColor = RGBColor(190, 20, 20);
const NOT_SCORED: RGBColor = RGBColor(253, 208, 162);
/// The ends of the colour ramp (ColorBrewer Blues).
const LOW: (f64, f64, f64) = (222.0, 235.0, 247.0);
const HIGH: (f64, f64, f64) = (8.0, 48.0, 107.0);

const LABEL_W: u32 = 420;
const ROW_H: u32 = 16;
const HEAD_H: u32 = 20;
const TOP: u32 = 128;

type R = Result<(), String>;

fn e<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, String> {
    r.map_err(|e| e.to_string())
}

fn style(size: u32, c: RGBColor) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&c)
}

/// The fill of a cell whose clause was scored in `share` of the runs.
pub fn ramp(share: f64) -> RGBColor {
    let t = share.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    RGBColor(mix(LOW.0, HIGH.0), mix(LOW.1, HIGH.1), mix(LOW.2, HIGH.2))
}

fn t(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

/// A clause's row label in `lang`.
fn row_label(c: &Coverage, i: usize, lang: Lang) -> String {
    let cl = &c.clauses[i];
    let item = match lang {
        Lang::Zh => &cl.item_zh,
        Lang::En => &cl.item_en,
    };
    if cl.owner.is_empty() {
        return item.clone();
    }
    let (zh, en) = split_bilingual(&cl.owner);
    let owner = match lang {
        Lang::Zh if !zh.is_empty() => zh,
        _ if !en.is_empty() => en,
        _ => zh,
    };
    format!("{owner} / {item}")
}

struct Layout {
    w: u32,
    h: u32,
    cell_w: u32,
    key_lines: usize,
}

const KEY_PER_LINE: usize = 3;

fn layout(c: &Coverage) -> Layout {
    let n = c.columns.len().max(1) as u32;
    let cell_w = ((1000 - LABEL_W - 40) / n).clamp(26, 64);
    let w = (LABEL_W + 40 + cell_w * n).max(1000);
    let mut sections: Vec<&str> = c.clauses.iter().map(|x| x.section).collect();
    sections.dedup();
    let key_lines = c.columns.len().div_ceil(KEY_PER_LINE);
    let h = TOP
        + HEAD_H * sections.len() as u32
        + ROW_H * c.clauses.len() as u32
        + 24
        + 20 * key_lines as u32
        + 16;
    Layout {
        w,
        h,
        cell_w,
        key_lines,
    }
}

fn width<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, s: &str, st: &TextStyle) -> u32 {
    root.estimate_text_size(s, st)
        .map(|(w, _)| w)
        .unwrap_or_else(|_| s.chars().count() as u32 * 16)
}

/// `s`, shortened with "…" to fit `max_px`.
fn fit<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    st: &TextStyle,
    max_px: u32,
) -> String {
    let s = fonts::drawable(s).into_owned();
    if width(root, &s, st) <= max_px {
        return s;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut n = chars.len();
    while n > 0 {
        n -= 1;
        let t: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if width(root, &t, st) <= max_px {
            return t;
        }
    }
    "…".into()
}

fn text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    at: (i32, i32),
    st: TextStyle,
    h: HPos,
) -> R {
    e(root.draw(&Text::new(
        s.to_string(),
        at,
        st.pos(Pos::new(h, VPos::Center)),
    )))
}

fn rect<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    fill: RGBColor,
) -> R {
    e(root.draw(&Rectangle::new([a, b], fill.filled())))
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &Coverage, lang: Lang) -> R {
    let l = layout(c);
    let runs = c.runs.max(1) as f64;
    let x0 = LABEL_W as i32 + 20;
    let cw = l.cell_w as i32;
    let ncols = c.columns.len() as i32;
    let covered = c.clauses.len() - c.uncovered.len();
    // Title and subtitle.
    let title = match lang {
        Lang::Zh => format!("预案条款覆盖：{}", c.plan),
        Lang::En => format!("Plan clause coverage: {}", c.plan),
    };
    let st = style(20, INK);
    text(
        root,
        &fit(root, &title, &st, l.w - 20),
        (l.w as i32 / 2, 20),
        st,
        HPos::Center,
    )?;
    let sub = match lang {
        Lang::Zh => format!(
            "{} 个场景 × 每场景 {} 次运行（种子 {}–{}）；{} 条条款中 {} 条被演练；颜色 = 该条款被演练并评分的运行占比",
            c.columns.len(),
            c.runs,
            c.seed,
            c.seed + c.runs.saturating_sub(1),
            c.clauses.len(),
            covered
        ),
        Lang::En => format!(
            "{} scenarios × {} runs each (seeds {}–{}); {} of {} clauses exercised; colour = share of runs in which the clause was exercised and scored",
            c.columns.len(),
            c.runs,
            c.seed,
            c.seed + c.runs.saturating_sub(1),
            covered,
            c.clauses.len()
        ),
    };
    let st = style(13, INK);
    text(
        root,
        &fit(root, &sub, &st, l.w - 20),
        (l.w as i32 / 2, 44),
        st,
        HPos::Center,
    )?;
    // Legend: the ramp, "never scored", "×".
    let mut x = 10;
    let y = 70;
    for k in 0..=4 {
        let share = k as f64 / 4.0;
        if k == 0 {
            e(root.draw(&Rectangle::new(
                [(x, y - 7), (x + 22, y + 7)],
                GREY.mix(0.35).stroke_width(1),
            )))?;
        } else {
            rect(root, (x, y - 7), (x + 22, y + 7), ramp(share))?;
        }
        x += 26;
        let s = format!("{}%", (share * 100.0) as u32);
        text(root, &s, (x, y), style(12, INK), HPos::Left)?;
        x += 40;
    }
    rect(root, (x, y - 7), (x + 22, y + 7), NOT_SCORED)?;
    x += 26;
    let s = t(lang, "已演练但未评分", "exercised, never scored");
    text(root, &s, (x, y), style(12, INK), HPos::Left)?;
    x += width(root, &s, &style(12, INK)) as i32 + 20;
    rect(root, (x, y - 7), (x + 22, y + 7), MISS_ROW)?;
    text(root, "×", (x + 11, y), style(13, MISS_INK), HPos::Center)?;
    x += 26;
    let s = t(
        lang,
        "无场景演练（原因见 coverage.md）",
        "no scenario exercises it (reason in coverage.md)",
    );
    let st = style(12, INK);
    let room = (l.w as i32 - x - 10).max(40) as u32;
    text(root, &fit(root, &s, &st, room), (x, y), st, HPos::Left)?;
    // Column numbers ("*": in the smallest covering set).
    let hy = TOP as i32 - 16;
    let st = style(12, INK);
    text(
        root,
        &t(
            lang,
            "条款 \\ 场景编号（* 最小覆盖集）",
            "clause \\ scenario no. (* smallest covering set)",
        ),
        (10, hy),
        st.clone(),
        HPos::Left,
    )?;
    for j in 0..ncols {
        let star = if c.cover.chosen.contains(&(j as usize)) {
            "*"
        } else {
            ""
        };
        text(
            root,
            &format!("{}{star}", j + 1),
            (x0 + j * cw + cw / 2, hy),
            st.clone(),
            HPos::Center,
        )?;
    }
    // Rows, grouped by section.
    let mut y = TOP as i32;
    let mut last: Option<&str> = None;
    let label_style = style(11, INK);
    let miss_style = style(11, MISS_INK);
    for (i, cl) in c.clauses.iter().enumerate() {
        if last != Some(cl.section) {
            last = Some(cl.section);
            let idx: Vec<usize> = (0..c.clauses.len())
                .filter(|&k| c.clauses[k].section == cl.section)
                .collect();
            let ex = idx.iter().filter(|&&k| c.exercised(k)).count();
            rect(
                root,
                (4, y + 1),
                (x0 + ncols * cw, y + HEAD_H as i32 - 1),
                BAND,
            )?;
            let head = match lang {
                Lang::Zh => format!(
                    "{}（{} 条中 {} 条被演练）",
                    section_zh(cl.section),
                    idx.len(),
                    ex
                ),
                Lang::En => format!("{} ({} of {} exercised)", cl.section, ex, idx.len()),
            };
            let st = style(13, INK);
            let head = fit(root, &head, &st, (x0 + ncols * cw - 16) as u32);
            text(root, &head, (10, y + HEAD_H as i32 / 2), st, HPos::Left)?;
            y += HEAD_H as i32;
        }
        let missing = !c.exercised(i);
        let yc = y + ROW_H as i32 / 2;
        if missing {
            rect(
                root,
                (4, y + 1),
                (x0 + ncols * cw, y + ROW_H as i32 - 1),
                MISS_ROW,
            )?;
            text(root, "×", (12, yc), style(12, MISS_INK), HPos::Center)?;
        }
        let st = if missing {
            miss_style.clone()
        } else {
            label_style.clone()
        };
        let label = fit(root, &row_label(c, i, lang), &st, LABEL_W - 14);
        text(root, &label, (22, yc), st, HPos::Left)?;
        for (j, col) in c.columns.iter().enumerate() {
            let cx = x0 + j as i32 * cw;
            let a = (cx + 1, y + 1);
            let b = (cx + cw - 1, y + ROW_H as i32 - 1);
            let (ex, sc) = (col.exercised[i], col.scored[i]);
            if sc > 0 {
                let share = sc as f64 / runs;
                rect(root, a, b, ramp(share))?;
                if cw >= 26 {
                    let ink = if share > 0.55 { WHITE } else { INK };
                    text(
                        root,
                        &format!("{:.0}", share * 100.0),
                        (cx + cw / 2, yc),
                        style(10, ink),
                        HPos::Center,
                    )?;
                }
            } else if ex > 0 {
                rect(root, a, b, NOT_SCORED)?;
            } else {
                e(root.draw(&Rectangle::new([a, b], GREY.mix(0.35).stroke_width(1))))?;
            }
        }
        y += ROW_H as i32;
    }
    // The key: column number → scenario.
    y += 20;
    let st = style(12, INK);
    let per = (l.w as i32 - 20) / KEY_PER_LINE as i32;
    for line in 0..l.key_lines {
        for k in 0..KEY_PER_LINE {
            let j = line * KEY_PER_LINE + k;
            let Some(col) = c.columns.get(j) else { break };
            let star = if c.cover.chosen.contains(&j) { "*" } else { "" };
            let s = format!("{}{star} {}", j + 1, col.scenario);
            let s = fit(root, &s, &st, per as u32 - 10);
            text(root, &s, (10 + k as i32 * per, y), st.clone(), HPos::Left)?;
        }
        y += 20;
    }
    Ok(())
}

/// The heat map of `c` in `lang`, as SVG and PNG.
pub fn chart(c: &Coverage, lang: Lang) -> Chart {
    fonts::ensure_registered();
    let l = layout(c);
    let both = || -> Result<(String, Vec<u8>), String> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (l.w, l.h)).into_drawing_area();
            e(root.fill(&WHITE))?;
            draw(&root, c, lang)?;
            e(root.present())?;
        }
        let mut rgb = vec![0u8; (l.w * l.h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (l.w, l.h)).into_drawing_area();
            e(root.fill(&WHITE))?;
            draw(&root, c, lang)?;
            e(root.present())?;
        }
        Ok((svg, crate::report::charts::encode_png(&rgb, l.w, l.h)?))
    };
    let (svg, png) =
        both().unwrap_or_else(|err| panic!("coverage chart could not be drawn: {err}"));
    Chart {
        name: "coverage",
        title: t(lang, "预案条款覆盖", "Plan clause coverage"),
        caption: t(
            lang,
            "颜色为各场景运行中该条款被演练并评分的占比；× 为无场景演练的条款。",
            "Colour: share of each scenario's runs in which the clause was exercised and scored; ×: no scenario exercises it.",
        ),
        svg,
        png,
    }
}
