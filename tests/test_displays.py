"""Display bitmaps: manifests (contents, order, hashes, filters), exact sizes and colour
modes, true one-bit mono1, phases as slides and text, idle images, and drills marked."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from PIL import Image

from render.config import DisplayProfile, load_settings
from render.errors import ConfigError
from render.outlets import displays
from render.outlets.outlet import artifacts_of
from tests.helpers.signage import HARD_NAMES, context
from tests.helpers.sites import SiteDir, alert_doc, copy_of_examples


def manifest(site: SiteDir, profile: str, tree: str = "") -> dict:
    return json.loads(site.read(f"{tree}displays/{profile}/manifest.json"))


def image_at(site: SiteDir, path: str) -> Image.Image:
    return Image.open(io.BytesIO((site.out / path).read_bytes()))


@pytest.fixture(scope="module")
def built_examples(tmp_path_factory: pytest.TempPathFactory) -> SiteDir:
    """The shipped examples, built once for this module (a build draws every output)."""
    site = copy_of_examples(tmp_path_factory.mktemp("examples") / "site")
    assert site.build().ok
    return site


def used_values(image: Image.Image) -> set[int]:
    return {value for count, value in image.getcolors(256) or []}


def test_manifests_list_existing_slides_with_their_hashes(built_examples: SiteDir) -> None:
    settings = load_settings(built_examples.root)
    assert set(settings.displays) >= {"drip-tekst", "drip-kleur", "ns-station",
                                      "signage-portrait"}
    for name, profile in settings.displays.items():
        body = manifest(built_examples, name)
        assert (body["profile"], body["width"], body["height"]) == (
            name, profile.width, profile.height)
        for slide in body["slides"]:
            path = built_examples.out / "displays" / name / slide["image"]
            data = path.read_bytes()
            assert slide["sha256"] == hashlib.sha256(data).hexdigest()
            assert Image.open(path).size == (slide["width"], slide["height"]) == (
                profile.width, profile.height)
            assert slide["seconds"] == profile.seconds
            assert slide["level"] in profile.levels
        current = (built_examples.out / "displays" / name / "current.png").read_bytes()
        first = built_examples.out / "displays" / name / body["slides"][0]["image"]
        assert current == first.read_bytes()


def test_levels_order_and_phases(built_examples: SiteDir) -> None:
    # Active kind-alarm examples: Sanne (Utrecht) and Noor (Rotterdam); vermist-kind: Finn
    # and Daan. Most urgent and newest first: Sanne, Noor, then Daan, Finn.
    tekst = manifest(built_examples, "drip-tekst")["slides"]
    assert [s["alert"] for s in tekst] == ["2026-utrecht-sanne"] * 2 + [
        "2026-rotterdam-noor"] * 2
    assert [s["image"].rsplit("-", 1)[1] for s in tekst] == ["1.png", "2.png"] * 2
    station = manifest(built_examples, "ns-station")["slides"]
    assert {s["level"] for s in station} == {"kind-alarm"} and len(station) == 2
    portrait = [s["alert"] for s in manifest(built_examples, "signage-portrait")["slides"]]
    assert portrait == ["2026-utrecht-sanne", "2026-rotterdam-noor", "2026-zwolle-daan",
                        "2026-almere-finn"]
    text = built_examples.read(
        "displays/drip-tekst/" + tekst[0]["image"].rsplit("-", 1)[0] + ".txt")
    phases = text.strip().split("\n\n")
    assert len(phases) == 2
    assert phases[0].splitlines() == ["KIND ALARM", "Sanne de Vries (8)", "VERMIST"]
    assert phases[1].splitlines()[-1] == "BEL 112"


def test_mono1_is_true_one_bit(built_examples: SiteDir) -> None:
    for slide in manifest(built_examples, "drip-tekst")["slides"]:
        path = built_examples.out / "displays/drip-tekst" / slide["image"]
        data = path.read_bytes()
        assert data[24] == 1  # PNG IHDR bit depth
        image = Image.open(path)
        assert image.mode == "1"
        assert used_values(image) == {0, 255}  # lit and dark, nothing between


def test_colour_sign_is_pixel_crisp(built_examples: SiteDir) -> None:
    slide = manifest(built_examples, "drip-kleur")["slides"][0]
    image = image_at(built_examples, "displays/drip-kleur/" + slide["image"])
    assert image.mode == "RGB"
    colours = {c for _, c in image.getcolors(1 << 16)}
    # black, text yellow, label red, pictogram red/white: no anti-aliasing in-betweens
    assert colours <= {(0, 0, 0), (255, 255, 255), displays.RGB_TEXT, displays.RGB_LABEL,
                       (220, 0, 0)}


def test_photo_screens_are_rgb_cards(built_examples: SiteDir) -> None:
    for name, size in (("ns-station", (1920, 1080)), ("signage-portrait", (1080, 1920))):
        slide = manifest(built_examples, name)["slides"][0]
        image = image_at(built_examples, f"displays/{name}/" + slide["image"])
        assert image.size == size and image.mode == "RGB"


AMBER_SITE = """
[displays.amber-bord]
width = 96
height = 32
color = "amber"
content = "text"
phases = 3
lines = 2
formats = ["png", "gif"]
regions = ["Utrecht"]
levels = ["kind-alarm", "vermist-kind"]
"""


def test_amber_profile_gif_and_region_filter(site: SiteDir) -> None:
    site.settings_text(AMBER_SITE)
    site.photo("anna.jpg")
    site.write("utrecht.json", alert_doc(id="in-utrecht"))
    site.write("land.json", alert_doc(id="national", regions=["Nederland"],
                                      level="vermist-kind"))
    site.write("elders.json", alert_doc(id="in-zeeland", regions=["Zeeland"]))
    assert site.build().ok
    slides = manifest(site, "amber-bord")["slides"]
    assert [s["alert"] for s in slides] == ["in-utrecht"] * 3 + ["national"] * 3
    for slide in slides:
        png = image_at(site, "displays/amber-bord/" + slide["image"])
        assert png.mode == "P" and png.size == (96, 32)
        assert used_values(png) <= {0, 255}  # only dark and full amber
        assert png.getpalette()[255 * 3: 256 * 3] == list(displays.AMBER)
        gif = image_at(site, "displays/amber-bord/" + slide["image"][:-4] + ".gif")
        assert gif.format == "GIF" and gif.size == (96, 32)
    # The shipped station profile shows no vermist-kind, and only kind-alarm alerts.
    assert [s["alert"] for s in manifest(site, "ns-station")["slides"]] == [
        "in-utrecht", "in-zeeland"]


def test_no_alerts_means_empty_manifest_and_black_idle_image(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("a.json", alert_doc(status="found"))
    assert site.build().ok
    for name in ("drip-tekst", "drip-kleur", "ns-station", "signage-portrait"):
        assert manifest(site, name)["slides"] == []
        idle = image_at(site, f"displays/{name}/current.png")
        assert idle.getextrema() in ((0, 0), ((0, 0), (0, 0), (0, 0)))
    assert image_at(site, "displays/drip-tekst/current.png").mode == "1"
    assert not any("/2026-test-anna/" in p for p in site.files() if p.startswith("displays"))


@pytest.mark.parametrize("key", sorted(HARD_NAMES))
def test_hard_names_fit_the_sign(site: SiteDir, key: str) -> None:
    site.write("a.json", alert_doc(level="vermist-kind", child={"name": HARD_NAMES[key],
                                                                "age": 9},
                                   last_seen_place=HARD_NAMES["compound"]))
    ctx = context(site)
    profile = ctx.settings.displays["drip-tekst"]
    phases = displays.phase_lines(ctx.views[0], ctx, profile)
    assert len(phases) == profile.phases
    for lines in phases:
        face = displays.draw_text_phase(profile, lines, "KIND ALARM")
        assert face.size == (144, 48) and face.mode == "1"
        # Lit pixels never touch the outer edge: the text stayed inside the face.
        left, top, right, bottom = face.getbbox() or (1, 1, 143, 47)
        assert left >= 1 and top >= 1 and right <= 143 and bottom <= 47


def test_exercise_signs_say_oefening(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("a.json", alert_doc(exercise=True))
    assert site.build().ok
    slides = manifest(site, "drip-tekst", "exercise/")["slides"]
    text = site.read("exercise/displays/drip-tekst/" + slides[0]["image"].rsplit("-", 1)[0]
                     + ".txt")
    assert all(p.splitlines()[0] == "OEFENING" for p in text.strip().split("\n\n"))
    assert manifest(site, "drip-tekst")["slides"] == []  # never in the public tree


def test_display_artifacts_are_urgent_and_layered(anna: SiteDir) -> None:
    arts = list(artifacts_of(displays, context(anna)))
    assert arts and all(a.urgent for a in arts)
    layers = {a.path.rsplit("/", 1)[-1]: a.layer for a in arts}
    assert layers["manifest.json"] > max(layers[p] for p in layers if p.endswith(".png"))


def gif_table_entries(data: bytes) -> int:
    """Entries of a GIF's global colour table (logical screen descriptor, byte 10)."""
    assert data[10] & 0x80, "a GIF without a global colour table"
    return 2 << (data[10] & 0x07)


