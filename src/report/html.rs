//! `report.html`: one self-contained page (inline CSS and SVG, no scripts,
//! no external resources), printable on A4. Built with maud, which escapes
//! every string it inserts; the only raw insertions are the SVG charts,
//! which plotters writes with their text escaped.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::charts::Chart;
use super::content::{Block, Doc, Table};
use super::labels::{self as lb, Lang};

/// Fonts for page text: a CJK-capable system font (the report ships none;
/// see `fonts.rs`). SVG chart text uses the same stack.
const FONT_STACK: &str = "\"Noto Sans CJK SC\", \"Source Han Sans SC\", \"WenQuanYi Micro Hei\", \
\"Microsoft YaHei\", \"PingFang SC\", \"Hiragino Sans GB\", \"SimHei\", \"Droid Sans Fallback\", \
\"DejaVu Sans\", sans-serif";

const CSS: &str = r#"
:root { --ink: #1e1e1e; --muted: #666; --rule: #c8c8c8; --head: #eef2f7; --accent: #1f4e8c; }
* { box-sizing: border-box; }
html { font-family: FONTS; color: var(--ink); background: #fff; }
body { margin: 0 auto; max-width: 1080px; padding: 24px 32px 48px; font-size: 15px; line-height: 1.6; }
header.cover { border-bottom: 3px solid var(--accent); margin-bottom: 24px; padding-bottom: 12px; }
header.cover h1 { font-size: 26px; margin: 0 0 4px; color: var(--accent); }
header.cover .subtitle { font-size: 17px; margin: 0; }
header.cover .scenario { font-size: 19px; margin: 10px 0 4px; font-weight: bold; }
header.cover .note { color: var(--muted); font-size: 13px; margin: 4px 0 0; }
nav.toc ol { columns: 2; margin: 4px 0 0; padding-left: 20px; }
nav.toc a { color: var(--accent); text-decoration: none; }
h2 { font-size: 20px; color: var(--accent); border-bottom: 1px solid var(--rule); padding-bottom: 4px; margin: 32px 0 12px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
p { margin: 6px 0 10px; }
ul { margin: 4px 0 10px; padding-left: 22px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 13px; }
th, td { border: 1px solid var(--rule); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: bold; }
thead { display: table-header-group; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nowrap { white-space: nowrap; }
td.clause { font-size: 12px; color: #333; max-width: 260px; }
td.file { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12px; }
td.sign { color: #888; height: 2.4em; vertical-align: bottom; white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 8px 0 12px; }
dl.facts dt { font-weight: bold; color: #333; }
dl.facts dd { margin: 0; }
td.rating-P { background: #d9f0d3; } td.rating-S { background: #fff3c4; }
td.rating-M { background: #fcd9b6; } td.rating-U { background: #f6c4c4; }
td.status-missed { color: #b0201e; font-weight: bold; } td.status-late { color: #b35c00; font-weight: bold; }
figure { margin: 12px 0 24px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid #e2e2e2; }
figure svg text { font-family: FONTS; }
figcaption { font-size: 13px; color: #333; margin-top: 4px; }
figcaption b { color: var(--accent); }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--rule); padding-top: 6px; }
@media print {
  @page { size: A4; margin: 15mm 13mm 16mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav.toc { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  #charts, #capabilities, #improvement, #appendix { break-before: page; page-break-before: always; }
  tr, dl.facts, li { break-inside: avoid; page-break-inside: avoid; }
  table { font-size: 8.5pt; }
  figure svg { max-height: 235mm; border: none; }
  a { color: inherit; text-decoration: none; }
}
"#;

fn table(t: &Table) -> Markup {
    html! {
        table {
            thead { tr { @for h in &t.head { th { (h) } } } }
            tbody {
                @for row in &t.rows {
                    tr {
                        @for c in row {
                            @if let Some(class) = c.class { td class=(class) { (c.text) } }
                            @else { td { (c.text) } }
                        }
                    }
                }
            }
        }
    }
}

/// The SVG of a chart without any XML prolog, ready to inline.
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

pub fn render(doc: &Doc, charts: &[Chart], lang: Lang) -> Vec<u8> {
    let css = CSS.replace("FONTS", FONT_STACK);
    let fig = lb::FIG.get(lang);
    let page = html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (doc.title) " — " (doc.scenario) }
                style { (PreEscaped(css)) }
            }
            body {
                header.cover {
                    h1 { (doc.title) }
                    p.subtitle { (doc.subtitle) }
                    p.scenario { (doc.scenario) }
                    p.note { (doc.note) }
                }
                nav.toc {
                    b { (lb::TOC.get(lang)) }
                    ol { @for s in &doc.sections { li { a href={ "#" (s.id) } { (s.title) } } } }
                }
                @for s in &doc.sections {
                    section id=(s.id) {
                        h2 { (s.title) }
                        @for b in &s.blocks {
                            @match b {
                                Block::Para(p) => p { (p) },
                                Block::Heading(h) => h3 { (h) },
                                Block::Bullets(items) => ul { @for i in items { li { (i) } } },
                                Block::Facts(facts) => dl.facts {
                                    @for (k, v) in facts { dt { (k) } dd { (v) } }
                                },
                                Block::Table(t) => (table(t)),
                                Block::Figure(i) => @if let Some(c) = charts.get(*i) {
                                    figure id={ "fig-" (c.name) } data-chart=(c.name) {
                                        (PreEscaped(inline_svg(&c.svg)))
                                        figcaption {
                                            b { (fig) " " (i + 1) " " (c.title) }
                                            " " (c.caption)
                                        }
                                    }
                                },
                            }
                        }
                    }
                }
                footer { (doc.note) }
            }
        }
    };
    page.into_string().into_bytes()
}
