"""The risk-awareness quiz in a real browser: keyboard alone, mouse, reload, author edits, both languages.

Each learner test uses its own workbench student (``?student=``), so tests never see each
other's answers; the author test puts the settings back as it found them.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest

from .flows import QUIZ_TEXT, quiz_by_keyboard, quiz_total
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

SCENARIO = "ldai_risk_quiz.0"


def student(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def stage(block):
    return block.locator("[data-ldai-stage]")



@pytest.mark.parametrize("lang", ["en", "fr"])
def test_learner_completes_the_quiz_by_keyboard_alone(page, site, axe_source, artifacts, lang):
    """Tab, Space and Enter only: every question answered, feedback announced, the profile and grade shown."""
    page.add_init_script(LIVE_WATCH)
    block = open_block(page, site.scenario(SCENARIO, lang=lang, student=student(f"kbd-{lang}")), ready="[data-ldai-stage] form")
    assert block.locator("section.ldai").get_attribute("lang") == lang
    shot(page, artifacts, f"risk_quiz-learner-{lang}-question")

    def at_first_feedback():
        shot(page, artifacts, f"risk_quiz-learner-{lang}-feedback")
        assert_accessible(page, axe_source, f"quiz feedback ({lang})")
        # The group's name says where the learner is and how many answers to pick; each answered
        # choice is described by its verdict and its feedback (read with it by screen readers).
        legend = block.locator("[data-ldai-stage] legend").text_content()
        assert QUIZ_TEXT[lang]["progress"].format(n=1, total=quiz_total(block)) in legend
        assert block.locator("[data-ldai-stage] legend .ldai-legend-hint").text_content() in legend
        described = block.locator("[data-ldai-stage] input:checked").first.evaluate(
            "(input) => (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean).map((id) => document.getElementById(id).textContent)")
        assert len(described) == 2 and all(described), described

    quiz_by_keyboard(page, page, lang, on_first_feedback=at_first_feedback)
    shot(page, artifacts, f"risk_quiz-learner-{lang}-profile")
    assert_accessible(page, axe_source, f"quiz profile ({lang})")


def test_learner_completes_the_quiz_by_mouse_and_a_reload_keeps_the_state(page, site, axe_source, artifacts):
    """Clicks only; after the first answer and after the end, a reload shows exactly where the learner was."""
    url = site.scenario(SCENARIO, lang="en", student=student("mouse"))
    block = open_block(page, url, ready="[data-ldai-stage] form")
    total = quiz_total(block)
    first_stem = stage(block).locator(".ldai-stem").inner_text()

    stage(block).locator(".ldai-choice label").first.click()
    stage(block).get_by_role("button", name="Check my answer").click()
    stage(block).locator("[data-ldai-result]").wait_for()
    badge = stage(block).locator(".ldai-choice .ldai-badge").first.inner_text()
    assert badge in ("Your choice: right", "Your choice: not right"), "the first badge is the learner's own choice"

    page.reload(wait_until="load")
    block = page.locator(".xblock-v1").first
    assert block.locator("[data-ldai-progress]").inner_text() == f"Question 2 of {total}"
    assert stage(block).locator(".ldai-stem").inner_text() != first_stem
    assert page.evaluate("() => document.activeElement === document.body"), "the first paint must not steal focus"

    for _ in range(2, total + 1):
        stage(block).locator(".ldai-choice label").last.click()
        stage(block).get_by_role("button", name="Check my answer").click()
        stage(block).locator("[data-ldai-result]").wait_for()
        stage(block).locator(".ldai-toolbar button").click()
    profile = stage(block).locator(".ldai-profile")
    profile.wait_for()
    grade = re.search(r"Your grade \(best attempt\): (\d+\s?%)", profile.inner_text())
    assert grade, profile.inner_text()
    rows_before = profile.locator("tbody tr").count()

    page.reload(wait_until="load")
    profile = page.locator(".xblock-v1 .ldai-profile")
    profile.wait_for()
    assert grade.group(0) in profile.inner_text(), "the grade survives a reload"
    assert profile.locator("tbody tr").count() == rows_before
    # Review the first answer after the reload: its feedback is still there.
    profile.get_by_role("button", name="Review my answers").click()
    assert stage(page.locator(".xblock-v1").first).locator(".ldai-stem").inner_text() == first_stem
    assert stage(page.locator(".xblock-v1").first).locator("[data-ldai-result]").count() == 1


SMALL_QUIZ = {
    "schema": "ldai.risk_quiz/1", "id": "browser-e2e", "lang": "en", "title": "Browser test pack",
    "categories": [{"id": "hallucinations", "label": "Checking facts", "advice": "Check every figure against a source."}],
    "charter": [],
    "questions": [
        {"id": "q1", "category": "hallucinations", "kind": "single", "difficulty": 1, "job_family": "marketing",
         "stem": "An assistant gives a market size <b>without a source</b>. What do you do first?",
         "choices": [{"id": "a", "text": "Publish it as it is", "feedback": "Unchecked figures spread.", "correct": False},
                     {"id": "b", "text": "Find the primary source", "feedback": "Yes: verify before use.", "correct": True}],
         "explanation": "Models invent plausible numbers."},
    ],
}


def test_author_edits_the_quiz_and_the_learner_sees_the_change(page, site, axe_source, artifacts):
    """Studio: a wrong field is explained next to it and saves nothing; valid content is what the learner then gets."""
    title = f"Checking facts {uuid.uuid4().hex[:6]}"
    page.add_init_script(LIVE_WATCH)
    block = open_block(page, site.scenario(SCENARIO, "studio_view", lang="en"), ready="[data-ldai-studio-form]")
    form = block.locator("[data-ldai-studio-form]")
    original = {"display_name": form.get_by_label("Title", exact=True).input_value(),
                "custom_content": form.locator("[name=custom_content]").input_value(),
                "num_questions": int(form.locator("[name=num_questions]").input_value())}
    try:
        # 1. Broken JSON: the error sits next to the field, focus goes to it, nothing is saved.
        form.get_by_label("Title", exact=True).fill(title)
        form.locator("[name=custom_content]").fill('{"schema": "ldai.risk_quiz/1", ')
        page.ldai_errors.clear()
        form.get_by_role("button", name="Save", exact=True).click()
        error = form.locator(".ldai-field-error")
        error.first.wait_for()
        page.ldai_errors.clear()  # the 400 answer is logged by the browser; it is the expected outcome here
        assert form.locator("[name=custom_content]").get_attribute("aria-invalid") == "true"
        described = form.locator("[name=custom_content]").get_attribute("aria-describedby") or ""
        assert error.first.get_attribute("id") in described.split()
        page.wait_for_function("() => document.activeElement && document.activeElement.name === 'custom_content'")
        assert form.locator("[data-ldai-error-summary]").is_visible()
        shot(page, artifacts, "risk_quiz-studio-en-error")
        assert_accessible(page, axe_source, "studio with field errors (en)")

        learner = page.context.new_page()
        learner_block = open_block(learner, site.scenario(SCENARIO, lang="en", student=student("author-check")), ready="[data-ldai-stage] form")
        assert learner_block.locator("h2").inner_text() != title, "an invalid save must save nothing"
        learner.close()

        # 2. Valid content: saved, announced, and the learner's next visit shows it.
        form.locator("[name=custom_content]").fill(json.dumps(SMALL_QUIZ))
        form.get_by_role("button", name="Save", exact=True).click()
        wait_for_announcement(page, r"^Saved\.$")
        assert form.locator(".ldai-field-error").count() == 0

        learner = page.context.new_page()
        learner_block = open_block(learner, site.scenario(SCENARIO, lang="en", student=student("after-edit")), ready="[data-ldai-stage] form")
        assert learner_block.locator("h2").inner_text() == title
        stem = learner_block.locator(".ldai-stem").inner_text()
        assert stem == SMALL_QUIZ["questions"][0]["stem"], "author text is shown as text, never as HTML"
        assert learner_block.locator(".ldai-stem b").count() == 0
        assert learner_block.locator("[data-ldai-progress]").inner_text() == "Question 1 of 1"
        learner.close()
    finally:
        restored = json_post(page, handler_url(page, "studio_submit"), original)
        assert restored["status"] == 200, restored


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_studio_view_is_in_the_authors_language(page, site, artifacts, lang):
    block = open_block(page, site.scenario(SCENARIO, "studio_view", lang=lang), ready="[data-ldai-studio-form]")
    assert block.locator("section.ldai").get_attribute("lang") == lang
    save = {"en": "Save", "fr": "Enregistrer"}[lang]
    assert block.get_by_role("button", name=save, exact=True).is_visible()
    shot(page, artifacts, f"risk_quiz-studio-{lang}")


def test_a_french_pack_under_an_english_interface_is_marked_french(page, site):
    """Screen readers switch voice per element: the questions say lang="fr", the buttons stay English."""
    block = open_block(page, site.scenario("ldai_risk_quiz.1", lang="en", student=student("mixed")), ready=".ldai-choice")
    assert block.locator(".ldai-risk-quiz").get_attribute("lang") == "en"
    assert block.locator(".ldai-stem").get_attribute("lang") == "fr"
    assert block.locator(".ldai-choice label").first.get_attribute("lang") == "fr"
    assert block.get_by_role("button", name="Check my answer").get_attribute("lang") is None
