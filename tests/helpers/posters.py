"""Reading posters as a person sees them: rasterised with poppler's pdftoppm, the tallest
blank band between the header and the call band; and from the PDF itself, the size of
every text run and of every placed image."""

from __future__ import annotations

import io
import math
import subprocess
from dataclasses import dataclass
from typing import Any

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from tests.helpers.signage import HARD_NAMES
from tests.helpers.sites import alert_doc

POINTS_PER_MM = 72 / 25.4
WHITE = 250  # a row is blank when every pixel is at least this light (anti-aliased ink is not)


def long_text(words: str, limit: int = 2000) -> str:
    """`words` repeated up to `limit` characters: a field at its maximum length."""
    return " ".join([words] * (limit // len(words) + 1))[:limit].rstrip()


def long_alert_doc() -> dict[str, Any]:
    """Every field an operator may fill, near its maximum: an 80-character name, texts of
    2,000 characters, 20 vehicles and 20 suspects, the longest phone numbers."""
    text = long_text("Een heel lange beschrijving van wat er is gebeurd en waar.")
    return alert_doc(
        description=text,
        child={"name": HARD_NAMES["long"], "age": 17, "gender": "male", "height_cm": 185,
               "photo": "photos/anna.jpg", "build": text, "hair": text, "eyes": text,
               "clothing": text, "features": text, "photo_alt": text},
        last_seen={"time": "2026-11-29T13:40:00+01:00", "place": text},
        vehicles=[{"description": text, "plate": "XV-123-K-XV-123-K-XV"}] * 20,
        suspects=[{"description": text}] * 20,
        contact={"phone": "+31 900 8844 1234 5678", "tipline": "+31 800 6070 1234 5678"})


def short_alert_doc() -> dict[str, Any]:
    """Only what a KIND ALARM must say."""
    doc = alert_doc(child={"name": HARD_NAMES["short"], "age": 3, "photo": "photos/anna.jpg"},
                    last_seen={"time": "2026-11-29T13:40:00+01:00", "place": "Ede"})
    del doc["regions"]
    return doc


def raster(pdf: bytes, dpi: int = 40) -> Image.Image:
    """The poster's first page in grey, as poppler draws it."""
    done = subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-singlefile", "-"],
                          input=pdf, capture_output=True, check=True)
    return Image.open(io.BytesIO(done.stdout)).convert("L")


@dataclass(frozen=True)
class Bands:
    """Rows of a rasterised poster: the body between the header and the call band (both
    span the page edge to edge), and the tallest run of blank rows in it."""

    height: int
    body: tuple[int, int]  # first row below the header, first row of the call band
    blank: tuple[int, int]  # first row of the tallest blank run, and its length

    @property
    def blank_share(self) -> float:
        return self.blank[1] / self.height


def bands(image: Image.Image) -> Bands:
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    edge = [pixels[1, y] for y in range(height)]  # inside the bands, outside every margin
    top = max(y for y in range(height // 2) if edge[y] < WHITE) + 1
    bottom = min(y for y in range(height // 2, height) if edge[y] < WHITE)
    data = image.tobytes()
    blank = [min(data[y * width:(y + 1) * width]) >= WHITE for y in range(height)]
    best, start = (top, 0), None
    for y in range(top, bottom + 1):
        if y < bottom and blank[y]:
            start = y if start is None else start
        elif start is not None:
            best = max(best, (start, y - start), key=lambda run: run[1])
            start = None
    return Bands(height, (top, bottom), best)


def _times(a: list[float], b: list[float]) -> list[float]:
    """The PDF matrix product a x b (each as [a b c d e f])."""
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


@dataclass(frozen=True)
class Run:
    """A run of text as printed: its font size in points, its baseline's height above the
    foot of the page, and its text."""

    size: float
    baseline: float
    text: str


def text_runs(pdf: bytes) -> list[Run]:
    """Every text run on the first page, from the top of the page down."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    runs: list[Run] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            m = _times(tm, cm)
            runs.append(Run(round(size * math.hypot(m[2], m[3]), 2), m[5], text.strip()))

    page.extract_text(visitor_text=visit)
    return sorted(runs, key=lambda run: -run.baseline)


def placed_images(pdf: bytes) -> list[tuple[tuple[int, int], float, float]]:
    """((pixel width, height), printed width, height in points) of every image drawn on
    the first page."""
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    xobjects = page["/Resources"]["/XObject"]
    ctm, stack, placed = [1.0, 0, 0, 1, 0, 0], [], []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q":
            ctm = stack.pop()
        elif operator == b"cm":
            ctm = _times([float(v) for v in operands], ctm)
        elif operator == b"Do":
            image = xobjects[operands[0]].get_object()
            if image["/Subtype"] == "/Image":
                placed.append(((int(image["/Width"]), int(image["/Height"])),
                               math.hypot(ctm[0], ctm[1]), math.hypot(ctm[2], ctm[3])))
    return placed
