"""Issue 14's "done when", in the persona demo (lti_tool/pages/demo.py): learner A picks finance, assesses
themself, does the quiz and a hunt, and the map shows the new evidence and what changed; the instructor
sees the cohort section. Each language is its own demo course, so it runs in both."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.lti.runtime_fixtures import call, handler_prefix
from tests.lti.test_demo import demo_on, play  # noqa: F401 - the demo fixture
from tests.lti.test_skills_map_runtime import page_state

pytestmark = pytest.mark.django_db


def rows_of(state: dict) -> dict:
    return {row["id"]: row for row in state["map"]["competences"]}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_map_changes_with_the_quiz_and_the_hunt(demo_on, lang):  # noqa: F811
    client = Client()
    _, html = play(client, "ldai_skills_map", "learner-a", lang)
    prefix = handler_prefix(html)
    status, state = call(client, prefix, "choose_job", {"job": "finance"})
    assert status == 200 and state["job"] == "finance"
    status, state = call(client, prefix, "save_self_assessment", {"levels": {q["id"]: 1 for q in state["questions"]}})
    assert status == 200 and state["self_complete"]
    before = rows_of(state)
    assert before["output-verification"]["evidenced"] is None
    assert call(client, prefix, "mark_seen", {})[0] == 200

    _, quiz = play(client, "ldai_risk_quiz", "learner-a", lang)
    quiz_prefix = handler_prefix(quiz)
    _, quiz_state = call(client, quiz_prefix, "student_view_user_state")
    for question in quiz_state["questions"]:
        status, quiz_state = call(client, quiz_prefix, "submit_answer", {"question_id": question["id"], "selected": [question["choices"][0]["id"]]})
        assert status == 200, quiz_state
    assert quiz_state["completed"]

    _, hunt = play(client, "ldai_hallucination_detector", "learner-a", lang)
    hunt_prefix = handler_prefix(hunt)
    call(client, hunt_prefix, "start_attempt", {})
    _, hunt_state = call(client, hunt_prefix, "student_view_user_state")
    flags = {item["id"]: [list(unit) for unit in item["units"][:2]] for item in hunt_state["items"]}
    status, hunt_state = call(client, hunt_prefix, "submit", {"flags": flags})
    assert status == 200 and hunt_state["submitted"]

    _, html = play(client, "ldai_skills_map", "learner-a", lang)
    after = page_state(html)
    assert rows_of(after)["output-verification"]["evidence_count"] >= 2  # the quiz's category and the hunt's recall
    assert rows_of(after)["output-verification"]["evidenced"] is not None
    assert after["map"]["last_seen_at"] and after["map"]["changes"]

    _, teacher = play(client, "ldai_skills_map", "instructor", lang, view="results")
    assert 'id="ldai-cohort-title"' in teacher  # one learner: counted, never shown (below the minimum group)
    assert 'class="ldai-lti-heatmap"' not in teacher
