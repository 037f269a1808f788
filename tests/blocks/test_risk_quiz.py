"""The risk-quiz XBlock through a real runtime, handlers called with real webob requests."""

from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

import pytest

from ldai_xblocks.blocks.risk_quiz import RiskQuizBlock
from ldai_xblocks.rendering import unpack_init_args
from tests.conftest import fixture_text

CONTENT = fixture_text("quiz_small.json")


@pytest.fixture
def quiz_block(blocks):
    return blocks.from_xml(f"<ldai_risk_quiz num_questions='4' max_attempts='2' custom_content={quoteattr(CONTENT)}/>")


def answer_all(block, handler, right: bool):
    """Answer every drawn question, right or wrong; returns the last state."""
    from ldai_xblocks.engine import quiz

    bank = block.bank()
    state = block.user_state()
    for question in state["questions"]:
        q = bank.questions[question["id"]]
        wrong = [c for c in q.choice_ids if c not in q.correct_ids][:1]
        selected = sorted(q.correct_ids) if right else wrong
        status, state = handler(block, "submit_answer", {"question_id": q.id, "selected": selected})
        assert status == 200, state
    assert isinstance(quiz, object)
    return state


def test_perfect_attempt_publishes_full_grade_completion_and_event(quiz_block, handler):
    state = answer_all(quiz_block, handler, right=True)
    assert state["completed"] is True
    assert state["profile"]["score"] == 1.0 and state["profile"]["passed"] is True
    runtime = quiz_block.runtime
    assert runtime.events_of("grade") == [{"value": 1.0, "max_value": 1.0, "only_if_higher": None}]
    assert runtime.events_of("completion") == [{"completion": 1.0}]
    submitted = runtime.events_of("ldai.risk_quiz.submitted")
    assert submitted[0]["score"] == 1.0 and submitted[0]["attempt"] == 1
    assert len(runtime.events_of("ldai.risk_quiz.answered")) == 4
    assert quiz_block.get_score().raw_earned == 1.0 and quiz_block.has_submitted_answer()


def test_state_persists_for_the_learner_and_is_private_to_them(blocks, quiz_block, handler):
    question = quiz_block.user_state()["questions"][0]
    first = question["id"]
    # The question's own first choice: which question comes first depends on the usage id (the draw's seed),
    # and a true/false question has no choice "a".
    handler(quiz_block, "submit_answer", {"question_id": first, "selected": [question["choices"][0]["id"]]})
    reloaded = blocks.as_user(quiz_block, "learner1")
    assert first in reloaded.user_state()["answers"]
    assert [q["id"] for q in reloaded.user_state()["questions"]] == [q["id"] for q in quiz_block.user_state()["questions"]]
    other = blocks.as_user(quiz_block, "learner2")
    assert other.user_state()["answers"] == {}


def test_best_attempt_is_kept_and_attempts_run_out(quiz_block, handler):
    answer_all(quiz_block, handler, right=True)
    status, _ = handler(quiz_block, "start_attempt", {})
    assert status == 200
    state = answer_all(quiz_block, handler, right=False)
    assert state["profile"]["score"] < 1.0
    assert state["best_score"] == 1.0 and quiz_block.get_score().raw_earned == 1.0
    assert state["attempts_left"] == 0
    status, body = handler(quiz_block, "start_attempt", {})
    assert status == 409 and body["code"] == "no_attempts_left" and body["error"]
    status, body = handler(quiz_block, "submit_answer", {"question_id": state["questions"][0]["id"], "selected": ["a"]})
    assert status == 409 and body["code"] == "attempt_over"
    assert quiz_block.attempts_completed == 2


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"question_id": "nope", "selected": ["a"]}, "unknown_question"),
        ({"question_id": None, "selected": ["a"]}, "unknown_question"),
        ({"question_id": {"$gt": ""}, "selected": ["a"]}, "unknown_question"),
        ({"selected": ["a"]}, "unknown_question"),
        ("FIRST", "unknown_choice"),
        ("FIRST-EMPTY", "empty"),
        ("FIRST-STRING", "malformed"),
    ],
)
def test_hostile_or_malformed_answers_get_400_and_change_nothing(quiz_block, handler, payload, code):
    first = quiz_block.user_state()["questions"][0]["id"]
    if payload == "FIRST":
        payload = {"question_id": first, "selected": ["<script>alert(1)</script>"]}
    elif payload == "FIRST-EMPTY":
        payload = {"question_id": first, "selected": []}
    elif payload == "FIRST-STRING":
        payload = {"question_id": first, "selected": "a"}
    before = json.dumps(quiz_block.current_attempt, sort_keys=True)
    status, body = handler(quiz_block, "submit_answer", payload)
    assert status == 400 and body["code"] == code and body["error"]
    assert json.dumps(quiz_block.current_attempt, sort_keys=True) == before
    assert quiz_block.runtime.events_of("grade") == []


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff\xfe", b'"text"'])
def test_bodies_that_are_not_a_json_object_get_400(quiz_block, handler, raw):
    status, body = handler(quiz_block, "submit_answer", raw=raw)
    assert status == 400 and body["code"] == "malformed"


