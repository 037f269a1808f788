"""What Open edX's Studio modal and any host page expect of a block, checked in Chromium.

- Studio's editor modal (``cms/static/js/views/modals/edit_xblock.js``: ``hasCustomButtons`` looks
  for ``.editor-with-buttons``) hides its own Save/Cancel bar when the editor brings one; the
  editor then reports through ``runtime.notify('save', {state: 'start'|'end'})``, ``'error'`` and
  ``'cancel'``, as drag-and-drop-v2 does. The workbench's runtime logs every notify to the
  console (``workbench/static/workbench/js/runtime/1.js``), which is what we read here; the save
  goes through Django's CSRF check with the token the page's cookie carries.
- Hostile author text (``</script>``, ``<!--``, U+2028) in every content field runs no script in
  the workbench page, which writes start-up arguments with a plain ``json.dumps`` (issue 12).
"""

from __future__ import annotations

import re

import pytest

from .support import BLOCK, open_block

pytestmark = pytest.mark.browser

ACTIVITIES = ("risk_quiz", "hallucination_detector", "prompt_sandbox")
NOTIFY = re.compile(r'Runtime event "(\w+)"')


def _notifications(page) -> list[tuple[str, dict]]:
    events: list[tuple[str, dict]] = []

    def record(message):
        match = NOTIFY.match(message.text)
        if match:
            data = message.args[1].json_value() if len(message.args) > 1 else {}
            events.append((match.group(1), data))

    page.on("console", record)
    return events


def _notified(page, name: str):
    """Wait for the runtime.notify call ``name`` (the workbench logs it to the console)."""
    return page.expect_console_message(lambda message: message.text.startswith(f'Runtime event "{name}"'))


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_the_studio_editor_brings_one_save_cancel_bar_and_notifies_studio(page, site, activity):
    events = _notifications(page)
    block = open_block(page, site.scenario(f"ldai_{activity}.0", "studio_view", student=f"chrome-{activity}"), ready="[data-ldai-save]")
    editor = block.locator(".editor-with-buttons")
    assert editor.count() == 1, "Studio's modal shows its own bar unless the editor root says editor-with-buttons"
    assert editor.locator("[data-ldai-save]").count() == 1 and editor.locator("[data-ldai-cancel]").count() == 1

    with _notified(page, "save"):
        editor.locator("[data-ldai-save]").click()
    block.locator("[data-ldai-live]").filter(has_text=re.compile(r"\S")).wait_for()
    page.wait_for_function("() => true")
    assert [(name, data.get("state")) for name, data in events][:2] == [("save", "start"), ("save", "end")]

    editor.locator("input[name=max_attempts]").fill("1000")
    with _notified(page, "error"):
        editor.locator("[data-ldai-save]").click()
    block.locator("[data-ldai-error-summary]").wait_for(state="visible")
    page.ldai_errors[:] = [e for e in page.ldai_errors if "studio_submit" not in e]  # the refused save (400) is the point

    with _notified(page, "cancel"):
        editor.locator("[data-ldai-cancel]").click()


@pytest.mark.django_db
@pytest.mark.urls("tests.openedx.demo_urls")
@pytest.mark.parametrize("activity", ACTIVITIES)
def test_hostile_author_text_runs_no_script_in_the_workbench_page(page, site, client, activity):
    """The workbench page is rendered here with the hostile scenario, then served to Chromium at the live site's address."""
    from tests.openedx.test_script_safety import hostile_workbench_page

    html = hostile_workbench_page(client, f"ldai_{activity}")
    url = site.url + f"/hostile/{activity}/"
    page.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
    page.goto(url, wait_until="load")
    page.locator(BLOCK).first.locator("h2").first.wait_for()
    assert page.evaluate("() => window.ldaiPwned") is None
    assert "</script>" in page.locator(BLOCK).first.locator("h2").first.inner_text()  # shown as text, not run
    page.ldai_errors[:] = [e for e in page.ldai_errors if "/handler/" not in e]  # this page's usage ids exist only here
