"""The operator's admin: approve deployments, refresh a platform's keys, rotate ours; private keys never shown."""

from __future__ import annotations

import pytest


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_superuser("operator", "op@example.com", "pw-not-used")
    client.force_login(user)
    return client


def test_pages_load_and_the_private_key_is_never_shown(operator, registered):
    from lti_tool.lti.keys import ensure_signing_key

    key = ensure_signing_key()
    for url in ("/admin/lti_tool/platform/", f"/admin/lti_tool/platform/{registered.pk}/change/", "/admin/lti_tool/deployment/",
                "/admin/lti_tool/toolkey/", f"/admin/lti_tool/toolkey/{key.pk}/change/"):
        response = operator.get(url)
        assert response.status_code == 200, url
        assert "PRIVATE KEY" not in response.content.decode()
    assert "platform-key-0" in operator.get(f"/admin/lti_tool/platform/{registered.pk}/change/").content.decode()
    assert operator.get("/admin/lti_tool/toolkey/add/").status_code == 403


def test_approving_a_deployment_waiting_for_it(operator, registered):
    from lti_tool.models import Deployment

    waiting = Deployment.objects.create(platform=registered, deployment_id="from-registration", is_active=False)
    response = operator.post("/admin/lti_tool/deployment/", {"action": "activate", "_selected_action": [waiting.pk]}, follow=True)
    assert response.status_code == 200
    waiting.refresh_from_db()
    assert waiting.is_active


def test_refresh_keyset_and_rotate_actions(operator, registered, lti_platform):
    from lti_tool.models import ToolKey

    lti_platform.rotate()
    operator.post("/admin/lti_tool/platform/", {"action": "refresh_keyset", "_selected_action": [registered.pk]}, follow=True)
    registered.refresh_from_db()
    assert {k["kid"] for k in registered.keyset_json["keys"]} == {"platform-key-0", "platform-key-1"}
    from lti_tool.lti.keys import ensure_signing_key

    first = ensure_signing_key()
    operator.post("/admin/lti_tool/toolkey/", {"action": "rotate", "_selected_action": [first.pk]}, follow=True)
    assert ToolKey.objects.signing() != first and ToolKey.objects.get(pk=first.pk).expires_at is not None
