"""The database's figures (dashboard/aggregates.py) equal the engine's (engine/value_metrics.py) for every figure.

Statements are made by the profile (``engine.xapi.statement``) for random populations of learners over every
activity the dashboard reads (quizzes with categories, hunts, prompts with criteria and confidential-data kinds,
the skills map, the charter, use cases and managers' ratings), stored with their facts as the runtime stores them
(``runtime.statements.store_facts_and_summaries``), then the SQL path and the naive path are compared under several filters.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from ldai_xblocks.engine import value_metrics as vm
from ldai_xblocks.engine import xapi
from lti_tool.dashboard import aggregates, queries
from lti_tool.dashboard.access import scope_of_platform
from lti_tool.models import Deployment, Platform, Statement
from lti_tool.runtime.statements import store_facts_and_summaries
from tests.lti.celery_workers import require_services

T0 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
FAMILIES = ("", "sales", "hr")


def store(deployment, context_id: str, actor: str, name: str, data: dict, when: datetime, *, instructor: bool = False) -> None:
    body = xapi.statement(xapi.TrackingEvent(name, data, {"home_page": deployment.platform.issuer, "id": actor},
                                             {"activity_id": f"https://tool.example/lti/resource/1/{name.split('.')[1]}",
                                              "job_family": data.get("job_family", "")}, when))
    result = body.get("result") or {}
    _, activity, action = name.split(".")
    statement = Statement.objects.create(
        id=body["id"], deployment=deployment, context_id=context_id, resource_link_id=activity, activity=activity, action=action, actor=actor,
        job_family=data.get("job_family", ""), team=data.get("team", ""), is_instructor=instructor,
        score=(result.get("score") or {}).get("scaled"), success=result.get("success"), timestamp=when, body=body)
    store_facts_and_summaries([statement])  # as runtime.statements.record stores a statement


def populate(deployment, seed: int, learners: int = 14) -> None:
    rng = random.Random(seed)
    for index in range(learners):
        actor = f"anon-{seed}-{index}"
        family, team = rng.choice(FAMILIES), rng.choice(["", "north", "south"])
        context_id = rng.choice(["course-1", "course-1", "course-2"])
        minute = rng.randrange(60 * 24 * 40)

        def at(step: int, minute: int = minute) -> datetime:
            return T0 + timedelta(minutes=minute + step * 7)

        store(deployment, context_id, actor, "ldai.risk_quiz.launched", {}, at(0))
        for attempt in range(rng.randrange(3)):
            score = round(rng.random(), 2)
            store(deployment, context_id, actor, "ldai.risk_quiz.submitted",
                  {"score": score, "passed": score > 0.5, "job_family": family, "team": team,
                   "categories": {c: round(rng.random(), 2) for c in rng.sample(["privacy", "bias", "ip"], rng.randrange(1, 4))}}, at(1 + attempt))
        store(deployment, context_id, actor, "ldai.risk_quiz.answered", {"question_id": "q1", "score": 1.0}, at(4))
        for attempt in range(rng.randrange(5)):
            store(deployment, context_id, actor, "ldai.prompt_sandbox.submitted",
                  {"grade": round(rng.random(), 2), "score": 50, "criteria": {c: round(rng.random(), 2) for c in ("role", "task")},
                   "sensitive_kinds": rng.sample(["email", "iban"], rng.randrange(3)), "job_family": family}, at(5 + attempt))
        if rng.random() < 0.8:
            store(deployment, context_id, actor, "ldai.skills_map.self_assessed",
                  {"competence_levels": {c: rng.randrange(4) for c in rng.sample(["prompting", "risks"], rng.randrange(1, 3))}}, at(10))
            store(deployment, context_id, actor, "ldai.skills_map.submitted",
                  {"score": 0.5, "competences": rng.sample(["prompting", "risks", "data"], rng.randrange(3))}, at(11))
        if rng.random() < 0.7:
            store(deployment, context_id, actor, "ldai.charter.accepted", {"charter_version": rng.choice(["2026-01", "2026-06"])}, at(12))
        if rng.random() < 0.6:
            store(deployment, context_id, actor, "ldai.use_case.case_recorded", {"minutes_saved": rng.randrange(90), "job_family": family}, at(13))
        if rng.random() < 0.3:
            store(deployment, context_id, actor, "ldai.use_case.case_validated", {"minutes_saved": rng.randrange(90)}, at(14))
            store(deployment, context_id, actor, "ldai.use_case.usage_rated", {"score": round(rng.random(), 2)}, at(15))
        for role, step in (("pre", 16), ("pre", 17), ("post", 18), ("post", 19))[:rng.randrange(5)]:  # a quiz pair: some learners stop half-way
            store(deployment, context_id, actor, "ldai.risk_quiz.submitted",
                  {"score": round(rng.random(), 2), "passed": False, "prepost_pair": rng.choice(["risks", "risks", "data"]), "prepost_role": role},
                  at(step))
    store(deployment, "course-1", "teacher", "ldai.risk_quiz.submitted", {"score": 1.0, "passed": True}, T0, instructor=True)


@pytest.fixture
def deployment(db):
    platform = Platform.objects.create(name="P", issuer="https://lms.example", client_id="c", auth_login_url="https://lms.example/a",
                                       auth_token_url="https://lms.example/t", keyset_url="https://lms.example/k")
    return Deployment.objects.create(platform=platform, deployment_id="d")


FILTERS = [
    vm.Filters(),
    vm.Filters(job_family="sales"),
    vm.Filters(team="north"),
    vm.Filters(since=T0 + timedelta(days=10), until=T0 + timedelta(days=30)),
    vm.Filters(since=T0 - timedelta(days=1), until=T0 + timedelta(days=400), job_family="sales"),  # holds every day: the totals answer
]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("minimum", [1, 3])
def test_the_database_gives_the_engines_figures(deployment, seed, minimum):
    populate(deployment, seed)
    platform_wide = scope_of_platform(deployment.platform, "en")
    one_course = platform_wide.__class__(platform_wide.platform, platform_wide.deployment_ids, "course-1", "Course", "en")
    for scope in (platform_wide, one_course):
        for filters in FILTERS:
            fast = queries.dashboard(scope, filters, minimum)
            naive = queries.naive_dashboard(scope, filters, minimum)
            for name in vm.Dashboard.__dataclass_fields__:
                assert getattr(fast, name) == getattr(naive, name), (name, scope.context_id, filters)
            assert fast.pre_post or scope.context_id or filters != vm.Filters()  # the pairs are exercised


@pytest.mark.parametrize("seed", [1, 2])
def test_the_learners_totals_and_the_day_summaries_give_the_same_figures(deployment, seed):
    """Without a period the page reads each learner's all-time totals (dashboard/learner_totals.py); the day summaries
    must say the same over all days, with and without a job family or team."""
    populate(deployment, seed)
    scope = scope_of_platform(deployment.platform, "en")
    for filters in [*FILTERS[:3], FILTERS[4]]:
        assert aggregates.dashboard(scope, filters, 2) == aggregates.dashboard(scope, filters, 2, from_days=True), filters


def test_a_learner_in_two_courses_is_one_learner_platform_wide(deployment):
    """The platform's scope merges a learner's totals of every course: latest category score, first and best attempts,
    the job family given last (here in the second course) for the funnel's groups and the filter."""
    populate(deployment, 6, learners=10)
    for index in range(6):
        actor, when = f"anon-6-{index}", T0 + timedelta(days=50, minutes=index)
        store(deployment, "course-2", actor, "ldai.risk_quiz.submitted",
              {"score": 0.1 * index, "passed": False, "job_family": "finance", "team": "east", "categories": {"privacy": 0.1 * index}}, when)
        store(deployment, "course-3", actor, "ldai.charter.accepted", {"charter_version": "2027-01"}, when + timedelta(minutes=1))
    scope = scope_of_platform(deployment.platform, "en")
    for filters in (vm.Filters(), vm.Filters(job_family="finance"), vm.Filters(team="east")):
        fast, naive = queries.dashboard(scope, filters, 1), queries.naive_dashboard(scope, filters, 1)
        assert fast == naive, filters
    assert {row.job_family for row in queries.dashboard(scope, vm.Filters(job_family="finance"), 1).funnel} == {"finance"}


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_job_family_filter_plans_no_nested_loop_over_learners():
    """The learners' job family comes from a CTE PostgreSQL estimates at 100 rows whatever their number: a nested loop over
    it took 26 s at 20,000 learners (bench/bench_dashboard.py's data). The dashboard's transaction turns nested loops off."""
    require_services()
    from django.db import connection, transaction

    platform = Platform.objects.create(name="P", issuer="https://lms.example", client_id="c", auth_login_url="https://lms.example/a",
                                       auth_token_url="https://lms.example/t", keyset_url="https://lms.example/k")
    deployment = Deployment.objects.create(platform=platform, deployment_id="d")
    populate(deployment, 7, learners=6)
    plans = []
    original = aggregates._rows

    def explained(sql, where, extra=None):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {where.ctes} {sql}", [*where.cte_params, *where.params, *(extra or [])])
            plans.append("\n".join(line for (line,) in cursor.fetchall()))
        return original(sql, where, extra)

    aggregates._rows = explained
    try:
        with transaction.atomic():
            aggregates.dashboard(scope_of_platform(platform, "en"), vm.Filters(job_family="sales"), 1, from_days=True)
    finally:
        aggregates._rows = original
    assert len(plans) >= 8 and not [plan for plan in plans if "Nested Loop" in plan]


