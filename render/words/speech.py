"""Numbers, times, phone numbers and licence plates as words, for scripts read aloud.

A presenter or a text-to-speech voice reading "XV-123-K" or "0800-6070" stumbles or reads it
wrong ("honderddrieëntwintig"); plates and phone numbers are read sign by sign, amounts as
numbers ("acht jaar", "honderdachtentwintig centimeter").
"""

from __future__ import annotations

import re
from datetime import datetime

DIGITS = {
    "nl": ("nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"),
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
}
_TEENS = {
    "nl": ("tien", "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien",
           "achttien", "negentien"),
    "en": ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
           "eighteen", "nineteen"),
}
_TENS = {
    "nl": ("", "", "twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig", "tachtig",
           "negentig"),
    "en": ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"),
}
# How a letter is said when a plate is spelled out.
LETTERS = {
    "nl": dict(zip("abcdefghijklmnopqrstuvwxyz",
                   ("aa", "bee", "cee", "dee", "ee", "ef", "gee", "haa", "ie", "jee", "kaa", "el",
                    "em", "en", "oo", "pee", "kuu", "er", "es", "tee", "uu", "vee", "wee", "iks",
                    "ij", "zet"), strict=True)),
    "en": dict(zip("abcdefghijklmnopqrstuvwxyz",
                   ("ay", "bee", "see", "dee", "ee", "ef", "gee", "aitch", "eye", "jay", "kay",
                    "el", "em", "en", "oh", "pee", "cue", "ar", "ess", "tee", "you", "vee",
                    "double-you", "ex", "why", "zed"), strict=True)),
}


def number_words(n: int, lang: str) -> str:
    """0 to 999,999 in words ('honderdachtentwintig', 'one hundred and twenty-eight')."""
    if n < 0:
        return ("min " if lang == "nl" else "minus ") + number_words(-n, lang)
    if n >= 1_000_000:
        return spell_digits(str(n), lang)
    return _nl(n) if lang == "nl" else _en(n)


def _nl(n: int) -> str:
    if n < 10:
        return DIGITS["nl"][n]
    if n < 20:
        return _TEENS["nl"][n - 10]
    if n < 100:
        tens, unit = divmod(n, 10)
        if not unit:
            return _TENS["nl"][tens]
        unit_word = DIGITS["nl"][unit]
        joiner = "ën" if unit_word.endswith("e") else "en"  # tweeëntwintig, drieëndertig
        return f"{unit_word}{joiner}{_TENS['nl'][tens]}"
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = "honderd" if hundreds == 1 else f"{DIGITS['nl'][hundreds]}honderd"
        return head + (_nl(rest) if rest else "")
    thousands, rest = divmod(n, 1000)
    head = "duizend" if thousands == 1 else f"{_nl(thousands)}duizend"
    return head + (f" {_nl(rest)}" if rest else "")


def _en(n: int) -> str:
    if n < 10:
        return DIGITS["en"][n]
    if n < 20:
        return _TEENS["en"][n - 10]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _TENS["en"][tens] + (f"-{DIGITS['en'][unit]}" if unit else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{DIGITS['en'][hundreds]} hundred" + (f" and {_en(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    tail = "" if not rest else (f" and {_en(rest)}" if rest < 100 else f" {_en(rest)}")
    return f"{_en(thousands)} thousand{tail}"


def spell_digits(digits: str, lang: str) -> str:
    return " ".join(DIGITS[lang][int(d)] for d in digits if d.isdigit())


def spell_sign_by_sign(code: str, lang: str) -> str:
    """A plate or phone number sign by sign; dashes and spaces become pauses (commas).
    'XV-123-K' -> 'iks vee, een twee drie, kaa'; '0800-6070' -> 'nul acht nul nul, ...'."""
    groups = [g for g in re.split(r"[\s\-./]+", code) if g]
    spoken = []
    for group in groups:
        words = []
        for sign in group:
            if sign.isdigit():
                words.append(DIGITS[lang][int(sign)])
            elif sign.lower() in LETTERS[lang]:
                words.append(LETTERS[lang][sign.lower()])
            elif sign.isalnum():
                words.append(sign)  # a letter of another alphabet: leave it to the reader
        if words:
            spoken.append(" ".join(words))
    return ", ".join(spoken)


def speak_time(moment: datetime, lang: str) -> str:
    """'dertien uur veertig' / 'thirteen forty' (24-hour clock, as Dutch police say it)."""
    hour = number_words(moment.hour, lang)
    if lang == "nl":
        return f"{hour} uur" + (f" {number_words(moment.minute, lang)}" if moment.minute else "")
    if not moment.minute:
        return f"{hour} hundred hours"
    minute = number_words(moment.minute, lang)
    return f"{hour} {'oh ' + minute if moment.minute < 10 else minute}"


_TIME = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\b")
_NUMBER = re.compile(r"\d+")


def speakable(text: str, lang: str) -> str:
    """Free text with its times and numbers written out ('ongeveer 40 jaar' ->
    'ongeveer veertig jaar'); long digit strings (phone numbers) are read digit by digit."""
    def time(match: re.Match[str]) -> str:
        return speak_time(datetime(2000, 1, 1, int(match[1]), int(match[2])), lang)

    def number(match: re.Match[str]) -> str:
        digits = match[0]
        if len(digits) > 4 or (len(digits) > 1 and digits.startswith("0")):
            return spell_digits(digits, lang)
        return number_words(int(digits), lang)

    return _NUMBER.sub(number, _TIME.sub(time, text))