def test_get_on_a_json_handler_is_refused(quiz_block, handler):
    status, body = handler(quiz_block, "submit_answer", method="GET")
    assert status == 405


def test_answering_twice_is_refused(quiz_block, handler):
    question = quiz_block.user_state()["questions"][0]
    first, choices = question["id"], [c["id"] for c in question["choices"]]  # the drawn question's own choices (see above)
    assert handler(quiz_block, "submit_answer", {"question_id": first, "selected": choices[:1]})[0] == 200
    status, body = handler(quiz_block, "submit_answer", {"question_id": first, "selected": choices[1:2]})
    assert status == 409 and body["code"] == "already_answered"


def _answer_texts(document):
    for question in document["questions"]:
        yield question["explanation"]
        for choice in question["choices"]:
            yield choice["feedback"]


def test_answers_never_reach_the_browser_before_submission(quiz_block):
    document = json.loads(CONTENT)
    data = json.dumps(quiz_block.student_view_data())
    html = quiz_block.student_view().content
    init = json.dumps(quiz_block.user_state())
    for text in _answer_texts(document):
        assert text not in data and text not in init and json.dumps(text)[1:-1] not in html
    assert '"correct"' not in data and "correct_if" not in data


def test_author_and_learner_text_is_escaped(blocks):
    document = json.loads(CONTENT)
    document["title"] = "Pack"
    block = blocks.from_xml(f"<ldai_risk_quiz display_name='&lt;img src=x onerror=alert(1)&gt;' custom_content={quoteattr(json.dumps(document))}/>")
    html = block.student_view().content
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    # stems reach the page only as JSON in the init arguments, rendered with textContent by the JS
    assert "<b>without a source</b>" not in html


def test_studio_save_is_all_or_nothing_with_messages_per_field(quiz_block, handler):
    status, body = handler(quiz_block, "studio_submit", {
        "display_name": "New title", "num_questions": 0, "weight": "heavy", "custom_content": '{"schema": "ldai.risk_quiz/1"',
    })
    assert status == 400 and body["code"] == "invalid_settings"
    assert set(body["fields"]) == {"num_questions", "weight", "custom_content"}
    assert "line 1" in body["fields"]["custom_content"][0]
    assert quiz_block.display_name == "" and quiz_block.num_questions == 4


def test_studio_reports_content_problems_with_json_paths(quiz_block, handler):
    document = json.loads(CONTENT)
    document["questions"][1]["choices"][0]["correct"] = "yes"
    document["questions"][0]["category"] = "unknown"
    status, body = handler(quiz_block, "studio_submit", {"custom_content": json.dumps(document)})
    assert status == 400
    assert any(m.startswith("$.questions[1].choices[0].correct:") for m in body["fields"]["custom_content"])


