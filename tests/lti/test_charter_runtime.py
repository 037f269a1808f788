"""The charter in the tool's runtime: a real launch, the course's one charter per platform and context,
the quiz of the same course graded against it, and the instructor's acceptances (table and CSV)."""

from __future__ import annotations

import json
import re
from html import unescape

from ldai_xblocks.content.packs import load_pack
from ldai_xblocks.engine import charter as engine
from lti_tool.grades import sender
from lti_tool.lti import claims as c
from lti_tool.models import CourseCharter, LearnerState, Statement
from tests.lti.runtime_fixtures import call, handler_prefix, init_args, launch_page

pytest_plugins = ["tests.lti.runtime_fixtures"]

CHARTER = {c.CUSTOM_ACTIVITY: "ldai_charter"}
QUIZ = {c.CUSTOM_ACTIVITY: "ldai_risk_quiz", c.CUSTOM_PACK: "en/ai-risks"}


def right_answers(state: dict, document: dict | None = None) -> dict:
    bank = engine.build_bank(document or load_pack("charter", "en/ai-charter"))
    return {q["id"]: sorted(bank.questions[q["id"]].correct_ids) for q in state["questions"]}


def accept(client, consumer, **kwargs) -> dict:
    html = launch_page(client, consumer, custom=CHARTER, **kwargs)
    prefix = handler_prefix(html)
    state = init_args(html)["state"]
    status, state = call(client, prefix, "check_answers", {"version": state["version"], "answers": right_answers(state)})
    assert status == 200 and state["passed"], state
    status, state = call(client, prefix, "accept", {"version": state["version"]})
    assert status == 200, state
    return state


def new_version(document: dict) -> dict:
    document = {**document, "sections": [dict(s, rules=[dict(r) for r in s["rules"]]) for s in document["sections"]]}
    document["sections"][1]["rules"][0]["verdict"] = "allowed"  # client data in public chatbots
    return document


def test_a_learner_accepts_the_charter_graded_at_the_platform_with_an_xapi_statement(client, graded_platform):
    consumer, gradebook = graded_platform
    html = launch_page(client, consumer, custom=CHARTER, user_id="learner-c")
    assert 'data-init="LdaiCharter"' in html
    assert "correct_if" not in html  # no answer key in the page
    state = accept(client, consumer, user_id="learner-c")
    assert state["accepted"]["version"] == "1.0" and state["accepted"]["score"] == 1.0
    assert sender.deliver_due().sent == 1 and gradebook.scores[0]["scoreGiven"] == 1.0
    statement = Statement.objects.get(activity="charter", action="accepted")
    extensions = statement.body["result"]["extensions"] if "result" in statement.body else statement.body["context"]["extensions"]
    assert "1.0" in str(extensions) and statement.score == 1.0


def test_one_charter_per_course_read_by_the_quiz_and_asked_again_on_a_new_version(client, graded_platform):
    consumer, _ = graded_platform
    accept(client, consumer, user_id="learner-c")
    teacher = launch_page(client, consumer, custom=CHARTER, role="instructor", user_id="teacher-1")
    assert 'data-init="LdaiCharterStudio"' in teacher
    document = new_version(load_pack("charter", "en/ai-charter"))
    status, body = call(client, handler_prefix(teacher), "studio_submit", {"charter": json.dumps(document), "version": "1.0"})
    assert status == 400 and list(body["fields"]) == ["version"]
    status, body = call(client, handler_prefix(teacher), "studio_submit", {"charter": json.dumps(document), "version": "2.0"})
    assert status == 200, body
    row = CourseCharter.objects.get()
    assert row.context_id == "course-1" and row.document["version"] == "2.0" and set(row.history) == {"1.0", "2.0"}
    # The quiz of the same course, another resource link: its charter questions follow the course's charter.
    quiz_teacher = launch_page(client, consumer, custom=QUIZ, role="instructor", user_id="teacher-1", resource_link_id="link-quiz")
    assert "edited in its charter activity" in quiz_teacher and 'data-ldai-rule="' not in quiz_teacher
    # Another course of the platform keeps the template.
    other = launch_page(client, consumer, custom=CHARTER, user_id="learner-c", context_id="course-2", resource_link_id="link-9")
    assert init_args(other)["state"]["version"] == "1.0"
    # Back in course-1, the learner who accepted 1.0 is asked again and shown the changed rule.
    again = init_args(launch_page(client, consumer, custom=CHARTER, user_id="learner-c"))["state"]
    assert again["version"] == "2.0" and again["accepted"] is None
    assert [r["id"] for r in again["changes"]["rules"]] == ["client-data-public-chatbot"]


