"""Ready-to-post texts: each within its channel's limit, with the hardest names."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from render.outlets.texts import (
    INSTAGRAM_HASHTAGS,
    INSTAGRAM_LIMIT,
    SMS_LIMIT,
    X_LIMIT,
    gsm_length,
    is_gsm7,
    to_gsm7,
    x_length,
)
from render.words.speech import number_words, speakable, spell_sign_by_sign
from render.words.wording import clean
from tests.helpers.feeds import PERSONAL
from tests.helpers.sites import SiteDir, alert_doc

LONG_NAME = ("Maximiliaan-Alexander Johannes Christiaan Wilhelmus van Oldenbarnevelt tot "
             "Zuylen")[:80]
HARD_NAMES = {
    "80 characters": LONG_NAME,
    "accents": "Zoë Ångström-Łukasiewicz Ñúñez Çelik Ïjsbrand",
    "arabic": "نور الهدى العمراني",
    "hebrew": "נועה כהן",
    "cjk and emoji": "李小龍 🌟 Sterre",
}
LONG_TEXT = {"nl": "roze winterjas met capuchon, " * 20, "en": "pink winter coat, " * 20}


def _texts(site: SiteDir, **fields: object) -> dict:
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc(**fields))
    site.build()
    (path,) = [p for p in site.files() if p.endswith("texts.json")]
    return json.loads(site.read(path))


def _url(site: SiteDir, lang: str) -> str:
    prefix = "" if lang == "nl" else "en/"
    return f"http://127.0.0.1:8000/{prefix}alerts/2026-test-anna/"


@pytest.mark.parametrize("name", HARD_NAMES.values(), ids=HARD_NAMES.keys())
def test_every_channel_keeps_its_limit(site: SiteDir, name: str) -> None:
    doc = _texts(site, child_name=name, child_clothing=LONG_TEXT,
                 last_seen_place={"nl": "Utrecht, " + "Rijkswaterstaatverkeerscentrale " * 6,
                                  "en": "Utrecht, traffic control centre " * 5},
                 description=LONG_TEXT,
                 vehicles=[{"description": "grijze auto", "plate": "XV-123-K"}])
    assert doc["languages"] == ["nl", "en"]
    for lang, texts in doc["texts"].items():
        url = _url(site, lang)
        assert x_length(texts["x"]) <= X_LIMIT and url in texts["x"]
        sms = texts["sms"]
        assert is_gsm7(sms) and gsm_length(sms) <= SMS_LIMIT and url in sms, sms
        assert not any(unicodedata.category(c) == "So" for c in sms)  # no emoji
        caption = texts["instagram"]
        assert len(caption) <= INSTAGRAM_LIMIT and url in caption
        assert len(re.findall(r"#\w+", caption)) <= INSTAGRAM_HASHTAGS
        assert url in texts["whatsapp"]
        assert not re.search(r"\d", texts["voice"]), texts["voice"]
        assert "XV-123-K" not in texts["voice"]
        for text in texts.values():
            assert clean(text) == text
        # The name is in every text that has room for it (SMS: where GSM-7 can write it).
        for channel in ("whatsapp", "instagram", "voice"):
            assert name in texts[channel]
        if to_gsm7(name) and len(name) < 40:
            assert to_gsm7(name) in sms


def test_dutch_only_alert_has_dutch_texts_only(site: SiteDir) -> None:
    doc = _texts(site, child={"name": "Anna de Test", "age": 8, "photo": "photos/anna.jpg"})
    assert doc["languages"] == ["nl"] and list(doc["texts"]) == ["nl"]


def test_sms_with_a_huge_base_url_still_fits(site: SiteDir) -> None:
    site.settings_text(f'base_url = "https://{"a" * 150}.example/"\n')
    doc = _texts(site)
    assert gsm_length(doc["texts"]["nl"]["sms"]) <= SMS_LIMIT
    assert x_length(doc["texts"]["nl"]["x"]) <= X_LIMIT


def test_found_texts_keep_only_the_first_name(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    site.build()
    site.write("anna.json", alert_doc(status="found", updated="2026-11-29T15:00:00+01:00"))
    site.build()
    paths = [p for p in site.files() if p.endswith("texts.json")]
    assert len(paths) == 1  # the active version's texts are gone with its details
    raw = (site.out / paths[0]).read_bytes()
    for secret in PERSONAL:
        assert secret not in raw
    texts = json.loads(raw)["texts"]["nl"]
    assert "Anna is gevonden" in texts["x"] and gsm_length(texts["sms"]) <= SMS_LIMIT


def test_speech_writes_numbers_plates_and_phones_out() -> None:
    assert number_words(128, "nl") == "honderdachtentwintig"
    assert number_words(22, "nl") == "tweeëntwintig"
    assert number_words(128, "en") == "one hundred and twenty-eight"
    assert spell_sign_by_sign("XV-123-K", "nl") == "iks vee, een twee drie, kaa"
    assert spell_sign_by_sign("0800-6070", "en") == "zero eight zero zero, six zero seven zero"
    assert speakable("om 13:40, ongeveer 40 jaar", "nl") == "om dertien uur veertig, " \
                                                           "ongeveer veertig jaar"


def test_measures_count_like_the_channels() -> None:
    assert x_length("a" * 10) == 10 and x_length("李" * 10) == 20
    assert x_length("https://e.nl/") == 23  # X counts every link as at least 23
    assert gsm_length("[€]") == 6 and is_gsm7("Zoë") is False
    assert to_gsm7("Zoë Łukasz") == "Zoe Lukasz" and to_gsm7("نور") is None
