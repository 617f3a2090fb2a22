"""Posters that use the page and read from two metres, measured as printed: rasterised with
pdftoppm, no blank band taller than 8% of the page between the header and the call band;
from the PDF, the name at least 40 pt and every other text at least 11 pt on A4 (A3 is A4
scaled), the QR code at least 25 mm; texts too long for that cut, pointing to the QR code.

Cases: every example with a poster, an alert with only what it must say, one with every
field near its maximum, and one without a photo."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from render.outlets import poster, poster_weasyprint
from tests.helpers.posters import (
    POINTS_PER_MM,
    bands,
    long_alert_doc,
    placed_images,
    raster,
    short_alert_doc,
    text_runs,
)
from tests.helpers.signage import HARD_NAMES, context
from tests.helpers.sites import REPO, SiteDir, alert_doc

EXAMPLES = ["2026-almere-finn", "2026-oefening-lotte", "2026-rotterdam-noor",
            "2026-utrecht-sanne", "2026-zwolle-daan"]
MADE = {"short": short_alert_doc(), "long": long_alert_doc(),
        "no-photo": alert_doc(level="vermist-kind", child={"name": HARD_NAMES["compound"],
                                                           "age": 4})}
NAMES = {"2026-almere-finn": "Finn van den Berg", "2026-oefening-lotte": "Lotte Visser",
         "2026-rotterdam-noor": "Noor El Amrani", "2026-utrecht-sanne": "Sanne de Vries",
         "2026-zwolle-daan": "Daan Jansen", "short": HARD_NAMES["short"],
         "long": HARD_NAMES["long"], "no-photo": HARD_NAMES["compound"]}
CASES = [*EXAMPLES, *MADE]
MORE_INFO = "Meer informatie: scan de QR-code"
A4_HEIGHT = 841.89  # points


@pytest.fixture(scope="module")
def posters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """case -> paper -> PDF: the examples as a build publishes them, the made-up alerts as
    the outlet sets them."""
    found: dict[str, dict[str, bytes]] = {}
    examples = SiteDir(tmp_path_factory.mktemp("examples") / "site")
    shutil.copytree(REPO / "examples" / "alerts", examples.alerts, dirs_exist_ok=True)
    shutil.copy(REPO / "kindalarm.toml", examples.root / "kindalarm.toml")
    assert examples.build().ok
    for path in sorted(examples.out.rglob("poster-*.pdf")):
        paper = path.stem.removeprefix("poster-").upper()
        found.setdefault(path.parent.parent.name, {})[paper] = path.read_bytes()
    assert sorted(found) == EXAMPLES
    for case, doc in MADE.items():
        site = SiteDir(Path(tmp_path_factory.mktemp(case)) / "site")
        if "photo" in doc["child"]:
            site.photo("anna.jpg")
        site.write("a.json", doc)
        ctx = context(site)
        found[case] = {paper: poster.poster_pdf(ctx, ctx.views[0], paper)
                       for paper in poster_weasyprint.PAPERS}
    return found


def text_of(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


@pytest.mark.parametrize("case", CASES)
def test_no_blank_band_between_header_and_call(posters: dict[str, dict[str, bytes]],
                                               case: str) -> None:
    for paper, pdf in posters[case].items():
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1, paper
        measured = bands(raster(pdf))
        assert measured.body[1] - measured.body[0] > 0.6 * measured.height, measured
        assert measured.blank_share <= 0.08, (paper, measured)


@pytest.mark.parametrize("case", CASES)
def test_type_and_qr_code_read_from_two_metres(posters: dict[str, dict[str, bytes]],
                                               case: str) -> None:
    for paper, pdf in posters[case].items():
        [page] = PdfReader(io.BytesIO(pdf)).pages
        scale = float(page.mediabox.height) / A4_HEIGHT  # A3 is A4 scaled
        runs = text_runs(pdf)
        smallest = min(runs, key=lambda run: run.size)
        assert smallest.size >= 11 * scale, (paper, smallest)
        # The name is set below the header band's label, above the age ("8 jaar").
        texts = [run.text for run in runs]
        first = texts.index("KIND ALARM" if "KIND ALARM" in texts else "VERMIST KIND") + 1
        last = next(i for i, text in enumerate(texts) if text.endswith(" jaar"))
        name = [run.text for run in runs[first:last]]
        assert name and all(run.size >= 40 * scale for run in runs[first:last]), (paper, runs)
        whole = "".join(t if t.endswith("-") else t + " " for t in name)  # lines rejoined
        assert whole.replace("-", "").strip() == NAMES[case].replace("-", ""), (paper, name)
        [(pixels, width, height)] = [p for p in placed_images(pdf) if p[0][0] == p[0][1]]
        modules = pixels[0] - 4  # one pixel per module, two modules of quiet zone each side
        symbol_mm = width * modules / pixels[0] / POINTS_PER_MM
        assert width == pytest.approx(height) and symbol_mm >= 25 * scale, (paper, symbol_mm)


def test_texts_too_long_are_cut_and_point_to_the_qr_code(
        posters: dict[str, dict[str, bytes]]) -> None:
    for paper, pdf in posters["long"].items():
        text = text_of(pdf)
        assert MORE_INFO in text and text.count("…") >= 5, paper
        assert HARD_NAMES["long"].split()[-1] in text  # the 80-character name is whole
    for case in ("short", *EXAMPLES):
        text = text_of(posters[case]["A4"])
        assert MORE_INFO not in text and "…" not in text, case
