"""The charter XBlock through a real runtime, handlers called with real webob requests."""

from __future__ import annotations

import copy
import json

import pytest

from ldai_xblocks.blocks import course_charter
from ldai_xblocks.content import load_pack


@pytest.fixture
def charter_block(blocks):
    return blocks.from_xml("<ldai_charter num_questions='4'/>")


def answers_for(block, right: bool) -> dict:
    """The drawn questions' answers, right or wrong under the charter in force."""
    bank = block.bank()
    out = {}
    for question in block.user_state()["questions"]:
        q = bank.questions[question["id"]]
        out[q.id] = sorted(q.correct_ids) if right else [c for c in q.choice_ids if c not in q.correct_ids][:1]
    return out


def check(block, handler, right=True):
    return handler(block, "check_answers", {"version": block.user_state()["version"], "answers": answers_for(block, right)})


def template(lang="en") -> dict:
    return copy.deepcopy(load_pack("charter", f"{lang}/ai-charter"))


def test_default_template_in_the_learners_language_and_a_first_view_writes_nothing(blocks):
    english = blocks.from_xml("<ldai_charter/>")
    state = english.user_state()
    assert state["version"] == "1.0" and len(state["sections"]) == 4 and len(state["questions"]) == 4
    assert {q["rule"] for q in state["questions"]} <= {r["id"] for s in state["sections"] for r in s["rules"]}
    french = blocks.as_user(english, "learner2", language="fr")
    assert french.user_state()["charter_title"] == "Notre charte d’usage de l’IA"
    english.student_view()
    assert english.attempt == {} and english.acceptances == []
    from xblock.fields import Scope

    written = [key for key in blocks.store.db_dict if key.scope == Scope.user_state]
    assert written == []  # a view (an LTI launch) stores nothing for the learner


def test_questions_are_drawn_across_sections_and_stay_the_same_on_reload(blocks, charter_block):
    first = [q["id"] for q in charter_block.user_state()["questions"]]
    assert [q["id"] for q in blocks.as_user(charter_block, "learner1").user_state()["questions"]] == first
    bank = charter_block.bank()
    sections = {bank.questions[qid].category for qid in first}
    assert len(sections) == 4  # a balanced draw: one per section


def test_check_then_accept_records_version_time_and_score_with_grade_and_event(charter_block, handler):
    status, state = check(charter_block, handler, right=True)
    assert status == 200 and state["checked"] and state["score"] == 1.0 and state["passed"]
    assert all(a["correct"] and a["feedback"] and a["explanation"] for a in state["answers"].values())
    status, state = handler(charter_block, "accept", {"version": "1.0"})
    assert status == 200 and state["accepted"]["version"] == "1.0" and state["accepted"]["score"] == 1.0
    assert state["accepted"]["accepted_at"].endswith("+00:00")
    runtime = charter_block.runtime
    accepted = runtime.events_of("ldai.charter.accepted")
    assert accepted == [{"charter_version": "1.0", "score": 1.0, "accepted_at": state["accepted"]["accepted_at"]}]
    assert runtime.events_of("grade")[-1]["value"] == 1.0 and runtime.events_of("completion") == [{"completion": 1.0}]
    assert [r["signal"] for r in charter_block.course_evidence()] == ["comprehension"]  # read by the skills map
    status, body = handler(charter_block, "accept", {"version": "1.0"})
    assert status == 409 and body["code"] == "already_accepted"


def test_a_low_score_cannot_accept_and_a_retry_draws_new_questions(charter_block, handler):
    before = [q["id"] for q in charter_block.user_state()["questions"]]
    status, state = check(charter_block, handler, right=False)
    assert status == 200 and state["score"] == 0.0 and not state["passed"]
    status, body = handler(charter_block, "accept", {"version": "1.0"})
    assert status == 409 and body["code"] == "below_threshold" and body["error"]
    status, state = handler(charter_block, "retry", {})
    assert status == 200 and not state["checked"] and state["answers"] == {}
    assert [q["id"] for q in state["questions"]] != before
    assert charter_block.acceptances == []


def test_accepting_before_checking_or_with_unanswered_questions_says_what_to_do(charter_block, handler):
    status, body = handler(charter_block, "accept", {"version": "1.0"})
    assert status == 409 and body["code"] == "not_checked"
    answers = answers_for(charter_block, True)
    missing = next(iter(answers))
    answers[missing] = []
    status, body = handler(charter_block, "check_answers", {"version": "1.0", "answers": answers})
    assert status == 400 and body["code"] == "unanswered" and list(body["fields"]) == [missing]
    status, body = handler(charter_block, "check_answers", {"version": "1.0", "answers": "nope"})
    assert status == 400 and len(body["fields"]) == 4
    assert charter_block.attempt == {}  # nothing kept from a refused check


