"""`kindalarm validate` is as strict as `build`: every file `build` rejects, validate rejects
with the same words (a truncated JPEG, whose header is good, included). Only a second file
with a published alert's id is beyond it: which file owns an id depends on what was
published before, which validate does not see."""

from __future__ import annotations

from click.testing import CliRunner

from render.cli import main
from tests.helpers.sites import SiteDir, alert_doc
from tests.test_hostile import hostile_site


def problems_of(lines: str) -> list[str]:
    """'FILE: field: message' lines, without the file."""
    return sorted(line.split(": ", 1)[1] for line in lines.splitlines() if line.strip())


def test_validate_rejects_what_build_rejects_with_the_same_words(site: SiteDir) -> None:
    site.photo("good.jpg")
    site.write("good.json", alert_doc(id="2026-good", child_photo="photos/good.jpg"))
    assert site.build().ok
    expected = hostile_site(site)
    assert "truncated.json" in expected
    result = site.build()
    assert {r.source.name for r in result.rejected} == set(expected)
    runner = CliRunner()
    for name in sorted(expected.keys() - {"dup.json"}):
        validated = runner.invoke(main, ["validate", str(site.alerts / name)])
        assert validated.exit_code == 1, (name, validated.output)
        built = (site.alerts / f"{name}.error.txt").read_text(encoding="utf-8")
        assert problems_of(validated.output) == problems_of(built), name
        assert expected[name] in validated.output, name
    for name in ("good.json", "dup.json"):  # each fine on its own
        alone = runner.invoke(main, ["validate", str(site.alerts / name)])
        assert alone.exit_code == 0 and alone.output == "", name
