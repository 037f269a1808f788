"""Hostile input (issue 11, item 3): deep JSON, spreadsheet formulas, and who may frame the tool.

Every request goes through the real tool: launches by lti-consumer-xblock's platform
(conftest.py), handlers through the LTI runtime's handler view, the results CSV through
its own URL.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest

from ldai_xblocks import json_input
from ldai_xblocks.spreadsheet import safe_cell, starts_like_a_formula
from lti_tool.lti import claims as c
from tests.lti.runtime_fixtures import call, handler_prefix, launch_page

pytest_plugins = ["tests.lti.runtime_fixtures"]

QUIZ = {c.CUSTOM_ACTIVITY: "ldai_risk_quiz", c.CUSTOM_PACK: "en/ai-risks",
        c.CUSTOM_SETTINGS: json.dumps({"display_name": "Risks quiz", "max_attempts": 3})}


# ------------------------------------------------------------------------------------ deep JSON


@pytest.mark.parametrize("depth", [200_000, 900, 65])
@pytest.mark.parametrize("handler", ["submit_answer", "studio_submit"])
def test_deeply_nested_json_is_a_400_through_the_lti_handler_path(client, graded_platform, depth, handler):
    """200,000 levels made ``json.loads`` raise RecursionError (a 500); 900 parses but is no body of ours."""
    consumer, _ = graded_platform
    role = "instructor" if handler == "studio_submit" else "student"
    prefix = handler_prefix(launch_page(client, consumer, custom=QUIZ, role=role))
    status, body = call(client, prefix, handler, raw=(b'{"a":' + b"[" * depth + b"]" * depth + b"}"))
    assert status == 400, body
    assert body["code"] == "malformed" and "not valid JSON" in body["error"]


def test_the_depth_limit_leaves_real_content_alone():
    from ldai_xblocks.content import KINDS, list_packs, load_pack

    for kind in KINDS:
        for pack in list_packs(kind):
            assert not json_input.depth_exceeds(load_pack(kind, pack.ref))
    assert json_input.loads('{"a": [[{"b": 1}]]}') == {"a": [[{"b": 1}]]}
    with pytest.raises(ValueError):
        json_input.loads("[" * 100_000 + "]" * 100_000)


def test_deeply_nested_own_content_in_deep_linking_is_a_form_error(client, consumer, lti_launch):
    html = lti_launch(client, consumer, role="instructor", deep_linking=True).content.decode()
    launch_id = unescape(re.search(r'name="launch_id" value="([^"]*)"', html).group(1))
    response = client.post("/lti/deep-link/", {"launch_id": launch_id, "activity": "ldai_risk_quiz", "source": "custom",
                                               "content": "[" * 20_000 + "]" * 20_000, "action": "submit"})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="error-content"' in html and "levels deep" in html


# ------------------------------------------------------------------------------------ CSV formulas

# OWASP "CSV Injection": = + - @, tab, carriage return; plus line feed, pipe (DDE), leading
# whitespace/invisible characters, and the full-width forms spreadsheets fold to ASCII.
TRIGGERS = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx", "|cmd", " =1+1", "\u00a0=1", "\u200b=1",
            "\ufeff=1", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "\uff5ccmd", "\ufe66x", "\u22121"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_every_formula_trigger_is_neutralised(text):
    assert starts_like_a_formula(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Alex Martin", "Élodie", "1.5", "", "'quoted", "a=b", "日本"])
def test_ordinary_cells_are_left_alone(text):
    assert safe_cell(text) == text


def test_results_csv_neutralises_names_sent_by_the_platform(client, graded_platform):
    consumer, _ = graded_platform
    names = ["\nHYPERLINK(\"http://evil\")", "|calc", "\uff1dcmd|' /C calc'!A0"]
    for index, name in enumerate(names):
        prefix = handler_prefix(launch_page(client, consumer, custom=QUIZ, user_id=f"learner-{index}", name=name))
        _, state = call(client, prefix, "student_view_user_state")
        question = state["questions"][0]
        assert call(client, prefix, "submit_answer", {"question_id": question["id"], "selected": [question["choices"][0]["id"]]})[0] == 200
    html = launch_page(client, consumer, custom=QUIZ, role="instructor", user_id="teacher-1", name="Teacher")
    csv_url = unescape(re.search(r'href="([^"]+results\.csv)"', html).group(1))
    rows = list(csv.reader(io.StringIO(client.get(csv_url).content.decode("utf-8-sig"))))
    cells = {row[0] for row in rows[1:]}
    assert cells == {"'" + name for name in names}


# ------------------------------------------------------------------------------------ framing


def test_a_platform_without_an_active_deployment_cannot_frame_error_pages(client, consumer, registered, lti_launch):
    """Deactivating the last deployment must take the platform out of frame-ancestors, error pages included."""
    from lti_tool.lti.pages import origin_of

    origin = origin_of(registered.issuer)
    refused = client.get("/lti/login/")  # an error page shown before any platform is known
    assert origin in refused["Content-Security-Policy"]
    registered.deployments.update(is_active=False)
    for response in (client.get("/lti/login/"), lti_launch(client, consumer)):
        assert response.status_code >= 400
        assert origin not in response["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
