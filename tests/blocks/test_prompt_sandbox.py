"""The prompt-sandbox XBlock through a real runtime, handlers called with real webob requests."""

from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

import pytest

from ldai_xblocks.blocks.prompt_sandbox import PromptSandboxBlock
from tests.conftest import fixture_text

CONTENT = fixture_text("prompt_small.json")
WEAK = "Write an email to the prospect."
BETTER = ("You are a senior account executive. Yesterday we demonstrated our software to a prospect worried about "
          "training time. Write a follow-up e-mail to the operations director.")
STRONG = json.loads(CONTENT)["scenarios"][0]["reference_prompt"].replace("REFERENCE-SECRET-TEXT ", "")
LEAKY = STRONG + " Send it to z.boss@zorglub.example, client Zorglub, IBAN FR76 3000 6000 0112 3456 7890 189."


@pytest.fixture
def sandbox(blocks):
    return blocks.from_xml(f"<ldai_prompt_sandbox max_attempts='4' reveal_after='2' custom_content={quoteattr(CONTENT)}/>")


def submit(block, handler, prompt):
    status, state = handler(block, "submit", {"prompt": prompt})
    assert status == 200, state
    return state


def test_submit_gives_feedback_per_criterion_with_evidence_and_publishes_the_grade(sandbox, handler):
    state = submit(sandbox, handler, BETTER)
    feedback = state["feedback"]
    assert [c["id"] for c in feedback["criteria"]] == ["task", "context", "role", "audience", "format", "constraints", "examples", "tone"]
    role = next(c for c in feedback["criteria"] if c["id"] == "role")
    assert role["met"] and BETTER[role["evidence"]["start"]:role["evidence"]["end"]] == role["evidence"]["text"]
    audience = next(c for c in feedback["criteria"] if c["id"] == "audience")
    fmt = next(c for c in feedback["criteria"] if c["id"] == "format")
    assert audience["met"] and not fmt["met"] and fmt["advice"]
    grade = feedback["score"] / 100
    runtime = sandbox.runtime
    assert runtime.events_of("grade") == [{"value": grade, "max_value": 1.0, "only_if_higher": None}]
    assert runtime.events_of("completion") == [{"completion": 1.0}]
    [event] = runtime.events_of("ldai.prompt_sandbox.submitted")
    assert event["score"] == feedback["score"] and event["scenario"] == "follow-up" and event["sensitive_kinds"] == []
    assert BETTER not in json.dumps(event)  # the prompt goes to the instructors' report, not to tracking logs
    assert sandbox.get_score().raw_earned == grade and sandbox.has_submitted_answer()


def test_scenario_hint_shapes_the_advice(sandbox, handler):
    state = submit(sandbox, handler, "Write a follow-up e-mail about our software demo of yesterday.")
    audience = next(c for c in state["feedback"]["criteria"] if c["id"] == "audience")
    assert "operations director" in audience["advice"]


def test_confidential_data_warns_with_the_charter_rule_and_caps_the_grade(sandbox, handler):
    state = submit(sandbox, handler, LEAKY)
    feedback = state["feedback"]
    assert {f["kind"] for f in feedback["sensitive"]} == {"email", "term", "iban"}
    rules = {k["kind"]: k["rule"]["id"] for k in feedback["leak"]["kinds"]}
    assert rules == {"email": "personal", "term": "clients", "iban": "banking"}
    assert feedback["score"] >= 90 and feedback["capped"] and feedback["grade"] == 0.5
    assert sandbox.get_score().raw_earned == 0.5
    assert sandbox.runtime.events_of("ldai.prompt_sandbox.submitted")[0]["sensitive_kinds"] == ["email", "iban", "term"]


def test_author_can_choose_that_a_leak_does_not_cap(blocks, handler):
    block = blocks.from_xml(f"<ldai_prompt_sandbox leak_caps_grade='false' custom_content={quoteattr(CONTENT)}/>")
    state = submit(block, handler, LEAKY)
    assert state["feedback"]["leak"] and not state["feedback"]["capped"]
    assert state["feedback"]["grade"] == state["feedback"]["score"] / 100


def test_confidential_terms_from_the_platform_settings(blocks, handler):
    block = blocks.from_xml(f"<ldai_prompt_sandbox custom_content={quoteattr(CONTENT)}/>", settings={"CONFIDENTIAL_TERMS": ["Projet Hélios"]})
    state = submit(block, handler, BETTER + " It is for projet HELIOS.")
    assert [f["kind"] for f in state["feedback"]["sensitive"]] == ["term"]


