"""The badge room's URLs through Django's test client: public issuer documents, verification page, learner's badge.

The issuer profile is validated against 1EdTech's profile schema (tests/data/ob3/profile.json,
from 1EdTech/openbadges-specification), and the baked SVG follows that repository's
``ob_v3p0/docformat.md`` ("SVG", "Baking").
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ldai_xblocks.engine import badge_image, badges

OB3 = Path(__file__).resolve().parents[1] / "data" / "ob3"
ACHIEVEMENT = badges.Achievement(
    id="https://example.com/achievements/quiz",
    name="Quiz <b>champion</b>",
    description="Passed the AI risk quiz.",
    criteria="Score 80% or more.",
    alignments=(badges.Alignment("charter.confidentiality"),),
)


@pytest.fixture(autouse=True)
def badge_settings(settings):
    settings.LDAI_BADGES = {"BASE_URL": "http://testserver", "ISSUER_NAME": "Example Corp"}
    cache.clear()


@pytest.fixture
def badge(db):
    from lti_tool.badges import issuer

    return issuer.issue(issuer.Award(achievement=ACHIEVEMENT, learner="anon-1", source="link-1", colour="#ffdd00"))


def test_issuer_profile_is_a_valid_ob3_profile(client, db):
    response = client.get("/lti/badges/issuer/")
    data = response.json()
    schema = json.loads((OB3 / "profile.json").read_text())
    assert list(jsonschema.Draft201909Validator(schema).iter_errors(data)) == []
    assert data["id"] == "http://testserver/lti/badges/issuer/" and data["name"] == "Example Corp"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_jwks_publishes_public_halves_only_and_keeps_retired_keys(client, db, badge):
    from lti_tool.badges import issuer

    first = client.get("/lti/badges/jwks/").json()["keys"]
    assert len(first) == 1 and set(first[0]) == {"kty", "n", "e", "kid", "alg", "use"}
    issuer.retire_signing_key()
    keys = client.get("/lti/badges/jwks/").json()["keys"]
    assert len(keys) == 2 and first[0]["kid"] in {k["kid"] for k in keys}
    assert issuer.verify(badge.token).ok  # a badge signed with the retired key still verifies


def test_revocation_list_lists_revoked_credentials(client, badge):
    from lti_tool.badges import issuer

    assert client.get("/lti/badges/revocations/").json()["revokedCredentials"] == []
    issuer.revoke(badge, "mistake")
    data = client.get("/lti/badges/revocations/").json()
    assert data == {"id": "http://testserver/lti/badges/revocations/", "issuer": "http://testserver/lti/badges/issuer/",
                    "revokedCredentials": [{"id": badge.credential_id, "revocationReason": "mistake"}]}


@pytest.mark.parametrize("lang, title, verdict", [("en", "Check an Open Badge", "Valid badge."), ("fr", "Vérifier un Open Badge", "Badge valide.")])
def test_verify_page_checks_a_pasted_credential_in_both_languages(client, badge, lang, title, verdict):
    assert title in client.get(f"/lti/badges/verify/?lang={lang}").content.decode()
    response = client.post(f"/lti/badges/verify/?lang={lang}", {"credential": badge.token})
    html = response.content.decode()
    assert response.status_code == 200 and verdict in html and 'data-ldai-verdict="valid"' in html
    assert "Quiz &lt;b&gt;champion&lt;/b&gt;" in html  # the badge's name is escaped


def test_verify_page_accepts_the_baked_svg_upload_and_reports_revocation(client, badge):
    from lti_tool.badges import issuer

    svg = client.get(f"/lti/badges/mine/{badge.download_key}/badge.svg").content
    upload = SimpleUploadedFile("badge.svg", svg, content_type="image/svg+xml")
    assert 'data-ldai-verdict="valid"' in client.post("/lti/badges/verify/", {"file": upload}).content.decode()
    issuer.revoke(badge)
    upload = SimpleUploadedFile("badge.svg", svg, content_type="image/svg+xml")
    html = client.post("/lti/badges/verify/?lang=fr", {"file": upload}).content.decode()
    assert 'data-ldai-verdict="revoked"' in html and "L’émetteur a révoqué ce badge." in html


def test_verify_page_refuses_empty_and_big_inputs_with_a_message(client, db):
    response = client.post("/lti/badges/verify/", {"credential": ""})
    assert response.status_code == 400 and "Paste a credential or choose a file" in response.content.decode()
    big = SimpleUploadedFile("big.jwt", b"a" * (300 * 1024))
    response = client.post("/lti/badges/verify/?lang=fr", {"file": big})
    assert response.status_code == 400 and "trop volumineux" in response.content.decode()


def test_verify_page_is_throttled_per_client(client, db):
    codes = [client.post("/lti/badges/verify/", {"credential": "x.y.z"}).status_code for _ in range(32)]
    assert codes[:30] == [200] * 30 and codes[-1] == 429


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300) | st.from_regex(r"[A-Za-z0-9_\-]{0,40}\.[A-Za-z0-9_\-]{0,40}\.[A-Za-z0-9_\-]{0,40}", fullmatch=True))
def test_no_input_makes_the_verify_page_fail(client, db, text):
    cache.clear()
    response = client.post("/lti/badges/verify/", {"credential": text})
    assert response.status_code in (200, 400)


def test_the_learner_page_and_downloads(client, badge):
    page = client.get(f"/lti/badges/mine/{badge.download_key}/?lang=fr")
    html = page.content.decode()
    assert page.status_code == 200 and "Envoyer vers un portefeuille" in html
    assert f"http://testserver/lti/badges/mine/{badge.download_key}/credential.jwt" in html
    jwt_file = client.get(f"/lti/badges/mine/{badge.download_key}/credential.jwt")
    assert jwt_file["Content-Type"] == "text/plain; charset=utf-8" and jwt_file.content.decode() == badge.token
    envelope = client.get(f"/lti/badges/mine/{badge.download_key}/credential.json").json()
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    svg = client.get(f"/lti/badges/mine/{badge.download_key}/badge.svg")
    assert svg["Content-Disposition"].startswith("attachment;") and "default-src 'none'" in svg["Content-Security-Policy"]
    assert badge_image.unbake(svg.content.decode()) == badge.token


def test_a_wrong_key_or_file_is_not_found(client, badge):
    assert client.get("/lti/badges/mine/not-a-key/").status_code == 404
    assert client.get("/lti/badges/mine/" + "x" * 500 + "/").status_code == 404
    assert client.get(f"/lti/badges/mine/{badge.download_key}/other.txt").status_code == 404


def test_an_authors_own_svg_with_a_script_is_never_served(client, db):
    from lti_tool.badges import issuer

    evil = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert badge_image.own_svg_problem(evil) == "unsafe"
    badge = issuer.issue(issuer.Award(achievement=ACHIEVEMENT, learner="anon-2", source="s", image_svg=evil))
    body = client.get(f"/lti/badges/mine/{badge.download_key}/badge.svg").content.decode()
    assert "<script" not in body and "Quiz &lt;b&gt;champion&lt;/b&gt;" in body


def test_an_administrator_revokes_a_badge_from_the_admin(admin_client, badge, client):
    listing = admin_client.get("/admin/lti_tool/issuedbadge/")
    assert listing.status_code == 200 and badge.credential_id in listing.content.decode()
    detail = admin_client.get(f"/admin/lti_tool/issuedbadge/{badge.pk}/change/").content.decode()
    assert badge.download_key not in detail  # the learner's private link stays private
    response = admin_client.post("/admin/lti_tool/issuedbadge/", {"action": "revoke_badges", "_selected_action": [badge.pk]})
    assert response.status_code == 302
    revoked = client.get("/lti/badges/revocations/").json()["revokedCredentials"]
    assert revoked == [{"id": badge.credential_id, "revocationReason": "revoked by an administrator"}]
    assert admin_client.get("/admin/lti_tool/issuedbadge/add/").status_code == 403
