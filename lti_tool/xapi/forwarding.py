"""Forwarding the tool's statements to the operator's LRS: batched, retried with back-off, never twice.

Why it is built like the grade outbox (lti_tool.grades): the statement row, written in the learner's
transaction, is the record of truth and is never deleted; forwarding only stamps it.

- Rows are *claimed* before any HTTP call: on PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED`` then a
  lease; on SQLite a conditional UPDATE (compare-and-swap on the lease). Two workers, or a worker and
  ``ldai xapi forward``, never send the same row at the same time; a dead worker's lease expires.
- Every statement id is deterministic (engine.xapi), so a retry after a lost answer resends the same
  id: an LRS answering 204 (it holds them all) or 409 (it holds that id) has it, and the row counts as
  delivered. A batch the LRS refuses as a whole (400, 409, 413, 422) is sent again statement by statement
  (``PUT ?statementId=``) so one bad statement does not hold back the others.
- Network errors, 5xx, 429, 401/403 (credentials being fixed) are retried on the shared schedule
  (lti_tool.backoff); a statement refused on its own, or waiting longer than ``FORWARD_GIVE_UP_AFTER``,
  is marked refused with the reason, shown in the admin, which can send it again.
- Every request goes through the guarded client (ldai_xblocks.net): an LRS on a private address must be
  listed in ``LDAI["HTTP_ALLOWED_HOSTS"]``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ldai_xblocks.net import NetPolicy, guarded_session
from ldai_xblocks.net.policy import allowed_hosts_setting

from ..backoff import backoff_delay
from ..models import Statement
from .conf import XapiSettings, xapi_settings

log = logging.getLogger("ldai.xapi.forwarding")

XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
RETRY_STATUSES = {401, 403, 408, 425, 429}  # and every 5xx
SPLIT_STATUSES = {400, 409, 413, 422}  # a batch refused as a whole: find out statement by statement
MAX_LRS_ANSWER = 1024 * 1024  # a list of 100 ids, or an error page


DELIVERED, RETRY, REFUSED = "delivered", "retry", "refused"


@dataclass(frozen=True)
class Outcome:
    kind: str
    reason: str = ""
    retry_after: float | None = None


@dataclass
class ForwardStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, other: ForwardStats) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed}


def forwardable() -> QuerySet:
    """Statements that should reach the LRS: the tool's own (not routed to it), not an instructor's preview."""
    return Statement.objects.filter(source__isnull=True, is_instructor=False)


def waiting() -> QuerySet:
    """Not delivered and not refused (due now or later): what the admin shows as waiting."""
    return forwardable().filter(forwarded_at__isnull=True, forward_failed=False)


def due(now: datetime) -> QuerySet:
    """Waiting rows whose back-off has ended and that no live worker holds."""
    return waiting().filter(Q(forward_next_at__isnull=True) | Q(forward_next_at__lte=now)).filter(
        Q(forward_lease_until__isnull=True) | Q(forward_lease_until__lt=now))


def claim(now: datetime, limit: int, lease_seconds: float) -> tuple[list, datetime]:
    """Take up to ``limit`` due rows, oldest first, for this worker: (their ids, the lease that proves it)."""
    lease = now + timedelta(seconds=lease_seconds)
    ordered = due(now).order_by("timestamp", "pk")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            pks = list(ordered.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            if pks:
                Statement.objects.filter(pk__in=pks).update(forward_lease_until=lease)
        return pks, lease
    claimed = []
    for pk, old_lease in list(ordered.values_list("pk", "forward_lease_until")[:limit]):
        if Statement.objects.filter(pk=pk, forward_lease_until=old_lease, forwarded_at__isnull=True).update(forward_lease_until=lease):
            claimed.append(pk)
    return claimed, lease


def _policy(conf: XapiSettings) -> NetPolicy:
    # http:// is allowed because the operator, not a platform, wrote this URL (an LRS inside the same network).
    return NetPolicy(allow_http=True, allowed_hosts=allowed_hosts_setting(getattr(settings, "LDAI", {})),
                     timeout=conf.http_timeout, total_timeout=max(30.0, conf.http_timeout * 3), max_bytes=MAX_LRS_ANSWER,
                     max_redirects=0)


def _auth(conf: XapiSettings) -> dict:
    if conf.lrs_token:
        return {"headers": {**XAPI_HEADERS, "Authorization": f"Bearer {conf.lrs_token}"}}
    if conf.lrs_username:
        return {"headers": XAPI_HEADERS, "auth": (conf.lrs_username, conf.lrs_password)}
    return {"headers": XAPI_HEADERS}


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


def _meaning(response: requests.Response) -> Outcome:
    code = response.status_code
    if code in (200, 204):
        return Outcome(DELIVERED)
    if code == 409:
        return Outcome(DELIVERED, "the LRS already holds this statement id (HTTP 409)")
    reason = f"HTTP {code}: {response.text[:300]}"
    if code >= 500 or code in RETRY_STATUSES:
        return Outcome(RETRY, reason, _retry_after(response))
    return Outcome(REFUSED, reason)


def send(bodies: list[dict], conf: XapiSettings, session: requests.Session | None = None) -> dict[str, Outcome]:
    """POST ``bodies`` as one batch; the outcome of each statement id."""
    session = session or guarded_session(_policy(conf))
    url = conf.statements_url()
    try:
        response = session.post(url, json=bodies, timeout=conf.http_timeout, **_auth(conf))
    except requests.RequestException as exc:
        reason = f"{type(exc).__name__}: the LRS could not be reached"
        return {body["id"]: Outcome(RETRY, reason) for body in bodies}
    if response.status_code in SPLIT_STATUSES and len(bodies) > 1:
        return {body["id"]: _send_one(session, url, body, conf) for body in bodies}
    outcome = _meaning(response)
    return {body["id"]: outcome for body in bodies}


def _send_one(session: requests.Session, url: str, body: dict, conf: XapiSettings) -> Outcome:
    """One statement with its id (xAPI PUT): 204 stored, 409 already held, 400 refused for a reason of its own."""
    try:
        response = session.put(url, params={"statementId": body["id"]}, json=body, timeout=conf.http_timeout, **_auth(conf))
    except requests.RequestException as exc:
        return Outcome(RETRY, f"{type(exc).__name__}: the LRS could not be reached")
    return _meaning(response)


def forward_due(*, now: datetime | None = None, limit: int | None = None, session: requests.Session | None = None) -> ForwardStats:
    """One batch: claim the oldest due statements, send them, record each outcome."""
    conf = xapi_settings()
    stats = ForwardStats()
    if not conf.forwarding:
        return stats
    now = now or timezone.now()
    pks, lease = claim(now, limit or conf.batch, conf.lease)
    if not pks:
        return stats
    rows = list(Statement.objects.filter(pk__in=pks).order_by("timestamp", "pk").values_list("pk", "body", "forward_attempts", "timestamp"))
    outcomes = send([body for _, body, _, _ in rows], conf, session)
    delivered = []
    for pk, body, attempts, stamp in rows:
        outcome = outcomes.get(body.get("id")) or Outcome(RETRY, "no answer for this statement")
        mine = Statement.objects.filter(pk=pk, forward_lease_until=lease)
        if outcome.kind == DELIVERED:
            delivered.append(pk)
            continue
        attempts += 1
        if outcome.kind == RETRY and (now - stamp).total_seconds() < conf.give_up_after:
            delay = backoff_delay(attempts, base=conf.retry_base, cap=conf.retry_max, retry_after=outcome.retry_after)
            mine.update(forward_attempts=attempts, forward_lease_until=None, forward_next_at=now + timedelta(seconds=delay),
                        forward_error=outcome.reason[:1000])
            stats.retried += 1
        else:
            reason = outcome.reason if outcome.kind == REFUSED else f"gave up after {attempts} attempts: {outcome.reason}"
            mine.update(forward_attempts=attempts, forward_lease_until=None, forward_failed=True, forward_error=reason[:1000])
            stats.failed += 1
    if delivered:
        stats.sent = Statement.objects.filter(pk__in=delivered, forward_lease_until=lease).update(
            forwarded_at=timezone.now(), forward_attempts=F("forward_attempts") + 1, forward_lease_until=None,
            forward_next_at=None, forward_error="")
    if stats.retried or stats.failed:
        log.warning("xAPI forwarding: %s sent, %s to retry, %s refused (%s)", stats.sent, stats.retried, stats.failed,
                    next(iter(o.reason for o in outcomes.values() if o.kind != DELIVERED), ""))
    return stats


def drain(*, now: datetime | None = None, session: requests.Session | None = None, max_batches: int = 10_000) -> ForwardStats:
    """Batches until nothing is due now (``ldai xapi forward``, the periodic task). Rows put off by a retry are
    not due again in this pass, so an LRS that is down ends the drain after one look at each row."""
    totals = ForwardStats()
    for _ in range(max_batches):
        stats = forward_due(now=now, session=session)
        totals.add(stats)
        if not (stats.sent or stats.retried or stats.failed):
            break
    return totals


def send_again(rows: QuerySet) -> int:
    """The admin's action: refused statements wait again, due now (their attempts are kept, for the record)."""
    return rows.filter(forwarded_at__isnull=True).update(forward_failed=False, forward_next_at=None, forward_lease_until=None)
