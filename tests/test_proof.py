"""`kindalarm proof FILE`: every output of one alert plus contact-sheet.png in a folder; the
published output is never touched. Also draws the examples' contact sheets for review."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from render.cli import main
from render.proof import CELL, GAP, LABEL_H
from tests.helpers.sites import ARTIFACTS, REPO, SiteDir, alert_doc


def run(site: SiteDir, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--site", str(site.root), "proof", *args])


def test_proof_writes_outputs_and_contact_sheet_without_touching_output(
        anna: SiteDir, tmp_path: Path) -> None:
    assert anna.build().ok
    before = anna.files()
    out = tmp_path / "proof"
    result = run(anna, str(anna.alerts / "anna.json"), "--out", str(out))
    assert result.exit_code == 0, result.output
    sheet = Image.open(out / "contact-sheet.png")
    assert sheet.width > 1000 and sheet.height > 300
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    version = next(p.split("/")[2] for p in names if p.startswith("share/"))
    for expected in ("og.png", "square.png", "story.png", "poster-a4.pdf", "poster-a3.pdf"):
        assert f"share/2026-test-anna/{version}/{expected}" in names
    assert "displays/drip-tekst/manifest.json" in names
    # Every picture is on the sheet, the GIFs of the sign controllers too: its rows of cells.
    pictures = [n for n in names if n.endswith((".png", ".gif"))
                and not n.endswith(("current.png", "contact-sheet.png"))]
    assert any(n.endswith(".gif") for n in pictures)
    rows = -(-len(pictures) // 4)
    assert sheet.height == GAP + rows * (CELL + LABEL_H + GAP)
    assert anna.files() == before  # the published output is exactly as it was
    assert not (out.parent / f".{out.name}.state").exists()


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
    """One contact sheet per example, kept in test-artifacts/ for people to look at."""
    site = SiteDir(tmp_path / "site")
    shutil.copy(REPO / "kindalarm.toml", site.root / "kindalarm.toml")
    target = ARTIFACTS / "contact-sheets"
    target.mkdir(parents=True, exist_ok=True)
    examples = sorted(p for p in (REPO / "examples" / "alerts").iterdir() if p.is_file())
    for example in examples:
        out = tmp_path / example.stem
        result = run(site, str(example), "--out", str(out))
        assert result.exit_code == 0, result.output
        shutil.copy(out / "contact-sheet.png", target / f"{example.stem}.png")
    assert len(list(target.glob("*.png"))) >= len(examples)
