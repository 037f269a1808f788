"""The skills map XBlock through a real runtime (ToyRuntime + our services), handlers with real webob requests.

Evidence storage reproduces Open edX's contract: ``Scope.user_info`` is one value per learner and
field name across every block (``XModuleStudentInfoField``, unique on student + field_name, in
edx-platform ``lms/djangoapps/courseware/models.py``; ``UserInfoCache`` in
``lms/djangoapps/courseware/model_data.py``). ToyRuntime's KvsFieldData keys user_info the same
way (no block id), so a quiz and a skills map of one learner share it as in the LMS.
"""

from __future__ import annotations

import copy
import json
from xml.sax.saxutils import quoteattr

import pytest

from ldai_xblocks.blocks.evidence import hunt_signals, prompt_signals
from ldai_xblocks.content import load_pack
from tests.blocks.test_risk_quiz import CONTENT as QUIZ_CONTENT
from tests.blocks.test_risk_quiz import answer_all
from tests.conftest import _I18n


@pytest.fixture
def skills(blocks):
    return blocks.from_xml("<ldai_skills_map/>")


def assess_all(block, handler, level: int):
    state = block.user_state()
    return handler(block, "save_self_assessment", {"levels": {q["id"]: level for q in state["questions"]}})


def test_student_view_data_is_the_framework_with_no_learner_and_no_language(blocks):
    block = blocks.from_xml("<ldai_skills_map/>")
    block.runtime._services.pop("user")
    block.runtime._services["i18n"] = _I18n(None)  # collect time: no request, so no language
    data = block.student_view_data()
    assert len(data["competences"]) == 20 and {j["id"] for j in data["jobs"]} >= {"finance", "hr"}
    assert all(len(c["statements"]) == 4 for c in data["competences"])
    assert not {"self", "self_levels", "map", "evidence"} & set(data)
    assert block.has_support(block.student_view, "multi_device")


def test_choose_a_job_assess_and_get_a_completion_grade(skills, handler):
    status, state = handler(skills, "choose_job", {"job": "finance"})
    assert status == 200 and state["job"] == "finance" and state["job_origin"] == "learner"
    first = state["questions"][0]["id"]
    status, state = handler(skills, "save_self_assessment", {"levels": {first: 2}})
    assert status == 200 and state["missing"] and state["self"] == {first: 2}  # partial answers are kept
    assert skills.runtime.events_of("grade") == []
    status, state = assess_all(skills, handler, 1)
    assert status == 200 and state["self_complete"] and "missing" not in state
    assert skills.runtime.events_of("grade") == [{"value": 1.0, "max_value": 1.0, "only_if_higher": None}]
    assert skills.runtime.events_of("completion") == [{"completion": 1.0}]
    assert skills.runtime.events_of("ldai.skills_map.self_assessed")[0] == {
        "job_family": "finance", "competence_levels": {first: 2}, "competences": [first], "complete": False}
    assert skills.runtime.events_of("ldai.skills_map.submitted")[0]["grading"] == "completion"
    # (3-1)x3 = 6 first; then three gaps of (2-1)x3 = 3, tied on weight, in id order
    assert [p["id"] for p in state["map"]["priorities"]] == ["output-verification", "anomaly-detection", "data-protection"]
    assert state["map"]["priorities"][0]["activities"] == ["AI risks quiz", "Hallucination hunt"]


@pytest.mark.parametrize(("payload", "code", "status"), [
    ({"job": "astronaut"}, "unknown_job", 400),
    ({"job": 3}, "unknown_job", 400),
])
def test_a_wrong_job_is_refused_with_a_message(skills, handler, payload, code, status):
    got, body = handler(skills, "choose_job", payload)
    assert got == status and body["code"] == code and body["fields"]["job"]


def test_bad_levels_are_named_and_nothing_is_lost(skills, handler):
    handler(skills, "choose_job", {"job": "sales"})
    handler(skills, "save_self_assessment", {"levels": {"prompting": 2}})
    status, body = handler(skills, "save_self_assessment", {"levels": {"prompting": 7, "customer-analysis": "high"}})
    assert status == 400 and set(body["fields"]) == {"prompting", "customer-analysis"}
    assert skills.self_levels == {"prompting": 2}
    status, body = handler(skills, "save_self_assessment", {"levels": []})
    assert status == 400 and body["code"] == "malformed"


