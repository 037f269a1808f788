"""Deep linking round trip: an instructor picks an activity, the platform (lti-consumer-xblock) decodes our response."""

from __future__ import annotations

import json
import re
import time
from html import unescape

import jwt
import pytest

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LAUNCH_URL = "http://testserver/lti/launch/"
RETURN_URL = "https://platform.example/deep-link-return"


def field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no field {name}"
    return unescape(match.group(1))


def dl_body(lti_platform, auth: dict, *, locale: str | None = None, roles=None, data=None) -> dict:
    now = int(time.time())
    settings = {"accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe"], "deep_link_return_url": RETURN_URL}
    if data is not None:
        settings["data"] = data
    body = {
        "iss": lti_platform.issuer, "aud": auth["client_id"], "sub": "teacher-1", "iat": now, "exp": now + 300, "nonce": auth["nonce"],
        LTI + "message_type": "LtiDeepLinkingRequest", LTI + "version": "1.3.0", LTI + "deployment_id": "deployment-a",
        LTI + "roles": roles if roles is not None else ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        DL + "deep_linking_settings": settings,
    }
    if locale:
        body[LTI + "launch_presentation"] = {"locale": locale}
    return body


@pytest.fixture
def picker(client, consumer, lti_platform, lti_start_login, lti_sign):
    """Open the picker through a hand-made deep linking launch; returns (response, launch id)."""

    def open_picker(**kwargs):
        _, auth = lti_start_login(client, consumer, message_type="LtiDeepLinkingRequest", role="instructor")
        response = client.post(LAUNCH_URL, {"state": auth["state"], "id_token": lti_sign(dl_body(lti_platform, auth, **kwargs), lti_platform)})
        html = response.content.decode()
        return response, (field(html, "launch_id") if 'name="launch_id"' in html else None)

    return open_picker


def choose(client, launch_id: str, **overrides):
    form = {"launch_id": launch_id, "activity": "ldai_hallucination_detector", "source": "pack",
            "pack_ldai_hallucination_detector": "fr/marketing", "title": "Détecter les inventions", "max_attempts": "3",
            "points": "20", "action": "submit"}
    form.update(overrides)
    return client.post("/lti/deep-link/", form)


def test_round_trip_with_the_platform_decoding_our_signed_response(client, consumer, lti_launch, lti_platform):
    from lti_tool.models import ToolKey

    picker_page = lti_launch(client, consumer, role="instructor", deep_linking=True)
    assert picker_page.status_code == 200
    html = picker_page.content.decode()
    assert 'name="activity"' in html and "fr/marketing" in html and RETURN_URL.split("/")[2] in picker_page["Content-Security-Policy"]
    returned = choose(client, field(html, "launch_id"))
    assert returned.status_code == 200
    page = returned.content.decode()
    assert f'action="{RETURN_URL}"' in page
    token = field(page, "JWT")
    # the platform checks our signature with the tool's public key, as Open edX does
    from cryptography.hazmat.primitives import serialization
    from lti_consumer.lti_1p3.key_handlers import ToolKeyHandler

    public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(ToolKey.objects.signing().public_jwk))
    public_pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    consumer.tool_jwt = ToolKeyHandler(public_key=public_pem)
    (item,) = consumer.check_and_decode_deep_linking_token(token)
    assert item["type"] == "ltiResourceLink" and item["url"] == LAUNCH_URL and item["title"] == "Détecter les inventions"
    assert item["lineItem"] == {"scoreMaximum": 20.0, "label": "Détecter les inventions", "tag": "ldai:ldai_hallucination_detector"}
    assert item["custom"]["ldai_activity"] == "ldai_hallucination_detector" and item["custom"]["ldai_pack"] == "fr/marketing"
    assert json.loads(item["custom"]["ldai_settings"]) == {"display_name": "Détecter les inventions", "max_attempts": 3, "weight": 20.0}
    # the checks the consumer does not make: who issued it, for whom, for which deployment
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == claims["azp"] == "ldai-client-1" and claims["aud"] == [lti_platform.issuer]
    assert claims[LTI + "deployment_id"] == "deployment-a" and claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "version"] == "1.3.0" and claims["exp"] > time.time() and claims["nonce"]
    assert DL + "data" not in claims  # the platform sent no data to echo
    assert jwt.get_unverified_header(token)["kid"] == ToolKey.objects.signing().kid


