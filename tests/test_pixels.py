"""The decoded photo that card jobs get in shared memory (render/drawing/pixels.py): the same
pixels in a worker, a job that carries only a name, and no segment left behind: not when the
build lets go of it, not when the build is killed."""

from __future__ import annotations

import gc
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

from render.drawing.pixels import Pixels
from render.pipeline import workers

SHM = Path("/dev/shm")


def photo() -> Image.Image:
    return Image.frombytes("RGB", (640, 480), os.urandom(640 * 480 * 3))


def read_in_worker(pixels: Pixels) -> tuple[int, bytes]:
    return os.getpid(), pixels.image().tobytes()


def test_a_worker_reads_the_same_pixels_from_a_job_of_a_few_bytes() -> None:
    image = photo()
    pixels = Pixels.of(image)
    assert len(pickle.dumps(pixels)) < 400  # of 900 kB of pixels
    with workers.worker_processes(2):
        pid, data = workers.run(read_in_worker, pixels)
    assert pid != os.getpid()
    assert data == image.tobytes()
    assert pixels.image().tobytes() == image.tobytes()


def test_the_segment_goes_when_the_build_lets_go_of_it() -> None:
    pixels = Pixels.of(photo())
    copy = pickle.loads(pickle.dumps(pixels))  # what a worker holds: owns nothing
    segment = SHM / pixels.name
    assert segment.exists()
    del copy
    gc.collect()
    assert segment.exists()
    del pixels
    gc.collect()
    assert not segment.exists()


MAKER = """
import sys, time
from PIL import Image
from render.drawing.pixels import Pixels
pixels = Pixels.of(Image.new("RGB", (300, 200), "red"))
print(pixels.name, flush=True)
time.sleep(600)
"""


def test_the_segment_goes_when_the_build_is_killed() -> None:
    """multiprocessing's resource tracker outlives a `kill -9` and unlinks the segment."""
    maker = subprocess.Popen([sys.executable, "-c", MAKER], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).parent.parent)
    assert maker.stdout is not None
    segment = SHM / maker.stdout.readline().strip()
    assert segment.exists()
    maker.send_signal(signal.SIGKILL)
    maker.wait()
    deadline = time.monotonic() + 20
    while segment.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not segment.exists()
