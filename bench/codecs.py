"""Issue 21, item 1: the image codecs side by side, for the images of one urgent publish.

    .venv/bin/python bench/codecs.py [--rounds 9] [--no-record]

For the same 12-megapixel JPEG and the same urgent images as figure 2 of bench/run.py (the
web photo and every display slide, read back from a build of the Utrecht example), each
candidate does the three steps the pipeline does, timed apart, single-threaded:

- decode: the JPEG to at least 1600 px on its long side (Pillow `draft` + LANCZOS thumbnail,
  as before libvips; simplejpeg with libjpeg-turbo DCT scaling; libvips shrink-on-load);
- resize: to each image's size (fit and crop where the aspect differs), LANCZOS;
- encode: each image in its format (JPEG q85 for the photo, PNG for slides).

Quality: every candidate's image is compared with Pillow's (the output before libvips) by PSNR
over the RGB pixels; a candidate is only fit to adopt when every image is at least 40 dB (a visible
difference starts well below) and the sizes and modes are the same. A candidate that is not
installed is reported as such (`make bench` installs simplejpeg; libvips is a dependency).
"""

from __future__ import annotations

import argparse
import io
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageOps, ImageStat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

LONG_SIDE = 1600  # the pipeline's master photo (render/drawing/photo.py MASTER_SIDE)
PSNR_FLOOR = 40.0
Spec = tuple[tuple[int, int], str, str, dict]  # size, mode, format, save options


def psnr(a: Image.Image, b: Image.Image) -> float:
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    mse = sum(v * v for v in ImageStat.Stat(diff).rms) / 3
    return math.inf if mse == 0 else 10 * math.log10(255 * 255 / mse)


def fitted(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if size[0] * image.height == size[1] * image.width:
        return image.resize(size, Image.Resampling.LANCZOS)
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS)


# --- the candidates: (decode, resize, encode) ---------------------------------------------------


