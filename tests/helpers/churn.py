"""Edits of an alert directory that make every publish write and delete something: the
churn behind the kill, torn-read and soak tests."""

from __future__ import annotations

import random

from tests.helpers.sites import SiteDir, alert_doc


def mutate(site: SiteDir, step: int, rng: random.Random) -> None:
    """Change the alert directory so that every publish writes and deletes something."""
    which = step % 4
    if which == 0:
        site.write("a.json", alert_doc(id="2026-kill-a", child_age=rng.randint(3, 15),
                                       child_photo="photos/a.jpg"))
    elif which == 1:
        status = rng.choice(["active", "found"])
        site.write("b.json", alert_doc(id="2026-kill-b", status=status,
                                       child_photo="photos/b.jpg"))
    elif which == 2:
        c = site.alerts / "c.json"
        if c.exists():
            c.unlink()
        else:
            site.write("c.json", alert_doc(id=f"2026-kill-c{step}", child_photo="photos/c.jpg",
                                           level="vermist-kind"))
    else:
        site.photo("a.jpg", size=(500, 700), seed=rng.randint(1, 999))


def start_churn(site: SiteDir, rng: random.Random, photo_size: tuple[int, int] = (500, 700)
                ) -> None:
    """Photos and the first version of each churned alert."""
    for name, seed in (("a.jpg", 1), ("b.jpg", 2), ("c.jpg", 3)):
        site.photo(name, size=photo_size, seed=seed)
    for step in range(3):
        mutate(site, step, rng)


def flip(site: SiteDir, step: int, rng: random.Random) -> None:
    """Cheaper churn for long runs: mostly an edit and its undo (two versions of one alert
    taking turns, the older one revived from its retiring files), now and then a new
    alert, a withdrawal or a new photo, which render everything anew."""
    if step % 10 == 0:
        mutate(site, 2, rng)  # alert c appears or is withdrawn
    elif step % 10 == 5:
        site.photo("a.jpg", size=(300, 400), seed=rng.randint(1, 999))
    else:
        site.write("a.json", alert_doc(id="2026-kill-a", child_photo="photos/a.jpg",
                                       child_clothing=("rode jas", "blauwe jas")[step % 2]))
