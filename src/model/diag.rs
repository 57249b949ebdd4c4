//! Problems found in user files, with their position.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in.
    pub file: PathBuf,
    /// 1-based line (for CSV files: the 1-based row number, header = row 1).
    pub line: usize,
    /// 1-based column in characters (for CSV files: 1-based field number).
    pub col: usize,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The offending source line, shown under the message when known.
    pub snippet: Option<String>,
    /// `true` when the position is a CSV row/field rather than line/column.
    pub csv: bool,
}

impl Diagnostic {
    /// A problem at `line:col` of a text file; the snippet is filled from `src`.
    pub fn at(file: &Path, src: &str, line: usize, col: usize, message: impl Into<String>) -> Self {
        let snippet = src.lines().nth(line.saturating_sub(1)).map(str::to_owned);
        Diagnostic {
            file: file.to_path_buf(),
            line: line.max(1),
            col: col.max(1),
            message: message.into(),
            snippet,
            csv: false,
        }
    }

    /// A problem at a byte offset of `src`.
    pub fn at_offset(file: &Path, src: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, col) = line_col(src, offset);
        Self::at(file, src, line, col, message)
    }

    /// A problem in CSV row `row` (1-based, header = 1), field `field` (1-based).
    pub fn csv(file: &Path, row: usize, field: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line: row,
            col: field,
            message: message.into(),
            snippet: None,
            csv: true,
        }
    }
}

/// 1-based line and character column of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let mut line = 1;
    let mut line_start = 0;
    for (i, b) in src.bytes().enumerate().take(offset) {
        if b == b'\n' {
            line += 1;
            line_start = i + 1;
        }
    }
    let col = src
        .get(line_start..offset)
        .map(|s| s.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The file name and the message may quote the input (a token, a
        // value): its control characters are escaped, never printed raw.
        let file = self.file.display().to_string();
        let (file, message) = (escape_controls(&file), escape_controls(&self.message));
        if self.csv {
            write!(
                f,
                "{file}: row {}, column {}: {message}",
                self.line, self.col
            )
        } else {
            write!(f, "{file}:{}:{}: {message}", self.line, self.col)?;
            if let Some(s) = &self.snippet {
                let gutter = self.line.to_string().len();
                let (s, caret) = window(s, self.col - 1);
                // Each character as shown: escaped when unsafe, and the
                // caret's indent as wide as what precedes it on screen.
                let mut shown = String::with_capacity(s.len());
                let mut pad = String::new();
                for (i, c) in s.chars().enumerate() {
                    let before = shown.len();
                    push_shown(&mut shown, c);
                    if i < caret {
                        // An escape is ASCII: one column per byte.
                        let w = if is_unsafe(c) {
                            shown.len() - before
                        } else {
                            width(c)
                        };
                        pad.extend(std::iter::repeat_n(' ', w));
                    }
                }
                write!(f, "\n{:gutter$} |\n{} | {shown}", "", self.line)?;
                write!(f, "\n{:gutter$} | {pad}^", "")?;
            }
            Ok(())
        }
    }
}

