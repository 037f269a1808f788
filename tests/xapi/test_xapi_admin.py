"""The xAPI side of the admin: what waits and what the LRS refused (with its reason), sent again on request,
never deleted; xAPI sources whose secret is shown once and works with the ingest endpoint."""

from __future__ import annotations

import base64
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from lti_tool.models import Statement, XapiSource
from lti_tool.xapi import forwarding
from tests.xapi.test_forwarding import deployment, store  # noqa: F401 (the fixture)
from tests.xapi.test_ingest import our_statement


@pytest.fixture
def rows(deployment):  # noqa: F811
    waiting, refused, sent = store(deployment, 3, start=timezone.now())
    Statement.objects.filter(pk=refused.pk).update(forward_failed=True, forward_attempts=1, forward_error="HTTP 400: verb is required")
    Statement.objects.filter(pk=sent.pk).update(forwarded_at=timezone.now())
    return waiting, refused, sent


def changelist(admin_client, query: str) -> str:
    response = admin_client.get(reverse("admin:lti_tool_statement_changelist") + query)
    assert response.status_code == 200
    return response.content.decode()


def test_waiting_and_refused_statements_are_listed_with_the_reason(admin_client, rows):
    waiting, refused, sent = rows
    assert "HTTP 400: verb is required" in changelist(admin_client, "?forwarding=refused")
    assert changelist(admin_client, "?forwarding=refused").count("refused") >= 1
    assert "1 xAPI statement" in changelist(admin_client, "?forwarding=waiting")
    detail = admin_client.get(reverse("admin:lti_tool_statement_change", args=[refused.pk]))
    assert detail.status_code == 200 and "<input" not in re.sub(r'<input type="(hidden|submit)"[^>]*>', "", detail.content.decode().split("<form")[-1])
    assert admin_client.post(reverse("admin:lti_tool_statement_delete", args=[refused.pk])).status_code == 403


def test_forward_again_makes_refused_ones_due_and_leaves_forwarded_ones(admin_client, rows):
    waiting, refused, sent = rows
    response = admin_client.post(reverse("admin:lti_tool_statement_changelist"),
                                 {"action": "forward_again", "_selected_action": [str(r.pk) for r in rows]}, follow=True)
    assert response.status_code == 200
    due = {str(pk) for pk in forwarding.due(timezone.now()).values_list("pk", flat=True)}
    assert str(refused.pk) in due and str(waiting.pk) in due and str(sent.pk) not in due
    assert Statement.objects.get(pk=sent.pk).forwarded_at is not None


def test_a_source_made_in_the_admin_shows_its_secret_once_and_it_works(admin_client, client):
    response = admin_client.post(reverse("admin:lti_tool_xapisource_add"), {"name": "Open edX", "username": "openedx", "is_active": "on"},
                                 follow=True)
    page = response.content.decode()
    secret = re.search(r"shown only now; give it to the platform with the user name\): ([\w-]+)", page).group(1)
    source = XapiSource.objects.get(username="openedx")
    assert secret not in source.secret_hash and source.check_secret(secret)
    assert secret not in admin_client.get(reverse("admin:lti_tool_xapisource_change", args=[source.pk])).content.decode()
    auth = "Basic " + base64.b64encode(f"openedx:{secret}".encode()).decode()
    posted = client.post("/lti/xapi/statements/", json.dumps(our_statement()), content_type="application/json",
                         HTTP_AUTHORIZATION=auth, HTTP_X_EXPERIENCE_API_VERSION="1.0.3")
    assert posted.status_code == 200
    admin_client.post(reverse("admin:lti_tool_xapisource_changelist"), {"action": "make_new_secret", "_selected_action": [source.pk]})
    source.refresh_from_db()
    assert not source.check_secret(secret)