def test_the_learner_lines_on_the_page_are_the_first_of_the_full_list(deployment):
    populate(deployment, 4, learners=20)
    scope = scope_of_platform(deployment.platform, "en")
    every = queries.dashboard(scope, vm.Filters(), 1).learners
    assert len(every) > 5 and queries.dashboard(scope, vm.Filters(), 1, learner_limit=5).learners == every[:5]
    # the day summaries' path (a period) ranks the learners once for the cohorts and their lines: same lines, same cut
    assert aggregates.dashboard(scope, vm.Filters(), 1, from_days=True).learners == every
    assert aggregates.dashboard(scope, vm.Filters(), 1, learner_limit=5, from_days=True).learners == every[:5]
    assert aggregates.dashboard(scope, vm.Filters(), 1, learner_limit=0, from_days=True).learners == []
    assert aggregates.dashboard(scope, vm.Filters(), 1, learner_limit=0, from_days=True).cohorts == queries.dashboard(
        scope, vm.Filters(), 1).cohorts


def test_a_new_statement_is_counted_at_once_despite_the_cache(deployment):
    populate(deployment, 5, learners=6)
    scope = scope_of_platform(deployment.platform, "en")
    before = queries.dashboard(scope, vm.Filters(), 1)
    assert queries.dashboard(scope, vm.Filters(), 1) == before  # the same statements: the same (cached) figures
    store(deployment, "course-1", "late-learner", "ldai.risk_quiz.launched", {}, T0 + timedelta(days=60))
    after = queries.dashboard(scope, vm.Filters(), 1)
    assert sum(r.launched for r in after.funnel) == sum(r.launched for r in before.funnel) + 1
    assert after == queries.naive_dashboard(scope, vm.Filters(), 1)


