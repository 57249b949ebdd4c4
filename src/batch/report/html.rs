//! The batch report's document model, written twice: `report.html` (maud,
//! which escapes everything it inserts; self-contained: charts inlined as
//! SVG; printable on A4) and `report.md`.
//!
//! Text in the model is a small Markdown subset (`` `code` ``, `**bold**`,
//! `_em_`, backslash escapes, `&lt;`/`&gt;`/`&amp;`), so the same strings
//! go verbatim into `report.md` and through [`inline`] into HTML. The plan
//! diff (Markdown from `drillsim diff`) is rendered by [`markdown_blocks`]:
//! headings, bullets and paragraphs.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::report::charts::Chart;
use crate::report::labels::Lang;

/// The whole report.
pub struct Doc {
    pub title: String,
    pub subtitle: String,
    pub note: String,
    pub toc: String,
    pub fig: String,
    pub sections: Vec<Section>,
}

pub struct Section {
    /// HTML anchor.
    pub id: &'static str,
    pub title: String,
    pub blocks: Vec<Block>,
}

pub enum Block {
    Para(String),
    Heading(String),
    Bullets(Vec<String>),
    Facts(Vec<(String, String)>),
    /// Header, rows; columns from `num_from` on are numbers (right-aligned).
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
        num_from: usize,
    },
    /// A chart, by index.
    Figure(usize),
    /// A chart left out, and why.
    Skipped(String),
    /// A Markdown document (the plan diff); its headings go two levels down.
    Markdown(String),
}

