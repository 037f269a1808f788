"""Fixtures for the runtime and grade tests: a real LTI platform's AGS side on 127.0.0.1.

The platform is lti-consumer-xblock's ``LtiAdvantageConsumer`` (what Open edX uses
as an LTI 1.3 platform) behind a small HTTP server: its ``access_token`` answers
the tool's client-credentials request, its ``check_token`` checks the bearer token
on every line item and score request. The consumer is lenient about the
assertion's audience, so the server checks ``iss``/``sub``/``aud`` itself.

The server can be told to fail: ``platform.fail_next(500, 500)`` answers the next
score POSTs with those statuses, ``platform.down = True`` drops connections
(a network error), so the sender's retries are tested against real HTTP.

``graded_platform`` is the other half: LTI-A's platform (conftest.py: OIDC login and
launch) with AGS claims in its launches and a gradebook (token + scores) on its server,
for end-to-end runs from launch to score.

Test modules load these with ``pytest_plugins = ["tests.lti.runtime_fixtures"]``.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_MEDIA = "application/vnd.ims.lis.v1.score+json"
LINEITEM_SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                   "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"]


def new_rsa_pem() -> tuple[str, str]:
    """(private PEM, public PEM) of a fresh 2048-bit RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


@pytest.fixture(scope="session")
def tool_rsa() -> tuple[str, str]:
    return new_rsa_pem()


@pytest.fixture(scope="session")
def platform_rsa() -> tuple[str, str]:
    return new_rsa_pem()


@pytest.fixture
def tool_key(db, tool_rsa):
    """The tool's signing key in the database (what ``ldai lti rotate-keys`` creates)."""
    from lti_tool.models import ToolKey

    private, public = tool_rsa
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(serialization.load_pem_public_key(public.encode())))
    kid = "tool-" + uuid.uuid4().hex[:8]
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return ToolKey.objects.create(kid=kid, private_key_pem=private, public_jwk=jwk)


@dataclass
class ReceivedScore:
    lineitem: str
    body: dict
    content_type: str


MOODLE_409 = "Refusing score with an earlier timestamp for item {item} and user {user}"
CANVAS_422 = "The maximum number of allowed attempts has been reached for this submission"


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class ScoreRules:
    """What Moodle and Canvas check before they keep a score, reproduced from their code.

    ``flavour="moodle"`` (``mod/lti/service/gradebookservices/classes/local/resources/scores.php``):
    the grade's time is kept in whole seconds (``strtotime``) and a score whose timestamp is
    not newer gets **409**, its message in the HTTP reason phrase and ``[]`` as body
    (``mod/lti/classes/local/ltiservice/response.php``).
    ``flavour="canvas"`` (``app/controllers/lti/ims/scores_controller.rb``): an equal
    timestamp is accepted, an older one gets **400**; with ``allowed_attempts`` set, a score
    beyond the course's attempt limit gets **422** (``verify_attempts_for_online_upload``;
    every score is a new submission by default); errors as ``{"errors": {"type", "message"}}``.
    """

    flavour: str = "moodle"
    allowed_attempts: int | None = None
    held: dict = field(default_factory=dict)
    submissions: dict = field(default_factory=dict)

    def refusal(self, lineitem: str, body: dict) -> tuple[int, str, object] | None:
        """(status, reason phrase, body) of a refused score, or None when the platform keeps it."""
        key = (lineitem, str(body.get("userId")))
        stamp = _parse_time(body["timestamp"])
        previous = self.held.get(key)
        if self.flavour == "moodle":
            if previous is not None and int(previous.timestamp()) >= int(stamp.timestamp()):
                return 409, MOODLE_409.format(item=lineitem.rsplit("/", 2)[-2], user=key[1]), []
            return None
        if previous is not None and previous > stamp:
            message = f"Provided timestamp of {body['timestamp']} before last updated timestamp of {previous.isoformat()}"
            return 400, "Bad Request", {"errors": {"type": "bad_request", "message": message}}
        if self.allowed_attempts is not None and self.submissions.get(key, 0) >= self.allowed_attempts:
            return 422, "Unprocessable Entity", {"errors": {"type": "unprocessable_entity", "message": CANVAS_422}}
        return None

    def keep(self, lineitem: str, body: dict) -> None:
        key = (lineitem, str(body.get("userId")))
        self.held[key] = _parse_time(body["timestamp"])
        self.submissions[key] = self.submissions.get(key, 0) + 1


