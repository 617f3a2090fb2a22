"""The photo pipeline: decode once, fast, upright; save anything without metadata.

Every image the tool publishes goes through `encode()`, which writes pixels only: no EXIF
(GPS above all), no XMP, no comments, no ICC profile. JPEG photos are decoded by libvips with
shrink-on-load (libjpeg scales down while decoding), so a 12-megapixel photo costs a fraction
of a full decode; other formats by Pillow. Resizes and RGB PNGs are libvips's too (`vips.py`),
at the sizes Pillow would give.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, ImageOps

from ..alert.photos import MAX_PHOTO_PIXELS
from ..outlets.once import Once
from . import vips
from .pixels import Pixels

# Pillow's own bomb guard, set to our limit: the loader already refused bigger photos, this
# is the second lock on the door for anything that slips past it.
Image.MAX_IMAGE_PIXELS = MAX_PHOTO_PIXELS
MASTER_SIDE = 1600  # long side kept in memory: enough for posters, displays and share images
WEB_SIDE = 1200  # the published web photo (contract section 4)


class PhotoError(Exception):
    """The photo's pixels could not be decoded (damaged, truncated)."""


def decode(path: Path, expected_sha256: str | None = None, long_side: int = MASTER_SIDE
           ) -> Image.Image:
    """Decode a photo to an upright RGB image of at most `long_side` pixels on its long side."""
    data = path.read_bytes()
    if expected_sha256 and hashlib.sha256(data).hexdigest() != expected_sha256:
        raise PhotoError("the photo changed while it was being published; trying again")
    if data[:3] == b"\xff\xd8\xff":  # a JPEG
        decoded = _decode_jpeg(data, long_side)
        if decoded is not None:
            return decoded
    # WeasyPrint sets this Pillow-wide flag to True when it is imported (for the posters),
    # which would let a half-copied photo through with a grey lower half. Not for us.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # An ImageFile at first; exif_transpose and _to_rgb below give plain Images.
            image: Image.Image = Image.open(io.BytesIO(data))
            if image.format == "JPEG":
                # libjpeg decodes at 1/2, 1/4 or 1/8 scale, never below the requested size.
                image.draft("RGB", draft_size(image.size, long_side))
            image.seek(0)  # animated PNG/WebP: the first frame
            image.load()
            image = ImageOps.exif_transpose(image)
            image = _to_rgb(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, EOFError) as exc:
        raise PhotoError(f"the image is damaged or incomplete ({exc})") from None
    # Bicubic: this is the working copy every output is resized from again (with LANCZOS);
    # after draft() it is a small step, and bicubic is cheaper than LANCZOS on the path
    # every new alert waits for.
    image.thumbnail((long_side, long_side), Image.Resampling.BICUBIC, reducing_gap=2.0)
    image.info = {}
    return image


def _decode_jpeg(data: bytes, long_side: int) -> Image.Image | None:
    """An RGB or grey JPEG by libvips, at exactly the size the Pillow path below would give;
    None for a CMYK one (Pillow's path converts it as it always has)."""
    try:
        width, height, bands, orientation = vips.jpeg_header(data)
        if bands not in (1, 3):
            return None
        if width * height > MAX_PHOTO_PIXELS:  # the bomb guard, as Pillow's below
            raise PhotoError(f"the image is damaged or incomplete ({width * height} pixels "
                             f"is more than the limit of {MAX_PHOTO_PIXELS})")
        size = _drafted(width, height, long_side)
        if orientation >= 5:  # turned a quarter: upright, its sides swap
            size = size[::-1]
        return vips.decode_jpeg(data, thumbnail_size(size, long_side))
    except vips.VipsError as exc:
        raise PhotoError(f"the image is damaged or incomplete ({exc})") from None