def test_progression_from_first_to_best_and_reference_revealed_after_n_attempts(sandbox, handler):
    first = submit(sandbox, handler, WEAK)
    assert first["reference_prompt"] is None and first["progression"]["gained"] == []
    assert "REFERENCE-SECRET-TEXT" not in json.dumps(first)
    second = submit(sandbox, handler, STRONG)
    gained = {g["id"] for g in second["progression"]["gained"]}
    assert {"role", "format", "constraints", "tone"} <= gained
    assert second["progression"]["first"]["number"] == 1 and second["progression"]["best"]["number"] == 2
    assert second["reference_prompt"].startswith("REFERENCE-SECRET-TEXT")
    assert [a["number"] for a in second["attempts"]] == [1, 2]


def test_best_grade_kept_by_default_last_when_the_author_says_so(blocks, sandbox, handler):
    submit(sandbox, handler, STRONG)
    submit(sandbox, handler, WEAK)
    assert sandbox.get_score().raw_earned > 0.9
    last = blocks.from_xml(f"<ldai_prompt_sandbox grading='last' custom_content={quoteattr(CONTENT)}/>", user_id="other")
    submit(last, handler, STRONG)
    state = submit(last, handler, WEAK)
    assert last.get_score().raw_earned == state["feedback"]["grade"] < 0.5
    assert last.runtime.events_of("grade")[-1]["value"] == state["feedback"]["grade"]


def test_attempts_run_out_and_the_reference_is_then_shown(blocks, handler):
    block = blocks.from_xml(f"<ldai_prompt_sandbox max_attempts='1' reveal_after='5' custom_content={quoteattr(CONTENT)}/>")
    state = submit(block, handler, WEAK)
    assert state["attempts_left"] == 0 and state["reference_prompt"]
    status, body = handler(block, "submit", {"prompt": STRONG})
    assert status == 409 and body["code"] == "no_attempts_left" and body["error"]
    assert len(block.attempts) == 1


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "empty"),
        ({"prompt": "   \n "}, "empty"),
        ({"prompt": None}, "empty"),
        ({"prompt": ["list"]}, "empty"),
        ({"prompt": {"$ne": ""}}, "empty"),
        ({"prompt": "x" * 6001}, "too_long"),
    ],
)
def test_bad_prompts_get_400_with_a_field_message_and_change_nothing(sandbox, handler, payload, code):
    status, body = handler(sandbox, "submit", payload)
    assert status == 400 and body["code"] == code and body["fields"]["prompt"]
    assert sandbox.attempts == [] and sandbox.runtime.events_of("grade") == []


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff\xfe", b'"text"'])
def test_bodies_that_are_not_a_json_object_get_400(sandbox, handler, raw):
    status, body = handler(sandbox, "submit", raw=raw)
    assert status == 400 and body["code"] == "malformed"


def test_state_persists_for_the_learner_and_is_private(blocks, sandbox, handler):
    submit(sandbox, handler, BETTER)
    again = blocks.as_user(sandbox, "learner1")
    assert again.user_state()["last_prompt"] == BETTER and again.user_state()["feedback"]["number"] == 1
    other = blocks.as_user(sandbox, "learner2")
    assert other.user_state()["attempts"] == [] and other.user_state()["feedback"] is None
    status, body = handler(again, "student_view_user_state", method="GET")
    assert status == 200 and body["last_prompt"] == BETTER


def test_reference_prompt_never_reaches_the_browser_early(sandbox):
    assert "REFERENCE-SECRET-TEXT" not in json.dumps(sandbox.student_view_data())
    assert "REFERENCE-SECRET-TEXT" not in sandbox.student_view().content
    assert "REFERENCE-SECRET-TEXT" not in json.dumps(sandbox.user_state())


def test_learner_and_author_text_is_escaped(blocks, handler):
    document = json.loads(CONTENT)
    document["scenarios"][0]["title"] = "<img src=x onerror=alert(1)>"
    block = blocks.from_xml(f"<ldai_prompt_sandbox display_name='&lt;script&gt;x&lt;/script&gt;' custom_content={quoteattr(json.dumps(document))}/>")
    submit(block, handler, "<script>alert(1)</script> Write an email to the prospect about the demo.")
    html = block.student_view().content
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>x</script>" not in html and "<script>alert(1)</script>" not in html


def test_promptathon_leaderboard(blocks, handler):
    block = blocks.from_xml(f"<ldai_prompt_sandbox leaderboard_enabled='true' custom_content={quoteattr(CONTENT)}/>")
    submit(block, handler, WEAK)
    rival = blocks.as_user(block, "learner2")
    state = submit(rival, handler, STRONG)
    board = state["leaderboard"]
    assert board["total"] == 2 and board["my_rank"] == 1 and board["rows"][0]["me"]
    assert len(board["rows"]) == 1  # names hidden by default, so the other learner's score is not shown either (issue 15 item 4)


