"""When and where grades are delivered: a task per outbox row on commit, a periodic sweep, row locks.

Why this shape: the outbox row (written in the learner's transaction) stays the record of
truth; a task is only a nudge to deliver it soon. So a lost task, a broker restart or a
worker killed mid-way loses nothing: the sweep (Celery beat, every ``GRADE_SWEEP_SECONDS``)
re-enqueues every row that is due, including retries whose back-off has elapsed and
leases left by a dead worker. A row is delivered only by the worker that *claims* it:

- on PostgreSQL, ``SELECT ... FOR UPDATE SKIP LOCKED`` picks rows no other worker is
  claiming at this instant, then one UPDATE gives them a lease (several workers never
  queue behind each other's row locks, nor take the same row);
- on SQLite (one writer at a time), a conditional UPDATE (still due -> sending) is the
  compare-and-swap.

Two tasks for the same row are harmless: the second finds it claimed or sent and stops. Still,
each enqueued row carries a short-lived marker in the shared cache, so the sweep does not pile
copies of tasks that are already waiting in the queue (under load, a queue of duplicates would
starve the retries); a marker of a lost task expires after ``GRADE_LEASE`` seconds.

Without a broker (the demo), the in-process sender thread of lti_tool.grades.sender does
the same work inside the web process, woken on commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from lti_tool.celery_app import tasks_run_in_workers
from lti_tool.models import GradeOutbox

log = logging.getLogger("ldai.lti.grades")
Status = GradeOutbox.Status


def due(now: datetime) -> QuerySet:
    """Rows to deliver now: waiting and due, or held by a lease that expired (its worker died)."""
    return GradeOutbox.objects.filter(
        Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, lease_until__lt=now)
    )


def claim(rows: QuerySet, now: datetime, limit: int, lease_seconds: float) -> list[tuple[int, datetime]]:
    """Take up to ``limit`` of ``rows`` (already filtered to due ones) for this worker; (pk, lease) pairs."""
    lease = now + timedelta(seconds=lease_seconds)
    ordered = rows.order_by("next_attempt_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            pks = list(ordered.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            if pks:
                GradeOutbox.objects.filter(pk__in=pks).update(status=Status.SENDING, lease_until=lease)
        return [(pk, lease) for pk in pks]
    claimed = []
    for pk, status, old_lease in list(ordered.values_list("pk", "status", "lease_until")[:limit]):
        if GradeOutbox.objects.filter(pk=pk, status=status, lease_until=old_lease).update(status=Status.SENDING, lease_until=lease):
            claimed.append((pk, lease))
    return claimed


def _marker(pk: int) -> str:
    return f"ldai:grade-queued:{pk}"


def _marker_seconds() -> int:
    return int(getattr(settings, "LDAI_LTI_RUNTIME", {}).get("GRADE_LEASE", 120))


def deliver_row(pk: int) -> str | None:
    """Deliver one row if it is still due and no one else holds it; the outcome, or None if there was nothing to do."""
    from .sender import Policy, deliver_one

    cache.delete(_marker(pk))  # from here on, a sweep may enqueue this row again (after a retry's back-off)
    policy = Policy()
    now = timezone.now()
    claimed = claim(due(now).filter(pk=pk), now, 1, policy.lease)
    if not claimed:
        return None
    (row_pk, lease), = claimed
    return deliver_one(row_pk, lease, now=now, policy=policy, clients={})


def enqueue(pk: int) -> bool:
    """Send a delivery task for ``pk`` unless one is already waiting; True if a task was sent."""
    from lti_tool.tasks import deliver_grade

    if not cache.add(_marker(pk), 1, timeout=_marker_seconds()):
        return False
    try:
        deliver_grade.delay(pk)
    except Exception:  # broker down: the row is safe in the outbox and the sweep sends it once the broker is back
        cache.delete(_marker(pk))
        log.exception("grade %s: could not enqueue its delivery; the periodic sweep will", pk)
        return False
    return True


def sweep(limit: int = 500, now: datetime | None = None) -> int:
    """Enqueue up to ``limit`` due rows that have no task waiting (retries whose back-off ended, lost tasks)."""
    candidates = list(due(now or timezone.now()).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[: limit * 10])
    waiting = cache.get_many([_marker(pk) for pk in candidates])
    sent = 0
    for pk in candidates:
        if sent >= limit:
            break
        if _marker(pk) not in waiting and enqueue(pk):
            sent += 1
    return sent


def deliver_soon(pk: int) -> None:
    """Hand a committed row to whoever delivers grades here: a Celery worker, or this process's sender thread."""
    if tasks_run_in_workers():
        enqueue(pk)
        return
    from .sender import in_process

    in_process.notify()


def deliver_on_commit(pk: int) -> None:
    """Called where the row is written: the task exists only if the learner's transaction commits."""
    transaction.on_commit(lambda: deliver_soon(pk))


def queue_lag_seconds(now: datetime | None = None) -> float:
    """How late the oldest due row is (0 when nothing waits): the health endpoint reports it."""
    now = now or timezone.now()
    oldest = due(now).order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    return 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
