"""The hallucination detector by mouse, what a reload keeps (flags before submitting, results after), and an author's edit.

The keyboard journey and the Studio marking by keyboard are in test_hallucination_detector.py.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from .flows import DETECTOR_TEXT, detector_by_mouse, detector_flag_by_mouse
from .support import handler_url, json_post, open_block, shot

pytestmark = pytest.mark.browser

SCENARIO = "ldai_hallucination_detector.0"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_learner_hunts_by_mouse_and_a_reload_keeps_flags_then_results(page, site, artifacts):
    url = site.scenario(SCENARIO, lang="en", student=f"mouse-{uuid.uuid4().hex[:8]}")
    block = open_block(page, url, ready=".ldai-hd-unit")
    with page.expect_response(lambda r: "/save_flags/" in r.url and r.ok):  # flags are saved in the background, debounced
        detector_flag_by_mouse(page, 1)

    page.reload(wait_until="load")
    block = page.locator(".xblock-v1").first
    block.locator(".ldai-hd-unit").first.wait_for()
    pressed = block.locator(".ldai-hd-unit").evaluate_all("(units) => units.map(u => u.getAttribute('aria-pressed'))")
    assert pressed[1] == "true" and pressed.count("true") == 1, f"the flag made before the reload is kept: {pressed}"

    grade = detector_by_mouse(page, "en")
    results_text = block.locator(".ldai-hd-results").inner_text()
    shot(page, artifacts, "hallucination_detector-learner-en-mouse-results")

    page.reload(wait_until="load")
    results = page.locator(".xblock-v1 .ldai-hd-results")
    results.wait_for()
    assert grade.group(0) in results.inner_text(), "the grade survives a reload"
    assert results.inner_text() == results_text
    assert DETECTOR_TEXT["en"]["results"] in results.inner_text()


def test_a_flag_survives_a_reload_right_after_the_click(page, site):
    """A learner who flags a passage and leaves at once (reload, next unit) must not lose the flag."""
    block = open_block(page, site.scenario(SCENARIO, lang="en", student=f"quick-{uuid.uuid4().hex[:8]}"), ready=".ldai-hd-unit")
    detector_flag_by_mouse(page, 1)
    page.reload(wait_until="load")
    block = page.locator(".xblock-v1").first
    block.locator(".ldai-hd-unit").first.wait_for()
    assert block.locator(".ldai-hd-unit").nth(1).get_attribute("aria-pressed") == "true"


def test_author_replaces_the_texts_and_the_learner_sees_them(page, site, artifacts):
    """Studio: the author's own document (typed in the JSON field) and title are what the next learner reads."""
    document = json.loads((FIXTURES / "hallucination_small.json").read_text(encoding="utf-8"))
    title = f"Spot the invented figures {uuid.uuid4().hex[:6]}"
    block = open_block(page, site.scenario(SCENARIO, "studio_view", lang="en"), ready="[data-ldai-studio-form]")
    form = block.locator("[data-ldai-studio-form]")
    original = {"display_name": form.locator("[name=display_name]").input_value(), "custom_content": form.locator("[name=custom_content]").input_value()}
    try:
        form.get_by_label("Title", exact=True).fill(title)
        form.locator(".ldai-hd-advanced summary").click()  # "Advanced: the content as JSON"
        form.locator("[name=custom_content]").fill(json.dumps(document, ensure_ascii=False))
        form.get_by_role("button", name="Open this JSON in the editor").click()
        form.locator("[data-ldai-editor-body] textarea").first.wait_for()
        form.get_by_role("button", name="Save", exact=True).click()
        form.locator("[data-ldai-live]", has_text="Saved.").wait_for()
        learner = page.context.new_page()
        seen = open_block(learner, site.scenario(SCENARIO, lang="en", student=f"after-edit-{uuid.uuid4().hex[:6]}"), ready=".ldai-hd-unit")
        assert seen.locator("h2").first.inner_text() == title
        first = document["items"][0]
        assert seen.locator(".ldai-hd-item h3").inner_text().endswith(first["title"])
        assert "".join(seen.locator(".ldai-hd-unit").all_inner_texts()).replace(" ", "") in first["text"].replace(" ", "")
        assert "SECRET-EXPLANATION" not in learner.content(), "the answers never reach the browser before submission"
        shot(learner, artifacts, "hallucination_detector-learner-en-after-author-edit")
        learner.close()
    finally:
        restored = json_post(page, handler_url(page, "studio_submit"), original)
        assert restored["status"] == 200, restored
