"""Draw the fictional child "photos" used by the examples and tests.

Every picture this script makes is a *drawn illustration*, built from ellipses
and polygons with Pillow: a coloured background, a stylised head and shoulders,
and per-child variation in skin tone, hair shape and colour, eye colour, mouth,
clothing and a few accessories. No real photograph is used or needed, so no
real child is ever shown in the repository, its tests or its demo output.

The output is deterministic: the same seed and size always give the same
pixels (a fixed ``random.Random(seed)`` drives every choice, including the
film-grain noise that makes the JPEGs compress like real photos).

Usage::

    python tools/make_example_photos.py                  # the six example children
    python tools/make_example_photos.py --out DIR --size 1200x1500
    python tools/make_example_photos.py --out /tmp --name bench --seed 7 --size 4000x3000

In Python::

    from tools.make_example_photos import draw_portrait
    image = draw_portrait(seed=3, size=(1600, 2000))
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

Color = tuple[int, int, int]

#: The example children (all fictional) and the seed each portrait is drawn from.
CHILDREN: dict[str, int] = {
    "sanne": 8,
    "daan": 1,
    "noor": 6,
    "milan": 4,
    "lotte": 12,
    "finn": 19,
}

DEFAULT_SIZE: tuple[int, int] = (1600, 2000)
DEFAULT_QUALITY = 88
DEFAULT_OUT = Path("examples/alerts/photos")

SKIN_TONES: list[Color] = [
    (255, 226, 200),
    (244, 200, 166),
    (228, 178, 136),
    (204, 145, 102),
    (166, 108, 70),
    (120, 76, 48),
    (92, 58, 38),
]
HAIR_COLORS: list[Color] = [
    (36, 26, 20),  # near black
    (78, 50, 30),  # dark brown
    (128, 84, 46),  # brown
    (214, 170, 92),  # blond
    (238, 212, 150),  # light blond
    (170, 72, 34),  # red
]
EYE_COLORS: list[Color] = [
    (92, 56, 30),  # brown
    (60, 110, 170),  # blue
    (70, 120, 80),  # green
    (130, 100, 50),  # hazel
    (110, 120, 130),  # grey
]
SHIRT_COLORS: list[Color] = [
    (214, 48, 49),
    (9, 132, 227),
    (253, 203, 110),
    (0, 184, 148),
    (108, 92, 231),
    (225, 112, 85),
    (232, 67, 147),
    (45, 52, 54),
]
BACKGROUNDS: list[tuple[Color, Color]] = [
    ((187, 222, 251), (120, 170, 220)),
    ((255, 236, 179), (240, 190, 110)),
    ((200, 230, 201), (130, 190, 140)),
    ((225, 190, 231), (170, 130, 190)),
    ((255, 205, 210), (230, 140, 150)),
    ((207, 216, 220), (140, 160, 170)),
    ((178, 235, 242), (100, 190, 200)),
]
HAIR_STYLES = ("short", "long", "curly", "bun", "pigtails", "buzz", "bob")
MOUTHS = ("smile", "grin", "small")
SHIRT_PATTERNS = ("plain", "stripes", "collar", "hoodie")


def _shade(color: Color, factor: float) -> Color:
    """Darken (factor < 1) or lighten (factor > 1) a colour."""
    if factor <= 1:
        return tuple(int(c * factor) for c in color)  # type: ignore[return-value]
    return tuple(int(c + (255 - c) * (factor - 1)) for c in color)  # type: ignore[return-value]


def _mix(a: Color, b: Color, t: float) -> Color:
    return tuple(int(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


class _Canvas:
    """Maps figure units (the figure is 80 units wide, 100 tall) to pixels."""

    def __init__(self, image: Image.Image) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)
        w, h = image.size
        self.u = min(w / 80, h / 100)
        self.cx = w / 2
        self.y0 = h - 100 * self.u  # figure stands on the bottom edge

    def pt(self, x: float, y: float) -> tuple[float, float]:
        return (self.cx + x * self.u, self.y0 + y * self.u)

    def box(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [*self.pt(x0, y0), *self.pt(x1, y1)]

    def px(self, units: float) -> int:
        return max(1, round(units * self.u))

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, fill: Color) -> None:
        self.draw.ellipse(self.box(cx - rx, cy - ry, cx + rx, cy + ry), fill=fill)

    def polygon(self, points: list[tuple[float, float]], fill: Color) -> None:
        self.draw.polygon([self.pt(x, y) for x, y in points], fill=fill)


def _background(size: tuple[int, int], top: Color, bottom: Color) -> Image.Image:
    gradient = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), gradient)


def _shirt(c: _Canvas, rng: random.Random, color: Color, skin: Color) -> None:
    pattern = rng.choice(SHIRT_PATTERNS)
    w, h = c.image.size
    mask = Image.new("L", (w, h), 0)
    mdraw = ImageDraw.Draw(mask)
    # Shoulders: a wide rounded body rising from the bottom edge.
    mdraw.rounded_rectangle(c.box(-38, 72, 38, 140), radius=c.px(16), fill=255)
    fabric = Image.new("RGB", (w, h), color)
    if pattern == "stripes":
        fdraw = ImageDraw.Draw(fabric)
        stripe = _shade(color, 1.55) if sum(color) < 400 else _shade(color, 0.7)
        y = 74.0
        while y < 104:
            fdraw.rectangle(c.box(-40, y, 40, y + 2.2), fill=stripe)
            y += 5.0
    c.image.paste(fabric, (0, 0), mask)
    # Neck opening.
    c.draw.arc(c.box(-9, 67, 9, 77.5), start=0, end=180, fill=_shade(color, 0.75), width=c.px(2))
    c.draw.chord(c.box(-7.5, 67, 7.5, 76), start=0, end=180, fill=_shade(skin, 0.9))
    if pattern == "collar":
        white: Color = (245, 245, 240)
        c.polygon([(-9, 70), (0, 78), (-3, 83), (-12, 74)], white)
        c.polygon([(9, 70), (0, 78), (3, 83), (12, 74)], white)
    elif pattern == "hoodie":
        hood = _shade(color, 0.8)
        c.draw.arc(c.box(-15, 62, 15, 84), start=20, end=160, fill=hood, width=c.px(3))
        cord = (240, 240, 240)
        for x in (-4.0, 4.0):
            c.draw.line([c.pt(x, 79), c.pt(x, 90)], fill=cord, width=c.px(0.8))


def _hair_back(c: _Canvas, style: str, hair: Color) -> None:
    if style == "long":
        c.draw.rounded_rectangle(c.box(-22, 20, 22, 82), radius=c.px(14), fill=hair)
    elif style == "bob":
        c.draw.rounded_rectangle(c.box(-21.5, 19, 21.5, 62), radius=c.px(12), fill=hair)
    elif style == "bun":
        c.ellipse(0, 15, 8, 7, hair)
    elif style == "pigtails":
        for side in (-1, 1):
            c.ellipse(side * 23, 50, 5, 10, hair)
            c.ellipse(side * 19.5, 40, 3, 3, (230, 60, 90))  # hair tie


def _hair_front(c: _Canvas, style: str, hair: Color, rng: random.Random) -> None:
    """Hair on top of the head: a cap around the skull minus the face below the hairline."""
    w, h = c.image.size
    mask = Image.new("L", (w, h), 0)
    mdraw = ImageDraw.Draw(mask)
    if style == "curly":
        mdraw.ellipse(c.box(-19, 18, 19, 62), fill=255)
        for i in range(13):
            t = i / 12
            x = -19 + 38 * t
            y = 37 - 16 * (1 - (2 * t - 1) ** 2) ** 0.5
            mdraw.ellipse(c.box(x - 5.2, y - 5.2, x + 5.2, y + 5.2), fill=255)
        hairline = [(-15.5, 40), (-10, 33), (0, 31), (10, 33), (15.5, 40)]
    elif style == "buzz":
        mdraw.ellipse(c.box(-17.6, 20.3, 17.6, 63), fill=255)
        hairline = [(-16, 38), (-12, 30), (0, 28.5), (12, 30), (16, 38)]
    else:
        mdraw.ellipse(c.box(-18.8, 18.5, 18.8, 64), fill=255)
        if style == "short":
            part = rng.uniform(-7, 7)
            hairline = [(-15.5, 40), (-14, 33), (part, 29.5), (14, 32), (15.5, 40)]
        elif rng.random() < 0.5:  # straight bangs
            hairline = [(-16, 42), (-14.5, 35), (-6, 34), (6, 34), (14.5, 35), (16, 42)]
        else:  # side-swept fringe
            hairline = [(-16, 42), (-15, 33), (-8, 31), (4, 33), (12, 35.5), (16, 42)]
    # Clear the face: everything below the hairline, and below the temples.
    face = [(hairline[0][0], 90.0), *hairline, (hairline[-1][0], 90.0)]
    mdraw.polygon([c.pt(x, y) for x, y in face], fill=0)
    mdraw.rectangle(c.box(-40, 42, 40, 100), fill=0)
    c.image.paste(Image.new("RGB", (w, h), hair), (0, 0), mask)
    # A simple highlight streak.
    c.draw.arc(c.box(-12, 22, 6, 40), start=200, end=250, fill=_shade(hair, 1.35), width=c.px(1.2))


def _face(c: _Canvas, rng: random.Random, skin: Color, hair: Color) -> None:
    eye_color = rng.choice(EYE_COLORS)
    eye_y = 43 + rng.uniform(-1, 1)
    eye_dx = 7 + rng.uniform(-0.6, 0.6)
    brow = _shade(hair, 0.8)
    for side in (-1, 1):
        x = side * eye_dx
        c.ellipse(x, eye_y, 3.3, 2.3, (250, 250, 250))
        c.ellipse(x, eye_y, 1.9, 1.9, eye_color)
        c.ellipse(x, eye_y, 0.95, 0.95, (20, 20, 25))
        c.ellipse(x + 0.6, eye_y - 0.6, 0.4, 0.4, (255, 255, 255))
        tilt = rng.uniform(-0.6, 0.6) * side
        c.draw.line(
            [c.pt(x - 3.2, eye_y - 4.2 + tilt), c.pt(x + 3.2, eye_y - 4.6 - tilt)],
            fill=brow,
            width=c.px(1.0),
        )
    # Cheeks and nose.
    blush = _mix(skin, (235, 120, 120), 0.25)
    for side in (-1, 1):
        c.ellipse(side * 10.5, 50.5, 3.2, 2.0, blush)
    c.draw.arc(
        c.box(-1.8, 46.5, 1.8, 50.5), start=20, end=160, fill=_shade(skin, 0.7), width=c.px(0.7)
    )
    if rng.random() < 0.35:  # freckles
        freckle = _shade(skin, 0.72)
        for _ in range(14):
            side = rng.choice((-1, 1))
            c.ellipse(side * rng.uniform(6, 13), rng.uniform(47, 52), 0.35, 0.35, freckle)
    # Mouth.
    mouth = rng.choice(MOUTHS)
    lips = _mix(_shade(skin, 0.6), (170, 40, 50), 0.5)
    if mouth == "grin":
        c.draw.chord(c.box(-5, 50.5, 5, 57.5), start=0, end=180, fill=(120, 30, 40))
        c.draw.chord(c.box(-4.2, 50.8, 4.2, 55), start=0, end=180, fill=(250, 250, 250))
    elif mouth == "smile":
        c.draw.arc(c.box(-5, 50, 5, 56), start=20, end=160, fill=lips, width=c.px(1.0))
    else:
        c.draw.arc(c.box(-3, 52.5, 3, 55.5), start=25, end=155, fill=lips, width=c.px(0.9))
    if rng.random() < 0.2:  # glasses
        frame: Color = rng.choice([(30, 30, 30), (150, 40, 40), (40, 70, 150)])
        for side in (-1, 1):
            x = side * eye_dx
            c.draw.ellipse(
                c.box(x - 4.6, eye_y - 3.8, x + 4.6, eye_y + 3.8), outline=frame, width=c.px(0.7)
            )
        c.draw.line(
            [c.pt(-eye_dx + 4.6, eye_y), c.pt(eye_dx - 4.6, eye_y)], fill=frame, width=c.px(0.7)
        )


def _grain(image: Image.Image, rng: random.Random, strength: int = 4) -> Image.Image:
    """Add deterministic monochrome film grain (keeps JPEG sizes photo-like)."""
    w, h = image.size
    noise = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    noise = noise.point(lambda v: v * (2 * strength) // 255)
    return ImageChops.add(image, noise.convert("RGB"), 1.0, -strength)


def draw_portrait(seed: int, size: tuple[int, int] = DEFAULT_SIZE) -> Image.Image:
    """Draw a fictional, stylised child portrait as an RGB image of ``size``.

    The same ``seed`` and ``size`` always give the same image. The figure is
    scaled to fit the canvas and stands on its bottom edge, so any aspect ratio
    (portrait or landscape) works.
    """
    width, height = size
    if width < 16 or height < 16:
        raise ValueError(f"portrait size too small: {size}")
    rng = random.Random(seed)
    top, bottom = rng.choice(BACKGROUNDS)
    skin = rng.choice(SKIN_TONES)
    hair = rng.choice(HAIR_COLORS)
    style = rng.choice(HAIR_STYLES)
    shirt = rng.choice(SHIRT_COLORS)

    image = _background((width, height), top, bottom)
    c = _Canvas(image)
    # Back to front: hair behind the head, neck, shirt, ears, head, hair, face.
    _hair_back(c, style, hair)
    c.draw.rectangle(c.box(-6.5, 55, 6.5, 74), fill=_shade(skin, 0.9))
    _shirt(c, rng, shirt, skin)
    if style == "long":  # long hair falls over the shoulders
        for side in (-1, 1):
            c.draw.rounded_rectangle(
                c.box(side * 22 - 6 * (side > 0), 55, side * 22 + 6 * (side < 0), 86),
                radius=c.px(5),
                fill=hair,
            )
    for side in (-1, 1):
        c.ellipse(side * 17.2, 44, 3.2, 4.6, _shade(skin, 0.95))
    c.ellipse(0, 42, 17, 21, skin)
    _hair_front(c, style, hair, rng)
    _face(c, rng, skin, hair)

    image = image.filter(ImageFilter.GaussianBlur(radius=max(0.6, c.u * 0.06)))
    return _grain(image, rng)


def save_portrait(image: Image.Image, path: Path, quality: int = DEFAULT_QUALITY) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=quality, optimize=True)


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(part) for part in text.lower().split("x"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"size must look like 1600x2000, got {text!r}") from exc
    if w < 16 or h < 16:
        raise argparse.ArgumentTypeError(f"size too small: {text!r}")
    return (w, h)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--size", type=_parse_size, default=DEFAULT_SIZE, help="WxH in pixels (default 1600x2000)"
    )
    parser.add_argument(
        "--quality", type=int, default=DEFAULT_QUALITY, help="JPEG quality (default 88)"
    )
    parser.add_argument("--name", help="draw one portrait, saved as OUT/NAME.jpg")
    parser.add_argument(
        "--seed", type=int, help="seed for --name (default: the example child's seed)"
    )
    args = parser.parse_args(argv)

    if args.name is None:
        if args.seed is not None:
            parser.error("--seed needs --name")
        jobs = list(CHILDREN.items())
    else:
        seed = args.seed if args.seed is not None else CHILDREN.get(args.name)
        if seed is None:
            parser.error(f"--name {args.name!r} is not an example child; give --seed")
        jobs = [(args.name, seed)]

    for name, seed in jobs:
        path = args.out / f"{name}.jpg"
        save_portrait(draw_portrait(seed, args.size), path, args.quality)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
