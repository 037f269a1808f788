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
                "/admin/lti_tool/toolkey/", f"/admin/lti_tool/toolkey/{key.pk}/change/", "/admin/lti_tool/registrationlink/",
                "/admin/lti_tool/registrationlink/add/", "/admin/lti_tool/pendingregistration/"):
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


def run_action(operator, model: str, action: str, *pks):
    return operator.post(f"/admin/lti_tool/{model}/", {"action": action, "_selected_action": list(pks)}, follow=True)


def test_platform_actions_do_what_their_labels_say(operator, registered):
    """Before: 'Activate the selected deployments' on Platforms switched the platform on and left its deployments waiting."""
    from lti_tool.models import Deployment, Platform

    Deployment.objects.create(platform=registered, deployment_id="waiting", is_active=False)
    Platform.objects.filter(pk=registered.pk).update(is_active=False)
    run_action(operator, "platform", "activate_deployments", registered.pk)
    assert set(Deployment.objects.values_list("is_active", flat=True)) == {True}
    assert Platform.objects.get().is_active is False  # the platform's own switch is another action
    run_action(operator, "platform", "switch_on", registered.pk)
    assert Platform.objects.get().is_active is True
    run_action(operator, "platform", "deactivate_deployments", registered.pk)
    assert set(Deployment.objects.values_list("is_active", flat=True)) == {False}
    run_action(operator, "platform", "switch_off", registered.pk)
    assert Platform.objects.get().is_active is False


def test_deployment_actions(operator, registered):
    from lti_tool.models import Deployment

    deployment = Deployment.objects.get()
    run_action(operator, "deployment", "deactivate", deployment.pk)
    assert Deployment.objects.get().is_active is False
    run_action(operator, "deployment", "activate", deployment.pk)
    assert Deployment.objects.get().is_active is True


def test_a_registration_link_is_shown_once_and_can_be_revoked(operator, client, db):
    from lti_tool.models import RegistrationLink

    page = operator.post("/admin/lti_tool/registrationlink/add/", {"label": "Moodle prod", "hours": "2"}, follow=True).content.decode()
    url = page.split("<code>", 1)[1].split("</code>", 1)[0]
    link = RegistrationLink.objects.get()
    assert url.startswith("http://testserver/lti/register/") and link.created_by == "operator" and not link.request_email
    assert link.usable() and url.rsplit("/", 2)[-2] not in str(list(RegistrationLink.objects.values()))  # only the hash is stored
    listing = operator.get("/admin/lti_tool/registrationlink/").content.decode()
    assert "Moodle prod" in listing and url not in listing
    run_action(operator, "registrationlink", "revoke", link.pk)
    assert not RegistrationLink.objects.get().usable()
    path = url.removeprefix("http://testserver")
    operator.logout()
    assert client.get(path, {"openid_configuration": "https://lms.example.org/x"}).status_code == 403


def test_a_url_typed_without_its_scheme_is_taken_as_https(operator, db):
    """An operator pasting 'lms.example.com/...' into the Platform form gets https://, not Django 5's http://."""
    from django.contrib.admin.sites import site

    from lti_tool.models import Platform

    form_class = site._registry[Platform].get_form(None)
    form = form_class(data={"name": "LMS", "issuer": "https://lms.example.com", "client_id": "c1",
                            "auth_login_url": "lms.example.com/auth", "auth_token_url": "lms.example.com/token",
                            "keyset_url": "lms.example.com/jwks", "is_active": True})
    form.is_valid()
    assert form.cleaned_data["auth_login_url"] == "https://lms.example.com/auth"
    assert form.cleaned_data["keyset_url"] == "https://lms.example.com/jwks"
