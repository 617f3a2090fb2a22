"""Shared by the signage tests: a RenderContext for a site's alerts, without publishing,
and the hard names every text box must survive."""

from __future__ import annotations

from pathlib import Path

from render.alert.loader import AlertLoader
from render.config import load_settings
from render.drawing.photo import PhotoStore
from render.outlets.context import RenderContext
from render.pipeline.render_key import compute_render_key
from render.public import public_view, sort_key
from render.templating import environment
from tests.helpers.sites import NOW, SiteDir

HARD_NAMES = {
    "long": "Maximiliaan Alexander Johannes Theodorus van der Heijden-Vandenbroucke de Jonghe",
    "compound": "Rijkswaterstaatverkeerscentrale",
    "hebrew": "נועה בן-דוד",
    "arabic": "نور العمراني",
    "accented": "Zoë Çelik-Ĳzerman Ångström",
    "short": "Bo",
}
assert len(HARD_NAMES["long"]) == 80  # the longest name an alert file may hold


def context(site: SiteDir, tree: str = "") -> RenderContext:
    """The render context a build of `site` would give its outlets (one tree)."""
    settings = load_settings(site.root)
    photos = PhotoStore()
    views = []
    for result in AlertLoader(site.alerts).scan():
        assert result.ok, result.problems
        alert = result.alert
        assert alert is not None
        if alert.child.photo:
            photos.add(alert.child.photo.sha256, alert.child.photo.path)
        view = public_view(alert, NOW, settings)
        if view.exercise == (tree == "exercise/"):
            views.append(view)
    return RenderContext(
        settings=settings, views=sorted(views, key=sort_key), history=[], now=NOW,
        photos=photos, templates=environment(site.root, settings.timezone),
        site=Path(site.root), tree=tree, render_key=compute_render_key(site.root, settings))
