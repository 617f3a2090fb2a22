"""Posters: one page of the right paper size, the published web photo, a QR code to the
alert page, one WeasyPrint set-up for all posters, and only for active alerts."""

from __future__ import annotations

import io

import pytest
import qrcode
from pypdf import PdfReader

from render.outlets import poster, poster_weasyprint
from render.outlets.outlet import artifacts_of
from tests.helpers.posters import long_text
from tests.helpers.signage import HARD_NAMES, context
from tests.helpers.sites import SiteDir, alert_doc

PAPER_POINTS = {"A4": (595.28, 841.89), "A3": (841.89, 1190.55)}


def pages(data: bytes) -> list:
    return list(PdfReader(io.BytesIO(data)).pages)


def assert_one_page(data: bytes, paper: str) -> None:
    [page] = pages(data)
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (width, height) == pytest.approx(PAPER_POINTS[paper], abs=0.5)


def test_posters_are_one_page_of_their_paper(anna: SiteDir) -> None:
    assert anna.build().ok
    files = anna.files()
    for paper in poster_weasyprint.PAPERS:
        [path] = [p for p in files if p.endswith(f"/poster-{paper.lower()}.pdf")]
        assert path.startswith("share/2026-test-anna/")
        assert_one_page(files[path], paper)
        text = " ".join(pages(files[path])[0].extract_text().split())  # lines folded
        assert "Anna de Test" in text and "112" in text and "KIND ALARM" in text


def test_photo_is_the_published_web_photo(site: SiteDir) -> None:
    site.photo("anna.jpg", size=(2400, 3200))
    site.write("a.json", alert_doc())
    ctx = context(site)
    [view] = ctx.views
    web_photo = ctx.photos.web_photo(view.photo.sha256)
    for paper in poster_weasyprint.PAPERS:
        pdf = poster.poster_pdf(ctx, view, paper)
        [photo] = [i for i in pages(pdf)[0].images if i.image.size[0] > 200]
        assert photo.image.size == (900, 1200), paper  # WEB_SIDE on the long side
        # Embedded as it is published (JPEG passes through WeasyPrint): no second copy of
        # the child's photo at another size, and no second encode.
        assert web_photo in pdf, paper


def test_long_texts_still_make_one_page(site: SiteDir) -> None:
    site.photo("anna.jpg")
    long = " ".join(["Een heel lange beschrijving van wat er is gebeurd."] * 38)[:2000]
    site.write("a.json", alert_doc(description=long, child={
        "name": HARD_NAMES["long"], "age": 12, "photo": "photos/anna.jpg",
        "clothing": long[:600], "features": long[:400]},
        vehicles=[{"description": "grijze auto", "plate": "XV-123-K"}] * 3))
    ctx = context(site)
    assert_one_page(poster.poster_pdf(ctx, ctx.views[0], "A4"), "A4")


def test_rtl_name_and_no_photo(site: SiteDir) -> None:
    site.write("a.json", alert_doc(level="vermist-kind", child={"name": HARD_NAMES["hebrew"],
                                                                "age": 4}))
    ctx = context(site)
    data = poster.poster_pdf(ctx, ctx.views[0], "A3")
    assert_one_page(data, "A3")


