"""xAPI forwarding on the grades' mechanism (lti_tool.tasks, Celery beat; issue 13): a periodic task drains
what is due, and on PostgreSQL two workers never take the same statement (SKIP LOCKED, as
tests/lti/test_grade_scheduling.py shows for grades). Runs in both passes of ``make test``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lti_tool import tasks
from lti_tool.models import Statement
from lti_tool.xapi import forwarding
from tests.lti.celery_workers import locked_by_another_worker, require_services
from tests.xapi.test_forwarding import deployment, store  # noqa: F401 (the fixture)

DOWN_LRS = {"LRS_URL": "http://127.0.0.1:9/xAPI/"}  # nothing listens on the discard port: every send is retried


def test_celery_beat_runs_the_forwarding_task(settings):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "ldai.forward_statements")
    assert entry["schedule"] > 0


def test_the_task_drains_what_is_due(settings, deployment):  # noqa: F811
    settings.LDAI_XAPI = DOWN_LRS
    settings.LDAI = {**settings.LDAI, "HTTP_ALLOWED_HOSTS": ["127.0.0.1"]}
    store(deployment, 2, start=timezone.now() - timedelta(minutes=1))
    assert tasks.forward_statements() == {"sent": 0, "retried": 2, "failed": 0}
    assert tasks.forward_statements() == {"sent": 0, "retried": 0, "failed": 0}  # the back-off holds between beats


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_claim_skips_statements_another_worker_has_locked(deployment, settings):  # noqa: F811
    require_services()
    settings.LDAI_XAPI = DOWN_LRS
    rows = [str(r.pk) for r in store(deployment, 3, start=timezone.now() - timedelta(minutes=1))]
    with locked_by_another_worker(Statement.objects.filter(pk=rows[0])):
        claimed, _lease = forwarding.claim(timezone.now(), 10, 60)
    assert sorted(str(pk) for pk in claimed) == sorted(rows[1:])  # the locked row was skipped, not waited for
    assert Statement.objects.get(pk=rows[0]).forward_lease_until is None
