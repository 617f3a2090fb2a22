"""Jinja templates: the site's own `templates/` first, then the built-in ones.

A site overrides one template by giving a file of the same name; to change only a block it
extends the built-in with `{% extends "builtin/alert.html" %}` (the pelican `!simple/` idea).
Autoescaping is always on: alert text is never trusted as HTML or XML.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from . import tree
from .resources import TEMPLATES_DIR
from .words import i18n

BUILTIN_TEMPLATES = TEMPLATES_DIR


def environment(site: Path, settings_tz: str) -> jinja2.Environment:
    from zoneinfo import ZoneInfo

    builtin = jinja2.FileSystemLoader(BUILTIN_TEMPLATES)
    loaders: list[jinja2.BaseLoader] = []
    site_templates = (site / "templates").resolve()
    if site_templates.is_dir() and site_templates != BUILTIN_TEMPLATES:
        loaders.append(jinja2.FileSystemLoader(site_templates))
    loaders += [builtin, jinja2.PrefixLoader({"builtin": builtin})]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,  # every template, whatever its extension: .html, .xml, .svg
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    tz = ZoneInfo(settings_tz)
    env.filters["tr"] = i18n.tr
    env.filters["datetime"] = lambda m, lang="nl": i18n.format_datetime(m, tz, lang)
    env.filters["date"] = lambda m, lang="nl": i18n.format_date(m, tz, lang)
    env.filters["short"] = lambda m, lang="nl": i18n.format_short(m, tz, lang)
    env.filters["age"] = i18n.age_text
    env.globals["WORDS"] = i18n.WORDS
    env.globals["tree"] = tree  # every published path (templates link with these)
    return env


def template_files(site: Path) -> list[Path]:
    """Every template file that can change an output (for the render key)."""
    dirs = {BUILTIN_TEMPLATES, (site / "templates").resolve()}
    return sorted(p for d in dirs if d.is_dir() for p in d.rglob("*") if p.is_file())
