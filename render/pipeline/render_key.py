"""The render key: one hash of everything that could change an output."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..config import Settings
from ..resources import FONTS_DIR, PACKAGE_DIR
from ..templating import template_files


def compute_render_key(site: Path, settings: Settings) -> str:
    """Changes whenever code, templates, fonts or settings could change an output, so that
    cached (same-key) files are rendered again after an upgrade or a restyle."""
    digest = hashlib.sha256()
    fonts = FONTS_DIR
    files = [*sorted(PACKAGE_DIR.rglob("*.py")), *template_files(site),
             *(sorted(fonts.rglob("*")) if fonts.is_dir() else [])]
    if settings.source and settings.source.exists():
        files.append(settings.source)
    for path in files:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