def test_qr_code_leads_to_the_alert_page_and_prints_sharp(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("a.json", alert_doc())
    ctx = context(site)
    view = ctx.views[0]
    code = qrcode.QRCode(border=2)
    code.add_data(ctx.url(f"alerts/{view.id}/"))
    code.make(fit=True)
    expected = [[0 if dark else 255 for dark in row] for row in code.get_matrix()]
    [page] = pages(poster.poster_pdf(ctx, view, "A4"))
    [qr] = [i for i in page.images if i.image.size == (len(expected), len(expected))]
    pixels = list(qr.image.convert("L").tobytes())
    assert [pixels[i:i + len(expected)] for i in range(0, len(pixels), len(expected))] == \
        expected
    assert qr.indirect_reference.get_object()["/Interpolate"].value is False  # unsmoothed


def test_one_weasyprint_setup_for_every_poster(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("a.json", alert_doc())
    ctx = context(site)
    poster.poster_pdf(ctx, ctx.views[0], "A4")
    setup = poster_weasyprint.weasyprint_setup()
    poster.poster_pdf(ctx, ctx.views[0], "A3")
    assert poster_weasyprint.weasyprint_setup() is setup
    assert poster_weasyprint.weasyprint_setup.cache_info().misses <= 1


def test_posters_only_for_active_alerts_and_not_urgent(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("a.json", alert_doc(id="active-one"))
    site.write("b.json", alert_doc(id="found-one", status="found"))
    arts = list(artifacts_of(poster, context(site)))
    assert sorted(a.path.rsplit("/", 1)[1] for a in arts) == ["poster-a3.pdf", "poster-a4.pdf"]
    assert all(a.path.startswith("share/active-one/") and not a.urgent for a in arts)


def counting_layouts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts WeasyPrint layouts from here on."""
    html_class, fonts, font_config = poster_weasyprint.weasyprint_setup()
    laid_out: list[int] = []

    class CountingHTML(html_class):  # type: ignore[misc, valid-type]
        def render(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            laid_out.append(1)
            return super().render(*args, **kwargs)

    monkeypatch.setattr(poster_weasyprint, "weasyprint_setup",
                        lambda: (CountingHTML, fonts, font_config))
    return laid_out


def test_each_paper_is_set_once_as_planned(examples_site: SiteDir,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Sanne's full details fit the page as planned: WeasyPrint sets the poster once, and
    A3 is that layout written with a zoom of the square root of two."""
    laid_out = counting_layouts(monkeypatch)
    for name in [p.name for p in examples_site.alerts.glob("*.*") if "sanne" not in p.name]:
        (examples_site.alerts / name).unlink()
    ctx = context(examples_site)
    [view] = ctx.views
    for paper in poster_weasyprint.PAPERS:
        assert_one_page(poster.poster_pdf(ctx, view, paper), paper)
    assert len(laid_out) == 1


def test_a_plan_that_spills_over_is_planned_again_with_room_to_spare(
        site: SiteDir, monkeypatch: pytest.MonkeyPatch) -> None:
    """Were WeasyPrint to set lines wider than Pillow measured them (here: lines planned a
    third wider than their boxes), the poster would spill onto a second page; it is set
    again from the plan with room to spare, and A3 is the A4 that fitted, zoomed."""
    laid_out = counting_layouts(monkeypatch)
    monkeypatch.setattr(poster, "SAFETIES", (1.35, *poster.SAFETIES))
    site.photo("anna.jpg")
    site.write("a.json", alert_doc(description=long_text("Een lange beschrijving.", 900)))
    ctx = context(site)
    for paper in poster_weasyprint.PAPERS:
        assert_one_page(poster.poster_pdf(ctx, ctx.views[0], paper), paper)
    assert len(laid_out) == 2  # A4 twice, A3 not again


def test_a_sites_own_poster_template_from_before_the_plan_still_sets(site: SiteDir) -> None:
    """A site's templates/poster.html written for the sizes poster.py gave before the
    plan (root font size, call band height, page height) still makes its poster: on A3
    too, as its A4 page scaled up."""
    (site.root / "templates").mkdir()
    (site.root / "templates" / "poster.html").write_text(
        "<style>@page { size: {{ paper }}; margin: 0 0 {{ call_height_pt }}pt 0; }"
        "html { font-size: {{ root_pt }}pt; }</style>"
        "<h1>{{ view.details.name }}</h1><p>{{ page_height_mm }} mm</p>", encoding="utf-8")
    site.photo("anna.jpg")
    site.write("a.json", alert_doc())
    ctx = context(site)
    for paper in poster_weasyprint.PAPERS:
        data = poster.poster_pdf(ctx, ctx.views[0], paper)
        assert_one_page(data, paper)
        assert "297 mm" in pages(data)[0].extract_text()
