"""The prompt sandbox after issue 12: the prompt being written survives a reload, and feedback given on one
scenario (or in one language) is not shown under another."""

from __future__ import annotations

import uuid

import pytest

from .flows import GOOD_PROMPT, sandbox_by_mouse
from .support import handler_url, json_post, open_block

pytestmark = pytest.mark.browser

SCENARIO = "ldai_prompt_sandbox.0"
READY = "textarea[name=prompt]"


def student(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_the_prompt_being_written_survives_a_reload(page, site):
    url = site.scenario(SCENARIO, lang="en", student=student("draft"))
    block = open_block(page, url, ready=READY)
    box = block.locator("textarea[name=prompt]")
    box.click()
    with page.expect_response(lambda r: "/save_draft/" in r.url and r.ok):
        page.keyboard.type("You are a careful assistant. Draft, not sent yet")
    page.reload(wait_until="load")
    box = page.locator(".xblock-v1 textarea[name=prompt]")
    box.wait_for()
    assert box.input_value() == "You are a careful assistant. Draft, not sent yet"


def test_a_draft_typed_just_before_leaving_is_not_lost(page, site):
    """The debounce has not fired yet when the page goes: the tab's copy comes back and is saved at start."""
    url = site.scenario(SCENARIO, lang="en", student=student("leave"))
    block = open_block(page, url, ready=READY)
    block.locator("textarea[name=prompt]").fill("Typed and gone at once")
    page.reload(wait_until="load")
    box = page.locator(".xblock-v1 textarea[name=prompt]")
    box.wait_for()
    assert box.input_value() == "Typed and gone at once"
    page.wait_for_function("() => !sessionStorage.length")  # the server has it now
    state = json_post(page, handler_url(page, "student_view_user_state"), {})["body"]
    assert state["draft"] == "Typed and gone at once"


def test_feedback_in_english_is_not_shown_under_the_french_scenario(page, site):
    """The automatic pack follows the learner's language; the English feedback must not follow them into French."""
    learner = student("lang")
    block = open_block(page, site.scenario(SCENARIO, lang="en", student=learner), ready=READY)
    sandbox_by_mouse(page, "en", GOOD_PROMPT["en"])
    assert block.locator(".ldai-ps-feedback").count() == 1
    block = open_block(page, site.scenario(SCENARIO, lang="fr", student=learner), ready=READY)
    assert block.locator(".ldai-ps-scenario").get_attribute("lang") == "fr"
    assert block.locator(".ldai-ps-feedback").count() == 0
    assert block.locator("textarea[name=prompt]").input_value() == ""
    # back in English, the learner's feedback is there again
    block = open_block(page, site.scenario(SCENARIO, lang="en", student=learner), ready=READY)
    block.locator(".ldai-ps-feedback").wait_for()
