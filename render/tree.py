"""Every path of the published tree, spelled once.

A `Pattern` is one kind of path with named parts (`alerts/{id}/{version}/photo.jpg`): outlets
make paths with `Pattern.path(...)`, and the registry, the publisher, the preview server and
the tests read paths back with `Pattern.match`. Paths are relative to a tree's root; the
exercise tree is the same tree under `exercise/` (`EXERCISE`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

EXERCISE: Final = "exercise/"
TREES: Final = ("", EXERCISE)  # the public tree and the drills' tree

# What each named part may hold. A version is a short hex hash of one version of an alert
# (render.public.with_version); an alert id is the alert file's `id`.
PARTS: Final = {
    "id": r"[a-z0-9][a-z0-9-]*",
    "version": r"[0-9a-f]+",
    "lang": r"[a-z]{2}",
    "profile": r"[A-Za-z0-9_-]+",
    "phase": r"[0-9]+",
    "renewal": r"[1-9][0-9]*",
    "fmt": r"[a-z0-9]+",
    "kind": r"[a-z0-9-]+",
    "paper": r"a[0-9]",
    "name": r"[^/]+",
    "file": r"[^.][^/]*(?:/[^.][^/]*)*",  # a file below a folder, no dot-names
}
_PART = re.compile(r"\{([a-z]+)\}")


@dataclass(frozen=True)
class Pattern:
    """One kind of published path, e.g. `alerts/{id}/{version}/photo.jpg`."""

    template: str
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pieces, end = [], 0
        for part in _PART.finditer(self.template):
            pieces += [re.escape(self.template[end:part.start()]),
                       f"(?P<{part[1]}>{PARTS[part[1]]})"]
            end = part.end()
        pieces.append(re.escape(self.template[end:]))
        object.__setattr__(self, "regex", re.compile("".join(pieces)))

    def path(self, **parts: object) -> str:
        return self.template.format(**parts)

    def match(self, path: str) -> dict[str, str] | None:
        """The named parts of `path` (tree-relative) if it is of this kind, else None."""
        found = self.regex.fullmatch(path)
        return found.groupdict() if found else None

    @property
    def versioned(self) -> bool:
        """A file of one version of one alert: new version, new path; never changed."""
        return "{version}" in self.template

    @property
    def suffix(self) -> str:
        return self.template.rpartition(".")[2] if "." in self.template else ""


# --- the web site ---------------------------------------------------------------------------
FRONT_PAGE = Pattern("index.html")
FRONT_PAGE_TRANSLATED = Pattern("{lang}/index.html")
ARCHIVE = Pattern("archive/index.html")
ARCHIVE_TRANSLATED = Pattern("{lang}/archive/index.html")
ALERT_PAGE = Pattern("alerts/{id}/index.html")
ALERT_PAGE_TRANSLATED = Pattern("{lang}/alerts/{id}/index.html")
PHOTO = Pattern("alerts/{id}/{version}/photo.jpg")
WIDGET = Pattern("widget/index.html")
STYLESHEET = Pattern("assets/{name}.css")
WEB_FONT = Pattern("assets/fonts/{name}.woff2")
# --- feeds, API, CAP ------------------------------------------------------------------------
RSS = Pattern("feeds/rss.xml")
ATOM = Pattern("feeds/atom.xml")
JSON_FEED = Pattern("feeds/feed.json")
API_ALERTS = Pattern("api/alerts.json")
API_SCHEMA = Pattern("api/schema.json")
API_ALERTS_JWS = Pattern("api/alerts.jws")  # with a signing key: section 4
JWKS = Pattern("keys/jwks.json")
CAP_MESSAGE = Pattern("cap/{id}/{version}.xml")
CAP_RENEWAL = Pattern("cap/{id}/{version}-{renewal}.xml")  # contract section 6
CAP_INDEX = Pattern("cap/feed.atom")
CAP_LATEST = Pattern("cap/latest.xml")
CAP_SIGNS = Pattern("cap/signs.atom")
# --- share images, posters, texts -----------------------------------------------------------
SHARE_IMAGE = Pattern("share/{id}/{version}/{kind}.png")
POSTER = Pattern("share/{id}/{version}/poster-{paper}.pdf")
TEXTS = Pattern("share/{id}/{version}/texts.json")
# --- displays -------------------------------------------------------------------------------
SLIDE = Pattern("displays/{profile}/{id}/{version}-{phase}.{fmt}")
SLIDE_TEXT = Pattern("displays/{profile}/{id}/{version}.txt")
CURRENT_SLIDE = Pattern("displays/{profile}/current.png")
MANIFEST = Pattern("displays/{profile}/manifest.json")
MANIFEST_JWS = Pattern("displays/{profile}/manifest.jws")
PLAYER = Pattern("displays/{profile}/player.html")
# --- the tree itself ------------------------------------------------------------------------
STATUS = Pattern("status.json")


def lang_prefix(lang: str) -> str:
    """The folder of a language's pages: Dutch at the root, the others under `LANG/`."""
    return "" if lang == "nl" else f"{lang}/"


def front_page(lang: str = "nl") -> str:
    return FRONT_PAGE.path() if lang == "nl" else FRONT_PAGE_TRANSLATED.path(lang=lang)


def archive(lang: str = "nl") -> str:
    return ARCHIVE.path() if lang == "nl" else ARCHIVE_TRANSLATED.path(lang=lang)


def alert_page(alert_id: str, lang: str = "nl") -> str:
    if lang == "nl":
        return ALERT_PAGE.path(id=alert_id)
    return ALERT_PAGE_TRANSLATED.path(lang=lang, id=alert_id)


def alert_folder(alert_id: str) -> str:
    """The alert page's folder URL, as QR codes and share texts give it."""
    return alert_page(alert_id).removesuffix("index.html")


def photo(alert_id: str, version: str) -> str:
    return PHOTO.path(id=alert_id, version=version)


def share_image(alert_id: str, version: str, kind: str = "og") -> str:
    return SHARE_IMAGE.path(id=alert_id, version=version, kind=kind)


def poster(alert_id: str, version: str, paper: str) -> str:
    return POSTER.path(id=alert_id, version=version, paper=paper.lower())


def texts(alert_id: str, version: str) -> str:
    return TEXTS.path(id=alert_id, version=version)


def cap_message(alert_id: str, version: str) -> str:
    return CAP_MESSAGE.path(id=alert_id, version=version)


def cap_renewal(alert_id: str, version: str, renewal: int) -> str:
    return CAP_RENEWAL.path(id=alert_id, version=version, renewal=renewal)


def display_folder(profile: str) -> str:
    return f"displays/{profile}"


def slide(profile: str, alert_id: str, version: str, phase: int, fmt: str) -> str:
    return SLIDE.path(profile=profile, id=alert_id, version=version, phase=phase, fmt=fmt)


def slide_text(profile: str, alert_id: str, version: str) -> str:
    return SLIDE_TEXT.path(profile=profile, id=alert_id, version=version)


def current_slide(profile: str) -> str:
    return CURRENT_SLIDE.path(profile=profile)


def manifest_jws(profile: str) -> str:
    return MANIFEST_JWS.path(profile=profile)


def manifest(profile: str) -> str:
    return MANIFEST.path(profile=profile)


def player(profile: str) -> str:
    return PLAYER.path(profile=profile)


def in_tree(tree: str, path: str) -> str:
    return tree + path


def tree_relative(path: str) -> tuple[str, str]:
    """(the tree, the path within it) of a path of the whole output."""
    if path.startswith(EXERCISE):
        return EXERCISE, path[len(EXERCISE):]
    return "", path