def test_a_job_set_by_the_course_cannot_be_changed_by_the_learner(blocks, handler):
    block = blocks.from_xml('<ldai_skills_map job_family="hr"/>')
    assert block.user_state()["job"] == "hr" and block.user_state()["job_origin"] == "course"
    status, body = handler(block, "choose_job", {"job": "sales"})
    assert status == 409 and body["code"] == "job_fixed"


def test_the_lti_custom_parameter_sets_the_job_when_the_course_does_not(skills):
    skills.runtime.service(skills, "user").get_current_user().opt_attrs["ldai.job_family"] = "production"
    assert skills.user_state()["job"] == "production" and skills.user_state()["job_origin"] == "platform"


def test_quiz_results_become_evidence_on_the_map_of_the_same_learner_and_course(blocks, handler, skills):
    handler(skills, "choose_job", {"job": "finance"})
    assess_all(skills, handler, 1)
    before = {c["id"]: c for c in skills.user_state()["map"]["competences"]}
    assert before["output-verification"]["evidenced"] is None and before["output-verification"]["basis"] == "self"
    quiz = blocks.from_xml(f"<ldai_risk_quiz num_questions='4' max_attempts='2' custom_content={quoteattr(QUIZ_CONTENT)}/>")
    answer_all(quiz, handler, right=True)
    reloaded = blocks.as_user(skills, "learner1")
    after = {c["id"]: c for c in reloaded.user_state()["map"]["competences"]}
    assert "hallucinations" in {c["category"] for c in json.loads(QUIZ_CONTENT)["questions"]}
    assert after["output-verification"]["evidenced"] == 3.0 and after["output-verification"]["basis"] == "both"
    assert after["output-verification"]["gap"] < before["output-verification"]["gap"]
    assert any(after[cid]["evidence_count"] for cid in after)
    other = blocks.from_xml("<ldai_skills_map/>", user_id="learner2")
    handler(other, "choose_job", {"job": "finance"})
    assert all(c["evidence_count"] == 0 for c in other.user_state()["map"]["competences"])


def test_evidence_is_kept_per_course_inside_the_shared_field(blocks, handler):
    quiz = blocks.from_xml(f"<ldai_risk_quiz num_questions='4' custom_content={quoteattr(QUIZ_CONTENT)}/>")
    quiz.runtime.course_id = "course-v1:Org+A+2026"
    answer_all(quiz, handler, right=False)
    assert list(quiz.ldai_evidence) == ["course-v1:Org+A+2026"]
    quiz.runtime.course_id = "course-v1:Org+B+2026"
    assert quiz.course_evidence() == []
    del quiz.runtime.course_id


def test_hunt_and_prompt_results_map_to_signals():
    summary = {"t1": {"found": 2, "missed": 1, "false_alarms": 1}, "t2": {"found": 1, "missed": 0, "false_alarms": 0}}
    assert hunt_signals(summary) == {"recall": 0.75, "precision": 0.75}
    assert hunt_signals({}) == {}
    signals = prompt_signals({"task": 2, "tone": 1}, 2, leaked=True)
    assert signals == {"criterion:task": 1.0, "criterion:tone": 0.5, "confidential": 0.0}


def test_reading_the_map_writes_nothing_and_mark_seen_gives_the_change_next_time(blocks, handler, skills):
    handler(skills, "choose_job", {"job": "marketing"})
    assess_all(skills, handler, 1)
    stored = copy.deepcopy(blocks.store.db_dict)
    status, state = handler(skills, "student_view_user_state", method="GET")
    assert status == 200 and blocks.store.db_dict == stored and state["map"]["last_seen_at"] is None
    handler(skills, "mark_seen", {})
    assert skills.runtime.events_of("ldai.skills_map.launched")[0]["job_family"] == "marketing"
    quiz = blocks.from_xml(f"<ldai_risk_quiz num_questions='4' custom_content={quoteattr(QUIZ_CONTENT)}/>")
    answer_all(quiz, handler, right=True)
    state = blocks.as_user(skills, "learner1").user_state()
    assert state["map"]["last_seen_at"] and {c["id"] for c in state["map"]["changes"]} >= {"output-verification"}
    assert all(c["delta"] > 0 for c in state["map"]["changes"])


def test_readiness_grading_follows_the_gap(blocks, handler):
    block = blocks.from_xml('<ldai_skills_map grading="readiness" job_family="finance"/>')
    assess_all(block, handler, 3)
    assert block.runtime.events_of("grade")[-1]["value"] == 1.0
    assess_all(block, handler, 0)
    assert block.runtime.events_of("grade")[-1]["value"] == 0.0