const CSS: &str = r#"
:root { --ink: #1e1e1e; --muted: #666; --rule: #c8c8c8; --head: #eef2f7; --accent: #1f4e8c; }
* { box-sizing: border-box; }
html { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "SimHei", "Droid Sans Fallback", "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
body { margin: 0 auto; max-width: 1080px; padding: 24px 32px 48px; font-size: 15px; line-height: 1.6; }
header.cover { border-bottom: 3px solid var(--accent); margin-bottom: 24px; padding-bottom: 12px; }
header.cover h1 { font-size: 26px; margin: 0 0 4px; color: var(--accent); }
header.cover .subtitle { font-size: 17px; margin: 0; }
header.cover .note { color: var(--muted); font-size: 13px; margin: 4px 0 0; }
nav.toc ol { columns: 2; margin: 4px 0 0; padding-left: 20px; }
nav.toc a { color: var(--accent); text-decoration: none; }
h2 { font-size: 20px; color: var(--accent); border-bottom: 1px solid var(--rule); padding-bottom: 4px; margin: 32px 0 12px; }
h3 { font-size: 16px; margin: 18px 0 6px; }
h4 { font-size: 15px; margin: 14px 0 4px; }
p { margin: 6px 0 10px; }
ul { margin: 4px 0 10px; padding-left: 22px; }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 0.92em; background: #f2f4f7; padding: 0 3px; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 13px; }
th, td { border: 1px solid var(--rule); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: bold; }
thead { display: table-header-group; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 8px 0 12px; }
dl.facts dt { font-weight: bold; color: #333; }
dl.facts dd { margin: 0; }
p.skipped { color: var(--muted); font-style: italic; border-left: 3px solid var(--rule); padding-left: 8px; }
div.diff { border-left: 3px solid var(--head); padding-left: 10px; font-size: 14px; }
figure { margin: 12px 0 24px; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid #e2e2e2; }
figure svg text { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Droid Sans Fallback", "DejaVu Sans", sans-serif; }
figcaption { font-size: 13px; color: #333; margin-top: 4px; }
figcaption b { color: var(--accent); }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--rule); padding-top: 6px; }
@media print {
  @page { size: A4; margin: 15mm 13mm 16mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav.toc { display: none; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  tr, dl.facts, li { break-inside: avoid; page-break-inside: avoid; }
  table { font-size: 8.5pt; }
  figure svg { max-height: 235mm; border: none; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// One piece of inline text.
#[derive(Debug, PartialEq, Eq)]
enum Inline {
    Text(String),
    Code(String),
    Bold(Vec<Inline>),
    Em(Vec<Inline>),
}

/// Parses the inline Markdown subset. Unclosed markers are kept as text.
fn parse_inline(s: &str) -> Vec<Inline> {
    let chars: Vec<char> = s.chars().collect();
    parse_span(&chars, 0, chars.len())
}

fn parse_span(c: &[char], from: usize, to: usize) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let flush = |buf: &mut String, out: &mut Vec<Inline>| {
        if !buf.is_empty() {
            out.push(Inline::Text(std::mem::take(buf)));
        }
    };
    // Where `pat` next occurs at or after `i`, skipping escaped characters.
    let find = |i: usize, pat: &[char]| -> Option<usize> {
        let mut j = i;
        while j + pat.len() <= to {
            if c[j] == '\\' {
                j += 2;
                continue;
            }
            if c[j..j + pat.len()] == *pat {
                return Some(j);
            }
            j += 1;
        }
        None
    };
    let mut i = from;
    while i < to {
        let ch = c[i];
        if ch == '\\' && i + 1 < to {
            buf.push(c[i + 1]);
            i += 2;
        } else if ch == '`' {
            match c[i + 1..to].iter().position(|&x| x == '`') {
                Some(k) => {
                    flush(&mut buf, &mut out);
                    out.push(Inline::Code(c[i + 1..i + 1 + k].iter().collect()));
                    i += k + 2;
                }
                None => {
                    buf.push(ch);
                    i += 1;
                }
            }
        } else if ch == '*' && i + 1 < to && c[i + 1] == '*' {
            match find(i + 2, &['*', '*']) {
                Some(j) => {
                    flush(&mut buf, &mut out);
                    out.push(Inline::Bold(parse_span(c, i + 2, j)));
                    i = j + 2;
                }
                None => {
                    buf.push_str("**");
                    i += 2;
                }
            }
        } else if ch == '_' && (i == from || !c[i - 1].is_alphanumeric()) {
            match find(i + 1, &['_']) {
                Some(j) if j > i + 1 => {
                    flush(&mut buf, &mut out);
                    out.push(Inline::Em(parse_span(c, i + 1, j)));
                    i = j + 1;
                }
                _ => {
                    buf.push(ch);
                    i += 1;
                }
            }
        } else if ch == '&' {
            let rest: String = c[i..to.min(i + 5)].iter().collect();
            let (rep, len) = if rest.starts_with("&lt;") {
                ('<', 4)
            } else if rest.starts_with("&gt;") {
                ('>', 4)
            } else if rest.starts_with("&amp;") {
                ('&', 5)
            } else {
                ('&', 1)
            };
            buf.push(rep);
            i += len;
        } else {
            buf.push(ch);
            i += 1;
        }
    }
    flush(&mut buf, &mut out);
    out
}

fn inline_markup(xs: &[Inline]) -> Markup {
    html! {
        @for x in xs {
            @match x {
                Inline::Text(t) => (t),
                Inline::Code(t) => code { (t) },
                Inline::Bold(v) => b { (inline_markup(v)) },
                Inline::Em(v) => em { (inline_markup(v)) },
            }
        }
    }
}

/// Inline Markdown → escaped HTML.
pub fn inline(s: &str) -> Markup {
    inline_markup(&parse_inline(s))
}

/// The plain text of inline Markdown (for `<title>` and `alt`).
pub fn plain(s: &str) -> String {
    fn walk(xs: &[Inline], out: &mut String) {
        for x in xs {
            match x {
                Inline::Text(t) | Inline::Code(t) => out.push_str(t),
                Inline::Bold(v) | Inline::Em(v) => walk(v, out),
            }
        }
    }
    let mut out = String::new();
    walk(&parse_inline(s), &mut out);
    out
}

/// A block of a Markdown document.
#[derive(Debug, PartialEq, Eq)]
pub enum MdBlock {
    Heading(usize, String),
    Bullets(Vec<String>),
    Para(String),
}

/// Splits Markdown into headings, bullet lists and paragraphs (the subset
/// `drillsim diff` writes; anything else becomes a paragraph).
pub fn markdown_blocks(md: &str) -> Vec<MdBlock> {
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut items: Vec<String> = Vec::new();
    fn end(out: &mut Vec<MdBlock>, para: &mut Vec<&str>, items: &mut Vec<String>) {
        if !para.is_empty() {
            out.push(MdBlock::Para(para.join(" ")));
            para.clear();
        }
        if !items.is_empty() {
            out.push(MdBlock::Bullets(std::mem::take(items)));
        }
    }
    for line in md.lines() {
        let t = line.trim_end();
        let hashes = t.chars().take_while(|&c| c == '#').count();
        if hashes > 0 && t[hashes..].starts_with(' ') {
            end(&mut out, &mut para, &mut items);
            out.push(MdBlock::Heading(hashes, t[hashes..].trim().to_string()));
        } else if let Some(item) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            if !para.is_empty() {
                end(&mut out, &mut para, &mut items);
            }
            items.push(item.trim().to_string());
        } else if t.trim().is_empty() {
            end(&mut out, &mut para, &mut items);
        } else if !items.is_empty() && line.starts_with("  ") {
            if let Some(last) = items.last_mut() {
                last.push(' ');
                last.push_str(t.trim());
            }
        } else {
            if !items.is_empty() {
                end(&mut out, &mut para, &mut items);
            }
            para.push(t.trim());
        }
    }
    end(&mut out, &mut para, &mut items);
    out
}

fn markdown_html(md: &str) -> Markup {
    html! {
        div.diff {
            @for b in markdown_blocks(md) {
                @match b {
                    MdBlock::Heading(1, t) => h3 { (inline(&t)) },
                    MdBlock::Heading(_, t) => h4 { (inline(&t)) },
                    MdBlock::Bullets(items) => ul { @for i in items { li { (inline(&i)) } } },
                    MdBlock::Para(t) => p { (inline(&t)) },
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

/// `report.html`: one page with the charts inlined as SVG (plotters
/// escapes their text), linking to `charts/<name>.svg|png`.
pub fn render_html(doc: &Doc, charts: &[Chart], lang: Lang) -> Vec<u8> {
    let page = html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (plain(&doc.title)) " — " (plain(&doc.subtitle)) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.cover {
                    h1 { (inline(&doc.title)) }
                    p.subtitle { (inline(&doc.subtitle)) }
                    p.note { (inline(&doc.note)) }
                }
                nav.toc {
                    b { (doc.toc) }
                    ol { @for s in &doc.sections { li { a href={ "#" (s.id) } { (inline(&s.title)) } } } }
                }
                @for s in &doc.sections {
                    section id=(s.id) {
                        h2 { (inline(&s.title)) }
                        @for b in &s.blocks {
                            @match b {
                                Block::Para(p) => p { (inline(p)) },
                                Block::Heading(h) => h3 { (inline(h)) },
                                Block::Bullets(items) => ul { @for i in items { li { (inline(i)) } } },
                                Block::Facts(facts) => dl.facts {
                                    @for (k, v) in facts { dt { (inline(k)) } dd { (inline(v)) } }
                                },
                                Block::Table { head, rows, num_from } => table {
                                    thead { tr { @for h in head { th { (inline(h)) } } } }
                                    tbody {
                                        @for row in rows {
                                            tr {
                                                @for (i, c) in row.iter().enumerate() {
                                                    @if i >= *num_from { td.num { (inline(c)) } }
                                                    @else { td { (inline(c)) } }
                                                }
                                            }
                                        }
                                    }
                                },
                                Block::Figure(i) => @if let Some(c) = charts.get(*i) {
                                    figure id={ "fig-" (c.name) } data-chart=(c.name) {
                                        (PreEscaped(inline_svg(&c.svg)))
                                        figcaption {
                                            b { (doc.fig) " " (i + 1) " " (c.title) }
                                            " " (c.caption) " "
                                            a href={ "charts/" (c.name) ".svg" } { "SVG" }
                                            " · "
                                            a href={ "charts/" (c.name) ".png" } { "PNG" }
                                        }
                                    }
                                },
                                Block::Skipped(t) => p.skipped { (inline(t)) },
                                Block::Markdown(md) => (markdown_html(md)),
                            }
                        }
                    }
                }
                footer { (inline(&doc.note)) }
            }
        }
    };
    page.into_string().into_bytes()
}

/// `report.md`: charts as `charts/<name>.png` with a link to the SVG.
pub fn render_md(doc: &Doc, charts: &[Chart]) -> Vec<u8> {
    use crate::report::markdown::esc;
    let mut out = String::new();
    out.push_str(&format!(
        "# {}\n\n**{}**\n\n*{}*\n\n",
        doc.title, doc.subtitle, doc.note
    ));
    for s in &doc.sections {
        out.push_str(&format!("## {}\n\n", s.title));
        for b in &s.blocks {
            match b {
                Block::Para(p) => out.push_str(&format!("{p}\n\n")),
                Block::Heading(h) => out.push_str(&format!("### {h}\n\n")),
                Block::Bullets(items) => {
                    for i in items {
                        out.push_str(&format!("- {i}\n"));
                    }
                    out.push('\n');
                }
                Block::Facts(facts) => {
                    for (k, v) in facts {
                        out.push_str(&format!("- **{k}**: {v}\n"));
                    }
                    out.push('\n');
                }
                Block::Table {
                    head,
                    rows,
                    num_from,
                } => {
                    out.push('|');
                    for h in head {
                        out.push_str(&format!(" {h} |"));
                    }
                    out.push_str("\n|");
                    for i in 0..head.len() {
                        out.push_str(if i >= *num_from { "---:|" } else { "---|" });
                    }
                    out.push('\n');
                    for row in rows {
                        out.push('|');
                        for c in row {
                            out.push_str(&format!(" {c} |"));
                        }
                        out.push('\n');
                    }
                    out.push('\n');
                }
                Block::Figure(i) => {
                    if let Some(c) = charts.get(*i) {
                        out.push_str(&format!(
                            "![{title}](charts/{name}.png)\n\n*{fig} {n} {title}* {caption} ([SVG](charts/{name}.svg))\n\n",
                            title = esc(&c.title),
                            name = c.name,
                            fig = doc.fig,
                            n = i + 1,
                            caption = esc(&c.caption),
                        ));
                    }
                }
                Block::Skipped(t) => out.push_str(&format!("> {t}\n\n")),
                Block::Markdown(md) => {
                    for line in md.lines() {
                        if line.starts_with('#') {
                            out.push_str("##");
                        }
                        out.push_str(line);
                        out.push('\n');
                    }
                    out.push('\n');
                }
            }
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_subset_is_parsed_and_escaped() {
        let h = inline("`a<b>` **bold _em_** x\\*y &lt;script&gt; snake_case").into_string();
        assert_eq!(
            h,
            "<code>a&lt;b&gt;</code> <b>bold <em>em</em></b> x*y &lt;script&gt; snake_case"
        );
        assert_eq!(plain("`x` **y**"), "x y");
        // Unclosed markers stay as text.
        assert_eq!(inline("a ` b ** c").into_string(), "a ` b ** c");
    }

    #[test]
    fn markdown_blocks_of_a_plan_diff() {
        let md = "# Plan diff: `a` → `b`\n\n- A: `a` (x)\n- B: `b` (y)\n\n3 changes\n\n## Levels\n\n- **changed** I: lead `x` → `y`\n";
        assert_eq!(
            markdown_blocks(md),
            vec![
                MdBlock::Heading(1, "Plan diff: `a` → `b`".into()),
                MdBlock::Bullets(vec!["A: `a` (x)".into(), "B: `b` (y)".into()]),
                MdBlock::Para("3 changes".into()),
                MdBlock::Heading(2, "Levels".into()),
                MdBlock::Bullets(vec!["**changed** I: lead `x` → `y`".into()]),
            ]
        );
    }
}
