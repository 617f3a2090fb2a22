"""libvips (pyvips) for the image steps an urgent publish waits for: decoding a JPEG photo
with shrink-on-load, resizing, and writing RGB and grey PNGs. Pillow stays for everything
else (see docs/architecture.md, "Codecs weighed"): drawing, other photo formats, JPEG
writing, one-bit and palette images.

Images cross between the two as raw pixels in memory; the rest of the tool sees Pillow
images only. pyvips ships no types: this module is its typed edge.
"""

from __future__ import annotations

from typing import Any

import pyvips
from PIL import Image

# One libvips thread per call: the render threads (publish.WORKERS) already give every core
# an image of its own, and more threads per image only wait for each other.
THREADS = 1
pyvips.concurrency_set(THREADS)
# No operation cache: every call is on new pixels, and a cache would only hold memory.
pyvips.cache_set_max(0)

_BANDS = {"RGB": 3, "L": 1}
_MODES = {bands: mode for mode, bands in _BANDS.items()}


class VipsError(Exception):
    """libvips could not decode the image (damaged, truncated)."""


def handles(image: Image.Image) -> bool:
    """Whether the image is of a mode these functions take (8-bit RGB or grey)."""
    return image.mode in _BANDS


def jpeg_header(data: bytes) -> tuple[int, int, int, int]:
    """(width, height, bands, EXIF orientation 1-8) of a JPEG, from its header only."""
    try:
        header: Any = pyvips.Image.new_from_buffer(data, "", access="sequential")
        orientation = (int(header.get("orientation"))
                       if header.get_typeof("orientation") else 1)
        return int(header.width), int(header.height), int(header.bands), orientation
    except pyvips.Error as exc:
        raise VipsError(_first_line(exc)) from None


def decode_jpeg(data: bytes, size: tuple[int, int]) -> Image.Image:
    """The JPEG upright (EXIF orientation), scaled to exactly `size` (libjpeg scales down
    while decoding, then a LANCZOS reduction), as an RGB image. A truncated file is an
    error, not an image with a grey lower half."""
    try:
        thumb: Any = pyvips.Image.thumbnail_buffer(
            data, size[0], height=size[1], size="force", option_string="fail_on=truncated")
        if thumb.bands == 1:
            thumb = thumb.bandjoin([thumb, thumb])
        pixels = thumb.write_to_memory()
    except pyvips.Error as exc:
        raise VipsError(_first_line(exc)) from None
    if (thumb.width, thumb.height) != size or thumb.bands != 3 or thumb.format != "uchar":
        raise VipsError(f"decoded as {thumb.width}x{thumb.height}x{thumb.bands} "
                        f"{thumb.format}, not {size[0]}x{size[1]} RGB")
    return Image.frombytes("RGB", size, pixels)


def resize(image: Image.Image, size: tuple[int, int],
           box: tuple[float, float, float, float] | None = None) -> Image.Image:
    """`image.resize(size, LANCZOS, box=box)`: the region `box` (left, top, right, bottom,
    fractions allowed) of an RGB or grey image scaled to exactly `size`."""
    left, top, right, bottom = box or (0, 0, image.width, image.height)
    hscale, vscale = size[0] / (right - left), size[1] / (bottom - top)
    scaled: Any = _from_pillow(image).resize(hscale, vscale=vscale, kernel="lanczos3")
    x = min(max(0, round(left * hscale)), max(0, scaled.width - size[0]))
    y = min(max(0, round(top * vscale)), max(0, scaled.height - size[1]))
    cropped = scaled.crop(x, y, min(size[0], scaled.width - x), min(size[1], scaled.height - y))
    if (cropped.width, cropped.height) != size:  # a pixel short after rounding: repeat the edge
        cropped = cropped.gravity("north-west", size[0], size[1], extend="copy")
    return _to_pillow(cropped, image.mode)


def png(image: Image.Image, compression: int) -> bytes:
    """An RGB or grey image as PNG, pixels only (no metadata), with zlib `compression`
    and no row filters."""
    data: bytes = _from_pillow(image).pngsave_buffer(compression=compression, filter="none",
                                                     keep="none")
    return _without_chunk(data, b"pHYs")


def _without_chunk(data: bytes, kind: bytes) -> bytes:
    """The PNG without its chunks of `kind`: libvips always writes a pHYs (a resolution of
    its own, 1 pixel per mm) that `keep="none"` leaves in; Pillow writes none."""
    at = 8  # after the signature
    while at + 8 <= len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        end = at + 12 + length  # length, type, data, CRC
        if data[at + 4:at + 8] == kind:
            return data[:at] + data[end:]  # a PNG has one at most
        if data[at + 4:at + 8] == b"IDAT":  # libvips writes it before the pixels
            break
        at = end
    return data


def _from_pillow(image: Image.Image) -> Any:
    return pyvips.Image.new_from_memory(image.tobytes(), image.width, image.height,
                                        _BANDS[image.mode], "uchar")


def _to_pillow(image: Any, mode: str) -> Image.Image:
    return Image.frombytes(mode, (image.width, image.height), image.write_to_memory())


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else "libvips error"