/// A character that must never reach the terminal raw in a message: the
/// C0 controls (newline aside: messages may span lines), DEL, the C1
/// controls, and the bidi embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069), which could make a quoted line read
/// differently from what it is.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `c` as shown in a message: itself, or its escape (`\t`, `\r`, `\0`,
/// else `\u{1b}`), which is plain ASCII.
fn push_shown(out: &mut String, c: char) {
    use std::fmt::Write;
    match c {
        _ if !is_unsafe(c) => out.push(c),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\0' => out.push_str("\\0"),
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `s` with every [`is_unsafe`] character escaped (`ESC` → `\u{1b}`, tab →
/// `\t`, U+202E → `\u{202e}`); borrowed when there is none.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_shown(&mut out, c);
    }
    out.into()
}

/// A path as a message shows it: its display form through
/// [`escape_controls`] (a file name may hold an ESC or a bidi override).
pub fn shown_path(p: &std::path::Path) -> String {
    escape_controls(&p.display().to_string()).into_owned()
}

/// Columns a character takes in a terminal: 2 for the East Asian wide and
/// full-width ranges (CJK, Hangul, full-width forms), 1 otherwise; so the
/// caret stays under its character in a line of Chinese text.
fn width(c: char) -> usize {
    let u = c as u32;
    let wide = matches!(u,
        0x1100..=0x115f
        | 0x2e80..=0x303e
        | 0x3041..=0x33ff
        | 0x3400..=0x4dbf
        | 0x4e00..=0x9fff
        | 0xa000..=0xa4cf
        | 0xac00..=0xd7a3
        | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f
        | 0xff00..=0xff60
        | 0xffe0..=0xffe6
        | 0x1f300..=0x1f64f
        | 0x1f900..=0x1f9ff
        | 0x20000..=0x3fffd);
    if wide { 2 } else { 1 }
}

/// The part of a source line shown under a message: the whole line when
/// short, else about 120 characters around character `at` with `…` where
/// it was cut (a 100 MB line is not echoed back); returns it and the
/// caret's character offset in it.
fn window(line: &str, at: usize) -> (std::borrow::Cow<'_, str>, usize) {
    const HALF: usize = 60;
    let n = line.chars().count();
    if n <= 2 * HALF + 20 {
        return (line.into(), at);
    }
    let start = at.saturating_sub(HALF).min(n - 2 * HALF);
    let end = (start + 2 * HALF).min(n);
    let mut out = String::new();
    let mut caret = at - start;
    if start > 0 {
        out.push('…');
        caret += 1;
    }
    out.extend(line.chars().skip(start).take(end - start));
    if end < n {
        out.push('…');
    }
    (out.into(), caret)
}

/// Every problem found while loading inputs. Loading never stops at the first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// `Ok(value)` when nothing was found, else all problems.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {d}")?;
        }
        let n = self.0.len();
        write!(f, "\n{n} problem{} found", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

/// Reads a user file; a failure is a diagnostic at line 1 naming `what`.
pub fn read_source(path: &Path, what: &str) -> Result<String, Diagnostics> {
    crate::output::guard::note_input(path);
    std::fs::read_to_string(path).map_err(|e| {
        Diagnostics(vec![Diagnostic::at(
            path,
            "",
            1,
            1,
            format!("cannot read {what}: {e}"),
        )])
    })
}

/// Parses RON text into its raw serde form; a syntax or type error is a
/// diagnostic at the position ron reports (ron stops at the first one).
pub fn parse_ron<T: serde::de::DeserializeOwned>(src: &str, path: &Path) -> Result<T, Diagnostics> {
    ron::from_str(src).map_err(|e| {
        Diagnostics(vec![Diagnostic::at(
            path,
            src,
            e.span.start.line,
            e.span.start.col,
            e.code.to_string(),
        )])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line and caret rows of a rendered diagnostic.
    fn rows(d: &Diagnostic) -> (String, String) {
        let text = d.to_string();
        let rows: Vec<&str> = text.lines().collect();
        (rows[2].to_owned(), rows[3].to_owned())
    }

    #[test]
    fn control_characters_and_bidi_overrides_are_escaped_in_message_and_line() {
        let src = "a: \"\u{1b}[31mX\u{202e}\t\r\u{0}\u{85}\u{2066}\",\n";
        let d = Diagnostic::at(
            Path::new("f.ron"),
            src,
            1,
            5,
            format!("bad value `{}`", "\u{1b}[31mX\u{202e}\u{7}"),
        );
        let text = d.to_string();
        assert!(!text.chars().any(is_unsafe), "{text:?}");
        assert!(
            text.contains("bad value `\\u{1b}[31mX\\u{202e}\\u{7}`"),
            "{text}"
        );
        let (line, caret) = rows(&d);
        assert_eq!(
            line,
            "1 | a: \"\\u{1b}[31mX\\u{202e}\\t\\r\\0\\u{85}\\u{2066}\","
        );
        // Column 5 is the ESC: the caret is under its escape's backslash.
        let at = caret.find('^').unwrap();
        assert_eq!(&line[at..at + 6], "\\u{1b}");
        // Column 12 is the tab, after the override.
        let d = Diagnostic::at(Path::new("f.ron"), src, 1, 12, "tab");
        let (line, caret) = rows(&d);
        let at = caret.find('^').unwrap();
        assert_eq!(&line[at..at + 2], "\\t");
    }

    #[test]
    fn the_caret_counts_wide_characters_twice() {
        let d = Diagnostic::at(Path::new("f.ron"), "name: \"四川省\", x", 1, 13, "x");
        let (line, caret) = rows(&d);
        // 4 columns of gutter, 12 of text (3 wide characters count 6).
        assert_eq!(caret.find('^'), Some(4 + 9 + 6));
        assert!(line.ends_with(", x"));
    }

    #[test]
    fn csv_messages_and_file_names_are_escaped() {
        let d = Diagnostic::csv(Path::new("a\u{1b}.csv"), 2, 1, "unknown `\u{202a}\u{9b}`");
        assert_eq!(
            d.to_string(),
            "a\\u{1b}.csv: row 2, column 1: unknown `\\u{202a}\\u{9b}`"
        );
    }
}
