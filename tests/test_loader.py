"""Every validation rule of contract section 2, each with the operator's message."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from render.alert.files import is_alert_file
from render.alert.loader import AlertLoader, load_alert_file
from tests.helpers.sites import SiteDir, alert_doc, photo_bytes


def problems_of(site: SiteDir, doc: dict[str, Any] | str, name: str = "a.json") -> list[str]:
    path = site.write(name, doc)
    return [f"{p.field}: {p.message}" for p in load_alert_file(path, site.alerts).problems]


@pytest.fixture
def photo_site(site: SiteDir) -> SiteDir:
    site.photo("anna.jpg")
    return site


def test_valid_document_has_no_problems(photo_site: SiteDir) -> None:
    assert problems_of(photo_site, alert_doc()) == []


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"id": "A"}, "id: must be 3 to 64 lower-case letters"),
    ({"id": "-abc"}, "id: must be 3 to 64"),
    ({"id": "x" * 65}, "id: must be 3 to 64"),
    ({"id": None}, "id: is required but missing"),
    ({"level": "amber-alert"}, "level: must be one of kind-alarm, vermist-kind, not 'amber-alert'"),
    ({"status": "open"}, "status: must be one of active, found, cancelled"),
    ({"exercise": "yes"}, "exercise: must be true or false"),
    ({"issued": "2026-11-29T14:05:00"}, "issued: needs a time-zone offset"),
    ({"issued": "yesterday"}, "issued: is not a date and time like"),
    ({"issued": None}, "issued: is required but missing"),
    ({"updated": "2026-11-29T10:00:00+01:00"}, "updated: is earlier than issued"),
    ({"expires": "2026-11-29T14:05:00+01:00"}, "expires: is not later than issued"),
    ({"regions": ["Mordor"]}, "regions[0]: 'Mordor' is not a Dutch province"),
    ({"regions": ["utrecht"]}, "did you mean 'Utrecht'?"),
    ({"regions": []}, "regions: is empty"),
    ({"regions": "Utrecht"}, "regions: must be a list"),
    ({"description": {"en": "only English"}}, "description: needs a Dutch text"),
    ({"description": {"nl": "x", "EN": "y"}}, "description.EN: is not a language code"),
    ({"description": "x" * 2001}, "description: is 2001 characters long; at most 2000"),
    ({"description": "bell\x07"}, "description: contains control characters"),
    ({"description": "delete\x7f"}, "description: contains control characters"),
    ({"description": "next\x85line"}, "description: contains control characters"),
    ({"description": 12}, "description: must be text"),
    ({"found_message": ""}, "found_message: is empty"),
    ({"child_name": "x" * 81}, "child.name: is 81 characters long; at most 80"),
    ({"child_name": "Anna\nde Test"}, "child.name: contains line breaks"),
    ({"child_age": 18}, "child.age: must be from 0 to 17, not 18"),
    ({"child_age": "8"}, "child.age: must be a whole number from 0 to 17, not '8'"),
    ({"child_age": True}, "child.age: must be a whole number"),
    ({"child_gender": "girl"}, "child.gender: must be one of female, male, unknown"),
    ({"child_height_cm": 12.5}, "child.height_cm: must be a whole number"),
    ({"child_photo_focus": [0.5]}, "child.photo_focus: must be two numbers"),
    ({"child_photo_focus": [0.5, 1.5]}, "child.photo_focus[1]: must be from 0 to 1"),
    ({"child_clothes": "red"}, "child.clothes: unknown field; did you mean 'child.clothing'?"),
    ({"colour": "red"}, "colour: unknown field"),
    ({"last_seen": {"place": "Utrecht"}}, "last_seen.time: is required but missing"),
    ({"last_seen_latitude": 91}, "last_seen.latitude: must be from -90 to 90"),
    ({"last_seen_latitude": 52.1}, "last_seen: give both latitude and longitude"),
    ({"vehicles": [{"plate": "XX-12-YY"}]}, "vehicles[0].description: is required"),
    ({"vehicles": [{"description": "auto", "plate": "X" * 21}]}, "vehicles[0].plate: is 21"),
    ({"suspects": [{"description": "man", "age": 40}]}, "suspects[0].age: unknown field"),
    ({"contact": {"phone": "call me"}}, "contact.phone: 'call me' is not a phone number"),
    ({"contact": {"fax": "123"}}, "contact.fax: unknown field"),
])
def test_each_rule_gives_a_clear_problem(photo_site: SiteDir, overrides: dict[str, Any],
                                         expected: str) -> None:
    problems = problems_of(photo_site, alert_doc(**overrides))
    assert any(expected in p for p in problems), problems


def test_all_problems_of_a_file_are_reported_at_once(photo_site: SiteDir) -> None:
    problems = problems_of(photo_site, alert_doc(level="x", child_age=40, child_hat="red"))
    assert len(problems) == 3


def test_photo_is_required_for_kind_alarm_only(photo_site: SiteDir) -> None:
    doc = alert_doc()
    del doc["child"]["photo"]
    assert problems_of(photo_site, doc) == [
        'child.photo: is required for a kind-alarm: name the photo file, like photo = '
        '"photos/name.jpg"']
    assert problems_of(photo_site, {**doc, "level": "vermist-kind"}) == []


@pytest.mark.parametrize(("photo", "expected"), [
    ("../outside.jpg", "must be a path inside the alert directory"),
    ("/etc/passwd", "must be a path inside the alert directory"),
    ("photos/missing.jpg", "photos/missing.jpg: no such file"),
    ("photos", "photos is not a file"),
])
def test_photo_paths_stay_inside_the_alert_directory(photo_site: SiteDir, photo: str,
                                                     expected: str) -> None:
    (photo_site.root / "outside.jpg").write_bytes(photo_bytes())
    problems = problems_of(photo_site, alert_doc(child_photo=photo))
    assert any(expected in p for p in problems), problems


def test_photo_link_leaving_the_directory_is_refused(photo_site: SiteDir) -> None:
    outside = photo_site.root / "secret.jpg"
    outside.write_bytes(photo_bytes())
    os.symlink(outside, photo_site.alerts / "photos" / "link.jpg")
    problems = problems_of(photo_site, alert_doc(child_photo="photos/link.jpg"))
    assert problems == ["child.photo: photos/link.jpg links to a file outside the alert "
                        "directory"]


@pytest.mark.parametrize(("data", "expected"), [
    (b"GIF89a" + b"\0" * 40, "not a JPEG, PNG or WebP"),
    (b"\xff\xd8\xff\xe0 truncated", "not a JPEG, PNG or WebP"),
    (photo_bytes(fmt="BMP"), "is a BMP image; use JPEG, PNG or WebP"),
    (b"", "not a JPEG, PNG or WebP"),
])
def test_photo_format_is_checked_from_the_header(photo_site: SiteDir, data: bytes,
                                                 expected: str) -> None:
    (photo_site.alerts / "photos" / "bad.jpg").write_bytes(data)
    problems = problems_of(photo_site, alert_doc(child_photo="photos/bad.jpg"))
    assert any(expected in p for p in problems), problems


def test_decompression_bomb_is_refused_before_decoding(photo_site: SiteDir) -> None:
    # A PNG header claiming 60000 x 60000 pixels: refused from the header alone.
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 8, 2,
                                                              0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b""))
    (photo_site.alerts / "photos" / "bomb.png").write_bytes(png)
    problems = problems_of(photo_site, alert_doc(child_photo="photos/bomb.png"))
    assert problems == ["child.photo: photos/bomb.png has too many pixels; a photo is at most "
                        "50 megapixels"]


def test_photo_over_40_mb_is_refused(photo_site: SiteDir) -> None:
    big = photo_site.alerts / "photos" / "big.jpg"
    with open(big, "wb") as handle:
        handle.write(photo_bytes())
        handle.truncate(40_000_001)
    problems = problems_of(photo_site, alert_doc(child_photo="photos/big.jpg"))
    assert problems == ["child.photo: photos/big.jpg is 40 MB; a photo is at most 40 MB"]


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("a.toml", b"id = ", "file: is not valid TOML"),
    ("a.json", b"{\"id\": ", "file: is not valid JSON"),
    ("a.json", b"\xff\xfe{}", "file: is not UTF-8 text"),
    ("a.toml", b"id = \"a\0\"", "file: contains NUL bytes"),
    ("a.toml", b"   \n", "file: is empty"),
    ("a.json", b"[1, 2]", "file: must be a table of fields"),
    ("a.toml", b"x = 1\n" * 200_000, "file: is 1.2 MB; an alert file is at most 1 MB"),
])
def test_broken_files_get_one_clear_problem(site: SiteDir, name: str, data: bytes,
                                            expected: str) -> None:
    path = site.alerts / name
    path.write_bytes(data)
    problems = [f"{p.field}: {p.message}" for p in load_alert_file(path, site.alerts).problems]
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_toml_and_json_give_the_same_alert(photo_site: SiteDir) -> None:
    toml_text = """
