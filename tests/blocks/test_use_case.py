"""The use-case XBlock (``ldai_use_case``) through a real runtime, handlers called with real webob requests:
record (confidential data refused before anything is stored), validate, browse, adopt; the managers' survey."""

from __future__ import annotations

import copy
import json

import pytest

from ldai_xblocks.blocks.use_case import UseCaseBlock
from tests.xapi.events import EVENTS

CASE = {
    "job_family": "finance", "task": "Drafting the weekly summary of customer complaints", "tool": "The company assistant",
    "data": "Counts per complaint category, no names", "before": "Two hours reading tickets by hand",
    "after": "A first draft in thirty minutes, every figure checked", "minutes_saved": 90, "rating": 4,
}


def learner(blocks, block, user_id: str, language: str = "en"):
    """The block as a learner sees it: Open edX's LMS says the role (``edx-platform.user_role``)."""
    other = blocks.as_user(block, user_id, language)
    other.runtime.service(other, "user").get_current_user().opt_attrs["edx-platform.user_role"] = "student"
    return other


@pytest.fixture
def library(blocks):
    return blocks.from_xml("<ldai_use_case/>", user_id="author")


def test_a_case_goes_from_recorded_to_validated_to_adopted(blocks, library, handler):
    alice = learner(blocks, library, "alice")
    status, state = handler(alice, "record_case", CASE)
    assert status == 200, state
    case = state["my_cases"][0]
    assert case["status"] == "pending" and case["mine"] and "author_name" not in case
    assert state["library"] == [] and "pending" not in state
    assert alice.runtime.events_of("ldai.use_case.case_recorded") == [
        {"case_id": case["id"], "job_family": "finance", "minutes_saved": 90, "rating": 4}]
    assert alice.runtime.events_of("completion") == [{"completion": 1.0}]
    # The course team (no learner role) sees it with its author's name, and validates it.
    team = blocks.as_user(library, "manager")
    pending = team.user_state()["pending"]
    assert [c["id"] for c in pending] == [case["id"]] and "author_name" in pending[0]
    assert "Learner alice" not in json.dumps(library.cases)  # only the anonymous id is shared (decision 0003, 6)
    status, state = handler(team, "review_case", {"case_id": case["id"], "decision": "validate"})
    assert status == 200 and state["pending"] == []
    assert team.runtime.events_of("ldai.use_case.case_validated") == [{"case_id": case["id"], "job_family": "finance", "minutes_saved": 90}]
    # A colleague finds it in the library of their job family, without its author, and adopts it once.
    bob = learner(blocks, library, "bob")
    shown = bob.user_state()["library"]
    assert [c["id"] for c in shown] == [case["id"]] and "author_name" not in shown[0] and not shown[0]["mine"]
    status, state = handler(bob, "adopt_case", {"case_id": case["id"]})
    assert status == 200 and state["library"][0]["adoptions"] == 1 and state["library"][0]["adopted"]
    assert bob.runtime.events_of("ldai.use_case.case_adopted") == [{"case_id": case["id"], "job_family": "finance", "minutes_saved": 90}]
    status, body = handler(bob, "adopt_case", {"case_id": case["id"]})
    assert status == 409 and body["code"] == "already_adopted"
    status, body = handler(learner(blocks, library, "alice"), "adopt_case", {"case_id": case["id"]})
    assert status == 409 and body["code"] == "own_case"


def test_confidential_data_is_refused_before_anything_is_stored_and_the_learner_is_told_what_to_remove(blocks, library, handler):
    alice = learner(blocks, library, "alice")
    leaking = {**CASE, "data": "The export with jane.doe@client.example and FR76 3000 6000 0112 3456 7890 189", "after": "Call 06 12 34 56 78"}
    status, body = handler(alice, "record_case", leaking)
    assert status == 400 and body["code"] == "confidential"
    assert "confidential" in body["error"]
    assert "e-mail address" in body["fields"]["data"][0] and "IBAN" in body["fields"]["data"][0]
    assert "phone number" in body["fields"]["after"][0]
    assert "jane.doe" not in json.dumps(body)  # the data itself is never echoed back
    assert library.cases == {} and alice.my_cases == [] and not alice.runtime.events_of("ldai.use_case.case_recorded")


def test_the_operators_confidential_terms_are_refused_too(blocks, handler):
    block = blocks.from_xml("<ldai_use_case/>", user_id="ann", settings={"CONFIDENTIAL_TERMS": ["Project Falcon"]})
    status, body = handler(block, "record_case", {**CASE, "task": "Summarising the project falcon steering notes"})
    assert status == 400 and "confidential name or term" in body["fields"]["task"][0]


