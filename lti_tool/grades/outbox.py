"""Writing a score into the grade outbox, inside the caller's database transaction.

Why an outbox rather than posting the score from the learner's request: the
platform may be slow or down, and a learner's submission must neither wait for it
nor fail because of it. The runtime calls :func:`record_score` in the same
transaction that saves the learner's answer, so either both exist or neither; the
sender delivers the row later, as many times as it takes.
"""

from __future__ import annotations

import hashlib
import logging
import math
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from lti_tool.models import GradeOutbox, ResourceLinkConfig

from .scheduling import deliver_on_commit

log = logging.getLogger("ldai.lti.grades")


class ScoreRejected(ValueError):
    """The block published a score no gradebook can take (NaN, negative, above its maximum)."""


def _clean(value, maximum) -> tuple[float, float]:
    try:
        given, top = float(value), float(maximum)
    except (TypeError, ValueError):
        raise ScoreRejected("score and maximum must be numbers") from None
    if not (math.isfinite(given) and math.isfinite(top)) or top <= 0 or given < 0:
        raise ScoreRejected("score must be >= 0 and its maximum > 0")
    return min(given, top), top


def idempotency_key(resource_link: ResourceLinkConfig, user_sub: str, timestamp: datetime, given: float, top: float) -> str:
    """Same learner, link, instant and score -> same key: the unique index refuses a second copy."""
    raw = "|".join((str(resource_link.deployment_id), resource_link.resource_link_id, user_sub, timestamp.isoformat(), repr(given), repr(top)))
    return hashlib.sha256(raw.encode()).hexdigest()


def record_score(resource_link: ResourceLinkConfig, user_sub: str, value, max_value, *, timestamp: datetime | None = None,
                 activity_progress: str = "Completed", grading_progress: str = "FullyGraded") -> GradeOutbox | None:
    """Queue ``value``/``max_value`` for ``user_sub`` on ``resource_link``; returns the row (None without AGS).

    Must run inside the transaction that saves the learner's state (the runtime
    wraps every handler in one). Older scores of the same learner still waiting
    are marked superseded: the gradebook wants the latest score, in order.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_score must run inside the transaction that saves the learner's state")
    given, top = _clean(value, max_value)
    if not (resource_link.lineitem_url or resource_link.lineitems_url):
        log.info("resource link %s has no AGS endpoint: score kept in the tool only", resource_link.pk)
        return None
    timestamp = timestamp or next_timestamp(resource_link, user_sub)
    key = idempotency_key(resource_link, user_sub, timestamp, given, top)
    existing = GradeOutbox.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    GradeOutbox.objects.filter(
        deployment_id=resource_link.deployment_id, resource_link=resource_link, user_sub=user_sub,
        status=GradeOutbox.Status.PENDING,
    ).update(status=GradeOutbox.Status.SUPERSEDED)
    row = GradeOutbox.objects.create(
        deployment_id=resource_link.deployment_id,
        resource_link=resource_link,
        user_sub=user_sub,
        lineitem_url=resource_link.lineitem_url,
        lineitems_url=resource_link.lineitems_url,
        lineitem_tag=resource_link.lineitem_tag or default_tag(resource_link),
        lineitem_label=(resource_link.title or resource_link.block_type)[:255],
        score_given=given,
        score_maximum=top,
        activity_progress=activity_progress,
        grading_progress=grading_progress,
        timestamp=timestamp,
        next_attempt_at=min(timestamp, timezone.now()),  # due at once, even when the timestamp was moved to the next second
        idempotency_key=key,
    )
    deliver_on_commit(row.pk)  # a task per row once the learner's transaction commits (scheduling.py)
    return row


def next_timestamp(resource_link: ResourceLinkConfig, user_sub: str, now: datetime | None = None) -> datetime:
    """Now, or one whole second after this learner's previous score on the link if that is not earlier.

    Why whole seconds: Moodle keeps a grade's time as Unix seconds and answers 409 to a
    score not newer than the one it holds (``scores.php``: ``timemodified >=
    strtotime(timestamp)``). Two submissions in the same second would make the second,
    better score look "already held". Strictly increasing seconds per learner keep every
    new score newer, so a 409 can only mean the platform has this score or a later one.
    """
    now = now or timezone.now()
    previous = (
        GradeOutbox.objects.filter(deployment_id=resource_link.deployment_id, resource_link=resource_link, user_sub=user_sub)
        .order_by("-timestamp").values_list("timestamp", flat=True).first()
    )
    if previous is None:
        return now
    floor = previous.replace(microsecond=0) + timedelta(seconds=1)
    return max(now, floor)


def lineitem_points(resource_link: ResourceLinkConfig) -> float:
    """The points the instructor gave the activity (the block's ``weight``), for a line item the tool creates.

    A line item's ``scoreMaximum`` must be above 0 (AGS 2.0); without a usable weight,
    the block's default (1 point) is what the activity is worth.
    """
    try:
        points = float((resource_link.settings or {}).get("weight", 1.0))
    except (TypeError, ValueError):
        return 1.0
    return points if math.isfinite(points) and points > 0 else 1.0


def default_tag(resource_link: ResourceLinkConfig) -> str:
    """The tag the tool gives a line item it creates itself (one per resource link)."""
    return f"ldai:{resource_link.block_type}:{resource_link.resource_link_id}"[:255]
