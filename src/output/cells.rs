//! CSV cells safe to open in a spreadsheet (formula injection).
//!
//! A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return would be taken for a formula by Excel, LibreOffice or Google
//! Sheets (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`): OWASP's rule is to
//! prefix it with `'`, which spreadsheets show as text. Numbers stay
//! numbers (`-3.5` is not prefixed). So that reading our own CSVs back is
//! exact, a text cell that starts with `'` gets one more; [`read`] removes
//! the one `'` [`write`] added. Every CSV drillsim writes goes through
//! [`write`] (and [`record`]); every CSV it reads back through [`read`].

use std::borrow::Cow;

/// Whether `s` is a number a spreadsheet reads as one (`-3`, `+1.5e3`, `-inf` is not).
fn is_number(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    !t.is_empty()
        && t.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// The cell as written: `'` prepended to text starting with `=`, `+`,
/// `-`, `@`, tab, CR or `'`.
pub fn write(s: &str) -> Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\'') if !is_number(s) => {
            Cow::Owned(format!("'{s}"))
        }
        _ => Cow::Borrowed(s),
    }
}

/// A whole record through [`write`].
pub fn record<I, S>(cells: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    cells
        .into_iter()
        .map(|c| write(c.as_ref()).into_owned())
        .collect()
}

/// The cell as read back: the `'` [`write`] added removed.
pub fn read(s: &str) -> &str {
    s.strip_prefix('\'').unwrap_or(s)
}

/// A CSV record read back, every cell through [`read`].
pub fn read_record(r: &csv::StringRecord) -> csv::StringRecord {
    r.iter().map(read).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_prefixed_and_numbers_are_not() {
        for (s, w) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'quoted", "''quoted"),
            ("-", "'-"),
            ("-inf", "'-inf"),
            ("-NaN", "'-NaN"),
            ("-3", "-3"),
            ("-3.25", "-3.25"),
            ("+1e3", "+1e3"),
            ("-.5", "-.5"),
            ("42", "42"),
            ("a=b", "a=b"),
            ("", ""),
            ("县区局", "县区局"),
        ] {
            assert_eq!(write(s), w, "{s:?}");
            assert_eq!(read(&write(s)), s, "round trip of {s:?}");
        }
    }

    #[test]
    fn records_round_trip_through_the_csv_crate() {
        let cells = ["=1+1", "'a", "-7", "plain", "@x", "-x"];
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(record(cells)).unwrap();
        let bytes = w.into_inner().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(text, "'=1+1,''a,-7,plain,'@x,'-x\n");
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        let rec = read_record(&r.records().next().unwrap().unwrap());
        assert_eq!(rec.iter().collect::<Vec<_>>(), cells);
    }
}
