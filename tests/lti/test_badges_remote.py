"""Another issuer's badge, verified by fetching its key set and revocation list over real HTTP (127.0.0.1).

The fetch goes through the guarded client (ldai_xblocks/net, through lti_tool.lti.http): loopback is
allowed here the way an operator allows a LAN host (``LDAI["HTTP_ALLOWED_HOSTS"]``), http the way
development allows it (``ALLOW_INSECURE_URLS``). A key set published on another origin than the
issuer's never speaks for that issuer.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from ldai_xblocks.engine import badges


class _Issuer(BaseHTTPRequestHandler):
    documents: dict[str, dict] = {}

    def do_GET(self):
        document = self.documents.get(self.path)
        body = json.dumps(document).encode() if document is not None else b"{}"
        self.send_response(200 if document is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def remote_issuer(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Issuer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    profile = badges.IssuerProfile(id=f"{base}/issuer", name="Another school", jwks_url=f"{base}/jwks",
                                   revocation_list_url=f"{base}/revocations")
    _Issuer.documents = {"/jwks": {"keys": [badges.public_jwk(key, "k1")]}, "/revocations": badges.revocation_list(profile, [])}
    settings.LDAI_BADGES = {"BASE_URL": "http://testserver", "FETCH_REMOTE_ISSUERS": True}
    settings.LDAI_LTI = {**getattr(settings, "LDAI_LTI", {}), "ALLOW_INSECURE_URLS": True}
    settings.LDAI = {**getattr(settings, "LDAI", {}), "HTTP_ALLOWED_HOSTS": ["127.0.0.1"]}
    try:
        yield profile, badges.Signer("k1", key)
    finally:
        server.shutdown()
        server.server_close()


def issue(profile, signer) -> tuple[dict, str]:
    achievement = badges.Achievement(id="urn:x", name="Elsewhere", description="d", criteria="c")
    return badges.issue(achievement, profile, signer, badges.recipient_for("someone"))


def test_another_issuers_badge_verifies_and_its_revocation_is_seen(db, remote_issuer):
    from lti_tool.badges import issuer

    profile, signer = remote_issuer
    credential, token = issue(profile, signer)
    assert issuer.verify(token).ok
    _Issuer.documents["/revocations"] = badges.revocation_list(profile, [(credential["id"], "withdrawn")])
    assert issuer.verify(token).code == "revoked"


def test_a_key_set_on_another_origin_never_speaks_for_the_issuer(db, remote_issuer):
    from lti_tool.badges import issuer

    profile, signer = remote_issuer
    forged = badges.IssuerProfile(id="https://famous-university.example/issuer", name="Famous University",
                                  jwks_url=profile.jwks_url, revocation_list_url=profile.revocation_list_url)
    _, token = issue(forged, signer)  # kid points at the forger's own key set
    assert issuer.verify(token).code == "unknown_issuer"


def test_without_the_setting_nothing_is_fetched(db, remote_issuer, settings):
    from lti_tool.badges import issuer

    settings.LDAI_BADGES = {"BASE_URL": "http://testserver"}
    profile, signer = remote_issuer
    _, token = issue(profile, signer)
    assert issuer.verify(token).code == "unknown_issuer"
    assert issuer.verify(token, fetch=True).ok  # what `ldai badges verify --fetch` asks for