def test_instructors_see_who_accepted_which_version_and_download_it(client, graded_platform):
    consumer, _ = graded_platform
    accept(client, consumer, user_id="learner-1", name="=cmd|' /C calc'!A0")
    unsure = launch_page(client, consumer, custom=CHARTER, user_id="learner-2", name="Bob <b>bold</b>")
    state = init_args(unsure)["state"]
    bank = engine.build_bank(load_pack("charter", "en/ai-charter"))
    wrong = {q["id"]: [c for c in bank.questions[q["id"]].choice_ids if c not in bank.questions[q["id"]].correct_ids][:1] for q in state["questions"]}
    status, checked = call(client, handler_prefix(unsure), "check_answers", {"version": "1.0", "answers": wrong})
    assert status == 200 and not checked["passed"]  # answered, below the threshold: not accepted
    html = launch_page(client, consumer, custom=CHARTER, role="instructor", user_id="teacher-1")
    results_url = unescape(re.search(r'href="([^"]+\?view=results)"', html).group(1))
    page = client.get(results_url).content.decode()
    assert "Charter acceptances" in page and "Not accepted yet" in page
    assert "Bob &lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page
    csv_url = unescape(re.search(r'href="([^"]+charter\.csv)"', page).group(1))
    response = client.get(csv_url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Learner,LTI user id,Charter version")
    assert any(line.startswith("\"'=cmd") or line.startswith("'=cmd") for line in lines[1:])  # neutralised formula
    assert any(",1.0," in line and ",100," in line and line.endswith("Yes") for line in lines[1:])
    assert LearnerState.objects.filter(block_type="ldai_charter", is_instructor=False).count() == 2
    learner = launch_page(client, consumer, custom=CHARTER, user_id="learner-1")
    token = handler_prefix(learner).rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/lti/results/{token}/charter.csv").status_code == 403


def test_french_launch_gets_the_french_template(client, graded_platform):
    consumer, _ = graded_platform
    state = init_args(launch_page(client, consumer, custom=CHARTER, locale="fr-FR", user_id="learner-fr"))["state"]
    assert state["charter_title"] == "Notre charte d’usage de l’IA" and len(state["questions"]) == 4


def test_hostile_author_text_in_the_charter_never_runs_in_the_learners_page(client, graded_platform):
    """The charter's text reaches the page only as escaped JSON in the init arguments (LtiRuntime's ``_json_for_html``)."""
    consumer, _ = graded_platform
    hostile = "</script><img src=x onerror=alert(1)>"
    document = load_pack("charter", "en/ai-charter")
    document = {**document, "title": hostile[:60], "sections": [dict(s) for s in document["sections"]]}
    document["sections"][0] = {**document["sections"][0], "body": hostile}
    teacher = launch_page(client, consumer, custom=CHARTER, role="instructor", user_id="teacher-1")
    status, body = call(client, handler_prefix(teacher), "studio_submit", {"charter": json.dumps(document), "version": "1.0"})
    assert status == 200, body  # the rules are unchanged: the same version stands
    html = launch_page(client, consumer, custom=CHARTER, user_id="learner-x")
    assert hostile not in html and "<img src=x" not in html
    assert init_args(html)["state"]["sections"][0]["body"] == hostile  # kept as the author wrote it, shown as text
