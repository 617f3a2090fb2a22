"""Text fitting: the largest size that fits, words wrapped and never clipped, an ellipsis only
as the last resort; DejaVu for scripts Inter lacks; a clear error without shaping."""

from __future__ import annotations

import pytest

from render.drawing import pixelfont, textfit
from render.drawing.textfit import fit, fit_pixel_rows
from tests.helpers.signage import HARD_NAMES


def assert_inside(fitted: textfit.Fitted, width: int, height: int) -> None:
    assert fitted.height <= height
    for line in fitted.lines:
        assert fitted.font.getlength(line) <= width, line


@pytest.mark.parametrize("width,height", [(900, 300), (400, 200), (300, 90)])
def test_fit_is_the_largest_size_that_fits(width: int, height: int) -> None:
    text = "Sanne de Vries"
    fitted = fit(text, width, height, max_size=400, min_size=10)
    assert_inside(fitted, width, height)
    assert not fitted.broken and not fitted.ellipsized
    assert " ".join(fitted.lines) == text
    bigger = fit(text, width, height, max_size=fitted.size + 1, min_size=fitted.size + 1)
    assert bigger.broken or bigger.ellipsized or bigger.height > height or any(
        bigger.font.getlength(line) > width for line in bigger.lines)


def test_words_are_wrapped_not_clipped() -> None:
    text = "Utrecht, Griftpark, bij de speeltuin naast de grote vijver"
    fitted = fit(text, 300, 400, max_size=60, min_size=10)
    assert len(fitted.lines) > 1
    assert " ".join(fitted.lines) == text
    assert_inside(fitted, 300, 400)


def test_a_long_compound_is_broken_only_at_the_smallest_size() -> None:
    word = HARD_NAMES["compound"]
    roomy = fit(word, 600, 100, max_size=80, min_size=12)
    assert roomy.lines == (word,) and not roomy.broken
    narrow = fit(word, 120, 200, max_size=80, min_size=16)
    assert narrow.broken and not narrow.ellipsized and narrow.size == 16
    assert "".join(line.removesuffix("-") for line in narrow.lines) == word
    assert_inside(narrow, 120, 200)


def test_ellipsis_only_when_nothing_else_fits() -> None:
    name = HARD_NAMES["long"]
    fitted = fit(name, 500, 200, max_size=60, min_size=12, max_lines=4)
    assert not fitted.ellipsized and " ".join(fitted.lines) == name
    squeezed = fit(name, 200, 40, max_size=60, min_size=14, max_lines=4)
    assert squeezed.ellipsized and squeezed.lines[-1].endswith(textfit.ELLIPSIS)
    assert squeezed.size == 14
    assert_inside(squeezed, 200, 40)


@pytest.mark.parametrize("key", ["hebrew", "arabic"])
def test_scripts_inter_lacks_are_set_in_dejavu(key: str) -> None:
    name = HARD_NAMES[key]
    assert textfit.needs_fallback(name, "black")
    assert textfit.is_rtl(name)
    fitted = fit(name, 600, 100, weight="black")
    assert "DejaVu" in fitted.font.path
    assert not textfit.needs_fallback(HARD_NAMES["accented"], "black")
    assert "Inter" in fit(HARD_NAMES["accented"], 600, 100).font.path


def test_missing_shaping_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    textfit.require_shaping.cache_clear()
    monkeypatch.setattr(textfit.features, "check", lambda name: name != "raqm")
    with pytest.raises(textfit.ShapingUnavailable, match="right-to-left"):
        textfit.require_shaping()
    monkeypatch.undo()
    textfit.require_shaping.cache_clear()
    textfit.require_shaping()  # this machine can shape


def test_pixel_rows_take_the_largest_whole_scale() -> None:
    rows = fit_pixel_rows(["ALARM"], 144, 48)
    assert rows.scale == 4  # 5 glyphs: 116 px wide at scale 4, 145 at scale 5
    assert pixelfont.text_width("ALARM", rows.scale) <= 144 < pixelfont.text_width("ALARM", 5)
    wrapped = fit_pixel_rows(["KIND ALARM"], 144, 48)  # two rows at scale 3 beat one at 2
    assert wrapped.rows == ("KIND", "ALARM") and wrapped.scale == 3
    three = fit_pixel_rows(["KIND ALARM", "SANNE DE VRIES (8)", "VERMIST"], 142, 46)
    assert three.scale == 1 and len(three.rows) == 3 and not three.ellipsized


def test_pixel_rows_never_overflow_the_sign() -> None:
    lines = ["KIND ALARM", f"{HARD_NAMES['long']} (8)", "VERMIST"]
    rows = fit_pixel_rows(lines, 142, 46)
    assert rows.height <= 46
    assert all(pixelfont.text_width(r, rows.scale) <= 142 for r in rows.rows)
    assert rows.ellipsized == (rows.scale == 1 and rows.rows[-1].endswith("..."))


