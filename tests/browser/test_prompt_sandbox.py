"""The prompt sandbox in a real browser: keyboard alone, mouse, confidential data, reload, author edits, both languages.

Each learner test uses its own workbench student (``?student=``); the author test puts the
settings back as it found them.
"""

from __future__ import annotations

import re
import uuid

import pytest

from .flows import GOOD_PROMPT, SANDBOX_TEXT, sandbox_by_keyboard, sandbox_by_mouse
from .support import (
    LIVE_WATCH,
    assert_accessible,
    handler_url,
    json_post,
    open_block,
    shot,
    wait_for_announcement,
)

pytestmark = pytest.mark.browser

SCENARIO = "ldai_prompt_sandbox.0"
READY = "textarea[name=prompt]"
LEAKY_PROMPT = ("Write a polite reminder to our client Jane Smith (jane.smith@example.com) that invoice 2024-117 of 12,400 euros "
                "is overdue. Keep it short and friendly.")


def student(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"



@pytest.mark.parametrize("lang", ["en", "fr"])
def test_learner_gets_feedback_by_keyboard_alone(page, site, axe_source, artifacts, lang):
    """Tab, typing and Enter only: the feedback gets the focus, the score is announced, the grade shown."""
    page.add_init_script(LIVE_WATCH)
    block = open_block(page, site.scenario(SCENARIO, lang=lang, student=student(f"kbd-{lang}")), ready=READY)
    assert block.locator(".ldai").first.get_attribute("lang") == lang
    sandbox_by_keyboard(page, page, lang)
    assert block.locator(".ldai-ps-feedback h3").inner_text() == SANDBOX_TEXT[lang]["feedback_title"].format(n=1)
    shot(page, artifacts, f"prompt_sandbox-learner-{lang}-feedback")
    assert_accessible(page, axe_source, f"sandbox feedback ({lang})")


def test_learner_by_mouse_is_warned_about_confidential_data_and_a_reload_keeps_everything(page, site, axe_source, artifacts):
    page.add_init_script(LIVE_WATCH)
    url = site.scenario(SCENARIO, lang="en", student=student("mouse"))
    block = open_block(page, url, ready=READY)
    sandbox_by_mouse(page, "en", LEAKY_PROMPT)
    warning = block.locator(".ldai-ps-leak")
    assert warning.get_attribute("role") == "alert", "the warning interrupts: it is an alert"
    wait_for_announcement(page, re.escape(SANDBOX_TEXT["en"]["leak"]))
    warning.get_by_role("button", name="Show it in my prompt").click()
    assert block.locator(".ldai-ps-mark-leak").count() >= 1, "the confidential data is highlighted in the prompt"
    shot(page, artifacts, "prompt_sandbox-learner-en-leak")
    assert_accessible(page, axe_source, "sandbox leak warning (en)")
    first_grade = re.search(SANDBOX_TEXT["en"]["grade"], block.inner_text()).group(0)

    # A second, better attempt by mouse; the history shows both.
    sandbox_by_mouse(page, "en", GOOD_PROMPT["en"])
    assert block.locator(".ldai-ps-history tbody tr").count() == 2
    history = block.locator(".ldai-ps-history").inner_text()

    page.reload(wait_until="load")
    block = page.locator(".xblock-v1").first
    block.locator(".ldai-ps-feedback").wait_for()
    assert block.locator("textarea[name=prompt]").input_value() == GOOD_PROMPT["en"], "the last prompt is back in the box"
    assert block.locator(".ldai-ps-history").inner_text() == history, "the history survives a reload"
    assert re.search(SANDBOX_TEXT["en"]["grade"], block.inner_text()), first_grade
    assert page.evaluate("() => document.activeElement === document.body"), "the first paint must not steal focus"


def test_empty_prompt_is_explained_next_to_the_box(page, site):
    block = open_block(page, site.scenario(SCENARIO, lang="en", student=student("empty")), ready=READY)
    block.get_by_role("button", name="Get feedback", exact=True).click()
    box = block.locator("textarea[name=prompt]")
    page.wait_for_function("() => document.activeElement && document.activeElement.name === 'prompt'")
    assert box.get_attribute("aria-invalid") == "true"
    error_id = block.locator(".ldai-field-error").first.get_attribute("id")
    assert error_id in (box.get_attribute("aria-describedby") or "").split()


def test_author_picks_another_scenario_and_the_learner_sees_it(page, site, axe_source, artifacts):
    title = f"Prompting at work {uuid.uuid4().hex[:6]}"
    page.add_init_script(LIVE_WATCH)
    block = open_block(page, site.scenario(SCENARIO, "studio_view", lang="en"), ready="form")
    form = block.locator("form").first
    original = {"display_name": form.locator("[name=display_name]").input_value(),
                "scenario_id": form.locator("[name=scenario_id]").input_value()}
    learner = page.context.new_page()
    before = open_block(learner, site.scenario(SCENARIO, lang="en", student=student("before-edit")), ready=READY)
    shown_before = before.locator(".ldai-ps-scenario h3").inner_text()
    learner.close()
    options = form.locator("[name=scenario_id] option").evaluate_all(
        "(options) => options.filter(o => o.value).map(o => ({value: o.value, text: o.textContent.trim()}))")
    target = next(o for o in options if o["text"] != shown_before)
    try:
        form.get_by_label("Title", exact=True).fill(title)
        form.locator("[name=scenario_id]").select_option(target["value"])
        shot(page, artifacts, "prompt_sandbox-studio-en-edited")
        form.get_by_role("button", name="Save", exact=True).click()
        wait_for_announcement(page, r"^Saved\.$")
        learner = page.context.new_page()
        after = open_block(learner, site.scenario(SCENARIO, lang="en", student=student("after-edit")), ready=READY)
        assert after.locator("h2").first.inner_text() == title
        assert after.locator(".ldai-ps-scenario h3").inner_text() == target["text"]
        learner.close()
    finally:
        restored = json_post(page, handler_url(page, "studio_submit"), original)
        assert restored["status"] == 200, restored
