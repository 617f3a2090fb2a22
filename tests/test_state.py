"""The state keeps its files, alerts and messages tables in memory between runs; what it
holds must always be what the database holds."""

from __future__ import annotations

from datetime import timedelta

from render.pipeline.state import State
from tests.helpers.sites import NOW, SiteDir, alert_doc


def tables(state: State) -> tuple[object, ...]:
    return state.files(), state.alerts(), state.messages()


def read_again(state: State) -> tuple[object, ...]:
    state._files = state._alerts = state._messages = None  # as a new process would
    return tables(state)


def test_the_tables_in_memory_are_those_in_the_database(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.photo("berta.jpg", seed=4)
    builder = site.builder()
    try:
        site.write("anna.json", alert_doc())
        site.write("berta.json", alert_doc(id="2026-test-berta", child_name="Berta",
                                           child_photo="photos/berta.jpg"))
        steps = [
            (lambda: None, 0),
            # A new version: the old one's files retire for a while, then go.
            (lambda: site.write("anna.json", alert_doc(child_age=9)), 1),
            (lambda: None, 60 * 24 * 2),
            (lambda: site.write("berta.json", alert_doc(id="2026-test-berta",
                                                        status="found")), 60 * 24 * 2 + 1),
            (lambda: (site.alerts / "anna.json").unlink(), 60 * 24 * 2 + 2),  # withdrawn
        ]
        for step, minutes in steps:
            step()
            result = builder.run(now=NOW + timedelta(minutes=minutes))
            assert result.ok and (result.report.written or result.report.deleted)
            held = tables(builder.state)
            retiring = builder.state.retiring()
            assert read_again(builder.state) == held
            assert builder.state.retiring() == retiring  # kept in step, as read again
            assert retiring == {path for path, record in builder.state.files().items()
                                if record.retire_at is not None}
            if minutes == 1:  # the old version's files are retiring
                assert retiring
            if minutes == 60 * 24 * 2:
                assert result.report.deleted  # ... and went
    finally:
        builder.close()
