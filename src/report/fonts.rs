//! The bundled chart font.
//!
//! plotters (feature `ab_glyph`) draws and measures text only with fonts
//! registered here; there is no per-glyph fallback, so the bundled font is
//! one file with both scripts: `assets/fonts/DrillsimSans.ttf` = Latin from
//! DejaVu Sans + CJK from Droid Sans Fallback (built by
//! `tools/build_font.py`, licences beside it). It is registered as
//! `sans-serif`, which is also what the SVG charts name: a viewer draws SVG
//! text with its own sans-serif font (any CJK system font), while PNG charts
//! are drawn with the bundled font and look the same everywhere.

use std::sync::Once;

use plotters::style::{FontStyle, register_font};

/// The font family charts use (and the name the font is registered under).
pub const FAMILY: &str = "sans-serif";

/// The bundled font (≈3 MB).
pub static FONT: &[u8] = include_bytes!("../../assets/fonts/DrillsimSans.ttf");

static REGISTER: Once = Once::new();

/// Registers the bundled font for every style (idempotent, thread-safe).
pub fn ensure_registered() {
    REGISTER.call_once(|| {
        for style in [
            FontStyle::Normal,
            FontStyle::Bold,
            FontStyle::Italic,
            FontStyle::Oblique,
        ] {
            if register_font(FAMILY, style, FONT).is_err() {
                panic!("bundled font assets/fonts/DrillsimSans.ttf is not a valid font");
            }
        }
    });
}

/// Whether the bundled font has a glyph for `c` (white space always counts).
pub fn covers(c: char) -> bool {
    use ab_glyph::Font;
    static PARSED: std::sync::OnceLock<Option<ab_glyph::FontRef<'static>>> =
        std::sync::OnceLock::new();
    c.is_whitespace()
        || PARSED
            .get_or_init(|| ab_glyph::FontRef::try_from_slice(FONT).ok())
            .as_ref()
            .is_some_and(|f| f.glyph_id(c).0 != 0)
}

/// `s` as the bundled font can draw it: characters it lacks are spelled with
/// ones it has (the level numerals Ⅰ–Ⅳ as I–IV); anything else is kept.
pub fn drawable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().all(covers) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        match c {
            _ if covers(c) => out.push(c),
            'Ⅰ' => out.push('I'),
            'Ⅱ' => out.push_str("II"),
            'Ⅲ' => out.push_str("III"),
            'Ⅳ' => out.push_str("IV"),
            'Ⅴ' => out.push('V'),
            _ => out.push(c),
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_numerals_are_spelled_with_letters_the_font_has() {
        assert!(covers('级') && covers('A') && covers('·'));
        assert!(!covers('Ⅲ'), "the font gained Ⅲ: drop the respelling");
        assert_eq!(drawable("启动Ⅲ级响应"), "启动III级响应");
        assert!(drawable("启动Ⅲ级响应").chars().all(covers));
        assert!(matches!(drawable("定级"), std::borrow::Cow::Borrowed(_)));
    }
}
