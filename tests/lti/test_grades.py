"""Grade delivery against a real platform's AGS endpoints (lti-consumer-xblock) on 127.0.0.1.

What must hold (issue 5, item 8): the score reaches the line item with a token the
platform accepts; the token is cached; network errors, 5xx and 429 are retried
with backoff; a platform down for an hour loses nothing; nothing is sent twice.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.grades import ags, sender
from lti_tool.grades.outbox import ScoreRejected, record_score
from lti_tool.models import GradeOutbox, ResourceLinkConfig
from tests.lti.runtime_fixtures import queue

pytest_plugins = ["tests.lti.runtime_fixtures"]

Status = GradeOutbox.Status


def test_score_reaches_the_line_item_with_a_platform_token(link, fake_platform):
    row = queue(link, value=0.75)
    stats = sender.deliver_due()
    assert stats.as_dict() == {"sent": 1, "retried": 0, "failed": 0, "deferred": 0}
    received = fake_platform.accepted_for("learner-1")
    assert len(received) == 1
    assert received[0]["scoreGiven"] == 0.75 and received[0]["scoreMaximum"] == 1.0
    assert received[0]["activityProgress"] == "Completed" and received[0]["gradingProgress"] == "FullyGraded"
    assert received[0]["timestamp"].endswith("+00:00")
    assert fake_platform.scores[0].lineitem == link.lineitem_url.split("?")[0]
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 1 and row.sent_at is not None and row.last_status_code == 200


def test_access_token_is_cached_across_deliveries(link, fake_platform):
    for user in ("a", "b", "c"):
        queue(link, user=user)
    sender.deliver_due()
    queue(link, user="d")
    sender.deliver_due()
    assert len(fake_platform.scores) == 4
    assert fake_platform.token_requests == 1


def test_a_revoked_cached_token_is_replaced_once(link, fake_platform, fresh_cache):
    client = ags.AgsClient(link.deployment.platform)
    fresh_cache.set(client._token_cache_key((ags.SCOPE_SCORE,)), "not-a-valid-token", 600)
    queue(link)
    assert sender.deliver_due().sent == 1
    assert fake_platform.rejected_tokens == 1 and fake_platform.token_requests == 1


def test_platform_500_then_recovering_delivers_exactly_once(link, fake_platform):
    fake_platform.fail_next(500, 503)
    row = queue(link, value=1.0)
    now = timezone.now()
    assert sender.deliver_due(now=now).retried == 1
    row.refresh_from_db()
    assert row.status == Status.PENDING and row.attempts == 1 and row.last_status_code == 500
    assert row.next_attempt_at > now
    assert sender.deliver_due(now=now).as_dict()["sent"] == 0  # not due yet: no hammering
    later = row.next_attempt_at + timedelta(seconds=1)
    assert sender.deliver_due(now=later).retried == 1
    row.refresh_from_db()
    assert sender.deliver_due(now=row.next_attempt_at + timedelta(seconds=1)).sent == 1
    for _ in range(3):
        sender.deliver_due(now=timezone.now() + timedelta(days=1))
    assert len(fake_platform.accepted_for("learner-1")) == 1
    assert fake_platform.score_requests == 3
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 3 and row.last_error == ""


def test_429_honours_retry_after(link, fake_platform):
    fake_platform.fail_next(429)
    row = queue(link)
    now = timezone.now()
    sender.deliver_due(now=now, policy=sender.Policy(base=0.01, cap=0.01, jitter=0))
    row.refresh_from_db()
    assert row.status == Status.PENDING and row.last_status_code == 429
    assert (row.next_attempt_at - now).total_seconds() >= 1  # the server's Retry-After: 1


def test_platform_down_for_an_hour_loses_nothing(link, fake_platform):
    """Simulated clock: the platform refuses connections for 60 minutes, then comes back."""
    fake_platform.down = True
    start = timezone.now()
    rows = [queue(link, user=f"learner-{i}", value=i / 10, when=start) for i in range(3)]
    now = start
    passes = 0
    while now < start + timedelta(hours=1):
        sender.deliver_due(now=now)
        passes += 1
        due = GradeOutbox.objects.filter(status=Status.PENDING).order_by("next_attempt_at").first()
        now = max(now + timedelta(seconds=1), due.next_attempt_at)
    assert GradeOutbox.objects.filter(status=Status.PENDING).count() == 3
    assert fake_platform.scores == []
    attempts = GradeOutbox.objects.get(pk=rows[0].pk).attempts
    assert 6 <= attempts <= 20  # backed off (not thousands of tries), yet kept trying through the hour
    fake_platform.down = False
    deadline = now + timedelta(seconds=sender.Policy().cap * 1.3)
    while GradeOutbox.objects.filter(status=Status.PENDING).exists() and now <= deadline:
        sender.deliver_due(now=now)
        now += timedelta(seconds=30)
    assert sorted(s["userId"] for s in [r.body for r in fake_platform.scores]) == ["learner-0", "learner-1", "learner-2"]
    assert set(GradeOutbox.objects.values_list("status", flat=True)) == {Status.SENT}


def test_unknown_line_item_fails_visibly_and_can_be_retried(link, fake_platform):
    ResourceLinkConfig.objects.filter(pk=link.pk).update(lineitem_url=fake_platform.lineitems_url + "/999/lineitem")
    link.refresh_from_db()
    row = queue(link)
    assert sender.deliver_due().failed == 1
    row.refresh_from_db()
    assert row.status == Status.FAILED and "HTTP 404" in row.last_error and row.last_status_code == 404
    # What the admin's retry action does: back in the queue, due now.
    GradeOutbox.objects.filter(pk=row.pk).update(status=Status.PENDING, next_attempt_at=timezone.now(), lineitem_url=fake_platform.add_lineitem())
    assert sender.deliver_due().sent == 1


def test_line_item_found_or_created_by_tag_once_per_link(registered_platform, fake_platform, fresh_cache):
    link = ResourceLinkConfig.objects.create(
        deployment=registered_platform, context_id="c1", resource_link_id="rl-2", title="Hunt", block_type="ldai_hallucination_detector",
        lineitems_url=fake_platform.lineitems_url, ags_scopes=[ags.SCOPE_SCORE, ags.SCOPE_LINEITEM],
    )
    queue(link, user="a")
    queue(link, user="b")
    assert sender.deliver_due().sent == 2
    assert len(fake_platform.lineitems) == 1
    (item,) = fake_platform.lineitems.values()
    assert item["tag"] == "ldai:ldai_hallucination_detector:rl-2" and item["label"] == "Hunt" and item["resourceLinkId"] == "rl-2"
    link.refresh_from_db()
    assert link.lineitem_url == item["id"]
    queue(link, user="c")
    sender.deliver_due()
    assert len(fake_platform.lineitems) == 1 and len(fake_platform.scores) == 3


def test_existing_tagged_line_item_is_reused(registered_platform, fake_platform, fresh_cache):
    existing = fake_platform.add_lineitem(tag="ldai:ldai_risk_quiz:rl-3", label="Made earlier", resource_link_id="rl-3")
    link = ResourceLinkConfig.objects.create(
        deployment=registered_platform, resource_link_id="rl-3", block_type="ldai_risk_quiz",
        lineitems_url=fake_platform.lineitems_url, ags_scopes=[ags.SCOPE_SCORE, ags.SCOPE_LINEITEM_READONLY],
    )
    queue(link)
    assert sender.deliver_due().sent == 1
    assert list(fake_platform.lineitems) == [existing]


def test_a_newer_score_supersedes_one_still_waiting(link, fake_platform):
    first = queue(link, value=0.2)
    second = queue(link, value=0.9)
    assert sender.deliver_due().sent == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.SUPERSEDED, Status.SENT)
    assert [s["scoreGiven"] for s in fake_platform.accepted_for("learner-1")] == [0.9]


def test_a_newer_score_delivered_retires_an_older_failed_one(link, fake_platform):
    old = queue(link, value=0.1, when=timezone.now() - timedelta(minutes=5))
    GradeOutbox.objects.filter(pk=old.pk).update(status=Status.FAILED, last_error="HTTP 400")
    new = queue(link, value=0.8)
    assert sender.deliver_due().sent == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == (Status.SUPERSEDED, Status.SENT)


def test_a_claimed_row_cannot_be_claimed_twice(link):
    queue(link)
    now = timezone.now()
    policy = sender.Policy()
    first = sender.claim_due(now, 10, policy)
    second = sender.claim_due(now, 10, policy)
    assert len(first) == 1 and second == []
    # A worker that died: its lease expires and the row is claimed again.
    third = sender.claim_due(now + timedelta(seconds=policy.lease + 1), 10, policy)
    assert [pk for pk, _ in third] == [pk for pk, _ in first]


def test_the_same_score_event_is_queued_once(link):
    when = timezone.now()
    one = queue(link, value=0.4, when=when)
    two = queue(link, value=0.4, when=when)
    assert one.pk == two.pk and GradeOutbox.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_record_score_refuses_to_run_outside_a_transaction(link):
    with pytest.raises(RuntimeError):
        record_score(link, "learner-1", 1, 1)


@pytest.mark.parametrize("value,maximum", [(-0.1, 1), (1, 0), (float("nan"), 1), (1, float("inf")), ("x", 1), (None, 1)])
def test_scores_no_gradebook_can_take_are_refused(link, value, maximum):
    with transaction.atomic(), pytest.raises(ScoreRejected):
        record_score(link, "learner-1", value, maximum)


def test_no_ags_endpoint_means_no_outbox_row(registered_platform):
    link = ResourceLinkConfig.objects.create(deployment=registered_platform, resource_link_id="ungraded", block_type="ldai_risk_quiz")
    assert queue(link) is None
    assert GradeOutbox.objects.count() == 0


def test_run_worker_once_reports_totals(link, fake_platform):
    queue(link)
    assert sender.run_worker(once=True) == {"sent": 1, "retried": 0, "failed": 0, "deferred": 0}


def test_deactivated_platform_keeps_rows_waiting(link, fake_platform):
    row = queue(link)
    platform = link.deployment.platform
    platform.is_active = False
    platform.save()
    assert sender.deliver_due().retried == 1
    row.refresh_from_db()
    assert row.status == Status.PENDING and fake_platform.score_requests == 0


@pytest.mark.django_db(transaction=True)
def test_in_process_sender_delivers_after_commit(registered_platform, fake_platform, fresh_cache, settings):
    settings.LDAI_LTI_RUNTIME = {**getattr(settings, "LDAI_LTI_RUNTIME", {}), "GRADES_IN_PROCESS": True, "GRADE_POLL_INTERVAL": 0.05}
    link = ResourceLinkConfig.objects.create(
        deployment=registered_platform, resource_link_id="rl-ip", block_type="ldai_risk_quiz",
        lineitem_url=fake_platform.add_lineitem(), ags_scopes=[ags.SCOPE_SCORE],
    )
    worker = sender.InProcessSender()
    try:
        with transaction.atomic():
            record_score(link, "learner-ip", 1, 1)
            transaction.on_commit(worker.notify)
        import time

        deadline = time.monotonic() + 10
        while not fake_platform.scores and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert [s.body["userId"] for s in fake_platform.scores] == ["learner-ip"]


@given(attempts=st.integers(min_value=0, max_value=200), retry_after=st.none() | st.floats(min_value=0, max_value=10**6),
       rand=st.floats(min_value=0, max_value=1))
def test_backoff_is_bounded_and_honours_retry_after(attempts, retry_after, rand):
    policy = sender.Policy(base=10, cap=600, jitter=0.2)
    delay = policy.delay(attempts, retry_after, rand=lambda: rand)
    assert 1.0 <= delay <= max(600 * 1.2, 3600)
    if retry_after:
        assert delay >= min(retry_after, 3600)


def test_backoff_grows_then_stops_growing():
    policy = sender.Policy(base=10, cap=600, jitter=0)
    delays = [policy.delay(n) for n in range(1, 12)]
    assert delays[:4] == [10, 20, 40, 80] and delays[-1] == 600 and delays == sorted(delays)


@pytest.mark.parametrize("url,expected", [
    ("https://lms.example/ags/1/lineitem", "https://lms.example/ags/1/lineitem/scores"),
    ("https://lms.example/ags/1/lineitem/", "https://lms.example/ags/1/lineitem/scores"),
    ("https://lms.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=1", "https://lms.example/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=1"),
])
def test_scores_url_keeps_the_query_string(url, expected):
    assert ags.scores_url(url) == expected


def test_error_excerpts_never_keep_a_token():
    text = 'invalid token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl for client'
    assert "eyJ" not in ags.safe_excerpt(text)
    assert len(ags.safe_excerpt("x" * 1000)) <= 201
