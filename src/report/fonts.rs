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
