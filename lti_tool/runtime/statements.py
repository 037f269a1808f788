"""The runtime's tracking events, kept as xAPI statements (``lti_tool.models.Statement``).

Why here and in the same transaction: an event is recorded if and only if the learner's state that it
describes was saved (the handler's transaction), exactly like the grade outbox. The statement itself comes
from the one profile function (``ldai_xblocks.engine.xapi``), so what the tool stores is what Open edX
routes through event-routing-backends and what ``ldai xapi statement`` prints.

IRIs: the block is ``<tool origin>/lti/resource/<deployment pk>/<resource link id>``, the course
``<platform issuer>/lti/context/<context id>`` (the platform's own course URL is not in the launch).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from django.conf import settings

from ldai_xblocks.engine import value_metrics, xapi

from ..dashboard import summaries
from ..lti import claims as c
from ..models import Statement, StatementFact
from .prepared_insert import insert_one
from .session import RuntimeSession

log = logging.getLogger("ldai.lti.statements")


def _origin(url: str) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def tracking_event(session: RuntimeSession, anon_id: str, name: str, data: dict, job_family: str = "") -> xapi.TrackingEvent:
    context = session.context
    link = session.link
    # The tool's own origin as the platform launched it; a launch built by the tool itself (the demo) has none.
    tool = _origin(context.claims.get(c.TARGET_LINK_URI, "")) or "https://ldai-tool.invalid"
    issuer = context.platform.issuer.rstrip("/")
    event_context = {
        "activity_id": f"{tool}/lti/resource/{link.deployment_id}/{quote(link.resource_link_id, safe='')}",
        "activity_name": link.title or "",
        "language": session.locale,
        "job_family": job_family,
    }
    if context.context_id:
        event_context["course_id"] = f"{issuer}/lti/context/{quote(context.context_id, safe='')}"
        event_context["course_name"] = context.context_title or ""
    return xapi.TrackingEvent(
        name=name, data=data, actor={"home_page": context.platform.issuer, "id": anon_id}, context=event_context,
        timestamp=datetime.now(UTC), allow_free_text=bool(getattr(settings, "LDAI", {}).get("XAPI_FREE_TEXT", False)),
    )


def record(session: RuntimeSession, anon_id: str, name: str, data: dict) -> Statement | None:
    """Store the statement of one event (inside the caller's transaction); None when the profile has no mapping."""
    data = data if isinstance(data, dict) else {}
    job_family = data.get("job_family") if isinstance(data.get("job_family"), str) else ""
    team = data.get("team") if isinstance(data.get("team"), str) else ""
    try:
        body = xapi.statement(tracking_event(session, anon_id, name, data, job_family))
    except xapi.EventError as error:
        log.info("event %s has no xAPI statement: %s", name, error)
        return None
    _, activity, action = name.split(".")
    result = body.get("result") or {}
    statement = Statement(
        id=body["id"], deployment_id=session.link.deployment_id, context_id=session.context.context_id or "",
        resource_link_id=session.link.resource_link_id, activity=activity, action=action, actor=anon_id,
        job_family=job_family[:64], team=team[:64], is_instructor=session.is_instructor, score=(result.get("score") or {}).get("scaled"), success=result.get("success"),
        timestamp=datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00")), body=body,
    )
    insert_one(statement)  # one INSERT, its SQL written once (runtime.prepared_insert): the launch path's statement
    store_facts_and_summaries([statement])  # same transaction
    return statement


def store_facts_and_summaries(rows: list[Statement]) -> None:
    """What the dashboard reads beside stored statements: their facts (one INSERT for all), then the per-learner summaries.

    One place for the runtime's own statements (``record``) and the ones routed from Open edX (``xapi.ingest``).
    Statements of a source that names no deployment belong to no dashboard scope: they are stored only.
    """
    rows = [row for row in rows if row.deployment_id is not None]
    facts = StatementFact.objects.bulk_create([fact for row in rows for fact in _facts_of(row)])
    summaries.summarize(rows, facts)


def _facts_of(statement: Statement) -> list[StatementFact]:
    """The figures' facts of a stored statement (the dashboard aggregates them in SQL), not saved yet."""
    return [
        StatementFact(statement=statement, deployment_id=statement.deployment_id, context_id=statement.context_id, activity=statement.activity,
                      action=statement.action, actor=statement.actor, is_instructor=statement.is_instructor, timestamp=statement.timestamp,
                      kind=kind, key=key, value=value)
        for kind, key, value in value_metrics.facts_of(value_metrics.extensions_of(statement.body))
    ]