def test_french_learners_are_told_in_french(blocks, library, handler):
    status, body = handler(learner(blocks, library, "amelie", "fr"), "record_case", {**CASE, "tool": "", "data": "écrire à a.b@c.fr"})
    assert status == 400
    assert body["fields"]["tool"] == ["Remplissez ce champ."]
    assert "adresse e-mail" in body["fields"]["data"][0]


@pytest.mark.parametrize(("change", "field"), [
    ({"task": "short"}, "task"), ({"task": "x" * 1001}, "task"), ({"tool": None}, "tool"), ({"minutes_saved": -5}, "minutes_saved"),
    ({"minutes_saved": "a lot"}, "minutes_saved"), ({"minutes_saved": 1e9}, "minutes_saved"), ({"rating": 6}, "rating"),
    ({"rating": True}, "rating"), ({"job_family": "astronaut"}, "job_family"), ({"before": {"$ne": ""}}, "before"),
])
def test_every_wrong_field_is_named_and_nothing_is_saved(blocks, library, handler, change, field):
    status, body = handler(learner(blocks, library, "alice"), "record_case", {**CASE, **change})
    assert status == 400 and field in body["fields"] and body["fields"][field][0]
    assert library.cases == {}


def test_without_validation_a_case_joins_the_library_at_once(blocks, handler):
    block = blocks.from_xml("<ldai_use_case require_validation='false'/>", user_id="x")
    status, state = handler(learner(blocks, block, "alice"), "record_case", CASE)
    assert status == 200 and state["library"][0]["status"] == "validated"


def test_learners_cannot_review_and_unknown_or_reviewed_cases_are_refused(blocks, library, handler):
    alice = learner(blocks, library, "alice")
    _, state = handler(alice, "record_case", CASE)
    case_id = state["my_cases"][0]["id"]
    status, body = handler(learner(blocks, library, "bob"), "review_case", {"case_id": case_id, "decision": "validate"})
    assert status == 403
    team = blocks.as_user(library, "manager")
    assert handler(team, "review_case", {"case_id": "nope", "decision": "validate"})[0] == 404
    assert handler(team, "review_case", {"case_id": case_id, "decision": "maybe"})[0] == 400
    assert handler(team, "review_case", {"case_id": case_id, "decision": "decline"})[0] == 200
    status, body = handler(team, "review_case", {"case_id": case_id, "decision": "validate"})
    assert status == 409 and body["code"] == "already_reviewed"
    assert handler(learner(blocks, library, "bob"), "adopt_case", {"case_id": case_id})[1]["code"] == "not_validated"
    assert not team.runtime.events_of("ldai.use_case.case_validated")


def test_the_library_is_browsed_by_job_family_most_adopted_first(blocks, handler):
    from ldai_xblocks.engine.use_cases import library

    cases = {
        "a": {"id": "a", "status": "validated", "job_family": "hr", "adoptions": 1, "validated_at": "2026-01-01"},
        "b": {"id": "b", "status": "validated", "job_family": "finance", "adoptions": 3, "validated_at": "2026-01-02"},
        "c": {"id": "c", "status": "validated", "job_family": "finance", "adoptions": 3, "validated_at": "2026-01-05"},
        "d": {"id": "d", "status": "pending", "job_family": "finance", "adoptions": 0},
    }
    assert [c["id"] for c in library(cases)] == ["c", "b", "a"]
    assert [c["id"] for c in library(cases, "finance")] == ["c", "b"]


def test_managers_rate_their_teams_usage_again_and_again(blocks, handler):
    survey = blocks.from_xml("<ldai_use_case mode='usage_survey' job_family='sales'/>", user_id="manager1")
    items = [i["id"] for i in survey.user_state()["survey"]["items"]]
    status, body = handler(survey, "rate_usage", {"scores": {items[0]: 4}, "team": "sales-east"})
    assert status == 400 and "scores" in body["fields"] and str(len(items) - 1) in body["fields"]["scores"][0]
    status, body = handler(survey, "rate_usage", {"scores": dict.fromkeys(items, 9)})
    assert status == 400
    status, body = handler(survey, "rate_usage", {"scores": dict.fromkeys(items, 3), "team": "Jane Doe's team"})
    assert status == 400 and "team" in body["fields"]
    for value in (2, 4):
        status, state = handler(survey, "rate_usage", {"scores": dict.fromkeys(items, value), "team": "sales-east"})
        assert status == 200, state
    assert [r["mean"] for r in state["responses"]] == [4.0, 2.0]  # newest first, each dated
    assert all(r["at"] for r in state["responses"])
    rated = survey.runtime.events_of("ldai.use_case.usage_rated")
    assert [e["score"] for e in rated] == [0.25, 0.75]
    assert rated[0]["usage_scores"] == dict.fromkeys(items, 2) and rated[0]["team"] == "sales-east" and rated[0]["job_family"] == "sales"
    assert handler(survey, "record_case", CASE)[1]["code"] == "wrong_mode"


