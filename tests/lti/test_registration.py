"""LTI Dynamic Registration against a platform endpoint on 127.0.0.1, started by the administrator only.

The platform side reproduces what Moodle does with the tool's registration request
(``mod/lti/classes/local/ltiopenid/registration_helper.php``, ``registration_to_config``):
asking for the ``email`` claim sets "share launcher's e-mail" to ALWAYS, a name claim sets
"share name" to ALWAYS, and any AGS scope sets "accept grades" to DELEGATE (to the teacher).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ldai_xblocks.cli import main

TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
AGS_SCOPES = ("https://purl.imsglobal.org/spec/lti-ags/scope/score", "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly", "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem")


def moodle_privacy(registration: dict) -> dict:
    """registration_helper.php's registration_to_config, the privacy and grade settings only."""
    claims = registration[TOOL_CONFIG].get("claims") or []
    scopes = (registration.get("scope") or "").split(" ")
    return {
        "sendname": "always" if {"name", "given_name", "family_name"} & set(claims) else "never",
        "sendemailaddr": "always" if "email" in claims else "never",
        "acceptgrades": "delegate" if set(AGS_SCOPES) & set(scopes) else "never",
    }


@pytest.fixture
def dr_platform(lti_platform, db):
    """The platform's side of Dynamic Registration: its openid-configuration and registration endpoint."""
    received: list[dict] = []

    def configuration(headers, body):
        base = lti_platform.base_url
        return 200, {
            "issuer": base, "authorization_endpoint": base + "/auth", "token_endpoint": base + "/token",
            "jwks_uri": base + "/jwks", "registration_endpoint": base + "/register",
            "scopes_supported": ["openid", "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                                 "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"],
            PLATFORM_CONFIG: {"product_family_code": lti_platform.product, "version": "4.5",
                              "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}]},
            **lti_platform.config_overrides,
        }

    def register(headers, body):
        if headers.get("Authorization") != "Bearer reg-token-1":
            return 401, {"error": "invalid_token"}
        received.append(json.loads(body))
        return lti_platform.registration_answer

    lti_platform.product = "moodle"
    lti_platform.config_overrides = {}
    lti_platform.registration_answer = (200, {"client_id": "dyn-client", TOOL_CONFIG: {"deployment_id": "17"}})
    lti_platform.routes[("GET", "/.well-known/openid-configuration")] = configuration
    lti_platform.routes[("POST", "/register")] = register
    lti_platform.received = received
    return lti_platform


@pytest.fixture
def link(db):
    """A fresh one-time registration link's path, as the administrator hands it over."""
    from lti_tool.lti.registration_links import link_path, new_link

    def make(**options) -> str:
        return link_path(new_link(created_by="test", **options)[1])

    return make


def params(platform, **overrides) -> dict:
    return {"openid_configuration": platform.base_url + "/.well-known/openid-configuration", "registration_token": "reg-token-1", **overrides}


def code_of(response) -> str:
    html = response.content.decode()
    return html.split("<code>", 1)[1].split("</code>", 1)[0] if "<code>" in html else ""


def test_a_link_registers_once_with_an_inactive_deployment_and_no_email(client, dr_platform, link, lti_launch, lti_consumer_factory,
                                                                         activity_stub):
    from lti_tool.models import Deployment, Platform, RegistrationLink

    url = link(label="Moodle")
    confirm = client.get(url, params(dr_platform))
    assert confirm.status_code == 200 and dr_platform.issuer in confirm.content.decode() and not Platform.objects.exists()
    done = client.post(url, params(dr_platform))
    html = done.content.decode()
    assert done.status_code == 200 and "org.imsglobal.lti.close" in html and "17" in html
    platform = Platform.objects.get()
    assert (platform.issuer, platform.client_id, platform.source) == (dr_platform.issuer, "dyn-client", Platform.Source.DYNAMIC)
    assert platform.keyset_url == dr_platform.base_url + "/jwks" and platform.auth_login_url == dr_platform.base_url + "/auth"
    deployment = Deployment.objects.get()
    assert deployment.deployment_id == "17" and deployment.is_active is False
    assert RegistrationLink.objects.get().platform == platform

    (sent,) = dr_platform.received
    assert sent["redirect_uris"] == ["http://testserver/lti/launch/"]
    assert sent["initiate_login_uri"] == "http://testserver/lti/login/" and sent["jwks_uri"] == "http://testserver/lti/jwks/"
    assert sent["token_endpoint_auth_method"] == "private_key_jwt" and set(sent["grant_types"]) == {"implicit", "client_credentials"}
    assert sent["scope"].split() == ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem", "https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    messages = {m["type"]: m for m in sent[TOOL_CONFIG]["messages"]}
    assert messages["LtiDeepLinkingRequest"]["target_link_uri"] == "http://testserver/lti/launch/" and "placements" not in messages["LtiDeepLinkingRequest"]
    assert sent[TOOL_CONFIG]["domain"] == "testserver"
    # What Moodle makes of it: names shared, e-mail never, grades accepted if the teacher says so.
    assert moodle_privacy(sent) == {"sendname": "always", "sendemailaddr": "never", "acceptgrades": "delegate"}

    again = client.post(url, params(dr_platform))  # the link is spent
    assert again.status_code == 403 and code_of(again) == "registration_not_allowed" and len(dr_platform.received) == 1

    consumer = lti_consumer_factory(dr_platform, client_id="dyn-client", deployment_id="17")
    refused = lti_launch(client, consumer)
    assert refused.status_code == 403 and "<code>deployment_inactive</code>" in refused.content.decode()
    Deployment.objects.update(is_active=True)  # the administrator approves it
    from lti_tool.lti import registry

    registry.bump()
    assert lti_launch(client, consumer).status_code == 200


def test_the_email_claim_is_asked_only_when_the_administrator_opts_in(client, dr_platform, link):
    assert client.post(link(request_email=True), params(dr_platform)).status_code == 200
    (sent,) = dr_platform.received
    assert "email" in sent[TOOL_CONFIG]["claims"] and moodle_privacy(sent)["sendemailaddr"] == "always"


def test_nobody_without_a_link_or_an_admin_session_can_register_and_the_tool_fetches_nothing(client, dr_platform, link):
    """Before: /lti/register/ accepted anyone and fetched whatever URL it was given."""
    from lti_tool.models import Platform

    for method in (client.get, client.post):
        for url in ("/lti/register/", "/lti/register/not-a-link/"):
            response = method(url, params(dr_platform))
            assert response.status_code == 403 and code_of(response) == "registration_not_allowed"
    from datetime import timedelta

    from django.utils import timezone

    from lti_tool.models import RegistrationLink

    expired = link()
    RegistrationLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert code_of(client.get(expired, params(dr_platform))) == "registration_not_allowed"
    assert dr_platform.requests == [] and not Platform.objects.exists()


def test_anonymous_errors_do_not_tell_a_closed_port_from_an_open_one(client, dr_platform):
    """Before: 'could not be reached (ConnectionError)' for a closed port, 'answered HTTP 404' for an open one."""
    closed = client.post("/lti/register/", {"openid_configuration": "http://127.0.0.1:9/x"})
    open_ = client.post("/lti/register/", {"openid_configuration": dr_platform.base_url + "/x"})
    assert closed.status_code == open_.status_code == 403 and closed.content == open_.content
    assert dr_platform.requests == []


def test_the_backslash_takeover_is_refused_and_the_victim_platform_is_untouched(client, registered, lti_platform, link, settings):
    """Before: ``urlsplit`` read the host after the backslash, requests connected to the one before it."""
    import requests

    from lti_tool.models import Platform

    victim_issuer = "http://lms.example.org"
    Platform.objects.filter(pk=registered.pk).update(issuer=victim_issuer)
    before = list(Platform.objects.values())
    evil = f"{lti_platform.base_url}\\@lms.example.org/.well-known/openid-configuration"
    attacker_path = requests.Request("GET", evil).prepare().path_url  # where requests itself would send it
    lti_platform.routes[("GET", attacker_path.split("?")[0])] = lambda h, b: (200, {
        "issuer": victim_issuer, "authorization_endpoint": lti_platform.base_url + "/auth", "token_endpoint": lti_platform.base_url + "/t",
        "jwks_uri": lti_platform.base_url + "/jwks", "registration_endpoint": lti_platform.base_url + "/register"})
    lti_platform.routes[("POST", "/register")] = lambda h, b: (200, {"client_id": registered.client_id})
    settings.LDAI = {**settings.LDAI, "HTTP_ALLOWED_HOSTS": ["127.0.0.1", "lms.example.org"]}
    for url in ("/lti/register/", link()):
        response = client.post(url, {"openid_configuration": evil, "registration_token": "t"})
        assert response.status_code in (400, 403)
    assert list(Platform.objects.values()) == before
    assert [r for r in lti_platform.requests if r[1] != "/jwks"] == []


@pytest.mark.parametrize("moved", ["registration_endpoint", "jwks_uri"])
def test_the_registration_token_and_the_keyset_stay_on_the_issuers_host(client, dr_platform, link, settings, moved):
    """Before: the tool posted its metadata with the platform's bearer token to any host the configuration named."""
    from lti_tool.models import Platform

    settings.LDAI = {**settings.LDAI, "HTTP_ALLOWED_HOSTS": ["127.0.0.1", "localhost"]}
    elsewhere = dr_platform.base_url.replace("127.0.0.1", "localhost")
    dr_platform.config_overrides = {moved: elsewhere + ("/register" if moved == "registration_endpoint" else "/jwks")}
    response = client.post(link(), params(dr_platform))
    assert response.status_code == 400 and code_of(response) == "registration_config_invalid"
    assert not [r for r in dr_platform.requests if r[0] == "POST"] and not Platform.objects.exists()


def test_internal_addresses_are_not_fetched_unless_the_operator_allows_them(client, dr_platform, link, settings):
    settings.LDAI = {**settings.LDAI, "HTTP_ALLOWED_HOSTS": []}
    response = client.post(link(), params(dr_platform))
    assert response.status_code == 400 and code_of(response) == "registration_config_unreachable"
    assert dr_platform.requests == []


def test_a_known_platform_is_never_rewritten_its_changes_wait_for_approval(client, dr_platform, link, django_user_model):
    from lti_tool.models import Deployment, PendingRegistration, Platform

    client.post(link(), params(dr_platform))
    Deployment.objects.update(is_active=True)
    assert "nothing changed" in client.post(link(), params(dr_platform)).content.decode()
    assert not PendingRegistration.objects.exists()

    original = list(Platform.objects.values())
    dr_platform.routes[("GET", "/jwks2")] = lambda h, b: (200, dr_platform.jwks())
    dr_platform.config_overrides = {"jwks_uri": dr_platform.base_url + "/jwks2"}
    dr_platform.registration_answer = (200, {"client_id": "dyn-client", TOOL_CONFIG: {"deployment_id": "18"}})
    done = client.post(link(), params(dr_platform))
    assert done.status_code == 200 and "waiting for a tool administrator" in done.content.decode()
    assert list(Platform.objects.values()) == original and Deployment.objects.get().is_active  # nothing changed, nothing undone
    pending = PendingRegistration.objects.get()
    assert pending.changes() == {"keyset_url": (dr_platform.base_url + "/jwks", dr_platform.base_url + "/jwks2")}

    admin = django_user_model.objects.create_superuser("operator", "op@example.com", "pw-not-used")
    client.force_login(admin)
    page = client.get(f"/admin/lti_tool/pendingregistration/{pending.pk}/change/").content.decode()
    assert "/jwks2" in page and "after approval" in page and "18 (added inactive)" in page
    client.post("/admin/lti_tool/pendingregistration/", {"action": "apply", "_selected_action": [pending.pk]}, follow=True)
    platform = Platform.objects.get()
    assert platform.keyset_url.endswith("/jwks2") and platform.keyset_json is None and not PendingRegistration.objects.exists()
    assert dict(Deployment.objects.values_list("deployment_id", "is_active")) == {"17": True, "18": False}


def test_a_signed_in_administrator_registers_with_the_csrf_check(dr_platform, django_user_model):
    from lti_tool.models import Platform

    admin = django_user_model.objects.create_superuser("operator", "op@example.com", "pw-not-used")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)
    confirm = browser.get("/lti/register/", params(dr_platform))
    html = confirm.content.decode()
    assert confirm.status_code == 200 and 'name="csrfmiddlewaretoken"' in html
    forged = browser.post("/lti/register/", params(dr_platform))  # a cross-site form has no token
    assert forged.status_code == 403 and not Platform.objects.exists()
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    done = browser.post("/lti/register/", {**params(dr_platform), "csrfmiddlewaretoken": token})
    assert done.status_code == 200 and Platform.objects.get().client_id == "dyn-client"


def test_the_command_line_makes_a_link_that_works_once(client, dr_platform, capsys):
    code = main(["lti", "registration-link", "--label", "Moodle prod", "--hours", "2", "--tool-url", "https://tool.example.org"])
    printed = json.loads(capsys.readouterr().out)
    assert code == 0 and printed["registration_url"].startswith("https://tool.example.org/lti/register/") and not printed["request_email"]
    path = printed["registration_url"].removeprefix("https://tool.example.org")
    assert client.post(path, params(dr_platform)).status_code == 200
    assert client.post(path, params(dr_platform)).status_code == 403
    assert main(["lti", "registration-link", "--hours", "0"]) == 2


def test_canvas_gets_its_placements(client, dr_platform, link):
    dr_platform.product = "canvas"
    dr_platform.registration_answer = (200, {"client_id": "10000000000042"})
    assert client.post(link(), params(dr_platform)).status_code == 200
    messages = {m["type"]: m for m in dr_platform.received[0][TOOL_CONFIG]["messages"]}
    assert messages["LtiDeepLinkingRequest"]["placements"] == ["assignment_selection", "link_selection"]


@pytest.mark.parametrize(
    "setup, code",
    [
        ("no_config", "registration_missing_config"),
        ("unreachable", "registration_config_unreachable"),
        ("foreign_issuer", "registration_config_invalid"),
        ("incomplete", "registration_config_invalid"),
        ("refused", "registration_refused"),
        ("no_client_id", "registration_refused"),
        ("bad_token", "registration_refused"),
        ("https_only", "registration_config_invalid"),
        ("userinfo", "registration_config_invalid"),
    ],
)
def test_registration_failures_are_named_to_the_link_holder_and_store_nothing(client, dr_platform, settings, link, setup, code):
    from lti_tool.models import Platform, RegistrationLink

    query = params(dr_platform)
    if setup == "no_config":
        query.pop("openid_configuration")
    elif setup == "unreachable":
        query["openid_configuration"] = "http://127.0.0.1:9/.well-known/openid-configuration"
    elif setup == "foreign_issuer":
        dr_platform.config_overrides = {"issuer": "https://elsewhere.example"}
    elif setup == "incomplete":
        dr_platform.routes[("GET", "/partial")] = lambda h, b: (200, {"issuer": dr_platform.base_url})
        query["openid_configuration"] = dr_platform.base_url + "/partial"
    elif setup == "refused":
        dr_platform.registration_answer = (400, {"error": "invalid_redirect_uri"})
    elif setup == "no_client_id":
        dr_platform.registration_answer = (200, {"client_name": "x"})
    elif setup == "bad_token":
        query["registration_token"] = "wrong"
    elif setup == "https_only":
        settings.LDAI_LTI = {**settings.LDAI_LTI, "ALLOW_INSECURE_URLS": False}
    elif setup == "userinfo":
        query["openid_configuration"] = query["openid_configuration"].replace("http://", "http://admin:pw@")
    response = client.post(link(), query)
    assert 400 <= response.status_code < 500 and code_of(response) == code
    assert "127.0.0.1" not in response.content.decode().split("<code>")[1]  # details go to the log, not the page
    assert not Platform.objects.exists() and RegistrationLink.objects.get().usable()  # a failed attempt gives the link back


def test_dynamic_registration_can_be_switched_off(client, dr_platform, settings, link):
    settings.LDAI_LTI = {**settings.LDAI_LTI, "DYNAMIC_REGISTRATION": False}
    response = client.get(link(), params(dr_platform))
    assert response.status_code == 403 and "<code>registration_disabled</code>" in response.content.decode()


def test_the_config_page_lists_the_urls_to_paste(client, db, settings):
    settings.ALLOWED_HOSTS = ["tool.example.org"]
    response = client.get("/lti/config/", HTTP_HOST="tool.example.org", secure=True)
    html = response.content.decode()
    assert response.status_code == 200
    for url in ("https://tool.example.org/lti/login/", "https://tool.example.org/lti/launch/", "https://tool.example.org/lti/jwks/"):
        assert url in html
    assert "/lti/register/" not in html and "ldai lti registration-link" in html  # registration needs a link now
    assert response.headers.get("X-Frame-Options") == "DENY"  # not an LTI page: never framed