def test_drip_profiles_publish_gif_with_the_png_pixels(built_examples: SiteDir) -> None:
    for name in ("drip-tekst", "drip-kleur"):
        folder = built_examples.out / "displays" / name
        slides = manifest(built_examples, name)["slides"]
        assert slides, name
        for slide in slides:
            data = (folder / slide["gif"]).read_bytes()
            assert slide["gif"] == slide["image"].removesuffix(".png") + ".gif"
            assert slide["gif_sha256"] == hashlib.sha256(data).hexdigest()
            gif, png = Image.open(io.BytesIO(data)), Image.open(folder / slide["image"])
            assert gif.format == "GIF" and gif.mode == "P" and gif.size == png.size
            assert gif.width <= 240 and gif.height <= 144  # sign controllers' limit
            assert "transparency" not in gif.info and not gif.has_transparency_data
            assert gif.convert("RGB").tobytes() == png.convert("RGB").tobytes(), slide["gif"]
            if name == "drip-tekst":  # one bit stays one bit: black and white, nothing else
                colours = {c for _, c in gif.convert("RGB").getcolors(4) or []}
                assert colours == {(0, 0, 0), (255, 255, 255)}
                assert gif_table_entries(data) <= 4  # Pillow's least; GIF codes need 2 bits
            else:
                assert gif_table_entries(data) <= 256


