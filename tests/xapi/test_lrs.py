"""Our statements posted to a real LRS and read back: Ralph 5.1 (``ralph-malph``, the LRS of Open edX
Aspects), run from its own virtual environment (``make lrs-deps`` -> ``.venv-lrs``) on 127.0.0.1 with its
file-system backend and HTTP basic auth, its API served by uvicorn as in Ralph's own deployment.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from ldai_xblocks.engine import xapi
from tests.xapi.events import EVENTS, event

ROOT = Path(__file__).resolve().parents[2]
LRS_VENV = Path(os.environ.get("LDAI_LRS_VENV", ROOT / ".venv-lrs"))
PASSWORD = "a-long-test-password"
# One LRS account, and so one storage target, per test: Ralph 5.1's file-system backend creates its target
# file on the first write and refuses a second write to it (a production Ralph runs ClickHouse, Elasticsearch
# or MongoDB; docs/xapi-profile.rst). Duplicates are checked by Ralph before any write, so they still show.
USERS = ("samples", "duplicates", "refused")
XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lrs(tmp_path_factory):
    ralph = LRS_VENV / "bin" / "ralph"
    if not ralph.exists():
        pytest.fail(f"Ralph is not installed in {LRS_VENV}: run `make lrs-deps` (make test does it)")
    home = tmp_path_factory.mktemp("ralph")
    env = {**os.environ, "RALPH_APP_DIR": str(home / "app"), "RALPH_AUTH_FILE": str(home / "auth.json"),
           "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(home / "data")}
    for user in USERS:
        (home / "data" / user).mkdir(parents=True)  # the backend writes <target>/fs_lrs.jsonl and creates no folder
        subprocess.run([str(ralph), "auth", "-u", user, "-p", PASSWORD, "-s", "all", "-t", user, "-M", f"mailto:{user}@ldai.example", "-w"],
                       env=env, check=True, capture_output=True)
    port = _free_port()
    log = open(home / "ralph.log", "wb")
    # Ralph's API served by uvicorn as in production (`ralph runserver` is its development wrapper, with a reloader).
    server = subprocess.Popen([str(LRS_VENV / "bin" / "uvicorn"), "ralph.api:app", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/xAPI/statements/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/__heartbeat__", timeout=1)
                break
            except requests.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("Ralph did not start:\n" + (home / "ralph.log").read_text(errors="replace")[-2000:])
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_every_sample_statement_is_accepted_and_read_back_unchanged(lrs):
    auth = ("samples", PASSWORD)
    bodies = [xapi.statement(xapi.parse_event(event(name))) for name in sorted(EVENTS)]
    posted = requests.post(lrs, json=bodies, auth=auth, headers=XAPI_HEADERS, timeout=10)
    assert posted.status_code == 200, posted.text
    assert posted.json() == [body["id"] for body in bodies]
    for body in bodies:
        stored = requests.get(lrs, params={"statementId": body["id"]}, auth=auth, headers=XAPI_HEADERS, timeout=10)
        assert stored.status_code == 200, stored.text
        got = stored.json()
        got = got["statements"][0] if "statements" in got else got
        for key in ("actor", "verb", "object", "context", "result"):
            assert got.get(key) == body.get(key), key


def test_a_statement_sent_twice_is_stored_once(lrs):
    """Deterministic ids: the tool may retry a forward after a lost answer; the LRS answers 409 or keeps one copy."""
    auth = ("duplicates", PASSWORD)
    body = xapi.statement(xapi.parse_event(event("ldai.risk_quiz.retried")))
    first = requests.post(lrs, json=body, auth=auth, headers=XAPI_HEADERS, timeout=10)
    again = requests.post(lrs, json=body, auth=auth, headers=XAPI_HEADERS, timeout=10)
    assert first.status_code == 200, first.text
    assert again.status_code in (200, 204, 409), again.text
    found = requests.get(lrs, params={"limit": 1000}, auth=auth, headers=XAPI_HEADERS, timeout=10).json()
    assert [s["id"] for s in found["statements"]].count(body["id"]) == 1


def test_the_lrs_refuses_what_is_not_a_statement(lrs):
    """The check is real: a statement without a verb is refused by Ralph (so acceptance above means something)."""
    body = xapi.statement(xapi.parse_event(event("ldai.risk_quiz.submitted")))
    body.pop("verb")
    refused = requests.post(lrs, json=body, auth=("refused", PASSWORD), headers=XAPI_HEADERS, timeout=10)
    assert refused.status_code in (400, 422)  # Ralph answers FastAPI's 422 where the spec says 400
    assert "verb" in refused.text
