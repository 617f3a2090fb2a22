"""A `Problem` with an alert file, and how values are shown in one: each is printed as
`FILE: field: message`, in words an operator in a control room understands at 3 a.m."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an alert file: the field it concerns and what to do about it."""

    field: str
    message: str

    def line(self, file_label: str) -> str:
        return f"{file_label}: {self.field}: {self.message}"


def kind_of(value: Any) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "text",
             list: "a list", dict: "a table", datetime: "a date and time"}
    return names.get(type(value), type(value).__name__)


def shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def id_taken(alert_id: str, owner: str) -> Problem:
    """How `build` and `validate` both report a second file with an alert's id."""
    return Problem("id", f"'{alert_id}' is already used by {owner}; give every alert its own "
                         "id")
