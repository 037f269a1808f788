"""In Open edX: our events through event-routing-backends (ERB 10.1, installed as a platform installs it).

Replays what ERB does with a tracking event the LMS emitted for one of our blocks
(``event_routing_backends/processors/xapi/transformer_processor.py``: look the transformer up in
``XApiTransformersRegistry`` by event name, ``transform()``, serialise the tincan ``Statement``), with the
event shaped as ``lms/djangoapps/courseware/block_render.py``'s ``publish`` emits it (``data`` plus a
context carrying ``course_id``, ``user_id`` and ``module.usage_key``/``display_name``).
The one stand-in: edx-platform's ``ExternalId`` table (``get_anonymous_user_id``), which needs the LMS
database; ERB's own tests replace it the same way.
"""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.test import override_settings
from ralph.models.xapi.base.statements import BaseXapiStatement

from ldai_xblocks.engine import xapi
from tests.xapi.events import EVENTS

pytest.importorskip("event_routing_backends", reason="event-routing-backends is in requirements/test.txt")

LMS = "https://lms.example.org"
COURSE = "course-v1:Acme+AI101+2026"
USAGE = "block-v1:Acme+AI101+2026+type@ldai_risk_quiz+block@6f1c"


def lms_event(name: str) -> dict:
    return {
        "name": name,
        "timestamp": "2026-12-01T09:30:00.123456+00:00",
        "data": dict(EVENTS[name]),
        "context": {"course_id": COURSE, "user_id": 42, "org_id": "Acme", "path": "/courses/.../handler/submit",
                    "module": {"usage_key": USAGE, "display_name": "AI risks at work"}},
    }


@pytest.fixture
def registry(settings):
    """ERB and our plugin app installed, as Open edX's plugin loader installs them (edx-django-utils)."""
    apps = [*settings.INSTALLED_APPS, "event_routing_backends", "ldai_xblocks.openedx.apps.LdaiOpenedxConfig"]
    with override_settings(INSTALLED_APPS=apps, LMS_ROOT_URL=LMS, XAPI_AGENT_IFI_TYPE="external_id"), \
            mock.patch("event_routing_backends.processors.xapi.transformer.get_anonymous_user_id", return_value="9b2c0a5e-erb-anon"):
        from event_routing_backends.processors.xapi.registry import XApiTransformersRegistry

        yield XApiTransformersRegistry


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_every_event_of_ours_has_an_erb_transformer_giving_a_valid_statement(registry, name):
    statement = json.loads(registry.get_transformer(lms_event(name)).transform().to_json())
    BaseXapiStatement(**statement)
    assert statement["actor"] == {"objectType": "Agent", "account": {"homePage": LMS, "name": "9b2c0a5e-erb-anon"}}
    assert statement["verb"]["id"] == xapi.VERBS[xapi.MAPPINGS[name.split(".")[2]].verb].iri
    parents = [p["id"] for p in statement["context"]["contextActivities"]["parent"]]
    assert f"{LMS}/course/{COURSE}" in parents


def test_the_block_is_the_object_with_its_display_name(registry):
    statement = json.loads(registry.get_transformer(lms_event("ldai.risk_quiz.submitted")).transform().to_json())
    assert statement["object"]["id"] == f"{LMS}/xblock/{USAGE}"
    assert statement["object"]["definition"]["name"] == {"en-US": "AI risks at work"}
    assert statement["result"]["score"]["scaled"] == 0.83


def test_the_prompt_stays_in_the_platform_unless_the_operator_allows_it(registry):
    event = lms_event("ldai.prompt_sandbox.submitted")
    assert "jane.doe" not in registry.get_transformer(event).transform().to_json()
    with override_settings(LDAI={"XAPI_FREE_TEXT": True}):
        assert "jane.doe" in registry.get_transformer(event).transform().to_json()


def test_the_plugin_settings_put_our_events_on_erbs_allow_list_once():
    """edx-django-utils calls ``plugin_settings(settings)`` of each ``settings_config`` entry at LMS start."""
    from types import SimpleNamespace

    from ldai_xblocks.openedx.apps import LdaiOpenedxConfig
    from ldai_xblocks.openedx.settings import plugin_settings

    assert LdaiOpenedxConfig.plugin_app["settings_config"]["lms.djangoapp"]["common"]["relative_path"] == "settings"
    lms = SimpleNamespace(EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS=["edx.course.enrollment.activated", "ldai.risk_quiz.submitted"])
    plugin_settings(lms)
    plugin_settings(lms)
    allowed = lms.EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS
    assert allowed[0] == "edx.course.enrollment.activated"
    assert set(EVENTS) <= set(allowed)
    assert len(allowed) == len(set(allowed))
