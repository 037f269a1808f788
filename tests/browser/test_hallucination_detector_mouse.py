"""The hallucination detector by mouse, and what a reload keeps (flags before submitting, results after).

The keyboard journey and the Studio marks are in test_hallucination_detector.py.
"""

from __future__ import annotations

import uuid

import pytest

from .flows import DETECTOR_TEXT, detector_by_mouse, detector_flag_by_mouse
from .support import open_block, shot

pytestmark = pytest.mark.browser

SCENARIO = "ldai_hallucination_detector.0"


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


@pytest.mark.xfail(strict=True, reason="hallucination_detector.js saves flags 700 ms after the last click and drops a save still "
                   "pending when the page goes away; fix: flush pending saves on 'pagehide' with fetch(..., {keepalive: true})")
def test_a_flag_survives_a_reload_right_after_the_click(page, site):
    """A learner who flags a passage and leaves at once (reload, next unit) must not lose the flag."""
    block = open_block(page, site.scenario(SCENARIO, lang="en", student=f"quick-{uuid.uuid4().hex[:8]}"), ready=".ldai-hd-unit")
    detector_flag_by_mouse(page, 1)
    page.reload(wait_until="load")
    block = page.locator(".xblock-v1").first
    block.locator(".ldai-hd-unit").first.wait_for()
    assert block.locator(".ldai-hd-unit").nth(1).get_attribute("aria-pressed") == "true"
