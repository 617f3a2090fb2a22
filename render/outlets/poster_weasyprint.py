"""The WeasyPrint side of posters: poster HTML pages in, PDFs out.

Kept apart from `poster` so that a worker process setting posters imports WeasyPrint and
this module only, not the rest of the package (tens of megabytes less per worker).
WeasyPrint is set up once per process: one `FontConfiguration` and one font stylesheet
shared by every poster.
"""

from __future__ import annotations

import atexit
import io
import threading
from functools import lru_cache
from typing import Any

from ..resources import FONTS_DIR

PAPERS = {"A4": 1.0, "A3": 420 / 297}  # each paper's size, relative to A4 (its zoom)
FONT_FACES = "\n".join(
    f'@font-face {{ font-family: {family}; font-weight: {weight}; '
    f'src: url("{(FONTS_DIR / file).as_uri()}"); }}'
    for family, weight, file in (
        ("Inter", 400, "Inter-Regular.otf"), ("Inter", 700, "Inter-Bold.otf"),
        ("Inter", 800, "Inter-ExtraBold.otf"), ('"DejaVu Sans"', 400, "DejaVuSans.ttf"),
        ('"DejaVu Sans"', 700, "DejaVuSans-Bold.ttf"), ('"DejaVu Sans"', 800,
                                                         "DejaVuSans-Bold.ttf"),
    ))
_LOCK = threading.Lock()  # WeasyPrint's shared font configuration is not thread-safe


@lru_cache(maxsize=1)
def weasyprint_setup() -> tuple[Any, Any, Any]:
    """(HTML class, font stylesheet, FontConfiguration), created once per process."""
    from PIL import ImageFile
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    # Importing WeasyPrint set Pillow's LOAD_TRUNCATED_IMAGES; posters only embed images we
    # encoded ourselves, and a damaged operator photo must still be refused.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    font_config = FontConfiguration()
    # Let it go before interpreter shutdown tears down the C bindings its __del__ needs.
    atexit.register(weasyprint_setup.cache_clear)
    return HTML, CSS(string=FONT_FACES, font_config=font_config), font_config


def warm_up() -> None:
    """WeasyPrint imported and its fonts configured: what a worker process does first."""
    weasyprint_setup()


def pdfs_of(pages: list[str]) -> dict[str, bytes]:
    """Each paper's poster from one A4 layout: the first of these HTML pages (the same
    poster, planned with ever more room to spare) that sets on one page, or the first page
    of the last one if none does (it carries the essentials). A3 is A4 scaled by the
    square root of two, page and type alike, so it is the same document written with that
    zoom: laid out once, not twice."""
    with _LOCK:  # also around the set-up: two render threads must not both create one
        html_class, fonts, font_config = weasyprint_setup()
        for page in pages:
            document = html_class(string=page, base_url=str(FONTS_DIR)).render(
                stylesheets=[fonts], font_config=font_config)
            if len(document.pages) == 1:
                break
        else:
            document = document.copy(document.pages[:1])
        pdfs = {}
        for paper, zoom in PAPERS.items():
            out = io.BytesIO()
            document.write_pdf(out, zoom=zoom)
            pdfs[paper] = out.getvalue()
    return pdfs
