"""api/alerts.json for apps, checked against the JSON Schema we publish beside it."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest

from render.outlets.api import SCHEMA_FILE
from tests.helpers.gallery import Gallery


def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)  # the schema itself is a valid 2020-12 schema
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _api(site: Any, tree: str = "") -> dict[str, Any]:
    return json.loads(site.read(f"{tree}api/alerts.json"))


@pytest.mark.parametrize("name", ["empty", "one", "many", "ended"])
def test_alerts_json_matches_the_schema(web_gallery: Gallery, name: str) -> None:
    site = web_gallery.sites()[name]
    validator = _validator()
    for tree in ("", "exercise/"):
        document = _api(site, tree)
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    assert site.read("api/schema.json") == SCHEMA_FILE.read_text(encoding="utf-8")


def test_api_lists_active_alerts_with_their_details(web_gallery: Gallery) -> None:
    alerts = _api(web_gallery.many)["alerts"]
    assert [a["id"] for a in alerts][:2] == ["2026-utrecht-sanne", "2026-test-anna"]
    assert len(alerts) == 5
    sanne = alerts[0]
    assert sanne["child"]["clothing"]["en"].startswith("pink winter coat")
    assert sanne["vehicles"][0]["plate"] == "XV-123-K"
    assert sanne["photo"].endswith(f"/alerts/2026-utrecht-sanne/{sanne['version']}/photo.jpg")
    assert [a["id"] for a in _api(web_gallery.many, "exercise/")["alerts"]] == [
        "2026-oefening-lotte"]
    assert _api(web_gallery.many, "exercise/")["alerts"][0]["exercise"] is True


def test_hostile_text_survives_as_data(web_gallery: Gallery) -> None:
    alerts = {a["id"]: a for a in _api(web_gallery.ended)["alerts"]}
    assert set(alerts) == {"2026-test-rtl", "2026-test-long"}  # ended ones are not listed
    assert alerts["2026-test-rtl"]["description"]["nl"].startswith("<script>")


def test_schema_rejects_what_apps_must_not_get(web_gallery: Gallery) -> None:
    """The schema has teeth: a typo'd field, a missing name or an adult age fail."""
    validator = _validator()
    good = _api(web_gallery.one)
    assert validator.is_valid(good)
    for break_it in (lambda a: a.update(unexpected=1),
                     lambda a: a["child"].pop("name"),
                     lambda a: a["child"].update(age=18),
                     lambda a: a.update(level="amber-alert"),
                     lambda a: a["last_seen"].update(place={"en": "no Dutch"})):
        bad = copy.deepcopy(good)
        break_it(bad["alerts"][0])
        assert not validator.is_valid(bad)
