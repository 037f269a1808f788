"""The company AI charter in a real browser: read section by section, answer, accept - keyboard alone,
screen-reader names and announcements, axe at each step, English and French; the author's errors next
to the field. Workbench students (``?student=``) keep each test's learner apart."""

from __future__ import annotations

import copy
import json
import uuid

import pytest

from ldai_xblocks.content.packs import load_pack
from ldai_xblocks.engine import charter as engine

from .support import LIVE_WATCH, assert_accessible, focused, handler_url, json_post, open_block, shot, tab_until, wait_for_announcement

pytestmark = pytest.mark.browser

CHARTER = "ldai_charter.0"
TEXT = {
    "en": {"next": "Next section", "answer": "Answer the questions", "check": "Check my answers", "accept": "I accept the charter",
           "questions": "Show that you understood the charter", "accepted": r"acceptance of version 1\.0 is recorded",
           "done": "You accepted version 1.0 of the charter."},
    "fr": {"next": "Section suivante", "answer": "Répondre aux questions", "check": "Vérifier mes réponses", "accept": "J’accepte la charte",
           "questions": "Montrez que vous avez compris la charte", "accepted": r"acceptation de la version 1\.0 est enregistrée",
           "done": "Vous avez accepté la version 1.0 de la charte."},
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_learner_reads_answers_and_accepts_by_keyboard_alone(page, site, axe_source, artifacts, lang):
    text = TEXT[lang]
    page.add_init_script(LIVE_WATCH)
    block = open_block(page, site.scenario(CHARTER, lang=lang, student=f"charter-{lang}-{uuid.uuid4().hex[:8]}"),
                       ready="[data-ldai-stage] article")
    assert block.locator("section.ldai").get_attribute("lang") == lang
    assert_accessible(page, axe_source, f"first section ({lang})")
    sections = len(load_pack("charter", f"{lang}/ai-charter")["sections"])
    for index in range(sections):
        label = text["answer"] if index == sections - 1 else text["next"]
        tab_until(page, page, "[data-ldai-stage] button:not([disabled]):not(.ldai-secondary)")
        assert focused(page)["text"] == label
        page.keyboard.press("Enter")
        if index < sections - 1:
            page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H3'")
    page.wait_for_function("(t) => document.activeElement && document.activeElement.textContent === t", arg=text["questions"])
    assert_accessible(page, axe_source, f"questions ({lang})")
    # Checking with nothing chosen: an alert gets the focus and each question says what is missing.
    tab_until(page, page, "[data-ldai-stage] button[type=submit]")
    page.keyboard.press("Enter")
    block.locator("fieldset[aria-invalid=true] .ldai-field-error").first.wait_for()
    page.ldai_errors.clear()  # the 400 answer is logged by the browser; it is the expected outcome here
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "alert"
    assert block.locator("fieldset[aria-invalid=true]").count() == block.locator("fieldset.ldai-charter-question").count()
    assert_accessible(page, axe_source, f"unanswered questions ({lang})")
    bank = engine.build_bank(load_pack("charter", f"{lang}/ai-charter"))
    fieldsets = block.locator("fieldset.ldai-charter-question")
    for index in range(fieldsets.count()):
        group = fieldsets.nth(index)
        name = group.locator("input[type=radio]").first.get_attribute("name")
        qid = name.split("-q-", 1)[1]
        question = bank.questions[qid]
        right = question.choice_ids.index(sorted(question.correct_ids)[0])
        tab_until(page, page, f'input[name="{name}"]')
        if right == 0:
            page.keyboard.press("Space")
        for _ in range(right):
            page.keyboard.press("ArrowDown")
        assert group.locator("input:checked").get_attribute("value") == question.choice_ids[right]
    tab_until(page, page, "[data-ldai-stage] button[type=submit]")
    assert focused(page)["text"] == text["check"]
    page.keyboard.press("Enter")
    wait_for_announcement(page, "100")
    assert_accessible(page, axe_source, f"answers checked ({lang})")
    tab_until(page, page, "[data-ldai-stage] button:not(.ldai-secondary)")
    assert focused(page)["text"] == text["accept"]
    page.keyboard.press("Enter")
    assert wait_for_announcement(page, text["accepted"])["politeness"] == "polite"
    page.wait_for_function("(t) => document.activeElement && document.activeElement.textContent === t", arg=text["done"])
    shot(page, artifacts, f"charter-accepted-{lang}")
    assert_accessible(page, axe_source, f"accepted ({lang})")


def test_author_sees_a_version_error_next_to_the_field_and_loses_nothing(page, site, axe_source, artifacts):
    block = open_block(page, site.scenario(CHARTER, view="studio_view"), ready="form[data-ldai-studio-form]")
    assert_accessible(page, axe_source, "charter studio")
    block.get_by_role("button", name="Start from the template").click()
    area = block.locator("textarea[name=charter]")
    page.wait_for_function("() => document.querySelector('textarea[name=charter]').value.length > 100")
    document = json.loads(area.input_value())
    document["sections"][1]["rules"][0]["verdict"] = "allowed"
    edited = json.dumps(document, indent=2)
    area.fill(edited)
    block.get_by_role("button", name="Save").click()
    version = block.locator("input[name=version]")
    block.locator("#" + version.get_attribute("id") + "-error").wait_for()
    page.ldai_errors.clear()  # the 400 answer is logged by the browser; it is the expected outcome here
    assert version.get_attribute("aria-invalid") == "true"
    assert "new version" in block.locator("#" + version.get_attribute("id") + "-error").inner_text()
    assert page.evaluate("() => document.activeElement.name") == "version"
    assert area.input_value() == edited  # nothing the author typed is lost
    shot(page, artifacts, "charter-studio-version-error")
    assert_accessible(page, axe_source, "charter studio with an error")


def test_a_new_version_asks_again_and_shows_what_changed(page, site, axe_source, artifacts):
    """The second scenario (its own charter, so the other tests keep the template): accept 1.0, the author
    publishes 2.0 with one rule changed, the learner is asked again and reads the change rule by rule."""
    scenario = "ldai_charter.1"
    learner = f"charter-new-{uuid.uuid4().hex[:8]}"
    page.add_init_script(LIVE_WATCH)
    open_block(page, site.scenario(scenario, student=learner), ready="[data-ldai-stage] article")
    bank = engine.build_bank(load_pack("charter", "en/ai-charter"))
    state = json_post(page, handler_url(page, "student_view_user_state"), {})["body"]
    answers = {q["id"]: sorted(bank.questions[q["id"]].correct_ids) for q in state["questions"]}
    assert json_post(page, handler_url(page, "check_answers"), {"version": state["version"], "answers": answers})["status"] == 200
    assert json_post(page, handler_url(page, "accept"), {"version": state["version"]})["status"] == 200
    document = copy.deepcopy(load_pack("charter", "en/ai-charter"))  # the pack is cached: never edit it in place
    document["sections"][1]["rules"][0]["verdict"] = "allowed"
    saved = json_post(page, handler_url(page, "studio_submit"), {"charter": json.dumps(document), "version": f"2-{learner}"})
    assert saved["status"] == 200, saved
    block = open_block(page, site.scenario(scenario, student=learner), ready="[data-ldai-changes] li")
    changes = block.locator("[data-ldai-changes]")
    assert "Rule changed" in changes.inner_text() and "Before:" in changes.inner_text()
    assert "Not allowed" in changes.inner_text() and "Allowed" in changes.inner_text()
    assert block.locator("[data-ldai-stage] article").count() == 1  # reading starts again
    shot(page, artifacts, "charter-new-version")
    assert_accessible(page, axe_source, "new version with its changes")
