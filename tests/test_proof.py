"""`kindalarm proof FILE`: every output of one alert plus contact-sheet.png in a folder; the
published output is never touched. The contact sheet shows each profile's player.html as
headless Chromium shows it first: the first slide of its manifest, pixel for pixel. Also
draws the examples' contact sheets for review."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from render import player_frame
from render.cli import main
from render.player_frame import FRAMES
from render.proof import CELL, GAP, LABEL_H, in_cell
from tests.helpers.sites import ARTIFACTS, REPO, SiteDir, alert_doc

LEFT_OUT = "The players' first frames are left out"


def run(site: SiteDir, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--site", str(site.root), "proof", *args])


def chromium_here() -> bool:
    """Whether this machine has the proof's Chromium; in CI it must (CI=true)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return os.environ.get("CI") == "true"
    return Path(player_frame.CHROMIUM).is_file() or os.environ.get("CI") == "true"


def rows(count: int) -> int:
    return -(-count // 4)


def check_first_frames(out: Path, output: str) -> list[str]:
    """Each profile whose manifest has slides has its player's first frame: the first slide
    the manifest names, pixel for pixel at the profile's size (not black, not another
    slide). Returns the frames, or [] where there is no Chromium (outside CI), which proof
    then says in one line."""
    frames = sorted(p.relative_to(out).as_posix() for p in (out / FRAMES).glob("*.png"))
    if not chromium_here():
        assert frames == [] and output.count(LEFT_OUT) == 1, output
        return []
    assert LEFT_OUT not in output and "left out" not in output, output
    profiles = []
    for manifest in sorted(out.glob("displays/*/manifest.json")):
        doc = json.loads(manifest.read_text("utf-8"))
        profile, slides = manifest.parent.name, doc["slides"]
        if not slides:
            continue
        profiles.append(profile)
        frame = Image.open(out / FRAMES / f"{profile}.png").convert("RGB")
        first = Image.open(manifest.parent / slides[0]["image"]).convert("RGB")
        assert frame.size == (doc["width"], doc["height"]) == first.size
        assert frame.getbbox() is not None, f"{profile}: the player showed black"
        assert frame.tobytes() == first.tobytes(), f"{profile}: not the first slide"
        others = {s["image"] for s in slides} - {slides[0]["image"]}
        for other in others:  # the comparison tells slides apart
            picture = Image.open(manifest.parent / other).convert("RGB")
            if picture.tobytes() != first.tobytes():
                assert frame.tobytes() != picture.tobytes()
    assert frames == [f"{FRAMES}/{p}.png" for p in profiles]
    return frames


def check_sheet(out: Path, frames: list[str]) -> None:
    """contact-sheet.png: a cell for every picture of the alert, then a row of its own for
    the players' first frames, each in its cell as drawn."""
    sheet = Image.open(out / "contact-sheet.png").convert("RGB")
    names = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()]
    pictures = [n for n in names if n.endswith((".png", ".gif")) and not n.startswith(FRAMES)
                and not n.endswith(("current.png", "contact-sheet.png"))]
    row = CELL + LABEL_H + GAP
    assert sheet.height == GAP + (rows(len(pictures)) + rows(len(frames))) * row
    for index, frame in enumerate(frames):
        x = GAP + (index % 4) * (CELL + GAP)
        y = GAP + (rows(len(pictures)) + index // 4) * row
        cell = in_cell(Image.open(out / frame))
        left, top = x + (CELL - cell.width) // 2, y + (CELL - cell.height) // 2
        drawn = sheet.crop((left, top, left + cell.width, top + cell.height))
        assert drawn.tobytes() == cell.tobytes(), f"{frame} is not on the contact sheet"


def test_proof_writes_outputs_and_contact_sheet_without_touching_output(
        anna: SiteDir, tmp_path: Path) -> None:
    assert anna.build().ok
    before = anna.files()
    out = tmp_path / "proof"
    result = run(anna, str(anna.alerts / "anna.json"), "--out", str(out))
    assert result.exit_code == 0, result.output
    sheet = Image.open(out / "contact-sheet.png")
    assert sheet.width > 1000 and sheet.height > 300
    frames = check_first_frames(out, result.output)
    check_sheet(out, frames)
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    version = next(p.split("/")[2] for p in names if p.startswith("share/"))
    for expected in ("og.png", "square.png", "story.png", "poster-a4.pdf", "poster-a3.pdf"):
        assert f"share/2026-test-anna/{version}/{expected}" in names
    assert "displays/drip-tekst/manifest.json" in names
    # The GIFs of the sign controllers are among its pictures (check_sheet counts them).
    assert any(n.endswith(".gif") and n.startswith("displays/") for n in names)
    assert anna.files() == before  # the published output is exactly as it was
    assert not (out.parent / f".{out.name}.state").exists()


def test_without_chromium_the_rest_and_one_line(
        anna: SiteDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(player_frame, "CHROMIUM", str(tmp_path / "no-chromium"))
    out = tmp_path / "proof"
    result = run(anna, str(anna.alerts / "anna.json"), "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "left out" in line]
    assert lines == [f"{LEFT_OUT}: no Chromium at {tmp_path / 'no-chromium'}."]
    assert not (out / FRAMES).exists()
    check_sheet(out, [])
    assert (out / "share").is_dir() and (out / "displays/drip-tekst/manifest.json").is_file()


def test_proof_of_a_bad_file_says_why(site: SiteDir, tmp_path: Path) -> None:
    path = site.write("bad.json", alert_doc(level="geen-level"))
    result = run(site, str(path), "--out", str(tmp_path / "p"))
    assert result.exit_code == 1
    assert "level" in result.output and "Traceback" not in result.output
    assert not site.out.exists()


def test_proof_refuses_to_write_into_the_output(anna: SiteDir) -> None:
    result = run(anna, str(anna.alerts / "anna.json"), "--out", str(anna.out / "x"))
    assert result.exit_code == 2 and "published output" in result.output
    assert not anna.out.exists()


def test_contact_sheets_of_the_examples(tmp_path: Path) -> None:
    """One contact sheet per example, kept in test-artifacts/ for people to look at, each
    with its players' first frames."""
    site = SiteDir(tmp_path / "site")
    shutil.copy(REPO / "kindalarm.toml", site.root / "kindalarm.toml")
    target = ARTIFACTS / "contact-sheets"
    target.mkdir(parents=True, exist_ok=True)
    examples = sorted(p for p in (REPO / "examples" / "alerts").iterdir() if p.is_file())
    for example in examples:
        out = tmp_path / example.stem
        result = run(site, str(example), "--out", str(out))
        assert result.exit_code == 0, result.output
        check_sheet(out, check_first_frames(out, result.output))
        shutil.copy(out / "contact-sheet.png", target / f"{example.stem}.png")
    assert len(list(target.glob("*.png"))) >= len(examples)
