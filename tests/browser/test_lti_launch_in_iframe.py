"""The activities launched from an LMS course page, inside its iframe, through the real LTI 1.3 flow.

The test LMS (``lms.py``, lti-consumer-xblock's platform) serves a course page on its own
127.0.0.1 port; its ``<iframe>`` runs the OIDC login at the tool, the platform's auto-posted
``id_token``, the tool's launch and the activity page, all in the browser as in Moodle. The
learner completes the activity there (the quiz by keyboard in English and by mouse in French
from ``launch_presentation.locale``, the prompt sandbox by keyboard, the hallucination detector
by mouse), sees the grade, and the grade reaches the LMS gradebook.
"""

from __future__ import annotations

import time
import uuid

import pytest

from .flows import detector_by_mouse, quiz_by_keyboard, quiz_by_mouse, sandbox_by_keyboard
from .lms import start_lms
from .support import LIVE_WATCH, run_axe, unnamed_controls

pytestmark = pytest.mark.browser

GRADE_WAIT = 40  # seconds: the tool's in-process sender looks at its outbox every few seconds


@pytest.fixture(scope="module")
def lms(site):
    platform, server = start_lms(site)
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def platform_name(settings):
    settings.PLATFORM_NAME = "Test LMS"  # lti-consumer-xblock names the platform in its tool_platform claim


def tool_frame(page, lms, site, ready: str):
    """The tool's frame once the launch has rendered ``ready``; a readable failure otherwise."""
    page.locator("iframe").wait_for()
    frame = page.locator("iframe").element_handle().content_frame()
    try:
        frame.locator(ready).first.wait_for(timeout=20_000)
    except Exception as error:
        body = frame.locator("body").inner_text() if frame.locator("body").count() else ""
        raise AssertionError(
            f"the launch did not render {ready!r} in the iframe (at {frame.url}).\nIframe text: {body[:600]}\n"
            f"LMS errors: {lms.errors}\nTool log:\n{site.log_tail(25)}"
        ) from error
    assert frame.url.startswith(site.url), f"the iframe shows {frame.url}, not the tool"
    return frame


def wait_for_score(lms, user_id: str) -> dict:
    deadline = time.monotonic() + GRADE_WAIT
    while time.monotonic() < deadline:
        scores = lms.scores_for(user_id)
        if scores:
            return scores[-1]
        time.sleep(0.25)
    raise AssertionError(f"no score reached the LMS gradebook within {GRADE_WAIT} s; LMS errors: {lms.errors}")


def check_accessible(frame, axe_source, where: str) -> None:
    violations = run_axe(frame, axe_source)
    assert not violations, f"axe, {where}:\n" + "\n".join(map(str, violations))
    missing = unnamed_controls(frame.locator(".xblock-v1").first)
    assert not missing, f"controls without an accessible name, {where}: {missing}"


def test_quiz_in_an_lms_iframe_by_keyboard_with_the_grade_sent_back(page, lms, site, axe_source, artifacts):
    user = f"iframe-kbd-{uuid.uuid4().hex[:6]}"
    page.add_init_script(LIVE_WATCH)
    page.goto(lms.course_page(activity="ldai_risk_quiz", title="AI risks quiz", user_id=user, name="Alex Martin",
                              pack="en/ai-risks", settings={"num_questions": 2}))
    frame = tool_frame(page, lms, site, ".xblock-v1 [data-ldai-stage] form")
    assert frame.locator(".xblock-v1 .ldai").first.get_attribute("lang") == "en"
    check_accessible(frame, axe_source, "quiz launched in an iframe (en)")
    page.screenshot(path=str(artifacts / "lti-iframe-risk_quiz-en-question.png"), full_page=True)
    grade = quiz_by_keyboard(page, frame, "en")
    page.screenshot(path=str(artifacts / "lti-iframe-risk_quiz-en-profile.png"), full_page=True)
    check_accessible(frame, axe_source, "quiz profile in an iframe (en)")
    score = wait_for_score(lms, user)
    assert score["scoreMaximum"] > 0
    assert round(100 * score["scoreGiven"] / score["scoreMaximum"]) == int(grade.group(1)), (score, grade.group(0))
    assert score["activityProgress"] == "Completed" or score.get("gradingProgress") == "FullyGraded"


def test_quiz_in_an_lms_iframe_follows_the_launch_locale_french_by_mouse(page, lms, site, axe_source, artifacts):
    user = f"iframe-fr-{uuid.uuid4().hex[:6]}"
    page.goto(lms.course_page(activity="ldai_risk_quiz", title="Quiz des risques", user_id=user, name="Camille Durand", locale="fr-FR",
                              settings={"num_questions": 2}))
    frame = tool_frame(page, lms, site, ".xblock-v1 [data-ldai-stage] form")
    assert frame.locator(".xblock-v1 .ldai").first.get_attribute("lang") == "fr"
    assert frame.get_by_role("button", name="Vérifier ma réponse").is_visible()
    check_accessible(frame, axe_source, "quiz launched in an iframe (fr)")
    page.screenshot(path=str(artifacts / "lti-iframe-risk_quiz-fr-question.png"), full_page=True)
    grade = quiz_by_mouse(frame, "fr")
    page.screenshot(path=str(artifacts / "lti-iframe-risk_quiz-fr-profile.png"), full_page=True)
    score = wait_for_score(lms, user)
    assert round(100 * score["scoreGiven"] / score["scoreMaximum"]) == int(grade.group(1)), (score, grade.group(0))


OTHER_ACTIVITIES = [
    pytest.param("ldai_prompt_sandbox", ".xblock-v1 textarea[name=prompt]", lambda page, frame: sandbox_by_keyboard(page, frame, "en"),
                 id="prompt_sandbox-keyboard"),
    pytest.param("ldai_hallucination_detector", ".xblock-v1 .ldai-hd-unit", lambda page, frame: detector_by_mouse(frame, "en"),
                 id="hallucination_detector-mouse"),
]


@pytest.mark.parametrize(("activity", "ready", "complete"), OTHER_ACTIVITIES)
def test_activity_in_an_lms_iframe_with_the_grade_sent_back(page, lms, site, axe_source, artifacts, activity, ready, complete):
    user = f"iframe-{activity[5:9]}-{uuid.uuid4().hex[:6]}"
    page.add_init_script(LIVE_WATCH)
    page.goto(lms.course_page(activity=activity, title="Activity", user_id=user, name="Sam Lee"))
    frame = tool_frame(page, lms, site, ready)
    check_accessible(frame, axe_source, f"{activity} launched in an iframe (en)")
    grade = complete(page, frame)
    kind = activity.removeprefix("ldai_")
    page.screenshot(path=str(artifacts / f"lti-iframe-{kind}-en-done.png"), full_page=True)
    check_accessible(frame, axe_source, f"{activity} completed in an iframe (en)")
    score = wait_for_score(lms, user)
    assert round(100 * score["scoreGiven"] / score["scoreMaximum"]) == int(grade.group(1)), (score, grade.group(0))
