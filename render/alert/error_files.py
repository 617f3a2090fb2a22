"""`NAME.error.txt` beside each rejected alert file, in words an operator understands."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from pathlib import Path

from .files import error_file_for
from .loader import LoadResult

log = logging.getLogger("kindalarm")


def write_error_files(alert_dir: Path, rejected: Iterable[LoadResult],
                  held: Collection[Path] = ()) -> None:
    """`NAME.error.txt` beside each rejected file; gone once it is fixed or removed.
    The error file of a file still being written stays as it is until it is judged."""
    wanted = {}
    for r in rejected:
        lines = [p.line(r.source.name) for p in r.problems]
        wanted[error_file_for(r.source)] = "\n".join(lines) + "\n"
    for path, text in wanted.items():
        try:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                tmp = path.with_name(f".{path.name}.tmp")
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(path)
        except OSError as exc:
            log.warning("could not write %s: %s", path, exc.strerror)
    keep = {error_file_for(path) for path in held}
    for stale in alert_dir.glob("*.error.txt"):
        if stale not in wanted and stale not in keep:
            stale.unlink(missing_ok=True)