def test_studio_save_applies_every_field(quiz_block, handler):
    status, body = handler(quiz_block, "studio_submit", {
        "display_name": "  Risks  ", "num_questions": 3, "max_attempts": 0, "pass_threshold": 80, "weight": 2,
        "balanced": False, "show_answers": "never", "categories": ["bias"], "job_family": "hr",
        "charter": {"client-data-public-chatbot": {"allowed": True, "text": "Allowed with the DPO's approval."}},
    })
    assert status == 200 and body["saved"]
    assert (quiz_block.display_name, quiz_block.num_questions, quiz_block.max_attempts) == ("Risks", 3, 0)
    assert quiz_block.pass_threshold == 0.8 and quiz_block.weight == 2.0 and quiz_block.balanced is False
    assert quiz_block.bank().questions["c1"].correct_ids == {"t"}
    assert quiz_block.attempts_left() is None


def test_show_answers_never_hides_the_key_but_keeps_choice_feedback(blocks, handler):
    block = blocks.from_xml(f"<ldai_risk_quiz show_answers='never' custom_content={quoteattr(CONTENT)}/>")
    question = block.user_state()["questions"][0]
    q = block.bank().questions[question["id"]]
    wrong = next(c for c in q.choice_ids if c not in q.correct_ids)
    status, state = handler(block, "submit_answer", {"question_id": q.id, "selected": [wrong]})
    feedback = state["answers"][q.id]
    assert feedback["correct_ids"] is None and list(feedback["choices"]) == [wrong]
    assert feedback["choices"][wrong]["feedback"]


def test_report_data_lists_each_answer(quiz_block, handler):
    answer_all(quiz_block, handler, right=True)

    class State:
        username = "learner1"
        state = {"current_attempt": quiz_block.current_attempt}

    rows = list(quiz_block.generate_report_data(iter([State()])))
    assert len(rows) == 4 and rows[0][0] == "learner1"
    assert {"Question", "Answer", "Correct", "Score", "Category", "Attempt"} <= set(rows[0][1])
    assert all(row[1]["Correct"] for row in rows)
    assert len(list(quiz_block.generate_report_data(iter([State()]), limit_responses=2))) == 2


def test_olx_export_import_round_trips_content_and_settings(blocks, handler):
    block = blocks.from_xml(
        f"<ldai_risk_quiz display_name='Quiz' num_questions='3' weight='2.5' pass_threshold='0.6' "
        f"show_answers='after_last_attempt' custom_content={quoteattr(CONTENT)}/>"
    )
    handler(block, "studio_submit", {"charter": {"client-data-public-chatbot": {"allowed": True}}, "categories": ["bias", "charter"]})
    tag, again = blocks.olx_round_trip(block)
    assert tag == "ldai_risk_quiz"
    for name in ("display_name", "num_questions", "weight", "pass_threshold", "show_answers", "custom_content", "charter", "categories"):
        assert getattr(again, name) == getattr(block, name), name


def test_french_learners_get_the_french_interface(blocks):
    block = blocks.from_xml("<ldai_risk_quiz/>", language="fr", user_id="apprenant")
    assert block.language() == "fr"
    fragment = block.student_view()
    assert 'lang="fr"' in fragment.content
    assert fragment.json_init_args["lang"] == "fr"


def test_default_block_uses_the_pack_of_the_learner_language(blocks):
    english = blocks.from_xml("<ldai_risk_quiz/>")
    french = blocks.as_user(english, "apprenant", language="fr")
    assert english.pack_ref() == "en/ai-risks" and french.pack_ref() == "fr/ai-risks"
    assert english.content_document()["lang"] == "en" and french.content_document()["lang"] == "fr"


def test_scoring_contract(quiz_block):
    assert RiskQuizBlock.has_score is True and quiz_block.max_score() == 1.0
    assert quiz_block.weight == 1.0 and quiz_block.multi_device is True
    assert quiz_block.has_submitted_answer() is False


