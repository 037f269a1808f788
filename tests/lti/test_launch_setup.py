"""What a launch sets up (issue 11, items 4 and 6): the learner's name as the platform sends it now, and set-up problems.

Launches come from lti-consumer-xblock's LtiAdvantageConsumer (conftest.py), which puts
the ``name`` claim in the token only when it has a name to share (``set_user_data``),
as Moodle does when its tool is set to share names and stops doing when it is not.
"""

from __future__ import annotations

import json

from lti_tool.lti import claims as c
from lti_tool.models import LearnerState, ResourceLinkConfig
from tests.lti.conftest import launch as lti_launch_flow
from tests.lti.runtime_fixtures import call, handler_prefix, launch_page

pytest_plugins = ["tests.lti.runtime_fixtures"]

QUIZ = {c.CUSTOM_ACTIVITY: "ldai_risk_quiz", c.CUSTOM_PACK: "en/ai-risks", c.CUSTOM_SETTINGS: json.dumps({"num_questions": 3})}


def _answer_first(client, prefix: str) -> None:
    _, state = call(client, prefix, "student_view_user_state")
    question = state["questions"][0]
    assert call(client, prefix, "submit_answer", {"question_id": question["id"], "selected": [question["choices"][0]["id"]]})[0] == 200


def test_a_learners_name_is_refreshed_at_each_launch_and_forgotten_when_no_longer_sent(client, graded_platform):
    consumer, _ = graded_platform
    _answer_first(client, handler_prefix(launch_page(client, consumer, custom=QUIZ, user_id="learner-1", name="Zorglub Martin")))
    assert LearnerState.objects.get(scope=LearnerState.Scope.USER_STATE).user_name == "Zorglub Martin"
    launch_page(client, consumer, custom=QUIZ, user_id="learner-1", name="Zorglub Dupont")  # renamed in the platform
    assert set(LearnerState.objects.values_list("user_name", flat=True)) == {"Zorglub Dupont"}
    launch_page(client, consumer, custom=QUIZ, user_id="learner-1", name="")  # the platform stopped sharing names
    assert set(LearnerState.objects.values_list("user_name", flat=True)) == {""}
    results = launch_page(client, consumer, custom=QUIZ, role="instructor", user_id="teacher-1", name="Teacher")
    assert "Zorglub" not in results and "Learner rner-1" in results


def test_a_learner_who_never_had_a_name_sent_is_stored_without_one(client, graded_platform):
    consumer, _ = graded_platform
    _answer_first(client, handler_prefix(launch_page(client, consumer, custom=QUIZ, user_id="learner-2", name="")))
    assert LearnerState.objects.get(scope=LearnerState.Scope.USER_STATE).user_name == ""


def test_set_up_problems_end_when_the_instructor_saves_the_settings(client, graded_platform):
    consumer, _ = graded_platform
    custom = {**QUIZ, c.CUSTOM_SETTINGS: '{"display_name":"Score '}  # what strip_tags left of "Score <50% = retry"
    assert lti_launch_flow(client, consumer, custom=custom, user_id="learner-3").status_code == 409
    html = launch_page(client, consumer, custom=custom, role="instructor", user_id="teacher-1")
    assert "Your platform sent settings the tool could not read." in html
    assert ResourceLinkConfig.objects.get().setup_problems  # opening the editor alone changes nothing
    status, body = call(client, handler_prefix(html), "studio_submit", {"display_name": "Score <50% = retry", "max_attempts": 2})
    assert status == 200 and body["saved"]
    assert ResourceLinkConfig.objects.get().setup_problems == []
    page = launch_page(client, consumer, custom=custom, user_id="learner-3")
    assert "Score &lt;50% = retry" in page