def test_the_link_launches_with_the_configuration_it_carries(client, consumer, lti_launch, activity_stub):
    html = lti_launch(client, consumer, role="instructor", deep_linking=True).content.decode()
    token = field(choose(client, field(html, "launch_id")).content.decode(), "JWT")
    (item,) = [jwt.decode(token, options={"verify_signature": False})[DL + "content_items"]][0]
    response = lti_launch(client, consumer, custom=item["custom"], resource_link_id="new-link")
    assert response.status_code == 200
    assert activity_stub[0].custom["ldai_pack"] == "fr/marketing" and activity_stub[0].resource_link_id == "new-link"


def test_the_platform_data_is_echoed_and_the_picker_speaks_french(client, picker, lti_platform):
    response, launch_id = picker(locale="fr-FR", data="909708")
    assert response.status_code == 200 and response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()
    claims = jwt.decode(field(choose(client, launch_id).content.decode(), "JWT"), options={"verify_signature": False})
    assert claims[DL + "data"] == "909708"


def test_own_content_is_validated_and_travels_in_the_link(client, picker):
    _, launch_id = picker()
    bad = choose(client, launch_id, source="custom", content='{"schema": "ldai.hallucination_detector/1"')
    assert bad.status_code == 400 and "not valid JSON" in bad.content.decode() and 'aria-invalid="true"' in bad.content.decode()
    from ldai_xblocks.content import load_pack

    document = load_pack("hallucination_detector", "en/finance")
    good = choose(client, launch_id, source="custom", content=json.dumps(document), title="")
    claims = jwt.decode(field(good.content.decode(), "JWT"), options={"verify_signature": False})
    (item,) = claims[DL + "content_items"]
    assert item["custom"]["ldai_pack"] == "custom" and json.loads(item["custom"]["ldai_content"]) == document
    assert item["title"] == document["title"]  # empty title: the content's own


def test_preview_shows_the_content_without_answers(client, picker):
    _, launch_id = picker()
    response = choose(client, launch_id, action="preview", pack_ldai_hallucination_detector="en/finance")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="preview"' in html and 'name="JWT"' not in html
    assert "hallucinations" not in html.split('id="preview"')[1]  # the annotated answers never reach the page


@pytest.mark.parametrize(
    "overrides, field_name",
    [
        ({"activity": "ldai_unknown"}, "activity"),
        ({"pack_ldai_hallucination_detector": "../../etc/passwd"}, "pack"),
        ({"points": "0"}, "points"),
        ({"points": "nan"}, "points"),
        ({"max_attempts": "-1"}, "max_attempts"),
        ({"max_attempts": "two"}, "max_attempts"),
        ({"source": "custom", "content": ""}, "content"),
    ],
)
def test_form_mistakes_are_named_next_to_their_field(client, picker, overrides, field_name):
    _, launch_id = picker()
    response = choose(client, launch_id, **overrides)
    assert response.status_code == 400 and f'id="error-{field_name}"' in response.content.decode()


