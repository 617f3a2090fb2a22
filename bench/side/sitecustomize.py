"""Loaded first by every process of a side of `bench/run.py --compare` (its folder leads
PYTHONPATH). The venv's editable install finds `render.*` modules by name, wherever
`render` itself came from: a side whose checkout lacks a module (an older layout) would
import it from this checkout, and measure a mix of both. Its finder goes, so each side
imports its own checkout only."""

import sys

sys.meta_path[:] = [finder for finder in sys.meta_path
                    if not str(getattr(finder, "__module__", "")).startswith("__editable__")]
