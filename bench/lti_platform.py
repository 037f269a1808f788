"""A minimal LTI 1.3 platform for the load test: a signing key, its JWKS served on 127.0.0.1, id_tokens,
and the two AGS endpoints a gradebook needs (access token, scores), recording every score it receives.

Why not lti-consumer-xblock's ``LtiAdvantageConsumer`` (the platform of the tests): it needs
Django settings and a Django cache in the process that signs, and the load generator
(locust) runs outside Django. What a platform does in a launch is small: answer the OIDC
login's authentication request with an id_token signed by its key, carrying the nonce the
tool issued, and publish its public key. Claim names come from ``lti_tool.lti.claims``.

The production profile of ``bench/bench_load.py`` counts grades lost between the tool's outbox
and the platform: so the server also answers the AGS token request (client credentials with a
JWT assertion, as ``lti_tool.grades.ags.AgsClient`` sends it; the assertion's signature is not
checked here, the token is) and records each score POSTed to ``/lineitems/<link>/lineitem/scores``
with a bearer token it issued (lti-consumer-xblock's ``LtiAgs`` score endpoint does the same job
in Open edX: ``lti_consumer/plugin/views.py``, ``LtiAgsScoreViewset``).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bench.local_http import LocalServer, QuietHandler
from lti_tool.lti import claims as c

CLIENT_ID = "ldai-bench-client"
DEPLOYMENT_ID = "ldai-bench-deployment"
KID = "ldai-bench-platform-key"


def new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def public_jwks(private_pem: str, kid: str = KID) -> dict:
    private = serialization.load_pem_private_key(private_pem.encode(), password=None)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return {"keys": [jwk]}


class PlatformServer(LocalServer):
    """The platform's keyset URL, AGS token endpoint and score endpoints on 127.0.0.1.

    ``scores`` holds every score body accepted, with its line item (``(lineitem_url, body)``),
    so a run can compare what the platform received with what the tool's outbox says it sent.
    """

    def __init__(self, jwks: dict):
        body = json.dumps(jwks).encode()
        self.scores: list[tuple[str, dict]] = []
        self.refused = 0
        tokens: set[str] = set()
        lock = threading.Lock()
        platform = self

        class Handler(QuietHandler):
            def do_GET(self):
                self.answer(200, body)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/token":
                    form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                    if form.get("grant_type") != "client_credentials" or not form.get("client_assertion"):
                        self.answer(400, b'{"error": "invalid_request"}')
                        return
                    token = secrets.token_urlsafe(24)
                    with lock:
                        tokens.add(token)
                    self.answer(200, json.dumps({"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                                                 "scope": form.get("scope", "")}).encode())
                    return
                if self.path.startswith("/lineitems/") and self.path.endswith("/lineitem/scores"):
                    bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    with lock:
                        known = bearer in tokens
                        if known:
                            platform.scores.append((platform.base_url + self.path.removesuffix("/scores"), json.loads(raw)))
                        else:
                            platform.refused += 1
                    self.answer(200 if known else 401)
                    return
                self.answer(404)

        super().__init__(Handler, "bench-platform")

    def lineitem_url(self, resource_link_id: str) -> str:
        return f"{self.base_url}/lineitems/{resource_link_id}/lineitem"


def resource_link_claims(*, issuer: str, nonce: str, target_link_uri: str, sub: str, resource_link_id: str,
                         activity: str, locale: str = "en", client_id: str = CLIENT_ID,
                         deployment_id: str = DEPLOYMENT_ID, lineitem: str = "", custom: dict | None = None) -> dict:
    """The id_token of a learner's resource launch, as Moodle would send it (custom parameter names the activity).

    ``lineitem``: the link's line item, offered with the AGS score scope (Moodle sends it for a graded link).
    """
    now = int(time.time())
    claims = {
        c.ISS: issuer,
        c.AUD: client_id,
        c.AZP: client_id,
        c.SUB: sub,
        c.IAT: now,
        c.EXP: now + 300,
        c.NONCE: nonce,
        c.NAME: f"Learner {sub[-6:]}",
        c.EMAIL: f"{sub}@bench.invalid",
        c.VERSION: c.SUPPORTED_VERSION,
        c.MESSAGE_TYPE: c.RESOURCE_LINK_REQUEST,
        c.DEPLOYMENT_ID: deployment_id,
        c.TARGET_LINK_URI: target_link_uri,
        c.RESOURCE_LINK: {c.ID: resource_link_id, c.TITLE: activity},
        c.CONTEXT: {c.ID: "bench-course", c.TITLE: "Load test course"},
        c.ROLES: [c.ROLE_CONTEXT_LEARNER],
        c.CUSTOM: {**(custom or {}), c.CUSTOM_ACTIVITY: activity},
        c.LAUNCH_PRESENTATION: {c.PRESENTATION_DOCUMENT_TARGET: "iframe", c.PRESENTATION_LOCALE: locale},
        "jti": uuid.uuid4().hex,
    }
    if lineitem:
        claims[c.AGS_ENDPOINT] = {c.AGS_SCOPE: [c.SCOPE_SCORE], "lineitem": lineitem}
    return claims


def sign(claims: dict, private_pem: str, kid: str = KID) -> str:
    return jwt.encode(claims, private_pem, algorithm="RS256", headers={c.KID: kid})
