"""The photo an alert file names: where it may be, and header-only checks (format, pixel
count) before any pixel is decoded, so a decompression bomb never gets far; then, for a live
alert, that all of it decodes."""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from pathlib import Path, PurePosixPath
from typing import Any

from .files import file_identity
from .model import Alert, PhotoFile
from .problems import Problem, shown

MAX_PHOTO_BYTES = 40_000_000
MAX_PHOTO_PIXELS = 50_000_000
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")
# Photo facts by file identity (see `file_identity`): [sha256, format, width, height].
PhotoFingerprints = dict[str, list[Any]]


def check_photo(relative: str, alert_file: Path, alert_dir: Path, problems: list[Problem],
                fingerprints: PhotoFingerprints | None = None) -> PhotoFile | None:
    """Header-only checks of a photo named in an alert file. `fingerprints` (kept by the
    publisher's state) spare a new process reading and hashing every photo again, which
    would be most of a rebuild with nothing to do."""
    name = "child.photo"
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", relative) or ".." in pure.parts:
        problems.append(Problem(name, f"{shown(relative)} must be a path inside the alert "
                                      "directory, like photos/name.jpg (no .. and no leading /)"))
        return None
    full = alert_file.parent / pure
    try:
        real = full.resolve(strict=True)
    except (OSError, RuntimeError):
        problems.append(Problem(name, f"{relative}: no such file; add the photo to the alert "
                                      "directory or fix the name"))
        return None
    if not real.is_relative_to(alert_dir.resolve()):
        problems.append(Problem(name, f"{relative} links to a file outside the alert directory"))
        return None
    if not real.is_file():
        problems.append(Problem(name, f"{relative} is not a file"))
        return None
    st = real.stat()
    size = st.st_size
    identity = file_identity(st) if fingerprints is not None else None
    if identity and (known := (fingerprints or {}).get(identity)):
        sha256, fmt, width, height = known  # checked when it was first seen
        return PhotoFile(path=real, sha256=sha256, format=fmt, width=width, height=height,
                         size=size)
    if size > MAX_PHOTO_BYTES:
        problems.append(Problem(name, f"{relative} is {size / 1e6:.0f} MB; a photo is at most "
                                      f"{MAX_PHOTO_BYTES // 1_000_000} MB"))
        return None
    data = real.read_bytes()
    from PIL import Image  # only here: `validate` of a file without photo stays instant

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt, (width, height) = image.format, image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        fmt, width, height = "bomb", MAX_PHOTO_PIXELS + 1, 1
    except (OSError, ValueError, SyntaxError):
        problems.append(Problem(name, f"{relative} is not a JPEG, PNG or WebP image "
                                      "(or it is damaged)"))
        return None
    if fmt not in PHOTO_FORMATS and fmt != "bomb":
        problems.append(Problem(name, f"{relative} is a {fmt} image; use JPEG, PNG or WebP"))
        return None
    if width * height > MAX_PHOTO_PIXELS:
        problems.append(Problem(name, f"{relative} has too many pixels; a photo is at most "
                                      f"{MAX_PHOTO_PIXELS // 1_000_000} megapixels"))
        return None
    sha256 = hashlib.sha256(data).hexdigest()
    if identity and fingerprints is not None:
        fingerprints[identity] = [sha256, fmt, width, height]
    return PhotoFile(path=real, sha256=sha256, format=fmt, width=width, height=height,
                     size=size)


def damaged_photo(error: Exception) -> Problem:
    """How `build` and `validate` both report a photo that does not decode whole."""
    return Problem("child.photo", str(error))


def photo_decode_problems(alert: Alert) -> list[Problem]:
    """What `build` checks of a live alert's photo beyond its header: that all of it
    decodes (a truncated JPEG has a good header). `validate` asks the same."""
    photo = alert.child.photo
    if photo is None or alert.status != "active":
        return []
    from ..drawing.photo import PhotoStore  # Pillow: only for files with a photo

    store = PhotoStore()
    store.add(photo.sha256, photo.path)
    return [damaged_photo(error) for error in store.decode_all([photo.sha256]).values()]
