"""Our statements posted to a real LRS and read back: Ralph 5.1 (``ralph-malph``, the LRS of Open edX
Aspects), run on 127.0.0.1 by tests/xapi/ralph.py.
"""

from __future__ import annotations

import pytest
import requests

from ldai_xblocks.engine import xapi
from tests.xapi.events import EVENTS, event
from tests.xapi.ralph import PASSWORD, XAPI_HEADERS, running_ralph

# One account per test (see tests/xapi/ralph.py: the fs backend writes each account's target once).
USERS = ("samples", "duplicates", "refused")


@pytest.fixture(scope="module")
def lrs(tmp_path_factory):
    with running_ralph(tmp_path_factory, USERS) as ralph:
        yield ralph.statements_url


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
