"""Signed manifests and API (contract sections 4 and 5): `kindalarm keys new`, JWS that an
independent JOSE library (joserfc) accepts, valid_until from the clock's period, a private key
that never leaves its file, and the verifying display poller of docs/pollers/ against
tampered, unsigned, swapped and replayed manifests."""

from __future__ import annotations

import base64
import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from joserfc import jws
from joserfc.jwk import KeySet, OKPKey
from signed_display_poller import SignedDisplay, pinned_keys, verified_payload

from render.cli import main
from render.outlets import api, displays, keys, web
from tests.helpers.feeds import lifecycle_docs
from tests.helpers.sites import NOW, SiteDir

OUTLETS = [web, api, displays, keys]
# The contract fixes `alg` "EdDSA" (RFC 8037), which RFC 9864 deprecates in favour of
# "Ed25519"; joserfc warns, and still verifies.
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
PROFILE = "ns-station"


def new_key(site: SiteDir, name: str = "signing.pem") -> dict[str, str]:
    result = CliRunner().invoke(main, ["keys", "new", str(site.root / name)])
    assert result.exit_code == 0, result.output
    line = result.output.splitlines()[1]
    jwk: dict[str, str] = json.loads(line.split(": ", 1)[1])
    return jwk


def signed_site(site: SiteDir, valid_hours: float = 24) -> dict[str, str]:
    site.root.mkdir(parents=True, exist_ok=True)
    jwk = new_key(site)
    site.settings_text(f'[signing]\nkey_file = "signing.pem"\nvalid_hours = {valid_hours}\n')
    site.photo("anna.jpg")
    site.write("anna.json", lifecycle_docs()["alert"])
    return jwk


def joserfc_payload(token: bytes, site: SiteDir) -> bytes:
    keyset = KeySet.import_key_set(json.loads(site.read("keys/jwks.json")))
    payload = jws.deserialize_compact(token.decode(), keyset, algorithms=["EdDSA"]).payload
    assert isinstance(payload, bytes)
    return payload


def test_keys_new_writes_a_private_key_once(site: SiteDir) -> None:
    site.root.mkdir(parents=True, exist_ok=True)
    jwk = new_key(site)
    path = site.root / "signing.pem"
    assert path.stat().st_mode & 0o777 == 0o600
    assert jwk["kid"] == OKPKey.import_key({k: jwk[k] for k in ("kty", "crv", "x")}
                                           ).thumbprint(), "RFC 7638, as joserfc computes it"
    again = CliRunner().invoke(main, ["keys", "new", str(path)])
    assert again.exit_code == 1 and "never overwritten" in again.output
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_manifests_and_the_api_are_signed_and_verify_with_joserfc(site: SiteDir) -> None:
    jwk = signed_site(site)
    assert site.build(outlets=OUTLETS).ok
    assert json.loads(site.read("keys/jwks.json"))["keys"][0]["kid"] == jwk["kid"]
    for document in (f"displays/{PROFILE}/manifest", "api/alerts"):
        token = (site.out / f"{document}.jws").read_bytes()
        json_bytes = (site.out / f"{document}.json").read_bytes()
        assert joserfc_payload(token, site) == json_bytes, "the exact bytes beside it"
        header = json.loads(base64.urlsafe_b64decode(token.split(b".")[0] + b"=="))
        assert header["alg"] == "EdDSA" and header["kid"] == jwk["kid"]
        body = json.loads(json_bytes)
        valid_until = datetime.fromisoformat(body["valid_until"])
        assert NOW + timedelta(hours=12) < valid_until <= NOW + timedelta(hours=24)
        assert datetime.fromisoformat(body["updated"]) <= NOW


def test_signing_is_deterministic_and_clocked(site: SiteDir, tmp_path: Path) -> None:
    signed_site(site, valid_hours=2)
    result = site.build(outlets=OUTLETS)
    assert result.next_change is not None and result.next_change <= NOW + timedelta(hours=1)
    first = (site.out / f"displays/{PROFILE}/manifest.jws").read_bytes()
    other = SiteDir(tmp_path / "standby")  # the same key and files, another state
    other.root.mkdir(parents=True, exist_ok=True)
    (other.root / "signing.pem").write_bytes((site.root / "signing.pem").read_bytes())
    os.chmod(other.root / "signing.pem", 0o600)
    other.settings_text((site.root / "kindalarm.toml").read_text())
    other.photo("anna.jpg")
    other.write("anna.json", lifecycle_docs()["alert"])
    other.build(outlets=OUTLETS)
    assert (other.out / f"displays/{PROFILE}/manifest.jws").read_bytes() == first
    site.build(now=result.next_change, outlets=OUTLETS)
    later = (site.out / f"displays/{PROFILE}/manifest.jws").read_bytes()
    assert later != first and json.loads(joserfc_payload(later, site))["valid_until"] > \
        json.loads(joserfc_payload(first, site))["valid_until"], "signed again, valid longer"


