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
        if self.csv {
            write!(
                f,
                "{}: row {}, column {}: {}",
                self.file.display(),
                self.line,
                self.col,
                self.message
            )
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.col,
                self.message
            )?;
            if let Some(s) = &self.snippet {
                let gutter = self.line.to_string().len();
                let (s, caret) = window(s, self.col - 1);
                write!(f, "\n{:gutter$} |\n{} | {}", "", self.line, s)?;
                let pad: String = s
                    .chars()
                    .take(caret)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n{:gutter$} | {pad}^", "")?;
            }
            Ok(())
        }
    }
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
