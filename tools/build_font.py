#!/usr/bin/env python3
"""Builds assets/fonts/DrillsimSans.ttf: Latin from DejaVu Sans, CJK from Droid
Sans Fallback, in one TrueType file, so that plotters (one font per family, no
fallback) draws mixed Chinese/Latin chart text.

    apt-get download fonts-droid-fallback fonts-dejavu-core
    for f in *.deb; do dpkg -x "$f" x; done
    python3 tools/build_font.py x/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf \
        x/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf assets/fonts/DrillsimSans.ttf

Needs fontTools (Debian: python3-fonttools). Changes made to the source fonts:
subset to the ranges below, hinting and OpenType layout tables removed, Droid
scaled to 2048 units per em, glyph sets merged, family renamed "Drillsim Sans".
"""
import sys
from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

LATIN = "U+0020-007E,U+00A0-024F,U+2000-206F,U+20AC,U+2100-215F,U+2190-21FF,U+2200-22FF,U+2460-24FF,U+25A0-25FF"
CJK = "U+3000-303F,U+3100-312F,U+4E00-9FFF,U+FE30-FE4F,U+FF00-FFEF"
DROP = ["GSUB", "GPOS", "GDEF", "kern", "MATH", "FFTM", "vhea", "vmtx", "BASE", "JSTF"]


def cut(src, dst, unicodes, upem=None):
    opts = subset.Options()
    opts.hinting = False
    opts.layout_features = []
    opts.drop_tables += DROP
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    font = subset.load_font(src, opts)
    s = subset.Subsetter(opts)
    s.populate(unicodes=subset.parse_unicodes(unicodes))
    s.subset(font)
    for t in DROP + ["fpgm", "prep", "cvt ", "gasp", "hdmx", "LTSH", "VDMX"]:
        if t in font:
            del font[t]
    if upem and font["head"].unitsPerEm != upem:
        scale_upem(font, upem)
    font.save(dst)


def main(latin, cjk, out):
    cut(latin, "/tmp/_latin.ttf", LATIN)
    cut(cjk, "/tmp/_cjk.ttf", CJK, upem=2048)
    merged = Merger().merge(["/tmp/_latin.ttf", "/tmp/_cjk.ttf"])
    name = merged["name"]
    for rec in list(name.names):
        if rec.nameID in (1, 4, 16):
            rec.string = "Drillsim Sans"
        elif rec.nameID == 6:
            rec.string = "DrillsimSans"
        elif rec.nameID == 3:
            rec.string = "Drillsim Sans (DejaVu Sans + Droid Sans Fallback)"
    merged.save(out)
    f = TTFont(out)
    cmap = f.getBestCmap()
    assert all(ord(c) in cmap for c in "Aa0%时间省份"), "coverage"
    print(out, len(f.getGlyphOrder()), "glyphs")


if __name__ == "__main__":
    main(*sys.argv[1:4])