def _drafted(width: int, height: int, long_side: int) -> tuple[int, int]:
    """The size Pillow's JPEG `draft(draft_size(...))` decodes at: 1/1, 1/2, 1/4 or 1/8."""
    wanted = draft_size((width, height), long_side)
    scale = min(width // wanted[0], height // wanted[1])
    step = next(s for s in (8, 4, 2, 1) if scale >= s)
    return (width + step - 1) // step, (height + step - 1) // step


def thumbnail_size(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    """What Pillow's `thumbnail((long_side, long_side))` makes of `size`: the same aspect,
    its whole-pixel sides rounded as Pillow rounds them, never enlarged."""
    width, height = size
    if long_side >= width and long_side >= height:
        return size
    aspect = width / height

    def rounded(number: float, off: Callable[[int], float]) -> int:
        return max(min(math.floor(number), math.ceil(number), key=off), 1)

    if aspect <= 1:
        return rounded(long_side * aspect, lambda n: abs(aspect - n / long_side)), long_side
    return long_side, rounded(long_side / aspect,
                              lambda n: 0 if n == 0 else abs(aspect - long_side / n))


def draft_size(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    """The size `thumbnail` will make of `size` (rounded up), to ask `draft` for. Asking for a
    square instead would keep a 4000x3000 photo at full scale (1500 < 1600 on its short side),
    so the 12-megapixel decode and its LANCZOS resize cost four times as much."""
    width, height = size
    longest = max(width, height)
    if longest <= long_side:
        return size
    return (-(-width * long_side // longest), -(-height * long_side // longest))


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB for CMYK, palette, 16-bit and transparent photos (transparency on white)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit grey: scale to 8 bits rather than clip to white.
        image = image.point(lambda v: v / 257).convert("L")
    if image.mode in ("RGBA", "LA", "PA", "P", "La", "RGBa"):
        image = image.convert("RGBA")
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, image).convert("RGB")
    return image.convert("RGB")


def fit(image: Image.Image, long_side: int) -> Image.Image:
    """A copy no larger than `long_side` on its long side (never enlarged)."""
    size = thumbnail_size(image.size, long_side)
    if size == image.size:
        return image.copy()
    if not vips.handles(image):
        return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    return vips.resize(image, size)


def cover(image: Image.Image, size: tuple[int, int], focus: tuple[float, float]) -> Image.Image:
    """Crop and scale to fill `size`, keeping the focus point (x, y in 0-1) in view: the
    crop of Pillow's `ImageOps.fit`, scaled by libvips."""
    if not vips.handles(image):
        return ImageOps.fit(image, size, Image.Resampling.LANCZOS, centering=focus)
    width, height = image.size
    wanted = size[0] / size[1]
    crop_w, crop_h = ((width, height) if width / height == wanted else
                      (wanted * height, height) if width / height > wanted else
                      (width, width / wanted))
    x, y = (min(max(f, 0.0), 1.0) for f in focus)
    left, top = (width - crop_w) * x, (height - crop_h) * y
    return vips.resize(image, size, (left, top, left + crop_w, top + crop_h))


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    """Image bytes with no metadata at all: only the pixels are written. RGB and grey PNGs
    by libvips (zlib at `compress_level`, no row filters), the rest by Pillow; JPEGs are
    progressive, with optimised Huffman tables."""
    if fmt == "JPEG":
        options = {"quality": 85, "optimize": True, "progressive": True, **options}
    elif fmt == "PNG":
        level = options.pop("compress_level", 6)
        if vips.handles(image) and not options and isinstance(level, int):
            return vips.png(image, level)
        options = {"optimize": False, "compress_level": level, **options}
    clean = image.copy()
    clean.info = {}  # Pillow copies e.g. comments and ICC profiles from `info` when saving
    buffer = io.BytesIO()
    clean.save(buffer, fmt, **options)
    return buffer.getvalue()


def web_photo(image: Image.Image) -> bytes:
    return encode(fit(image, WEB_SIDE), "JPEG")


@dataclass(frozen=True)
class WebPhotoFacts:
    """What CAP and the feeds state about the published web photo: its length in bytes
    and its SHA-1 (CAP's `digest`)."""

    length: int
    sha1: str


class PhotoFacts:
    """Facts about photos that outlive one build (the watcher keeps its builder): the size of
    the decoded photo and of its web photo's file, by content hash. Pages and feeds that list
    other alerts need only these, so a new alert's publish decodes just its own photo, not
    every photo on the front page again. Sizes and digests only: nothing personal."""

    def __init__(self) -> None:
        self.sizes: dict[str, tuple[int, int]] = {}
        self.web: dict[str, WebPhotoFacts] = {}


DECODED_KEPT = 4
CHECK_SIDE = 256  # long side of a photo decoded only to see that all of it decodes


class PhotoStore:
    """Decoded photos of one build, by content hash: each photo is decoded at most once,
    however many outputs use it, and its web photo encoded at most once (the published
    photo.jpg, CAP and the feeds all need it). Thread-safe so renderers may run in parallel;
    two photos decode at the same time (a lock per photo)."""

    def __init__(self, facts: PhotoFacts | None = None) -> None:
        self.facts = facts or PhotoFacts()
        self._paths: dict[str, Path] = {}
        # A few decoded photos at a time (renderers go alert by alert; the two render threads
        # and the decode pool each hold one): a run of hundreds of alerts must not hold
        # hundreds of decoded 12-megapixel photos. One let go is decoded again if asked for.
        self._images: Once[str, Image.Image] = Once(limit=DECODED_KEPT)
        self._web: Once[str, bytes] = Once(limit=4 * DECODED_KEPT)
        self._pixels: Once[str, Pixels] = Once(limit=DECODED_KEPT)

    def add(self, sha256: str, path: Path) -> None:
        self._paths.setdefault(sha256, path)

    def image(self, sha256: str) -> Image.Image:
        image = self._images.get(sha256, lambda: decode(self._paths[sha256], sha256))
        self.facts.sizes[sha256] = image.size
        return image

    def decode_all(self, sha256s: Iterable[str]) -> dict[str, PhotoError]:
        """Decode these photos (added before), two or so at a time: libjpeg and the resize
        release the GIL, so every core works. Returns why each damaged one failed.

        Only the first `DECODED_KEPT` are decoded for keeps; the others would be let go
        before their alert is rendered, so they are only checked, decoded whole at a small
        size (libjpeg scales by 1/8 while decoding: every byte is still read, so a truncated
        file still fails), and decoded for keeps when rendered."""
        todo = list(dict.fromkeys(sha256s))
        jobs = [(sha, index < DECODED_KEPT) for index, sha in enumerate(todo)]
        threads = min(len(todo), os.cpu_count() or 1)
        if threads < 2:  # the watcher's usual case: one new photo, no pool to start
            failures = [self._failure(*job) for job in jobs]
        else:
            with ThreadPoolExecutor(threads, thread_name_prefix="kindalarm-decode") as pool:
                failures = list(pool.map(lambda job: self._failure(*job), jobs))
        return {sha: error for sha, error in zip(todo, failures, strict=True)
                if error is not None}

    def _failure(self, sha256: str, keep: bool) -> PhotoError | None:
        try:
            if keep:
                self.image(sha256)
            else:
                decode(self._paths[sha256], sha256, long_side=CHECK_SIDE)
        except PhotoError as exc:
            return exc
        return None

    def pixels(self, sha256: str) -> Pixels:
        """The decoded photo's pixels in shared memory, taken once a run (for worker
        processes: render/drawing/pixels.py)."""

        def take() -> Pixels:
            return Pixels.of(self.image(sha256))

        return self._pixels.get(sha256, take)

    def size(self, sha256: str) -> tuple[int, int]:
        """The decoded photo's size, without decoding it again if any build did before."""
        known = self.facts.sizes.get(sha256)
        return known if known is not None else self.image(sha256).size

    def web_photo(self, sha256: str) -> bytes:
        """The bytes of `alerts/ID/VERSION/photo.jpg`."""
        return self._web.get(sha256, lambda: self._encode_web_photo(sha256))

    def _encode_web_photo(self, sha256: str) -> bytes:
        data = web_photo(self.image(sha256))
        self.facts.web[sha256] = WebPhotoFacts(len(data), hashlib.sha1(data).hexdigest())
        return data

    def web_facts(self, sha256: str) -> WebPhotoFacts:
        known = self.facts.web.get(sha256)
        if known is None:
            self.web_photo(sha256)
            known = self.facts.web[sha256]
        return known

    def preload(self, sha256: str, image: Image.Image) -> None:
        self._images.put(sha256, image)