def test_studio_saves_all_or_nothing_with_errors_next_to_fields(skills, handler):
    framework = load_pack("skills_map", "en/ai-at-work")
    broken = copy.deepcopy(framework)
    broken["job_profiles"][0]["targets"]["telepathy"] = {"level": 2, "weight": 1}
    status, body = handler(skills, "studio_submit", {"custom_content": json.dumps(broken), "grading": "graded", "job_family": "finance"})
    assert status == 400 and set(body["fields"]) == {"custom_content", "grading"}
    assert "$.job_profiles[0].targets.telepathy" in body["fields"]["custom_content"][0]
    assert skills.custom_content == "" and skills.grading == "completion"
    own = copy.deepcopy(framework)
    own["job_profiles"] = [p for p in own["job_profiles"] if p["id"] == "hr"]
    status, body = handler(skills, "studio_submit", {"custom_content": json.dumps(own), "job_family": "finance"})
    assert status == 400 and body["fields"] == {"job_family": ["Choose one of the listed options."]}
    status, body = handler(skills, "studio_submit", {"custom_content": json.dumps(own), "job_family": "hr", "grading": "readiness", "weight": 2})
    assert status == 200 and skills.job_family == "hr" and skills.grading == "readiness" and skills.weight == 2


def test_author_handlers_refuse_a_learner_in_the_lms(skills, handler):
    skills.runtime.service(skills, "user").get_current_user().opt_attrs["edx-platform.user_role"] = "student"
    assert handler(skills, "studio_submit", {"grading": "readiness"})[0] == 403
    assert handler(skills, "pack_document", {"pack": "en/ai-at-work"})[0] == 403


def test_author_text_cannot_break_out_of_the_page(blocks):
    framework = copy.deepcopy(load_pack("skills_map", "en/ai-at-work"))
    framework["competences"][0]["name"] = "</script><script>alert(1)</script>\u2028&"
    block = blocks.from_xml(f"<ldai_skills_map job_family='finance' custom_content={quoteattr(json.dumps(framework))}/>")
    html = block.student_view().body_html()
    assert "</script><script>alert(1)" not in html and "\u2028" not in html
    assert "\\u003c/script\\u003e" in html and "\\u2028\\u0026" in html


def test_olx_round_trip_keeps_settings_and_framework(blocks):
    framework = load_pack("skills_map", "fr/ai-at-work")
    block = blocks.from_xml(f"<ldai_skills_map job_family='hr' grading='readiness' weight='3' custom_content={quoteattr(json.dumps(framework))}/>")
    tag, copy_ = blocks.olx_round_trip(block)
    assert tag == "ldai_skills_map"
    assert (copy_.job_family, copy_.grading, copy_.weight) == ("hr", "readiness", 3.0)
    assert json.loads(copy_.custom_content) == framework


def test_report_data_lists_self_assessed_levels(skills, handler):
    handler(skills, "choose_job", {"job": "sales"})
    handler(skills, "save_self_assessment", {"levels": {"prompting": 2}})

    handler(skills, "mark_seen", {})

    class UserState:
        username = "ada"
        state = {"assessed_job": skills.assessed_job, "self_levels": dict(skills.self_levels), "last_seen": dict(skills.last_seen)}

    rows = dict((row["Competence"], row) for _, row in skills.generate_report_data(iter([UserState()])))
    assert rows["prompting"] == {"Job family": "sales", "Competence": "prompting", "Target": 2, "Self-assessed level": 2, "Level": 2.0,
                                 "Weighted gap": 0.0, "Seen at": skills.last_seen["at"]}
    assert rows["customer-analysis"]["Self-assessed level"] is None and rows["customer-analysis"]["Level"] is None


def test_in_open_edx_the_course_comes_from_the_usage_key():
    """The LMS gives blocks a BlockUsageLocator (opaque-keys); its ``context_key`` is the course the evidence is kept under."""
    from types import SimpleNamespace

    from opaque_keys.edx.keys import UsageKey

    from ldai_xblocks.blocks.evidence import course_key_of

    usage = UsageKey.from_string("block-v1:Org+AI101+2026+type@ldai_skills_map+block@map")
    block = SimpleNamespace(scope_ids=SimpleNamespace(usage_id=usage), runtime=SimpleNamespace(course_id="ignored"))
    assert course_key_of(block) == "course-v1:Org+AI101+2026"
