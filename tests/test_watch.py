"""The watcher with real files and a real watchdog observer (inotify, or polling)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from watchdog.events import FileSystemEvent

from render.outlets import api, web
from render.outlets.artifacts import Artifact
from tests.helpers.sites import REPO, SiteDir, alert_doc, photo_bytes
from tests.helpers.waiting import wait_until
from tests.helpers.watching import FAST, SlowShare, wait_idle, watching

PAGE = "alerts/{}/index.html"


def active_ids(site: SiteDir) -> list[str]:
    try:
        return [a["id"] for a in json.loads(site.read("api/alerts.json"))["alerts"]]
    except (OSError, ValueError):
        return []


def photos_of(site: SiteDir, alert_id: str) -> list[str]:
    # Names only: files() would read them while the watcher may be deleting one.
    return sorted(p.relative_to(site.out).as_posix()
                  for p in site.out.glob(f"alerts/{alert_id}/*/photo.jpg"))


@pytest.fixture
def quick(site: SiteDir) -> SiteDir:
    """A site whose superseded files go at once, with a small photo."""
    site.settings_text("retire_seconds = 0\n")
    site.photo("anna.jpg", size=(120, 160))
    return site


def test_drop_by_rename_is_published(quick: SiteDir) -> None:
    with watching(quick) as (watcher, published):
        assert active_ids(quick) == []
        quick.write("anna.json", alert_doc())  # written elsewhere, renamed into place
        wait_until(lambda: active_ids(quick) == ["2026-test-anna"], what="anna published")
        assert "Anna" in quick.read(PAGE.format("2026-test-anna"))
        wait_idle(watcher)
        drop = [p for p in published if "anna.json" in p.changes]
        assert drop and drop[0].changes["anna.json"] == "moved here"
        assert drop[0].result.ok


def test_urgent_outputs_come_first(quick: SiteDir) -> None:
    """The alert's page and the API name it before its slow share card is even drawn, in
    the same publish; the share index never names a card that is not there yet."""
    at_draw: list[tuple[str, str]] = []  # the page and the API as a card's drawing begins
    dangling: list[str] = []
    done = threading.Event()

    class WatchedShare(SlowShare):
        def card(self, view_id: str) -> bytes:
            at_draw.append((_read(quick, PAGE.format(view_id)), _read(quick, "api/alerts.json")))
            return super().card(view_id)

    def spy() -> None:  # whether the index ever names a missing file
        while not done.is_set():
            for name in _read(quick, "share/index.txt").split():
                if not (quick.out / name).is_file():
                    dangling.append(name)
            time.sleep(0.002)  # how often the spy samples the tree

    with watching(quick, outlets=[web, api, WatchedShare(0.4)]) as (watcher, published):
        spy_thread = threading.Thread(target=spy)
        spy_thread.start()
        try:
            quick.write("anna.json", alert_doc())
            wait_until(lambda: "anna" in _read(quick, "share/index.txt"), what="the share card")
            wait_idle(watcher)
        finally:
            done.set()
            spy_thread.join()
        drop = next(p for p in published if "anna.json" in p.changes)
    assert drop.result.complete  # the card came in the same publish as the urgent outputs
    assert at_draw, "the card was never drawn"
    for page, listing in at_draw:
        assert "anna" in page and "anna" in listing
    assert dangling == []


def _read(site: SiteDir, path: str) -> str:
    try:
        return site.read(path)
    except OSError:
        return ""


def test_slow_in_place_writer_is_judged_only_when_closed(quick: SiteDir) -> None:
    quick.write("anna.json", alert_doc())
    error_files: list[str] = []
    withdrawn_pages: list[str] = []
    done = threading.Event()

    def spy() -> None:  # looks for what must never appear, all the time
        while not done.is_set():
            error_files.extend(p.name for p in quick.alerts.glob("*.error.txt"))
            try:
                if "Ingetrokken" in quick.read(PAGE.format("2026-test-anna")):
                    withdrawn_pages.append("anna")
            except OSError:
                pass
            time.sleep(0.003)  # how often the spy samples the tree

    with watching(quick) as (watcher, published):
        spy_thread = threading.Thread(target=spy)
        spy_thread.start()
        try:
            new = json.dumps(alert_doc(id="2026-test-berta", child_name="Berta"))
            edit = json.dumps(alert_doc(child_clothing="groene jas"))
            with open(quick.alerts / "berta.json", "w") as berta, \
                    open(quick.alerts / "anna.json", "w") as anna:
                for handle, text in ((berta, new), (anna, edit)):
                    handle.write(text[:40])
                    handle.flush()
                time.sleep(0.3)  # the writer is slow: halfway, it pauses (the point here)
                # Meanwhile another drop makes the watcher build with both halves on disk.
                quick.write("carl.json", alert_doc(id="2026-test-carl", child_name="Carl"))
                wait_until(lambda: "2026-test-carl" in active_ids(quick), what="carl")
                # That build (carl's publish, done) held the half-written files back.
                wait_until(lambda: any(p.result.held for p in published),
                           what="a build that held the half-written files back")
                assert "2026-test-berta" not in active_ids(quick)
                assert not list(quick.alerts.glob("*.error.txt"))
                assert "rode jas" in quick.read(PAGE.format("2026-test-anna"))
                for handle, text in ((berta, new), (anna, edit)):
                    handle.write(text[40:])
                    handle.flush()
                time.sleep(0.2)  # ... and keeps the whole files open a moment before closing
            wait_until(lambda: "2026-test-berta" in active_ids(quick), what="berta")
            wait_until(lambda: "groene jas" in quick.read(PAGE.format("2026-test-anna")))
            wait_idle(watcher)
        finally:
            done.set()
            spy_thread.join()
    assert error_files == []
    assert withdrawn_pages == []
    assert any(p.result.held for p in published), "the watcher never held a file back"


def test_delete_withdraws_everywhere(quick: SiteDir) -> None:
    quick.write("anna.json", alert_doc())
    with watching(quick) as (watcher, _):
        assert active_ids(quick) == ["2026-test-anna"]
        (quick.alerts / "anna.json").unlink()
        wait_until(lambda: active_ids(quick) == [], what="anna withdrawn")
        wait_idle(watcher)
        files = quick.files()
        assert not any(p.endswith(".jpg") for p in files)
        for path, data in files.items():
            assert b"de Test" not in data and b"rode jas" not in data, path
        assert "Ingetrokken" in quick.read(PAGE.format("2026-test-anna"))


def test_replaced_photo_makes_a_new_version(quick: SiteDir) -> None:
    quick.write("anna.json", alert_doc())
    with watching(quick) as (watcher, _):
        before = photos_of(quick, "2026-test-anna")
        assert len(before) == 1
        tmp = quick.alerts / "photos" / ".anna.jpg.part"
        tmp.write_bytes(photo_bytes(size=(120, 160), seed=7))
        os.replace(tmp, quick.alerts / "photos" / "anna.jpg")
        wait_until(lambda: photos_of(quick, "2026-test-anna") not in ([], before),
                   what="a new photo version")
        wait_idle(watcher)
        after = photos_of(quick, "2026-test-anna")
        assert len(after) == 1 and after != before
        assert after[0].split("/")[2] in quick.read(PAGE.format("2026-test-anna"))


def test_bad_file_gets_an_error_file_until_fixed(quick: SiteDir) -> None:
    with watching(quick) as (watcher, published):
        quick.write("anna.json", alert_doc(child_age=19))
        error = quick.alerts / "anna.json.error.txt"
        wait_until(error.exists, what="the error file")
        assert "child.age" in error.read_text()
        wait_idle(watcher)
        count = len(published)
        # Its own error file must not set off more builds: nothing to wait for, so watch
        # for a while (many debounce periods) that nothing happens.
        time.sleep(0.5)
        assert len(published) == count
        assert active_ids(quick) == []
        quick.write("anna.json", alert_doc())
        wait_until(lambda: active_ids(quick) == ["2026-test-anna"], what="the fixed alert")
        wait_until(lambda: not error.exists(), what="the error file to go")


def test_alert_before_its_photo(site: SiteDir) -> None:
    with watching(site):
        site.write("anna.json", alert_doc())
        error = site.alerts / "anna.json.error.txt"
        wait_until(error.exists, what="the error file")
        assert "photos/anna.jpg" in error.read_text()
        site.photo("anna.jpg", size=(120, 160))  # written in place, then closed
        wait_until(lambda: active_ids(site) == ["2026-test-anna"], what="the alert")
        wait_until(lambda: not error.exists(), what="the error file to go")


def test_burst_of_fifty_files(quick: SiteDir) -> None:
    with watching(quick) as (watcher, published):
        ids = [f"2026-burst-{n:02d}" for n in range(50)]
        for number, alert_id in enumerate(ids):
            quick.write(f"burst-{number:02d}.json", alert_doc(id=alert_id))
        wait_until(lambda: sorted(active_ids(quick)) == ids, what="all 50 published")
        wait_idle(watcher)
        bursts = [p for p in published if any(c.startswith("burst-") for c in p.changes)]
        assert sum(len(p.changes) for p in bursts) >= 50
        assert len(bursts) < 25, "a burst should be published in a few rounds, not one each"


def test_killed_observer_is_restarted(quick: SiteDir) -> None:
    with watching(quick) as (watcher, _):
        old = watcher.observer
        assert old is not None
        old.stop()  # its thread ends, as if it had died
        old.join()
        wait_until(lambda: watcher.observer_restarts >= 1 and watcher.observer is not old,
                   what="a new observer")
        quick.write("anna.json", alert_doc())
        wait_until(lambda: active_ids(quick) == ["2026-test-anna"], what="anna published")


def test_lost_events_are_caught_by_the_periodic_rescan(quick: SiteDir) -> None:
    timing = replace(FAST, rescan=0.8)
    with watching(quick, timing=timing) as (watcher, published):
        real_record = watcher.tracker.record

        def lossy(event: FileSystemEvent) -> None:  # as if the kernel's queue overflowed
            if "anna" not in f"{event.src_path} {getattr(event, 'dest_path', '')}":
                real_record(event)

        watcher.tracker.record = lossy  # type: ignore[method-assign]
        quick.write("anna.json", alert_doc())
        wait_until(lambda: active_ids(quick) == ["2026-test-anna"], what="the rescan")
        wait_idle(watcher)
        assert any(p.reason == "rescan" and p.result.report.written for p in published), [
            (p.reason, p.changes, len(p.result.report.written)) for p in published]


def test_missing_or_swapped_alert_directory(quick: SiteDir,
                                            caplog: pytest.LogCaptureFixture) -> None:
    quick.write("anna.json", alert_doc())
    with watching(quick, timing=replace(FAST, rescan=0.8)) as (watcher, published):
        away = quick.alerts.with_name("alerts-away")
        quick.alerts.rename(away)  # an unmounted share, say: not "every file deleted"
        # A rescan finds the folder gone, and a health check fails to watch it again.
        wait_until(lambda: "is gone" in caplog.text and "cannot watch" in caplog.text,
                   what="the watcher to notice the folder is gone")
        assert active_ids(quick) == ["2026-test-anna"]
        shutil.copytree(away, quick.alerts.with_name("alerts-new"))
        quick.alerts.with_name("alerts-new").rename(quick.alerts)  # a new folder swapped in
        wait_until(lambda: watcher.observer_restarts >= 1, what="watching the new folder")
        watcher.timing.rescan = 60.0
        wait_idle(watcher)
        quick.write("berta.json", alert_doc(id="2026-test-berta", child_name="Berta"))
        wait_until(lambda: len(active_ids(quick)) == 2, what="berta published")
        # Seen by the new folder's events, not only found by a rescan.
        wait_until(lambda: any("berta.json" in p.changes for p in published),
                   what="berta's events")


class FlakyRenderer:
    """A renderer that fails while `broken` is set, as a bug or a full disk might."""

    NAME = "flaky"
    broken = False

    FILES = ()

    def view_artifacts(self, ctx, view):  # type: ignore[no-untyped-def]
        return []

    def tree_artifacts(self, ctx):  # type: ignore[no-untyped-def]
        if self.broken:
            raise RuntimeError("renderer bug")
        return [Artifact("flaky.txt", "1", lambda: b"ok\n")]


def test_failing_build_is_logged_and_retried(quick: SiteDir,
                                             caplog: pytest.LogCaptureFixture) -> None:
    flaky = FlakyRenderer()
    with watching(quick, outlets=[web, api, flaky]) as (watcher, _):
        flaky.broken = True
        quick.write("anna.json", alert_doc())
        wait_until(lambda: watcher.failures >= 2, what="failed builds, retried")
        assert "renderer bug" in caplog.text
        assert active_ids(quick) == []  # nothing half-done went out
        flaky.broken = False  # the next retry succeeds, with no new event needed
        wait_until(lambda: active_ids(quick) == ["2026-test-anna"], what="recovery")
        assert quick.read("flaky.txt") == "ok\n"


def test_polling_observer(quick: SiteDir) -> None:
    with watching(quick, poll=True):
        quick.write("anna.json", alert_doc())
        wait_until(lambda: active_ids(quick) == ["2026-test-anna"], what="anna published")
        # A slow writer: judged only once its size and time have been still for a while.
        text = json.dumps(alert_doc(id="2026-test-berta", child_name="Berta"))
        with open(quick.alerts / "berta.json", "w") as berta:
            for part in (text[:30], text[30:60], text[60:]):
                berta.write(part)
                berta.flush()
                time.sleep(0.25)  # a slow writer (the point here): pauses between parts
                assert not (quick.alerts / "berta.json.error.txt").exists()
        wait_until(lambda: "2026-test-berta" in active_ids(quick), what="berta")
        assert not (quick.alerts / "berta.json.error.txt").exists()
        (quick.alerts / "anna.json").unlink()
        wait_until(lambda: active_ids(quick) == ["2026-test-berta"], what="anna withdrawn")


def test_sigterm_finishes_the_publish_and_exits_zero(quick: SiteDir) -> None:
    quick.write("anna.json", alert_doc())
    process = subprocess.Popen(
        [sys.executable, "-m", "render.cli", "--site", str(quick.root), "watch"],
        cwd=REPO, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: active_ids(quick) == ["2026-test-anna"], what="the first build",
                   timeout=120)
        quick.write("berta.json", alert_doc(id="2026-test-berta", child_name="Berta"))
        # Its urgent outputs are out; slower ones may still be rendering: that publish must
        # be finished before the process exits.
        wait_until(lambda: len(active_ids(quick)) == 2, what="berta's urgent outputs")
        process.send_signal(signal.SIGTERM)
        _, log = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 0, log
    assert "SIGTERM received" in log and "stopped" in log
    assert "Traceback" not in log
    rebuilt = quick.build(now=datetime.now(UTC))
    assert rebuilt.ok
    assert rebuilt.report.written == [] and rebuilt.report.deleted == []


def test_watch_serves_the_output(quick: SiteDir) -> None:
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    quick.write("anna.json", alert_doc())
    process = subprocess.Popen(
        [sys.executable, "-m", "render.cli", "--site", str(quick.root), "watch",
         "--serve", str(port)], cwd=REPO, stderr=subprocess.PIPE, text=True)
    try:
        page = wait_until(lambda: _get(urllib.request, f"http://127.0.0.1:{port}/"
                                       f"{PAGE.format('2026-test-anna')}"), what="the page")
        assert "Anna" in page
    finally:
        process.send_signal(signal.SIGINT)
        _, log = process.communicate(timeout=30)
    assert process.returncode == 0, log


def _get(request_module, url: str) -> str | None:  # type: ignore[no-untyped-def]
    try:
        with request_module.urlopen(url, timeout=2) as response:
            return response.read().decode()
    except OSError:
        return None


def test_watch_refuses_a_missing_alert_directory(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "render.cli", "--site", str(tmp_path), "watch"],
        cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2  # a usage error, like `build`
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_half_written_photo_is_refused_even_after_weasyprint(tmp_path: Path) -> None:
    import weasyprint  # noqa: F401  (it sets PIL's LOAD_TRUNCATED_IMAGES on import)

    from render.drawing.photo import PhotoError, decode

    data = photo_bytes((600, 800))
    half = tmp_path / "half.jpg"
    half.write_bytes(data[: len(data) // 2])
    with pytest.raises(PhotoError):
        decode(half)