@pytest.mark.parametrize("color", ["mono1", "amber", "gray8", "rgb"])
@pytest.mark.parametrize("key", ["long", "accented", "arabic"])
def test_gif_has_the_png_pixels_in_every_colour_mode(color: str, key: str) -> None:
    profile = DisplayProfile("sign", 240, 144, color, "text", pictogram=color == "rgb")
    face = displays.draw_text_phase(profile, ["KIND ALARM", HARD_NAMES[key], "VERMIST"],
                                    "KIND ALARM")
    png = Image.open(io.BytesIO(displays.encode_display(face, "png")))
    gif = Image.open(io.BytesIO(displays.encode_display(face, "gif")))
    assert gif.format == "GIF" and gif.mode == "P" and not gif.has_transparency_data
    assert gif.convert("RGB").tobytes() == png.convert("RGB").tobytes()


def test_gif_of_a_photo_is_256_colours_without_alpha() -> None:
    noise = Image.effect_noise((240, 144), 80).convert("RGB")
    gif = Image.open(io.BytesIO(displays.encode_display(noise, "gif")))
    assert gif.mode == "P" and gif.size == noise.size and not gif.has_transparency_data
    assert len(gif.getcolors(256) or []) <= 256


@pytest.mark.parametrize(("table", "words"), [
    ('formats = ["gif"]', 'formats: must include "png"'),
    ('formats = ["png", "gif"]\nwidth = 1920\nheight = 1080',
     "gif is for sign controllers of at most 240x144, not 1920x1080"),
])
def test_bad_display_formats_are_one_clear_error(site: SiteDir, table: str, words: str) -> None:
    size = "" if "width" in table else "width = 96\nheight = 32\n"
    site.settings_text(f"[displays.bord]\n{size}{table}\n")
    with pytest.raises(ConfigError) as error:
        load_settings(site.root)
    assert words in str(error.value) and "\n" not in str(error.value)
