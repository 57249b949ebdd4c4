//! `report.md`: the same content in Markdown; charts are referenced as
//! `charts/<name>.png` (with a link to the SVG).

use super::charts::Chart;
use super::content::{Block, Doc, Table};

/// Escapes text for Markdown: inline markup characters and raw HTML are
/// neutralised, line breaks flattened.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn table(out: &mut String, t: &Table) {
    out.push('|');
    for h in &t.head {
        out.push_str(&format!(" {} |", esc(h)));
    }
    out.push_str("\n|");
    for _ in &t.head {
        out.push_str(" --- |");
    }
    out.push('\n');
    for row in &t.rows {
        out.push('|');
        for c in row {
            out.push_str(&format!(" {} |", esc(&c.text)));
        }
        out.push('\n');
    }
    out.push('\n');
}

pub fn render(doc: &Doc, charts: &[Chart]) -> Vec<u8> {
    let mut out = String::new();
    out.push_str(&format!("# {}\n\n", esc(&doc.title)));
    out.push_str(&format!("**{}**\n\n", esc(&doc.subtitle)));
    out.push_str(&format!("## {}\n\n", esc(&doc.scenario)));
    out.push_str(&format!("*{}*\n\n", esc(&doc.note)));
    let mut fig = 0;
    for s in &doc.sections {
        out.push_str(&format!("## {}\n\n", esc(&s.title)));
        for b in &s.blocks {
            match b {
                Block::Para(p) => out.push_str(&format!("{}\n\n", esc(p))),
                Block::Heading(h) => out.push_str(&format!("### {}\n\n", esc(h))),
                Block::Bullets(items) => {
                    for i in items {
                        out.push_str(&format!("- {}\n", esc(i)));
                    }
                    out.push('\n');
                }
                Block::Facts(facts) => {
                    for (k, v) in facts {
                        out.push_str(&format!("- **{}**: {}\n", esc(k), esc(v)));
                    }
                    out.push('\n');
                }
                Block::Table(t) => table(&mut out, t),
                Block::Figure(i) => {
                    if let Some(c) = charts.get(*i) {
                        fig += 1;
                        out.push_str(&format!(
                            "![{title}](charts/{name}.png)\n\n*{n}. {title}* {caption} ([SVG](charts/{name}.svg))\n\n",
                            title = esc(&c.title),
                            name = c.name,
                            n = fig,
                            caption = esc(&c.caption),
                        ));
                    }
                }
            }
        }
    }
    out.into_bytes()
}
