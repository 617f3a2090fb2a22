"""A tree's ended alerts' artifacts are kept as one block from run to run: reused whole while
its ended views and their histories are the same, made again alert by alert when they are not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from render.outlets.artifacts import Artifact
from render.outlets.context import Carry, RenderContext
from render.pipeline.ended import EndedBlock, ended_block
from render.pipeline.state import Message


@dataclass
class Ended:
    """What `ended_block` reads of a view."""

    id: str
    version: str = "v1"
    state: str = "found"

    @property
    def id_version(self) -> str:
        return f"{self.id} {self.version}"


@dataclass
class Context:
    """What `ended_block` reads of a render context."""

    history: list[Message] = field(default_factory=list)
    tree: str = ""

    derived: dict[str, Any] = field(default_factory=dict)
    carry: Carry = field(default_factory=Carry)

    # The render context's own grouping of the history by alert.
    _derive = RenderContext._derive
    history_by_alert = RenderContext.history_by_alert
    _history_by_alert = RenderContext._history_by_alert

    def add(self, alert_id: str, version: str, kind: str) -> Context:
        seq = len(self.history) + 1
        return Context([*self.history, Message(seq, alert_id, version, kind,
                                               "2026-11-29T14:05:00+01:00", False)],
                       self.tree)


class Maker:
    def __init__(self) -> None:
        self.made: list[str] = []

    def __call__(self, view: Any) -> list[Artifact]:
        self.made.append(view.id)
        return [Artifact(f"alerts/{view.id}/{view.version}/index.html", view.version,
                         lambda: b"")]


def block(previous: EndedBlock | None, ctx: Context, views: list[Ended], make: Maker
          ) -> EndedBlock:
    return ended_block(previous, ctx, views, make)  # type: ignore[arg-type]


def test_a_block_is_reused_until_its_views_or_their_histories_change() -> None:
    anna, berta, carla = Ended("anna"), Ended("berta"), Ended("carla")
    ctx = Context().add("anna", "v1", "found").add("berta", "v1", "found")
    make = Maker()
    first = block(None, ctx, [anna, berta], make)
    assert make.made == ["anna", "berta"] and len(first.artifacts) == 2

    # A live alert's message (a new alert dropped): the same block, nothing made.
    ctx = ctx.add("carla", "v1", "alert")
    assert block(first, ctx, [anna, berta], make) is first
    assert make.made == ["anna", "berta"]

    # A new ended alert: a new block, in which only it is made.
    second = block(first, ctx.add("carla", "v1", "found"), [anna, berta, carla], make)
    assert second is not first and make.made == ["anna", "berta", "carla"]
    assert [a.path for a in second.artifacts] == [
        "alerts/anna/v1/index.html", "alerts/berta/v1/index.html",
        "alerts/carla/v1/index.html"]

    # The same view objects, but one has a message since (its CAP history grew): made again.
    third = block(second, ctx.add("carla", "v1", "found").add("berta", "v2", "cancelled"),
                  [anna, berta, carla], make)
    assert third is not second and make.made[3:] == ["berta"]

    # Equal views that are other objects are the same versions: the block still fits.
    fourth = block(third, ctx.add("carla", "v1", "found").add("berta", "v2", "cancelled"),
                   [Ended("anna"), berta, carla], make)
    assert fourth is third and make.made[4:] == []

    # Another version of a view is not: looked at again, and made again.
    fifth = block(fourth, ctx.add("carla", "v1", "found").add("berta", "v2", "cancelled"),
                  [Ended("anna", "v9"), berta, carla], make)
    assert fifth is not fourth and make.made[4:] == ["anna"]
