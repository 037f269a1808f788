"""The 1EdTech-style certification launch cases (tests/lti/certification, Apache-2.0), replayed as their README says.

Valid cases must render (HTTP 200: the activity, or the deep linking picker);
invalid cases must get a 4xx page naming the reason, and nothing may be written
for them (no row in the tool's tables, no cached launch, no used nonce).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

CASES = Path(__file__).parent / "certification"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LAUNCH_URL = "http://testserver/lti/launch/"
DAY = 24 * 3600

# The reason each invalid case must name (the first check it fails, in the validator's order).
EXPECTED_REASON = {
    "Correct KID Required in Header": "kid_missing",
    "Exp and Iat Fields invalid": "token_expired",
    "Incorrect KID passed in JWT Header": "kid_unknown",
    "JWT Passed is Not LTI 1.3 JWT": "kid_missing",
    "LTI version passed is not 1.3": "version_unsupported",
    "Launch With Missing resource_link_id": "resource_link_missing",
    "No LTI Version Passed in JWT": "version_missing",
    "One or more JWT fields missing": "version_missing",
    "deployment_id Claim Missing": "deployment_missing",
    "message_type Claim Missing": "message_type_missing",
    "role Claim Missing": "roles_missing",
    "user Claim Missing": "sub_missing",
}


def cases(kind: str) -> list[str]:
    return sorted(p.name for p in (CASES / kind).iterdir() if p.is_dir())


def prepared(case_dir: Path, lti_platform, auth: dict) -> tuple[dict, dict | None]:
    """Steps 1-2 of the README: fresh times unless kept, and the test platform's iss/aud/deployment/target/nonce."""
    body = json.loads((case_dir / "payload.json").read_text())
    keep = json.loads((case_dir / "keep.json").read_text()) if (case_dir / "keep.json").exists() else []
    now = int(time.time())
    if "exp" not in keep:
        body["exp"] = now + DAY
    if "iat" not in keep:
        body["iat"] = now - DAY
    pointed = {"iss": lti_platform.issuer, "aud": auth["client_id"], LTI + "deployment_id": "deployment-a",
               LTI + "target_link_uri": LAUNCH_URL, "nonce": auth["nonce"]}
    for claim, value in pointed.items():
        if claim in body:  # a claim the case leaves out stays out: that is the case
            body[claim] = value
    header = json.loads((case_dir / "header.json").read_text()) if (case_dir / "header.json").exists() else None
    return body, header


@pytest.fixture
def certification_activity(monkeypatch):
    """The runtime's real launch_response when it is installed (the activity really renders), else a recorder."""
    import importlib
    import sys
    import types

    from django.http import HttpResponse

    try:
        return importlib.import_module("lti_tool.pages.activity")
    except ImportError:
        stub = types.ModuleType("lti_tool.pages.activity")
        stub.launch_response = lambda request, context: HttpResponse(f"activity for {context.user_sub}")
        monkeypatch.setitem(sys.modules, "lti_tool.pages.activity", stub)
        return stub


@pytest.mark.parametrize("case", cases("valid"))
def test_valid_certification_cases_render(case, client, consumer, lti_platform, lti_start_login, lti_sign, certification_activity):
    _, auth = lti_start_login(client, consumer)
    body, header = prepared(CASES / "valid" / case, lti_platform, auth)
    response = client.post(LAUNCH_URL, {"state": auth["state"], "id_token": lti_sign(body, lti_platform, header)})
    assert response.status_code == 200, response.content.decode()[:1500]
    html = response.content.decode()
    assert "Reason code" not in html
    if body[LTI + "message_type"] == "LtiDeepLinkingRequest":
        assert 'name="launch_id"' in html and 'name="activity"' in html  # the instructor's picker


@pytest.mark.parametrize("case", cases("invalid"))
def test_invalid_certification_cases_are_refused_naming_the_reason(case, client, consumer, lti_platform, lti_start_login, lti_sign,
                                                                   lti_snapshot, activity_stub):
    _, auth = lti_start_login(client, consumer)
    body, header = prepared(CASES / "invalid" / case, lti_platform, auth)
    before = lti_snapshot()
    response = client.post(LAUNCH_URL, {"state": auth["state"], "id_token": lti_sign(body, lti_platform, header)})
    assert 400 <= response.status_code < 500
    assert f"<code>{EXPECTED_REASON[case]}</code>" in response.content.decode()
    assert lti_snapshot() == before and not activity_stub


def test_every_invalid_case_has_an_expected_reason():
    assert sorted(EXPECTED_REASON) == cases("invalid") and len(cases("valid")) == 22
