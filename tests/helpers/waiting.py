"""Waiting for an event instead of sleeping: poll until a condition holds, with a generous
deadline, and return as soon as it does."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_until(condition: Callable[[], Any], timeout: float = 15.0, what: str = "",
               interval: float = 0.01) -> Any:
    """Call `condition` until it returns something true, and return that. Raises
    AssertionError (naming `what`) if it has not held after `timeout` seconds. An
    AssertionError raised by `condition` itself (say, "the process ended early") ends the
    wait at once."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for "
                                 f"{what or condition}")
        time.sleep(interval)  # the poll interval, not a guess at how long the event takes
