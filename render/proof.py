"""`kindalarm proof FILE`: every output of one alert in a folder, plus contact-sheet.png
(every image of it: share images, display slides as PNG and as the GIFs sign controllers
take).

The alert file and its photo are copied into a temporary alert directory and built there by
an ordinary `Builder` into a temporary output, so what the operator checks is exactly what
`build` would publish, and the published output (and its state) is never touched.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
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


def proof(site: Path, alert_file: Path, out: Path, now: datetime | None = None
          ) -> list[str]:
    """Build one alert into `out`; returns the files written (relative to `out`)."""
    from .alert.loader import load_alert_file
    from .pipeline.build import Builder

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
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    images = [(name, Image.open(out / name)) for name in files
              if name.endswith(PICTURES) and not name.endswith("current.png")
              and name != "contact-sheet.png"]
    contact_sheet(images).save(out / "contact-sheet.png")
    return [*files, "contact-sheet.png"]


def contact_sheet(images: Iterable[tuple[str, Image.Image]], columns: int = 4) -> Image.Image:
    """The images side by side, each scaled into a cell and labelled with its path. Small
    LED faces are enlarged with whole pixels, so they look as crisp as on the sign."""
    items = list(images)
    rows = max(1, -(-len(items) // columns))
    sheet = Image.new("RGB", (columns * (CELL + GAP) + GAP,
                              rows * (CELL + LABEL_H + GAP) + GAP), (236, 236, 236))
    draw = ImageDraw.Draw(sheet)
    for index, (label, image) in enumerate(items):
        x = GAP + (index % columns) * (CELL + GAP)
        y = GAP + (index // columns) * (CELL + LABEL_H + GAP)
        thumb = image.convert("RGB")
        scale = CELL / max(thumb.size)
        if scale >= 2:  # LED faces: whole pixels, no blur
            factor = int(scale)
            thumb = thumb.resize((thumb.width * factor, thumb.height * factor),
                                 Image.Resampling.NEAREST)
        else:
            thumb.thumbnail((CELL, CELL), Image.Resampling.LANCZOS)
        sheet.paste(thumb, (x + (CELL - thumb.width) // 2, y + (CELL - thumb.height) // 2))
        caption = fit(label, CELL, LABEL_H - 4, weight="regular", max_size=14, min_size=9,
                      max_lines=2)
        draw_fitted(draw, caption, (x, y + CELL + 4, x + CELL, y + CELL + LABEL_H), (40, 40, 40))
    return sheet
