"""LTI Dynamic Registration against a platform endpoint on 127.0.0.1, and the /lti/config/ page."""

from __future__ import annotations

import json

import pytest

TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"


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
        }

    def register(headers, body):
        if headers.get("Authorization") != "Bearer reg-token-1":
            return 401, {"error": "invalid_token"}
        received.append(json.loads(body))
        return lti_platform.registration_answer

    lti_platform.product = "moodle"
    lti_platform.registration_answer = (200, {"client_id": "dyn-client", TOOL_CONFIG: {"deployment_id": "17"}})
    lti_platform.routes[("GET", "/.well-known/openid-configuration")] = configuration
    lti_platform.routes[("POST", "/register")] = register
    lti_platform.received = received
    return lti_platform


def params(platform, **overrides) -> dict:
    return {"openid_configuration": platform.base_url + "/.well-known/openid-configuration", "registration_token": "reg-token-1", **overrides}


def test_registration_asks_first_then_registers_with_an_inactive_deployment(client, dr_platform, lti_launch, lti_consumer_factory, activity_stub):
    from lti_tool.models import Deployment, Platform

    confirm = client.get("/lti/register/", params(dr_platform))
    assert confirm.status_code == 200 and dr_platform.issuer in confirm.content.decode() and not Platform.objects.exists()
    done = client.post("/lti/register/", params(dr_platform))
    html = done.content.decode()
    assert done.status_code == 200 and "org.imsglobal.lti.close" in html and "17" in html
    platform = Platform.objects.get()
    assert (platform.issuer, platform.client_id, platform.source) == (dr_platform.issuer, "dyn-client", Platform.Source.DYNAMIC)
    assert platform.keyset_url == dr_platform.base_url + "/jwks" and platform.auth_login_url == dr_platform.base_url + "/auth"
    deployment = Deployment.objects.get()
    assert deployment.deployment_id == "17" and deployment.is_active is False

    (sent,) = dr_platform.received
    assert sent["redirect_uris"] == ["http://testserver/lti/launch/"]
    assert sent["initiate_login_uri"] == "http://testserver/lti/login/" and sent["jwks_uri"] == "http://testserver/lti/jwks/"
    assert sent["token_endpoint_auth_method"] == "private_key_jwt" and set(sent["grant_types"]) == {"implicit", "client_credentials"}
    assert sent["scope"].split() == ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem", "https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    messages = {m["type"]: m for m in sent[TOOL_CONFIG]["messages"]}
    assert messages["LtiDeepLinkingRequest"]["target_link_uri"] == "http://testserver/lti/launch/" and "placements" not in messages["LtiDeepLinkingRequest"]
    assert sent[TOOL_CONFIG]["domain"] == "testserver"

    consumer = lti_consumer_factory(dr_platform, client_id="dyn-client", deployment_id="17")
    refused = lti_launch(client, consumer)
    assert refused.status_code == 403 and "<code>deployment_inactive</code>" in refused.content.decode()
    for deployment in Deployment.objects.all():  # the administrator approves it (admin: model save)
        deployment.is_active = True
        deployment.save()
    assert lti_launch(client, consumer).status_code == 200


def test_registering_again_updates_the_same_platform(client, dr_platform):
    from lti_tool.models import Deployment, Platform

    client.post("/lti/register/", params(dr_platform))
    for deployment in Deployment.objects.all():
        deployment.is_active = True
        deployment.save()
    client.post("/lti/register/", params(dr_platform))
    assert Platform.objects.count() == 1 and Deployment.objects.get().is_active  # an approval is not undone


def test_canvas_gets_its_placements(client, dr_platform):
    dr_platform.product = "canvas"
    dr_platform.registration_answer = (200, {"client_id": "10000000000042"})
    assert client.post("/lti/register/", params(dr_platform)).status_code == 200
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
        ("https_only", "registration_config_unreachable"),
    ],
)
def test_registration_failures_are_named_and_store_nothing(client, dr_platform, settings, setup, code):
    from lti_tool.models import Platform

    query = params(dr_platform)
    if setup == "no_config":
        query.pop("openid_configuration")
    elif setup == "unreachable":
        query["openid_configuration"] = "http://127.0.0.1:9/.well-known/openid-configuration"
    elif setup == "foreign_issuer":
        dr_platform.routes[("GET", "/other")] = lambda h, b: (200, {"issuer": "https://elsewhere.example", "authorization_endpoint": "x",
                                                                    "token_endpoint": "x", "jwks_uri": "x", "registration_endpoint": "x"})
        query["openid_configuration"] = dr_platform.base_url + "/other"
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
    response = client.post("/lti/register/", query)
    assert 400 <= response.status_code < 500 and f"<code>{code}</code>" in response.content.decode()
    assert not Platform.objects.exists()


def test_dynamic_registration_can_be_switched_off(client, dr_platform, settings):
    settings.LDAI_LTI = {**settings.LDAI_LTI, "DYNAMIC_REGISTRATION": False}
    response = client.get("/lti/register/", params(dr_platform))
    assert response.status_code == 403 and "<code>registration_disabled</code>" in response.content.decode()


def test_the_config_page_lists_the_urls_to_paste(client, db, settings):
    settings.ALLOWED_HOSTS = ["tool.example.org"]
    response = client.get("/lti/config/", HTTP_HOST="tool.example.org", secure=True)
    html = response.content.decode()
    assert response.status_code == 200
    for url in ("https://tool.example.org/lti/login/", "https://tool.example.org/lti/launch/", "https://tool.example.org/lti/jwks/",
                "https://tool.example.org/lti/register/"):
        assert url in html
    assert response.headers.get("X-Frame-Options") == "DENY"  # not an LTI page: never framed