def test_a_new_version_needs_a_new_number_asks_again_and_shows_what_changed(blocks, charter_block, handler):
    check(charter_block, handler)
    handler(charter_block, "accept", {"version": "1.0"})
    author = blocks.as_user(charter_block, "author")
    document = template()
    document["sections"][1]["rules"][0]["verdict"] = "allowed"  # client data now allowed in public chatbots
    document["sections"][0]["rules"].append({"id": "new-rule", "text": "Ask before using a new AI tool.", "verdict": "forbidden"})
    status, body = handler(author, "studio_submit", {"charter": json.dumps(document), "version": "1.0"})
    assert status == 400 and list(body["fields"]) == ["version"] and "new version" in body["fields"]["version"][0]
    status, body = handler(author, "studio_submit", {"charter": json.dumps(document), "version": "2.0"})
    assert status == 200, body
    learner = blocks.as_user(charter_block, "learner1")
    state = learner.user_state()
    assert state["version"] == "2.0" and state["accepted"] is None
    changes = {c["id"]: c for c in state["changes"]["rules"]}
    assert state["changes"]["since"] == "1.0" and set(changes) == {"client-data-public-chatbot", "new-rule"}
    assert changes["client-data-public-chatbot"]["before"]["verdict"] == "forbidden"
    assert changes["client-data-public-chatbot"]["after"]["verdict"] == "allowed" and changes["new-rule"]["change"] == "added"
    status, body = handler(learner, "accept", {"version": "1.0"})
    assert status == 409 and body["code"] == "new_version"
    # The answer key follows the new rule: the old right answer on client data is now wrong.
    assert learner.bank().rule("client-data-public-chatbot").allowed is True
    status, body = handler(author, "studio_submit", {"charter": json.dumps(template()), "version": "2.0"})
    assert status == 400 and list(body["fields"]) == ["version"]
    third = template()
    third["sections"][0]["body"] = "Reworded."
    third["sections"][0]["rules"][0]["text"] = "Only approved tools, for every task."
    status, body = handler(author, "studio_submit", {"charter": json.dumps(third), "version": "1.0"})
    assert status == 400 and "already used" in body["fields"]["version"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"charter": "{not json", "version": "2"}, "charter"),
        ({"charter": json.dumps({"schema": "ldai.charter/1"}), "version": "2"}, "charter"),
        ({"charter": json.dumps(template()), "version": "two words"}, "version"),
        ({"charter": ["x"], "version": "2"}, "charter"),
        ({"num_questions": 9}, "num_questions"),
        ({"pass_threshold": "high"}, "pass_threshold"),
    ],
)
def test_studio_errors_are_next_to_their_field_and_save_nothing(charter_block, handler, payload, field):
    status, body = handler(charter_block, "studio_submit", {**payload, "display_name": "Changed"})
    assert status == 400 and field in body["fields"] and body["fields"][field][0]
    assert charter_block.display_name == "" and charter_block.charter_document == ""


def test_a_conditional_rule_without_conditions_is_refused_with_its_place(charter_block, handler):
    document = template()
    document["sections"][2]["rules"][1].pop("conditions")
    status, body = handler(charter_block, "studio_submit", {"charter": json.dumps(document), "version": "1.1"})
    assert status == 400 and any("$.sections[2].rules[1].conditions" in p for p in body["fields"]["charter"])


def test_learners_cannot_save_the_charter(blocks, handler):
    class LearnerUsers:
        def get_current_user(self):
            from xblock.reference.user_service import XBlockUser

            user = XBlockUser(is_current_user=True)
            user.opt_attrs["edx-platform.user_role"] = "student"
            return user

    block = blocks.from_xml("<ldai_charter/>")
    block.runtime._services["user"] = LearnerUsers()
    status, body = handler(block, "studio_submit", {"charter": json.dumps(template()), "version": "9"})
    assert status == 403 and block.charter_document == ""
    status, body = handler(block, "pack_document", {})
    assert status == 403


def test_student_view_data_has_no_answer_key(charter_block):
    data = json.dumps(charter_block.student_view_data())
    assert "correct_if" not in data and "feedback" not in data and "explanation" not in data
    assert charter_block.student_view_data()["version"] == "1.0"


