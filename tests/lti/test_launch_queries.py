"""What a resource launch asks of the database (issue 13, item 6): counted, not timed.

Launches come from lti-consumer-xblock's LtiAdvantageConsumer (conftest.py). The speed itself is
measured in bench/bench_lti.py as a ratio against pylti1p3's example tool; here the NUMBER of
queries per launch is asserted, and that the caches behind the fewer queries never serve a
learner or an instructor anything stale:

- the learner's rows: one SELECT for all of them (none found: a learner the tool never saw), no
  UPDATE of their name when it did not change, and a known learner's answers always shown;
- the resource link's settings: kept per process (``runtime.link_cache``), dropped when any
  process saves the link (shared version), never its shared state (the leaderboard);
- the course's charter the quiz grades against: kept per process (``runtime.charter_service``), dropped
  when the charter activity saves it.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

from django.db import connection
from django.test.utils import CaptureQueriesContext

from lti_tool.lti import claims as c
from lti_tool.models import LearnerState, ResourceLinkConfig
from lti_tool.runtime import link_cache
from tests.lti.runtime_fixtures import call, handler_prefix, init_args, launch_page

pytest_plugins = ["tests.lti.runtime_fixtures"]

QUIZ = {c.CUSTOM_ACTIVITY: "ldai_risk_quiz", c.CUSTOM_PACK: "en/ai-risks", c.CUSTOM_SETTINGS: json.dumps({"num_questions": 3})}


def _queries(table: str, queries) -> list[str]:
    return [q["sql"] for q in queries if f'"{table}"' in q["sql"]]


def _launch_counting(client, consumer, **kwargs) -> tuple[str, list[dict]]:
    with CaptureQueriesContext(connection) as captured:
        html = launch_page(client, consumer, **kwargs)
    return html, captured.captured_queries


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


# The learner's rows, the "launched" statement, and its dashboard summaries (issue 16, in the statement's transaction;
# lti_tool/dashboard/summaries.py): the upsert of the learner's activity of the day, then their all-time totals on their
# profile row: an upsert that locks the row and returns the stored totals, then the UPDATE of the merged totals (what lets
# the dashboard read one record per learner instead of sorting their rows).
LAUNCH_QUERIES = [("SELECT", "lti_tool_learnerstate"), ("INSERT", "lti_tool_statement"), ("INSERT", "lti_tool_learneractivityday"),
                  ("INSERT", "lti_tool_learnerprofile"), ("UPDATE", "lti_tool_learnerprofile")]


def _statements(queries) -> list[tuple[str, str]]:
    """(verb, table) of every query that reads or writes data; transaction control left out (it differs
    between SQLite, where Django sends ``BEGIN IMMEDIATE``, and PostgreSQL, where the driver opens it)."""
    found = []
    for q in queries:
        sql = q["sql"].strip()
        if sql.upper().startswith(TRANSACTION_CONTROL):
            continue
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"([a-z_]+)"', sql)
        found.append((sql.split()[0].upper(), table.group(1) if table else sql[:40]))
    return found


def _answer_first_question(client, consumer, user_id: str, name: str) -> tuple[dict, dict]:
    """A learner's launch and first answer: (the state before answering, the question answered)."""
    prefix = handler_prefix(launch_page(client, consumer, custom=QUIZ, user_id=user_id, name=name))
    _, state = call(client, prefix, "student_view_user_state")
    question = state["questions"][0]
    assert call(client, prefix, "submit_answer", {"question_id": question["id"], "selected": [question["choices"][0]["id"]]})[0] == 200
    return state, question


def test_a_new_learner_launch_is_one_select_and_one_insert(client, graded_platform):
    """The whole launch (OIDC login + launch + the rendered quiz) of a learner the tool never saw, once the
    link and the course's charter are in this process: the learner's rows looked up (none), the "launched"
    statement written. Registrations, the link and the charter come from the process caches."""
    consumer, _ = graded_platform
    launch_page(client, consumer, custom=QUIZ, user_id="learner-1")  # creates the link
    launch_page(client, consumer, custom=QUIZ, user_id="learner-2")  # the link and the charter read into the process
    _, queries = _launch_counting(client, consumer, custom=QUIZ, user_id="never-seen")
    assert _statements(queries) == LAUNCH_QUERIES


def test_a_returning_learner_launch_is_the_same_two_queries_and_shows_their_state(client, graded_platform):
    """A learner who answered before, same name: no UPDATE of their name, no SELECT per scope, and the page
    renders their attempt (the same questions, the answer given)."""
    consumer, _ = graded_platform
    state, question = _answer_first_question(client, consumer, "learner-1", "Alex Martin")
    launch_page(client, consumer, custom=QUIZ, user_id="learner-2")  # the link created above, read into the process
    html, queries = _launch_counting(client, consumer, custom=QUIZ, user_id="learner-1", name="Alex Martin")
    assert _statements(queries) == LAUNCH_QUERIES
    shown = init_args(html)["state"]
    assert [q["id"] for q in shown["questions"]] == [q["id"] for q in state["questions"]]
    assert question["id"] in shown["answers"]


