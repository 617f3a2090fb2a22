"""The pipeline: `build` runs alert files -> views -> artifacts -> `publish` (atomic
writes), remembering what it needs between runs in `state` (on disk) and `memory` (in the
process); `watch` runs it whenever the alert directory changes; `workers` renders in other
processes."""
