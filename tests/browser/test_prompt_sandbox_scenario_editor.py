"""Studio's scenario editor of the prompt sandbox (issue 12: scenarios could only be edited as raw JSON).

The form writes the JSON; saving runs the same validation as for hand-written JSON, and each problem is
shown next to the field it is about, with the focus on it.
"""

from __future__ import annotations

import json
import uuid

import pytest

from .support import LIVE_WATCH, assert_accessible, focused, handler_url, json_post, open_block, shot, tab_until, wait_for_announcement

pytestmark = pytest.mark.browser

SCENARIO = "ldai_prompt_sandbox.0"
TEXT = {
    "en": {"open": "Edit the scenarios one by one", "title": "Title", "save": "Save", "empty": "This text is empty: write it.",
           "saved": r"^Saved\.$", "task": "The task given to the learner"},
    "fr": {"open": "Modifier les scénarios un par un", "title": "Titre", "save": "Enregistrer", "empty": "Ce texte est vide : rédigez-le.",
           "saved": r"^Enregistré\.$", "task": "La tâche donnée à l’apprenant"},
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_author_edits_a_scenario_in_a_form_and_errors_sit_next_to_the_field(page, site, axe_source, artifacts, lang):
    text = TEXT[lang]
    page.add_init_script(LIVE_WATCH)
    block = open_block(page, site.scenario(SCENARIO, "studio_view", lang=lang), ready="[data-ldai-studio-form]")
    form = block.locator("[data-ldai-studio-form]")
    original = {"custom_content": form.locator("[name=custom_content]").input_value(),
                "scenario_id": form.locator("[name=scenario_id]").input_value()}
    try:
        tab_until(page, page, "[data-ldai-se-open]")
        assert focused(page)["text"] == text["open"]
        page.keyboard.press("Enter")
        editor = form.locator("[data-ldai-scenario-editor]")
        editor.locator("[data-ldai-se-field=title]").wait_for()
        page.wait_for_function("() => document.activeElement && document.activeElement.matches('[data-ldai-se-select]')")
        document = json.loads(form.locator("[name=custom_content]").input_value())
        assert editor.locator("[data-ldai-se-field=title]").input_value() == document["scenarios"][0]["title"]
        assert editor.get_by_label(text["task"]).input_value() == document["scenarios"][0]["task"]
        # an empty title: the server's message comes back next to the Title field of the form, focused
        title_box = editor.locator("[data-ldai-se-field=title]")
        title_box.fill("")
        assert json.loads(form.locator("[name=custom_content]").input_value())["scenarios"][0]["title"] == ""
        page.ldai_errors.clear()
        form.get_by_role("button", name=text["save"], exact=True).click()
        editor.locator(".ldai-field-error").first.wait_for()
        page.ldai_errors.clear()  # the 400 is the expected answer
        page.wait_for_function("() => document.activeElement && document.activeElement.getAttribute('data-ldai-se-field') === 'title'")
        assert title_box.get_attribute("aria-invalid") == "true"
        error_id = title_box.get_attribute("aria-describedby").split()[-1]
        assert block.locator(f"#{error_id}").inner_text() == text["empty"]
        assert form.locator("[data-ldai-error-summary]").is_visible()
        shot(page, artifacts, f"prompt_sandbox-studio-{lang}-scenario-editor-error")
        assert_accessible(page, axe_source, f"scenario editor with an error ({lang})")
        # fixed by keyboard: typed, saved, and the learner gets the new title
        new_title = f"Scenario {uuid.uuid4().hex[:6]}"
        title_box.focus()
        page.keyboard.type(new_title)
        form.get_by_role("button", name=text["save"], exact=True).click()
        wait_for_announcement(page, text["saved"])
        assert editor.locator(".ldai-field-error").count() == 0
        saved = json.loads(form.locator("[name=custom_content]").input_value())
        first_id = saved["scenarios"][0]["id"]
        json_post(page, handler_url(page, "studio_submit"), {"scenario_id": first_id})
        learner = page.context.new_page()
        seen = open_block(learner, site.scenario(SCENARIO, lang=lang, student=f"editor-{uuid.uuid4().hex[:6]}"), ready="textarea[name=prompt]")
        assert seen.locator(".ldai-ps-scenario h3").inner_text() == new_title
        learner.close()
    finally:
        restored = json_post(page, handler_url(page, "studio_submit"), original)
        assert restored["status"] == 200, restored
