"""Shared LTI fixtures: a real platform (lti-consumer-xblock's LtiAdvantageConsumer) and a login+launch helper.

The platform runs inside the test process with the tool site's own Django
settings (its launch-data cache is our Django cache). Its public keys are
served by a small HTTP server on 127.0.0.1, as a real platform's JWKS URL would
be, so the tool's keyset fetch, cache and refetch-on-unknown-kid run for real.
The same server answers the OpenID configuration and registration requests of
Dynamic Registration, scripted per test.

Reusable by any LTI test module (fixtures are found automatically under tests/lti):

- ``lti_platform``: the server + keys; ``lti_platform.rotate()`` publishes a new platform key;
- ``registered``: that platform registered in the tool (Platform + active Deployment);
- ``consumer``: an LtiAdvantageConsumer for it, pointed at the tool's /lti/login/ and /lti/launch/;
- ``launch(client, consumer, ...)``: OIDC login + launch through Django's test client; returns the response;
- ``start_login(client, consumer, ...)`` and ``sign(payload, lti_platform)`` for hand-made tokens.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

TOOL_HOST = "http://testserver"
LOGIN_URL = TOOL_HOST + "/lti/login/"
LAUNCH_URL = TOOL_HOST + "/lti/launch/"
CLIENT_ID = "ldai-client-1"
DEPLOYMENT_ID = "deployment-a"

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def public_jwk(private_pem: str, kid: str) -> dict:
    private = serialization.load_pem_private_key(private_pem.encode(), password=None)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return jwk


@pytest.fixture(scope="session")
def platform_key_pool() -> list[str]:
    """Three RSA keys made once per session (key generation is slow); rotation tests walk through them."""
    return [new_private_pem() for _ in range(3)]


@dataclass
class LtiPlatform:
    """The platform side: its signing keys, its JWKS server, scripted routes for Dynamic Registration."""

    keys: list[str]
    base_url: str = ""
    current: int = 0
    published: list[int] = field(default_factory=lambda: [0])
    routes: dict[str, Callable] = field(default_factory=dict)
    requests: list[tuple[str, str, dict, bytes]] = field(default_factory=list)
    jwks_hits: int = 0

    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def kid(self) -> str:
        return f"platform-key-{self.current}"

    @property
    def private_pem(self) -> str:
        return self.keys[self.current]

    def jwks(self) -> dict:
        return {"keys": [public_jwk(self.keys[i], f"platform-key-{i}") for i in self.published]}

    def rotate(self, *, keep_old: bool = True) -> None:
        """Sign with the next key and publish it (keeping the old one published, or not)."""
        self.current += 1
        self.published = [*self.published, self.current] if keep_old else [self.current]


def _handler(platform: LtiPlatform):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, method: str):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = urlsplit(self.path).path
            platform.requests.append((method, self.path, dict(self.headers), body))
            if method == "GET" and path == "/jwks":
                platform.jwks_hits += 1
                status, payload = 200, platform.jwks()
            elif (method, path) in platform.routes:
                status, payload = platform.routes[(method, path)](self.headers, body)
            else:
                status, payload = 404, {"error": "no such endpoint"}
            html = isinstance(payload, str)  # a route may answer a page (a platform's course page, its auth step)
            data = payload.encode() if html else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8" if html else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._answer("GET")

        def do_POST(self):
            self._answer("POST")

    return Handler


@pytest.fixture
def lti_platform(platform_key_pool):
    platform = LtiPlatform(keys=platform_key_pool)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(platform))
    server.daemon_threads = True
    platform.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="lti-platform", daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def lti_test_settings(settings):
    """The platform server speaks http on 127.0.0.1; everything else is the shipped configuration.

    The guarded client refuses loopback addresses by default: the test platform's host is allowed the way an
    operator allows a LAN host, through ``LDAI["HTTP_ALLOWED_HOSTS"]``.
    """
    settings.LDAI_LTI = {**getattr(settings, "LDAI_LTI", {}), "ALLOW_INSECURE_URLS": True, "KEYSET_REFETCH_MIN_SECONDS": 10}
    settings.LDAI = {**getattr(settings, "LDAI", {}), "HTTP_ALLOWED_HOSTS": ["127.0.0.1"]}
    settings.PLATFORM_NAME = "Test LMS"  # lti-consumer-xblock names the platform in its tool_platform claim
    return settings  # caches are emptied around every test by tests/conftest.py


@pytest.fixture
def registered(db, lti_platform):
    """The platform registered in the tool, with one active deployment and its keyset already fetched."""
    from lti_tool.models import Deployment, Platform

    platform = Platform.objects.create(
        name="Test platform", issuer=lti_platform.issuer, client_id=CLIENT_ID,
        auth_login_url=lti_platform.base_url + "/auth", auth_token_url=lti_platform.base_url + "/token",
        keyset_url=lti_platform.base_url + "/jwks", source=Platform.Source.CLI,
    )
    Deployment.objects.create(platform=platform, deployment_id=DEPLOYMENT_ID)
    from lti_tool.lti.keysets import fetch_keyset

    fetch_keyset(platform)  # as after the first launch: later refusals must leave the row untouched
    return platform


def make_consumer(lti_platform: LtiPlatform, *, client_id: str = CLIENT_ID, deployment_id: str = DEPLOYMENT_ID,
                  tool_key: str | None = None, tool_keyset_url: str | None = None):
    from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer

    return LtiAdvantageConsumer(
        iss=lti_platform.issuer, lti_oidc_url=LOGIN_URL, lti_launch_url=LAUNCH_URL, client_id=client_id,
        deployment_id=deployment_id, rsa_key=lti_platform.private_pem, rsa_key_id=lti_platform.kid,
        redirect_uris=[LAUNCH_URL], tool_key=tool_key, tool_keyset_url=tool_keyset_url,
    )


@pytest.fixture
def consumer(registered, lti_platform):
    return make_consumer(lti_platform)


def start_login(client, consumer, *, role: str = "student", user_id: str = "learner-1", message_type: str = "LtiResourceLinkRequest",
                resource_link_id: str = "link-1", extra: dict | None = None, method: str = "get"):
    """Run the OIDC login initiation; returns (login response, authentication request params or None)."""
    from lti_consumer.data import Lti1p3LaunchData

    data = Lti1p3LaunchData(user_id=user_id, user_role=role, config_id=uuid.uuid4(), resource_link_id=resource_link_id,
                            message_type=message_type)
    url = consumer.prepare_preflight_url(data)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    query.update(extra or {})
    response = client.post(LOGIN_URL, query) if method == "post" else client.get(LOGIN_URL, query)
    if response.status_code != 302:
        return response, None
    return response, {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def launch(client, consumer, *, role: str = "student", user_id: str = "learner-1", name: str = "Alex Martin",
           email: str = "alex@example.com", resource_link_id: str = "link-1", context_id: str | None = "course-1",
           locale: str | None = None, custom: dict | None = None, deep_linking: bool = False, return_url: str | None = None):
    """A complete launch (login, authentication request answered by the platform, POST to /lti/launch/)."""
    from lti_consumer.lti_1p3.constants import LTI_1P3_CONTEXT_TYPE

    message_type = "LtiDeepLinkingRequest" if deep_linking else "LtiResourceLinkRequest"
    consumer.set_user_data(user_id, role, full_name=name, email_address=email)
    consumer.set_resource_link_claim(resource_link_id, title="Activity")
    if context_id:
        consumer.set_context_claim(context_id, context_types=[LTI_1P3_CONTEXT_TYPE.course_offering], context_title="AI at work 101")
    presentation = {"document_target": "iframe"}
    if locale:
        presentation["locale"] = locale
    if return_url:
        presentation["return_url"] = return_url
    consumer.set_extra_claim({LTI + "launch_presentation": presentation})
    if custom:
        consumer.set_custom_parameters(custom)
    if deep_linking:
        consumer.enable_deep_linking(LAUNCH_URL, "https://platform.example/deep-link-return")
    login_response, auth = start_login(client, consumer, role=role, user_id=user_id, message_type=message_type,
                                       resource_link_id=resource_link_id)
    if auth is None:
        return login_response
    assert auth["redirect_uri"] == LAUNCH_URL
    launch_request = consumer.generate_launch_request(auth)
    return client.post(LAUNCH_URL, launch_request)


def sign(payload: dict, lti_platform: LtiPlatform, headers: dict | None = None) -> str:
    """Sign ``payload`` with the platform's current key; ``headers`` replaces the default {kid} header."""
    return jwt.encode(payload, lti_platform.private_pem, algorithm="RS256",
                      headers={"kid": lti_platform.kid} if headers is None else headers)