def test_the_private_key_never_leaves_its_file(site: SiteDir) -> None:
    signed_site(site)
    pem = (site.root / "signing.pem").read_bytes()
    body = b"".join(pem.splitlines()[1:-1])  # the base64 of the key
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        load_pem_private_key,
    )
    raw = load_pem_private_key(pem, None).private_bytes(Encoding.Raw, PrivateFormat.Raw,
                                                       NoEncryption())
    site.build(outlets=OUTLETS)
    for folder in (site.out, site.root / ".output.state"):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert body not in data and raw not in data, path
                assert base64.urlsafe_b64encode(raw).rstrip(b"=") not in data, path


def test_a_key_file_others_may_read_is_one_clear_error(site: SiteDir) -> None:
    signed_site(site)
    os.chmod(site.root / "signing.pem", 0o640)
    result = CliRunner().invoke(main, ["--site", str(site.root), "build"])
    assert result.exit_code == 2
    assert "others may read it; run chmod 600" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not site.out.exists() or not any(site.out.rglob("*.html"))


# --- the verifying poller --------------------------------------------------------------------


def display_for(site: SiteDir, served: dict[str, bytes] | None = None) -> SignedDisplay:
    """A display reading `site`'s tree (or `served`, path -> bytes, where given)."""
    base = "http://signs.test/"

    def fetch(url: str) -> bytes:
        path = url.removeprefix(base)
        if served is not None and path in served:
            return served[path]
        try:
            return (site.out / path).read_bytes()
        except FileNotFoundError:
            raise OSError(f"404 {path}") from None

    return SignedDisplay(base, PROFILE, pinned_keys((site.out / "keys/jwks.json").read_bytes()),
                         fetch)


def test_the_poller_shows_only_what_was_signed(site: SiteDir) -> None:
    signed_site(site)
    site.build(outlets=OUTLETS)
    manifest_path = f"displays/{PROFILE}/manifest.jws"
    display = display_for(site)
    shown = display.poll(NOW)
    assert len(shown) == 1 and display.refused == ""
    token = (site.out / manifest_path).read_bytes()
    header, payload, signature = token.split(b".")
    manifest = json.loads(verified_payload(token, display.keys))

    def served(**paths: bytes) -> SignedDisplay:
        served_display = display_for(site, {k.replace("__", "/"): v for k, v in paths.items()})
        served_display.manifest, served_display.images = display.manifest, display.images
        return served_display

    # Tampered: another slide list under the old signature.
    forged = dict(manifest, slides=[])
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=")
    tampered = served(**{manifest_path.replace("/", "__"):
                         b".".join((header, forged_payload, signature))})
    assert tampered.poll(NOW) == shown and "bad signature" in tampered.refused
    # Unsigned: a manifest.jws that is plain JSON, or alg "none".
    none_header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=")
    for fake in ((site.out / f"displays/{PROFILE}/manifest.json").read_bytes(),
                 b".".join((none_header, payload, b""))):
        unsigned = served(**{manifest_path.replace("/", "__"): fake})
        assert unsigned.poll(NOW) == shown and unsigned.refused
    # Swapped image: the signed manifest names bytes that are not there.
    image = f"displays/{PROFILE}/" + manifest["slides"][0]["image"]
    swapped = served(**{image.replace("/", "__"): shown[0][0][:-10] + b"0" * 10})
    assert swapped.poll(NOW) == shown and "do not match" in swapped.refused

    # Found: the new manifest is empty; the old one, replayed, is refused.
    site.write("anna.json", lifecycle_docs()["found"])
    site.build(now=NOW + timedelta(minutes=40), outlets=OUTLETS)
    assert display.poll(NOW + timedelta(minutes=41)) == []
    assert display.refused == ""
    replay = display_for(site, {manifest_path: token})
    replay.manifest, replay.images = display.manifest, display.images
    assert replay.poll(NOW + timedelta(minutes=42)) == [] and "older" in replay.refused

    # Nothing valid any more: black, even with the last verified playlist at hand.
    stale = display_for(site, {manifest_path: token})
    stale.manifest, stale.images = manifest, shown
    assert stale.poll(NOW + timedelta(hours=25)) == [] and "valid_until" in stale.refused
