"""kindalarm: publishes missing-child alerts to every outlet from one alert directory.

The data flows one way, and the sub-packages are its stages:

    alert/     alert files -> `loader` -> a validated `model.Alert`
    public.py  `public_view`: what of an alert may be shown right now
    outlets/   public views -> artifacts (web, api, feeds, cap, texts, displays, share, poster)
    pipeline/  `build` runs the stages, `publish` writes the artifacts atomically, `watch`
               follows the alert directory
    tree.py    every published path, spelled once

with `drawing/` (pixels) and `words/` (texts) as the outlets' tools. Nothing downstream of
`public_view` ever sees the raw alert.
"""

__version__ = "0.1.0"