def test_llm_from_settings_falls_back_with_a_notice_when_unreachable(blocks, handler, monkeypatch):
    monkeypatch.setenv("LDAI_TEST_KEY", "k")
    settings = {"llm": {"backend": "openai", "model": "m", "base_url": "http://127.0.0.1:9/v1", "api_key_env": "LDAI_TEST_KEY", "max_retries": 0, "timeout": 1}}
    block = blocks.from_xml(f"<ldai_prompt_sandbox custom_content={quoteattr(CONTENT)}/>", settings=settings)
    assert block.user_state()["llm_enabled"]
    state = submit(block, handler, BETTER)
    assert state["feedback"]["llm_used"] is False and "could not be reached" in state["feedback"]["notices"][0]
    off = blocks.from_xml(f"<ldai_prompt_sandbox use_llm='false' custom_content={quoteattr(CONTENT)}/>", user_id="x", settings=settings)
    assert off.user_state()["llm_enabled"] is False


def test_studio_save_is_all_or_nothing_with_messages_per_field(sandbox, handler):
    status, body = handler(sandbox, "studio_submit", {
        "display_name": "New", "max_attempts": -1, "grading": "average", "weights": {"task": 20},
        "scenario_id": "no-such", "custom_content": '{"schema": "ldai.prompt_sandbox/1"',
    })
    assert status == 400 and body["code"] == "invalid_settings"
    assert set(body["fields"]) == {"max_attempts", "grading", "weights.task", "custom_content"}
    assert sandbox.display_name == "" and sandbox.max_attempts == 4


def test_studio_checks_the_scenario_against_the_content(sandbox, handler):
    status, body = handler(sandbox, "studio_submit", {"scenario_id": "no-such"})
    assert status == 400 and "scenario_id" in body["fields"]


def test_studio_save_applies_every_field(sandbox, handler):
    status, body = handler(sandbox, "studio_submit", {
        "display_name": " Promptathon ", "scenario_id": "agenda", "grading": "last", "max_attempts": 0, "reveal_after": 1,
        "leak_caps_grade": False, "leak_cap": 30, "weight": 2, "use_llm": False, "leaderboard_enabled": True,
        "leaderboard_size": 5, "leaderboard_anonymous": False, "weights": {"examples": 0, "tone": 4, "task": None},
    })
    assert status == 200 and body["saved"]
    assert (sandbox.display_name, sandbox.scenario_id, sandbox.grading, sandbox.max_attempts) == ("Promptathon", "agenda", "last", 0)
    assert sandbox.leak_cap == 0.3 and sandbox.weight == 2.0 and sandbox.leaderboard_enabled and not sandbox.use_llm
    assert sandbox.weights == {"examples": 0.0, "tone": 4.0}
    scenario = sandbox.scenario()
    assert scenario["id"] == "agenda" and scenario["weights"] == {"format": 5, "examples": 0.0, "tone": 4.0}
    assert sandbox.attempts_left() is None


def test_studio_view_renders_the_weights_and_scenarios(sandbox):
    html = sandbox.studio_view().content
    assert 'data-ldai-weight="task"' in html and "A sales meeting agenda" in html


def test_report_data_lists_each_prompt(sandbox, handler):
    submit(sandbox, handler, WEAK)
    submit(sandbox, handler, LEAKY)

    class State:
        username = "learner1"
        state = {"attempts": sandbox.attempts}

    rows = list(sandbox.generate_report_data(iter([State()])))
    assert [r[1]["Prompt"] for r in rows] == [WEAK, LEAKY] and rows[0][0] == "learner1"
    assert rows[1][1]["Confidential data"] == "email, iban, term"
    assert {"Attempt", "Prompt", "Score", "Grade", "Criteria met", "Confidential data", "AI model used"} <= set(rows[0][1])
    assert len(list(sandbox.generate_report_data(iter([State()]), limit_responses=1))) == 1


def test_olx_export_import_round_trips_content_and_settings(blocks, handler):
    block = blocks.from_xml(
        f"<ldai_prompt_sandbox display_name='Sandbox' grading='last' reveal_after='4' leak_cap='0.4' "
        f"scenario_id='agenda' custom_content={quoteattr(CONTENT)}/>"
    )
    handler(block, "studio_submit", {"weights": {"tone": 3}})
    tag, again = blocks.olx_round_trip(block)
    assert tag == "ldai_prompt_sandbox"
    for name in ("display_name", "grading", "reveal_after", "leak_cap", "scenario_id", "custom_content", "weights"):
        assert getattr(again, name) == getattr(block, name), name


def test_french_learners_get_french_scenarios_and_advice(blocks, handler):
    block = blocks.from_xml("<ldai_prompt_sandbox job_family='finance'/>", language="fr", user_id="apprenant")
    assert block.pack_ref() == "fr/finance" and block.scenario()["lang"] == "fr"
    fragment = block.student_view()
    assert 'lang="fr"' in fragment.content and fragment.json_init_args["lang"] == "fr"
    state = submit(block, handler, "Rédige une note sur les frais de transport.")
    assert state["feedback"]["lang"] == "fr"
    assert state["criteria"][0]["label"] == "Tâche"
    role = next(c for c in state["feedback"]["criteria"] if c["id"] == "role")
    assert role["advice"].startswith("Donnez") or role["advice"].startswith("Indiquez") or "rôle" in role["advice"]


