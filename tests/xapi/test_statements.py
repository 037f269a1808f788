"""The xAPI profile (ldai_xblocks.engine.xapi): every event our blocks publish becomes a statement that
Ralph's own xAPI 1.0.3 models accept (``ralph.models.xapi.base.statements.BaseXapiStatement``, the
validation Open edX Aspects' LRS runs), and nothing the allow-list does not name leaves the tool.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ralph.models.xapi.base.statements import BaseXapiStatement

from ldai_xblocks.engine import xapi
from tests.xapi.events import ACTOR, CONTEXT, EVENTS, event

ROOT = Path(__file__).resolve().parents[2]


def build(raw: dict, **kwargs) -> dict:
    return xapi.statement(xapi.parse_event(raw, **kwargs))


def test_every_event_a_block_publishes_has_a_mapping_and_a_sample():
    """A new ``self.emit("x", ...)`` without a mapping would silently never reach the LRS."""
    published = set()
    modules = {module.stem: module.read_text() for module in (ROOT / "ldai_xblocks" / "blocks").glob("*.py")}
    for stem, text in modules.items():
        activity = re.search(r'^\s+activity = "(\w+)"', text, re.M)
        # A shared mixin (team_challenge) emits for every block module that imports it.
        activities = [activity.group(1)] if activity else [
            found.group(1) for other in modules.values() if f"from .{stem} import" in other
            for found in [re.search(r'^\s+activity = "(\w+)"', other, re.M)] if found]
        for action in re.findall(r'self\.emit\("(\w+)"', text):
            published.update(f"ldai.{name}.{action}" for name in activities)
    assert published, "no event found: the scan itself is broken"
    for name in published:
        assert name.split(".")[2] in xapi.MAPPINGS, name
        assert name.split(".")[1] in xapi.ACTIVITY_TYPES, name
    assert published <= set(EVENTS), f"add a sample to tests/xapi/events.py for {sorted(published - set(EVENTS))}"


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_each_statement_validates_against_ralphs_xapi_model(name):
    body = build(event(name))
    BaseXapiStatement(**body)
    assert body["version"] == "1.0.3"
    assert body["actor"] == {"objectType": "Agent", "account": {"homePage": ACTOR["home_page"], "name": ACTOR["id"]}}
    assert body["context"]["language"] == "fr-FR"
    assert body["context"]["extensions"][xapi.EXTENSION_IRI + "job-family"] == "finance"
    parents = [p["id"] for p in body["context"]["contextActivities"]["parent"]]
    assert CONTEXT["course_id"] in parents


@pytest.mark.parametrize(("name", "verb", "scaled", "success"), [
    ("ldai.risk_quiz.submitted", "completed", 0.83, True),
    ("ldai.risk_quiz.answered", "answered", 1.0, True),
    ("ldai.hallucination_detector.submitted", "completed", 0.5, None),
    ("ldai.prompt_sandbox.submitted", "completed", 0.86, None),
    ("ldai.risk_quiz.retried", "attempted", None, None),
    ("ldai.hallucination_detector.time_expired", "terminated", None, None),
])
def test_verbs_and_results(name, verb, scaled, success):
    body = build(event(name))
    assert body["verb"]["id"] == xapi.VERBS[verb].iri
    result = body.get("result", {})
    assert result.get("score", {}).get("scaled") == scaled
    assert result.get("success") == success


def test_the_quiz_answer_is_about_the_question_inside_the_block():
    body = build(event("ldai.risk_quiz.answered"))
    assert body["object"]["id"] == CONTEXT["activity_id"] + "/question/q-bias-01"
    assert body["object"]["definition"]["type"] == xapi.ACTIVITY_TYPES["question"]
    assert body["context"]["contextActivities"]["parent"][0]["id"] == CONTEXT["activity_id"]
    assert body["result"]["extensions"][xapi.EXTENSION_IRI + "risk-category"] == "bias"


def test_the_sandbox_reports_criteria_and_confidential_kinds_never_the_prompt():
    body = build(event("ldai.prompt_sandbox.submitted"))
    extensions = body["result"]["extensions"]
    assert extensions[xapi.EXTENSION_IRI + "criterion-scores"] == {"role": 2.0, "context": 1.0}
    assert extensions[xapi.EXTENSION_IRI + "confidential-data-kinds"] == ["email"]
    assert extensions[xapi.EXTENSION_IRI + "rubric-total"] == 86
    assert "jane.doe" not in json.dumps(body)


def test_free_text_only_when_the_operator_allows_it_and_cut():
    raw = event("ldai.prompt_sandbox.submitted")
    raw["data"]["prompt"] = "x" * 2000
    allowed = build(raw, allow_free_text=True)
    assert allowed["result"]["extensions"][xapi.EXTENSION_IRI + "prompt-text"] == "x" * xapi.MAX_FREE_TEXT
    assert xapi.EXTENSION_IRI + "prompt-text" not in build(raw)["result"]["extensions"]


def test_the_same_event_always_gets_the_same_id_so_a_retried_forward_is_stored_once():
    assert build(event("ldai.risk_quiz.submitted"))["id"] == build(event("ldai.risk_quiz.submitted"))["id"]
    later = event("ldai.risk_quiz.submitted", timestamp="2026-12-01T09:31:00Z")
    assert build(later)["id"] != build(event("ldai.risk_quiz.submitted"))["id"]


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda e: e.update(name="risk_quiz.submitted"), "is not one of our events"),
    (lambda e: e.update(name="ldai.risk_quiz.exploded"), "no xAPI mapping"),
    (lambda e: e.update(name="ldai.poker.submitted"), "unknown activity"),
    (lambda e: e["actor"].pop("id"), "actor.id"),
    (lambda e: e["actor"].update(home_page="moodle"), "actor.home_page"),
    (lambda e: e["context"].update(activity_id="javascript:alert(1)"), "context.activity_id"),
    (lambda e: e["context"].update(registration="not-a-uuid"), "registration"),
    (lambda e: e.update(timestamp="yesterday"), "ISO 8601"),
    (lambda e: e.update(timestamp="2026-12-01T09:00:00"), "time zone"),
    (lambda e: e.pop("data"), '"data"'),
])
def test_unusable_events_are_refused_with_a_message_that_says_what_to_fix(mutate, message):
    raw = event("ldai.risk_quiz.submitted")
    mutate(raw)
    with pytest.raises(xapi.EventError, match=re.escape(message)):
        build(raw)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(EVENTS)), data=st.dictionaries(st.sampled_from(sorted({*xapi.EXTENSIONS, "score", "grade", "passed", "secret", "elapsed_seconds"})), JSONISH, max_size=8))
def test_any_event_data_gives_a_valid_statement_with_no_text_outside_the_allow_list(name, data):
    raw = event(name)
    raw["data"] = data
    body = build(raw)
    BaseXapiStatement(**body)
    dumped = json.dumps(body)
    for value in data.values():
        if isinstance(value, str) and len(value) > 3 and not xapi._word(value):
            assert json.dumps(value)[1:-1] not in dumped, "free text leaked into the statement"


def test_cli_prints_the_statement_and_explains_bad_input():
    ldai = [sys.executable, "-m", "ldai_xblocks.cli", "xapi", "statement"]
    ok = subprocess.run(ldai, input=json.dumps(event("ldai.risk_quiz.submitted")), capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["verb"]["id"] == xapi.VERBS["completed"].iri
    bad = subprocess.run(ldai, input="{not json", capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "stdin is not JSON" in bad.stderr
    wrong = subprocess.run(ldai, input=json.dumps({"name": "ldai.risk_quiz.submitted"}), capture_output=True, text=True, check=False)
    assert wrong.returncode == 1 and '"data" is missing' in wrong.stderr
