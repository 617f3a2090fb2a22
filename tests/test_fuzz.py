"""Generated alert documents, mostly almost valid with a few random mutations, plus random
bytes: the loader never raises, and every rejection is a clear message naming a field.

`make test` runs 2,000 structured documents and 1,000 raw files; `make fuzz` sets
KINDALARM_FUZZ_EXAMPLES for many more."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from render.alert.files import parse_document
from render.alert.loader import load_alert_file
from render.alert.parse import TOP_FIELDS, parse_alert
from render.alert.photos import check_photo
from render.alert.problems import Problem
from tests.helpers.sites import SiteDir, alert_doc

EXAMPLES = int(os.environ.get("KINDALARM_FUZZ_EXAMPLES", "2000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
RAW = settings(max_examples=max(EXAMPLES // 2, 1), deadline=None,
               suppress_health_check=[HealthCheck.too_slow])

# Where a mutation may land: every field of the contract, nested ones included.
FIELD_PATHS = [(name,) for name in TOP_FIELDS] + [
    ("child", name) for name in ("name", "age", "gender", "height_cm", "build", "hair", "eyes",
                                 "clothing", "features", "photo", "photo_alt", "photo_focus")
] + [("last_seen", name) for name in ("time", "place", "latitude", "longitude")] + [
    ("contact", "phone"), ("contact", "tipline"), ("vehicles", 0, "plate"),
    ("vehicles", 0, "description"), ("suspects", 0, "description"), ("child", "clothing", "en"),
]
TRICKY_TEXT = ["", " ", "\x00", "a\nb", "a\rb", "\u202eevil", "<script>alert(1)</script>",
               "]]><x/>", "&amp;", "x" * 3000, "../outside.jpg", "/etc/passwd", "C:\\x.jpg",
               "photos/", "photos/anna.jpg", "2026-13-45T99:00:00+01:00",
               "2026-11-29T14:05:00", "2026-11-29T14:05:00+01:00", "kind-alarm", "found",
               "Nederland", "Utrecht", "nl", "+31 900 8844", "0800-6070", "\ud7ff", "🙂" * 90]
SCALARS = (st.none() | st.booleans() | st.integers(-10**20, 10**20)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40)
           | st.sampled_from(TRICKY_TEXT)
           | st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=1))]))
           | st.datetimes())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=10)


@st.composite
def near_valid_documents(draw: st.DrawFn) -> Any:
    doc: Any = alert_doc(
        description={"nl": "Beschrijving", "en": "Description"}, expires="2026-12-01T00:00:00Z",
        vehicles=[{"description": "grijze auto", "plate": "AB-123-C"}],
        suspects=[{"description": "man"}], contact={"phone": "112"},
        level=draw(st.sampled_from(["kind-alarm", "vermist-kind"])))
    for _ in range(draw(st.integers(0, 4))):
        path = draw(st.sampled_from(FIELD_PATHS))
        action = draw(st.sampled_from(["set", "set", "delete", "unknown"]))
        parent = doc
        for step in path[:-1]:
            try:
                parent = parent[step]
            except (KeyError, IndexError, TypeError):
                parent = None
                break
        if not isinstance(parent, dict | list):
            continue
        key = path[-1]
        if action == "delete" and isinstance(parent, dict):
            parent.pop(key, None)
        elif action == "unknown" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(SCALARS)
        elif isinstance(parent, dict) or (isinstance(key, int) and key < len(parent)):
            parent[key] = draw(VALUES)
    # One in twenty is not an alert-shaped document at all.
    return draw(VALUES) if draw(st.integers(0, 19)) == 0 else doc


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory: pytest.TempPathFactory) -> SiteDir:
    site = SiteDir(tmp_path_factory.mktemp("fuzz") / "site")
    site.photo("anna.jpg", size=(60, 80))
    (site.root / "outside.jpg").write_bytes((site.alerts / "photos" / "anna.jpg").read_bytes())
    return site


def assert_clear(problems: list[Problem], doc: Any) -> None:
    """Each problem names a field (of the contract, the file, or the unknown one itself)
    and says what is wrong in a short line, not a traceback."""
    assert problems
    # An unknown field is named as written, or quoted when it is empty or unprintable.
    top_keys = [name for k in doc for name in (str(k), repr(k)[:30])
                if name] if isinstance(doc, dict) else []
    for problem in problems:
        assert isinstance(problem.message, str) and problem.message.strip(), problem
        assert "Traceback" not in problem.message and "\n" not in problem.message, problem
        assert len(problem.message) < 400, problem
        root = re.split(r"[.\[]", problem.field, maxsplit=1)[0]
        assert problem.field.strip() and (
            root in TOP_FIELDS or root == "file"
            or any(problem.field.startswith(key) for key in top_keys)), problem


@FUZZ
@given(doc=near_valid_documents())
# What the fuzzer found once (each crashed the loader or gave an unclear line), kept for good:
@example(doc=alert_doc(regions=[["Utrecht"]]))
@example(doc=alert_doc(child_photo="photos/anna\x00.jpg"))
@example(doc=alert_doc(child_photo="photos/\nanna.jpg"))
@example(doc={"": None, "\t": 1})
def test_generated_documents_are_accepted_or_clearly_rejected(fuzz_site: SiteDir,
                                                              doc: Any) -> None:
    source = fuzz_site.alerts / "fuzz.json"

    def resolve(relative: str, sink: list[Problem]):  # type: ignore[no-untyped-def]
        return check_photo(relative, source, fuzz_site.alerts, sink)

    def check(document: Any) -> None:
        alert, problems, _ = parse_alert(document, source, resolve)
        if alert is None:
            assert_clear(problems, document)
        else:
            assert problems == []
            assert alert.id == document["id"] and alert.child.age == document["child"]["age"]

    check(doc)
    # The same document as the text of a JSON file, through the file parser.
    parsed, problems = parse_document(json.dumps(doc, default=str, ensure_ascii=False), ".json")
    if problems:
        assert_clear(problems, None)
    else:
        check(parsed)


@RAW
@given(data=st.binary(max_size=600) | st.text(max_size=600).map(str.encode),
       suffix=st.sampled_from([".json", ".toml"]))
def test_random_files_are_clearly_rejected(fuzz_site: SiteDir, data: bytes,
                                           suffix: str) -> None:
    path = fuzz_site.alerts / f"raw{suffix}"
    path.write_bytes(data)
    result = load_alert_file(path, fuzz_site.alerts)
    if result.alert is None:
        assert_clear(result.problems, None if result.document is None else
                     parse_document(result.document, suffix)[0])
    else:
        assert result.problems == []


def test_the_unmutated_document_is_valid(fuzz_site: SiteDir) -> None:
    """The generator's starting point is accepted, so mutations are what rejects."""
    source = fuzz_site.alerts / "fuzz.json"
    doc = alert_doc(expires="2026-12-01T00:00:00Z", contact={"phone": "112"})
    alert, problems, _ = parse_alert(doc, source, lambda r, sink: check_photo(
        r, source, fuzz_site.alerts, sink))
    assert problems == [] and alert is not None
    assert alert.expires == datetime(2026, 12, 1, tzinfo=UTC)
