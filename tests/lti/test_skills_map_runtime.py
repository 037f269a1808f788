"""The skills map hosted by the tool's runtime: evidence of the same platform, context and learner, nobody else's.

A real platform (lti-consumer-xblock's LtiAdvantageConsumer, LTI-A's fixtures) launches the quiz and
then the skills map; both are the real XBlock classes in lti_tool.runtime.xblock_runtime. The quiz
writes the learner's evidence in Scope.user_info, which the runtime keeps per platform + context +
user, as Open edX keeps it per user (XModuleStudentInfoField, lms/djangoapps/courseware/models.py)
and the block keys it by course inside the field.
"""

from __future__ import annotations

import json
import re
from html import unescape

from lti_tool.lti import claims as c
from lti_tool.models import LearnerState
from tests.lti.runtime_fixtures import call, handler_prefix, launch_page
from tests.lti.test_runtime import answer_all, quiz_custom

pytest_plugins = ["tests.lti.runtime_fixtures"]

MAP_CUSTOM = {c.CUSTOM_ACTIVITY: "ldai_skills_map", c.CUSTOM_PACK: "en/ai-at-work", c.CUSTOM_JOB_FAMILY: "finance"}


def page_state(html: str) -> dict:
    return json.loads(unescape(re.search(r'<script type="application/json" data-ldai-state>(.*?)</script>', html, re.S).group(1)))


def open_map(client, consumer, **kwargs) -> tuple[str, dict]:
    html = launch_page(client, consumer, resource_link_id="map-link", custom=MAP_CUSTOM, **kwargs)
    assert 'data-init="LdaiSkillsMap"' in html
    return handler_prefix(html), page_state(html)


def test_quiz_evidence_reaches_the_skills_map_of_the_same_course_only(client, graded_platform):
    consumer, _ = graded_platform
    quiz = launch_page(client, consumer, user_id="ana", custom=quiz_custom())
    answer_all(client, handler_prefix(quiz))
    info = LearnerState.objects.get(scope=LearnerState.Scope.USER_INFO)
    assert (info.user_sub, info.context_id, info.resource_link_id) == ("ana", "course-1", "")
    assert list(info.state["ldai_evidence"]) == ["course-1"]

    prefix, state = open_map(client, consumer, user_id="ana")
    assert state["job"] == "finance" and state["job_origin"] == "platform"  # the ldai_job_family custom parameter
    rows = {row["id"]: row for row in state["map"]["competences"]}
    assert rows["output-verification"]["evidence_count"] > 0 and rows["output-verification"]["evidenced"] == 3.0

    _, elsewhere = open_map(client, consumer, user_id="ana", context_id="course-2")
    assert all(row["evidence_count"] == 0 for row in elsewhere["map"]["competences"])
    _, someone_else = open_map(client, consumer, user_id="bob")
    assert all(row["evidence_count"] == 0 for row in someone_else["map"]["competences"])

    status, saved = call(client, prefix, "save_self_assessment", {"levels": {q["id"]: 2 for q in state["questions"]}})
    assert status == 200 and saved["self_complete"]
    assert LearnerState.objects.filter(scope=LearnerState.Scope.USER_STATE, resource_link_id="map-link", user_sub="ana").get().score == 1.0


def test_opening_the_map_writes_no_learner_state(client, graded_platform):
    consumer, _ = graded_platform
    prefix, state = open_map(client, consumer, user_id="cleo")
    assert state["map"] is not None and not LearnerState.objects.exists()
    status, _ = call(client, prefix, "student_view_user_state")
    assert status == 200 and not LearnerState.objects.exists()