def test_the_course_charter_is_read_once_per_process_and_again_when_saved(client, graded_platform):
    """The quiz grades its charter questions against the course's charter (blocks/risk_quiz.py charter_rules):
    kept per process (runtime.charter_service), dropped when the charter activity saves a new one."""
    from django.core.cache import cache

    from ldai_xblocks.content.packs import load_pack
    from lti_tool.models import CourseCharter
    from lti_tool.runtime import charter_service

    consumer, _ = graded_platform
    teacher = launch_page(client, consumer, custom=QUIZ, role="instructor", user_id="teacher-1")
    assert "edited in its charter activity" not in teacher  # the course has no charter: the quiz's own rules
    _, queries = _launch_counting(client, consumer, custom=QUIZ, role="instructor", user_id="teacher-1")
    assert _queries("lti_tool_coursecharter", queries) == []  # its absence is remembered too
    charter = launch_page(client, consumer, custom={c.CUSTOM_ACTIVITY: "ldai_charter"}, role="instructor",
                          user_id="teacher-1", resource_link_id="link-charter")
    document = load_pack("charter", "en/ai-charter")
    status, body = call(client, handler_prefix(charter), "studio_submit", {"charter": json.dumps(document), "version": "1.0"})
    assert status == 200, body
    assert "edited in its charter activity" in launch_page(client, consumer, custom=QUIZ, role="instructor", user_id="teacher-1")
    # Another process saving the charter: seen as soon as the shared version moves.
    row = CourseCharter.objects.get()
    CourseCharter.objects.filter(pk=row.pk).update(document={**row.document, "version": "9.9"})  # no signal here
    cache.incr(charter_service.VERSION_KEY)
    session = SimpleNamespace(context=SimpleNamespace(platform=row.platform, context_id=row.context_id))  # what the service reads
    assert charter_service.LtiCourseCharterService(session).load().document["version"] == "9.9"


def test_a_renamed_learner_is_renamed_on_the_rows_the_render_then_saves(client, graded_platform):
    consumer, _ = graded_platform
    _answer_first_question(client, consumer, "learner-1", "Zorglub Martin")
    _, queries = _launch_counting(client, consumer, custom=QUIZ, user_id="learner-1", name="Zorglub Dupont")
    assert any(q.startswith("UPDATE") for q in _queries("lti_tool_learnerstate", queries))
    assert set(LearnerState.objects.values_list("user_name", flat=True)) == {"Zorglub Dupont"}


def test_settings_saved_by_the_instructor_reach_the_next_launch_at_once(client, graded_platform):
    consumer, _ = graded_platform
    launch_page(client, consumer, custom=QUIZ, user_id="learner-1")
    teacher = launch_page(client, consumer, custom=QUIZ, role="instructor", user_id="teacher-1")
    status, body = call(client, handler_prefix(teacher), "studio_submit", {"display_name": "Risks at work, revised"})
    assert status == 200 and body["saved"]
    assert "Risks at work, revised" in launch_page(client, consumer, custom=QUIZ, user_id="learner-1")


def test_another_process_saving_the_link_drops_this_process_copy(client, graded_platform):
    consumer, _ = graded_platform
    launch_page(client, consumer, custom=QUIZ, user_id="learner-1")
    link = ResourceLinkConfig.objects.get()
    ResourceLinkConfig.objects.filter(pk=link.pk).update(title="Renamed elsewhere")  # no signal in this process
    from django.core.cache import cache

    cache.incr(link_cache.VERSION_KEY)  # what the other process's save did to the shared version
    assert link_cache.resource_link(link.deployment_id, link.resource_link_id).title == "Renamed elsewhere"


def test_the_shared_state_is_never_served_from_the_cache(graded_platform, client):
    consumer, _ = graded_platform
    launch_page(client, consumer, custom=QUIZ, user_id="learner-1")
    link = ResourceLinkConfig.objects.get()
    cached = link_cache.resource_link(link.deployment_id, link.resource_link_id)
    cached.summary = {"leaderboard_entries": {"a": 1}}
    cached.save(update_fields=["summary", "modified"])  # a learner's submit: the cached settings stay valid
    with CaptureQueriesContext(connection) as captured:
        fresh = link_cache.resource_link(link.deployment_id, link.resource_link_id)
        assert _queries("lti_tool_resourcelinkconfig", captured.captured_queries) == []
        assert fresh.summary == {"leaderboard_entries": {"a": 1}}  # loaded from the database on first access
    assert len(_queries("lti_tool_resourcelinkconfig", captured.captured_queries)) == 1
    fresh.settings["display_name"] = "changed in one request only"
    assert "display_name" not in link_cache.resource_link(link.deployment_id, link.resource_link_id).settings


def test_asset_urls_are_built_once_per_process(client, graded_platform):
    from lti_tool.runtime import xblock_runtime

    consumer, _ = graded_platform
    html = launch_page(client, consumer, custom=QUIZ, user_id="learner-1")
    url = re.search(r'src="([^"]*xblock-runtime\.js\?v=[0-9a-f]{12})"', html).group(1)
    assert any(value == url for value in xblock_runtime._asset_urls.values())
    assert launch_page(client, consumer, custom=QUIZ, user_id="learner-2").count(url) == html.count(url)
