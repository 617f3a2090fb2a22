"""Memory flat in the number of alerts (issue 21): a run renders alert by alert and holds a
few decoded photos and rendered cards at a time, not one per alert, and the tree it publishes
is the same as with everything kept."""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import Any

import pytest

from render.drawing import photo
from render.outlets.once import Once
from tests.helpers.sites import SiteDir, alert_doc

ALERTS = 8


def test_once_keeps_the_most_recently_used() -> None:
    made: list[str] = []
    once: Once[str, str] = Once(limit=2)

    def get(key: str) -> str:
        return once.get(key, lambda: made.append(key) or key.upper())

    assert [get("a"), get("b"), get("a"), get("c")] == ["A", "B", "A", "C"]
    assert made == ["a", "b", "c"], "a was used again, so b went"
    assert get("a") == "A" and get("b") == "B" and made == ["a", "b", "c", "b"]


def many_alerts(site: SiteDir) -> None:
    for n in range(ALERTS):
        site.photo(f"p{n}.jpg", seed=n, size=(1600, 2000))
        site.write(f"a{n}.json", alert_doc(id=f"2026-flat-{n}", child_photo=f"photos/p{n}.jpg",
                                           child_name=f"Kind {n}"))


def test_a_run_holds_a_few_decoded_photos_and_publishes_the_same(
        site: SiteDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alive: set[int] = set()
    most = [0]
    lock = threading.Lock()
    real_decode = photo.decode

    def counted(*args: Any, **kwargs: Any) -> Any:
        image = real_decode(*args, **kwargs)
        key = id(image)
        with lock:
            alive.add(key)
            most[0] = max(most[0], len(alive))
        weakref.finalize(image, alive.discard, key)
        return image

    monkeypatch.setattr(photo, "decode", counted)
    many_alerts(site)
    assert site.build().ok
    # The limit, and one in the hands of each render thread and decoder at a time.
    assert most[0] <= photo.DECODED_KEPT + 2, most[0]

    everything = SiteDir(tmp_path / "keep-all")  # the same alerts, every photo kept
    many_alerts(everything)
    monkeypatch.setattr(photo, "DECODED_KEPT", 10 * ALERTS)
    assert everything.build().ok
    assert everything.files() == site.files(), "the same tree, byte for byte"
