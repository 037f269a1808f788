"""Delivering the grade outbox to platforms: retries with backoff, leases, never a duplicate.

Why it is built this way:

- A row is *claimed* with a conditional UPDATE (pending -> sending, with a lease)
  before any HTTP call, so two workers (or the in-process sender and
  ``ldai lti send-grades``) never post the same row. A worker that dies mid-way
  leaves a lease that expires; the row is then claimed again.
- Network errors, 5xx and 429 are retried with exponential backoff (capped, with
  jitter, honouring ``Retry-After``); a platform down for an hour only delays
  delivery. Other answers (400, 403, 404...) need a person: the row becomes
  ``failed`` with the reason, shown in the admin, which has a retry action.
  Rows are never deleted, so nothing is lost either way.
- Without a line item in the launch, the line item is found (or created) by tag
  once per resource link and remembered, under a short lock so two rows of the
  same link cannot create two line items.

``run_worker`` is what ``ldai lti send-grades`` runs; :data:`in_process` is the
single-machine mode (the demo): a daemon thread woken after each committed grade.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import Q
from django.utils import timezone

from lti_tool.celery_app import tasks_run_in_workers
from lti_tool.lti.claims import SCOPE_LINEITEM, SCOPE_SCORE
from lti_tool.lti.demo_platform import is_demo_platform
from lti_tool.models import GradeOutbox, ResourceLinkConfig

from .ags import AgsClient, AgsError, Score
from .outbox import lineitem_points
from .outcome import DELIVERED, REFUSED, RETRY, classify
from .scheduling import claim, due

log = logging.getLogger("ldai.lti.grades")
Status = GradeOutbox.Status


def _conf(name: str, default):
    return getattr(settings, "LDAI_LTI_RUNTIME", {}).get(name, default)


@dataclass
class Policy:
    """Retry timing. Defaults: 10 s, doubling, at most 10 min apart; give up (-> failed) after 7 days."""

    base: float = field(default_factory=lambda: float(_conf("GRADE_RETRY_BASE", 10)))
    cap: float = field(default_factory=lambda: float(_conf("GRADE_RETRY_MAX", 600)))
    give_up_after: float = field(default_factory=lambda: float(_conf("GRADE_GIVE_UP_AFTER", 7 * 24 * 3600)))
    lease: float = field(default_factory=lambda: float(_conf("GRADE_LEASE", 120)))
    jitter: float = 0.2

    def delay(self, attempts: int, retry_after: float | None = None, rand: Callable[[], float] = random.random) -> float:
        """Seconds before attempt ``attempts + 1``: base * 2^(attempts-1), capped, +-jitter, >= Retry-After."""
        exponent = min(max(attempts - 1, 0), 30)
        delay = min(self.cap, self.base * (2 ** exponent))
        delay *= 1 + self.jitter * (2 * rand() - 1)
        if retry_after:
            delay = max(delay, min(retry_after, 3600.0))
        return max(1.0, delay)


@dataclass
class Stats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0

    def as_dict(self) -> dict:
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed, "deferred": self.deferred}


def claim_due(now: datetime, limit: int, policy: Policy) -> list[tuple[int, datetime]]:
    """Take up to ``limit`` due rows; returns (pk, lease) pairs this worker now owns (scheduling.claim: row locks)."""
    return claim(due(now), now, limit, policy.lease)


def _finish(pk: int, lease: datetime, **values) -> bool:
    """Write the outcome only if this worker still holds the lease."""
    return bool(GradeOutbox.objects.filter(pk=pk, status=Status.SENDING, lease_until=lease).update(**values))


class _LineItemBusy(Exception):
    """Another worker is finding/creating this resource link's line item; try again in a moment."""