def test_learners_cannot_fetch_a_pack_with_its_answers(blocks, handler):
    block = blocks.from_xml("<ldai_risk_quiz/>")
    block.runtime.service(block, "user").get_current_user().opt_attrs["edx-platform.user_role"] = "student"
    status, body = handler(block, "pack_document", {"pack": "en/ai-risks"})
    assert status == 403 and body["code"] == "authors_only" and "document" not in body
    block.runtime.service(block, "user").get_current_user().opt_attrs["edx-platform.user_role"] = "staff"
    status, body = handler(block, "pack_document", {"pack": "en/ai-risks"})
    assert status == 200 and body["document"]["id"] == "ai-risks"
    status, body = handler(block, "pack_document", {"pack": "../../etc/passwd"})
    assert status == 400 and body["fields"]["pack"]


def test_learners_cannot_change_settings_through_a_crafted_studio_call(quiz_block, handler):
    quiz_block.runtime.service(quiz_block, "user").get_current_user().opt_attrs["edx-platform.user_role"] = "student"
    status, body = handler(quiz_block, "studio_submit", {"max_attempts": 0, "show_answers": "immediately"})
    assert status == 403 and body["code"] == "authors_only"
    assert quiz_block.max_attempts == 2


def test_questions_carry_the_language_of_their_pack_not_of_the_interface(blocks):
    block = blocks.from_xml('<ldai_risk_quiz pack="fr/ai-risks"/>', language="en")
    fragment = block.student_view()
    assert '<section class="ldai ldai-risk-quiz" lang="en"' in fragment.content
    # the JS marks each stem, choice, feedback and explanation with the content's language
    assert fragment.json_init_args["lang"] == "en" and fragment.json_init_args["content_lang"] == "fr"


def test_a_first_view_writes_no_learner_state_and_the_draw_is_stable(blocks, handler):
    block = blocks.from_xml(f"<ldai_risk_quiz num_questions='4' custom_content={quoteattr(CONTENT)}/>")
    drawn = block.user_state()["questions"]
    first = [q["id"] for q in drawn]
    block.student_view()
    assert not block._field_data.has(block, "current_attempt"), "a page view must not write learner state"
    again = blocks.as_user(block, "learner1")
    assert [q["id"] for q in again.user_state()["questions"]] == first
    status, state = handler(block, "submit_answer", {"question_id": first[0], "selected": [drawn[0]["choices"][0]["id"]]})
    assert status == 200 and block.current_attempt["questions"] == first and block.current_attempt["started"]


def test_a_retry_draws_the_questions_not_seen_yet(blocks, handler):
    """Six questions, three per attempt: the second attempt asks the three others (issue 12: half repeated)."""
    block = blocks.from_xml(f"<ldai_risk_quiz num_questions='3' max_attempts='0' custom_content={quoteattr(CONTENT)}/>")
    first = {q["id"] for q in answer_all(block, handler, right=False)["questions"]}
    status, state = handler(block, "start_attempt", {})
    assert status == 200 and state["attempt_number"] == 2
    second = {q["id"] for q in state["questions"]}
    assert len(second) == 3 and not first & second
    assert block.history[0]["questions"] and set(block.history[0]["questions"]) == first
    # still deterministic: the same learner sees the same retry draw after a reload
    assert {q["id"] for q in blocks.as_user(block, "learner1").user_state()["questions"]} == second


def test_the_intro_counts_the_questions_of_the_attempt_in_force(blocks, handler):
    """After the author lowers the number of questions, a retry's page says how many it really asks."""
    block = blocks.from_xml(f"<ldai_risk_quiz num_questions='6' max_attempts='0' custom_content={quoteattr(CONTENT)}/>")
    answer_all(block, handler, right=True)
    block.num_questions = 3
    handler(block, "start_attempt", {})
    fragment = block.student_view()
    assert "3 workplace scenarios" in fragment.content
    assert len(unpack_init_args(fragment.json_init_args)["state"]["questions"]) == 3


