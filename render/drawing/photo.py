"""The photo pipeline: decode once, fast, upright; save anything without metadata.

Every image the tool publishes goes through `encode()`, which writes pixels only: no EXIF
(GPS above all), no XMP, no comments, no ICC profile. JPEG photos are decoded with `draft()`
(libjpeg scales down while decoding), so a 12-megapixel photo costs a fraction of a full decode.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFile, ImageOps

from ..alert.photos import MAX_PHOTO_PIXELS
from ..outlets.once import Once

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
    out = image.copy()
    out.thumbnail((long_side, long_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return out


def cover(image: Image.Image, size: tuple[int, int], focus: tuple[float, float]) -> Image.Image:
    """Crop and scale to fill `size`, keeping the focus point (x, y in 0-1) in view."""
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS, centering=focus)


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    """Image bytes with no metadata at all: only the pixels are written."""
    clean = image.copy()
    clean.info = {}  # Pillow copies e.g. comments and ICC profiles from `info` when saving
    buffer = io.BytesIO()
    if fmt == "JPEG":
        options = {"quality": 85, "optimize": True, "progressive": True, **options}
    elif fmt == "PNG":
        options = {"optimize": False, "compress_level": 6, **options}
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


@dataclass(frozen=True)
class Pixels:
    """A decoded photo as raw pixels, as a worker process is sent it: a pickled Image is
    copied twice on the way, its raw bytes are not."""

    mode: str
    size: tuple[int, int]
    data: bytes

    def image(self) -> Image.Image:
        return Image.frombytes(self.mode, self.size, self.data)


DECODED_KEPT = 4


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
        release the GIL, so every core works. Returns why each damaged one failed."""
        todo = list(dict.fromkeys(sha256s))
        threads = min(len(todo), os.cpu_count() or 1)
        if threads < 2:  # the watcher's usual case: one new photo, no pool to start
            failures = [self._failure(sha) for sha in todo]
        else:
            with ThreadPoolExecutor(threads, thread_name_prefix="kindalarm-decode") as pool:
                failures = list(pool.map(self._failure, todo))
        return {sha: error for sha, error in zip(todo, failures, strict=True)
                if error is not None}

    def _failure(self, sha256: str) -> PhotoError | None:
        try:
            self.image(sha256)
        except PhotoError as exc:
            return exc
        return None

    def pixels(self, sha256: str) -> Pixels:
        """The decoded photo's pixels, taken once a run (for worker processes)."""

        def take() -> Pixels:
            image = self.image(sha256)
            return Pixels(image.mode, image.size, image.tobytes())

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