def test_a_learner_cannot_pick_and_a_stale_form_expires(client, picker, lti_platform):
    response, launch_id = picker(roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"])
    assert response.status_code == 403 and "<code>not_instructor</code>" in response.content.decode() and launch_id is None
    expired = choose(client, "x" * 32)
    assert expired.status_code == 410 and "<code>launch_expired</code>" in expired.content.decode()
    assert client.get("/lti/deep-link/").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_tool_key_rotation_is_seen_by_the_platform_through_our_jwks(live_server, registered, lti_platform, lti_launch, lti_consumer_factory):
    """Our side of key rotation: the platform verifies our tokens from our JWKS URL before and after we rotate."""
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from lti_tool.lti.keys import rotate_keys
    from lti_tool.models import ToolKey

    consumer = lti_consumer_factory(lti_platform, tool_keyset_url=live_server.url + "/lti/jwks/")

    def deep_link_token() -> str:
        client = Client()
        html = lti_launch(client, consumer, role="instructor", deep_linking=True).content.decode()
        return field(choose(client, field(html, "launch_id")).content.decode(), "JWT")

    before = deep_link_token()
    old_kid = jwt.get_unverified_header(before)["kid"]
    rotate_keys(grace_hours=1)
    after = deep_link_token()
    assert jwt.get_unverified_header(after)["kid"] != old_kid
    assert consumer.check_and_decode_deep_linking_token(after)  # the new key is published
    assert consumer.check_and_decode_deep_linking_token(before)  # the old one still is, during the grace period
    ToolKey.objects.filter(kid=old_kid).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(jwt.InvalidTokenError):
        consumer.check_and_decode_deep_linking_token(before)


# ------------------------------------------------------------------------------------ Moodle stores what we send


def _moodle_relaunch(client, lti_launch, consumer, token: str, *, role: str = "student", resource_link_id: str = "moodle-link"):
    """Launch the deep-linked item as Moodle would: custom map through params_to_string, PARAM_TEXT, split (moodle_cleaning)."""
    from tests.lti.moodle_cleaning import relaunch_custom

    (item,) = jwt.decode(token, options={"verify_signature": False})[DL + "content_items"]
    return item, lti_launch(client, consumer, custom=relaunch_custom(item["custom"]), resource_link_id=resource_link_id, role=role)


def _own_scenarios(text: str) -> dict:
    from ldai_xblocks.content import load_pack

    document = load_pack("prompt_sandbox", "en/management")
    scenarios = [{**s, "context": text + "\n" + s["context"]} if i == 0 else s for i, s in enumerate(document["scenarios"])]
    return {**document, "title": "Own scenarios <draft> = v2", "description": text, "scenarios": scenarios}


@pytest.mark.parametrize("title, own_text", [
    ("Score <50% = retry", None),
    ("R&D <i>team</i> quiz > 2", None),
    ("Quiz <span lang=\"fr\" class=\"multilang\">FR</span></span>", None),
    ("Own content", 'Is "<b>x</b> = y" allowed?\nKey=value & <script>alert(1)</script> </lang> \\ \u2028'),
])
def test_every_field_an_instructor_types_survives_moodles_custom_parameter_storage(client, consumer, lti_launch, title, own_text):
    """Replays mod/lti/locallib.php params_to_string + lib/classes/param.php PARAM_TEXT (strip_tags) + lti_split_custom_parameters."""
    from lti_tool.models import ResourceLinkConfig
    from tests.lti.moodle_cleaning import activity_name

    html = lti_launch(client, consumer, role="instructor", deep_linking=True).content.decode()
    overrides = {"activity": "ldai_prompt_sandbox", "pack_ldai_prompt_sandbox": "en/management", "title": title,
                 "max_attempts": "7", "points": "42.5"}
    document = None
    if own_text is not None:
        document = _own_scenarios(own_text)
        overrides.update(source="custom", content=json.dumps(document, ensure_ascii=False, indent=2))
    returned = choose(client, field(html, "launch_id"), **overrides)
    assert returned.status_code == 200, returned.content[:500]
    item, response = _moodle_relaunch(client, lti_launch, consumer, field(returned.content.decode(), "JWT"))
    assert response.status_code == 200, response.content[:500]
    link = ResourceLinkConfig.objects.get(resource_link_id="moodle-link")
    assert link.setup_problems == []
    assert link.settings["display_name"] == title and link.settings["max_attempts"] == 7 and link.settings["weight"] == 42.5
    if document is not None:
        assert json.loads(link.settings["custom_content"]) == document and link.custom_content == document
    # The activity's name in Moodle (PARAM_TEXT too) keeps every word: only a space follows each '<'.
    assert re.sub(r"< ", "<", activity_name(item["title"])) == title


def test_a_custom_parameter_moodle_cut_is_shown_to_the_instructor_never_silently_defaulted(client, consumer, lti_launch):
    """A link deep-linked with raw '<' in its JSON (before this fix, or edited by hand) reaches the tool cut short."""
    from lti_tool.models import ResourceLinkConfig
    from tests.lti.moodle_cleaning import relaunch_custom

    custom = relaunch_custom({"ldai_activity": "ldai_risk_quiz", "ldai_pack": "en/ai-risks",
                              "ldai_settings": '{"display_name":"Score <50% = retry","max_attempts":3,"weight":20}'})
    learner = lti_launch(client, consumer, custom=custom, resource_link_id="cut")
    assert learner.status_code == 409 and "<code>not_ready</code>" in learner.content.decode()
    link = ResourceLinkConfig.objects.get(resource_link_id="cut")
    assert [p["code"] for p in link.setup_problems] == ["settings_unreadable"]
    page = lti_launch(client, consumer, custom=custom, resource_link_id="cut", role="instructor").content.decode()
    assert "Your platform sent settings the tool could not read." in page and 'role="alert"' in page


def test_the_deep_linking_response_passes_php_jwt_with_a_platform_clock_behind(client, picker):
    """php-jwt (Moodle) has no leeway: our iat must not be in the platform's future, even with its clock 2 s behind."""
    _, launch_id = picker()
    claims = jwt.decode(field(choose(client, launch_id).content.decode(), "JWT"), options={"verify_signature": False})
    assert claims["iat"] <= time.time() - 2 and claims["exp"] > time.time()