def _resolve_lineitem(row: GradeOutbox, client: AgsClient) -> str:
    if row.lineitem_url:
        return row.lineitem_url
    link = ResourceLinkConfig.objects.get(pk=row.resource_link_id)
    if link.lineitem_url:
        return link.lineitem_url
    if not row.lineitems_url:
        raise AgsError("the platform gave neither a line item nor a line items URL for this link", retryable=False)
    lock = f"ldai:lineitem-lock:{link.pk}"
    if not cache.add(lock, "1", timeout=60):
        raise _LineItemBusy()
    try:
        can_create = not link.ags_scopes or SCOPE_LINEITEM in link.ags_scopes
        url = client.find_or_create_lineitem(
            row.lineitems_url, tag=row.lineitem_tag, label=row.lineitem_label,
            score_maximum=lineitem_points(link), resource_link_id=link.resource_link_id, can_create=can_create,
        )
        ResourceLinkConfig.objects.filter(pk=link.pk, lineitem_url="").update(lineitem_url=url)
        return url
    finally:
        cache.delete(lock)


def deliver_one(pk: int, lease: datetime, *, now: datetime, policy: Policy, clients: dict, session=None) -> str:
    """Deliver one claimed row; returns "sent", "retried", "failed" or "deferred"."""
    row = GradeOutbox.objects.select_related("deployment__platform").get(pk=pk)
    platform = row.deployment.platform
    if is_demo_platform(platform):
        # The demo's platform has no gradebook: its grades went through the outbox like real ones and stop here, unsent.
        _finish(pk, lease, status=Status.SENT, lease_until=None, attempts=row.attempts + 1, last_error="", sent_at=timezone.now())
        log.info("grade %s of the demo: kept in the tool (the demo platform has no gradebook)", pk)
        return "sent"
    client = clients.get(platform.pk)
    if client is None:
        client = clients[platform.pk] = AgsClient(platform, session=session)
    attempts = row.attempts + 1
    try:
        if not platform.is_active:
            raise AgsError("the platform is deactivated in the tool's admin", retryable=True)
        lineitem = _resolve_lineitem(row, client)
        score = Score(row.user_sub, row.score_given, row.score_maximum, row.timestamp, row.activity_progress, row.grading_progress)
        status = client.post_score(lineitem, score, (SCOPE_SCORE,))
    except _LineItemBusy:
        _finish(pk, lease, status=Status.PENDING, lease_until=None, next_attempt_at=now + timedelta(seconds=2))
        return "deferred"
    except AgsError as exc:
        outcome = classify(exc)
        if outcome.kind == DELIVERED:
            lineitem = row.lineitem_url or ResourceLinkConfig.objects.get(pk=row.resource_link_id).lineitem_url
            return _delivered(row, pk, lease, attempts, outcome.status, lineitem, note=outcome.reason)
        age = (now - row.created).total_seconds()
        if outcome.kind == RETRY and age < policy.give_up_after:
            delay = policy.delay(attempts, outcome.retry_after)
            _finish(pk, lease, status=Status.PENDING, lease_until=None, attempts=attempts, last_error=outcome.reason[:1000],
                    last_status_code=outcome.status, next_attempt_at=now + timedelta(seconds=delay))
            log.warning("grade %s not delivered (attempt %s, retry in %.0f s): %s", pk, attempts, delay, outcome.reason)
            return "retried"
        reason = outcome.reason if outcome.kind == REFUSED else f"gave up after {attempts} attempts: {outcome.reason}"
        _finish(pk, lease, status=Status.FAILED, lease_until=None, attempts=attempts, last_error=reason[:1000],
                last_status_code=outcome.status)
        log.error("grade %s refused, waits for a person: %s", pk, reason)
        return "failed"
    except Exception as exc:  # a bug or an unexpected answer: keep the row, retry later, say what happened
        delay = policy.delay(attempts)
        _finish(pk, lease, status=Status.PENDING, lease_until=None, attempts=attempts,
                last_error=f"unexpected {type(exc).__name__}"[:1000], next_attempt_at=now + timedelta(seconds=delay))
        log.exception("grade %s: unexpected error while delivering", pk)
        return "retried"
    return _delivered(row, pk, lease, attempts, status, lineitem)