def test_ticked_but_unchecked_choices_are_kept_as_a_draft(blocks, quiz_block, handler):
    question = quiz_block.user_state()["questions"][0]
    status, body = handler(quiz_block, "save_draft", {"question_id": question["id"], "selected": [question["choices"][0]["id"]]})
    assert status == 200 and body == {"saved": True}
    reloaded = blocks.as_user(quiz_block, "learner1")
    assert reloaded.user_state()["drafts"] == {question["id"]: [question["choices"][0]["id"]]}
    # the draft is only a draft: nothing graded, no event, and it goes once the answer is checked
    assert quiz_block.runtime.events_of("grade") == [] and reloaded.user_state()["answers"] == {}
    handler(quiz_block, "submit_answer", {"question_id": question["id"], "selected": [question["choices"][0]["id"]]})
    assert quiz_block.user_state()["drafts"] == {}


@pytest.mark.parametrize("payload", [
    {"question_id": "nope", "selected": ["a"]},
    {"question_id": None, "selected": []},
    {"selected": ["zzz"]},
    {"question_id": "FIRST", "selected": ["zzz"]},
    {"question_id": "FIRST", "selected": "a"},
    {"question_id": "FIRST", "selected": [{"$ne": 1}]},
])
def test_hostile_drafts_get_400_and_change_nothing(quiz_block, handler, payload):
    if payload.get("question_id") == "FIRST":
        payload = {**payload, "question_id": quiz_block.user_state()["questions"][0]["id"]}
    status, body = handler(quiz_block, "save_draft", payload)
    assert status == 400 and body["error"]
    assert quiz_block.user_state()["drafts"] == {}


def test_the_charter_in_force_is_shown_and_quoted_in_the_feedback_of_its_questions(blocks, handler):
    """Charter questions grade against the author's charter: the learner sees it, and the feedback quotes the rule."""
    block = blocks.from_xml(f"<ldai_risk_quiz num_questions='6' custom_content={quoteattr(CONTENT)}/>")
    block.charter = {"client-data-public-chatbot": {"text": "Our own wording of the rule.", "allowed": True}}
    state = block.user_state()
    assert state["charter"] == [{"id": "client-data-public-chatbot", "text": "Our own wording of the rule.", "allowed": True}]
    assert next(q for q in state["questions"] if q["id"] == "c1")["charter_question"] is True
    status, state = handler(block, "submit_answer", {"question_id": "c1", "selected": ["t"]})
    assert status == 200
    assert state["answers"]["c1"]["charter_rule"] == {"id": "client-data-public-chatbot", "text": "Our own wording of the rule.", "allowed": True}
    assert state["answers"]["c1"]["correct"] is True, "graded against the charter in force (allowed)"


def test_no_charter_panel_when_the_draw_has_no_charter_question(blocks):
    block = blocks.from_xml(f"<ldai_risk_quiz num_questions='6' categories='[\"bias\"]' custom_content={quoteattr(CONTENT)}/>")
    assert block.user_state()["charter"] == []


def test_the_profile_does_not_judge_a_category_on_one_question(blocks, handler):
    block = blocks.from_xml(f"<ldai_risk_quiz num_questions='3' custom_content={quoteattr(CONTENT)}/>")
    state = answer_all(block, handler, right=False)
    categories = state["profile"]["categories"]
    assert categories and all(c["answered"] == 1 and c["judged"] is False and c["weak"] is False for c in categories)
    assert all(c["advice"] for c in categories), "a missed category still gets its short advice"
    assert state["min_to_judge"] == 2


@pytest.mark.parametrize("raw", [b'{"weight": 1e309}', b'{"weight": NaN}', b'{"weight": -1}', b'{"weight": 1e12}', b'{"weight": null}',
                                 b'{"weight": "1e309"}', b'{"weight": "abc"}', b'{"max_attempts": 1e309}', b'{"max_attempts": 2e400}'])
def test_an_impossible_number_gets_a_message_that_says_what_to_type(quiz_block, handler, raw):
    """Issue 12: a weight of 1e309 got "This value is not valid here"; now the range to use, never a 500."""
    status, body = handler(quiz_block, "studio_submit", raw=raw)
    assert status == 400, body
    (name, messages), = body["fields"].items()
    expected = "Enter a whole number from 0 to 100." if name == "max_attempts" else "Enter a number from 0 to 1000 (for example 1 or 2.5)."
    assert messages == [expected]
    assert quiz_block.weight == 1.0 and quiz_block.max_attempts == 2, "nothing saved"