@dataclass
class FakePlatform:
    """State of the platform server; tests read what it received and script its failures."""

    base_url: str = ""
    client_id: str = "ldai-tool-client"
    deployment_id: str = "deployment-1"
    consumer: object = None
    scores: list[ReceivedScore] = field(default_factory=list)
    lineitems: dict[str, dict] = field(default_factory=dict)
    token_requests: int = 0
    score_requests: int = 0
    rejected_tokens: int = 0
    down: bool = False
    lose_next_answer: bool = False  # keep the next score, then drop the connection before answering
    clock_offset: float = 0.0  # the platform's clock minus ours (php-jwt checks iat with no leeway)
    assertions: list[dict] = field(default_factory=list)
    rules: ScoreRules = field(default_factory=ScoreRules)
    score_failures: deque = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def token_url(self) -> str:
        return self.base_url + "/token"

    @property
    def lineitems_url(self) -> str:
        return self.base_url + "/context/c1/lineitems"

    def add_lineitem(self, tag: str = "", label: str = "Activity", score_maximum: float = 1.0, resource_link_id: str = "") -> str:
        item_id = f"{self.lineitems_url}/{len(self.lineitems) + 1}/lineitem?type_id=1"
        self.lineitems[item_id] = {"id": item_id, "tag": tag, "label": label, "scoreMaximum": score_maximum, "resourceLinkId": resource_link_id}
        return item_id

    def fail_next(self, *statuses: int) -> None:
        self.score_failures.extend(statuses)

    def accepted_for(self, user_id: str) -> list[dict]:
        return [s.body for s in self.scores if s.body.get("userId") == user_id]


def _handler_for(platform: FakePlatform):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def _send(self, status: int, body=None, content_type: str = "application/json", headers: dict | None = None,
                  reason: str | None = None):
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status, reason)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _bearer_ok(self, scopes) -> bool:
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer "):
                return False
            try:
                return bool(platform.consumer.check_token(auth[7:], scopes))
            except Exception:
                return False

        def _drop(self):
            self.close_connection = True
            self.connection.shutdown(2)

        def do_POST(self):
            if platform.down:
                return self._drop()
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            path = urlsplit(self.path).path
            if path == "/token":
                return self._token(raw)
            if path == urlsplit(platform.lineitems_url).path:
                if not self._bearer_ok(LINEITEM_SCOPES[:1]):
                    return self._send(401, {"error": "bad token"})
                body = json.loads(raw)
                item_id = platform.add_lineitem(body.get("tag", ""), body.get("label", ""), body.get("scoreMaximum", 1), body.get("resourceLinkId", ""))
                return self._send(201, platform.lineitems[item_id], "application/vnd.ims.lis.v2.lineitem+json")
            if path.endswith("/scores"):
                return self._score(path, raw)
            return self._send(404, {"error": "no such endpoint"})

        def do_GET(self):
            if platform.down:
                return self._drop()
            parts = urlsplit(self.path)
            if parts.path == urlsplit(platform.lineitems_url).path:
                if not self._bearer_ok(LINEITEM_SCOPES):
                    return self._send(401, {"error": "bad token"})
                query = parse_qs(parts.query)
                items = list(platform.lineitems.values())
                if "tag" in query:
                    items = [i for i in items if i.get("tag") == query["tag"][0]]
                return self._send(200, items, "application/vnd.ims.lis.v2.lineitemcontainer+json")
            return self._send(404, {"error": "no such endpoint"})

        def _token(self, raw: str):
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            with platform.lock:
                platform.token_requests += 1
            try:
                claims = jwt.decode(form.get("client_assertion", ""), options={"verify_signature": False})
                platform.assertions.append(claims)
                assert claims["iss"] == claims["sub"] == platform.client_id
                assert claims["aud"] == platform.token_url
                # php-jwt (Moodle's token.php) with JWT::$leeway = 0: "Cannot handle token prior to <iat>".
                assert claims["iat"] <= time.time() + platform.clock_offset
                answer = platform.consumer.access_token(form)
            except Exception as exc:
                return self._send(400, {"error": "invalid_client", "detail": type(exc).__name__})
            return self._send(200, answer)

        def _score(self, path: str, raw: str):
            with platform.lock:
                platform.score_requests += 1
                failure = platform.score_failures.popleft() if platform.score_failures else None
            if not self._bearer_ok([SCORE_SCOPE]):
                platform.rejected_tokens += 1
                return self._send(401, {"error": "bad token"})
            if failure:
                headers = {"Retry-After": "1"} if failure == 429 else None
                return self._send(failure, {"error": "scripted failure"}, headers=headers)
            lineitem = platform.base_url + path[: -len("/scores")]
            known = {urlsplit(i).path for i in platform.lineitems}
            if path[: -len("/scores")] not in known:
                return self._send(404, {"error": "no such line item"})
            content_type = self.headers.get("Content-Type", "")
            if content_type != "application/vnd.ims.lis.v1.score+json":
                return self._send(415, {"error": "score media type expected"})
            body = json.loads(raw)
            with platform.lock:
                refusal = platform.rules.refusal(lineitem, body)
                if refusal is None:
                    platform.rules.keep(lineitem, body)
                    platform.scores.append(ReceivedScore(lineitem, body, content_type))
                lose = platform.lose_next_answer and refusal is None
                platform.lose_next_answer = platform.lose_next_answer and not lose
            if refusal is not None:
                status, reason, payload = refusal
                return self._send(status, payload, reason=reason)
            if lose:
                return self._drop()  # the score is kept; its answer never reaches the tool
            return self._send(200, {})

    return Handler


