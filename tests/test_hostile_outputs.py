"""Hostile input, round two: generated alert texts through the CAP and signed JSON outputs. No
text can break the XML, make `cap/signs.atom` non-ASCII, break or change a signature's
validity, or put a raw `<`, `>` or `&` into JSON.

`make test` runs 40 generated alerts; KINDALARM_FUZZ_EXAMPLES runs more (`make fuzz`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from signed_display_poller import pinned_keys, verified_payload

from render.cli import main
from render.outlets import api, cap, keys
from tests.helpers.feeds import validate_cap
from tests.helpers.sites import SiteDir, alert_doc

EXAMPLES = max(int(os.environ.get("KINDALARM_FUZZ_EXAMPLES", "40")) // 50, 40)
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
TRICKY = ["Eva <script>alert(1)</script>", "]]><x/>", "&amp; &#0;", "\u202eevil", "Zoë 🙂",
          "a\u2028b", "'\"`", "[np]Eva[nl]", "\\u003c", "é" * 80]
TEXTS = st.text(min_size=1, max_size=80) | st.sampled_from(TRICKY)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteDir]:
    site = SiteDir(tmp_path_factory.mktemp("hostile") / "site")
    assert CliRunner().invoke(main, ["keys", "new", str(site.root / "k.pem")]).exit_code == 0
    site.settings_text('[signing]\nkey_file = "k.pem"\n')
    site.photo("anna.jpg")
    yield site


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(name=TEXTS, place=TEXTS, clothing=TEXTS)
def test_no_alert_text_breaks_cap_or_a_signature(signed: SiteDir, name: str, place: str,
                                                 clothing: str) -> None:
    signed.write("anna.json", alert_doc(child_name=name, last_seen_place=place,
                                        child_clothing={"nl": clothing, "en": clothing}))
    result = signed.build(outlets=[api, cap, keys])
    if result.rejected:  # the loader's own rules (tests/test_fuzz.py checks its messages)
        return
    out: Path = signed.out
    latest = (out / "cap/latest.xml").read_bytes()
    validate_cap(latest)
    alert = etree.fromstring(latest)
    assert alert.findtext(f"{CAP}info/{CAP}description") is not None
    signs = (out / "cap/signs.atom").read_bytes()
    signs.decode("ascii")
    etree.fromstring(signs)

    document = (out / "api/alerts.json").read_bytes()
    for raw in (b"<", b">", b"&"):
        assert raw not in document, raw
    payload = verified_payload((out / "api/alerts.jws").read_bytes(),
                               pinned_keys((out / "keys/jwks.json").read_bytes()))
    assert payload == document, "the signature covers the exact document"
    (listed,) = json.loads(payload)["alerts"]
    assert listed["child"]["name"] == name.strip(), "the text itself, escaped, not altered"
