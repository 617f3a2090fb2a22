"""`api/alerts.json` for apps, and `api/schema.json`, the JSON Schema that describes it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..public import PublicAlert
from ..templating import BUILTIN_TEMPLATES
from ..words.i18n import LANGS
from .artifacts import INDEX, LEAF, Artifact, key_of
from .context import RenderContext
from .web import alert_page_path

NAME = "api"
SCHEMA_FILE = BUILTIN_TEMPLATES / "api" / "schema.json"


def artifacts(ctx: RenderContext) -> Iterator[Artifact]:
    """`api/alerts.json` (the active alerts) and `api/schema.json`."""
    inputs = [(v.id, v.version) for v in ctx.active]
    yield Artifact("api/alerts.json", key_of(ctx.render_key, ctx.tree, inputs),
                   lambda: _dump(alerts_document(ctx)), INDEX)
    yield Artifact("api/schema.json", key_of(ctx.render_key, "schema"),
                   SCHEMA_FILE.read_bytes, LEAF)


def _dump(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _texts(text: Any) -> dict[str, str] | None:
    return dict(text) if text else None


def alert_document(ctx: RenderContext, view: PublicAlert) -> dict[str, Any]:
    d = view.details
    assert d is not None
    return {
        "id": view.id,
        "version": view.version,
        "level": view.level,
        "headline": ctx.settings.labels[view.level],
        "exercise": view.exercise,
        "issued": view.issued.isoformat(),
        "updated": view.updated.isoformat(),
        "expires": view.expires.isoformat() if view.expires else None,
        "regions": list(view.regions),
        "url": {lang: ctx.url(alert_page_path(view, lang)) for lang in LANGS},
        "photo": ctx.url(ctx.photo_path(view)) if view.photo else None,
        "photo_alt": _texts(d.photo_alt),
        "child": {
            "name": d.name, "age": d.age, "gender": d.gender, "height_cm": d.height_cm,
            "build": _texts(d.build), "hair": _texts(d.hair), "eyes": _texts(d.eyes),
            "clothing": _texts(d.clothing), "features": _texts(d.features),
        },
        "last_seen": {
            "time": d.last_seen_time.isoformat(), "place": _texts(d.last_seen_place),
            "latitude": d.latitude, "longitude": d.longitude,
        },
        "description": _texts(d.description),
        "vehicles": [{"description": _texts(v.description), "plate": v.plate}
                     for v in d.vehicles],
        "suspects": [{"description": _texts(s)} for s in d.suspects],
        "contact": {"phone": view.phone, "tipline": view.tipline},
    }


def alerts_document(ctx: RenderContext) -> dict[str, Any]:
    return {
        "schema": ctx.url("api/schema.json"),
        "alerts": [alert_document(ctx, v) for v in ctx.active],
    }
