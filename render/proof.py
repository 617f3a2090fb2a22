"""`kindalarm proof FILE`: every output of one alert in a folder, plus contact-sheet.png
(every image of it: share images, display slides as PNG and as the GIFs sign controllers
take, and the first frame each profile's player.html shows in headless Chromium, kept as
player-frames/PROFILE.png; see player_frame.py).

The alert file and its photo are copied into a temporary alert directory and built there by
an ordinary `Builder` into a temporary output, so what the operator checks is exactly what
`build` would publish, and the published output (and its state) is never touched.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw

from .drawing.textfit import draw_fitted, fit

CELL = 360  # longest side of one picture on the contact sheet
PICTURES = (".png", ".gif")
LABEL_H = 44
GAP = 16


class ProofError(Exception):
    """The alert file cannot be proofed; the message says why, in operator's words."""


@dataclass
class Proof:
    """The files written (relative to the proof folder), and one line for each thing left
    out of the contact sheet."""

    files: list[str]
    notes: list[str] = field(default_factory=list)


def proof(site: Path, alert_file: Path, out: Path, now: datetime | None = None) -> Proof:
    """Build one alert into `out`, with its contact sheet and the players' first frames."""
    from .alert.loader import load_alert_file
    from .pipeline.build import Builder
    from .player_frame import FRAMES, ChromiumMissing, Frames, first_frames

    alert_file = alert_file.absolute()
    result = load_alert_file(alert_file, alert_file.parent)
    if not result.ok or result.alert is None:
        raise ProofError("\n".join(p.line(str(alert_file)) for p in result.problems))
    alert = result.alert
    with tempfile.TemporaryDirectory(prefix="kindalarm-proof-") as tmp:
        alerts = Path(tmp) / "alerts"
        alerts.mkdir()
        shutil.copy2(alert_file, alerts / alert_file.name)
        if alert.child.photo:
            relative = alert.child.photo.path.relative_to(alert_file.parent)
            (alerts / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(alert.child.photo.path, alerts / relative)
        built = Path(tmp) / "output"
        builder = Builder(site, alerts, built)
        try:
            run = builder.run(now=now or datetime.now(UTC))
        finally:
            builder.close()
        if run.rejected:
            raise ProofError("\n".join(p.line(str(alert_file))
                                       for r in run.rejected for p in r.problems))
        out.mkdir(parents=True, exist_ok=True)
        shutil.copytree(built, out, dirs_exist_ok=True)
    shutil.rmtree(out / FRAMES, ignore_errors=True)  # none of an earlier proof
    try:
        frames = first_frames(out)
    except ChromiumMissing as exc:
        frames = Frames(left_out=[f"The players' first frames are left out: {exc}."])
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    images = [(name, Image.open(out / name)) for name in files
              if name.endswith(PICTURES) and not name.endswith("current.png")
              and name != "contact-sheet.png" and not name.startswith(f"{FRAMES}/")]
    shots = [(label, Image.open(out / shot)) for shot, label in frames.shots]
    contact_sheet(images, shots).save(out / "contact-sheet.png")
    return Proof([*files, "contact-sheet.png"], frames.left_out)


def contact_sheet(*groups: Iterable[tuple[str, Image.Image]], columns: int = 4
                  ) -> Image.Image:
    """The images side by side, each scaled into a cell (`in_cell`) and labelled with its
    path; each group starts a row of its own."""
    places: list[tuple[int, int, str, Image.Image]] = []  # row, column, label, image
    rows = 0
    for group in groups:
        items = list(group)
        places += [(rows + i // columns, i % columns, *item) for i, item in enumerate(items)]
        rows += -(-len(items) // columns)
    rows = max(1, rows)
    sheet = Image.new("RGB", (columns * (CELL + GAP) + GAP,
                              rows * (CELL + LABEL_H + GAP) + GAP), (236, 236, 236))
    draw = ImageDraw.Draw(sheet)
    for row, column, label, image in places:
        x = GAP + column * (CELL + GAP)
        y = GAP + row * (CELL + LABEL_H + GAP)
        thumb = in_cell(image)
        sheet.paste(thumb, (x + (CELL - thumb.width) // 2, y + (CELL - thumb.height) // 2))
        caption = fit(label, CELL, LABEL_H - 4, weight="regular", max_size=14, min_size=9,
                      max_lines=2)
        draw_fitted(draw, caption, (x, y + CELL + 4, x + CELL, y + CELL + LABEL_H), (40, 40, 40))
    return sheet


def in_cell(image: Image.Image) -> Image.Image:
    """`image` as its cell shows it, centred: at most CELL on its longest side. Small LED
    faces are enlarged with whole pixels, so they look as crisp as on the sign."""
    thumb = image.convert("RGB")
    scale = CELL / max(thumb.size)
    if scale >= 2:  # LED faces: whole pixels, no blur
        factor = int(scale)
        return thumb.resize((thumb.width * factor, thumb.height * factor),
                            Image.Resampling.NEAREST)
    thumb.thumbnail((CELL, CELL), Image.Resampling.LANCZOS)
    return thumb
