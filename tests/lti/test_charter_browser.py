"""The charter in the LTI tool's pages, in a real browser: a learner accepts it, the instructor reads the acceptances, axe clean.

Same set-up as test_runtime_browser.py (pytest-django's live server, Debian's chromium, axe-core):
a launch made server-side, then the pages as a learner and as an instructor see them.
"""

from __future__ import annotations

import pytest

from ldai_xblocks.content.packs import load_pack
from ldai_xblocks.engine import charter as engine
from lti_tool.lti import claims as c
from lti_tool.models import Deployment, LearnerState
from tests.lti.browser_launch import activity_urls
from tests.lti.test_runtime_browser import axe_violations, chromium_page  # noqa: F401 - the page fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def charter_url(live_server, settings):
    return activity_urls(live_server, settings, "charter-link", "Our AI charter", {c.CUSTOM_ACTIVITY: "ldai_charter"})


def test_learner_accepts_and_the_instructor_sees_it_in_an_accessible_table(chromium_page, charter_url):  # noqa: F811
    page = chromium_page
    page.goto(charter_url(c.ROLE_CONTEXT_LEARNER, "lea"))
    stage = page.locator("[data-ldai-stage]")
    for _ in range(3):
        stage.get_by_role("button", name="Next section").click()
    stage.get_by_role("button", name="Answer the questions").click()
    bank = engine.build_bank(load_pack("charter", "en/ai-charter"))
    for group in stage.locator("fieldset.ldai-charter-question").all():
        qid = group.locator("input[type=radio]").first.get_attribute("name").split("-q-", 1)[1]
        group.locator(f'input[value="{sorted(bank.questions[qid].correct_ids)[0]}"]').check()
    assert axe_violations(page) == []
    stage.get_by_role("button", name="Check my answers").click()
    stage.get_by_role("button", name="I accept the charter").click()
    stage.get_by_text("You accepted version 1.0 of the charter.").wait_for()
    assert axe_violations(page) == []
    assert page.ldai_errors == []
    state = LearnerState.objects.get(user_sub="lea", scope=LearnerState.Scope.USER_STATE).state
    assert [a["version"] for a in state["acceptances"]] == ["1.0"]
    page.goto(charter_url(c.ROLE_CONTEXT_INSTRUCTOR, "teacher", view="results"))
    table = page.locator("section[aria-labelledby=ldai-charter-title] table")
    table.wait_for()
    assert "Lea" in table.inner_text() and "1.0" in table.inner_text() and "100" in table.inner_text()
    assert axe_violations(page) == []
    assert page.ldai_errors == []
    assert Deployment.objects.count() == 1
