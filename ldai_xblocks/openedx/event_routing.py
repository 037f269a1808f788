"""Our tracking events for Open edX's event-routing-backends (ERB): one xAPI transformer per event name.

Why through ERB: in Open edX our blocks publish with ``runtime.publish``; the platform's tracker hands the
events to ERB, which routes them to Aspects' Ralph or any LRS the operator configured. We only add the
transformers: the statement is the same as the LTI tool's (``ldai_xblocks.engine.xapi.statement``), except
the actor, which ERB builds as the platform is configured to (``XAPI_AGENT_IFI_TYPE``), like every other
Open edX statement. Our plugin settings (``settings.py``) put the names on ERB's allow-list.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from event_routing_backends.processors.xapi.registry import XApiTransformersRegistry
from event_routing_backends.processors.xapi.transformer import XApiTransformer
from tincan import Statement

from ..engine import xapi


def _timestamp(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


class LdaiXApiTransformer(XApiTransformer):
    """The ERB transformer of all our events: the profile's statement with ERB's actor."""

    def transform(self) -> Statement:
        event = self.event
        context = event.get("context") or {}
        module = context.get("module") or {}
        language = str(context.get("language") or (event.get("data") or {}).get("language") or "en")[:2]
        tracking = xapi.TrackingEvent(
            name=event["name"],
            data=event.get("data") or {},
            # The account is replaced below by ERB's actor; the engine needs a well-formed one to build the rest.
            actor={"home_page": settings.LMS_ROOT_URL, "id": "erb"},
            context={
                "activity_id": self.get_object_iri("xblock", module.get("usage_key") or context.get("usage_key")),
                "activity_name": module.get("display_name") or "",
                "course_id": self.get_object_iri("course", context.get("course_id")),
                "language": language,
            },
            timestamp=_timestamp(event.get("timestamp") or event.get("time")),
            allow_free_text=bool(getattr(settings, "LDAI", {}).get("XAPI_FREE_TEXT", False)),
        )
        statement = Statement(xapi.statement(tracking))
        statement.actor = self.get_actor()
        return statement


# Every (activity, action) the profile maps: registering an event no block publishes costs nothing.
for _name in xapi.event_names():
    XApiTransformersRegistry.register(_name)(LdaiXApiTransformer)
