"""Open Badges 3.0 in the pure engine: issue, sign as VC-JWT, bake, verify, revoke.

Every credential issued here is validated against 1EdTech's own JSON schema
(tests/data/ob3/achievementcredential.json, from 1EdTech/openbadges-specification),
and the VC-JWT rules reproduced are those of that repository's ``ob_v3p0/integrity.md``
("JWT Payload Format", "Verify a Credential VC-JWT Signature") and ``ob_v3p0/verification.md``.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ldai_xblocks.engine import badge_image, badges

OB3 = Path(__file__).resolve().parents[1] / "data" / "ob3"
ISSUER = badges.IssuerProfile(
    id="https://tool.example.com/lti/badges/issuer/",
    name="Example Corp learning team",
    url="https://tool.example.com/",
    jwks_url="https://tool.example.com/lti/badges/jwks/",
    revocation_list_url="https://tool.example.com/lti/badges/revocations/",
)
ACHIEVEMENT = {
    "type": ["Achievement"],
    "id": "https://tool.example.com/lti/badges/achievements/quiz-master",
    "name": "AI risk <spotter> & co",
    "description": "Knows which uses of AI the charter allows.",
    "criteria": {"narrative": "Score at least 80% on the risk quiz."},
    "alignment": ["charter.data-classes", {"targetCode": "prompting.context", "targetName": "Give context"}],
}


def schema_validator(name: str) -> jsonschema.Draft201909Validator:
    schema = json.loads((OB3 / f"{name}.json").read_text())
    return jsonschema.Draft201909Validator(schema)


def official_schema_errors(credential: dict) -> list[str]:
    return [error.message for error in schema_validator("achievementcredential").iter_errors(credential)]


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def signer(key):
    return badges.Signer(kid="key-1", private_key=key)


@pytest.fixture
def revoked() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def resolvers(key, revoked):
    jwks = {"keys": [badges.public_jwk(key, "key-1")]}

    def resolve_jwks(issuer_id: str):
        return jwks if issuer_id == ISSUER.id else None

    def resolve_revocations(url: str):
        return badges.revocation_list(ISSUER, revoked) if url == ISSUER.revocation_list_url else None

    return resolve_jwks, resolve_revocations


def issue(signer, **options):
    achievement = badges.Achievement.from_ob(ACHIEVEMENT)
    evidence = badges.Evidence(activity="Risk quiz", score=0.85, date=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    return badges.issue(achievement, ISSUER, signer, badges.recipient_for("anon-42", salt="s"), evidence=evidence, **options)


def check(token, resolvers, **kw):
    return badges.verify(token, *resolvers, schema_check=official_schema_errors, **kw)


def test_an_issued_credential_is_valid_against_1edtech_schema_and_verifies(signer, resolvers):
    credential, token = issue(signer)
    assert official_schema_errors(credential) == []
    result = check(token, resolvers)
    assert (result.ok, result.code) == (True, "valid")
    assert result.credential["credentialSubject"]["achievement"]["name"] == "AI risk <spotter> & co"


def test_the_payload_carries_the_vc_jwt_claims_the_spec_maps(signer):
    """integrity.md, "JWT Payload Format": iss, jti, sub, nbf (and exp with validUntil)."""
    until = datetime(2030, 1, 1, tzinfo=UTC)
    credential, token = issue(signer, valid_until=until)
    header = jwt.get_unverified_header(token)
    payload = jwt.decode(token, options={"verify_signature": False})
    assert header == {"alg": "RS256", "kid": ISSUER.jwks_url + "#key-1", "typ": "JWT"}
    assert payload["iss"] == credential["issuer"]["id"] == ISSUER.id
    assert payload["jti"] == credential["id"] and credential["id"].startswith("urn:uuid:")
    assert payload["sub"] == credential["credentialSubject"]["id"]
    assert payload["nbf"] == int(badges.parse_datetime(credential["validFrom"]).timestamp())
    assert payload["exp"] == int(until.timestamp())
    assert credential["@context"][:2] == [badges.VC_CONTEXT, badges.OB_CONTEXT]
    assert credential["credentialStatus"] == {"id": ISSUER.revocation_list_url, "type": "1EdTechRevocationList"}


def test_the_recipient_is_a_salted_hash_never_the_raw_identity(signer):
    credential, token = issue(signer)
    text = json.dumps(credential)
    assert "anon-42" not in text
    identity = credential["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True and identity["identityType"] == "identifier"
    assert badges.Recipient(identity["identityHash"], identity["salt"]).matches("anon-42")
    assert not badges.Recipient(identity["identityHash"], identity["salt"]).matches("anon-43")
    email = badges.recipient_for("Learner@Example.com", salt="x")
    assert email.kind == "emailAddress" and email.matches("learner@example.com")


def test_alignments_and_evidence_reach_the_credential(signer):
    credential, _ = issue(signer)
    alignment = credential["credentialSubject"]["achievement"]["alignment"]
    assert [a["targetCode"] for a in alignment] == ["charter.data-classes", "prompting.context"]
    assert alignment[1]["targetName"] == "Give context"
    assert credential["evidence"][0]["description"] == "Activity: Risk quiz. Score: 85%. Date: 2026-12-01T09:00:00Z."


def test_the_issuer_profile_document_is_valid_against_1edtech_schema():
    assert list(schema_validator("profile").iter_errors(ISSUER.document())) == []


@pytest.mark.parametrize("part", [0, 1, 2])
def test_one_changed_byte_is_refused_with_a_reason(signer, resolvers, part):
    _, token = issue(signer)
    pieces = token.split(".")
    middle = len(pieces[part]) // 2
    pieces[part] = pieces[part][:middle] + ("A" if pieces[part][middle] != "A" else "B") + pieces[part][middle + 1 :]
    result = check(".".join(pieces), resolvers)
    assert not result.ok
    assert result.code in ("bad_signature", "damaged", "bad_header")
    assert result.reason == badges.REASONS[result.code]


def test_a_forged_payload_with_a_valid_shape_fails_the_signature(signer, resolvers):
    _, token = issue(signer)
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["credentialSubject"]["achievement"]["name"] = "Forged"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    assert check(f"{header}.{forged}.{signature}", resolvers).code == "bad_signature"


def test_revoked_credentials_are_refused(signer, resolvers, revoked):
    credential, token = issue(signer)
    revoked.append((credential["id"], "Issued by mistake"))
    result = check(token, resolvers)
    assert (result.ok, result.code, result.details) == (False, "revoked", ["Issued by mistake"])


def test_unknown_issuer_unknown_key_and_unreachable_status(signer, resolvers):
    _, token = issue(signer)
    assert check(token, (lambda issuer: None, resolvers[1])).code == "unknown_issuer"
    assert check(token, (lambda issuer: {"keys": []}, resolvers[1])).code == "unknown_key"
    assert check(token, (resolvers[0], lambda url: None)).code == "status_unavailable"

    def broken(_):
        raise OSError("network down")

    assert check(token, (broken, resolvers[1])).code == "unknown_issuer"


def test_a_key_of_another_issuer_does_not_verify(resolvers):
    other = badges.Signer("key-1", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    _, token = issue(other)
    assert check(token, resolvers).code == "bad_signature"


def test_dates_expired_and_not_yet_valid(signer, resolvers):
    now = datetime.now(UTC)
    _, token = issue(signer, valid_from=now - timedelta(days=10), valid_until=now - timedelta(days=1))
    assert check(token, resolvers).code == "expired"
    _, token = issue(signer, valid_from=now + timedelta(days=1))
    assert check(token, resolvers).code == "not_yet_valid"


def test_claims_that_disagree_with_the_credential_are_refused(signer, resolvers):
    credential = badges.build_credential(badges.Achievement.from_ob(ACHIEVEMENT), ISSUER, badges.recipient_for("a", salt="s"))
    payload = {**credential, **badges.jwt_claims(credential), "sub": "urn:someone:else"}
    token = jwt.encode(payload, signer.private_key, algorithm="RS256", headers={"kid": "key-1", "typ": "JWT"})
    result = check(token, resolvers)
    assert (result.code, result.details) == ("claims_mismatch", ["sub does not match the credential"])


def test_schema_errors_are_reported(signer, resolvers):
    credential = badges.build_credential(badges.Achievement.from_ob(ACHIEVEMENT), ISSUER, badges.recipient_for("a", salt="s"))
    del credential["credentialSubject"]["achievement"]
    payload = {**credential, **badges.jwt_claims(credential)}
    token = jwt.encode(payload, signer.private_key, algorithm="RS256", headers={"kid": "key-1", "typ": "JWT"})
    result = check(token, resolvers)
    assert result.code == "schema" and "credentialSubject.achievement is missing" in result.details


@pytest.mark.parametrize("text", ["", "   ", "hello", "a.b", "a.b.c", "{}", "{not json", "<svg></svg>", "\x00" * 10, "x" * 700_000, '"a.b.c"'])
def test_any_input_gives_a_verdict_never_an_exception(resolvers, text):
    result = check(text, resolvers)
    assert not result.ok and result.code in badges.REASONS


@pytest.mark.parametrize(
    "data, message",
    [
        ([], "must be a JSON object"),
        ({"type": "Badge"}, '"type" must be "Achievement"'),
        ({"type": "Achievement", "id": "x", "name": "n", "description": "d"}, "criteria.narrative"),
        ({**ACHIEVEMENT, "alignment": [3]}, "Each alignment"),
    ],
)
def test_an_achievement_file_that_is_wrong_says_what_to_fix(data, message):
    with pytest.raises(badges.BadgeError, match=message.replace("(", r"\(").replace('"', '"')):
        badges.Achievement.from_ob(data)


def test_baked_svg_carries_the_credential_and_stays_accessible(signer, resolvers):
    _, token = issue(signer)
    svg = badge_image.badge_svg('Quiz <master> & "co"', "#ffdd00", "Earned on the quiz")
    baked = badge_image.bake(svg, token)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert baked.count("<openbadges:credential") == 1
    assert badge_image.unbake(baked) == token
    assert badge_image.unbake(badge_image.bake(baked, token)) == token  # re-baking replaces, never duplicates
    assert badge_image.bake(baked, token).count("<openbadges:credential") == 1
    assert check(baked, resolvers).ok
    assert "<title id=\"ldai-badge-title\">Quiz &lt;master&gt; &amp; \"co\"</title>" in svg
    assert 'role="img"' in svg and 'aria-labelledby="ldai-badge-title ldai-badge-desc"' in svg
    import xml.dom.minidom

    xml.dom.minidom.parseString(baked.encode())  # well-formed XML


@pytest.mark.parametrize("colour", ["#000000", "#ffffff", "#1f5f99", "#ffdd00", "#ff0000", "#777777"])
def test_the_name_on_the_badge_meets_wcag_aa_contrast(colour):
    assert badge_image.contrast(colour, badge_image.text_colour(colour)) >= 4.5


def test_the_json_download_is_an_enveloped_credential_that_verifies(signer, resolvers):
    _, token = issue(signer)
    document = badges.envelope(token)
    assert document["type"] == "EnvelopedVerifiableCredential" and document["id"] == "data:application/vc+jwt," + token
    assert check(json.dumps(document, indent=2), resolvers).ok


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_any_bytes_give_a_verdict(resolvers, data):
    """Property: verification never raises, whatever a person pastes (the public page relies on it)."""
    result = badges.verify(data.decode("utf-8", errors="replace"), *resolvers)
    assert not result.ok and result.code in badges.REASONS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), replacement=st.sampled_from("AQgw-_9z"))
def test_no_single_character_change_keeps_a_credential_valid(signer, resolvers, position, replacement):
    """Property: change any one character of a signed credential and it is refused (with a reason)."""
    _, token = issue(signer)
    position %= len(token)
    if token[position] == replacement or token[position] == ".":
        return
    changed = token[:position] + replacement + token[position + 1 :]
    result = check(changed, resolvers)
    assert not result.ok, (position, replacement)


def test_the_last_character_of_the_signature_cannot_be_swapped_for_a_twin(signer, resolvers):
    """Its unused low bits would decode to the same signature: non-canonical base64url is refused."""
    _, token = issue(signer)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(token[-1])
    twin = alphabet[last ^ 1]  # flips an unused bit (256-byte signature: 4 unused bits in the last character)
    result = check(token[:-1] + twin, resolvers)
    assert (result.ok, result.code) == (False, "damaged")