def test_survey_items_come_from_the_pack_in_the_learners_language(blocks):
    english = blocks.from_xml("<ldai_use_case mode='usage_survey'/>")
    french = blocks.as_user(english, "gerant", language="fr")
    assert english.user_state()["survey"]["items"][0]["text"].startswith("My team")
    assert french.user_state()["survey"]["items"][0]["text"].startswith("Mon équipe")
    assert "Pas du tout" in french.student_view().content


def test_studio_saves_all_or_nothing_with_errors_next_to_the_field(blocks, handler):
    block = blocks.from_xml("<ldai_use_case/>")
    status, body = handler(block, "studio_submit", {"mode": "quiz", "weight": -1, "custom_content": '{"schema": "ldai.use_case/1"}'})
    assert status == 400 and set(body["fields"]) == {"mode", "weight", "custom_content"}
    assert block.mode == "library"
    document = copy.deepcopy(block.default_document("fr/ai-use-cases"))  # the pack itself is cached, read-only
    document["survey"]["items"] = document["survey"]["items"][:2]
    status, body = handler(block, "studio_submit", {"mode": "usage_survey", "require_validation": False, "job_family": "hr",
                                                    "custom_content": json.dumps(document)})
    assert status == 200, body
    assert block.mode == "usage_survey" and len(block.user_state()["survey"]["items"]) == 2
    learner_view = learner(blocks, block, "bob")
    assert handler(learner_view, "studio_submit", {"mode": "library"})[0] == 403
    assert handler(learner_view, "pack_document", {"pack": "en/ai-use-cases"})[0] == 403
    assert handler(block, "pack_document", {"pack": "en/nope"})[0] == 400


def test_olx_round_trip_keeps_the_settings(blocks, handler):
    block = blocks.from_xml("<ldai_use_case display_name='Cas' mode='usage_survey' job_family='hr' require_validation='false' weight='2'/>")
    tag, again = blocks.olx_round_trip(block)
    assert tag == "ldai_use_case"
    for name in ("display_name", "mode", "job_family", "require_validation", "weight"):
        assert getattr(again, name) == getattr(block, name), name


def test_views_never_let_a_case_text_break_out_of_html_or_script(blocks, library, handler):
    """Case texts are learner free text shown to others: escaped in HTML and in the init JSON."""
    alice = learner(blocks, library, "alice")
    handler(alice, "record_case", {**CASE, "task": "</script><img src=x onerror=alert(1)> summary"})
    fragment = blocks.as_user(library, "manager").student_view()
    assert "</script><img" not in fragment.content
    # The text rides in the init args, which the hosts escape for a <script> element (lti_tool's runtime:
    # _json_for_html; the JS writes every case with textContent).
    from lti_tool.runtime.xblock_runtime import _json_for_html

    assert "</script" not in _json_for_html(fragment.json_init_args)
    data = library.student_view_data()
    assert "my_cases" not in data and "library" not in data


def test_get_of_the_state_writes_nothing(blocks, library, handler):
    status, state = handler(learner(blocks, library, "alice"), "student_view_user_state", method="GET")
    assert status == 200 and state["my_cases"] == []
    assert library.cases == {}


def test_every_event_it_publishes_has_an_xapi_sample():
    import inspect
    import re

    published = set(re.findall(r'self\.emit\("(\w+)"', inspect.getsource(UseCaseBlock)))
    assert published == {"case_recorded", "case_validated", "case_adopted", "usage_rated"}
    assert {f"ldai.use_case.{name}" for name in published} <= set(EVENTS)


def test_the_case_text_goes_into_the_event_only_when_the_operator_allows_free_text(blocks, handler):
    allowed = blocks.from_xml("<ldai_use_case/>", user_id="ops", settings={"XAPI_FREE_TEXT": True})
    handler(allowed, "record_case", CASE)
    assert allowed.runtime.events_of("ldai.use_case.case_recorded")[0]["task"] == CASE["task"]


def test_survey_responses_are_rows_of_the_problem_responses_report(blocks, handler):
    """Open edX's instructor report (``lms/djangoapps/instructor_task/tasks_helper/grades.py`` calls
    ``generate_report_data`` with the learners' states): one dated row per response."""
    survey = blocks.from_xml("<ldai_use_case mode='usage_survey'/>", user_id="m1")
    items = [i["id"] for i in survey.user_state()["survey"]["items"]]
    handler(survey, "rate_usage", {"scores": dict.fromkeys(items, 5), "team": "t1"})

    class State:
        username = "m1"
        state = {"survey_responses": survey.survey_responses}

    rows = list(survey.generate_report_data(iter([State()])))
    assert rows[0][0] == "m1" and rows[0][1]["Team"] == "t1" and rows[0][1]["Mean"] == 5.0 and rows[0][1][items[0]] == 5
