"""Faults of the machine, not of the alert files: a full disk and an unwritable output give
one clear error line (no traceback), leave the last good tree published, and the next run
after the fault is gone publishes the right state.

As root (CI, dev machines) the output sits on a small tmpfs that the test fills or remounts
read-only; elsewhere a full disk is simulated with RLIMIT_FSIZE and an unwritable output
with file modes."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.sites import REPO, SiteDir, alert_doc
from tests.helpers.treecheck import check_tree

BASE_URL = "http://127.0.0.1:8000/"


class Disk:
    """A small file system for the output (tmpfs when we may mount, else a plain folder)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir()
        self.mounted = os.geteuid() == 0 and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(path)],
            capture_output=True).returncode == 0
        self.file_limit: int | None = None

    def fill(self, leave: int) -> None:
        if not self.mounted:
            self.file_limit = 30_000  # no file may grow past this: like a disk that is full
            return
        filler = self.path / "filler"
        with open(filler, "wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * 4096)
            except OSError:  # full
                pass
        if leave:
            os.truncate(filler, filler.stat().st_size - leave)

    def free(self) -> None:
        self.file_limit = None
        (self.path / "filler").unlink(missing_ok=True)

    def read_only(self, on: bool) -> None:
        if self.mounted:
            mode = "ro" if on else "rw"
            subprocess.run(["mount", "-o", f"remount,{mode}", str(self.path)], check=True)
        else:
            for folder in self.path.iterdir():
                for path in [folder, *folder.rglob("*")]:
                    if path.is_dir():
                        path.chmod(0o555 if on else 0o755)

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", str(self.path)], check=True)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Disk]:
    small = Disk(tmp_path / "disk")
    try:
        yield small
    finally:
        small.close()


def build(site: SiteDir, out: Path, file_limit: int | None = None
          ) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if file_limit:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails with EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run(
        [sys.executable, "-m", "render.cli", "--site", str(site.root), "build", "--alerts",
         str(site.alerts), "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120, preexec_fn=limit)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".kindalarm-tmp" not in p.parts}


def assert_one_clear_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "cannot write" in errors[0] and "the last published files stay" in errors[0]
    return errors[0]


@pytest.mark.parametrize("leave", [0, 150_000])
def test_full_disk_is_one_clear_error_and_keeps_the_last_good_tree(
        anna: SiteDir, disk: Disk, leave: int) -> None:
    out = disk.path / "output"
    assert build(anna, out).returncode == 0
    good = files(out)
    assert "2026-test-anna" in good["index.html"].decode()

    anna.photo("anna.jpg", size=(1200, 1600), seed=7)  # a new version with a larger photo
    anna.write("anna.json", alert_doc(child_clothing="groene jas"))
    disk.fill(leave)
    error = assert_one_clear_error(build(anna, out, disk.file_limit))
    assert "No space left" in error or "too large" in error or "disk" in error, error
    assert check_tree(out, BASE_URL) == []
    now = files(out)
    # The last good tree: every file of it is still there; a file may be the new version
    # only where the disk held it (then it is whole, and everything it names is there).
    assert set(good) <= set(now)
    if leave == 0:
        assert {p: now[p] for p in good} == good

    disk.free()
    assert build(anna, out).returncode == 0
    assert check_tree(out, BASE_URL) == []
    assert b"groene jas" in files(out)["alerts/2026-test-anna/index.html"]


def test_unwritable_output_is_one_clear_error_and_keeps_the_last_good_tree(
        anna: SiteDir, disk: Disk) -> None:
    out = disk.path / "output"
    assert build(anna, out).returncode == 0
    good = files(out)
    anna.write("anna.json", alert_doc(child_clothing="groene jas"))
    disk.read_only(True)
    try:
        assert_one_clear_error(build(anna, out))
        assert files(out) == good
    finally:
        disk.read_only(False)
    assert build(anna, out).returncode == 0
    assert check_tree(out, BASE_URL) == []
    assert b"groene jas" in files(out)["alerts/2026-test-anna/index.html"]

