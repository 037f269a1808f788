"""The LTI activity page in a real browser: the tool's JavaScript runtime starts the block, handlers answer.

Served by pytest-django's live server in this process (so the launch session made here is
the one the server reads), driven by Debian's chromium through Playwright, checked by
axe-core. What it proves that the Django-client tests cannot: ``xblock-runtime.js`` gives
the block a working ``handlerUrl``, the page loads without a JavaScript error, a learner
completes the quiz with clicks alone, and the instructor page passes axe.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lti_tool.lti import claims as c
from lti_tool.lti import launch_context
from lti_tool.models import Deployment, GradeOutbox, LearnerState, Platform, ResourceLinkConfig
from lti_tool.runtime.launch_setup import ensure_resource_link
from lti_tool.runtime.session import issue
from tests.lti.test_llm_jobs import model  # noqa: F401 - the stand-in model fixture
from tests.lti.test_runtime_activities import GOOD_PROMPT, sandbox_custom

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_JS = Path(__file__).resolve().parents[1] / "browser" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def chromium_page(browser):
    """A fresh context of the session's chromium (tests/conftest.py), with its errors recorded."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 and not r.url.endswith("favicon.ico") else None)
    page.ldai_errors = errors
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def launch_url(live_server, settings):
    """A validated launch made server-side (LTI-A's tests cover the OIDC flow), as its page URL."""
    settings.LDAI_LTI_RUNTIME = {**settings.LDAI_LTI_RUNTIME, "GRADES_IN_PROCESS": False}
    platform = Platform.objects.create(issuer="https://lms.example", client_id="tool", auth_login_url="https://lms.example/auth",
                                       auth_token_url="https://lms.example/token", keyset_url="https://lms.example/jwks")
    deployment = Deployment.objects.create(platform=platform, deployment_id="1")

    def make(role: str, sub: str, name: str, custom: dict | None = None) -> str:
        body = {
            c.MESSAGE_TYPE: c.RESOURCE_LINK_REQUEST, c.SUB: sub, c.NAME: name, c.ROLES: [role],
            c.RESOURCE_LINK: {c.ID: "browser-link", c.TITLE: "Risks quiz"}, c.CONTEXT: {c.ID: "course-1", c.TITLE: "AI at work"},
            c.CUSTOM: custom or {c.CUSTOM_ACTIVITY: "ldai_risk_quiz", c.CUSTOM_PACK: "en/ai-risks",
                                 c.CUSTOM_SETTINGS: json.dumps({"num_questions": 2, "max_attempts": 2})},
            c.AGS_ENDPOINT: {c.AGS_SCOPE: [c.SCOPE_SCORE], c.AGS_LINEITEM: "https://lms.example/ags/1/lineitem"},
        }
        context = launch_context.build(body, platform, deployment)
        launch_context.save(context)
        link = ensure_resource_link(context)
        view = "author" if context.is_instructor else "learner"
        return f"{live_server.url}/lti/activity/{issue(context, link)}/?view={view}"

    yield make
    # A grade sender thread started by an earlier test (or a review finishing) must not hold the database
    # while the live server's transactional test flushes it ("database table is locked").
    from lti_tool.grades.sender import in_process

    in_process.stop()


def test_learner_completes_the_quiz_in_the_lti_page(chromium_page, launch_url):
    page = chromium_page
    page.goto(launch_url(c.ROLE_CONTEXT_LEARNER, "learner-b", "Browser Learner"))
    stage = page.locator("[data-ldai-stage]")
    stage.locator("form").wait_for()
    for _ in range(2):
        stage.locator("input").first.check()
        stage.locator("button[type=submit]").click()
        stage.locator("[data-ldai-result]").wait_for()
        stage.get_by_role("button", name="Next question").or_(stage.get_by_role("button", name="See my profile")).click()
    page.get_by_text("Your grade (best attempt)").wait_for()
    assert axe_violations(page) == []
    assert page.ldai_errors == []
    row = LearnerState.objects.get(user_sub="learner-b", scope=LearnerState.Scope.USER_STATE)  # the skills map keeps evidence in USER_INFO
    assert row.attempts == 1
    assert GradeOutbox.objects.filter(user_sub="learner-b", status=GradeOutbox.Status.PENDING).count() == 1