# Exposed as fixtures too, for modules that prefer injection over imports.
@pytest.fixture
def lti_launch():
    return launch


@pytest.fixture
def lti_consumer_factory():
    return make_consumer


@pytest.fixture
def lti_start_login():
    return start_login


@pytest.fixture
def lti_sign():
    return sign


@pytest.fixture
def activity_stub(monkeypatch):
    """Replace the runtime's ``launch_response`` by a recorder: tests of the launch itself see the LaunchContext."""
    import importlib
    import sys
    import types

    from django.http import HttpResponse

    seen: list = []

    def launch_response(request, context):
        seen.append(context)
        return HttpResponse(f"<main>activity for {context.user_sub}</main>")

    try:
        module = importlib.import_module("lti_tool.pages.activity")
        monkeypatch.setattr(module, "launch_response", launch_response)
    except ImportError:
        module = types.ModuleType("lti_tool.pages.activity")
        module.launch_response = launch_response
        monkeypatch.setitem(sys.modules, "lti_tool.pages.activity", module)
    return seen


def snapshot() -> dict:
    """Everything a launch could write: every row of the tool's tables, the cached launches, the used nonces."""
    from django.apps import apps
    from django.core.cache import cache

    rows = {model.__name__: sorted(map(repr, model.objects.values())) for model in apps.get_app_config("lti_tool").get_models()}
    rows["cache"] = sorted(k for k in cache_keys(cache) if "ldai-lti-launch:" in k or "ldai-lti-nonce:" in k)
    return rows


def cache_keys(cache) -> list[str]:
    """Every key in Django's cache: the in-process dict (SQLite pass) or Redis (PostgreSQL + Redis pass)."""
    store = cache._cache
    if isinstance(store, dict):
        return list(store)
    return [key.decode() for key in store.get_client().scan_iter("*")]


@pytest.fixture
def lti_snapshot():
    return snapshot
