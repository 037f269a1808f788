"""Copying a default pack into a Studio editor's JSON box (LdaiCommon.jsonBoxHooks, shared by five editors).

An author who already wrote JSON is asked first and keeps it on "Cancel"; an empty box, or "OK",
gets the pack pretty-printed. The hunt's editor has its own text-by-text hooks and is tested in
test_hallucination_detector.py.
"""

from __future__ import annotations

import json

import pytest

from .support import open_block

pytestmark = pytest.mark.browser

EDITORS = [("ldai_risk_quiz.0", "custom_content"), ("ldai_prompt_sandbox.0", "custom_content"), ("ldai_use_case.0", "custom_content"),
           ("ldai_skills_map.0", "custom_content"), ("ldai_charter.0", "charter")]


def box_value(form, name: str) -> str:
    return form.locator(f'[name="{name}"]').input_value()


@pytest.mark.parametrize(("scenario", "name"), EDITORS)
def test_the_pack_fills_an_empty_box_and_asks_before_replacing_the_authors_json(page, site, scenario, name):
    block = open_block(page, site.scenario(scenario, "studio_view"), ready="[data-ldai-studio-form]")
    form = block.locator("[data-ldai-studio-form]")
    button = form.locator("[data-ldai-load-pack]")
    button.evaluate("(b) => { for (let d = b.closest('details'); d; d = d.parentElement.closest('details')) { d.open = true; } }")
    form.locator(f'[name="{name}"]').evaluate("(a) => { a.value = ''; }")
    button.click()
    page.wait_for_function("(n) => document.querySelector(`[name='${n}']`).value.trim() !== ''", arg=name)
    pack = json.loads(box_value(form, name))
    assert isinstance(pack, dict) and pack and box_value(form, name) == json.dumps(pack, indent=2, ensure_ascii=False)

    form.locator(f'[name="{name}"]').evaluate("(a) => { a.value = '{\"mine\": 1}'; }")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    button.click()
    assert questions and box_value(form, name) == '{"mine": 1}'  # "Cancel": what the author wrote stays
    page.once("dialog", lambda dialog: dialog.accept())
    button.click()
    page.wait_for_function("(n) => document.querySelector(`[name='${n}']`).value !== '{\"mine\": 1}'", arg=name)
    assert json.loads(box_value(form, name)) == pack
