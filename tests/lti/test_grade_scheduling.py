"""When grades are handed to a worker: on commit, by the sweep, never twice while a task waits.

Runs on SQLite and on PostgreSQL + Redis (``make test``'s two passes); here Celery is in its
embedded mode (no broker: tasks run in the calling process), so the sweep's tasks deliver
for real to the platform on 127.0.0.1 within the test. tests/lti/test_grade_workers.py runs
the same code in four real worker processes.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from lti_tool import tasks
from lti_tool.celery_app import tasks_run_in_workers
from lti_tool.grades import scheduling
from lti_tool.models import GradeOutbox
from tests.lti.celery_workers import require_services
from tests.lti.runtime_fixtures import queue

pytest_plugins = ["tests.lti.runtime_fixtures"]
Status = GradeOutbox.Status


def test_a_score_is_handed_over_only_when_its_transaction_commits(link, django_capture_on_commit_callbacks):
    assert not tasks_run_in_workers()  # the embedded default: no broker needed
    with django_capture_on_commit_callbacks() as callbacks:
        queue(link, user="learner-commit")
    assert len(callbacks) == 1
    try:
        with django_capture_on_commit_callbacks() as rolled_back, transaction.atomic():
            queue(link, user="learner-rollback")
            raise RuntimeError("the learner's transaction fails")
    except RuntimeError:
        pass
    assert rolled_back == [] and not GradeOutbox.objects.filter(user_sub="learner-rollback").exists()


def test_the_sweep_delivers_what_is_due_and_leaves_the_rest(link, fake_platform):
    due = [queue(link, user=f"learner-due-{n}") for n in range(3)]
    later = queue(link, user="learner-later")
    GradeOutbox.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    assert tasks.sweep_grades() == 3
    assert {row.status for row in GradeOutbox.objects.filter(pk__in=[r.pk for r in due])} == {Status.SENT}
    assert GradeOutbox.objects.get(pk=later.pk).status == Status.PENDING
    assert sorted(s.body["userId"] for s in fake_platform.scores) == [f"learner-due-{n}" for n in range(3)]
    assert tasks.sweep_grades() == 0  # nothing due any more


def test_a_row_whose_task_waits_in_the_queue_is_not_enqueued_again(link, fake_platform):
    row = queue(link, user="learner-waiting")
    cache.add(scheduling._marker(row.pk), 1, 60)  # a task for it is waiting in the broker
    assert scheduling.sweep() == 0 and fake_platform.score_requests == 0
    assert tasks.deliver_grade(row.pk) == "sent"  # the waiting task runs...
    assert tasks.deliver_grade(row.pk) is None  # ...and a late duplicate finds nothing to do
    assert fake_platform.score_requests == 1


def test_an_expired_lease_of_a_dead_worker_is_swept_and_delivered(link, fake_platform):
    row = queue(link, user="learner-dead-worker")
    GradeOutbox.objects.filter(pk=row.pk).update(status=Status.SENDING, lease_until=timezone.now() - timedelta(seconds=1))
    assert scheduling.queue_lag_seconds() >= 0
    assert tasks.sweep_grades() == 1
    assert GradeOutbox.objects.get(pk=row.pk).status == Status.SENT and fake_platform.score_requests == 1


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_claim_skips_rows_another_worker_has_locked(link, settings):
    """Two workers at the same instant: the second neither waits for the first's row lock nor takes its row."""
    require_services()
    settings.LDAI_LTI_RUNTIME = {**settings.LDAI_LTI_RUNTIME, "GRADES_IN_PROCESS": False}  # no third sender in this process
    rows = [queue(link, user=f"learner-lock-{n}").pk for n in range(3)]
    locked, release = threading.Event(), threading.Event()

    def first_worker():
        with transaction.atomic():
            list(GradeOutbox.objects.select_for_update().filter(pk=rows[0]))
            locked.set()
            release.wait(30)
        connection.close()

    holder = threading.Thread(target=first_worker)
    holder.start()
    try:
        assert locked.wait(30)
        now = timezone.now()
        claimed = [pk for pk, _lease in scheduling.claim(scheduling.due(now), now, 10, 60)]
    finally:
        release.set()
        holder.join(30)
    assert sorted(claimed) == rows[1:]  # the locked row was skipped, not waited for and not taken
    assert GradeOutbox.objects.get(pk=rows[0]).status == Status.PENDING
