"""displays/PROFILE/player.html: a page that is the whole screen of a browser-based signage
player (a Xibo web page widget, a Screenly/Anthias web asset, a kiosk Chromium), so a
screen owner needs no program of their own to show the manifest.

It polls `manifest.json` beside it, shows each slide for its `seconds` at the profile's
aspect ratio (black around it), pixel faces scaled with whole pixels, and keeps showing the
last good manifest when a poll fails; black when there is nothing to show. The page is made
from `templates/player.html` (a site may override it) with its style and script inline and
only relative URLs, so it asks no other host and works under any base path.

It is written in the STATUS layer, after the manifest it fetches: a player opened in the very
first publish finds a manifest (the rule of the write layers, though a missing one would only
keep it black). It holds no alert data, so it is the same bytes until the template, the
profile or the site's name changes.
"""

from __future__ import annotations

from .. import tree
from ..config import DisplayProfile
from .artifacts import STATUS, Artifact, key_of
from .context import RenderContext
from .outlet import FileKind

PLAYER = FileKind(tree.PLAYER, "text/html", STATUS)
POLL_SECONDS = 10  # a 304 costs little; ?poll=SECONDS changes it


def pixelated(profile: DisplayProfile) -> bool:
    """Whether the faces are pixels of a matrix sign, scaled up whole (no blur): every text
    profile, and one-bit and amber ones always (they cannot show a photo)."""
    return profile.content == "text" or profile.color in ("mono1", "amber")


def player_artifact(ctx: RenderContext, profile: DisplayProfile) -> Artifact:
    path = tree.player(profile.name)

    def produce() -> bytes:
        page = ctx.templates.get_template("player.html").render(
            profile=profile, pixelated=pixelated(profile), poll=POLL_SECONDS,
            settings=ctx.settings, exercise=ctx.exercise)
        return page.encode("utf-8")

    return PLAYER.artifact(path, key_of(ctx.render_key, ctx.tree, path, profile), produce)
