"""NTCIP 1203 MULTI in the manifests of text profiles: each slide's `multi` reads back (with
a parser of our own, tests/helpers/multi.py) as its phase's lines in printable ASCII, with
only [jl3], [nl] and [np], whatever the name holds: brackets and tags, accents, other
scripts, emoji, the longest name."""

from __future__ import annotations

import json

import pytest
from anyascii import anyascii

from render.outlets import displays, multi
from render.outlets.outlet import artifacts_of
from tests.helpers.multi import parse_multi
from tests.helpers.signage import HARD_NAMES, context
from tests.helpers.sites import SiteDir, alert_doc

HOSTILE = {
    **HARD_NAMES,
    "tag": "Eva [np]",
    "tags": "[jl3]Eva[nl][np][fo2]",
    "brackets": "]] Eva [[ [",
    "zoe": "Zoë",
    "danish": "Ærøskøbing",
    "emoji": "Mila 🙂🚸 de Wit",
}
# Characters per line of the shipped signs: the 5x7 font, a pixel between glyphs and at
# each side.
WIDTHS = {144: 23, 240: 39}


def expected_ascii(line: str) -> str:
    return " ".join(anyascii(line).split())


def read_back(text: str, width: int, lines: int, drill: bool) -> list[str]:
    """The rows of every page, in order, after checking that they fit the sign; a drill's
    OEFENING, which heads every page, once."""
    pages = parse_multi(text)
    rows: list[str] = []
    for page in pages:
        assert 1 <= len(page) <= lines, (page, text)
        assert all(0 < len(row) <= WIDTHS[width] for row in page), (page, text)
        if drill:
            assert page[0] == "OEFENING", (page, text)
            page = page[1:] if rows else page
        rows += page
    return rows


def same_text(rows: list[str], lines: list[str]) -> bool:
    """The rows hold the lines' ASCII text, wrapped (a word too long for a row is broken
    without a hyphen, so spaces are not compared)."""
    def letters(parts: list[str]) -> str:
        return "".join(parts).replace(" ", "")

    return letters(rows) == letters([expected_ascii(line) for line in lines])


def test_a_plain_phase_is_centred_lines() -> None:
    assert multi.multi(["KIND ALARM", "Sanne de Vries (8)", "VERMIST"], 144, 3) == (
        "[jl3]KIND ALARM[nl][jl3]Sanne de Vries (8)[nl][jl3]VERMIST")
    assert multi.multi(["Utrecht", "BEL 112"], 240, 3) == "[jl3]Utrecht[nl][jl3]BEL 112"


@pytest.mark.parametrize("drill", [False, True])
@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_hostile_names_read_back_as_text(key: str, width: int, drill: bool) -> None:
    lines = ["KIND ALARM", f"{HOSTILE[key]} (9)", "VERMIST"]
    if drill:
        lines.insert(0, "OEFENING")
    text = multi.multi(lines, width, 3, drill)
    rows = read_back(text, width, 3, drill)
    assert same_text(rows, lines), (rows, lines)
    if all(len(expected_ascii(line)) <= WIDTHS[width] for line in lines):
        assert rows == [expected_ascii(line) for line in lines]  # nothing wrapped
        assert len(parse_multi(text)) == (2 if drill else 1)  # a drill's 4th line: a page more


def test_brackets_stay_text_and_letters_are_ascii() -> None:
    def rows(name: str) -> list[str]:
        return read_back(multi.multi([name], 240, 3), 240, 3, False)

    assert multi.multi(["Eva [np]"], 144, 3) == "[jl3]Eva [[np]]"
    assert rows("Eva [np]") == ["Eva [np]"]
    assert rows("[jl3]Eva[nl][np][fo2]") == ["[jl3]Eva[nl][np][fo2]"]
    assert rows("]] Eva [[ [") == ["]] Eva [[ ["]
    assert rows("Zoë") == ["Zoe"] and rows("Ærøskøbing") == ["Aeroskobing"]
    # no control characters; a zero-width space is nothing, other spaces one space
    assert rows("Ann\u200be\u00a0de\tWit\x07\x7f!") == ["Anne de Wit !"]


def test_the_longest_name_is_wrapped_onto_pages_that_fit() -> None:
    lines = ["KIND ALARM", HARD_NAMES["long"] + " (9)", "VERMIST"]
    text = multi.multi(lines, 144, 3)
    pages = parse_multi(text)
    assert len(pages) >= 2
    assert same_text(read_back(text, 144, 3, False), lines)


@pytest.mark.parametrize("tree", ["", "exercise/"])
def test_every_slide_of_a_text_profile_reads_back_as_its_phase(site: SiteDir,
                                                               tree: str) -> None:
    site.photo("anna.jpg")
    for index, key in enumerate(sorted(HOSTILE)):
        site.write(f"{key}.json", alert_doc(
            id=f"2026-test-{index}", exercise=bool(tree), child_name=HOSTILE[key],
            last_seen_place={"nl": f"{HOSTILE[key]}, Ærøskøbing", "en": "x"}))
    ctx = context(site, tree)
    made = {a.path: a for a in artifacts_of(displays, ctx)}
    for profile in ctx.settings.displays.values():
        body = json.loads(made[f"displays/{profile.name}/manifest.json"].produce())
        if profile.content != "text":
            assert all("multi" not in slide for slide in body["slides"]), profile.name
            continue
        assert len(body["slides"]) == len(HOSTILE) * profile.phases, profile.name
        for slide in body["slides"]:
            version, phase = slide["image"].removesuffix(".png").rsplit("-", 1)
            text = made[f"displays/{profile.name}/{version}.txt"].produce().decode()
            lines = text.strip("\n").split("\n\n")[int(phase) - 1].split("\n")
            rows = read_back(slide["multi"], profile.width, profile.lines, bool(tree))
            assert same_text(rows, lines), (slide["multi"], lines)
