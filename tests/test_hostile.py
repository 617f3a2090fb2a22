"""Hostile alert files and photos at the build level (the loader's own checks are in
test_loader.py and test_photo.py): each is rejected or escaped as the contract says
(sections 2 and 7), and no good alert is ever lost."""

from __future__ import annotations

import gzip
import io
import json
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from render.config import Settings
from tests.helpers.sites import SiteDir, alert_doc, photo_bytes
from tests.helpers.treecheck import check_tree

BASE_URL = Settings.base_url
SCRIPT = '<script>alert("kindalarm")</script>'
XML = ']]><evil xmlns="urn:x"/>&xxe;'
PAYLOAD = f"Jas {SCRIPT} {XML}"
MARKUP = (SCRIPT, "<evil", "<b>AB-12", "&xxe;")
MARKUP_SUFFIXES = (".html", ".xml", ".atom", ".svg")


def text(value: str) -> dict[str, str]:
    return {"nl": value, "en": value}


def every_text_field(**overrides: object) -> dict[str, object]:
    """An alert with the payload in every free-text field the contract has."""
    doc = alert_doc(
        description=text(PAYLOAD), found_message=text(PAYLOAD),
        child={"name": f"Anna {SCRIPT}", "age": 8, "photo": "photos/anna.jpg",
               **{key: text(PAYLOAD) for key in ("build", "hair", "eyes", "clothing",
                                                 "features", "photo_alt")}},
        last_seen={"time": "2026-11-29T13:40:00+01:00", "place": text(f"Utrecht {XML}")},
        vehicles=[{"description": text(PAYLOAD), "plate": "<b>AB-12</b>"}],
        suspects=[{"description": text(PAYLOAD)}])
    doc.update(overrides)
    return doc


def published_texts(site: SiteDir) -> dict[str, bytes]:
    """Every published file as a reader gets it (gzip siblings unpacked)."""
    return {path: gzip.decompress(data) if path.endswith(".gz") else data
            for path, data in site.files().items()}


def assert_no_raw_markup(site: SiteDir) -> None:
    escaped = 0
    for path, data in published_texts(site).items():
        name = path.removesuffix(".gz")
        if name.endswith(MARKUP_SUFFIXES):
            body = data.decode("utf-8")
            for raw in MARKUP:
                assert raw not in body, f"{path} carries raw {raw}"
            escaped += "&lt;script" in body or "&amp;lt;script" in body
        elif name.endswith(".json"):
            json.loads(data)  # whole; JSON strings carry the text as data, not markup
    assert escaped, "the payload reached no page or feed: the test would prove nothing"


def test_markup_in_every_text_field_is_escaped_in_every_output(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("anna.json", every_text_field())
    result = site.build()
    assert result.ok, [p for r in result.rejected for p in r.problems]
    assert_no_raw_markup(site)
    assert check_tree(site.out, BASE_URL) == []
    site.write("anna.json", every_text_field(status="found",
                                             updated="2026-11-29T15:00:00+01:00"))
    site.build()
    assert_no_raw_markup(site)
    assert check_tree(site.out, BASE_URL) == []


def bomb_png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    header = struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))


def animated(fmt: str) -> bytes:
    first = Image.open(io.BytesIO(photo_bytes((300, 400), seed=4)))
    red = Image.new("RGB", (300, 400), (255, 0, 0))
    buffer = io.BytesIO()
    first.save(buffer, fmt, save_all=True, append_images=[red, red], duration=100, loop=0)
    return buffer.getvalue()