id = "2026-test-anna"
level = "kind-alarm"
status = "active"
issued = 2026-11-29T14:05:00+01:00
regions = ["Utrecht"]
[child]
name = "Anna de Test"
age = 8
photo = "photos/anna.jpg"
clothing = { nl = "rode jas", en = "red coat" }
[last_seen]
time = 2026-11-29T13:40:00+01:00
place = "Utrecht, Griftpark"
"""
    from_toml = load_alert_file(photo_site.write("a.toml", toml_text), photo_site.alerts)
    from_json = load_alert_file(photo_site.write("b.json", json.dumps(alert_doc())),
                                photo_site.alerts)
    assert from_toml.alert is not None and from_json.alert is not None
    assert from_toml.alert == type(from_toml.alert)(
        **{**from_json.alert.__dict__, "source": from_toml.alert.source})


def test_toml_local_time_without_offset_is_refused(photo_site: SiteDir) -> None:
    text = (Path(__file__).resolve().parent.parent / "examples" / "alerts"
            / "2026-zwolle-daan.toml").read_text().replace("+01:00", "", 1)
    photo_site.photo("daan.jpg")
    assert problems_of(photo_site, text, "d.toml") == [
        "issued: needs a time-zone offset, like 2026-11-29T14:05:00+01:00"]


@pytest.mark.parametrize(("name", "counts"), [
    ("a.toml", True), ("b.json", True), (".hidden.toml", False), ("a.toml~", False),
    ("a.toml.tmp", False), ("a.json.part", False), ("a.toml.swp", False),
    ("a.toml.error.txt", False), ("notes.txt", False), ("photo.jpg", False),
])
def test_ignored_names(name: str, counts: bool) -> None:
    assert is_alert_file(name) is counts


def test_loader_rereads_only_changed_files(photo_site: SiteDir) -> None:
    path = photo_site.write("a.json", alert_doc())
    loader = AlertLoader(photo_site.alerts)
    first = loader.scan()[0]
    assert loader.scan()[0] is first  # cached: unchanged file and photo
    photo_site.photo("anna.jpg", seed=2)  # the photo changes, the alert file does not
    second = loader.scan()[0]
    assert second is not first
    assert second.alert and first.alert
    assert second.alert.child.photo != first.alert.child.photo
    path.unlink()
    assert loader.scan() == []


def test_a_scan_trusting_events_sees_what_a_full_scan_sees(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The watcher's scans look only at what its events name, the new names in the listing
    and the files no longer settled: after each of 80 rounds of random changes (files
    written, rewritten, deleted, renamed, their alerts settled or not, some events lost),
    they read and skip exactly what a fresh loader's full scan does, apart from the files
    whose change event was lost (caught by the watcher's periodic full scan)."""
    import random

    from render.alert import files

    monkeypatch.setattr(files, "RACY_NS", 0)
    rng = random.Random(11)
    alerts = tmp_path / "alerts"
    alerts.mkdir()
    loader = AlertLoader(alerts)
    settled: dict[str, str] = {}
    lost: set[str] = set()  # names changed whose event was lost, until a full scan

    def identity(name: str) -> str | None:
        return files.file_identity(os.stat(alerts / name))

    for round_ in range(80):
        changed: set[str] = set()
        names = sorted(n for n in os.listdir(alerts) if is_alert_file(n))
        for _ in range(rng.randrange(4)):
            name = rng.choice([*names, f"f{rng.randrange(30)}.json", "notes.txt"]) \
                if names else f"f{rng.randrange(30)}.json"
            action = rng.choice(["write", "write", "delete", "rename"])
            touched = [name]
            if action == "write" or not (alerts / name).exists():
                (alerts / name).write_text(json.dumps({"id": f"x-{round_}-{name}"}))
            elif action == "delete":
                (alerts / name).unlink()
            else:
                touched.append(f"f{rng.randrange(30)}.json")
                os.replace(alerts / name, alerts / touched[1])
            for name in touched:
                if rng.random() >= 0.2:
                    changed.add(name)
                elif (alerts / name).exists() and name in loader.skipped:
                    lost.add(name)  # a skipped file rewritten, and its event lost
                # (a new or deleted file whose event is lost is found in the listing)
        present = sorted(n for n in os.listdir(alerts) if is_alert_file(n))
        # Settle some files (their alerts ended), unsettle others (live again).
        for name in rng.sample(present, k=min(len(present), rng.randrange(4))):
            ident = identity(name)
            if ident in settled:
                del settled[ident]
            elif ident is not None:
                settled[ident] = name
        full = rng.random() < 0.1
        read = [r.source.name for r in loader.scan(settled, None if full else changed)]
        fresh = AlertLoader(alerts)
        expected = [r.source.name for r in fresh.scan(settled)]
        if full:
            lost.clear()
        still_lost = {n for n in lost if n in loader.skipped}
        assert [n for n in read if n not in still_lost] == [
            n for n in expected if n not in still_lost], round_
        assert {n: i for n, i in loader.skipped.items() if n not in still_lost} == {
            n: i for n, i in fresh.skipped.items() if n not in still_lost}, round_