def pillow_decode(data: bytes) -> Image.Image:
    source = Image.open(io.BytesIO(data))
    longest = max(source.size)
    source.draft("RGB", (-(-source.width * LONG_SIDE // longest),
                         -(-source.height * LONG_SIDE // longest)))
    source.load()
    source.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return source


def pillow_encode(image: Image.Image, spec: Spec) -> bytes:
    _, mode, fmt, options = spec
    out = io.BytesIO()
    (image.convert(mode) if image.mode != mode else image).save(out, fmt, **options)
    return out.getvalue()


def simplejpeg_decode(data: bytes) -> Image.Image:
    import simplejpeg

    width, height, _, _ = simplejpeg.decode_jpeg_header(data)
    scale = max(1, min(8, max(width, height) // LONG_SIDE))
    while scale not in (1, 2, 4, 8):
        scale -= 1
    pixels = simplejpeg.decode_jpeg(data, colorspace="RGB", min_width=width // scale,
                                    min_height=height // scale, fastdct=False)
    image = Image.fromarray(pixels)
    image.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return image


def simplejpeg_encode(image: Image.Image, spec: Spec) -> bytes:
    import numpy
    import simplejpeg

    if spec[2] != "JPEG":
        return pillow_encode(image, spec)
    data: bytes = simplejpeg.encode_jpeg(numpy.asarray(image.convert("RGB")), quality=85,
                                         colorspace="RGB")
    return data


def vips_decode(data: bytes) -> Image.Image:
    import pyvips

    thumb = pyvips.Image.thumbnail_buffer(data, LONG_SIDE, height=LONG_SIDE)
    return Image.frombytes("RGB", (thumb.width, thumb.height), thumb.write_to_memory())


def vips_resize(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    import pyvips

    source = pyvips.Image.new_from_memory(image.tobytes(), image.width, image.height, 3,
                                          "uchar")
    scale = max(size[0] / image.width, size[1] / image.height)
    resized = source.resize(scale, kernel="lanczos3")
    left, top = (resized.width - size[0]) // 2, (resized.height - size[1]) // 2
    cropped = resized.crop(max(0, left), max(0, top), size[0], size[1])
    return Image.frombytes("RGB", size, cropped.write_to_memory())


def vips_encode(image: Image.Image, spec: Spec) -> bytes:
    import pyvips

    _, mode, fmt, options = spec
    if mode not in ("RGB",) or fmt not in ("JPEG", "PNG"):
        return pillow_encode(image, spec)
    source = pyvips.Image.new_from_memory(image.tobytes(), image.width, image.height, 3,
                                          "uchar")
    data: bytes = (source.jpegsave_buffer(Q=85, optimize_coding=True, interlace=True,
                                          keep="none") if fmt == "JPEG"
                   else source.pngsave_buffer(compression=options.get("compress_level", 6),
                                              keep="none"))
    return data


CANDIDATES: dict[str, tuple[Callable[[bytes], Image.Image],
                            Callable[[Image.Image, tuple[int, int]], Image.Image],
                            Callable[[Image.Image, Spec], bytes]]] = {
    "Pillow (before libvips)": (pillow_decode, fitted, pillow_encode),
    "simplejpeg + Pillow": (simplejpeg_decode, fitted, simplejpeg_encode),
    "libvips (pyvips)": (vips_decode, vips_resize, vips_encode),
}


def measure(data: bytes, specs: list[Spec], rounds: int
            ) -> dict[str, tuple[list[float], list[float], list[float], float] | str]:
    results: dict[str, tuple[list[float], list[float], list[float], float] | str] = {}
    reference = [fitted(pillow_decode(data), spec[0]) for spec in specs]
    for name, (decode, resize, encode) in CANDIDATES.items():
        try:
            decode(data)
        except ImportError as exc:
            results[name] = f"not installed ({exc.name})"
            continue
        decoding, resizing, encoding = [], [], []
        for _ in range(rounds):
            started = time.perf_counter()
            master = decode(data)
            decoded = time.perf_counter()
            images = [resize(master, spec[0]) for spec in specs]
            resized = time.perf_counter()
            for image, spec in zip(images, specs, strict=True):
                encode(image, spec)
            encoding.append(time.perf_counter() - resized)
            decoding.append(decoded - started)
            resizing.append(resized - decoded)
        worst = min(psnr(image, ref) for image, ref in zip(images, reference, strict=True))
        results[name] = (decoding, resizing, encoding, worst)
    return results


def urgent_specs(photo: bytes) -> list[Spec]:
    """The urgent images of the Utrecht example with the bench's 12 MP photo, as figure 2."""
    from run import new_site, urgent_images

    from render.pipeline.build import Builder

    with tempfile.TemporaryDirectory() as temp:
        alerts, out = new_site(Path(temp))
        (alerts / "photos" / "sanne.jpg").write_bytes(photo)
        with Builder(Path(temp), alerts, out) as builder:
            builder.run()
        return urgent_images(out, "2026-utrecht-sanne")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    from run import jpeg_bytes, record, revision

    photo = jpeg_bytes((4000, 3000))
    specs = urgent_specs(photo)
    results = measure(photo, specs, args.rounds)
    lines = [f"\n## codecs, {revision()}: {len(specs)} urgent images of one 12 MP drop, "
             f"median of {args.rounds}, one thread\n\n",
             "| candidate | decode | resize | encode | total | worst PSNR vs Pillow |\n",
             "| --- | --- | --- | --- | --- | --- |\n"]
    for name, result in results.items():
        if isinstance(result, str):
            lines.append(f"| {name} | {result} | | | | |\n")
            continue
        decoding, resizing, encoding, worst = result
        parts = [statistics.median(x) for x in (decoding, resizing, encoding)]
        fit = "" if worst >= PSNR_FLOOR else f" (below {PSNR_FLOOR:.0f} dB)"
        lines.append(f"| {name} | {parts[0]:.3f} s | {parts[1]:.3f} s | {parts[2]:.3f} s | "
                     f"{sum(parts):.3f} s | {worst:.1f} dB{fit} |\n")
    print("".join(lines))
    if not args.no_record:
        record(lines)


if __name__ == "__main__":
    main()