def hostile_site(site: SiteDir) -> dict[str, str]:
    """Hostile files added beside a good alert. Returns file -> words its error has."""
    outside = site.root / "outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(photo_bytes(seed=9))
    os.symlink(outside / "secret.jpg", site.alerts / "photos" / "link.jpg")
    os.symlink(outside, site.alerts / "linked-folder")
    photos = site.alerts / "photos"
    (photos / "bomb.png").write_bytes(bomb_png())
    whole = photo_bytes((600, 800), seed=5)
    (photos / "truncated.jpg").write_bytes(whole[: len(whole) // 3])
    (photos / "animated.gif").write_bytes(animated("GIF"))
    photo_cases = {
        "traversal": ("../outside/secret.jpg", "inside the alert directory"),
        "absolute": (str(outside / "secret.jpg"), "inside the alert directory"),
        "link": ("photos/link.jpg", "outside the alert directory"),
        "linked-folder": ("linked-folder/secret.jpg", "outside the alert directory"),
        "bomb": ("photos/bomb.png", "too many pixels"),
        "truncated": ("photos/truncated.jpg", "damaged"),
        "gif": ("photos/animated.gif", "use JPEG, PNG or WebP"),
    }
    expected = {}
    for name, (photo, words) in photo_cases.items():
        site.write(f"{name}.json", alert_doc(id=f"2026-{name}", child_photo=photo))
        expected[f"{name}.json"] = words
    raw = {
        "utf16.json": ("\ufeff" + json.dumps(alert_doc(id="2026-utf16"))).encode("utf-16"),
        "latin1.toml": 'id = "2026-latin"\nlevel = "kind-alarm"\nplace = "Caf\xe9"\n'
                       .encode("latin-1"),
        "nul.json": json.dumps(alert_doc(id="2026-nul")).encode().replace(b"Anna", b"An\0na"),
        "huge.json": json.dumps(alert_doc(id="2026-huge", description="x" * 3_000_000))
        .encode(),
        "empty.toml": b"",
    }
    for name, data in raw.items():
        (site.alerts / name).write_bytes(data)
    expected.update({"utf16.json": "not UTF-8", "latin1.toml": "not UTF-8",
                     "nul.json": "NUL", "huge.json": "at most 1 MB", "empty.toml": "empty"})
    big_field = alert_doc(id="2026-long", child_clothing="x" * 2001)
    site.write("long.json", big_field)
    expected["long.json"] = "child.clothing: is 2001 characters long"
    site.write("dup.json", alert_doc(id="2026-good", child_clothing="gele jas",
                                      child_photo="photos/good.jpg"))
    expected["dup.json"] = "already used by good.json"
    return expected


def test_hostile_files_are_rejected_and_the_good_alert_stays(site: SiteDir) -> None:
    site.photo("good.jpg")
    site.write("good.json", alert_doc(id="2026-good", child_photo="photos/good.jpg"))
    site.build()  # published first: a later file with the same id does not take it over
    expected = hostile_site(site)
    result = site.build()
    assert sorted(r.source.name for r in result.rejected) == sorted(expected)
    for name, words in expected.items():
        error = (site.alerts / f"{name}.error.txt").read_text(encoding="utf-8")
        assert words in error, (name, error)
        assert error.startswith(f"{name}: ") and "Traceback" not in error, error
    assert [v.id for v in result.views] == ["2026-good"]
    assert "rode jas" in site.read("alerts/2026-good/index.html")  # not the duplicate's
    assert check_tree(site.out, BASE_URL) == []
    secret = Image.open(site.root / "outside" / "secret.jpg").convert("RGB").resize((8, 8))
    for path, data in site.files().items():
        if path.endswith(".jpg"):
            published = Image.open(io.BytesIO(data)).convert("RGB").resize((8, 8))
            assert published.tobytes() != secret.tobytes(), path


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_animated_photo_publishes_its_first_frame_as_a_still(site: SiteDir, fmt: str) -> None:
    (site.alerts / "photos" / f"anim.{fmt.lower()}").write_bytes(animated(fmt))
    site.write("anim.json", alert_doc(child_photo=f"photos/anim.{fmt.lower()}"))
    result = site.build()
    assert result.ok, [p for r in result.rejected for p in r.problems]
    photo = next(data for path, data in site.files().items() if path.endswith("photo.jpg"))
    image = Image.open(io.BytesIO(photo))
    assert getattr(image, "n_frames", 1) == 1 and image.format == "JPEG"
    red, green, blue = image.convert("RGB").resize((1, 1)).getpixel((0, 0))
    assert not (red > 200 and green < 60 and blue < 60)  # the portrait, not the red frames


@pytest.mark.parametrize(("name", "bad"), [
    ("invalid UTF-8", b'{"id": "2026-test-anna", "level": "kind-\xff"}'),
    ("NUL bytes", b'{"id": "2026-test-anna"\0}'),
    ("3 MB field", json.dumps(alert_doc(description="y" * 3_000_000)).encode()),
    ("path traversal", json.dumps(alert_doc(child_photo="../../etc/passwd")).encode()),
    ("absolute photo", json.dumps(alert_doc(child_photo="/etc/hostname")).encode()),
    ("markup in the id", json.dumps(alert_doc(id="<script>")).encode()),
])
def test_hostile_edit_keeps_the_last_good_version(anna: SiteDir, name: str, bad: bytes) -> None:
    anna.build()
    before = anna.files()
    (anna.alerts / "anna.json").write_bytes(bad)
    result = anna.build()
    assert [r.source.name for r in result.rejected] == ["anna.json"], name
    assert (anna.alerts / "anna.json.error.txt").is_file()
    assert anna.files() == before, name  # the last good version, untouched
    anna.write("anna.json", alert_doc(child_clothing="groene jas"))
    assert anna.build().ok
    assert "groene jas" in anna.read("alerts/2026-test-anna/index.html")
    assert not (anna.alerts / "anna.json.error.txt").exists()


def test_alert_file_linked_from_outside_is_not_a_way_in(site: SiteDir) -> None:
    """A link in the alert directory to a file elsewhere: its photo must still be inside."""
    elsewhere = site.root / "elsewhere"
    (elsewhere / "photos").mkdir(parents=True)
    (elsewhere / "photos" / "anna.jpg").write_bytes(photo_bytes(seed=3))
    (elsewhere / "anna.json").write_text(json.dumps(alert_doc()))
    os.symlink(elsewhere / "anna.json", site.alerts / "anna.json")
    result = site.build()
    assert not any(path.endswith(".jpg") for path in site.files()), result.views
    assert check_tree(site.out, BASE_URL) == []


def test_photo_paths_never_leave_the_tree(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    site.build()
    out = Path(site.out).resolve()
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out), path
        assert not path.is_symlink(), path


def test_truncated_photo_is_refused_even_after_posters_were_made(site: SiteDir) -> None:
    """WeasyPrint switches Pillow to accept truncated images, process-wide, on import; the
    watcher makes posters and then judges new photos in the same process."""
    import weasyprint  # noqa: F401  (imported for its side effect)

    whole = photo_bytes((600, 800), seed=5)
    (site.alerts / "photos" / "anna.jpg").write_bytes(whole[: len(whole) // 2])
    site.write("anna.json", alert_doc())
    result = site.build()
    assert [r.source.name for r in result.rejected] == ["anna.json"]
    assert not any(path.endswith(".jpg") for path in site.files())
