"""Figure 2: the floors, the urgent images made with bare codecs and nothing else."""

from __future__ import annotations

import io
import time
from concurrent.futures import ThreadPoolExecutor

from common import VIPS_THREADS, WORKERS
from PIL import Image


def floor(photo: bytes, images: list[tuple[tuple[int, int], str, str, dict]], rounds: int
          ) -> list[float]:
    """The unavoidable image work of one urgent publish, with nothing else around it."""
    times = []
    for _ in range(rounds):
        started = time.monotonic()
        source = Image.open(io.BytesIO(photo))
        # Ask for the thumbnail's own size: a square request keeps a 4:3 photo at full scale.
        longest = max(source.size)
        source.draft("RGB", (-(-source.width * 1600 // longest),
                             -(-source.height * 1600 // longest)) if longest > 1600 else None)
        source.load()
        source.thumbnail((1600, 1600), Image.Resampling.LANCZOS, reducing_gap=2.0)
        for size, mode, fmt, options in images:
            image = source.copy()
            if size[0] * source.height == size[1] * source.width:
                image = image.resize(size, Image.Resampling.LANCZOS)
            else:
                from PIL import ImageOps
                image = ImageOps.fit(image, size, Image.Resampling.LANCZOS)
            if mode != image.mode:
                image = image.convert(mode)
            image.save(io.BytesIO(), fmt, **options)
        times.append(time.monotonic() - started)
    return times


def new_floor(photo: bytes, images: list[tuple[tuple[int, int], str, str, dict]], rounds: int
              ) -> list[float]:
    """`floor` with the fastest codecs and the pipeline's threads (see the docstring, 2n)."""
    import pyvips

    pyvips.concurrency_set(VIPS_THREADS)
    pyvips.cache_set_max(0)

    def make(master: pyvips.Image, size: tuple[int, int], mode: str, fmt: str, options: dict
             ) -> None:
        image = master.thumbnail_image(size[0], height=size[1], crop="centre")
        if fmt == "PNG" and mode in ("RGB", "L") and "bits" not in options:
            if mode == "L":
                image = image.colourspace("b-w")
            image.pngsave_buffer(compression=options.get("compress_level", 6), filter="none",
                                 keep="none")
            return
        pixels = Image.frombytes("RGB", size, image.write_to_memory())
        (pixels.convert(mode) if mode != "RGB" else pixels).save(io.BytesIO(), fmt, **options)

    times = []
    for _ in range(rounds):
        started = time.monotonic()
        thumb = pyvips.Image.thumbnail_buffer(photo, 1600, height=1600, size="down")
        master = pyvips.Image.new_from_memory(thumb.write_to_memory(), thumb.width,
                                              thumb.height, thumb.bands, "uchar")
        with ThreadPoolExecutor(WORKERS) as pool:
            for done in [pool.submit(make, master, *spec) for spec in images]:
                done.result()
        times.append(time.monotonic() - started)
    return times