BLOCKS = [
    ("Sanne de Vries", 900, 300, None),
    ("Laatst gezien gisteren om 14:30 uur bij het station Utrecht Centraal, in een rode jas "
     "en een blauwe spijkerbroek", 1000, 420, None),
    ("Bel 112 of de tiplijn 0800-6070 · kindalarm.nl/alerts/2026-utrecht-sanne", 1500, 160, 2),
    (HARD_NAMES["hebrew"] + " " + HARD_NAMES["arabic"], 700, 200, 1),
    ("Utrecht\nGriftpark, bij de speeltuin", 500, 300, None),
]


@pytest.mark.parametrize("text,width,height,max_lines", BLOCKS)
def test_fit_finds_the_size_measuring_only_around_its_estimate(
        text: str, width: int, height: int, max_lines: int | None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The size is the largest at which whole words fit, as measured size by size from the
    top; the font measures (about 0.15 ms each) at most a few sizes' worth of lines."""
    def whole_words_fit(size: int) -> bool:  # fitting at this one size, measured exactly
        one = fit(text, width, height, max_size=size, min_size=size, max_lines=max_lines)
        return not one.broken

    largest = next(s for s in range(120, 9, -1) if whole_words_fit(s))
    calls = []
    real = textfit.ImageFont.FreeTypeFont.getlength
    monkeypatch.setattr(textfit.ImageFont.FreeTypeFont, "getlength",
                        lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
    fitted = fit(text, width, height, max_size=120, min_size=10, max_lines=max_lines)
    assert fitted.size == largest and not fitted.broken
    words = len(text.split())
    assert len(calls) <= 4 * (words + 1)  # a bisection over 7 sizes measured ~7 per word


def test_wrap_plans_lines_for_another_renderer() -> None:
    """Lines no wider than the box at any size (advances measured once, scaled), broken at
    spaces and after hyphens, a word too long for a line broken with a hyphen of its own."""
    name = HARD_NAMES["long"]
    for size in (11.5, 40.5, 72.0):
        lines = textfit.wrap(name, 400, size, "black")
        rejoined = "".join(line if line.endswith("-") else f"{line} " for line in lines)
        assert rejoined.replace("-", "").strip() == name.replace("-", "")
        assert all(textfit.font("black", round(size * 10)).getlength(line) / 10 <= 400 * 1.01
                   for line in lines), lines
    assert textfit.wrap(name, 553, 40.5, "black")[2:] == ["der Heijden-",
                                                          "Vandenbroucke de Jonghe"]
    compound = textfit.wrap(HARD_NAMES["compound"], 200, 40.5, "black")
    assert len(compound) > 1 and all(line.endswith("-") for line in compound[:-1])
    first, *rest = textfit.wrap("grijze Volkswagen Golf " * 4, 300, 12, indent=100)
    assert textfit.length(first, 12) <= 200 < textfit.length(rest[0], 12) <= 300


def test_ellipsize_keeps_whole_words_within_the_width() -> None:
    line = "Een heel lange beschrijving van wat er is gebeurd en waar"
    cut = textfit.ellipsize(line, 200, 12)
    assert cut.endswith(textfit.ELLIPSIS) and textfit.length(cut, 12) <= 200
    assert line.startswith(cut.removesuffix(textfit.ELLIPSIS))
    assert cut.removesuffix(textfit.ELLIPSIS) in [" ".join(line.split()[:n]) for n in range(9)]


@pytest.mark.parametrize("min_size", [17, 28, 56])
def test_min_size_is_a_floor_too_long_text_is_shortened(min_size: int) -> None:
    """Text far too long for its box is set at `min_size` and ends in an ellipsis: its
    capitals, measured in the drawn pixels, are as tall as Inter's at that size, and its
    lines at least that far apart."""
    from PIL import Image, ImageDraw

    text = " ".join(["HALT KIND ALARM"] * 200)
    width, height = 20 * min_size, 4 * min_size
    fitted = fit(text, width, height, max_size=4 * min_size, min_size=min_size)
    assert fitted.size == min_size and fitted.ellipsized
    assert fitted.lines[-1].endswith(textfit.ELLIPSIS) and fitted.pitch >= min_size
    assert_inside(fitted, width, height)
    image = Image.new("L", (width, height), 255)
    textfit.draw_fitted(ImageDraw.Draw(image), fitted, (0, 0, width, height), 0)
    pixels = image.tobytes()
    inked = [y for y in range(fitted.pitch) if min(pixels[y * width:(y + 1) * width]) < 128]
    cap = textfit.font("bold", min_size).getbbox("H")
    assert max(inked) - min(inked) + 1 >= cap[3] - cap[1] - 1 >= 0.7 * min_size
