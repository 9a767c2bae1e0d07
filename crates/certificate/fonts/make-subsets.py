#!/usr/bin/env python3
"""Makes the certificate's font subsets (the files beside this script) from Debian's Noto fonts.

    apt-get install fonts-noto-core fonts-noto-cjk   # Debian 12: 20201225-1, 1:20220127+repack1-1
    pip install fonttools                            # pyftsubset (fonttools 4.68.0 made the Arabic, Hebrew and Devanagari subsets)
    python3 make-subsets.py

(Without installing: `apt-get download fonts-noto-core && dpkg-deb -x fonts-noto-core_*.deb x`
and point `noto` below at x/usr/share/fonts/truetype/noto/.) All are under the SIL Open Font
License 1.1 (OFL.txt); Debian's /usr/share/doc/fonts-noto-core/copyright says so for each.

Latin (Noto Sans Regular and Bold): Latin, Latin-1, Latin Extended-A/B and Additional
(Vietnamese), IPA, combining marks, Greek, Cyrillic, general punctuation, currency and
letterlike symbols. Japanese and Chinese (Noto Sans CJK JP Regular, face 0 of the .ttc): CJK
punctuation, hiragana, katakana, half- and full-width forms, every kanji of JIS X 0208 (levels
1 and 2: 6,355, which hold the Jōyō and nearly all name kanji) and every hanzi of GB 2312
level 1 (3,755 common Simplified Chinese characters), plus the Hangul syllables of KS X 1001
(2,350 common ones); the lists come from Python's own codecs, so no list is downloaded.
Arabic (Noto Sans Arabic 2.005), Hebrew (Noto Sans Hebrew 3.000) and Devanagari (Noto Sans
Devanagari 2.001), Regular and Bold, from the same fonts-noto-core package: each script's own
block (Arabic with its Supplement and Presentation Forms-B, which older systems type names in;
Hebrew with its presentation forms; Devanagari with Vedic Extensions and Devanagari Extended),
ASCII punctuation and digits, the joiners and bidi controls (U+200B-200F, U+202A-202E,
U+2066-2069) and the dotted circle shapers put under a stray mark. Every glyph the shaping
rules (GSUB/GPOS) reach from those characters stays: the contextual Arabic forms, lam-alef
ligatures, Devanagari conjuncts and reph. Sizes: Arabic 127 KB, Hebrew 15 KB, Devanagari
149 KB per weight.
Hinting is dropped (a PDF viewer does not use it); layout features are kept for shaping.
"""
import subprocess

LATIN = ("U+0000-024F,U+0250-02FF,U+0300-036F,U+0370-03FF,U+0400-04FF,U+1E00-1EFF,"
         "U+2000-206F,U+20A0-20CF,U+2100-214F,U+2190-21FF,U+2200-22FF,U+25A0-25FF,U+FB00-FB06")

COMMON = "U+0020-0040,U+005B-0060,U+007B-007E,U+00A0,U+200B-200F,U+202A-202E,U+2066-2069,U+25CC"
RTL_AND_INDIC = {
    "Arabic": COMMON + ",U+00AB,U+00BB,U+0600-06FF,U+0750-077F,U+2010-2027,U+FE70-FEFF",
    "Hebrew": COMMON + ",U+0590-05FF,U+FB1D-FB4F",
    "Devanagari": COMMON + ",U+0900-097F,U+1CD0-1CFF,U+20B9,U+A8E0-A8FF",
}


def codec_chars(codec, first_bytes, second_bytes):
    chars = set()
    for a in first_bytes:
        for b in second_bytes:
            try:
                chars.update(bytes([a, b]).decode(codec))
            except UnicodeDecodeError:
                pass
    return chars


def cjk_text():
    chars = set()
    # Shift_JIS lead bytes 0x88-0x9F and 0xE0-0xEA hold JIS X 0208 kanji levels 1 and 2.
    chars |= codec_chars("shift_jis", list(range(0x88, 0xA0)) + list(range(0xE0, 0xEB)),
                         range(0x40, 0xFD))
    # GB 2312 level 1: rows 16-55 (lead bytes 0xB0-0xD7).
    chars |= codec_chars("gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF))
    # KS X 1001 Hangul syllables: rows 16-40 (lead bytes 0xB0-0xC8).
    chars |= codec_chars("euc_kr", range(0xB0, 0xC9), range(0xA1, 0xFF))
    return "".join(sorted(c for c in chars if ord(c) > 0x2E7F))


def subset(source, output, unicodes=None, text=None, number=None):
    command = ["pyftsubset", source, f"--output-file={output}", "--no-hinting",
               "--layout-features=*", "--name-IDs=*", "--notdef-outline"]
    if number is not None:
        command.append(f"--font-number={number}")
    if unicodes:
        command.append(f"--unicodes={unicodes}")
    if text:
        with open("cjk-chars.txt", "w", encoding="utf-8") as f:
            f.write(text)
        command.append("--text-file=cjk-chars.txt")
    subprocess.run(command, check=True)


noto = "/usr/share/fonts/truetype/noto/"
subset(noto + "NotoSans-Regular.ttf", "NotoSans-Regular.subset.ttf", LATIN)
subset(noto + "NotoSans-Bold.ttf", "NotoSans-Bold.subset.ttf", LATIN)
for script, unicodes in RTL_AND_INDIC.items():
    for weight in ("Regular", "Bold"):
        subset(f"{noto}NotoSans{script}-{weight}.ttf", f"NotoSans{script}-{weight}.subset.ttf",
               unicodes)
cjk_punctuation = "U+3000-30FF,U+31F0-31FF,U+FF00-FFEF"
subset("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "NotoSansCJKjp-Regular.subset.otf",
       unicodes=cjk_punctuation, text=cjk_text(), number=0)
