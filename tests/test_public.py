"""The one function that decides what is public: every status, and versions."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime, timedelta

import pytest

from render.alert.loader import load_alert_file
from render.alert.model import Alert
from render.config import Settings
from render.public import (
    ENDED,
    PublicAlert,
    ended_view_from_json,
    on_front_page,
    public_view,
    view_to_json,
    withdrawn_view,
)
from tests.helpers.sites import NOW, SiteDir, alert_doc

SETTINGS = Settings()


def load(site: SiteDir, **overrides: object) -> Alert:
    if not (site.alerts / "photos" / "anna.jpg").exists():
        site.photo("anna.jpg")
    result = load_alert_file(site.write("a.json", alert_doc(**overrides)), site.alerts)
    assert result.alert is not None, result.problems
    return result.alert


def personal_strings(view: PublicAlert) -> str:
    return repr(view_to_json(view))


def test_active_view_carries_every_detail(site: SiteDir) -> None:
    view = public_view(load(site, child_hair="blond"), NOW, SETTINGS)
    assert view.state == "active" and view.details is not None
    assert view.details.name == "Anna de Test"
    assert view.details.hair == {"nl": "blond"}
    assert view.photo is not None and view.photo.focus == (0.5, 0.3)
    assert view.details.photo_alt["nl"] == "Foto van Anna de Test, 8 jaar"
    assert (view.phone, view.tipline) == ("112", "0800-6070")  # site defaults


@pytest.mark.parametrize(("overrides", "state"), [
    ({"status": "found", "found_message": "Anna is terug"}, "found"),
    ({"status": "cancelled"}, "cancelled"),
    ({"expires": "2026-11-29T15:00:00+01:00"}, "expired"),  # NOW is 15:30 in Amsterdam
])
def test_ended_views_carry_nothing_personal(site: SiteDir, overrides: dict[str, object],
                                            state: str) -> None:
    alert = load(site, child_clothing="rode jas", description="hostile <b>", **overrides)
    view = public_view(alert, NOW, SETTINGS)
    assert view.state == state and view.details is None and view.photo is None
    text = personal_strings(view)
    for secret in ("de Test", "rode jas", "Griftpark", "hostile", alert.child.photo.sha256):
        assert secret not in text
    assert view.first_name == ("Anna" if state == "found" else None)
    assert (view.found_message is not None) == (state == "found")


def test_expiry_is_decided_by_the_clock(site: SiteDir) -> None:
    alert = load(site, expires="2026-11-29T16:00:00+01:00")
    assert public_view(alert, NOW, SETTINGS).state == "active"
    later = public_view(alert, NOW + timedelta(hours=1), SETTINGS)
    assert later.state == "expired" and later.updated == alert.expires


def test_deleted_file_turns_an_active_view_into_withdrawn(site: SiteDir) -> None:
    active = public_view(load(site), NOW, SETTINGS)
    withdrawn = withdrawn_view(active, NOW)
    assert withdrawn.state == "cancelled" and withdrawn.details is None
    found = public_view(load(site, status="found"), NOW, SETTINGS)
    assert withdrawn_view(found, NOW) == found  # a found child stays found


def test_version_changes_with_the_content_and_only_with_it(site: SiteDir) -> None:
    alert = load(site)
    view = public_view(alert, NOW, SETTINGS)
    assert len(view.version) == 12
    assert public_view(alert, NOW + timedelta(minutes=5), SETTINGS).version == view.version
    changed = public_view(replace(alert, child=replace(alert.child, age=9)), NOW, SETTINGS)
    assert changed.version != view.version
    site.photo("anna.jpg", seed=7)  # same file name, other pixels: another version
    repainted = public_view(load(site), NOW, SETTINGS)
    assert repainted.version != view.version


def test_ended_views_round_trip_through_the_state(site: SiteDir) -> None:
    for status in ("found", "cancelled"):
        view = public_view(load(site, status=status), NOW, SETTINGS)
        again = ended_view_from_json(view_to_json(view))
        assert again == view and again.version == view.version
    with pytest.raises(ValueError):
        ended_view_from_json(view_to_json(public_view(load(site), NOW, SETTINGS)))


def test_found_notice_leaves_the_front_page_after_its_hours(site: SiteDir) -> None:
    view = public_view(load(site, status="found", updated="2026-11-29T15:00:00+01:00"), NOW,
                       SETTINGS)
    assert view.state in ENDED
    ended_at = datetime.fromisoformat("2026-11-29T15:00:00+01:00")
    assert on_front_page(view, ended_at + timedelta(hours=23), SETTINGS)
    assert not on_front_page(view, ended_at + timedelta(hours=25), SETTINGS)


def test_public_view_has_no_field_for_the_raw_alert() -> None:
    names = {f.name for f in fields(PublicAlert)}
    assert "child" not in names and "source" not in names
