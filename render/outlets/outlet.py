"""The one interface of an outlet, and the facts it declares about the files it makes.

An outlet turns public views into files of the published tree. It is a module (or any
object) with:

- `NAME`, its name in logs and keys;
- `FILES`, a `FileKind` for every kind of file it makes: the path's pattern (from
  `render.tree`), the media type, the write layer, whether it is urgent, whether it carries
  personal data;
- `view_artifacts(ctx, view)`, the files of one alert's public view;
- `tree_artifacts(ctx)`, the files of no one alert (indexes, feeds, manifests, assets).

Three rules make the build's shortcuts safe, and every outlet keeps them:

1. **Keys.** An artifact's key changes whenever its bytes would: every input goes into
   `key_of(...)`, `ctx.render_key` first. A file that names a slow file (a share image,
   a poster) must depend on `ctx.complete_for(view)` and put it in its key, since the
   watcher's urgent step publishes before slow files exist.
2. **Ended views are pure.** `view_artifacts(ctx, view)` of an ended view may read only
   the view, `ctx.render_key`, `ctx.tree`, `ctx.settings` and the view's own messages in
   `ctx.history_by_alert`: the build keeps those artifacts from run to run
   (`render.pipeline.ended`) until the view or its history changes.
3. **Paths come from `render.tree`** and match exactly one of the outlet's `FILES`; a
   versioned pattern (with `{version}`) names one version of one alert and never changes.

The registry (`render.outlets.registry`) lists the outlets; the preview server, the gzip
siblings, the builder's grouping by alert and the tests of `deploy/nginx.conf` read these
facts from it instead of spelling them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from .. import tree
from .artifacts import Artifact, Placeholder

if TYPE_CHECKING:
    from ..public import PublicAlert
    from .context import RenderContext

CACHE_SHORT = "public, max-age=30"
CACHE_PERSONAL = "public, max-age=600"
CACHE_FOREVER = "public, max-age=31536000, immutable"
# Media types served with text that compresses well (gzip siblings for nginx's gzip_static).
_TEXTUAL = ("text/", "application/json", "application/xml", "image/svg+xml")


@dataclass(frozen=True)
class FileKind:
    """One kind of file an outlet publishes."""

    pattern: tree.Pattern
    media_type: str
    layer: int
    urgent: bool = True  # published in the watcher's first step (share images, posters not)
    personal: bool = False  # carries a child's personal data: photo, name, details

    @property
    def versioned(self) -> bool:
        return self.pattern.versioned

    @property
    def cache_control(self) -> str:
        """How long caches may keep it (deploy/nginx.conf and any mirror give this): a file
        with personal data at most 10 minutes and never immutable, so an ended alert's
        photo leaves browser and CDN caches soon; other versioned files never change;
        anything else changes with the alerts."""
        if self.personal and self.versioned:
            return CACHE_PERSONAL
        return CACHE_FOREVER if self.versioned else CACHE_SHORT

    @property
    def compressible(self) -> bool:
        media = self.media_type
        return media.startswith(_TEXTUAL) or media.endswith(("+xml", "+json"))

    def artifact(self, path: str, key: str, produce: Callable[[], bytes],
                 placeholder: Placeholder | None = None) -> Artifact:
        """An artifact of this kind (its path made by `render.tree`); layer and urgency are
        the kind's, so they cannot disagree with what the outlet declares."""
        return Artifact(path, key, produce, self.layer, self.urgent, placeholder)


class Outlet(Protocol):
    """What the build asks of an outlet (see the module's docstring for its rules)."""

    @property
    def NAME(self) -> str:
        ...

    @property
    def FILES(self) -> Sequence[FileKind]:
        ...

    def view_artifacts(self, ctx: RenderContext, view: PublicAlert) -> Iterable[Artifact]:
        ...

    def tree_artifacts(self, ctx: RenderContext) -> Iterable[Artifact]:
        ...


class ClockedOutlet(Outlet, Protocol):
    """An outlet whose files change with the clock alone (CAP renewals): it says when next,
    so the watcher wakes then instead of at its next rescan."""

    def next_change(self, ctx: RenderContext) -> datetime | None:
        ...


def artifacts_of(outlet: Outlet, ctx: RenderContext) -> list[Artifact]:
    """Every file the outlet makes for a context: each view's, then the tree's."""
    made = [a for view in ctx.views for a in outlet.view_artifacts(ctx, view)]
    return made + list(outlet.tree_artifacts(ctx))
