"""The hallucination-detector XBlock through a real runtime, handlers called with real webob requests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import quoteattr

import pytest

from ldai_xblocks.blocks.base import attempt_history
from ldai_xblocks.blocks.hallucination_detector import HallucinationDetectorBlock
from ldai_xblocks.rendering import unpack_init_args
from tests.conftest import fixture_text

CONTENT = fixture_text("hallucination_small.json")
DOCUMENT = json.loads(CONTENT)
GOLD = {item["id"]: [[h["start"], h["end"]] for h in item["hallucinations"]] for item in DOCUMENT["items"]}
TRAPS = {item["id"]: [[t["start"], t["end"]] for t in item["traps"]] for item in DOCUMENT["items"]}


@pytest.fixture
def block(blocks):
    return blocks.from_xml(f"<ldai_hallucination_detector max_attempts='2' custom_content={quoteattr(CONTENT)}/>")


def _secrets():
    for item in DOCUMENT["items"]:
        for mark in item["hallucinations"] + item["traps"]:
            yield mark["explanation"]
            if "correction" in mark:
                yield mark["correction"]


def test_perfect_hunt_publishes_full_grade_completion_and_event(block, handler):
    status, state = handler(block, "submit", {"flags": GOLD})
    assert status == 200, state
    assert state["submitted"] is True and state["results"]["score"] == 1.0
    runtime = block.runtime
    assert runtime.events_of("grade") == [{"value": 1.0, "max_value": 1.0, "only_if_higher": None}]
    assert runtime.events_of("completion") == [{"completion": 1.0}]
    submitted = runtime.events_of("ldai.hallucination_detector.submitted")
    assert submitted[0]["score"] == 1.0 and submitted[0]["items"]["memo"]["found"] == 2
    assert runtime.events_of("ldai.hallucination_detector.started")
    assert block.get_score().raw_earned == 1.0 and block.has_submitted_answer()


def test_feedback_explains_found_missed_and_false_alarms(block, handler):
    memo = DOCUMENT["items"][0]
    flags = {"memo": [GOLD["memo"][0], TRAPS["memo"][0]], "policy": []}
    status, state = handler(block, "submit", {"flags": flags})
    assert status == 200
    result = state["results"]["items"][0]
    assert [h["found"] for h in result["hallucinations"]] == [True, False]
    assert result["hallucinations"][0]["explanation"] == memo["hallucinations"][0]["explanation"]
    assert result["hallucinations"][0]["reference"] == "Source, line 1"
    assert result["hallucinations"][0]["kind_label"] == "Wrong number or date"
    assert result["hallucinations"][1]["correction"] == memo["hallucinations"][1]["correction"]  # revealed: attempts do not matter
    assert result["false_alarms"] == [{"start": TRAPS["memo"][0][0], "end": TRAPS["memo"][0][1], "trap": {"explanation": memo["traps"][0]["explanation"], "reference": None}}]
    assert state["results"]["items"][1]["score"] == 0.0
    assert 0 < state["results"]["score"] < 1


def test_units_stop_a_single_flag_over_the_whole_text(block, handler):
    whole = {item["id"]: [[0, len(item["text"])]] for item in DOCUMENT["items"]}
    status, state = handler(block, "submit", {"flags": whole})
    assert status == 200
    assert all(len(item["false_alarms"]) == 1 for item in state["results"]["items"])
    assert state["results"]["score"] < 1


def test_missed_hallucinations_stay_hidden_until_the_last_attempt(blocks, handler):
    block = blocks.from_xml(f"<ldai_hallucination_detector max_attempts='2' reveal='after_last_attempt' custom_content={quoteattr(CONTENT)}/>")
    status, state = handler(block, "submit", {"flags": {"memo": [GOLD["memo"][0]]}})
    missed = state["results"]["items"][0]["hallucinations"][1]
    assert missed["found"] is False and "explanation" not in missed and "start" not in missed
    dumped = json.dumps(state)
    assert "SECRET-EXPLANATION-TWO" not in dumped and "SECRET-EXPLANATION-THREE" not in dumped
    assert "SECRET-EXPLANATION-ONE" in dumped  # found ones are explained
    assert handler(block, "start_attempt", {})[0] == 200
    status, state = handler(block, "submit", {"flags": {}})
    assert state["attempts_left"] == 0 and "SECRET-EXPLANATION-TWO" in json.dumps(state)


def test_best_attempt_is_kept_and_attempts_run_out(block, handler):
    handler(block, "submit", {"flags": GOLD})
    status, state = handler(block, "start_attempt", {})
    assert status == 200 and state["submitted"] is False and state["attempt_number"] == 2 and state["flags"] == {}
    assert block.runtime.events_of("ldai.hallucination_detector.retried") == [{"attempt": 2}]
    status, state = handler(block, "submit", {"flags": {}})
    assert state["results"]["score"] == 0.0 and state["best_score"] == 1.0 and state["attempts_left"] == 0
    status, body = handler(block, "start_attempt", {})
    assert status == 409 and body["code"] == "no_attempts_left"
    status, body = handler(block, "submit", {"flags": GOLD})
    assert status == 409 and body["code"] == "attempt_over"
    assert block.attempts_completed == 2 and len(attempt_history(block.history, block.current_attempt)) == 2


def test_flags_are_saved_as_the_learner_works_and_private(blocks, block, handler):
    status, body = handler(block, "save_flags", {"item_id": "memo", "flags": [[13, 16], [0, 5], [2, 4]]})
    assert status == 200 and body["flags"] == [[0, 5], [13, 16]]
    again = blocks.as_user(block, "learner1")
    assert again.user_state()["flags"] == {"memo": [[0, 5], [13, 16]]}
    other = blocks.as_user(block, "learner2")
    assert other.user_state()["flags"] == {}
    # submitting without flags for a text keeps what was saved for it
    status, state = handler(block, "submit", {"flags": {"policy": []}})
    assert state["results"]["items"][0]["flags"] == [[0, 5], [13, 16]]


@pytest.mark.parametrize(
    ("handler_name", "payload", "code"),
    [
        ("save_flags", {"item_id": "nope", "flags": []}, "unknown_item"),
        ("save_flags", {"item_id": {"$ne": 1}, "flags": []}, "unknown_item"),
        ("save_flags", {"item_id": "memo", "flags": [[5, 2]]}, "bad_flags"),
        ("save_flags", {"item_id": "memo", "flags": [[0, 10_000]]}, "bad_flags"),
        ("save_flags", {"item_id": "memo", "flags": "0-5"}, "bad_flags"),
        ("save_flags", {"item_id": "memo", "flags": [["<script>", 3]]}, "bad_flags"),
        ("save_flags", {"item_id": "memo", "flags": [[i, i + 1] for i in range(0, 402, 2)]}, "too_many_flags"),
        ("submit", {"flags": {"nope": []}}, "unknown_item"),
        ("submit", {"flags": {"memo": [[-1, 3]]}}, "bad_flags"),
        ("submit", {"flags": [[0, 3]]}, "bad_flags"),
    ],
)
def test_hostile_or_malformed_input_gets_400_and_changes_nothing(block, handler, handler_name, payload, code):
    handler(block, "save_flags", {"item_id": "memo", "flags": [[0, 5]]})
    before = json.dumps(block.current_attempt, sort_keys=True)
    status, body = handler(block, handler_name, payload)
    assert status == 400 and body["code"] == code and body["error"]
    assert json.dumps(block.current_attempt, sort_keys=True) == before
    assert block.runtime.events_of("grade") == []


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff\xfe", b'"text"'])
def test_bodies_that_are_not_a_json_object_get_400(block, handler, raw):
    status, body = handler(block, "submit", raw=raw)
    assert status == 400 and body["code"] == "malformed"


def test_annotations_never_reach_the_browser_before_submission(block):
    data = json.dumps(block.student_view_data())
    state = json.dumps(block.user_state())
    html = block.student_view().content
    init = json.dumps(block.student_view().json_init_args)
    for secret in _secrets():
        for where in (data, state, html, init):
            assert secret not in where
    for where in (data, state, init):
        assert '"hallucinations"' not in where and '"traps"' not in where and '"quote"' not in where
    items = block.student_view_data()["items"]
    assert [item["text"] for item in items] == [item["text"] for item in DOCUMENT["items"]]
    assert items[0]["units"][0] == [0, items[0]["text"].index("2024.") + 5]


def test_user_state_handler_answers_get_and_post(block, handler):
    for method in ("GET", "POST"):
        status, body = handler(block, "student_view_user_state", {}, method=method)
        assert status == 200 and body["items"] and body["submitted"] is False


def test_timed_hunt_starts_on_demand_and_is_enforced_on_the_server(blocks, handler):
    block = blocks.from_xml(f"<ldai_hallucination_detector time_limit='5' leaderboard_enabled='true' custom_content={quoteattr(CONTENT)}/>")
    state = block.user_state()
    assert state["started"] is False and state["items"] == []  # the texts wait for the clock
    status, body = handler(block, "save_flags", {"item_id": "memo", "flags": [[0, 5]]})
    assert status == 409 and body["code"] == "not_started"
    status, state = handler(block, "start_attempt", {})
    assert state["started"] is True and 295 <= state["seconds_left"] <= 300
    handler(block, "save_flags", {"item_id": "memo", "flags": [GOLD["memo"][0]]})
    # the clock runs out (plus the grace period): late flags are refused, the saved ones are graded
    attempt = dict(block.current_attempt)
    attempt["deadline"] = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
    block.current_attempt = attempt
    status, body = handler(block, "save_flags", {"item_id": "memo", "flags": GOLD["memo"]})
    assert status == 409 and body["code"] == "time_up"
    status, state = handler(block, "submit", {"flags": GOLD})
    assert status == 200 and state["timed_out"] is True
    assert state["results"]["items"][0]["found"] == 1 and state["results"]["items"][1]["found"] == 0
    assert block.runtime.events_of("ldai.hallucination_detector.time_expired")
    assert state["leaderboard"]["my_rank"] == 1


def test_leaderboard_ranks_learners_and_hides_names_when_anonymous(blocks, handler):
    xml = f"<ldai_hallucination_detector leaderboard_enabled='true' leaderboard_anonymous='true' custom_content={quoteattr(CONTENT)}/>"
    first = blocks.from_xml(xml, user_id="alice")
    handler(first, "submit", {"flags": {"memo": GOLD["memo"]}})
    second = blocks.as_user(first, "bob")
    status, state = handler(second, "submit", {"flags": GOLD})
    board = state["leaderboard"]
    assert board["my_rank"] == 1 and board["total"] == 2
    # No full names (issue 10), and alice's score stays hers: she did not choose to be seen (issue 15 item 4).
    assert [(row["me"], row["name"]) for row in board["rows"]] == [(True, "")]


def test_author_and_learner_text_is_escaped(blocks):
    document = json.loads(CONTENT)
    document["items"][0]["title"] = "<img src=x onerror=alert(1)>"
    block = blocks.from_xml(f"<ldai_hallucination_detector display_name='&lt;script&gt;alert(1)&lt;/script&gt;' custom_content={quoteattr(json.dumps(document))}/>")
    html = block.student_view().content
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html  # item titles reach the page only as JSON, rendered with textContent


def test_studio_save_is_all_or_nothing_with_messages_per_field(block, handler):
    document = json.loads(CONTENT)
    document["items"][0]["hallucinations"][0]["end"] = 10_000
    status, body = handler(block, "studio_submit", {
        "display_name": "Hunt", "time_limit": -1, "grading": "vibes", "leaderboard_size": 0, "custom_content": json.dumps(document),
    })
    assert status == 400 and body["code"] == "invalid_settings"
    assert set(body["fields"]) == {"time_limit", "grading", "leaderboard_size", "custom_content"}
    assert any(m.startswith("$.items[0].hallucinations[0].end:") for m in body["fields"]["custom_content"])
    assert block.display_name == "" and block.time_limit == 0 and block.custom_content == CONTENT


def test_studio_save_applies_every_field(block, handler):
    status, body = handler(block, "studio_submit", {
        "display_name": " Hunt ", "grading": "iou", "reveal": "after_last_attempt", "time_limit": 10, "max_attempts": 0,
        "weight": 3, "leaderboard_enabled": True, "leaderboard_size": 5, "leaderboard_anonymous": False,
        "pack": "fr/finance", "job_family": "finance", "custom_content": "",
    })
    assert status == 200 and body["saved"]
    assert (block.display_name, block.grading, block.reveal, block.time_limit) == ("Hunt", "iou", "after_last_attempt", 10)
    assert (block.weight, block.leaderboard_size, block.leaderboard_anonymous, block.pack) == (3.0, 5, False, "fr/finance")
    assert block.content_document()["lang"] == "fr" and block.attempts_left() is None


def test_studio_preview_gives_units_and_grades_test_flags(block, handler):
    text = DOCUMENT["items"][0]["text"]
    status, body = handler(block, "preview", {"text": text, "lang": "en"})
    assert status == 200 and len(body["units"]) == 3
    status, body = handler(block, "preview", {"text": text, "lang": "en", "flags": [body["units"][1]], "gold": GOLD["memo"], "traps": TRAPS["memo"]})
    assert body["result"]["found"] == [1] and body["result"]["missed"] == [0]
    status, body = handler(block, "preview", {"text": text, "flags": [], "gold": [[0, 10_000]]})
    assert status == 400 and body["code"] == "bad_marks"
    status, body = handler(block, "preview", {"text": ""})
    assert status == 400 and body["code"] == "bad_text"


def test_studio_view_and_pack_document(block, handler):
    fragment = block.studio_view()
    assert "data-ldai-editor" in fragment.content and fragment.js_init_fn == "LdaiHallucinationDetectorStudio"
    status, body = handler(block, "pack_document", {"pack": "en/hr"})
    assert status == 200 and body["document"]["job_family"] == "hr"
    status, body = handler(block, "pack_document", {"pack": "../../etc/passwd"})
    assert status == 400


@pytest.mark.parametrize(("attrs", "refused"), [
    ({"edx-platform.user_role": "student"}, True),
    ({"ldai.is_instructor": False}, True),
    ({"edx-platform.user_role": "student", "edx-platform.user_is_staff": True}, False),
    ({"ldai.is_instructor": True}, False),
])
def test_learners_cannot_fetch_the_annotated_packs(block, handler, attrs, refused):
    user = block.runtime.service(block, "user").get_current_user()
    user.opt_attrs.update(attrs)
    status, body = handler(block, "pack_document", {"pack": "en/hr"})
    assert (status == 403 and body["code"] == "authors_only") if refused else status == 200


def test_report_data_lists_flags_and_score_per_text(block, handler):
    handler(block, "submit", {"flags": {"memo": [GOLD["memo"][0]], "policy": GOLD["policy"]}})

    class State:
        username = "learner1"
        state = {"current_attempt": block.current_attempt}

    rows = list(block.generate_report_data(iter([State()])))
    assert len(rows) == 2 and rows[0][0] == "learner1"
    memo = rows[0][1]
    assert memo["Flags"] == "12%" and memo["Found"] == 1 and memo["Missed"] == 1 and memo["Score"] == pytest.approx(2 / 3, abs=1e-4)
    assert rows[1][1]["Score"] == 1.0
    assert len(list(block.generate_report_data(iter([State()]), limit_responses=1))) == 1


def test_olx_export_import_round_trips_content_and_settings(blocks):
    block = blocks.from_xml(
        f"<ldai_hallucination_detector display_name='Hunt' grading='iou' time_limit='7' weight='2.5' reveal='after_last_attempt' "
        f"leaderboard_enabled='true' job_family='hr' custom_content={quoteattr(CONTENT)}/>"
    )
    tag, again = blocks.olx_round_trip(block)
    assert tag == "ldai_hallucination_detector"
    for name in ("display_name", "grading", "time_limit", "weight", "reveal", "leaderboard_enabled", "job_family", "custom_content"):
        assert getattr(again, name) == getattr(block, name), name


def test_french_learners_get_french_texts_and_interface(blocks):
    block = blocks.from_xml("<ldai_hallucination_detector job_family='hr'/>", language="fr", user_id="apprenant")
    assert block.pack_ref() == "fr/hr"
    fragment = block.student_view()
    assert 'lang="fr"' in fragment.content and fragment.json_init_args["lang"] == "fr"
    assert "Détecteur d’hallucinations" in fragment.content or "hallucinations" in fragment.content
    assert unpack_init_args(fragment.json_init_args)["kind_labels"]["wrong_number_or_date"] != "Wrong number or date"
    english = blocks.as_user(block, "learner", language="en")
    assert english.pack_ref() == "en/hr"


def test_scoring_contract(block):
    assert HallucinationDetectorBlock.has_score is True and block.max_score() == 1.0
    assert block.weight == 1.0 and block.multi_device is True
    assert block.has_submitted_answer() is False
    assert any("ldai_hallucination_detector" in xml for _, xml in HallucinationDetectorBlock.workbench_scenarios())


def test_a_finished_attempt_keeps_the_texts_it_was_made_on(blocks, block, handler):
    """Issue 12: after the author replaces the texts, a finished attempt is not re-scored "found 0 of 1" on a text never seen."""
    status, state = handler(block, "submit", {"flags": GOLD})
    assert status == 200 and state["results"]["score"] == 1.0
    changed = json.loads(CONTENT)
    changed["items"] = [{**changed["items"][0], "id": "new-text", "text": "An entirely new text the learner never read. " * 3,
                         "hallucinations": [{**changed["items"][0]["hallucinations"][0], "start": 0, "end": 10, "quote": "An entirel"}], "traps": []}]
    block.custom_content = json.dumps(changed)
    block.save()
    again = blocks.as_user(block, "learner1").user_state()
    assert again["results"]["score"] == 1.0 and [i["id"] for i in again["items"]] == ["memo", "policy"]
    assert again["content_changed"] is True, "the learner is told the texts changed since"
    # the next attempt is made on the new texts
    status, state = handler(block, "start_attempt", {})
    assert status == 200 and [i["id"] for i in state["items"]] == ["new-text"] and state["content_changed"] is False


def test_an_attempt_in_progress_keeps_its_flags_on_its_own_texts(blocks, block, handler):
    status, _ = handler(block, "save_flags", {"item_id": "memo", "flags": GOLD["memo"]})
    assert status == 200
    changed = json.loads(CONTENT)
    changed["items"][0] = {**changed["items"][0], "text": "Short."}
    changed["items"][0]["hallucinations"] = [{**changed["items"][0]["hallucinations"][0], "start": 0, "end": 5, "quote": "Short"}]
    changed["items"][0]["traps"] = []
    block.custom_content = json.dumps(changed)
    status, state = handler(block, "submit", {"flags": GOLD})
    assert status == 200, state
    assert state["results"]["score"] == 1.0, "graded on the texts the learner flagged"


def test_an_untouched_attempt_moves_to_the_authors_new_texts(blocks, block):
    """Nothing flagged yet: nothing to lose, so the learner reads the corrected version."""
    assert [i["id"] for i in block.user_state()["items"]] == ["memo", "policy"]
    changed = json.loads(CONTENT)
    changed["items"] = changed["items"][:1]
    block.custom_content = json.dumps(changed)
    block.save()
    assert [i["id"] for i in blocks.as_user(block, "learner1").user_state()["items"]] == ["memo"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_any_job_family_mixes_the_families_for_each_learner(blocks, handler, lang):
    """Issue 12: "any job family" was the finance pack; now each learner gets texts of three different families."""
    block = blocks.from_xml("<ldai_hallucination_detector max_attempts='0'/>", language=lang)
    families_seen = set()
    for learner in ("a", "b", "c", "d"):
        learner_block = blocks.as_user(block, learner)
        items = learner_block.user_state()["items"]
        document = learner_block.content_document()
        family = {i["id"]: i["job_family"] for i in document["items"]}
        assert len(items) == 3 and len({family[i["id"]] for i in items}) == 3
        assert learner_block.user_state()["items"] == items, "the same learner keeps the same texts"
        families_seen |= {family[i["id"]] for i in items}
    assert len(families_seen) > 3, families_seen
    assert block.content_source() == ("pack", f"{lang}/any-job-family")


def test_a_job_family_setting_picks_that_family(blocks):
    block = blocks.from_xml("<ldai_hallucination_detector job_family='hr'/>", language="en")
    assert {i["id"] for i in block.user_state()["items"]} == {"uk-annual-leave-policy", "exit-survey-summary"}


def test_the_report_scores_each_attempt_on_its_own_texts(block, handler):
    handler(block, "submit", {"flags": GOLD})

    class State:
        username = "learner1"
        state = {"current_attempt": block.current_attempt, "attempt_texts": block.attempt_texts}

    changed = json.loads(CONTENT)
    changed["items"] = changed["items"][:1]
    changed["items"][0] = {**changed["items"][0], "text": "Short.", "traps": [],
                           "hallucinations": [{**changed["items"][0]["hallucinations"][0], "start": 0, "end": 5, "quote": "Short"}]}
    block.custom_content = json.dumps(changed)
    rows = list(block.generate_report_data(iter([State()])))
    assert [row[1]["Score"] for row in rows] == [1.0, 1.0]


def test_a_host_printing_the_block_never_prints_the_annotations(block, handler):
    """xblock-sdk's workbench page prints repr(block) under the learner's view; the copy of the texts is a string it cuts short."""
    item = block.user_state()["items"][0]
    handler(block, "save_flags", {"item_id": item["id"], "flags": [item["units"][0]]})  # the copy is kept with the first flag
    assert block.attempt_texts and "explanation" in block.attempt_texts
    assert not any(secret in repr(block) for secret in _secrets())


def test_a_submitted_hunt_joins_history_when_the_next_attempt_starts_and_only_once(block, handler):
    """The submit keeps its summary in the attempt (no history read or write then); the retry moves it; an attempt
    the earlier code already appended to ``history`` at submit is not appended again."""
    handler(block, "submit", {"flags": GOLD})
    assert block.history == [] and block.current_attempt["summary"]["score"] == 1.0
    assert handler(block, "start_attempt", {})[0] == 200
    assert [entry["number"] for entry in block.history] == [1] and block.history[0]["items"]["memo"]["found"] == 2
    # the earlier code appended attempt 1 at submit: the retry finds it there and does not add it again
    assert attempt_history([{"number": 1, "score": 0.5}], {"number": 1, "submitted": True}) == [{"number": 1, "score": 0.5}]
    assert attempt_history([{"number": 1, "score": 0.5}], {"number": 1, "summary": {"number": 1, "score": 0.5}}) == [{"number": 1, "score": 0.5}]
