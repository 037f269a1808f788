"""The dashboard's per-learner summaries (lti_tool/dashboard/summaries.py): kept on write, rebuilt from statements, safe under parallel writers.

The figures read from them are compared with the statements' figures in test_dashboard_sql.py; here the
summaries themselves: the writers' upserts (one statement at a time, as ``runtime.statements.record`` does)
give the rows ``manage.py ldai_rebuild_summaries`` gives, and on PostgreSQL concurrent writers of the same
learner's day lose no update (INSERT ... ON CONFLICT DO UPDATE takes the row's lock).
"""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from ldai_xblocks.engine import value_metrics as vm
from lti_tool.dashboard import learner_totals, queries
from lti_tool.dashboard.access import scope_of_platform
from lti_tool.models import Deployment, LearnerActivityDay, LearnerFactDay, LearnerProfile, Platform
from tests.lti.celery_workers import require_services
from tests.lti.test_dashboard_sql import T0, populate, store
from tests.unit.test_learner_totals import rounded


def snapshot() -> dict[str, list[tuple]]:
    """Every summary row; a profile's totals parsed (and its revision left out: it counts writes, which a rebuild does not replay)."""
    def rows(model, exclude=("id", "revision")):
        names = [f.attname for f in model._meta.concrete_fields if f.name not in exclude]
        return sorted(tuple(str(rounded(learner_totals.loads(v) if name == "totals" else v)) for name, v in zip(names, row, strict=True))
                      for row in model.objects.values_list(*names))

    return {"activity": rows(LearnerActivityDay), "fact": rows(LearnerFactDay), "profile": rows(LearnerProfile)}


@pytest.fixture
def deployment(db):
    platform = Platform.objects.create(name="P", issuer="https://lms.example", client_id="c", auth_login_url="https://lms.example/a",
                                       auth_token_url="https://lms.example/t", keyset_url="https://lms.example/k")
    return Deployment.objects.create(platform=platform, deployment_id="d")


@pytest.mark.parametrize("seed", [7, 8])
def test_the_writers_upserts_and_the_rebuild_give_the_same_summaries(deployment, seed):
    populate(deployment, seed, learners=16)  # one statement at a time, each summarised as the runtime does
    written = snapshot()
    assert written["activity"] and written["fact"] and written["profile"]
    out = io.StringIO()
    call_command("ldai_rebuild_summaries", stdout=out)
    assert "Summaries rebuilt from" in out.getvalue()
    assert snapshot() == written


def test_instructors_previews_are_not_summarised(deployment):
    store(deployment, "course-1", "teacher", "ldai.risk_quiz.submitted", {"score": 1.0, "passed": True}, T0, instructor=True)
    assert not LearnerActivityDay.objects.exists() and not LearnerFactDay.objects.exists()


def test_a_learners_summary_of_a_day_merges_earliest_latest_best(deployment):
    """Statements arriving out of order (routed from Open edX late): the first attempt is the earliest, not the first written."""
    for minutes, score in ((30, 0.9), (10, 0.4), (20, 0.2)):
        store(deployment, "course-1", "a", "ldai.risk_quiz.submitted", {"score": score, "passed": score > 0.5, "job_family": "hr"},
              T0 + timedelta(minutes=minutes))
    row = LearnerActivityDay.objects.get()
    assert (row.graded, row.first_score, row.best_score, row.stage) == (3, 0.4, 0.9, vm.PASSED)
    assert (row.first_at, row.last_at) == (T0 + timedelta(minutes=10), T0 + timedelta(minutes=30))
    assert LearnerProfile.objects.get().job_family == "hr"


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_parallel_writers_of_one_learners_day_lose_no_update():
    """Eight writers record the same learner's attempts at once, each in its own transaction and connection (as gunicorn
    workers do): the day's row counts every attempt, and equals what a rebuild from the statements gives."""
    require_services()
    platform = Platform.objects.create(name="P", issuer="https://lms.example", client_id="c", auth_login_url="https://lms.example/a",
                                       auth_token_url="https://lms.example/t", keyset_url="https://lms.example/k")
    deployment = Deployment.objects.create(platform=platform, deployment_id="d")
    writers, start, errors = 8, threading.Barrier(8), []

    def writer(index: int) -> None:
        try:
            start.wait(10)
            with transaction.atomic():
                store(deployment, "course-1", "same-learner", "ldai.prompt_sandbox.submitted",
                      {"grade": index / 10, "score": 50, "criteria": {"role": index / 10}, "sensitive_kinds": ["email"], "job_family": "sales"},
                      T0 + timedelta(minutes=index))
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    row = LearnerActivityDay.objects.get()
    assert (row.graded, row.first_score, row.best_score) == (writers, 0.0, 0.7)
    assert LearnerFactDay.objects.get(kind="confidential", key="email").events == writers
    written = snapshot()
    call_command("ldai_rebuild_summaries", stdout=io.StringIO())
    assert snapshot() == written
    scope = scope_of_platform(platform, "en")
    assert queries.dashboard(scope, vm.Filters(), 1) == queries.naive_dashboard(scope, vm.Filters(), 1)


def test_prompt_criteria_over_days_written_out_of_order_equal_the_statements(deployment):
    """The criteria's 1st, 2nd, 3rd+ scores from day summaries (earliest two per day, latest) whatever the order of arrival."""
    plan = [(2, 0, 0.3), (0, 1, 0.1), (2, 5, 0.9), (0, 0, 0.2), (1, 3, 0.5), (3, 0, 0.7)]  # (day, minute, score), not in time order
    for learner in ("a", "b"):
        for day, minute, score in plan[: 6 if learner == "a" else 3]:
            store(deployment, "course-1", learner, "ldai.prompt_sandbox.submitted", {"grade": score, "score": 50, "criteria": {"role": score}},
                  T0 + timedelta(days=day, minutes=minute))
    scope = scope_of_platform(deployment.platform, "en")
    for filters in (vm.Filters(), vm.Filters(since=T0 + timedelta(days=1)), vm.Filters(until=T0 + timedelta(days=1))):
        fast, naive = queries.dashboard(scope, filters, 1), queries.naive_dashboard(scope, filters, 1)
        assert fast.criteria == naive.criteria and fast.criteria, filters
