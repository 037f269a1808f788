"""The dashboard in a real browser (Debian's chromium through Playwright, axe-core): EN and FR, keyboard only.

The statements are made by the profile (``engine.xapi.statement``) for seven learners, as the runtime stores
them; the instructor reaches the dashboard from the activity page's "Dashboard" tab, filters by keyboard,
and every chart has its table. Reuses the runtime browser tests' page and axe helpers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ldai_xblocks.engine import xapi
from lti_tool.lti import claims as c
from lti_tool.lti import launch_context
from lti_tool.models import Deployment, Platform, Statement
from lti_tool.runtime.launch_setup import ensure_resource_link
from lti_tool.runtime.session import issue
from lti_tool.runtime.statements import store_facts_and_summaries
from tests.lti.test_runtime_browser import axe_violations, chromium_page  # noqa: F401 (the page fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dashboard_url(live_server):
    platform = Platform.objects.create(issuer="https://lms.example", client_id="tool", auth_login_url="https://lms.example/auth",
                                       auth_token_url="https://lms.example/token", keyset_url="https://lms.example/jwks")
    deployment = Deployment.objects.create(platform=platform, deployment_id="1")
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    for index in range(7):
        actor = f"anon-{index}"
        for minutes, name, data in ((0, "ldai.risk_quiz.launched", {}),
                                    (5, "ldai.risk_quiz.submitted", {"score": 0.4 + index / 20, "passed": index > 2, "job_family": "sales",
                                                                     "categories": {"privacy": 0.5, "bias": 0.25 + index / 10}})):
            body = xapi.statement(xapi.TrackingEvent(name, data, {"home_page": platform.issuer, "id": actor},
                                                     {"activity_id": "https://tool.example/lti/resource/1/browser-link"}, start + timedelta(minutes=minutes)))
            result = body.get("result") or {}
            statement = Statement.objects.create(id=body["id"], deployment=deployment, context_id="course-1", resource_link_id="browser-link",
                                     activity="risk_quiz", action=name.rsplit(".", 1)[1], actor=actor, job_family=data.get("job_family", ""),
                                     score=(result.get("score") or {}).get("scaled"), success=result.get("success"),
                                     timestamp=start + timedelta(minutes=minutes), body=body)
            store_facts_and_summaries([statement])  # as the runtime stores a statement

    def make(locale: str) -> str:
        body = {
            c.MESSAGE_TYPE: c.RESOURCE_LINK_REQUEST, c.SUB: f"teacher-{locale}", c.NAME: "Teacher", c.ROLES: [c.ROLE_CONTEXT_INSTRUCTOR],
            c.RESOURCE_LINK: {c.ID: "browser-link", c.TITLE: "Risks quiz"}, c.CONTEXT: {c.ID: "course-1", c.TITLE: "AI at work"},
            c.CUSTOM: {c.CUSTOM_ACTIVITY: "ldai_risk_quiz", c.CUSTOM_PACK: "en/ai-risks"}, c.LAUNCH_PRESENTATION: {c.PRESENTATION_LOCALE: locale},
        }
        context = launch_context.build(body, platform, deployment)
        launch_context.save(context)
        return f"{live_server.url}/lti/activity/{issue(context, ensure_resource_link(context))}/?view=results"

    return make


def tab_to(page, target, steps: int = 40) -> None:
    for _ in range(steps):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError("the keyboard never reached the control")


def test_the_dashboard_is_reached_from_the_activity_and_works_by_keyboard(chromium_page, dashboard_url):  # noqa: F811
    page = chromium_page
    page.goto(dashboard_url("en"))
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("heading", name="Learning dashboard").wait_for()
    funnel = page.get_by_role("table", name="Adoption funnel")
    assert "7" in funnel.inner_text()
    assert page.get_by_role("img", name="Share of learners who completed, per activity and job family").count() == 1
    charts = page.locator("section.ldai-dash-figure:has(svg.ldai-chart)")
    assert charts.count() >= 3 and charts.count() == page.locator("section.ldai-dash-figure:has(svg.ldai-chart):has(table caption)").count()
    assert axe_violations(page) == []
    family = page.get_by_label("Job family", exact=True)
    tab_to(page, family)  # Tab to the job family menu, choose with the arrow keys, Tab to the button, Enter
    page.keyboard.press("ArrowDown")
    assert family.input_value() == "sales"
    tab_to(page, page.get_by_role("button", name="Apply the filters"))
    page.keyboard.press("Enter")
    page.wait_for_url("**job_family=sales**")
    assert "sales" in page.get_by_role("table", name="Adoption funnel").inner_text()
    assert axe_violations(page) == []
    assert page.ldai_errors == []


def test_the_dashboard_speaks_french_and_the_evidence_pack_prints(chromium_page, dashboard_url):  # noqa: F811
    page = chromium_page
    page.goto(dashboard_url("fr"))
    page.get_by_role("link", name="Tableau de bord").click()
    page.get_by_role("heading", name="Tableau de bord de la formation").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("table", name="Entonnoir d’adoption").count() == 1
    assert axe_violations(page) == []
    page.get_by_role("link", name="Dossier de preuves (règlement européen sur l’IA, article 4)").click()
    page.get_by_role("heading", name="Dossier de preuves de formation à l’IA").wait_for()
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    assert page.get_by_role("link", name="Télécharger en PDF").is_hidden()  # the print view keeps only the record
    assert page.ldai_errors == []
