"""A learner earns the quiz's Open Badge through the tool's runtime; the author sets it up in the Studio form.

Real launch (lti-consumer-xblock's LtiAdvantageConsumer as platform, tests/lti/conftest.py), the
real ``ldai_risk_quiz`` block and its handlers called as its JavaScript does. The tool's runtime
offers the ``ldai_badges`` service; without it (Open edX) the block signs with the LDAI settings'
issuer: that path is in tests/unit/test_badges_blocks.py.
"""

from __future__ import annotations

import pytest

from lti_tool.models import IssuedBadge, Statement
from tests.lti.runtime_fixtures import call, handler_prefix, launch_page
from tests.lti.test_runtime import answer_all, quiz_custom, right_answers

pytest_plugins = ["tests.lti.runtime_fixtures"]

BADGE = {"enabled": True, "criterion": "score", "min_score": 80, "name": "Risk <spotter>", "description": "Knows the risks.",
         "criteria_text": "Score 80% or more on the quiz.", "colour": "#1f5f99", "alignments": ["charter.confidentiality"]}


@pytest.fixture(autouse=True)
def badge_settings(settings):
    settings.LDAI_BADGES = {"BASE_URL": "http://testserver"}


def quiz_with_badge(**badge) -> dict:
    return quiz_custom(badge={**BADGE, **badge})


def test_a_learner_earns_the_badge_downloads_it_and_it_verifies(client, graded_platform):
    from lti_tool.badges import issuer

    consumer, _ = graded_platform
    html = launch_page(client, consumer, user_id="learner-b1", custom=quiz_with_badge())
    assert "Badge to earn: “Risk &lt;spotter&gt;”." in html
    prefix = handler_prefix(html)
    status, state = call(client, prefix, "student_view_user_state")
    answers = right_answers(state)
    ids = [q["id"] for q in state["questions"]]
    for qid in ids[:-1]:
        status, body = call(client, prefix, "submit_answer", {"question_id": qid, "selected": answers[qid]})
        assert "badge" not in body
    status, body = call(client, prefix, "submit_answer", {"question_id": ids[-1], "selected": answers[ids[-1]]})
    assert status == 200 and body["badge"]["earned"] is True
    assert body["badge"]["message"] == "You earned the badge “Risk <spotter>”."
    page_url = body["badge"]["page_url"]
    badge = IssuedBadge.objects.get()
    assert page_url == f"/lti/badges/mine/{badge.download_key}/"
    svg = client.get(page_url + "badge.svg").content.decode()
    result = issuer.verify(svg)
    assert result.ok, result.reason
    achievement = result.credential["credentialSubject"]["achievement"]
    assert achievement["alignment"][0]["targetCode"] == "charter.confidentiality"
    assert result.credential["evidence"][0]["description"].startswith("Activity: Risks quiz. Score: 100%.")
    earned = Statement.objects.get(activity="risk_quiz", action="badge_earned")  # ldai.risk_quiz.badge_earned, as xAPI
    assert earned.body["verb"]["id"] == "http://id.tincanapi.com/verb/earned"
    # a reload shows the badge earned, with its link
    html = launch_page(client, consumer, user_id="learner-b1", custom=quiz_with_badge())
    assert "You earned the badge “Risk &lt;spotter&gt;”." in html and badge.download_key in html


def test_no_badge_below_the_minimum_score_and_none_for_another_learner(client, graded_platform):
    consumer, _ = graded_platform
    html = launch_page(client, consumer, user_id="learner-b2", custom=quiz_with_badge(min_score=100))
    prefix = handler_prefix(html)
    status, state = call(client, prefix, "student_view_user_state")
    ids = [q["id"] for q in state["questions"]]
    for qid in ids:
        call(client, prefix, "submit_answer", {"question_id": qid, "selected": ["no-such-choice"]})
    assert not IssuedBadge.objects.exists()
    html = launch_page(client, consumer, user_id="learner-b3", custom=quiz_with_badge(min_score=0))
    answer_all(client, handler_prefix(html))
    assert IssuedBadge.objects.count() == 1
    other = launch_page(client, consumer, user_id="learner-b2", custom=quiz_with_badge(min_score=0))
    assert IssuedBadge.objects.get().download_key not in other  # learner b3's badge never reaches b2


def test_an_instructor_preview_issues_nothing(client, graded_platform):
    consumer, _ = graded_platform
    html = launch_page(client, consumer, role="instructor", user_id="teacher-b", custom=quiz_with_badge(min_score=0))
    assert "data-ldai-badge-editor" in html  # the Studio form has the badge section
    assert not IssuedBadge.objects.exists()


def test_the_author_saves_a_badge_with_field_errors_first(client, graded_platform):
    from lti_tool.models import ResourceLinkConfig

    consumer, _ = graded_platform
    html = launch_page(client, consumer, role="instructor", user_id="teacher-b", custom=quiz_custom())
    prefix = handler_prefix(html)
    status, body = call(client, prefix, "badge_submit", {"enabled": True, "criterion": "score", "min_score": 150, "name": "",
                                                         "description": "d", "criteria_text": "c", "colour": "blue",
                                                         "image_svg": "<svg><script>x</script></svg>", "alignments": "ok, not ok"})
    assert status == 400
    assert set(body["fields"]) == {"badge_min_score", "badge_name", "badge_colour", "badge_image_svg", "badge_alignments"}
    status, body = call(client, prefix, "badge_submit", {**BADGE, "alignments": "charter.confidentiality, prompting.context"})
    assert status == 200 and body["message"] == "Badge saved." and body["warning"] == ""
    saved = ResourceLinkConfig.objects.get().settings["badge"]
    assert saved["alignments"] == ["charter.confidentiality", "prompting.context"] and saved["min_score"] == 80


def test_a_learner_cannot_change_the_badge(client, graded_platform):
    consumer, _ = graded_platform
    html = launch_page(client, consumer, user_id="learner-b4", custom=quiz_custom())
    status, body = call(client, handler_prefix(html), "badge_submit", BADGE)
    assert status == 403