def test_instructor_page_is_accessible_and_saves_settings(chromium_page, launch_url):
    page = chromium_page
    launch_url(c.ROLE_CONTEXT_LEARNER, "learner-x", "Listed Learner")  # someone in the results table
    LearnerState.objects.create(deployment=Deployment.objects.get(), context_id="course-1", resource_link_id="browser-link",
                                user_sub="learner-x", user_name="Listed Learner", block_type="ldai_risk_quiz", score=0.5, max_score=1, attempts=1)
    page.goto(launch_url(c.ROLE_CONTEXT_INSTRUCTOR, "teacher-b", "Teacher"))
    page.locator("[data-ldai-studio], form").first.wait_for()
    page.get_by_role("table").wait_for()
    assert "Listed Learner" in page.get_by_role("table").inner_text()
    assert axe_violations(page) == []
    title = page.locator(".xblock-v1 [name=display_name]")
    title.fill("Quiz for the sales team")
    title.press("Enter")
    page.get_by_text("Saved.").first.wait_for()
    assert ResourceLinkConfig.objects.get().settings["display_name"] == "Quiz for the sales team"
    title.fill("Not kept")
    page.locator(".xblock-v1 [data-ldai-cancel]").click()  # Cancel discards the unsaved edit (the page reloads)
    page.wait_for_load_state()
    assert page.locator(".xblock-v1 [name=display_name]").input_value() == "Quiz for the sales team"
    assert page.ldai_errors == []


def test_the_ai_review_reaches_the_sandbox_page_after_the_offline_feedback(chromium_page, launch_url, model):  # noqa: F811
    """static/js/prompt_sandbox.js polls the llm_review handler while the feedback is pending (tests/lti/test_llm_jobs.py
    has the server side; the model is the OpenAI-compatible stand-in, the only mock)."""
    page = chromium_page
    page.goto(launch_url(c.ROLE_CONTEXT_LEARNER, "learner-ai", "AI Learner", custom=sandbox_custom()))
    page.locator("textarea").fill(GOOD_PROMPT)
    page.get_by_role("button", name="Get feedback").click()
    page.get_by_text("Feedback on attempt 1").wait_for()
    page.get_by_text("The AI model’s review of your prompt has arrived.").wait_for()
    page.get_by_text("AI model:").first.wait_for()  # the model's per-criterion comments are on the page
    assert page.get_by_text("The AI model is reviewing your prompt").count() == 0
    assert page.ldai_errors == []
    assert axe_violations(page) == []


def test_a_refused_grade_and_unreadable_settings_reach_the_instructor_by_keyboard(chromium_page, launch_url):
    """The warning, the platform's reason and the 'send again' button pass axe and work from the keyboard alone."""
    from django.utils import timezone

    page = chromium_page
    launch_url(c.ROLE_CONTEXT_LEARNER, "learner-r", "Refused Learner")
    link = ResourceLinkConfig.objects.get()
    LearnerState.objects.create(deployment=link.deployment, context_id="course-1", resource_link_id="browser-link",
                                user_sub="learner-r", user_name="Refused Learner", block_type="ldai_risk_quiz", score=1, max_score=1, attempts=2)
    GradeOutbox.objects.create(
        deployment=link.deployment, resource_link=link, user_sub="learner-r", lineitem_url=link.lineitem_url, score_given=1,
        score_maximum=1, timestamp=timezone.now(), status=GradeOutbox.Status.FAILED, idempotency_key="refused-1", last_status_code=422,
        last_error="The maximum number of allowed attempts has been reached for this submission (HTTP 422)",
    )
    ResourceLinkConfig.objects.filter(pk=link.pk).update(setup_problems=[{"code": "setting_invalid", "field": "max_attempts", "detail": ""}])
    page.goto(launch_url(c.ROLE_CONTEXT_INSTRUCTOR, "teacher-r", "Teacher").replace("view=author", "view=results"))
    page.get_by_role("alert").wait_for()
    assert "max_attempts" in page.get_by_role("alert").inner_text()
    assert "allowed attempts has been reached" in page.get_by_role("table").inner_text()
    assert axe_violations(page) == []
    button = page.get_by_role("button", name="Send the refused grades again")
    for _ in range(40):  # Tab through the page until the button has the focus
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    page.keyboard.press("Enter")
    page.get_by_role("status").get_by_text("1 refused grade is being sent again.").wait_for()
    assert GradeOutbox.objects.get().status == GradeOutbox.Status.PENDING
    assert axe_violations(page) == []
    assert page.ldai_errors == []


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core findings on the whole page (tabs, results table, the block)."""
    if not AXE_JS.exists():
        pytest.skip("axe-core is missing: make browser-deps")
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
    )
