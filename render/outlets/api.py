"""`api/alerts.json` for apps, and `api/schema.json`, the JSON Schema that describes it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import tree
from ..public import PublicAlert
from ..templating import BUILTIN_TEMPLATES
from ..words.i18n import LANGS
from .artifacts import INDEX, LEAF, Artifact, key_of
from .context import RenderContext
from .keys import JWS_TYPE, signed_json
from .outlet import FileKind

NAME = "api"
ALERTS = FileKind(tree.API_ALERTS, "application/json", INDEX, personal=True)
SCHEMA = FileKind(tree.API_SCHEMA, "application/json", LEAF)
ALERTS_JWS = FileKind(tree.API_ALERTS_JWS, JWS_TYPE, INDEX)  # with a signing key
FILES = (ALERTS, SCHEMA, ALERTS_JWS)
SCHEMA_FILE = BUILTIN_TEMPLATES / "api" / "schema.json"


def view_artifacts(ctx: RenderContext, view: PublicAlert) -> tuple[Artifact, ...]:
    """None: the API lists the active alerts in one document."""
    return ()


def tree_artifacts(ctx: RenderContext) -> Iterator[Artifact]:
    """`api/alerts.json` (the active alerts) and `api/schema.json`."""
    inputs = [(v.id, v.version) for v in ctx.active]
    yield from signed_json(ctx, ALERTS, ALERTS_JWS, tree.API_ALERTS.path(),
                           tree.API_ALERTS_JWS.path(), inputs, lambda: alerts_document(ctx))
    yield SCHEMA.artifact(tree.API_SCHEMA.path(), key_of(ctx.render_key, "schema"),
                          SCHEMA_FILE.read_bytes)



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
        "url": {lang: ctx.url(tree.alert_page(view.id, lang)) for lang in LANGS},
        "photo": ctx.url(tree.photo(view.id, view.version)) if view.photo else None,
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
        "schema": ctx.url(tree.API_SCHEMA.path()),
        "alerts": [alert_document(ctx, v) for v in ctx.active],
    }
