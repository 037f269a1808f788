"""Grades that say the truth (issue 11, item 5), against the score rules of Moodle and Canvas.

The platform is lti-consumer-xblock's LtiAdvantageConsumer behind a server on
127.0.0.1 (runtime_fixtures.py) that applies, in ``ScoreRules``, what each platform's
code checks before keeping a score:

- Moodle, ``mod/lti/service/gradebookservices/classes/local/resources/scores.php``:
  409 when the score is not newer, in whole seconds, than the grade it holds (the
  message travels in the HTTP reason phrase, ``mod/lti/classes/local/ltiservice/response.php``);
- Canvas, ``app/controllers/lti/ims/scores_controller.rb``: equal timestamps accepted,
  422 "The maximum number of allowed attempts has been reached for this submission".

And Moodle's token endpoint verifies our client assertion with php-jwt, which has no
leeway: a platform clock two seconds behind ours must still accept our ``iat``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from django.utils import timezone

from lti_tool.grades import ags, sender
from lti_tool.lti import claims as c
from lti_tool.models import GradeOutbox, ResourceLinkConfig
from tests.lti.runtime_fixtures import CANVAS_422, call, handler_prefix, launch_page, queue

pytest_plugins = ["tests.lti.runtime_fixtures"]

Status = GradeOutbox.Status


def test_a_retry_after_a_lost_answer_counts_as_delivered_when_moodle_answers_409(link, fake_platform):
    """Moodle kept the score but its answer was lost: the retry (same timestamp) gets 409, which means 'I have it'."""
    fake_platform.lose_next_answer = True
    row = queue(link, value=0.75)
    assert sender.deliver_due().retried == 1  # the connection dropped after Moodle kept the score
    assert [s["scoreGiven"] for s in fake_platform.accepted_for("learner-1")] == [0.75]
    row.refresh_from_db()
    stats = sender.deliver_due(now=row.next_attempt_at)
    assert stats.as_dict() == {"sent": 1, "retried": 0, "failed": 0, "deferred": 0}
    row.refresh_from_db()
    assert row.status == Status.SENT and row.last_status_code == 409 and "already holds" in row.last_error
    assert fake_platform.score_requests == 2 and len(fake_platform.scores) == 1


def test_two_scores_of_a_learner_in_the_same_second_both_reach_moodle(link, fake_platform, monkeypatch):
    """Moodle compares whole seconds: the tool gives a learner's next score a later second, so it is not refused."""
    instant = datetime(2026, 12, 1, 9, 0, 0, 100_000, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    queue(link, value=0.4)
    assert sender.deliver_due(now=instant).sent == 1
    better = queue(link, value=0.9)
    assert sender.deliver_due(now=instant).sent == 1
    better.refresh_from_db()
    assert better.status == Status.SENT and better.last_status_code == 200
    assert [s["scoreGiven"] for s in fake_platform.accepted_for("learner-1")] == [0.4, 0.9]


def test_an_older_score_moodle_refuses_with_409_is_not_reported_as_failed(link, fake_platform):
    newer = queue(link, value=0.8, when=timezone.now())
    assert sender.deliver_due().sent == 1
    older = queue(link, value=0.3, when=newer.timestamp.replace(microsecond=0))  # e.g. sent by a second worker, late
    assert sender.deliver_due().sent == 1
    older.refresh_from_db()
    assert older.status == Status.SENT and older.last_status_code == 409
    assert [s["scoreGiven"] for s in fake_platform.accepted_for("learner-1")] == [0.8]


def test_a_platform_refusal_keeps_the_platforms_reason(link, fake_platform):
    fake_platform.rules.flavour = "canvas"
    fake_platform.rules.allowed_attempts = 1
    queue(link, value=0.2)
    assert sender.deliver_due().sent == 1
    refused = queue(link, value=0.9)
    assert sender.deliver_due().failed == 1
    refused.refresh_from_db()
    assert refused.status == Status.FAILED and refused.last_status_code == 422
    assert refused.last_error == f"{CANVAS_422} (HTTP 422)"
    assert sender.deliver_due(now=timezone.now() + timezone.timedelta(days=1)).as_dict()["sent"] == 0  # final: not retried alone


def test_canvas_equal_timestamps_are_accepted(link, fake_platform):
    fake_platform.rules.flavour = "canvas"
    when = timezone.now()
    first = queue(link, value=0.2, when=when)
    GradeOutbox.objects.filter(pk=first.pk).update(idempotency_key="other")
    assert sender.deliver_due().sent == 1
    queue(link, value=0.2, when=when)
    assert sender.deliver_due().sent == 1
    assert len(fake_platform.accepted_for("learner-1")) == 2


def test_a_line_item_the_tool_creates_carries_the_instructors_points(registered_platform, fake_platform, fresh_cache):
    link = ResourceLinkConfig.objects.create(
        deployment=registered_platform, resource_link_id="rl-pts", title="Hunt", block_type="ldai_hallucination_detector",
        settings={"weight": 20.0}, lineitems_url=fake_platform.lineitems_url, ags_scopes=[ags.SCOPE_SCORE, ags.SCOPE_LINEITEM],
    )
    queue(link, value=0.5)
    assert sender.deliver_due().sent == 1
    (item,) = fake_platform.lineitems.values()
    assert item["scoreMaximum"] == 20.0
    assert fake_platform.scores[0].body["scoreGiven"] / fake_platform.scores[0].body["scoreMaximum"] == 0.5


def test_the_client_assertion_passes_php_jwt_with_a_platform_clock_two_seconds_behind(link, fake_platform):
    fake_platform.clock_offset = -2.0
    queue(link)
    assert sender.deliver_due().sent == 1
    (assertion,) = fake_platform.assertions
    assert assertion["exp"] - assertion["iat"] >= 300


# ------------------------------------------------------------------------------------ the instructor sees it and acts


def _answer_one(client, prefix: str) -> None:
    _, state = call(client, prefix, "student_view_user_state")
    for question in state["questions"]:
        status, body = call(client, prefix, "submit_answer", {"question_id": question["id"], "selected": [question["choices"][0]["id"]]})
        assert status == 200, body


def test_a_canvas_refusal_is_shown_to_the_instructor_who_sends_it_again_after_acting(client, graded_platform):
    consumer, gradebook = graded_platform
    gradebook.rules.flavour = "canvas"
    gradebook.rules.allowed_attempts = 1
    custom = {c.CUSTOM_ACTIVITY: "ldai_risk_quiz", c.CUSTOM_PACK: "en/ai-risks", c.CUSTOM_SETTINGS: '{"max_attempts": 0, "num_questions": 3}'}
    prefix = handler_prefix(launch_page(client, consumer, custom=custom, user_id="learner-9", name="Sam Lee"))
    _answer_one(client, prefix)
    assert sender.deliver_due().sent == 1
    assert call(client, prefix, "start_attempt")[0] == 200
    _answer_one(client, prefix)
    assert sender.deliver_due().failed == 1
    html = launch_page(client, consumer, custom=custom, role="instructor", user_id="teacher-1", name="Teacher")
    assert "Not sent: the platform refused it" in html and CANVAS_422 in html
    resend = unescape(re.search(r'<form class="ldai-lti-resend" method="post" action="([^"]+)"', html).group(1))
    gradebook.rules.allowed_attempts = 2  # the instructor allows one more attempt in Canvas
    response = client.post(resend)
    assert response.status_code == 303 and "view=results" in response["Location"] and "resent=1" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "1 refused grade is being sent again." in page
    assert sender.deliver_due().sent == 1
    assert [s["userId"] for s in gradebook.scores] == ["learner-9", "learner-9"]
    assert "Sent to the platform" in client.get(response["Location"]).content.decode()


def test_learners_cannot_resend_grades(client, graded_platform):
    consumer, _ = graded_platform
    html = launch_page(client, consumer, custom={c.CUSTOM_ACTIVITY: "ldai_risk_quiz"}, user_id="learner-1")
    token = handler_prefix(html).rstrip("/").rsplit("/", 1)[1]
    assert client.post(f"/lti/results/{token}/resend/").status_code == 403
    assert client.get(f"/lti/results/{token}/resend/").status_code == 405


class _Answer:
    """Just what ``platform_reason`` reads of a requests.Response."""

    def __init__(self, status: int, reason: str, text: str):
        self.status_code, self.reason, self.text = status, reason, text

    def json(self):
        import json

        return json.loads(self.text)


@pytest.mark.parametrize("status, phrase, body, expected", [
    # mod/lti/classes/local/ltiservice/response.php: the exception text is the status line's reason, the body "[]".
    (409, "Refusing score with an earlier timestamp for item 7 and user 3", "[]", "Refusing score with an earlier timestamp for item 7 and user 3"),
    # ... and a JSON {"status", "reason"} when there is no body.
    (400, "Bad Request", '{"status": 400, "reason": "Incorrect score received", "request": {"method": "POST"}}', "Incorrect score received"),
    # Canvas: Lti::IMS::Concerns::AdvantageServices#render_error.
    (422, "Unprocessable Entity", '{"errors": {"type": "unprocessable_entity", "message": "' + CANVAS_422 + '"}}', CANVAS_422),
    (400, "Bad Request", '{"error": "invalid_scope", "error_description": "scope not granted"}', "scope not granted"),
    (502, "Bad Gateway", "<html>upstream eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln down</html>", "<html>upstream [token] down</html>"),
])
def test_the_platforms_reason_is_read_where_each_platform_puts_it(status, phrase, body, expected):
    assert ags.platform_reason(_Answer(status, phrase, body)) == expected
