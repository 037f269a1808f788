"""LMS plugin settings (edx-django-utils ``settings_config``): put our events on event-routing-backends'
xAPI allow-list, so the operator does not have to (ERB only routes the events that list names)."""

from __future__ import annotations

from ..engine.xapi import event_names


def plugin_settings(settings) -> None:
    allowed = list(getattr(settings, "EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS", []))
    settings.EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS = allowed + [name for name in event_names() if name not in allowed]
