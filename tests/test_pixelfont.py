"""Tests for the 5x7 LED-sign bitmap font (render/pixelfont.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image


def _load_pixelfont() -> ModuleType:
    """Import render.drawing.pixelfont; fall back to loading the file on its own.

    pixelfont has no dependencies on the rest of the package, so its tests do
    not fail just because another module in `render` is broken or unfinished.
    """
    try:
        from render.drawing import pixelfont
    except Exception:
        path = Path(__file__).resolve().parents[1] / "render" / "pixelfont.py"
        spec = importlib.util.spec_from_file_location("_pixelfont_standalone", path)
        assert spec is not None and spec.loader is not None
        pixelfont = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = pixelfont
        spec.loader.exec_module(pixelfont)
    return pixelfont


pf = _load_pixelfont()

SIGN = (144, 48)
REQUIRED = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-+()/'\"!?&@#"


def _values(image: Image.Image) -> set[object]:
    return {value for _count, value in image.getcolors(maxcolors=1 << 16)}


def test_every_glyph_is_5_by_7_and_uses_only_hash_and_dot() -> None:
    assert pf.GLYPH_HEIGHT == 7
    for key, rows in pf.GLYPHS.items():
        assert len(key) == 1, key
        assert len(rows) == pf.GLYPH_HEIGHT, key
        for row in rows:
            assert len(row) == pf.GLYPH_WIDTH == 5, (key, row)
            assert set(row) <= {"#", "."}, (key, row)


def test_required_characters_are_drawn_directly() -> None:
    missing = [ch for ch in REQUIRED if ch not in pf.GLYPHS]
    assert missing == []
    # Every visible glyph except space has ink.
    for key, rows in pf.GLYPHS.items():
        assert ("#" in "".join(rows)) == (key != " "), key


def test_glyphs_are_distinct() -> None:
    seen: dict[tuple[str, ...], str] = {}
    for key, rows in pf.GLYPHS.items():
        assert rows not in seen, f"{key!r} looks the same as {seen.get(rows)!r}"
        seen[rows] = key


def test_lowercase_draws_as_uppercase() -> None:
    assert pf.to_glyphs("abc xyz") == "ABC XYZ"
    a = Image.new("1", (80, 7))
    b = Image.new("1", (80, 7))
    pf.draw_text(a, (0, 0), "hello", 1)
    pf.draw_text(b, (0, 0), "HELLO", 1)
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zoë Ĳsselmeer", "ZOE IJSSELMEER"),
        ("ĳsje", "IJSJE"),
        ("Zoe\u0308", "ZOE"),  # decomposed diaeresis
        ("Çelik Ångström Müller-Lüdenscheidt", "CELIK ANGSTROM MULLER-LUDENSCHEIDT"),
        ("Łukasz Øster Straße Æsa", "LUKASZ OSTER STRASSE AESA"),
        ("“Daan’s” – 12…", '"DAAN\'S" - 12...'),
        ("ﬁn", "FIN"),
    ],
)
def test_accents_and_ligatures_map_without_question_marks(text: str, expected: str) -> None:
    assert pf.to_glyphs(text) == expected


def test_unmappable_characters_draw_as_question_mark() -> None:
    assert pf.to_glyphs("Анна") == "????"
    assert pf.to_glyphs("נועה") == "????"
    assert pf.to_glyphs("A\u200dB") == "AB"  # zero-width joiner draws nothing
    assert pf.to_glyphs("🙂") == "?"


def test_mode_1_image_has_only_0_and_255() -> None:
    image = Image.new("1", SIGN, 0)
    pf.draw_text(image, (2, 2), "VERMIST: Zoë (8)", 1)
    pf.draw_text(image, (2, 20), "BEL 112!", 1, scale=2)
    assert _values(image.convert("L")) == {0, 255}


@pytest.mark.parametrize("fill", [255, 200, 37])
def test_mode_L_image_has_only_background_and_fill(fill: int) -> None:
    image = Image.new("L", SIGN, 0)
    pf.draw_text(image, (3, 3), "Sanne de Vries #42 & Noor", fill)
    pf.draw_text(image, (0, 20), "KIND ALARM", fill, scale=3)
    assert _values(image) == {0, fill}


def test_rgb_image_has_only_background_and_fill() -> None:
    image = Image.new("RGB", SIGN, (0, 0, 0))
    pf.draw_text(image, (1, 1), "AMBER @ A12", (255, 176, 0))
    pf.draw_text(image, (1, 12), "GREY", 128)  # int fill on RGB means grey
    assert _values(image) == {(0, 0, 0), (255, 176, 0), (128, 128, 128)}


@pytest.mark.parametrize("scale", [1, 2, 3])
@pytest.mark.parametrize("spacing", [0, 1, 2])
@pytest.mark.parametrize("text", ["HELLO", "M", "0800-6000", "WAAR IS ZOË?", "ÀĳN"])
def test_text_width_matches_drawn_bounding_box(text: str, scale: int, spacing: int) -> None:
    image = Image.new("L", (400, 40), 0)
    x, y = 7, 5
    pf.draw_text(image, (x, y), text, 255, scale=scale, spacing=spacing)
    left, top, right, bottom = image.getbbox()
    # These texts start with a glyph whose first column is lit and end with one
    # whose last column is lit, so the ink spans exactly text_width pixels.
    assert left == x
    assert right - left == pf.text_width(text, scale=scale, spacing=spacing)
    assert bottom - top <= pf.GLYPH_HEIGHT * scale
    assert top >= y


def test_text_width_basics() -> None:
    assert pf.text_width("") == 0
    assert pf.text_width("A") == 5
    assert pf.text_width("AB") == 11
    assert pf.text_width("AB", scale=2) == 22
    assert pf.text_width("AB", spacing=0) == 10
    assert pf.text_width("Ĳ") == pf.text_width("IJ")
    # 24 characters fill a 144-pixel sign line exactly (24 * 6 - 1 = 143).
    assert pf.text_width("X" * 24) == 143
    assert pf.text_width("X" * 25) > 144


def test_scale_2_doubles_every_pixel() -> None:
    small = Image.new("L", (40, 10), 0)
    big = Image.new("L", (80, 20), 0)
    pf.draw_text(small, (0, 0), "R2?", 255)
    pf.draw_text(big, (0, 0), "R2?", 255, scale=2)
    assert big.tobytes() == small.resize((80, 20), Image.Resampling.NEAREST).tobytes()


def test_drawing_clips_at_image_edges() -> None:
    image = Image.new("1", (10, 5), 0)
    pf.draw_text(image, (-3, -2), "WWW", 1)  # must not raise
    assert image.getbbox() is not None


LONG_TEXTS = [
    "RIJKSWATERSTAATVERKEERSCENTRALE",
    "VERMIST: Sanne de Vries (8), blond haar, groene trui. Gezien bij Station Utrecht Centraal.",
    "Bel 112 of 0800-6070 bij informatie",
    "Zoë Ĳsselmeer-Bakker uit 's-Hertogenbosch",
    "A" * 100,
    "a\nb\n\nccccccccccccccccccccccccccccccccccccccccc d",
    "……………………………………",
]


@pytest.mark.parametrize("text", LONG_TEXTS)
@pytest.mark.parametrize(
    ("width", "scale"), [(144, 1), (144, 2), (48, 1), (60, 3), (5, 1), (11, 1)]
)
def test_fit_lines_never_exceeds_width(text: str, width: int, scale: int) -> None:
    lines = pf.fit_lines(text, width, scale=scale)
    assert lines
    for line in lines:
        assert pf.text_width(line, scale=scale) <= width, (line, width, scale)
        assert line == line.strip()
        assert line


def test_fit_lines_keeps_all_non_space_text_in_order() -> None:
    for text in LONG_TEXTS:
        lines = pf.fit_lines(text, 48)
        assert "".join("".join(lines).split()) == "".join(text.split())


def test_fit_lines_splits_long_word_without_ellipsis() -> None:
    lines = pf.fit_lines("RIJKSWATERSTAATVERKEERSCENTRALE", 144)
    assert lines == ["RIJKSWATERSTAATVERKEERSC", "ENTRALE"]
    assert "".join(lines) == "RIJKSWATERSTAATVERKEERSCENTRALE"


def test_fit_lines_wraps_on_words() -> None:
    assert pf.fit_lines("KIND ALARM VERMIST", 60) == ["KIND ALARM", "VERMIST"]
    assert pf.fit_lines("KIND\nALARM", 144) == ["KIND", "ALARM"]
    assert pf.fit_lines("   ", 144) == []
    assert pf.fit_lines("", 144) == []


def test_fit_lines_rejects_width_below_one_glyph() -> None:
    with pytest.raises(ValueError):
        pf.fit_lines("A", 4)
    with pytest.raises(ValueError):
        pf.fit_lines("A", 9, scale=2)


def test_fitted_lines_fit_on_a_sign() -> None:
    image = Image.new("1", SIGN, 0)
    lines = pf.fit_lines("Vermist: Zoë Ĳsselmeer (7) uit Zwolle", SIGN[0])
    assert len(lines) * (pf.GLYPH_HEIGHT + 1) <= SIGN[1]
    for row, line in enumerate(lines):
        pf.draw_text(image, (0, row * (pf.GLYPH_HEIGHT + 1)), line, 1)
        assert "?" not in pf.to_glyphs(line)
    bbox = image.getbbox()
    assert bbox is not None and bbox[2] <= SIGN[0]
