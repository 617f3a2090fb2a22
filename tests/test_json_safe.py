"""Every JSON document of the tree is safe to embed in HTML (contract section 4): `<`, `>`
and `&` in strings are written `\\u003c`, `\\u003e`, `\\u0026`, and read back as they were."""

from __future__ import annotations

import json

from tests.helpers.sites import SiteDir, alert_doc

NAME = "Eva <script>alert('x')</script> & Bo"


def test_no_json_document_carries_markup_characters(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc(child_name=NAME, child_clothing="jas & <b>das</b>"))
    assert site.build().ok
    documents = {p: b for p, b in site.files().items() if p.endswith(".json")}
    assert {"api/alerts.json", "feeds/feed.json", "status.json"} <= documents.keys()
    assert any(p.startswith("share/") for p in documents)  # texts.json
    assert any(p.startswith("displays/") for p in documents)  # manifests
    for path, data in documents.items():
        assert not {b"<", b">", b"&"} & {data[i:i + 1] for i in range(len(data))}, path
        json.loads(data)
    (alert,) = json.loads(documents["api/alerts.json"])["alerts"]
    assert alert["child"]["name"] == NAME
    assert alert["child"]["clothing"] == {"nl": "jas & <b>das</b>"}
    assert b"\\u003cscript\\u003e" in documents["api/alerts.json"]