def test_scoring_contract(sandbox):
    assert PromptSandboxBlock.has_score is True and sandbox.max_score() == 1.0
    assert sandbox.weight == 1.0 and sandbox.multi_device is True and sandbox.has_submitted_answer() is False


def test_workbench_scenarios_parse(blocks):
    for _, xml in PromptSandboxBlock.workbench_scenarios():
        block = blocks.from_xml(xml, user_id="wb")
        assert block.scenario()["id"]


def test_learners_are_refused_at_author_handlers(blocks, handler):
    block = blocks.from_xml("<ldai_prompt_sandbox/>")
    block.runtime.service(block, "user").get_current_user().opt_attrs["edx-platform.user_role"] = "student"
    for name, payload in (("pack_document", {"pack": "en/marketing"}), ("studio_submit", {"max_attempts": 0})):
        status, body = handler(block, name, payload)
        assert status == 403 and body["code"] == "authors_only", name


def test_the_draft_prompt_is_kept_until_it_is_submitted(blocks, sandbox, handler):
    """Issue 12: the prompt being written was lost on reload."""
    status, body = handler(sandbox, "save_draft", {"prompt": "Half-written prompt"})
    assert status == 200 and body == {"saved": True}
    assert blocks.as_user(sandbox, "learner1").user_state()["draft"] == "Half-written prompt"
    assert sandbox.runtime.events_of("grade") == [], "a draft is never graded"
    submit(sandbox, handler, BETTER)
    state = sandbox.user_state()
    assert state["draft"] is None and state["last_prompt"] == BETTER


@pytest.mark.parametrize(("payload", "status_code"), [({"prompt": None}, 400), ({}, 400), ({"prompt": ["x"]}, 400), ({"prompt": "x" * 6001}, 400)])
def test_bad_drafts_are_refused_with_a_message(sandbox, handler, payload, status_code):
    status, body = handler(sandbox, "save_draft", payload)
    assert status == status_code and body["error"]
    assert sandbox.user_state()["draft"] is None


def test_feedback_on_another_scenario_is_not_shown_under_the_new_one(blocks, sandbox, handler):
    """Issue 12: after the author switched scenario, the old scenario's feedback stayed on the page."""
    first = submit(sandbox, handler, BETTER)
    assert first["feedback"] and first["last_prompt"] == BETTER
    other = [s["id"] for s in json.loads(CONTENT)["scenarios"]][1]
    sandbox.scenario_id = other
    sandbox.save()
    state = blocks.as_user(sandbox, "learner1").user_state()
    assert state["scenario"]["id"] == other
    assert state["feedback"] is None and state["last_prompt"] == "" and state["attempts"] == [] and state["progression"] is None
    # back on the first scenario, its feedback and history are there again
    sandbox.scenario_id = ""
    sandbox.save()
    assert blocks.as_user(sandbox, "learner1").user_state()["feedback"]["number"] == 1


def test_feedback_in_the_other_language_is_not_shown(blocks, handler):
    """The automatic pack follows the learner's language: English feedback must not sit under a French scenario."""
    block = blocks.from_xml("<ldai_prompt_sandbox job_family='hr'/>", language="en")
    submit(block, handler, BETTER)
    french = blocks.as_user(block, "learner1", language="fr").user_state()
    assert french["scenario"]["lang"] in ("fr", "") and french["feedback"] is None


def test_any_job_family_gives_learners_scenarios_of_several_families(blocks):
    """Issue 12: "any job family" meant finance for everyone."""
    block = blocks.from_xml("<ldai_prompt_sandbox/>", language="en")
    document = block.content_document()
    family = {s["id"]: s["job_family"] for s in document["scenarios"]}
    seen = {family[blocks.as_user(block, f"learner-{n}").user_state()["scenario"]["id"]] for n in range(12)}
    assert len(seen) >= 3, seen
    again = blocks.as_user(block, "learner-1").user_state()["scenario"]["id"]
    assert again == blocks.as_user(block, "learner-1").user_state()["scenario"]["id"], "a learner keeps their scenario"


def test_a_job_family_setting_or_scenario_picks_one(blocks):
    assert blocks.from_xml("<ldai_prompt_sandbox job_family='hr'/>").user_state()["scenario"]["id"] == "hr-inclusive-job-ad"
    block = blocks.from_xml("<ldai_prompt_sandbox scenario_id='hr-onboarding-week'/>")
    assert block.user_state()["scenario"]["id"] == "hr-onboarding-week"
