"""Which fields each activity's submit reads and writes: counts, so none creeps back unnoticed (issue 13, item 6).

Why it matters: in a runtime whose store goes to the database per field (xblock-sdk's
``WorkbenchDjangoKeyValueStore``: a query per ``has``/``get``, two per ``set``; the LTI tool's
store reads one row per scope: ``lti_tool/runtime/xblock_runtime.py``), a submit costs about
what it touches; bench/bench_submit.py times it against drag-and-drop-v2's ``do_attempt``
(9 reads, 4 writes there). In Open edX every ``Scope.user_state`` field of a block lives in
ONE ``StudentModule`` row, read once by ``FieldDataCache`` and written once per save by
``DjangoXBlockUserStateClient.set_many`` (edx-platform ``lms/djangoapps/courseware/model_data.py``
and ``user_state_client.py``); ``ldai_evidence`` (``Scope.user_info``) is its own
``XModuleStudentInfoField`` row there.

Each test plays the same flow as the bench (a fresh learner, the earlier steps unmeasured),
then counts what ONE fresh block instance - a new request, as the runtime's handler view
builds it - asks of the store during the submit (bench/field_access.py). The lists are
exact: a new read or write must be added here on purpose, with its reason.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from bench.bench_submit import PROMPT, USE_CASE
from bench.field_access import FieldAccess, counting


def _measure(block, handler, name: str, payload: dict, access: FieldAccess | None = None) -> tuple[dict, FieldAccess]:
    """Call ``name`` on a fresh instance of ``block`` (a new request) and record its field accesses."""
    runtime = block.runtime
    with counting(runtime, access, queries=False) as recorded:  # a dict store: no database to count
        fresh = runtime.get_block(block.scope_ids.usage_id)
        status, body = handler(fresh, name, payload)
    assert status == 200, body
    return body, recorded


def _get_state(block, handler) -> dict:
    status, state = handler(block, "student_view_user_state", method="GET")
    assert status == 200, state
    return state


def _assert_fields(access: FieldAccess, reads: set[str], writes: set[str]) -> None:
    assert len(access.reads) == len(set(access.reads)), f"a field read twice by one instance: {access.reads}"
    assert set(access.reads) == reads, f"reads changed: +{sorted(set(access.reads) - reads)} -{sorted(reads - set(access.reads))}"
    assert sorted(access.writes) == sorted(writes), f"writes changed: {sorted(access.writes)}"


GRADE = {"user_state:grade_record"}  # attempts and score, one field (blocks/base.py GradedMixin)
LEGACY = "user_state:completed_attempts"  # read only while a learner has no grade_record: were they graded before it existed?
BADGE = "settings:badge"  # read when an attempt completes: is a badge to issue? (blocks/badging.py)
CONTENT = {"settings:custom_content", "settings:pack"}
EVIDENCE = "user_info:ldai_evidence"


def test_risk_quiz_answer_that_completes_the_attempt(blocks, handler):
    block = blocks.from_xml('<ldai_risk_quiz num_questions="6" show_answers="immediately"/>', user_id="quiz-learner")
    questions = _get_state(block, handler)["questions"]
    for question in questions[:-1]:
        assert handler(block, "submit_answer", {"question_id": question["id"], "selected": [question["choices"][0]["id"]]})[0] == 200
    last = questions[-1]
    body, access = _measure(block, handler, "submit_answer", {"question_id": last["id"], "selected": [last["choices"][0]["id"]]})
    assert body["completed"]
    _assert_fields(
        access,
        reads={*CONTENT, "settings:charter", "user_state:current_attempt", "settings:pass_threshold", *GRADE, BADGE, EVIDENCE,
               "settings:max_attempts", "settings:show_answers",
               "settings:prepost_role"},  # the completing answer's event names its pre/post pair, if any (issue 16)
        # the attempt's summary stays in the attempt until the next one starts: history is not touched
        writes={"user_state:current_attempt", *GRADE, EVIDENCE},
    )


def test_hallucination_detector_submit(blocks, handler):
    block = blocks.from_xml("<ldai_hallucination_detector/>", user_id="hunt-learner")
    state = _get_state(block, handler)
    flags = {item["id"]: [list(unit) for unit in item["units"][:2]] for item in state["items"]}
    body, access = _measure(block, handler, "submit", {"flags": flags})
    assert body["submitted"]
    _assert_fields(
        access,
        # no team setting is read without a leaderboard (team mode needs it), no weight (not learner state)
        reads={"user_state:current_attempt", "settings:time_limit", *CONTENT, "settings:job_family", "settings:reveal", "settings:grading",
               # no stored attempt before this submit: never graded, the earlier grade fields are not read (never_graded)
               *GRADE, BADGE, "settings:leaderboard_enabled", EVIDENCE, "settings:max_attempts"},
        writes={"user_state:current_attempt", "user_state:attempt_texts", *GRADE, EVIDENCE},
    )


def test_prompt_sandbox_submit(blocks, handler):
    block = blocks.from_xml("<ldai_prompt_sandbox/>", user_id="prompt-learner")
    _get_state(block, handler)
    body, access = _measure(block, handler, "submit", {"prompt": PROMPT})
    assert body["attempts"]
    _assert_fields(
        access,
        # use_llm is read only when the platform configures a model (none here); no attempt stored yet: no earlier grade fields
        reads={"settings:max_attempts", *CONTENT, "settings:job_family", "settings:scenario_id", "settings:weights", "user_state:attempts",
               "user_state:draft", "settings:grading", *GRADE, BADGE, "settings:leaderboard_enabled", EVIDENCE, "settings:reveal_after"},
        # the leak cap is read only when the prompt leaks (its feedback carries the cap; the page never read it from the state)
        # the feedback rides in the last attempt: no last_feedback field (read only for learners whose attempts predate that)
        writes={"user_state:attempts", *GRADE, EVIDENCE},
    )


def test_skills_map_self_assessment(blocks, handler):
    block = blocks.from_xml("<ldai_skills_map/>", user_id="skills-learner")
    status, state = handler(block, "choose_job", {"job": "finance"})
    assert status == 200, state
    levels = {question["id"]: index % 4 for index, question in enumerate(state["questions"])}
    body, access = _measure(block, handler, "save_self_assessment", {"levels": levels})
    assert body["self_complete"]
    _assert_fields(
        access,
        reads={*CONTENT, "settings:job_family", "user_state:chosen_job", "user_state:self_levels", EVIDENCE, "settings:grading",
               *GRADE, LEGACY, "user_state:last_seen", BADGE},
        writes={"user_state:self_levels", "user_state:assessed_job", *GRADE},
    )


def test_charter_check_then_accept(blocks, handler):
    from ldai_xblocks.content.packs import load_pack
    from ldai_xblocks.engine import charter

    bank = charter.build_bank(load_pack("charter", "en/ai-charter"))
    block = blocks.from_xml('<ldai_charter num_questions="4"/>', user_id="charter-learner")
    state = _get_state(block, handler)
    answers = {q["id"]: sorted(bank.questions[q["id"]].correct_ids) for q in state["questions"]}
    _, check = _measure(block, handler, "check_answers", {"version": state["version"], "answers": answers})
    body, accept = _measure(block, handler, "accept", {"version": state["version"]})
    assert body["accepted"]
    # the versions' history (charter_history) is read only to show a learner what changed since their last acceptance
    _assert_fields(
        check,
        reads={"settings:charter_document", "user_state:attempt", "settings:num_questions", "user_state:acceptances",
               "settings:pass_threshold", "settings:max_attempts"},  # no evidence recorded: no badge check
        writes={"user_state:attempt"},
    )
    _assert_fields(
        accept,
        reads={"settings:charter_document", "user_state:acceptances", "user_state:attempt", "settings:pass_threshold", *GRADE, BADGE, EVIDENCE,
               "settings:max_attempts"},
        writes={"user_state:acceptances", *GRADE, EVIDENCE},
    )


def test_use_case_record(blocks, handler):
    block = blocks.from_xml("<ldai_use_case/>", user_id="case-learner")
    _get_state(block, handler)
    body, access = _measure(block, handler, "record_case", USE_CASE)
    assert body["my_cases"]
    _assert_fields(
        access,
        reads={"settings:mode", "user_state:my_cases", "settings:require_validation", "user_state_summary:cases", *GRADE, LEGACY, BADGE,
               "user_state:adopted", "settings:job_family", *CONTENT},
        writes={"user_state:my_cases", "user_state_summary:cases", *GRADE},
    )



def test_a_learner_graded_before_grade_record_keeps_attempts_and_score(blocks, handler):
    """Learner state stored by the earlier code (completed_attempts and raw_earned, two fields) is read once, and
    carried into grade_record at the next graded submit; the old fields are left as they were."""
    block = blocks.from_xml("<ldai_prompt_sandbox max_attempts='3'/>", user_id="old-learner")
    for _ in range(2):
        assert handler(block, "submit", {"prompt": "Summarise this."})[0] == 200
    del block.grade_record  # as the earlier code stored it: two fields, no record
    block.completed_attempts, block.raw_earned = 2, 0.75
    block.save()
    old = block.runtime.get_block(block.scope_ids.usage_id)
    assert old.get_score().raw_earned == 0.75 and old.has_submitted_answer() and old.attempts_left() == 1
    status, state = handler(old, "submit", {"prompt": "Summarise this."})
    assert status == 200 and state["completed_attempts"] == 3 and state["attempts_left"] == 0
    assert old.grade_record == {"attempts": 3, "earned": 0.75}  # a weak prompt does not lower the best grade
    again = block.runtime.get_block(block.scope_ids.usage_id)
    _, access = _measure(again, handler, "student_view_user_state", {})
    assert "user_state:grade_record" in access.reads and LEGACY not in access.reads  # the old fields are not read any more


def test_a_hunt_graded_before_grade_record_keeps_attempts_and_score(blocks, handler):
    """The hunt skips the earlier fields only for a learner with no stored attempt (never graded, under any code)."""
    block = blocks.from_xml("<ldai_hallucination_detector max_attempts='3'/>", user_id="old-hunter")
    state = _get_state(block, handler)
    assert handler(block, "submit", {"flags": {}})[0] == 200
    del block.grade_record
    block.completed_attempts, block.raw_earned = 1, 0.6
    block.save()
    old = block.runtime.get_block(block.scope_ids.usage_id)
    assert old.attempts_left() == 2 and old.get_score().raw_earned == 0.6
    status, state = handler(old, "start_attempt", {})
    assert status == 200, state
    flags = {item["id"]: [] for item in state["items"]}  # the texts of attempt 2 (the mixed pack draws others)
    status, state = handler(old, "submit", {"flags": flags})
    assert status == 200, state
    assert old.grade_record == {"attempts": 2, "earned": 0.6} and state["attempt_number"] == 2


def test_a_rescore_from_open_edx_keeps_the_attempts(blocks):
    """``ScorableXBlockMixin.rescore`` calls set_score (xblock/scorable.py): only the score moves."""
    from xblock.scorable import Score

    block = blocks.from_xml("<ldai_use_case/>", user_id="rescored")
    block.record_attempt(0.5)
    block.set_score(Score(raw_earned=2, raw_possible=4))
    assert block.grade_record == {"attempts": 1, "earned": 0.5} and block.get_score() == Score(0.5, 1.0)
    block.set_score(Score(raw_earned=3, raw_possible=4))
    assert block.grade_record == {"attempts": 1, "earned": 0.75}


def test_feedback_stored_by_the_earlier_code_is_still_shown(blocks, handler):
    """Before the feedback rode in the last attempt it had a field of its own (last_feedback): a learner who comes back
    sees it until their next submit replaces it."""
    block = blocks.from_xml("<ldai_prompt_sandbox/>", user_id="returning")
    status, state = handler(block, "submit", {"prompt": PROMPT})
    assert status == 200 and state["feedback"]["score"] == state["attempts"][0]["score"]
    legacy = dict(block.attempts[-1].pop("feedback"))  # as the earlier code stored it: feedback beside the attempts
    block.attempts = [dict(block.attempts[-1])]
    block.last_feedback = legacy
    block.save()
    again = block.runtime.get_block(block.scope_ids.usage_id)
    assert handler(again, "student_view_user_state", {})[1]["feedback"] == legacy
    status, state = handler(again, "submit", {"prompt": PROMPT + " Sign it from the finance team."})
    assert status == 200 and state["feedback"] != legacy and state["feedback"]["number"] == 2
    assert "feedback" not in again.attempts[0] and again.attempts[1]["feedback"] == state["feedback"]


def test_a_quiz_graded_before_grade_record_keeps_attempts_and_score(blocks, handler):
    """A first attempt completed by the earlier code (no summary in it) is not taken for a learner never graded."""
    from tests.blocks.test_risk_quiz import CONTENT, answer_all

    block = blocks.from_xml(f"<ldai_risk_quiz num_questions='3' max_attempts='3' custom_content={quoteattr(CONTENT)}/>", user_id="old-quizzer")
    answer_all(block, handler, right=False)
    del block.grade_record
    block.current_attempt = {k: v for k, v in block.current_attempt.items() if k != "summary"}
    block.completed_attempts, block.raw_earned = 1, 0.5
    block.save()
    old = block.runtime.get_block(block.scope_ids.usage_id)
    assert old.attempts_left() == 2 and old.get_score().raw_earned == 0.5 and old.user_state()["attempt_number"] == 1
    assert handler(old, "start_attempt", {})[0] == 200
    state = answer_all(old, handler, right=True)
    assert state["attempt_number"] == 2 and old.grade_record == {"attempts": 2, "earned": 1.0}


def test_the_shared_library_is_read_whole_once_and_written_only_when_it_changes(blocks, handler):
    """blocks/base.py read_whole: the library skips XBlock's deep copy; a view writes nothing, a new case writes it."""
    block = blocks.from_xml("<ldai_use_case require_validation='false'/>", user_id="author-a")
    assert handler(block, "record_case", USE_CASE)[0] == 200
    peer = blocks.as_user(block, "peer-b")
    state, access = _measure(peer, handler, "student_view_user_state", {})
    assert [case["task"] for case in state["library"]] == [USE_CASE["task"]]
    assert access.reads.count("user_state_summary:cases") == 1 and access.writes == []
    _, access = _measure(peer, handler, "record_case", {**USE_CASE, "task": "Drafting the monthly supplier report"})
    assert "user_state_summary:cases" in access.writes
    again = blocks.as_user(block, "peer-c")
    assert len(handler(again, "student_view_user_state", {})[1]["library"]) == 2
