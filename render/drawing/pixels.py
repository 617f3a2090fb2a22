"""A decoded photo handed to worker processes in shared memory.

A card job used to carry the photo's raw pixels (megabytes) through the pool's pipe: pickled
in the build, sent, read and unpickled in the worker, for each of an alert's three or four
cards, about a fifth of the time of a card. Now the pixels are copied once into a shared
memory segment, and a job carries only its name.

The segment lives as long as the `Pixels` object that made it: that is held by the photo
store (a few at a time) and by every render thread waiting for a job that uses it; when the
last one lets go, the segment is unlinked. The build keeps it mapped meanwhile, so it counts
in the build's own memory. If the build is killed, multiprocessing's resource tracker (a
process of its own, which the workers share) unlinks what is left.
"""

from __future__ import annotations

import weakref
from multiprocessing.shared_memory import SharedMemory
from typing import Any

from PIL import Image


class Pixels:
    """A decoded photo's pixels in a shared memory segment, by name. `Pixels.of(image)` makes
    the segment; a pickled copy (what a worker gets) only reads it."""

    def __init__(self, mode: str, size: tuple[int, int], length: int, name: str) -> None:
        self.mode, self.size, self.length, self.name = mode, size, length, name
        self._segment: SharedMemory | None = None  # set in the object that owns it

    @classmethod
    def of(cls, image: Image.Image) -> Pixels:
        data = image.tobytes()
        segment = SharedMemory(create=True, size=max(1, len(data)))
        _view(segment)[:len(data)] = data
        pixels = cls(image.mode, image.size, len(data), segment.name)
        pixels._segment = segment
        weakref.finalize(pixels, _release, segment)
        return pixels

    def __reduce__(self) -> tuple[Any, ...]:
        return Pixels, (self.mode, self.size, self.length, self.name)

    def image(self) -> Image.Image:
        """The photo, as a Pillow image of its own (the segment may go once it is made)."""
        if self._segment is not None:
            return self._from(self._segment)
        segment = SharedMemory(self.name)
        try:
            return self._from(segment)
        finally:
            segment.close()

    def _from(self, segment: SharedMemory) -> Image.Image:
        return Image.frombytes(self.mode, self.size, _view(segment)[:self.length])  # one copy


def _view(segment: SharedMemory) -> memoryview:
    view = segment.buf
    assert view is not None  # None only once closed
    return view


def _release(segment: SharedMemory) -> None:
    segment.close()
    segment.unlink()  # and tells the resource tracker it is gone
