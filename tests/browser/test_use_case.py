"""The use-case library in a real browser (the workbench, Debian's Chromium): a learner records a case by
keyboard alone, is told which confidential data to remove without losing what they typed, then sees it
waiting for validation; the managers' survey by mouse, in French, with its dated history. axe-clean at
each step (tests/browser/support.py)."""

from __future__ import annotations

import uuid

import pytest

from .support import LIVE_WATCH, assert_accessible, open_block, shot, wait_for_announcement

pytestmark = pytest.mark.browser

TEXT = {
    "en": {"confidential": "confidential data", "saved": "validates it", "waiting": "Waiting for validation", "thanks": "answers of today"},
    "fr": {"confidential": "données confidentielles", "saved": "validé par", "waiting": "En attente de validation", "thanks": "réponses du jour"},
}


def type_into(page, block, name: str, text: str) -> None:
    block.locator(f"[data-ldai-case-form] [name='{name}']").focus()
    page.keyboard.type(text)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_case_is_recorded_by_keyboard_after_removing_confidential_data(page, site, axe_source, artifacts, lang):
    page.add_init_script(LIVE_WATCH)
    block = open_block(page, site.scenario("ldai_use_case.0", lang=lang, student=f"uc-{lang}-{uuid.uuid4().hex[:6]}"),
                       ready="[data-ldai-case-form]")
    assert_accessible(page, axe_source, f"use-case form ({lang})")
    type_into(page, block, "task", "Drafting the weekly summary of customer complaints")
    type_into(page, block, "tool", "The company assistant")
    type_into(page, block, "data", "The export sent by jane.doe@client.example")
    type_into(page, block, "before", "Two hours reading tickets by hand")
    type_into(page, block, "after", "A draft in thirty minutes, every figure checked")
    type_into(page, block, "minutes_saved", "90")
    block.locator("[name='rating-choice']").first.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # a radio group moves with the arrows: 4 - good
    assert block.locator("[name='rating-choice']:checked").get_attribute("value") == "4"
    block.locator("[data-ldai-case-form] button[type=submit]").focus()
    page.keyboard.press("Enter")
    summary = block.locator("[data-ldai-case-form] [data-ldai-error-summary]")
    summary.wait_for(state="visible")
    assert TEXT[lang]["confidential"] in summary.text_content()
    page.ldai_errors.clear()  # the 400 answer is logged by the browser; it is the expected outcome here
    data = block.locator("[data-ldai-case-form] [name='data']")
    assert data.get_attribute("aria-invalid") == "true"
    assert data.evaluate("(el) => document.activeElement === el")  # focus on the field to fix
    assert "jane.doe@client.example" in data.input_value()  # nothing typed is lost
    shot(page, artifacts, f"use_case-confidential-{lang}")
    assert_accessible(page, axe_source, f"use-case refused ({lang})")
    page.keyboard.press("Control+A")
    page.keyboard.type("A customer export, names removed")
    block.locator("[data-ldai-case-form] button[type=submit]").focus()
    page.keyboard.press("Enter")
    wait_for_announcement(page, TEXT[lang]["saved"])
    mine = block.locator("[data-ldai-mine] .ldai-case")
    assert mine.count() == 1 and TEXT[lang]["waiting"] in mine.inner_text()
    assert block.locator("[data-ldai-case-form] [name='task']").input_value() == ""
    shot(page, artifacts, f"use_case-recorded-{lang}")
    assert_accessible(page, axe_source, f"use-case recorded ({lang})")


def test_a_manager_answers_the_survey_twice_by_mouse_in_french(page, site, axe_source, artifacts):
    page.add_init_script(LIVE_WATCH)
    block = open_block(page, site.scenario("ldai_use_case.1", lang="fr", student=f"mgr-{uuid.uuid4().hex[:6]}"),
                       ready="[data-ldai-survey-form]")
    items = block.locator("[data-ldai-item]")
    assert items.count() == 6 and "Mon équipe" in items.first.inner_text()
    block.locator("[data-ldai-survey-form] button[type=submit]").click()
    block.locator("[data-ldai-survey-form] [data-ldai-error-summary]").wait_for(state="visible")
    page.ldai_errors.clear()  # the expected 400: nothing answered yet
    for answer in ("Souvent", "Parfois"):
        for index in range(items.count()):
            items.nth(index).get_by_label(answer, exact=True).click()
        block.locator("[data-ldai-survey-form] button[type=submit]").click()
        wait_for_announcement(page, TEXT["fr"]["thanks"])
        page.evaluate("() => { window.__ldaiLive = []; }")
    rows = block.locator("[data-ldai-history] tbody tr")
    assert rows.count() == 2
    assert [rows.nth(i).locator("td").nth(1).text_content() for i in range(2)] == ["3", "4"]
    shot(page, artifacts, "use_case-survey-fr")
    assert_accessible(page, axe_source, "survey with history (fr)")
