"""The checks of single fields of an alert document: each returns the parsed value, or None
after adding a `Problem` that says what is wrong with it."""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import datetime
from typing import Any

from .model import Text
from .problems import Problem, kind_of, shown

LANG_PATTERN = re.compile(r"^[a-z]{2,3}$")
MAX_TEXT = 2000
MAX_LIST = 20
EXAMPLE_TIME = "2026-11-29T14:05:00+01:00"
# Control characters (Unicode category Cc: U+0000-001F and U+007F-009F) but line break and
# tab: one regex, not a category lookup per character of every text.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class FieldChecker:
    """Collects the problems of one document; each check returns the value or None."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field_name: str, message: str) -> None:
        self.problems.append(Problem(field_name, message))

    def table(self, raw: Any, where: str, allowed: tuple[str, ...], required: tuple[str, ...]
              ) -> dict[str, Any]:
        if not isinstance(raw, dict):
            self.add(where or "file", "must be a table of fields")
            return {}
        prefix = f"{where}." if where else ""
        for key in raw:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                also = f"; did you mean '{prefix}{hint[0]}'?" if hint else " (a typo?)"
                # An empty or unprintable name is shown quoted, so the line still names it.
                label = key if isinstance(key, str) and key.strip() and key.isprintable() \
                    else shown(key)
                self.add(f"{prefix}{label}", f"unknown field{also}")
        for key in required:
            if key not in raw:
                self.add(f"{prefix}{key}", "is required but missing")
        return raw

    def string(self, value: object, name: str, limit: int, multiline: bool = False
               ) -> str | None:
        if not isinstance(value, str):
            self.add(name, f"must be text in quotes, not {kind_of(value)}")
            return None
        value = unicodedata.normalize("NFC", value).strip()
        bad = CONTROL.search(value)
        if bad or (not multiline and "\n" in value):
            what = "line breaks" if not bad else "control characters"
            self.add(name, f"contains {what}, which cannot be published")
            return None
        if not value:
            self.add(name, "is empty")
            return None
        if len(value) > limit:
            self.add(name, f"is {len(value)} characters long; at most {limit} are allowed")
            return None
        return value

    def text(self, value: Any, name: str, limit: int = MAX_TEXT, multiline: bool = True
             ) -> Text | None:
        if isinstance(value, str):
            parsed = self.string(value, name, limit, multiline)
            return None if parsed is None else {"nl": parsed}
        if not isinstance(value, dict):
            self.add(name, f"must be text, or a table of languages like {{ nl = \"...\", "
                           f"en = \"...\" }}, not {kind_of(value)}")
            return None
        if "nl" not in value:
            self.add(name, "needs a Dutch text (nl = \"...\") besides other languages")
        out: dict[str, str] = {}
        for lang, item in value.items():
            if not isinstance(lang, str) or not LANG_PATTERN.match(lang):
                self.add(f"{name}.{lang}", "is not a language code like nl or en")
                continue
            parsed = self.string(item, f"{name}.{lang}", limit, multiline)
            if parsed is not None:
                out[lang] = parsed
        return out if "nl" in out and len(out) == len(value) else None

    def choice(self, value: Any, name: str, choices: tuple[str, ...]) -> str | None:
        if value not in choices or not isinstance(value, str):
            self.add(name, f"must be one of {', '.join(choices)}, not {shown(value)}")
            return None
        return value

    def integer(self, value: Any, name: str, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(name, f"must be a whole number from {low} to {high}, not {shown(value)}")
            return None
        if not low <= value <= high:
            self.add(name, f"must be from {low} to {high}, not {value}")
            return None
        return value

    def number(self, value: Any, name: str, low: float, high: float) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(name, f"must be a number from {low:g} to {high:g}, not {shown(value)}")
            return None
        if not low <= value <= high:
            self.add(name, f"must be from {low:g} to {high:g}, not {value}")
            return None
        return float(value)

    def boolean(self, value: Any, name: str) -> bool | None:
        if not isinstance(value, bool):
            self.add(name, f"must be true or false, not {shown(value)}")
            return None
        return value

    def moment(self, value: Any, name: str) -> datetime | None:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                self.add(name, f"is not a date and time like {EXAMPLE_TIME}")
                return None
        if not isinstance(value, datetime):
            self.add(name, f"must be a date and time like {EXAMPLE_TIME}, not {kind_of(value)}")
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            self.add(name, f"needs a time-zone offset, like {EXAMPLE_TIME}")
            return None
        return value

    def items(self, value: Any, name: str) -> list[Any]:
        if not isinstance(value, list):
            self.add(name, f"must be a list, not {kind_of(value)}")
            return []
        if len(value) > MAX_LIST:
            self.add(name, f"has {len(value)} entries; at most {MAX_LIST} are allowed")
            return []
        return value