def test_report_rows_one_per_acceptance(charter_block, handler):
    check(charter_block, handler)
    handler(charter_block, "accept", {"version": "1.0"})

    class State:
        username = "=cmd|' /C calc'!A0"
        state = {"acceptances": list(charter_block.acceptances) + [{"version": "0.9", "accepted_at": "2026-01-01T00:00:00+00:00", "score": 0.75}]}

    rows = list(charter_block.generate_report_data(iter([State()])))
    assert [r[1]["Charter version"] for r in rows] == ["1.0", "0.9"]
    assert rows[0][1]["Current version"] is True and rows[1][1]["Current version"] is False
    assert rows[1][1]["Comprehension score"] == 0.75
    assert len(list(charter_block.generate_report_data(iter([State()]), limit_responses=1))) == 1


def test_olx_round_trip_keeps_the_charter_its_versions_and_settings(blocks, charter_block, handler):
    document = template("fr")
    status, _ = handler(charter_block, "studio_submit", {"charter": json.dumps(document), "version": "2026-12", "num_questions": 5,
                                                         "pass_threshold": 80, "display_name": "Charte"})
    assert status == 200
    tag, again = blocks.olx_round_trip(charter_block)
    assert tag == "ldai_charter"
    assert json.loads(again.charter_document)["version"] == "2026-12" and set(again.charter_history) == {"1.0", "2026-12"}
    assert again.num_questions == 5 and again.pass_threshold == 0.8 and again.display_name == "Charte"
    assert again.user_state()["version"] == "2026-12"


class _CourseCharterService:
    """What the LTI tool offers (a record per platform and course), as a plain object for the toy runtime."""

    def __init__(self):
        self.stored = None

    def load(self):
        return self.stored

    def save(self, stored):
        self.stored = stored


def test_the_quiz_grades_its_charter_questions_against_the_course_charter_service(blocks, handler):
    """The tool's runtime offers ``ldai_course_charter`` to every block of a course: saved once, read by both."""
    service = _CourseCharterService()
    charter = blocks.from_xml("<ldai_charter/>")
    quiz = blocks.from_xml("<ldai_risk_quiz/>")
    for block in (charter, quiz):
        block.runtime._services[course_charter.SERVICE] = service
    assert quiz.bank().rule("client-data-public-chatbot").allowed is False
    document = template()
    document["sections"][1]["rules"][0]["verdict"] = "conditional"
    document["sections"][1]["rules"][0]["conditions"] = "Only anonymised extracts."
    status, body = handler(charter, "studio_submit", {"charter": json.dumps(document), "version": "2"})
    assert status == 200, body
    assert charter.charter_document == ""  # kept by the service, not in the block
    assert quiz.bank().rule("client-data-public-chatbot").allowed is True
    cha01 = quiz.bank().questions["cha-01"]
    assert {c.id for c in cha01.choices if c.correct} == {"b"}  # the "allowed" answer is now the right one
    assert quiz.studio_view().content.count("data-ldai-rule=") == 0  # no second editor of the rules in the quiz


def test_in_open_edx_the_quiz_finds_the_courses_charter_block_in_the_modulestore(blocks, handler, monkeypatch):
    """Reproduces ``xmodule/modulestore/split_mongo/split.py`` ``get_items(course_locator, qualifiers={"category": ...})``
    (reached through ``xmodule/modulestore/django.py`` ``modulestore()``) and a usage key's ``context_key``."""
    import sys
    import types

    from opaque_keys.edx.keys import UsageKey

    charter = blocks.from_xml("<ldai_charter/>")
    document = template()
    document["sections"][3]["rules"][0]["verdict"] = "allowed"  # ai-content-disclosure
    status, _ = handler(charter, "studio_submit", {"charter": json.dumps(document), "version": "2"})
    assert status == 200
    charter.scope_ids = charter.scope_ids._replace(usage_id=UsageKey.from_string("block-v1:Org+Course+Run+type@ldai_charter+block@charter"))
    asked = []

    class Store:
        def get_items(self, course_locator, settings=None, content=None, qualifiers=None, include_orphans=True, **kwargs):
            asked.append((str(course_locator), qualifiers))
            return [charter] if qualifiers == {"category": "ldai_charter"} else []

    module = types.ModuleType("xmodule.modulestore.django")
    module.modulestore = Store
    for name in ("xmodule", "xmodule.modulestore"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "xmodule.modulestore.django", module)
    quiz = blocks.from_xml("<ldai_risk_quiz/>")
    quiz_key = UsageKey.from_string("block-v1:Org+Course+Run+type@ldai_risk_quiz+block@quiz")
    quiz.scope_ids = quiz.scope_ids._replace(usage_id=quiz_key)
    assert quiz.bank().rule("ai-content-disclosure").allowed is True
    assert asked == [("course-v1:Org+Course+Run", {"category": "ldai_charter"})]
