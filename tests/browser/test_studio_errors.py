"""Studio after a failed save (issue 12): focus on the first invalid field in reading order, the error summary
still in view, a message that says what to type for an impossible number, charter rules named by their text.

Studio's modal scrolls its content (cms/static/js/views/modals/edit_xblock.js in openedx/edx-platform);
here the workbench page scrolls instead, which is the same for a sticky summary.
"""

from __future__ import annotations

import pytest

from .support import LIVE_WATCH, assert_accessible, handler_url, json_post, open_block, shot

pytestmark = pytest.mark.browser

QUIZ = "ldai_risk_quiz.0"
SANDBOX = "ldai_prompt_sandbox.0"
IN_VIEW = """(el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }"""
MESSAGES = {
    "en": {"save": "Save", "weight": "Enter a number from 0 to 1000 (for example 1 or 2.5).", "count": "Enter a whole number from 1 to 50.",
           "rule": "Rule 1: "},
    "fr": {"save": "Enregistrer", "weight": "Saisissez un nombre de 0 à 1000 (par exemple 1 ou 2,5).", "count": "Saisissez un nombre entier de 1 à 50.",
           "rule": "Règle 1 : "},
}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_failed_save_focuses_the_first_invalid_field_and_keeps_the_summary_in_view(page, site, axe_source, artifacts, lang):
    text = MESSAGES[lang]
    page.add_init_script(LIVE_WATCH)
    block = open_block(page, site.scenario(QUIZ, "studio_view", lang=lang), ready="[data-ldai-studio-form]")
    form = block.locator("[data-ldai-studio-form]")
    # the server lists the weight first; the author reads the number of questions first
    form.locator("[name=num_questions]").fill("0")
    form.locator("[name=weight]").fill("1e309")
    page.ldai_errors.clear()
    form.get_by_role("button", name=text["save"], exact=True).click()
    form.locator(".ldai-field-error").first.wait_for()
    page.ldai_errors.clear()  # the 400 answer is the expected outcome
    page.wait_for_function("() => document.activeElement && document.activeElement.name === 'num_questions'")
    summary = form.locator("[data-ldai-error-summary]")
    assert summary.is_visible() and summary.evaluate(IN_VIEW), "the summary stays in view"
    assert form.locator("[name=num_questions]").evaluate(IN_VIEW)
    weight_error = form.locator("[name=weight]").evaluate("(i) => document.getElementById(i.getAttribute('aria-describedby').split(' ').pop()).textContent")
    assert weight_error == text["weight"]
    count_error = form.locator("[name=num_questions]").evaluate("(i) => document.getElementById(i.getAttribute('aria-describedby').split(' ').pop()).textContent")
    assert count_error == text["count"]
    # a field far down: the summary is still on screen when focus reaches it
    form.locator("[name=weight]").focus()
    form.locator("[name=weight]").evaluate("(el) => el.scrollIntoView({block: 'end'})")
    assert summary.evaluate(IN_VIEW)
    # the charter rules are named by what they say
    legends = form.locator(".ldai-charter-rule legend").all_inner_texts()
    assert legends and all(legend.startswith(text["rule"].replace("1", str(n + 1))) for n, legend in enumerate(legends)), legends[:2]
    assert not any("client-data-public-chatbot" in legend for legend in legends)
    shot(page, artifacts, f"risk_quiz-studio-{lang}-number-error")
    assert_accessible(page, axe_source, f"studio with a number error ({lang})")


def test_a_criterion_weight_error_sits_next_to_that_criterion(page, site):
    block = open_block(page, site.scenario(SANDBOX, "studio_view", lang="en"), ready="[data-ldai-studio-form]")
    form = block.locator("[data-ldai-studio-form]")
    box = form.locator("[name='weights.tone']")
    box.fill("1e309")
    page.ldai_errors.clear()
    form.get_by_role("button", name="Save", exact=True).click()
    form.locator(".ldai-field-error").first.wait_for()
    page.ldai_errors.clear()
    page.wait_for_function("() => document.activeElement && document.activeElement.name === 'weights.tone'")
    assert box.get_attribute("aria-invalid") == "true"
    message = box.evaluate("(i) => document.getElementById(i.getAttribute('aria-describedby').split(' ').pop()).textContent")
    assert message == "Enter a number from 0 to 10 (0 leaves this criterion out of the score)."
    # nothing was saved
    state = json_post(page, handler_url(page, "studio_submit"), {"display_name": form.locator("[name=display_name]").input_value()})
    assert state["status"] == 200


PAIR_MESSAGES = {"en": "Give the pair a name: the same on the pre-test and the post-test.",
                 "fr": "Donnez un nom à la paire : le même sur le pré-test et sur le post-test."}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_pre_test_without_a_pair_name_is_explained_next_to_the_name_then_saved(page, site, axe_source, lang):
    """Issue 16, gap A: the pre/post pair's two Studio fields, by keyboard, with the error where the author types."""
    page.add_init_script(LIVE_WATCH)
    block = open_block(page, site.scenario(QUIZ, "studio_view", lang=lang), ready="[data-ldai-studio-form]")
    form = block.locator("[data-ldai-studio-form]")
    form.locator("[name=prepost_pair]").fill("")  # the workbench keeps the block's settings between tests
    form.locator("[name=prepost_role]").focus()
    form.locator("[name=prepost_role]").select_option("pre")
    page.ldai_errors.clear()
    form.get_by_role("button", name=MESSAGES[lang]["save"], exact=True).click()
    form.locator(".ldai-field-error").first.wait_for()
    page.ldai_errors.clear()  # the 400 answer is the expected outcome
    page.wait_for_function("() => document.activeElement && document.activeElement.name === 'prepost_pair'")
    error = form.locator("[name=prepost_pair]").evaluate("(i) => document.getElementById(i.getAttribute('aria-describedby').split(' ').pop()).textContent")
    assert error == PAIR_MESSAGES[lang]
    assert_accessible(page, axe_source, f"studio with a pair error ({lang})")
    page.keyboard.type("risks-2026")
    with page.expect_response(lambda r: "studio_submit" in r.url) as saved:
        form.get_by_role("button", name=MESSAGES[lang]["save"], exact=True).click()
    assert saved.value.status == 200
    assert form.locator("[name=prepost_pair]").input_value() == "risks-2026"
    reopened = open_block(page, site.scenario(QUIZ, "studio_view", lang=lang), ready="[data-ldai-studio-form]").locator("[data-ldai-studio-form]")
    assert (reopened.locator("[name=prepost_role]").input_value(), reopened.locator("[name=prepost_pair]").input_value()) == ("pre", "risks-2026")
    reopened.locator("[name=prepost_role]").select_option("none")  # leave the shared quiz unpaired for the other tests
    reopened.locator("[name=prepost_pair]").fill("")
    with page.expect_response(lambda r: "studio_submit" in r.url) as restored:
        reopened.get_by_role("button", name=MESSAGES[lang]["save"], exact=True).click()
    assert restored.value.status == 200
