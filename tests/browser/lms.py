"""A test LMS on its own 127.0.0.1 port: a course page that embeds the tool in an iframe, as Moodle does.

The platform side is lti-consumer-xblock's ``LtiAdvantageConsumer`` (the real platform code
Open edX uses), behind a small HTTP server:

* ``/course/<id>``: a course page whose ``<iframe>`` starts the OIDC login at the tool;
* ``/auth``: the platform's authentication endpoint; answers the tool's authentication request
  with the auto-submitting ``id_token`` form a real platform sends (form_post);
* ``/jwks``: the platform's public keys; ``/token`` and ``/ags/...``: the gradebook the tool's
  grade sender posts to (client-credentials token checked, bearer checked by ``check_token``).

The tool runs in another process (the browser tests' site), so the platform is registered
there with the ``ldai lti add-platform`` command, exactly as an administrator would.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .live import ROOT, Site

CLIENT_ID = "browser-tests-tool"
DEPLOYMENT_ID = "browser-deployment"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"

COURSE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>AI at work 101 - Test LMS</title>
<style>body {{ font-family: sans-serif; margin: 0; }} header {{ background: #233; color: #fff; padding: .5rem 1rem; }}
iframe {{ border: 0; width: 100%; height: 1400px; display: block; }}</style></head>
<body><header><p>Test LMS: AI at work 101</p></header>
<main><h1>{title}</h1><iframe title="{title}" src="{src}" allow="clipboard-write"></iframe></main></body></html>
"""

AUTO_POST = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Launching</title></head>
<body><form method="post" action="{action}">{fields}<noscript><button type="submit">Continue</button></noscript></form>
<script>document.forms[0].submit();</script></body></html>
"""


def new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


@dataclass
class LmsPlatform:
    """The platform's state: its consumer, the course pages it serves, the scores it received."""

    base_url: str = ""
    tool: Site | None = None
    consumer: object = None
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    scores: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def lineitem(self) -> str:
        return self.base_url + "/ags/course-1/lineitems/1/lineitem"

    def course_page(self, *, activity: str, title: str, user_id: str, name: str, role: str = "student", locale: str = "en",
                    pack: str | None = None, settings: dict | None = None, resource_link_id: str | None = None) -> str:
        """Prepare a launch of ``activity`` for one user and return the URL of the course page that embeds it."""
        from lti_consumer.data import Lti1p3LaunchData
        from lti_consumer.lti_1p3.constants import LTI_1P3_CONTEXT_TYPE

        link = resource_link_id or f"link-{activity}-{uuid.uuid4().hex[:6]}"
        consumer = self.consumer
        consumer.set_user_data(user_id, role, full_name=name, email_address=f"{user_id}@example.com")
        consumer.set_resource_link_claim(link, title=title)
        consumer.set_context_claim("course-1", context_types=[LTI_1P3_CONTEXT_TYPE.course_offering], context_title="AI at work 101")
        consumer.set_extra_claim({LTI + "launch_presentation": {"document_target": "iframe", "locale": locale}})
        custom = {"ldai_activity": activity}
        if pack:
            custom["ldai_pack"] = pack
        if settings:
            custom["ldai_settings"] = json.dumps(settings)
        consumer.set_custom_parameters(custom)
        data = Lti1p3LaunchData(user_id=user_id, user_role=role, config_id=uuid.uuid4(), resource_link_id=link,
                                message_type="LtiResourceLinkRequest")
        page_id = uuid.uuid4().hex[:10]
        with self.lock:
            self.pages[page_id] = (title, consumer.prepare_preflight_url(data))
        return f"{self.base_url}/course/{page_id}"

    def scores_for(self, user_id: str) -> list[dict]:
        with self.lock:
            return [s for s in self.scores if s.get("userId") == user_id]


