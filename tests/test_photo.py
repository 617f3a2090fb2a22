"""The photo pipeline: upright, small, and no metadata in anything published."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from PIL import Image

from tests.helpers.sites import SiteDir, alert_doc, photo_bytes

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def exif_with_gps_and_orientation(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Camera Maker"  # Make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 5.0, 0.0), 3: "E", 4: (5.0, 7.0, 0.0)})
    return exif


def test_published_photo_is_upright_small_and_has_no_metadata(site: SiteDir) -> None:
    # Stored 2400x1600 on its side with orientation 6: it must come out 800x1200, upright.
    stored = Image.open(io.BytesIO(photo_bytes((1600, 2400), seed=3)))
    sideways = stored.transpose(Image.Transpose.ROTATE_90)
    raw = io.BytesIO()
    sideways.save(raw, "JPEG", exif=exif_with_gps_and_orientation(),
                  comment=b"secret comment", icc_profile=b"")
    raw_bytes = raw.getvalue().replace(b"\xff\xd9", b"", 0)
    assert Image.open(io.BytesIO(raw_bytes)).getexif().get_ifd(GPS_IFD)  # the input has GPS
    (site.alerts / "photos" / "anna.jpg").write_bytes(raw_bytes)
    site.write("anna.json", alert_doc())
    assert site.build().ok

    photos = [p for p in site.files() if p.endswith("photo.jpg")]
    assert len(photos) == 1
    data = site.files()[photos[0]]
    image = Image.open(io.BytesIO(data))
    assert image.size == (800, 1200)  # upright (portrait) and at most 1200 on the long side
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info and "icc_profile" not in image.info
    assert "comment" not in image.info and b"secret comment" not in data
    assert b"Exif" not in data and b"http://ns.adobe.com/xap" not in data
    # Upright: the drawn face is in the upper half, as in the original portrait.
    original = stored.resize((800, 1200)).convert("L")
    published = image.convert("L")
    small = [im.resize((80, 120)).tobytes() for im in (original, published)]
    diff = sum(abs(a - b) for a, b in zip(*small, strict=True))
    assert diff / (80 * 120) < 12


def test_every_published_image_is_free_of_metadata(built_examples: SiteDir) -> None:
    for path, data in built_examples.files().items():
        if path.endswith((".jpg", ".png", ".gif", ".webp")):
            image = Image.open(io.BytesIO(data))
            assert dict(image.getexif()) == {}, path
            assert not {"exif", "xmp", "comment", "icc_profile"} & set(image.info), path


def test_unusual_images_are_converted_not_refused(site: SiteDir) -> None:
    base = Image.open(io.BytesIO(photo_bytes((300, 400))))
    variants = {
        "cmyk.jpg": (base.convert("CMYK"), "JPEG"),
        "grey16.png": (base.convert("I").point(lambda v: v * 257).convert("I;16"), "PNG"),
        "palette.png": (base.convert("P"), "PNG"),
        "alpha.webp": (base.convert("RGBA"), "WEBP"),
    }
    for index, (name, (image, fmt)) in enumerate(variants.items()):
        image.save(site.alerts / "photos" / name, fmt)
        site.write(f"{index}.json",
                   alert_doc(id=f"2026-test-{index}", child_photo=f"photos/{name}"))
    result = site.build()
    assert result.ok, [(r.source.name, r.problems) for r in result.rejected]
    for path, data in site.files().items():
        if path.endswith("photo.jpg"):
            image = Image.open(io.BytesIO(data))
            assert image.mode == "RGB" and image.size == (300, 400)
            assert image.getextrema()[0][1] > 100, path  # not all black


def test_truncated_photo_is_refused_at_decode(site: SiteDir) -> None:
    data = photo_bytes((600, 800))
    (site.alerts / "photos" / "anna.jpg").write_bytes(data[: len(data) // 2])
    site.write("anna.json", alert_doc())
    result = site.build()
    assert [r.source.name for r in result.rejected] == ["anna.json"]
    error = (site.alerts / "anna.json.error.txt").read_text()
    assert error.startswith("anna.json: child.photo: the image is damaged or incomplete")


def test_a_builds_new_photos_decode_side_by_side_and_a_damaged_one_is_refused_alone(
        site: SiteDir, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold build decoded its photos one by one before anything else could start: a
    quarter of its time. Two decodes must now meet at a barrier (serial ones never would)."""
    from render.drawing import photo

    for number in range(4):
        data = photo_bytes((600, 800), seed=number)
        (site.alerts / "photos" / f"p{number}.jpg").write_bytes(
            data[: len(data) // 2] if number == 2 else data)
        site.write(f"a{number}.json", alert_doc(id=f"2026-kind-{number}",
                                                child_photo=f"photos/p{number}.jpg"))
    both_decoding = threading.Barrier(2, timeout=10)
    real_decode = photo.decode

    def decode(*args: Any, **kwargs: Any) -> Image.Image:
        both_decoding.wait()  # BrokenBarrierError after 10 s if no other decode comes
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(photo, "decode", decode)
    monkeypatch.setattr(photo.os, "cpu_count", lambda: 2)  # as on CI, whatever runs this
    result = site.build()
    assert [r.source.name for r in result.rejected] == ["a2.json"]
    assert sorted(v.id for v in result.views) == ["2026-kind-0", "2026-kind-1", "2026-kind-3"]
    assert "child.photo: the image is damaged" in (site.alerts / "a2.json.error.txt").read_text()


def test_large_jpeg_is_decoded_at_reduced_scale_and_keeps_its_pixels(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A 4:3 12-megapixel photo: libjpeg decodes it at half scale (not at full scale because
    the short side is under 1600), and the result matches a full-scale LANCZOS reduction."""
    from render.drawing.photo import MASTER_SIDE, decode, draft_size

    big = Image.open(io.BytesIO(photo_bytes((1000, 750), seed=5))).resize((4000, 3000))
    path = tmp_path / "big.jpg"
    big.save(path, "JPEG", quality=90)
    probe = Image.open(path)
    probe.draft("RGB", draft_size(probe.size, MASTER_SIDE))
    assert probe.size == (2000, 1500)
    decoded = decode(path)
    reference = Image.open(path).convert("RGB")
    reference.thumbnail((MASTER_SIDE, MASTER_SIDE), Image.Resampling.LANCZOS)
    assert decoded.size == reference.size == (1600, 1200)
    small = [im.convert("L").resize((160, 120)).tobytes() for im in (decoded, reference)]
    assert sum(abs(a - b) for a, b in zip(*small, strict=True)) / (160 * 120) < 2


def test_a_cold_builds_photos_beyond_those_kept_are_checked_small_and_decoded_once(
        site: SiteDir, monkeypatch: pytest.MonkeyPatch) -> None:
    """Of a build's new photos, those the store would let go before their alert is drawn are
    only checked (decoded whole at a small size), not decoded for keeps twice; a file cut
    short among them is still refused, by that check."""
    from render.drawing import photo

    count = photo.DECODED_KEPT + 3
    for number in range(count):
        data = photo_bytes((600, 800), seed=number)
        damaged = number == count - 1  # last by name: one of the checked ones
        (site.alerts / "photos" / f"p{number}.jpg").write_bytes(
            data[: len(data) * 95 // 100] if damaged else data)
        site.write(f"a{number}.json", alert_doc(id=f"2026-kind-{number}",
                                                child_photo=f"photos/p{number}.jpg"))
    sides: dict[str, list[int]] = {}
    real_decode = photo.decode

    def decode(path: Any, *args: Any, long_side: int = photo.MASTER_SIDE) -> Image.Image:
        sides.setdefault(path.name, []).append(long_side)
        return real_decode(path, *args, long_side=long_side)

    monkeypatch.setattr(photo, "decode", decode)
    result = site.build()
    assert [r.source.name for r in result.rejected] == [f"a{count - 1}.json"]
    assert "damaged or incomplete" in (site.alerts / f"a{count - 1}.json.error.txt").read_text()
    assert sides.pop(f"p{count - 1}.jpg") == [photo.CHECK_SIDE]
    checked = [name for name, seen in sides.items() if photo.CHECK_SIDE in seen]
    assert len(checked) == count - 1 - photo.DECODED_KEPT, sides
    for name, seen in sides.items():
        assert seen.count(photo.MASTER_SIDE) == 1, f"{name} decoded for keeps {seen}"