@pytest.mark.django_db(transaction=True)
def test_statements_stored_before_the_dashboard_get_their_facts_when_it_migrates():
    """Migration 0100 backfills the team column and the facts of the statements 0004 already stored."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("lti_tool", "0006_registration_links_and_pending")])
    old = executor.loader.project_state([("lti_tool", "0006_registration_links_and_pending")]).apps
    platform = old.get_model("lti_tool", "Platform").objects.create(
        name="P", issuer="https://lms.example", client_id="c", auth_login_url="https://lms.example/a",
        auth_token_url="https://lms.example/t", keyset_url="https://lms.example/k")
    deployment = old.get_model("lti_tool", "Deployment").objects.create(platform=platform, deployment_id="d")
    body = xapi.statement(xapi.TrackingEvent("ldai.risk_quiz.submitted", {"score": 0.5, "team": "north", "categories": {"bias": 0.5}},
                                             {"home_page": "https://lms.example", "id": "a"}, {"activity_id": "https://tool.example/x"}, T0))
    old.get_model("lti_tool", "Statement").objects.create(id=body["id"], deployment=deployment, activity="risk_quiz", action="submitted",
                                                          actor="a", timestamp=T0, body=body)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    statement = Statement.objects.get()
    assert statement.team == "north"
    assert [(f.kind, f.key, f.value) for f in statement.facts.all()] == [("category", "bias", 0.5)]
