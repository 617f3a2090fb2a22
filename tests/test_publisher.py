"""The publisher checks batches of kept artifacts (ended alerts' files) as one: a batch found
up to date is trusted while none of its files changes, and looked at again when one does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from render.outlets.artifacts import Artifact, Batch
from render.pipeline.publish import Publisher, PublishReport, Wanted
from render.pipeline.state import State, state_dir_for


class Tree:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = State(state_dir_for(root))
        self.publisher = Publisher(root, state=self.state)
        self.made: list[str] = []  # paths produced, in order

    def artifact(self, path: str, key: str = "1", urgent: bool = True) -> Artifact:
        def produce() -> bytes:
            self.made.append(path)
            return f"{path} {key}\n".encode()
        return Artifact(path, key, produce, urgent=urgent)

    def publish(self, *kept: Batch, check_disk: bool = False, urgent_only: bool = False
                ) -> PublishReport:
        self.made.clear()
        return self.publisher.publish(Wanted([], kept, urgent_only), now=0.0,
                                      check_disk=check_disk)

    def close(self) -> None:
        self.state.close()


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Tree]:
    tree = Tree(tmp_path / "output")
    yield tree
    tree.close()


def batch_of(tree: Tree, name: str, key: str = "1") -> Batch:
    return Batch([tree.artifact(f"alerts/{name}/v1/index.html", key),
                  tree.artifact(f"share/{name}/v1/card.png", key, urgent=False)])


def test_a_batch_found_up_to_date_is_trusted_until_checked_on_disk(tree: Tree) -> None:
    anna = batch_of(tree, "anna")
    assert sorted(tree.publish(anna).written) == sorted(a.path for a in anna)
    assert tree.publish(anna).unchanged == 2 and not tree.made

    # Deleted behind the publisher's back: trusted (no stat of 20,000 files per run) ...
    (tree.root / anna[0].path).unlink()
    assert tree.publish(anna).written == []
    # ... until a run checks the disk, as the watcher's periodic rescan does.
    assert tree.publish(anna, check_disk=True).written == [anna[0].path]
    assert (tree.root / anna[0].path).is_file()


def test_a_batch_whose_files_went_is_looked_at_again(tree: Tree) -> None:
    anna, berta = batch_of(tree, "anna"), batch_of(tree, "berta")
    tree.publish(anna, berta)
    tree.publish(anna, berta)  # both known up to date now

    tree.publish(berta)  # anna's files are obsolete: deleted
    assert not (tree.root / anna[0].path).exists()
    # The same batch again: its files were deleted since it was found up to date, so it
    # is looked at again and published again (not trusted, as berta still is).
    report = tree.publish(anna, berta)
    assert sorted(report.written) == sorted(a.path for a in anna)
    assert all((tree.root / a.path).is_file() for a in anna)


@pytest.mark.parametrize("change", ["another key", "records read again"])
def test_a_batch_is_checked_against_what_is_recorded(tree: Tree, change: str) -> None:
    anna = batch_of(tree, "anna")
    tree.publish(anna)
    tree.publish(anna)
    if change == "another key":  # a new batch (the alert's files made again): checked
        again = batch_of(tree, "anna", key="2")
    else:  # the state forgot its tables (a failed write): nothing is trusted any more
        again = anna
        tree.state._files = None
        (tree.root / anna[1].path).unlink()
        tree.state.retire_and_forget([], [anna[1].path], [])
    report = tree.publish(again)
    assert report.written == ([a.path for a in again] if change == "another key"
                              else [anna[1].path])


def test_an_urgent_step_checks_only_urgent_files_and_trusts_nothing_it_left(
        tree: Tree) -> None:
    anna = batch_of(tree, "anna")
    assert tree.publish(anna, urgent_only=True).written == [anna[0].path]  # card: later
    assert tree.publish(anna, urgent_only=True).written == []
    assert tree.publish(anna).written == [anna[1].path]  # not trusted after the urgent step
    assert tree.publish(anna).unchanged == 2 and not tree.made