def _delivered(row: GradeOutbox, pk: int, lease: datetime, attempts: int, status: int | None, lineitem: str,
               note: str = "") -> str:
    """The platform has the score: mark the row sent and retire this learner's older rows still waiting."""
    row_lineitem = {} if row.lineitem_url or not lineitem else {"lineitem_url": lineitem}
    _finish(pk, lease, status=Status.SENT, lease_until=None, attempts=attempts, last_error=note, last_status_code=status,
            sent_at=timezone.now(), **row_lineitem)
    # Older scores of this learner that failed or still wait are now out of date: never send them after this one.
    GradeOutbox.objects.filter(
        deployment_id=row.deployment_id, resource_link_id=row.resource_link_id, user_sub=row.user_sub,
        status__in=(Status.PENDING, Status.FAILED), timestamp__lt=row.timestamp,
    ).update(status=Status.SUPERSEDED, lease_until=None)
    log.info("grade %s delivered (HTTP %s, attempt %s)%s", pk, status, attempts, f": {note}" if note else "")
    return "sent"


def deliver_due(*, now: datetime | None = None, limit: int = 50, policy: Policy | None = None,
                session: requests.Session | None = None) -> Stats:
    """One pass over the rows that are due now."""
    policy = policy or Policy()
    now = now or timezone.now()
    stats = Stats()
    clients: dict = {}
    for pk, lease in claim_due(now, limit, policy):
        outcome = deliver_one(pk, lease, now=now, policy=policy, clients=clients, session=session)
        setattr(stats, outcome, getattr(stats, outcome) + 1)
    return stats


def seconds_until_next_due(now: datetime | None = None) -> float | None:
    now = now or timezone.now()
    nxt = (
        GradeOutbox.objects.filter(Q(status=Status.PENDING) | Q(status=Status.SENDING, lease_until__isnull=False))
        .order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    )
    return None if nxt is None else max(0.0, (nxt - now).total_seconds())


def run_worker(once: bool = False, *, poll_interval: float = 5.0, limit: int = 50, stop: threading.Event | None = None,
               wake: threading.Event | None = None, session: requests.Session | None = None,
               policy: Policy | None = None, out: Callable[[str], None] | None = None) -> dict:
    """Deliver the outbox until stopped (``once=True``: a single pass). Returns totals."""
    totals = Stats()
    stop = stop or threading.Event()
    while not stop.is_set():
        _refresh_connections()
        try:
            stats = deliver_due(limit=limit, policy=policy, session=session)
        except DatabaseError:
            log.exception("grade sender: database unavailable, trying again shortly")
            stats = Stats()
        for name in ("sent", "retried", "failed", "deferred"):
            setattr(totals, name, getattr(totals, name) + getattr(stats, name))
        if out and (stats.sent or stats.retried or stats.failed):
            out(f"sent {stats.sent}, retried {stats.retried}, failed {stats.failed}")
        if once:
            break
        if stats.sent + stats.retried + stats.failed + stats.deferred >= limit:
            continue  # a full batch: there may be more right now
        try:
            pause = seconds_until_next_due()
        except DatabaseError:
            pause = None
        pause = poll_interval if pause is None else min(poll_interval, max(pause, 0.05))
        if wake is not None:
            wake.wait(pause)
            wake.clear()
        else:
            stop.wait(pause)
    _refresh_connections()
    return totals.as_dict()


def _refresh_connections() -> None:
    """Drop broken or expired connections between passes, as Django does between requests; never
    inside a caller's transaction (a drain called from a test or a shell), whose connection it would close."""
    if not connection.in_atomic_block:
        close_old_connections()


class InProcessSender:
    """The single-machine mode: one daemon thread per process, woken when a grade is committed."""

    def __init__(self):
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()

    def enabled(self) -> bool:
        """Only without Celery workers: with a broker, tasks and the beat sweep deliver (lti_tool.grades.scheduling)."""
        return bool(_conf("GRADES_IN_PROCESS", False)) and not tasks_run_in_workers()

    def notify(self) -> None:
        """Called on commit of a transaction that queued a grade."""
        if not self.enabled():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="ldai-grade-sender", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        try:
            run_worker(poll_interval=float(_conf("GRADE_POLL_INTERVAL", 5)), stop=self._stop, wake=self._wake)
        except Exception:  # never let the thread die silently; the worker command or a restart picks rows up
            log.exception("in-process grade sender stopped")

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)


in_process = InProcessSender()