@pytest.fixture
def fake_platform(platform_rsa, tool_rsa):
    """A running platform on 127.0.0.1 (AGS token, line items, scores); stopped after the test."""
    from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer

    platform = FakePlatform()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(platform))
    server.daemon_threads = True
    platform.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    private, _ = platform_rsa
    platform.consumer = LtiAdvantageConsumer(
        iss=platform.issuer,
        lti_oidc_url="http://127.0.0.1:9/lti/login/",
        lti_launch_url="http://127.0.0.1:9/lti/launch/",
        client_id=platform.client_id,
        deployment_id=platform.deployment_id,
        rsa_key=private,
        rsa_key_id="platform-key-1",
        redirect_uris=["http://127.0.0.1:9/lti/launch/"],
        tool_key=tool_rsa[1],
    )
    platform.consumer.enable_ags(platform.lineitems_url, allow_programmatic_grade_interaction=True)
    thread = threading.Thread(target=server.serve_forever, name="fake-platform", daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def registered_platform(db, fake_platform, tool_key):
    """The fake platform registered in the tool (Platform + active Deployment rows)."""
    from lti_tool.models import Deployment, Platform

    platform = Platform.objects.create(
        name="Test platform", issuer=fake_platform.issuer, client_id=fake_platform.client_id,
        auth_login_url=fake_platform.base_url + "/auth", auth_token_url=fake_platform.token_url,
        keyset_url=fake_platform.base_url + "/jwks",
    )
    deployment = Deployment.objects.create(platform=platform, deployment_id=fake_platform.deployment_id)
    return deployment


@pytest.fixture
def link(registered_platform, fake_platform, fresh_cache):
    """A resource link of the fake platform with its line item (10 points) and both AGS scopes."""
    from lti_tool.grades import ags
    from lti_tool.models import ResourceLinkConfig

    lineitem = fake_platform.add_lineitem(tag="quiz", label="Quiz", score_maximum=10, resource_link_id="rl-1")
    return ResourceLinkConfig.objects.create(
        deployment=registered_platform, context_id="c1", resource_link_id="rl-1", title="Quiz", block_type="ldai_risk_quiz",
        lineitem_url=lineitem, lineitems_url=fake_platform.lineitems_url, ags_scopes=[ags.SCOPE_SCORE, ags.SCOPE_LINEITEM],
    )


def queue(link, user="learner-1", value=0.5, maximum=1.0, when=None):
    """A score queued as the runtime does it: inside the transaction that saves the learner's answer."""
    from django.db import transaction

    from lti_tool.grades.outbox import record_score

    with transaction.atomic():
        return record_score(link, user, value, maximum, timestamp=when)


@pytest.fixture(autouse=False)
def fresh_cache():
    """An empty Django cache (cached AGS tokens must not leak between tests)."""
    from django.core.cache import cache

    cache.clear()
    yield cache
    cache.clear()


# ------------------------------------------------------------------------------------ the platform's AGS side (LTI-A's platform server)


class Gradebook:
    """AGS endpoints on the platform server: token (consumer.access_token) and scores (consumer.check_token)."""

    def __init__(self, lti_platform, consumer):
        self.platform = lti_platform
        self.consumer = consumer
        self.scores: list[dict] = []
        self.fail: list[int] = []
        self.rules = ScoreRules()
        self.lineitem = lti_platform.base_url + "/ags/course-1/lineitems/1/lineitem"
        self.lineitems = lti_platform.base_url + "/ags/course-1/lineitems"
        lti_platform.routes[("POST", "/token")] = self._token
        lti_platform.routes[("POST", "/ags/course-1/lineitems/1/lineitem/scores")] = self._score

    def _token(self, headers, body):
        from urllib.parse import parse_qs

        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        try:
            return 200, self.consumer.access_token(form)
        except Exception as exc:
            return 400, {"error": "invalid_client", "detail": type(exc).__name__}

    def _score(self, headers, body):
        auth = headers.get("Authorization", "")
        try:
            allowed = auth.startswith("Bearer ") and self.consumer.check_token(auth[7:], [SCORE_SCOPE])
        except Exception:
            allowed = False
        if not allowed:
            return 401, {"error": "invalid token"}
        if headers.get("Content-Type") != SCORE_MEDIA:
            return 415, {"error": "score media type expected"}
        if self.fail:
            return self.fail.pop(0), {"error": "scripted"}
        score = json.loads(body)
        refusal = self.rules.refusal(self.lineitem, score)
        if refusal is not None:
            return refusal[0], refusal[2]
        self.rules.keep(self.lineitem, score)
        self.scores.append(score)
        return 200, {}


@pytest.fixture
def graded_platform(registered, lti_platform, tool_key, tool_rsa):
    """A consumer whose launches carry the AGS claim, and the gradebook that receives the tool's scores."""
    from tests.lti.conftest import make_consumer

    consumer = make_consumer(lti_platform, tool_key=tool_rsa[1])
    gradebook = Gradebook(lti_platform, consumer)
    consumer.enable_ags(gradebook.lineitems, gradebook.lineitem, allow_programmatic_grade_interaction=True)
    return consumer, gradebook


def launch_page(client, consumer, **kwargs) -> str:
    """HTML of a successful resource launch (LTI-A's login + launch helper, through Django's test client)."""
    from tests.lti.conftest import launch

    response = launch(client, consumer, **kwargs)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def instructor_learner_view(client, consumer, **kwargs) -> str:
    """An instructor's launch lands on the authoring view; this is the activity itself (its learner view) they open from it."""
    authoring = launch_page(client, consumer, role="instructor", **kwargs)
    return client.get(unescape(re.search(r'href="([^"]+\?view=learner)"', authoring).group(1))).content.decode()


def handler_prefix(html: str) -> str:
    return unescape(re.search(r'data-handler-prefix="([^"]+)"', html).group(1))


def init_args(html: str) -> dict:
    """The block's start-up arguments as its JavaScript sees them (decoded like LdaiCommon.initArgs)."""
    from ldai_xblocks.rendering import unpack_init_args

    return unpack_init_args(json.loads(re.search(r'<script type="json/xblock-args" class="xblock_json_init_args">(.*?)</script>', html, re.S).group(1)))


def call(client, prefix: str, name: str, payload=None, *, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(payload or {}).encode()
    response = client.post(prefix + name + "/", data=body, content_type="application/json")
    try:
        return response.status_code, json.loads(response.content)
    except ValueError:
        return response.status_code, response.content.decode()
