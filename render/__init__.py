"""kindalarm: publishes missing-child alerts to every outlet from one alert directory.

The data flows one way: alert files -> `loader` (validated `model.Alert`) -> `public.public_view`
(what may be shown right now) -> renderers (`web`, `api`, ...) -> `publish.Publisher` (atomic
files on disk). Nothing downstream of `public_view` ever sees the raw alert.
"""

__version__ = "0.1.0"
