"""Where the built-in templates and fonts are: shipped inside the package by a wheel
(`pip install .` puts them in `render/_data/`), or beside it in a checkout or an editable
install. Everything that reads them asks here, so both ways publish the same tree."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    installed = PACKAGE_DIR / "_data" / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name


TEMPLATES_DIR = _shipped("templates")
FONTS_DIR = _shipped("fonts")
