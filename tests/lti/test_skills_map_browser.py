"""The skills map in the LTI tool's pages, in a real browser: the learner's map and the instructor's heat map, axe clean.

Same set-up as test_runtime_browser.py (pytest-django's live server, Debian's chromium, axe-core):
a launch made server-side, then the pages as a learner and as an instructor see them.
"""

from __future__ import annotations

import json

import pytest

from lti_tool.lti import claims as c
from lti_tool.models import Deployment, LearnerState
from tests.lti.browser_launch import activity_urls
from tests.lti.test_runtime_browser import axe_violations, chromium_page  # noqa: F401 - the page fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def map_url(live_server, settings):
    custom = {c.CUSTOM_ACTIVITY: "ldai_skills_map", c.CUSTOM_PACK: "en/ai-at-work", c.CUSTOM_SETTINGS: json.dumps({"min_group": 3})}
    return activity_urls(live_server, settings, "map-link", "Skills map", custom)


def test_learner_maps_their_skills_in_the_lti_page(chromium_page, map_url):  # noqa: F811
    page = chromium_page
    page.goto(map_url(c.ROLE_CONTEXT_LEARNER, "lea"))
    stage = page.locator("[data-ldai-stage]")
    stage.get_by_label("Human resources").check()
    stage.get_by_role("button", name="Continue").click()
    stage.locator("[data-ldai-competence]").first.wait_for()
    for group in stage.locator("[data-ldai-competence]").all():
        group.locator("input[type=radio]").nth(1).check()
    stage.get_by_role("button", name="Save my answers and see my map").click()
    stage.locator("table").wait_for()
    assert stage.locator("svg[role=img]").count() == 1
    assert axe_violations(page) == []
    assert page.ldai_errors == []
    state = LearnerState.objects.get(user_sub="lea", scope=LearnerState.Scope.USER_STATE).state
    assert state["chosen_job"] == "hr" and set(state["self_levels"].values()) == {1}


def test_instructor_sees_an_accessible_heat_map(chromium_page, map_url):  # noqa: F811
    page = chromium_page
    map_url(c.ROLE_CONTEXT_LEARNER, "seed")  # creates the link
    deployment = Deployment.objects.get()
    for number in range(3):
        LearnerState.objects.create(deployment=deployment, context_id="course-1", resource_link_id="map-link", user_sub=f"fin-{number}",
                                    block_type="ldai_skills_map", state={"assessed_job": "finance", "self_levels": {"report-automation": number}})
    page.goto(map_url(c.ROLE_CONTEXT_INSTRUCTOR, "teacher", view="results"))
    heat = page.locator("table.ldai-lti-heatmap")
    heat.wait_for()
    assert "Finance" in heat.inner_text() and "Automating reports" in heat.inner_text()
    assert axe_violations(page) == []
    assert page.ldai_errors == []
