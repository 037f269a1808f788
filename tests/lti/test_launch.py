"""OIDC login and launch against a real platform (lti-consumer-xblock), and the checks pylti1p3 skips.

Each refusal must be a 4xx page naming its reason code, and must write nothing:
no row in any of the tool's tables, no cached launch, no used nonce.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LAUNCH_URL = "http://testserver/lti/launch/"
LOGIN_URL = "http://testserver/lti/login/"


def payload(lti_platform, auth: dict, **changes) -> dict:
    """A valid resource-link id_token body answering the authentication request ``auth``."""
    now = int(time.time())
    body = {
        "iss": lti_platform.issuer,
        "aud": auth["client_id"],
        "sub": "learner-7",
        "iat": now,
        "exp": now + 300,
        "nonce": auth["nonce"],
        "name": "Camille Durand",
        LTI + "message_type": "LtiResourceLinkRequest",
        LTI + "version": "1.3.0",
        LTI + "deployment_id": "deployment-a",
        LTI + "target_link_uri": LAUNCH_URL,
        LTI + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        LTI + "resource_link": {"id": "link-9"},
        LTI + "context": {"id": "course-9", "title": "Course"},
    }
    for name, value in changes.items():
        key = name.replace("__", "/")
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def post_token(client, auth: dict, token: str, **extra):
    return client.post(LAUNCH_URL, {"state": auth["state"], "id_token": token, **extra})


def switch_deployments(platform, *, active: bool) -> None:
    """As the admin does it: through the model, so every process drops its cached registrations."""
    for deployment in platform.deployments.all():
        deployment.is_active = active
        deployment.save()


def assert_refused(response, code: str, status: int | None = None):
    assert 400 <= response.status_code < 500, response.status_code
    if status:
        assert response.status_code == status
    html = response.content.decode()
    assert f"<code>{code}</code>" in html, html[:2000]
    assert response["Content-Security-Policy"].startswith("frame-ancestors 'self'")
    assert "X-Frame-Options" not in response


# ----- the happy path ---------------------------------------------------------------------------------


def test_a_learner_launch_reaches_the_activity_with_its_context(client, consumer, activity_stub, lti_launch, lti_platform):
    response = lti_launch(client, consumer, locale="fr-CA", custom={"ldai_activity": "ldai_risk_quiz"}, return_url="https://lms.example/back")
    assert response.status_code == 200
    assert b"activity for learner-1" in response.content
    (context,) = activity_stub
    assert (context.user_sub, context.context_id, context.resource_link_id) == ("learner-1", "course-1", "link-1")
    assert context.locale == "fr" and not context.is_instructor
    assert context.custom == {"ldai_activity": "ldai_risk_quiz"}
    assert context.deployment.deployment_id == "deployment-a" and context.platform.issuer == lti_platform.issuer
    # framed by the platform and by the return URL's origin named in the signed token, not DENY
    csp = response["Content-Security-Policy"]
    assert lti_platform.issuer in csp and "https://lms.example" in csp
    assert "X-Frame-Options" not in response


@pytest.mark.parametrize("role, instructor", [("instructor", True), ("staff", True), ("student", False), ("guest", False)])
def test_instructor_comes_from_the_lti_roles(client, consumer, activity_stub, lti_launch, role, instructor):
    assert lti_launch(client, consumer, role=role).status_code == 200
    assert activity_stub[0].is_instructor is instructor


def test_login_accepts_post_as_well_as_get(client, consumer, lti_start_login):
    response, auth = lti_start_login(client, consumer, method="post")
    assert response.status_code == 302 and auth["redirect_uri"] == LAUNCH_URL
    assert auth["response_mode"] == "form_post" and auth["prompt"] == "none" and auth["scope"] == "openid"


def test_the_launch_cache_holds_claims_never_the_token(client, consumer, activity_stub, lti_launch):
    from django.core.cache import cache

    from lti_tool.lti import launch_context

    lti_launch(client, consumer)
    stored = cache.get("ldai-lti-launch:" + activity_stub[0].launch_id)
    assert "id_token" not in repr(stored) and stored["claims"]["sub"] == "learner-1"
    again = launch_context.load(activity_stub[0].launch_id)
    assert again.user_sub == "learner-1" and again.deployment == activity_stub[0].deployment


# ----- replay and browser binding ---------------------------------------------------------------------------


def test_a_replayed_id_token_is_refused_and_writes_nothing(client, consumer, activity_stub, lti_start_login, lti_platform, lti_sign, lti_snapshot):
    _, auth = lti_start_login(client, consumer)
    token = lti_sign(payload(lti_platform, auth), lti_platform)
    assert post_token(client, auth, token).status_code == 200
    before = lti_snapshot()
    assert_refused(post_token(client, auth, token), "state_unknown")
    # the same token through a fresh login (new state and nonce): its nonce is not this login's
    _, fresh = lti_start_login(client, consumer)
    assert_refused(client.post(LAUNCH_URL, {"state": fresh["state"], "id_token": token}), "nonce_mismatch")
    assert lti_snapshot() == before
    assert len(activity_stub) == 1


def test_a_nonce_seen_before_is_refused_even_with_a_new_state(client, consumer, activity_stub, lti_start_login, lti_platform, lti_sign):
    """Defence in depth: the nonce is remembered, not only the state."""
    from django.core.cache import cache

    from lti_tool.lti.storage import state_key

    _, auth = lti_start_login(client, consumer)
    assert post_token(client, auth, lti_sign(payload(lti_platform, auth), lti_platform)).status_code == 200
    _, second = lti_start_login(client, consumer)
    record = cache.get(state_key(second["state"]))
    record["nonce"] = auth["nonce"]  # as if the platform had been handed the first nonce again
    cache.set(state_key(second["state"]), record)
    response = post_token(client, second, lti_sign(payload(lti_platform, second, nonce=auth["nonce"]), lti_platform))
    assert_refused(response, "nonce_reused")


def test_a_launch_from_another_browser_offers_a_new_window_not_state_not_found(client, consumer, activity_stub, lti_start_login,
                                                                               lti_platform, lti_sign, lti_snapshot):
    from django.test import Client

    _, auth = lti_start_login(client, consumer)
    token = lti_sign(payload(lti_platform, auth), lti_platform)
    before = lti_snapshot()
    other_browser = Client()
    response = other_browser.post(LAUNCH_URL, {"state": auth["state"], "id_token": token})
    html = response.content.decode()
    assert response.status_code == 200 and 'target="_blank"' in html and 'action="http://testserver/lti/login/"' in html
    assert 'name="login_hint"' in html and "state not found" not in html.lower()
    assert lti_snapshot() == before and not activity_stub
    # the browser that did start the login still launches with the same token
    assert post_token(client, auth, token).status_code == 200


def test_platform_storage_proves_the_browser_when_cookies_are_blocked(client, consumer, activity_stub, lti_start_login, lti_platform, lti_sign):
    from django.test import Client

    response, _ = lti_start_login(client, consumer, extra={"lti_storage_target": "post_message_forwarding"})
    html = response.content.decode()
    assert response.status_code == 200 and '"lti.put_data"' in html and "post_message_forwarding" in html
    auth_url = html.split('var authUrl = "', 1)[1].split('"', 1)[0].encode().decode("unicode_escape")
    auth = {k: v[0] for k, v in parse_qs(urlsplit(auth_url).query).items()}
    secret = html.split('"value": "', 1)[1].split('"', 1)[0]
    token = lti_sign(payload(lti_platform, auth), lti_platform)
    no_cookies = Client()
    page = no_cookies.post(LAUNCH_URL, {"state": auth["state"], "id_token": token})
    assert page.status_code == 200 and '"lti.get_data"' in page.content.decode() and 'name="ldai_storage_proof"' in page.content.decode()
    wrong = no_cookies.post(LAUNCH_URL, {"state": auth["state"], "id_token": token, "ldai_storage_proof": "guess"})
    assert wrong.status_code == 200 and 'target="_blank"' in wrong.content.decode() and not activity_stub
    right = no_cookies.post(LAUNCH_URL, {"state": auth["state"], "id_token": token, "ldai_storage_proof": secret})
    assert right.status_code == 200 and activity_stub[0].user_sub == "learner-7"


# ----- audience, azp, target link, deployment ----------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"aud": "someone-else"}, "aud_mismatch"),
        ({"aud": ["someone-else", "ldai-client-1"]}, "azp_missing"),
        ({"aud": ["someone-else", "ldai-client-1"], "azp": "someone-else"}, "azp_mismatch"),
        ({"azp": "someone-else"}, "azp_mismatch"),
        ({"iss": "https://other-platform.example"}, "iss_mismatch"),
        ({LTI + "target_link_uri": "http://testserver/lti/launch/?other"}, "target_link_mismatch"),
        ({LTI + "target_link_uri": ...}, "target_link_missing"),
        ({LTI + "deployment_id": "deployment-unknown"}, "deployment_unknown"),
        ({"nonce": "not-the-login-nonce"}, "nonce_mismatch"),
        ({"nonce": ...}, "nonce_missing"),
        ({LTI + "message_type": "LtiSubmissionReviewRequest"}, "message_type_unsupported"),
        ({LTI + "roles": "Learner"}, "claim_malformed"),
        ({LTI + "context": ["course"]}, "claim_malformed"),
        ({LTI + "resource_link": {"id": "x" * 300}}, "claim_malformed"),
        ({"exp": ...}, "missing_exp_iat"),
    ],
)
def test_each_stricter_check_refuses_with_its_reason_and_writes_nothing(client, consumer, activity_stub, lti_start_login, lti_platform,
                                                                      lti_sign, lti_snapshot, changes, code):
    _, auth = lti_start_login(client, consumer)
    body = payload(lti_platform, auth)
    for key, value in changes.items():
        if value is ...:
            body.pop(key)
        else:
            body[key] = value
    before = lti_snapshot()
    assert_refused(post_token(client, auth, lti_sign(body, lti_platform)), code)
    assert lti_snapshot() == before and not activity_stub


def test_azp_equal_to_the_client_id_is_accepted_with_several_audiences(client, consumer, activity_stub, lti_start_login, lti_platform, lti_sign):
    _, auth = lti_start_login(client, consumer)
    body = payload(lti_platform, auth, aud=["other-tool", "ldai-client-1"], azp="ldai-client-1")
    assert post_token(client, auth, lti_sign(body, lti_platform)).status_code == 200


def test_an_inactive_deployment_is_refused_until_an_administrator_activates_it(client, consumer, activity_stub, lti_launch, registered, lti_snapshot):
    deployment = registered.deployments.get()
    deployment.is_active = False
    deployment.save()
    before = lti_snapshot()
    assert_refused(lti_launch(client, consumer), "deployment_inactive", 403)  # refused at login already (lti_deployment_id)
    assert lti_snapshot() == before
    deployment.is_active = True
    deployment.save()
    assert lti_launch(client, consumer).status_code == 200


def test_an_inactive_deployment_is_refused_at_launch_too(client, consumer, activity_stub, lti_start_login, lti_platform, lti_sign, registered):
    _, auth = lti_start_login(client, consumer)
    switch_deployments(registered, active=False)
    assert_refused(post_token(client, auth, lti_sign(payload(lti_platform, auth), lti_platform)), "deployment_inactive", 403)


def test_an_inactive_platform_is_refused(client, consumer, activity_stub, lti_launch, registered):
    registered.is_active = False
    registered.save()
    assert_refused(lti_launch(client, consumer), "platform_inactive", 403)


# ----- clock leeway ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "leeway, iat_shift, exp_shift, expected",
    [
        (30, +20, 300, 200),  # platform clock 20 s ahead: within the default leeway
        (30, +90, 300, "token_not_yet_valid"),
        (30, -600, -20, 200),  # expired 20 s ago: within the leeway
        (30, -600, -90, "token_expired"),
        (0, -600, -20, "token_expired"),  # the leeway is configurable
        (120, +90, 300, 200),
    ],
)
def test_clock_leeway_is_applied_to_iat_and_exp(client, consumer, activity_stub, lti_start_login, lti_platform, lti_sign, settings,
                                                leeway, iat_shift, exp_shift, expected):
    settings.LDAI_LTI = {**settings.LDAI_LTI, "CLOCK_LEEWAY_SECONDS": leeway}
    _, auth = lti_start_login(client, consumer)
    now = int(time.time())
    response = post_token(client, auth, lti_sign(payload(lti_platform, auth, iat=now + iat_shift, exp=now + exp_shift), lti_platform))
    if expected == 200:
        assert response.status_code == 200
    else:
        assert_refused(response, expected, 403)


# ----- keys: unknown kid, platform key rotation -------------------------------------------------------------------


def test_platform_key_rotation_is_picked_up_by_one_refetch(client, consumer, activity_stub, lti_launch, lti_platform, registered):
    from lti_consumer.lti_1p3.key_handlers import PlatformKeyHandler

    assert lti_launch(client, consumer).status_code == 200
    hits = lti_platform.jwks_hits
    lti_platform.rotate(keep_old=False)
    consumer.key_handler = PlatformKeyHandler(lti_platform.private_pem, lti_platform.kid)
    assert lti_launch(client, consumer, user_id="learner-2").status_code == 200
    assert lti_platform.jwks_hits == hits + 1
    registered.refresh_from_db()
    assert [k["kid"] for k in registered.keyset_json["keys"]] == [lti_platform.kid]


def test_an_unknown_kid_costs_at_most_one_refetch_then_is_refused(client, consumer, activity_stub, lti_start_login, lti_platform, lti_sign,
                                                                   lti_launch):
    assert lti_launch(client, consumer).status_code == 200  # keyset cached
    hits = lti_platform.jwks_hits
    for _ in range(3):
        _, auth = lti_start_login(client, consumer)
        token = lti_sign(payload(lti_platform, auth), lti_platform, headers={"kid": "no-such-key"})
        assert_refused(post_token(client, auth, token), "kid_unknown", 403)
    assert lti_platform.jwks_hits == hits + 1  # throttled: random kids cannot make us hammer the platform


def test_a_token_signed_by_another_key_with_a_known_kid_is_refused(client, consumer, activity_stub, lti_start_login, lti_platform, lti_sign):
    import jwt

    _, auth = lti_start_login(client, consumer)
    forged = jwt.encode(payload(lti_platform, auth), lti_platform.keys[2], algorithm="RS256", headers={"kid": lti_platform.kid})
    assert_refused(post_token(client, auth, forged), "signature_invalid", 403)


@pytest.mark.parametrize("alg", ["HS256", "none"])
def test_symmetric_and_unsigned_tokens_are_refused(client, consumer, activity_stub, lti_start_login, lti_platform, alg):
    import jwt

    _, auth = lti_start_login(client, consumer)
    body = payload(lti_platform, auth)
    token = jwt.encode(body, "secret-secret-secret-secret-secret!", algorithm="HS256", headers={"kid": lti_platform.kid}) if alg == "HS256" else (
        jwt.api_jws.base64url_encode(b'{"alg":"none","kid":"platform-key-0"}').decode() + "."
        + jwt.api_jws.base64url_encode(__import__("json").dumps(body).encode()).decode() + "."
    )
    assert_refused(post_token(client, auth, token), "alg_unsupported", 400)


def test_an_unreachable_keyset_is_a_4xx_naming_it(client, consumer, activity_stub, lti_start_login, lti_platform, lti_sign, registered):
    registered.keyset_url = "http://127.0.0.1:9/jwks"  # nothing listens on the discard port
    registered.keyset_json = None
    registered.save()
    _, auth = lti_start_login(client, consumer)
    assert_refused(post_token(client, auth, lti_sign(payload(lti_platform, auth), lti_platform)), "keyset_unavailable", 403)


# ----- malformed requests --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token, code",
    [
        ("not-a-jwt", "token_malformed"),
        ("a.b.c", "token_malformed"),
        ("W10.W10.sig", "token_malformed"),  # header and body are JSON arrays
        ("", "missing_id_token"),
    ],
)
def test_garbage_id_tokens_get_a_400_page(client, consumer, activity_stub, lti_start_login, token, code):
    _, auth = lti_start_login(client, consumer)
    assert_refused(client.post(LAUNCH_URL, {"state": auth["state"], "id_token": token}), code, 400)


def test_a_launch_without_state_or_with_a_foreign_state_is_refused(client, db):
    assert_refused(client.post(LAUNCH_URL, {"id_token": "x.y.z"}), "missing_state", 400)
    assert_refused(client.post(LAUNCH_URL, {"state": "state-forged", "id_token": "x.y.z"}), "state_unknown", 400)


def test_get_on_the_launch_url_is_a_405_page(client, db):
    response = client.get(LAUNCH_URL)
    assert response.status_code == 405 and response["Allow"] == "POST" and "<code>method_not_allowed</code>" in response.content.decode()


@pytest.mark.parametrize(
    "params, code",
    [
        ({"login_hint": "u", "target_link_uri": LAUNCH_URL}, "login_missing_iss"),
        ({"iss": "ISS", "target_link_uri": LAUNCH_URL}, "login_missing_login_hint"),
        ({"iss": "ISS", "login_hint": "u"}, "login_missing_target_link_uri"),
        ({"iss": "ISS", "login_hint": "u", "target_link_uri": "https://evil.example/lti/launch/"}, "login_bad_target_link_uri"),
        ({"iss": "ISS", "login_hint": "u", "target_link_uri": "javascript:alert(1)"}, "login_bad_target_link_uri"),
        ({"iss": "https://unknown.example", "login_hint": "u", "target_link_uri": LAUNCH_URL}, "platform_unknown"),
        ({"iss": "ISS", "client_id": "nope", "login_hint": "u", "target_link_uri": LAUNCH_URL}, "platform_unknown"),
        ({"iss": "ISS", "login_hint": "u", "target_link_uri": LAUNCH_URL, "lti_deployment_id": "nope"}, "deployment_unknown"),
        ({"iss": "ISS", "login_hint": "x" * 5000, "target_link_uri": LAUNCH_URL}, "login_param_too_long"),
    ],
)
def test_login_refusals_name_their_reason_and_store_nothing(client, registered, lti_snapshot, params, code):
    params = {k: (registered.issuer if v == "ISS" else v) for k, v in params.items()}
    before = lti_snapshot()
    response = client.get(LOGIN_URL, params)
    assert_refused(response, code)
    assert "Set-Cookie" not in str(response.cookies) or not response.cookies
    assert lti_snapshot() == before


def test_a_second_client_on_the_same_issuer_needs_its_client_id(client, registered, lti_platform):
    from lti_tool.models import Deployment, Platform

    twin = Platform.objects.create(issuer=registered.issuer, client_id="second-client", auth_login_url=registered.auth_login_url,
                                   auth_token_url=registered.auth_token_url, keyset_url=registered.keyset_url)
    Deployment.objects.create(platform=twin, deployment_id="deployment-b")
    base = {"iss": registered.issuer, "login_hint": "u", "target_link_uri": LAUNCH_URL}
    assert_refused(client.get(LOGIN_URL, base), "platform_ambiguous", 400)
    by_deployment = client.get(LOGIN_URL, {**base, "lti_deployment_id": "deployment-b"})
    assert by_deployment.status_code == 302 and "client_id=second-client" in by_deployment["Location"]
    assert client.get(LOGIN_URL, {**base, "client_id": "ldai-client-1"}).status_code == 302


def test_the_state_cookie_is_samesite_none_and_secure_over_https(client, consumer, lti_start_login):
    from lti_consumer.data import Lti1p3LaunchData

    data = Lti1p3LaunchData(user_id="u", user_role="student", config_id="c", resource_link_id="r")
    query = {k: v[0] for k, v in parse_qs(urlsplit(consumer.prepare_preflight_url(data)).query).items()}
    response = client.get(LOGIN_URL, query, secure=True)
    assert response.status_code == 302
    (cookie,) = [c for name, c in response.cookies.items() if name.startswith("lti1p3-state-")]
    assert cookie["samesite"] == "None" and cookie["secure"] and cookie["httponly"]


# ----- the reader's language ------------------------------------------------------------------------------------


def test_a_refused_launch_speaks_the_launch_locale(client, consumer, activity_stub, lti_start_login, lti_platform, lti_sign, registered):
    _, auth = lti_start_login(client, consumer)
    switch_deployments(registered, active=False)
    body = payload(lti_platform, auth, **{LTI + "launch_presentation": {"locale": "fr-FR"}})
    response = post_token(client, auth, lti_sign(body, lti_platform))
    html = response.content.decode()
    assert response.status_code == 403 and response["Content-Language"] == "fr" and '<html lang="fr">' in html
    assert "Ce déploiement de l’outil attend une validation" in html and "<code>deployment_inactive</code>" in html


def test_a_refused_login_speaks_the_browser_language(client, db):
    response = client.get(LOGIN_URL, {"login_hint": "u"}, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response.status_code == 400 and "La plateforme ne s’est pas identifiée" in response.content.decode()


# ----- nothing a platform sends produces a 500 ---------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=6,
)
CLAIMS = st.sampled_from([
    "sub", "aud", "azp", "name", "email", LTI + "roles", LTI + "context", LTI + "resource_link", LTI + "custom",
    LTI + "launch_presentation", LTI + "version", LTI + "message_type", LTI + "deployment_id",
    "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint", "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(changes=st.dictionaries(CLAIMS, JSON_VALUES, min_size=1, max_size=3))
def test_any_claim_value_gets_a_page_never_a_500(client, consumer, activity_stub, lti_start_login, lti_platform, lti_sign, changes):
    _, auth = lti_start_login(client, consumer)
    body = payload(lti_platform, auth)
    body.update(changes)
    response = post_token(client, auth, lti_sign(body, lti_platform))
    assert response.status_code < 500
    if response.status_code != 200:
        assert "<code>" in response.content.decode()
