"""Signed documents (contract section 4): with `[signing]`, `keys/jwks.json` (the public keys,
which displays pin out of band) and, beside a JSON document that displays act on
(`displays/PROFILE/manifest.json`, `api/alerts.json`), a compact JWS whose payload is that
document's exact bytes.

A signed document carries `valid_until` (so a replayed old one is refused once it passes)
and `updated` (the newest `updated` of the tree's alerts: it never goes back, so a display
refuses a replayed document older than the one it shows, even within one validity period).
Both come from the data and the clock's period, so builds agree. Signing is clocked: the
documents are signed again at each half of `valid_hours` (`next_change`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from .. import tree
from ..public import PublicAlert
from .artifacts import INDEX, Artifact, key_of
from .context import RenderContext
from .feeds import EPOCH
from .jsondoc import json_bytes
from .outlet import FileKind

NAME = "keys"
JWKS = FileKind(tree.JWKS, "application/jwk-set+json", INDEX)
FILES = (JWKS,)
JWS_TYPE = "application/jose"


def view_artifacts(ctx: RenderContext, view: PublicAlert) -> tuple[Artifact, ...]:
    return ()


def tree_artifacts(ctx: RenderContext) -> Iterator[Artifact]:
    signer = ctx.signer
    if signer is not None:
        keys = {"keys": signer.jwks}
        yield JWKS.artifact(tree.JWKS.path(), key_of(ctx.render_key, keys),
                            lambda: json_bytes(keys))


def next_change(ctx: RenderContext) -> datetime | None:
    return ctx.signer.next_change(ctx.now) if ctx.signer else None


def signed_json(ctx: RenderContext, document: FileKind, signature: FileKind, path: str,
                jws_path: str, inputs: object, body: Callable[[], dict[str, Any]]
                ) -> list[Artifact]:
    """The JSON document at `path` (of `document`'s kind) made by `body`, and with a signer
    also `valid_until` and `updated` in it and its JWS at `jws_path`. Both files are made of
    one rendering of the document."""
    signer = ctx.signer
    if signer is None:
        return [document.artifact(path, key_of(ctx.render_key, ctx.tree, inputs),
                                  lambda: json_bytes(body()))]
    stamps = {"valid_until": _iso(signer.valid_until(ctx.now)), "updated": _iso(_updated(ctx))}
    made: list[bytes] = []

    def signed_body() -> bytes:
        if not made:
            made.append(json_bytes({**body(), **stamps}))
        return made[0]

    key = key_of(ctx.render_key, ctx.tree, inputs, stamps, signer.kid)
    return [document.artifact(path, key, signed_body),
            signature.artifact(jws_path, key, lambda: signer.sign(signed_body()))]


def _updated(ctx: RenderContext) -> datetime:
    return max((v.updated for v in ctx.views), default=EPOCH)


def _iso(moment: datetime) -> str:
    return moment.astimezone(EPOCH.tzinfo).isoformat(timespec="seconds")
