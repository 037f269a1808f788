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

MAP_CUSTOM = {c.CUSTOM_ACTIVITY: "ldai_skills_map", c.CUSTOM_PACK: "en/ai-at-work", c.CUSTOM_JOB_FAMILY: "finance",
              c.CUSTOM_SETTINGS: json.dumps({"min_group": 3})}


def page_state(html: str) -> dict:
    return json.loads(unescape(re.search(r'<script type="application/json" data-ldai-state>(.*?)</script>', html, re.S).group(1)))


def open_map(client, consumer, **kwargs) -> tuple[str, dict]:
    html = launch_page(client, consumer, resource_link_id="map-link", custom=MAP_CUSTOM, **kwargs)
    assert 'data-init="LdaiSkillsMap"' in html
    return handler_prefix(html), page_state(html)


def test_quiz_evidence_reaches_the_skills_map_of_the_same_course_only(client, graded_platform):
    consumer, _ = graded_platform
    quiz = launch_page(client, consumer, user_id="ana", custom=quiz_custom(num_questions=12))  # balanced: every category, so hallucinations too
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


def learner_takes_the_map(client, consumer, user_id: str, job: str, level: int, *, quiz: bool = False) -> None:
    if quiz:
        answer_all(client, handler_prefix(launch_page(client, consumer, user_id=user_id, custom=quiz_custom(num_questions=12))))
    html = launch_page(client, consumer, user_id=user_id, resource_link_id="map-link", custom={**MAP_CUSTOM, c.CUSTOM_JOB_FAMILY: job})
    prefix, state = handler_prefix(html), page_state(html)
    status, _ = call(client, prefix, "save_self_assessment", {"levels": {q["id"]: level for q in state["questions"]}})
    assert status == 200


def instructor_results(client, consumer) -> str:
    html = launch_page(client, consumer, role="instructor", user_id="teacher", resource_link_id="map-link", custom=MAP_CUSTOM)
    url = unescape(re.search(r'href="([^"]+\?view=results)"', html).group(1))
    return client.get(url).content.decode()


def test_instructor_sees_the_cohort_heat_map_with_small_groups_hidden(client, graded_platform):
    consumer, _ = graded_platform
    for number in range(3):
        learner_takes_the_map(client, consumer, f"fin-{number}", "finance", 1, quiz=number == 0)
    learner_takes_the_map(client, consumer, "hr-0", "hr", 2)  # alone in HR: never shown
    page = instructor_results(client, consumer)
    assert "Cohort skills gaps" in page and 'class="ldai-lti-heatmap"' in page
    heat = page[page.index('class="ldai-lti-heatmap"'):]
    assert "Finance" in heat and "(3 learners)" in heat and "Human resources" not in heat
    assert "Not shown (too few learners): Human resources." in page
    # report-automation: everyone self-assessed 1 against a target of 2, no evidence -> a mean gap of 1.0
    row = re.search(r"Automating reports</th>(.*?)</tr>", heat, re.S).group(1)
    assert ">1.0<" in row and "100 % below target, 3 learners" in row
    csv_url = unescape(re.search(r'href="([^"]+skills-cohort\.csv)"', page).group(1))
    response = client.get(csv_url)
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = text.splitlines()
    assert lines[0].startswith("Job family,Competence,Target level")
    assert "Finance,Automating reports,2,3,3,1.00,100" in lines and not any("Human resources" in line for line in lines)


def test_learners_cannot_download_the_cohort(client, graded_platform):
    consumer, _ = graded_platform
    html = launch_page(client, consumer, user_id="eve", resource_link_id="map-link", custom=MAP_CUSTOM)
    token = re.search(r"/handler/([^/]+)/", unescape(html)).group(1)
    response = client.get(f"/lti/results/{token}/skills-cohort.csv")
    assert response.status_code == 403


def test_instructor_edits_the_map_with_the_same_studio_editor(client, graded_platform):
    consumer, _ = graded_platform
    html = launch_page(client, consumer, role="instructor", user_id="teacher", resource_link_id="map-link", custom=MAP_CUSTOM)
    assert 'data-init="LdaiSkillsMapStudio"' in html and 'name="min_group"' in html
    status, body = call(client, handler_prefix(html), "studio_submit", {"grading": "readiness", "min_group": 2})
    assert status == 400 and "min_group" in body["fields"]
    status, body = call(client, handler_prefix(html), "studio_submit", {"grading": "readiness", "min_group": 4})
    assert status == 200
    from lti_tool.models import ResourceLinkConfig

    assert ResourceLinkConfig.objects.get(resource_link_id="map-link").settings["grading"] == "readiness"
