"""Each activity, hosted by the tool's runtime: a real launch, a learner's submission, the score at the platform.

The risk quiz has its own, deeper module (test_runtime.py); this one walks every
other activity through the same path, with the activity's real block class and
its real handlers, as its JavaScript would call them.
"""

from __future__ import annotations

import json

from ldai_xblocks.content.packs import load_pack
from lti_tool.grades import sender
from lti_tool.lti import claims as c
from lti_tool.models import GradeOutbox, LearnerState, ResourceLinkConfig
from tests.lti.runtime_fixtures import call, handler_prefix, init_args, launch_page

pytest_plugins = ["tests.lti.runtime_fixtures"]


def hunt_custom(**settings) -> dict:
    return {
        c.CUSTOM_ACTIVITY: "ldai_hallucination_detector",
        c.CUSTOM_PACK: "en/marketing",
        c.CUSTOM_SETTINGS: json.dumps({"display_name": "Spot the invention", "max_attempts": 2, **settings}),
    }


def perfect_flags() -> dict[str, list[list[int]]]:
    document = load_pack("hallucination_detector", "en/marketing")
    return {item["id"]: [[h["start"], h["end"]] for h in item["hallucinations"]] for item in document["items"]}


def test_hallucination_hunt_submitted_and_graded_at_the_platform(client, graded_platform):
    consumer, gradebook = graded_platform
    html = launch_page(client, consumer, user_id="learner-h", custom=hunt_custom())
    assert 'data-init="LdaiHallucinationDetector"' in html and "Spot the invention" in html
    state = init_args(html)["state"]
    assert state["started"] and state["items"]
    assert "hallucinations" not in json.dumps(state["items"])  # annotations never reach the browser early
    prefix = handler_prefix(html)
    flags = perfect_flags()
    first = next(iter(flags))
    status, saved = call(client, prefix, "save_flags", {"item_id": first, "flags": flags[first]})
    assert status == 200 and saved["saved"]
    status, result = call(client, prefix, "submit", {"flags": flags})
    assert status == 200 and result["submitted"]
    assert result["results"]["score"] > 0.9
    row = LearnerState.objects.get(scope=LearnerState.Scope.USER_STATE)
    assert row.attempts == 1 and row.score == result["best_score"]
    assert sender.deliver_due().sent == 1
    assert [s["userId"] for s in gradebook.scores] == ["learner-h"]
    assert gradebook.scores[0]["scoreGiven"] == result["best_score"]


def test_hunt_flags_survive_a_reload_and_a_new_launch(client, graded_platform):
    consumer, _ = graded_platform
    html = launch_page(client, consumer, custom=hunt_custom())
    flags = perfect_flags()
    first = next(iter(flags))
    call(client, handler_prefix(html), "save_flags", {"item_id": first, "flags": flags[first]})
    again = init_args(launch_page(client, consumer, custom=hunt_custom()))["state"]
    assert again["flags"][first] == flags[first]
    assert GradeOutbox.objects.count() == 0


def test_hunt_leaderboard_is_shared_by_the_links_learners(client, graded_platform):
    consumer, _ = graded_platform
    custom = hunt_custom(leaderboard_enabled=True, leaderboard_anonymous=False)
    for learner in ("learner-a", "learner-b"):
        prefix = handler_prefix(launch_page(client, consumer, user_id=learner, name=f"Ada {learner}", custom=custom))
        status, _ = call(client, prefix, "submit", {"flags": perfect_flags() if learner == "learner-a" else {}})
        assert status == 200
        if learner == "learner-a":  # learner A chooses to appear by first name; B keeps the default (hidden)
            status, _ = call(client, prefix, "leaderboard_name_choice", {"show": "first_name"})
            assert status == 200
    link = ResourceLinkConfig.objects.get()
    assert len(link.summary["leaderboard_entries"]) == 2  # user_state_summary lives on the resource link
    assert "Ada" not in json.dumps(link.summary)  # no names in the shared summary: resolved when drawn (issue 10)
    board = init_args(launch_page(client, consumer, user_id="learner-b", custom=custom))["state"]["leaderboard"]
    assert [r["rank"] for r in board["rows"]] == [1, 2]
    assert board["rows"][0]["name"] == "Ada" and board["rows"][1]["name"] == ""


def test_hunt_authoring_view_for_instructors(client, graded_platform):
    consumer, _ = graded_platform
    html = launch_page(client, consumer, role="instructor", user_id="teacher-h", custom=hunt_custom())
    assert 'data-init="LdaiHallucinationDetectorStudio"' in html
    status, body = call(client, handler_prefix(html), "studio_submit", {"display_name": "Hunt for sales", "time_limit": 5})
    assert status == 200, body
    assert ResourceLinkConfig.objects.get().settings["time_limit"] == 5


def sandbox_custom(**settings) -> dict:
    return {
        c.CUSTOM_ACTIVITY: "ldai_prompt_sandbox",
        c.CUSTOM_PACK: "en/marketing",
        c.CUSTOM_SETTINGS: json.dumps({"display_name": "Prompt clinic", "max_attempts": 5, **settings}),
    }


GOOD_PROMPT = (
    "You are a marketing analyst. Context: we launch a new oat drink in France next quarter for young urban "
    "professionals. Task: write three headline options for the launch e-mail, each under 60 characters, in a "
    "friendly tone. Format: a numbered list, then one sentence explaining the best option. If you are unsure "
    "about a claim, say so instead of inventing figures."
)


def test_prompt_sandbox_submitted_and_graded_at_the_platform(client, graded_platform):
    consumer, gradebook = graded_platform
    html = launch_page(client, consumer, user_id="learner-p", custom=sandbox_custom())
    assert 'data-init="LdaiPromptSandbox"' in html and "Prompt clinic" in html
    prefix = handler_prefix(html)
    status, first = call(client, prefix, "submit", {"prompt": "write an email"})
    assert status == 200
    status, second = call(client, prefix, "submit", {"prompt": GOOD_PROMPT})
    assert status == 200
    assert second["grade"] >= first["grade"] and second["grade"] > 0
    row = LearnerState.objects.get(scope=LearnerState.Scope.USER_STATE)
    assert row.attempts == 2 and row.score == second["grade"]
    assert sender.deliver_due().sent == 1  # the newer score superseded the first while both waited
    assert [s["scoreGiven"] for s in gradebook.scores] == [second["grade"]]
    assert GradeOutbox.objects.filter(status=GradeOutbox.Status.SUPERSEDED).count() == 1


def test_prompt_sandbox_refuses_an_empty_prompt_without_an_error_page(client, graded_platform):
    consumer, _ = graded_platform
    prefix = handler_prefix(launch_page(client, consumer, custom=sandbox_custom()))
    for payload in ({"prompt": ""}, {"prompt": 42}, {"prompt": "x" * 7000}):
        status, body = call(client, prefix, "submit", payload)
        assert status == 400 and body["fields"]["prompt"]
    assert GradeOutbox.objects.count() == 0


def test_prompt_sandbox_authoring_for_instructors_only(client, graded_platform):
    consumer, _ = graded_platform
    learner = handler_prefix(launch_page(client, consumer, user_id="learner-q", custom=sandbox_custom()))
    status, body = call(client, learner, "pack_document", {"pack": "en/marketing"})
    assert status == 403
    html = launch_page(client, consumer, role="instructor", user_id="teacher-p", custom=sandbox_custom())
    assert 'data-init="LdaiPromptSandboxStudio"' in html
    status, body = call(client, handler_prefix(html), "pack_document", {"pack": "en/marketing"})
    assert status == 200 and body["document"]["id"]
