"""Grade delivery by several real Celery workers: nothing lost, nothing sent twice.

Four ``celery worker`` processes and a ``celery beat`` on PostgreSQL + Redis (the second
pass of ``make test``) deliver 1,000 scores to a platform on 127.0.0.1 that answers every
fifth score request with a 500. Each score is a task enqueued when its transaction commits
(lti_tool.grades.scheduling); a failed one goes back to the outbox with a back-off and the
beat's sweep re-enqueues it when due. Rows are claimed with ``SELECT ... FOR UPDATE SKIP
LOCKED`` then leased, so no two workers post the same score. The platform is the same
lti-consumer-xblock ``LtiAdvantageConsumer``-backed server the other grade tests use: it
checks every bearer token and records each score it accepts.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.db import transaction

from lti_tool.grades import ags
from lti_tool.grades.outbox import record_score
from lti_tool.models import GradeOutbox, ResourceLinkConfig
from tests.lti.celery_workers import celery_processes, require_services, worker_logs

pytest_plugins = ["tests.lti.runtime_fixtures"]

SCORES = 1000
FAIL_ONE_IN = 5


@pytest.mark.django_db(transaction=True)
def test_four_workers_deliver_1000_scores_once_each_through_a_failing_platform(registered_platform, fake_platform, tmp_path):
    require_services()
    fake_platform.fail_next(*([None] * (FAIL_ONE_IN - 1) + [500]) * SCORES)  # request 5, 10, 15... answer 500
    link = ResourceLinkConfig.objects.create(
        deployment=registered_platform, resource_link_id="rl-workers", block_type="ldai_risk_quiz",
        lineitem_url=fake_platform.add_lineitem(), ags_scopes=[ags.SCOPE_SCORE],
    )
    with celery_processes(tmp_path, workers=4):
        for batch in range(0, SCORES, 100):  # a learner's transaction each time, in production; batches here
            with transaction.atomic():
                for number in range(batch, batch + 100):
                    record_score(link, f"learner-{number:04d}", number % 11, 10)
        deadline = time.monotonic() + 600  # minutes only on a machine shared by many; seconds on CI
        while time.monotonic() < deadline:
            if GradeOutbox.objects.filter(status=GradeOutbox.Status.SENT).count() == SCORES:
                break
            time.sleep(0.5)
        statuses = Counter(GradeOutbox.objects.values_list("status", flat=True))
        assert statuses == {GradeOutbox.Status.SENT: SCORES}, worker_logs(tmp_path)
    accepted = Counter(score.body["userId"] for score in fake_platform.scores)
    assert len(accepted) == SCORES  # 0 lost
    assert max(accepted.values()) == 1  # 0 duplicates
    failed_requests = fake_platform.score_requests - len(fake_platform.scores)
    assert failed_requests >= SCORES // FAIL_ONE_IN  # the platform did fail, and every failure was retried
    # Every request the platform saw is one attempt the outbox recorded: no post went out twice for an attempt.
    assert sum(GradeOutbox.objects.values_list("attempts", flat=True)) == fake_platform.score_requests
