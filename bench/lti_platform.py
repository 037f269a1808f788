"""A minimal LTI 1.3 platform for the load test: a signing key, its JWKS served on 127.0.0.1, id_tokens.

Why not lti-consumer-xblock's ``LtiAdvantageConsumer`` (the platform of the tests): it needs
Django settings and a Django cache in the process that signs, and the load generator
(locust) runs outside Django. What a platform does in a launch is small: answer the OIDC
login's authentication request with an id_token signed by its key, carrying the nonce the
tool issued, and publish its public key. Claim names come from ``lti_tool.lti.claims``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

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


class JwksServer:
    """The platform's keyset URL on 127.0.0.1 (the tool fetches it once, then caches it)."""

    def __init__(self, jwks: dict):
        body = json.dumps(jwks).encode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="bench-jwks", daemon=True)

    def __enter__(self) -> JwksServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def resource_link_claims(*, issuer: str, nonce: str, target_link_uri: str, sub: str, resource_link_id: str,
                         activity: str, locale: str = "en", client_id: str = CLIENT_ID,
                         deployment_id: str = DEPLOYMENT_ID) -> dict:
    """The id_token of a learner's resource launch, as Moodle would send it (custom parameter names the activity)."""
    now = int(time.time())
    return {
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
        c.CUSTOM: {c.CUSTOM_ACTIVITY: activity},
        c.LAUNCH_PRESENTATION: {c.PRESENTATION_DOCUMENT_TARGET: "iframe", c.PRESENTATION_LOCALE: locale},
        "jti": uuid.uuid4().hex,
    }


def sign(claims: dict, private_pem: str, kid: str = KID) -> str:
    return jwt.encode(claims, private_pem, algorithm="RS256", headers={c.KID: kid})