def test_the_number_message_is_in_the_authors_language(blocks, handler):
    block = blocks.from_xml("<ldai_risk_quiz/>", language="fr")
    status, body = handler(block, "studio_submit", raw=b'{"weight": 1e309}')
    assert status == 400 and body["fields"]["weight"][0].startswith("Saisissez un nombre de 0 à 1000")


def test_charter_rules_are_labelled_by_their_text_not_their_id(blocks):
    block = blocks.from_xml("<ldai_risk_quiz/>", language="en")
    html = block.studio_view().content
    assert "Rule 1: Pasting client data" in html and "“client-data-public-chatbot”" not in html


def test_history_gets_each_attempt_once_also_one_completed_before_summaries_moved(blocks, handler):
    """An attempt's summary stays in the attempt until the next starts (the completing answer leaves ``history``
    alone); a learner whose completed attempt was appended to ``history`` when it completed (the earlier
    code) does not get it twice when they retry."""
    block = blocks.from_xml(f"<ldai_risk_quiz num_questions='3' max_attempts='0' custom_content={quoteattr(CONTENT)}/>")
    answer_all(block, handler, right=True)
    assert block.history == [] and block.current_attempt["summary"]["number"] == 1
    assert handler(block, "start_attempt", {})[0] == 200
    assert [entry["number"] for entry in block.history] == [1] and block.history[0]["score"] == 1.0
    answer_all(block, handler, right=False)
    legacy = {k: v for k, v in block.current_attempt.items() if k != "summary"}  # as the earlier code stored it
    block.current_attempt = legacy
    block.history = [*block.history, {"number": 2, "questions": list(legacy["questions"]), "score": 0.0}]
    block.save()
    again = blocks.as_user(block, "learner1")
    assert handler(again, "start_attempt", {})[0] == 200
    assert [entry["number"] for entry in again.history] == [1, 2]


def test_a_quiz_paired_as_pre_test_says_so_in_its_event_and_round_trips_through_olx(blocks, handler):
    """The pair (issue 16, gap A): set in Studio, kept in OLX, carried by the submitted event to the xAPI statement."""
    block = blocks.from_xml(f"<ldai_risk_quiz num_questions='4' custom_content={quoteattr(CONTENT)}/>")
    status, body = handler(block, "studio_submit", {"prepost_role": "pre", "prepost_pair": "risks-2026"})
    assert status == 200, body
    tag, again = blocks.olx_round_trip(block)
    assert (again.prepost_role, again.prepost_pair) == ("pre", "risks-2026")
    answer_all(block, handler, right=True)
    (submitted,) = block.runtime.events_of("ldai.risk_quiz.submitted")
    assert (submitted["prepost_pair"], submitted["prepost_role"]) == ("risks-2026", "pre")


@pytest.mark.parametrize(("data", "words"), [
    ({"prepost_role": "post", "prepost_pair": ""}, "Give the pair a name"),
    ({"prepost_role": "pre", "prepost_pair": "risks 2026!"}, "Use up to 40 letters"),
    ({"prepost_role": "middle", "prepost_pair": "x"}, "Choose one of the listed options"),
])
def test_a_pair_set_wrongly_saves_nothing_and_says_what_to_do(quiz_block, handler, data, words):
    status, body = handler(quiz_block, "studio_submit", {**data, "display_name": "Changed"})
    assert status == 400 and any(words in m for messages in body["fields"].values() for m in messages), body
    assert quiz_block.display_name != "Changed" and quiz_block.prepost_role == "none"


def test_an_unpaired_quiz_sends_no_pair(quiz_block, handler):
    answer_all(quiz_block, handler, right=True)
    (submitted,) = quiz_block.runtime.events_of("ldai.risk_quiz.submitted")
    assert "prepost_pair" not in submitted and "prepost_role" not in submitted