def _handler(lms: LmsPlatform):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, body: str | dict, content_type: str = "application/json") -> None:
            data = (json.dumps(body) if isinstance(body, dict) else body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type + ("; charset=utf-8" if content_type.startswith("text/") else ""))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path.startswith("/course/") and parts.path.removeprefix("/course/") in lms.pages:
                title, src = lms.pages[parts.path.removeprefix("/course/")]
                return self._send(200, COURSE_PAGE.format(title=html.escape(title), src=html.escape(src)), "text/html")
            if parts.path == "/auth":
                try:
                    answer = lms.consumer.generate_launch_request(query)
                except Exception as error:  # shown in the iframe and kept for the test's message
                    lms.errors.append(f"/auth: {type(error).__name__}: {error}")
                    return self._send(400, f"<p>Launch refused by the test LMS: {html.escape(str(error))}</p>", "text/html")
                fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(str(v))}">' for k, v in answer.items())
                return self._send(200, AUTO_POST.format(action=html.escape(query["redirect_uri"]), fields=fields), "text/html")
            if parts.path == "/jwks":
                return self._send(200, lms.consumer.get_public_keyset())
            if parts.path == urlsplit(lms.lineitem).path:
                return self._send(200, {"id": lms.lineitem, "scoreMaximum": 1, "label": "Activity"}, "application/vnd.ims.lis.v2.lineitem+json")
            return self._send(404, {"error": "no such page"})

        def do_POST(self):
            parts = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
            if parts.path == "/token":
                try:
                    return self._send(200, lms.consumer.access_token({k: v[0] for k, v in parse_qs(raw).items()}))
                except Exception as error:
                    lms.errors.append(f"/token: {type(error).__name__}: {error}")
                    return self._send(400, {"error": "invalid_client"})
            if parts.path == urlsplit(lms.lineitem).path + "/scores":
                bearer = self.headers.get("Authorization", "")
                try:
                    allowed = bearer.startswith("Bearer ") and lms.consumer.check_token(bearer[7:], [SCORE_SCOPE])
                except Exception as error:
                    lms.errors.append(f"/scores: {type(error).__name__}: {error}")
                    allowed = False
                if not allowed:
                    return self._send(401, {"error": "bad token"})
                with lms.lock:
                    lms.scores.append(json.loads(raw))
                return self._send(200, {})
            return self._send(404, {"error": "no such endpoint"})

    return Handler


def start_lms(tool: Site) -> tuple[LmsPlatform, ThreadingHTTPServer]:
    """Start the platform, make its consumer point at ``tool``, and register it in the tool's database."""
    from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer

    lms = LmsPlatform(tool=tool)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(lms))
    server.daemon_threads = True
    lms.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, name="test-lms", daemon=True).start()
    lms.consumer = LtiAdvantageConsumer(
        iss=lms.base_url, lti_oidc_url=tool.url + "/lti/login/", lti_launch_url=tool.url + "/lti/launch/",
        client_id=CLIENT_ID, deployment_id=DEPLOYMENT_ID, rsa_key=new_private_pem(), rsa_key_id="test-lms-key-1",
        redirect_uris=[tool.url + "/lti/launch/"], tool_keyset_url=tool.url + "/lti/jwks/",
    )
    lms.consumer.enable_ags(lms.base_url + "/ags/course-1/lineitems", lms.lineitem, allow_programmatic_grade_interaction=True)
    env = {**os.environ, "LDAI_VAR_DIR": str(tool.var_dir), "DJANGO_SETTINGS_MODULE": "lti_tool.site.settings"}
    result = subprocess.run(
        [sys.executable, "-m", "ldai_xblocks.cli", "lti", "add-platform", "--issuer", lms.base_url, "--client-id", CLIENT_ID,
         "--auth-login-url", lms.base_url + "/auth", "--auth-token-url", lms.base_url + "/token",
         "--keyset-url", lms.base_url + "/jwks", "--deployment-id", DEPLOYMENT_ID, "--name", "Test LMS", "--tool-url", tool.url],
        cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=120,
    )
    if result.returncode:
        server.shutdown()
        raise RuntimeError(f"ldai lti add-platform failed ({result.returncode}): {result.stderr[-2000:]}")
    return lms, server
