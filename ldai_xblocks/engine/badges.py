"""Open Badges 3.0: achievements, OpenBadgeCredentials signed as VC-JWT, and their verification.

Why here, in the pure engine: both shells (the XBlocks in Open edX, the LTI tool) and the
``ldai badges`` command issue and check the same credentials, so the data model, the
signature and every verification rule live once. No Django, no network: the shells pass
in the signing key, and two resolvers that find an issuer's key set and revocation list
(from the tool's own tables, a local file, or - later - a guarded HTTP fetch).

What the 1EdTech specification asks (Open Badges 3.0, repository 1EdTech/openbadges-specification):

* the credential: VC data model 2.0 context, then the OB 3.0 context; ``type`` holds
  ``VerifiableCredential`` and ``OpenBadgeCredential``; ``issuer`` a ``Profile``;
  ``validFrom``; ``credentialSubject`` an ``AchievementSubject`` (``ob_v3p0/datamodel``);
* VC-JWT (``ob_v3p0/integrity.md``, "JSON Web Token Proof Format"): JOSE header with
  ``alg`` RS256 and ``kid`` (a URI dereferenced to the JWK) and ``typ`` JWT, nothing else;
  the payload is the credential itself plus the claims ``iss`` = issuer.id, ``jti`` = id,
  ``sub`` = credentialSubject.id, ``nbf`` = validFrom, ``exp`` = validUntil (when set);
* verification (``ob_v3p0/verification.md``): signature, those claim matches, the status
  (``credentialStatus`` of type ``1EdTechRevocationList``), validFrom / validUntil;
* the revocation list (1EdTech Revocation List Status Method 1.0, VCRL-10): a document
  at ``credentialStatus.id`` naming the ``issuer`` and its ``revokedCredentials``
  (``id`` and an optional ``revocationReason``).

The recipient is never a raw e-mail: ``credentialSubject.identifier`` holds a salted SHA-256
of the learner's anonymous id (or of the e-mail the learner chose to give), as the
spec's ``IdentityObject`` allows, and ``credentialSubject.id`` a URN made from that hash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import jwt
from jwt.algorithms import RSAAlgorithm

from ..i18n import N_

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
REVOCATION_METHOD = "1EdTechRevocationList"
SIGNING_ALG = "RS256"
COMPETENCE_FRAMEWORK = "LDAI AI literacy competences"
COMPETENCE_URN = "urn:ldai:competence:"
RECIPIENT_URN = "urn:ldai:recipient:"
JOSE_HEADERS = {"alg", "kid", "jwk", "typ"}  # integrity.md: "Additional JOSE Headers are NOT allowed"
ENVELOPE_PREFIX = "data:application/vc+jwt,"
MAX_TOKEN_CHARS = 200_000  # a credential is a few kB; anything far bigger is refused before parsing
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class BadgeError(ValueError):
    """An achievement or issuer description we cannot turn into a credential (the message says what to fix)."""


# ------------------------------------------------------------------------------------------ the data


@dataclass(frozen=True)
class Alignment:
    """A link from the achievement to one of our competences (or any framework's node)."""

    target_code: str
    target_name: str = ""
    target_url: str = ""
    target_framework: str = COMPETENCE_FRAMEWORK

    def as_ob(self) -> dict:
        return {
            "type": ["Alignment"],
            "targetCode": self.target_code,
            "targetName": self.target_name or self.target_code,
            "targetUrl": self.target_url or COMPETENCE_URN + self.target_code,
            "targetFramework": self.target_framework,
            "targetType": "ceasn:Competency",
        }


@dataclass(frozen=True)
class Achievement:
    """What the learner earns: OB 3.0 ``Achievement`` (id, name, description, criteria, image, alignment)."""

    id: str
    name: str
    description: str
    criteria: str
    image: str = ""
    image_caption: str = ""
    alignments: tuple[Alignment, ...] = ()
    language: str = ""

    def as_ob(self) -> dict:
        data: dict[str, Any] = {
            "id": self.id,
            "type": ["Achievement"],
            "name": self.name,
            "description": self.description,
            "criteria": {"narrative": self.criteria},
        }
        if self.image:
            data["image"] = {"id": self.image, "type": "Image", **({"caption": self.image_caption} if self.image_caption else {})}
        if self.alignments:
            data["alignment"] = [a.as_ob() for a in self.alignments]
        if self.language:
            data["inLanguage"] = self.language
        return data

    @classmethod
    def from_ob(cls, data: Any) -> Achievement:
        """Read an OB 3.0 ``Achievement`` object (the ``--achievement FILE`` of the CLI, an author's badge)."""
        if not isinstance(data, dict):
            raise BadgeError("The achievement must be a JSON object with type, id, name, description and criteria.narrative.")
        types = data.get("type")
        if types not in ("Achievement", ["Achievement"]) and not (isinstance(types, list) and "Achievement" in types):
            raise BadgeError('The achievement\'s "type" must be "Achievement" (or a list holding it).')
        missing = [name for name in ("id", "name", "description") if not _text(data.get(name))]
        criteria = data.get("criteria")
        narrative = criteria.get("narrative") if isinstance(criteria, dict) else None
        if not _text(narrative):
            missing.append("criteria.narrative")
        if missing:
            raise BadgeError("The achievement lacks: " + ", ".join(missing) + ".")
        image = data.get("image")
        image_id = image.get("id") if isinstance(image, dict) else image if isinstance(image, str) else ""
        caption = image.get("caption", "") if isinstance(image, dict) else ""
        return cls(
            id=data["id"].strip(),
            name=data["name"].strip(),
            description=data["description"].strip(),
            criteria=narrative.strip(),
            image=str(image_id or ""),
            image_caption=str(caption or ""),
            alignments=tuple(_alignment(item) for item in (data.get("alignment") or [])),
            language=str(data.get("inLanguage") or ""),
        )


def _alignment(item: Any) -> Alignment:
    """An alignment given as a competence id (``"prompting.context"``) or as an OB ``Alignment`` object."""
    if isinstance(item, str) and item.strip():
        return Alignment(target_code=item.strip())
    if isinstance(item, dict) and _text(item.get("targetCode") or item.get("targetName")):
        code = str(item.get("targetCode") or item.get("targetName")).strip()
        return Alignment(
            target_code=code,
            target_name=str(item.get("targetName") or code),
            target_url=str(item.get("targetUrl") or ""),
            target_framework=str(item.get("targetFramework") or COMPETENCE_FRAMEWORK),
        )
    raise BadgeError("Each alignment must be a competence id or an object with targetCode or targetName.")


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


@dataclass(frozen=True)
class IssuerProfile:
    """Who issues: the OB 3.0 ``Profile``, and where its key set and revocation list are published."""

    id: str
    name: str
    url: str = ""
    email: str = ""
    description: str = ""
    jwks_url: str = ""
    revocation_list_url: str = ""

    def as_ob(self) -> dict:
        data: dict[str, Any] = {"id": self.id, "type": ["Profile"], "name": self.name}
        for key, value in (("url", self.url), ("email", self.email), ("description", self.description)):
            if value:
                data[key] = value
        return data

    def document(self) -> dict:
        """The public profile served at ``id`` (with its context, so it reads as JSON-LD on its own)."""
        return {"@context": [VC_CONTEXT, OB_CONTEXT], **self.as_ob()}


@dataclass(frozen=True)
class Signer:
    """The issuer's signing key: a ``cryptography`` RSA private key and the ``kid`` its JWKS publishes."""

    kid: str
    private_key: Any


@dataclass(frozen=True)
class Recipient:
    """Who earned it, as a salted hash; ``kind`` is ``identifier`` (anonymous id) or ``emailAddress``."""

    identity_hash: str
    salt: str
    kind: str = "identifier"

    @property
    def subject_id(self) -> str:
        return RECIPIENT_URN + self.identity_hash.removeprefix("sha256$")

    def as_ob(self) -> dict:
        return {"type": "IdentityObject", "hashed": True, "identityHash": self.identity_hash, "identityType": self.kind, "salt": self.salt}

    def matches(self, value: str) -> bool:
        """Whether a known value (the learner's id or e-mail, given out of band) is this recipient (verification step 5)."""
        return hash_identity(value, self.salt) == self.identity_hash


def hash_identity(value: str, salt: str) -> str:
    """OB's hashed identity: ``sha256$`` + hex SHA-256 of value + salt (e-mails lower-cased first)."""
    value = value.strip()
    if _EMAIL.match(value):
        value = value.lower()
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def recipient_for(value: str, salt: str | None = None) -> Recipient:
    """A recipient from an anonymous id or an e-mail the learner gave; never stored in clear in the credential."""
    if not _text(value):
        raise BadgeError("The recipient id is empty.")
    salt = salt or secrets.token_hex(8)
    kind = "emailAddress" if _EMAIL.match(value.strip()) else "identifier"
    return Recipient(identity_hash=hash_identity(value, salt), salt=salt, kind=kind)


@dataclass(frozen=True)
class Evidence:
    """What the learner did: the activity, the score (a fraction in [0, 1]) and when."""

    activity: str
    score: float | None
    date: datetime
    activity_url: str = ""

    def as_ob(self) -> dict:
        when = iso(self.date)
        text = f"Activity: {self.activity}. Date: {when}."
        if self.score is not None:
            text = f"Activity: {self.activity}. Score: {round(self.score * 100)}%. Date: {when}."
        data: dict[str, Any] = {"type": ["Evidence"], "name": self.activity, "description": text, "genre": "Assessment"}
        if self.activity_url:
            data["id"] = self.activity_url
        return data


def iso(moment: datetime) -> str:
    """OB DateTime, second precision and ``Z`` (what the ``nbf``/``exp`` NumericDates can represent exactly)."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ------------------------------------------------------------------------------------------ issuing


def build_credential(
    achievement: Achievement,
    issuer: IssuerProfile,
    recipient: Recipient,
    *,
    evidence: Evidence | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    credential_id: str | None = None,
) -> dict:
    """The unsigned OpenBadgeCredential (what a wallet shows, what the JWT payload carries)."""
    valid_from = valid_from or datetime.now(UTC)
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id or f"urn:uuid:{uuid.uuid4()}",
        "type": list(CREDENTIAL_TYPES),
        "name": achievement.name,
        "description": achievement.description,
        "issuer": issuer.as_ob(),
        "validFrom": iso(valid_from),
        "credentialSubject": {
            "id": recipient.subject_id,
            "type": ["AchievementSubject"],
            "identifier": [recipient.as_ob()],
            "achievement": achievement.as_ob(),
        },
    }
    if valid_until is not None:
        credential["validUntil"] = iso(valid_until)
    if evidence is not None:
        credential["evidence"] = [evidence.as_ob()]
    if issuer.revocation_list_url:
        credential["credentialStatus"] = {"id": issuer.revocation_list_url, "type": REVOCATION_METHOD}
    if achievement.image:
        credential["image"] = {"id": achievement.image, "type": "Image"}
    return credential


def jwt_claims(credential: dict) -> dict:
    """The VC-JWT claims the spec maps from the credential (integrity.md, "JWT Payload Format")."""
    claims = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": _numeric(credential["validFrom"]),
    }
    if credential.get("validUntil"):
        claims["exp"] = _numeric(credential["validUntil"])
    return claims


def _numeric(value: str) -> int:
    moment = parse_datetime(value)
    if moment is None:
        raise BadgeError(f"Not a date: {value!r}.")
    return int(moment.timestamp())


def key_id_uri(issuer: IssuerProfile, kid: str) -> str:
    """The JOSE ``kid``: a URI that dereferences to the key (the JWKS URL, the key's id as fragment)."""
    return f"{issuer.jwks_url}#{kid}" if issuer.jwks_url else kid


def sign(credential: dict, signer: Signer, issuer: IssuerProfile) -> str:
    """The Compact JWS of the credential: header {alg, kid, typ}, payload = credential + claims."""
    payload = {**credential, **jwt_claims(credential)}
    return jwt.encode(payload, signer.private_key, algorithm=SIGNING_ALG, headers={"kid": key_id_uri(issuer, signer.kid), "typ": "JWT"})


def issue(
    achievement: Achievement,
    issuer: IssuerProfile,
    signer: Signer,
    recipient: Recipient,
    **options: Any,
) -> tuple[dict, str]:
    """Build and sign one credential: ``(credential, compact JWS)``; the shell stores both."""
    credential = build_credential(achievement, issuer, recipient, **options)
    return credential, sign(credential, signer, issuer)


def revocation_list(issuer: IssuerProfile, revoked: list[tuple[str, str]]) -> dict:
    """The public 1EdTech revocation list: ``revokedCredentials`` = [{id, revocationReason}]."""
    return {
        "id": issuer.revocation_list_url,
        "issuer": issuer.id,
        "revokedCredentials": [{"id": cid, **({"revocationReason": reason} if reason else {})} for cid, reason in revoked],
    }


def public_jwk(private_key: Any, kid: str) -> dict:
    """The public half of a signing key as a JWK (never ``d``, ``p``, ``q``...)."""
    jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
    return {"kty": jwk["kty"], "n": jwk["n"], "e": jwk["e"], "kid": kid, "alg": SIGNING_ALG, "use": "sig"}


# ------------------------------------------------------------------------------------------ verifying

# Why these codes: the shells translate a code into the reader's language; the English reason below is
# what the CLI prints and what the logs keep.
REASONS = {
    "valid": N_("The credential is valid: signed by its issuer, not revoked, not expired, and well formed."),
    "malformed": N_("This is not a signed Open Badge (a VC-JWT: three base64url parts separated by dots). Paste the whole credential, or the file you downloaded."),
    "damaged": N_("The credential cannot be read: it was altered or damaged. Download it again from the issuer."),
    "bad_header": N_("The credential's signature header is not one Open Badges 3.0 allows (RS256 with a key id)."),
    "unknown_issuer": N_("The issuer of this credential is not one this verifier knows or can reach, so its signature cannot be checked."),
    "unknown_key": N_("The credential was signed with a key its issuer does not publish (any more). Ask the issuer for a new copy."),
    "bad_signature": N_("The signature does not match: the credential was changed after it was issued. Download it again from the issuer."),
    "claims_mismatch": N_("The signed claims do not match the credential (issuer, id, subject or dates differ): it was tampered with."),
    "schema": N_("The credential does not follow the Open Badges 3.0 data model."),
    "not_yet_valid": N_("The credential is not valid yet (its validFrom date is in the future)."),
    "expired": N_("The credential has expired (its validUntil date is past)."),
    "status_unavailable": N_("The issuer's revocation list could not be read, so the credential cannot be confirmed. Try again later."),
    "revoked": N_("The issuer has revoked this credential."),
}


@dataclass
class Verification:
    """The verdict: ``ok``, a ``code`` the shells translate, an English ``reason``, and details."""

    ok: bool
    code: str
    reason: str
    credential: dict | None = None
    details: list[str] = field(default_factory=list)

    @classmethod
    def fail(cls, code: str, credential: dict | None = None, details: list[str] | None = None) -> Verification:
        return cls(False, code, REASONS[code], credential, details or [])


JwksResolver = Callable[[str], dict | None]
RevocationResolver = Callable[[str], dict | None]
SchemaCheck = Callable[[dict], list[str]]


def envelope(token: str) -> dict:
    """The JSON download: a VC 2.0 ``EnvelopedVerifiableCredential`` (VC-JOSE-COSE) wrapping the VC-JWT.

    Why not the bare credential JSON: with a VC-JWT the proof is the JWS itself, so JSON without it
    could not be verified; the envelope keeps the JWS and is still JSON-LD a wallet understands.
    """
    return {"@context": VC_CONTEXT, "id": ENVELOPE_PREFIX + token, "type": "EnvelopedVerifiableCredential"}


def extract_token(text: str) -> str:
    """The compact JWS from what a person pastes or uploads: the .jwt itself, our JSON download, or a baked SVG."""
    text = (text or "").strip().lstrip("\ufeff")
    if text.startswith("<"):
        from .badge_image import unbake

        return unbake(text) or ""
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return ""
        envelope_id = data.get("id") if isinstance(data, dict) else None
        if isinstance(envelope_id, str) and envelope_id.startswith(ENVELOPE_PREFIX):
            return envelope_id[len(ENVELOPE_PREFIX) :].strip()
        return ""
    return text.strip('"')


def header_kid(text: str) -> str:
    """The JOSE ``kid`` of a pasted credential (a URI dereferenced to the key), or "" when unreadable."""
    try:
        kid = _unverified(extract_token(text))[0].get("kid")
    except ValueError:
        return ""
    return kid if isinstance(kid, str) else ""


def unverified_issuer(text: str) -> str:
    """The ``iss`` a pasted credential claims (unverified: only to know where to look), or ""."""
    try:
        iss = _unverified(extract_token(text))[1].get("iss")
    except ValueError:
        return ""
    return iss if isinstance(iss, str) else ""


def verify(
    text: str,
    resolve_jwks: JwksResolver,
    resolve_revocations: RevocationResolver,
    *,
    schema_check: SchemaCheck | None = None,
    now: datetime | None = None,
) -> Verification:
    """OB 3.0 verification of a VC-JWT: signature, claims, schema, dates, revocation, in that order.

    ``resolve_jwks(issuer_id)`` returns the issuer's JWKS (or None when unknown);
    ``resolve_revocations(url)`` the revocation list at ``credentialStatus.id`` (or None).
    Never raises on any input: every failure is a :class:`Verification` with a reason.
    """
    token = extract_token(text) if isinstance(text, str) and len(text) <= MAX_TOKEN_CHARS * 3 else ""
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        return Verification.fail("malformed")
    try:
        header, unverified = _unverified(token)
    except ValueError:
        return Verification.fail("damaged")
    if header.get("alg") != SIGNING_ALG or not isinstance(header.get("kid"), str) or set(header) - JOSE_HEADERS:
        return Verification.fail("bad_header")
    issuer_id = unverified.get("iss")
    if not isinstance(issuer_id, str):
        return Verification.fail("claims_mismatch", details=["iss is missing"])
    try:
        jwks = resolve_jwks(issuer_id)
    except Exception:  # a resolver's failure (unreachable, bad JSON) is the verifier's problem, not a crash
        jwks = None
    if not isinstance(jwks, dict):
        return Verification.fail("unknown_issuer", details=[issuer_id])
    kid = header["kid"].rsplit("#", 1)[-1]
    jwk = next((k for k in jwks.get("keys", []) if isinstance(k, dict) and k.get("kid") == kid), None)
    if jwk is None:
        return Verification.fail("unknown_key", details=[kid])
    try:
        key = _public_key(str(jwk.get("n")), str(jwk.get("e")))
        payload = jwt.decode(
            token,
            key,
            algorithms=[SIGNING_ALG],
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False, "require": ["iss", "jti", "sub", "nbf"]},
        )
    except jwt.InvalidSignatureError:
        return Verification.fail("bad_signature")
    except jwt.MissingRequiredClaimError as error:
        return Verification.fail("claims_mismatch", details=[str(error)])
    except (jwt.PyJWTError, ValueError, TypeError):
        return Verification.fail("damaged")
    credential = {k: v for k, v in payload.items() if k not in ("iss", "jti", "sub", "nbf", "exp", "iat")}
    problems = structural_problems(credential) + (schema_check(credential) if schema_check else [])
    if problems:
        return Verification.fail("schema", credential, problems[:20])
    mismatch = _claims_mismatch(payload, credential)
    if mismatch:
        return Verification.fail("claims_mismatch", credential, mismatch)
    moment = now or datetime.now(UTC)
    if parse_datetime(credential["validFrom"]) > moment:
        return Verification.fail("not_yet_valid", credential)
    until = parse_datetime(credential.get("validUntil"))
    if until is not None and until < moment:
        return Verification.fail("expired", credential)
    status = credential.get("credentialStatus")
    if isinstance(status, dict) and status.get("type") == REVOCATION_METHOD:
        revoked = _revocation(status, issuer_id, credential["id"], resolve_revocations)
        if revoked is not None:
            return Verification.fail(revoked[0], credential, revoked[1])
    return Verification(True, "valid", REASONS["valid"], credential)


_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")


def _unverified(token: str) -> tuple[dict, dict]:
    """Header and payload read without the signature, to find the issuer's key (ValueError when unreadable).

    Our own reading, not PyJWT's: its per-character alphabet check made verification three times
    slower than the signature itself (bench/bench_badges.py); the signed reading below is PyJWT's.
    """
    parts = token.split(".")
    if len(parts) != 3 or not all(_SEGMENT.match(part) for part in parts):
        raise ValueError("not three base64url segments")
    try:
        raw = [base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in parts]
        # Canonical encoding only, as PyJWT's own reading insists: the last character of a segment carries
        # unused bits, so otherwise two texts one character apart would be the same credential.
        if any(base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != part for data, part in zip(raw, parts, strict=True)):
            raise ValueError("non-canonical base64url")
        header, payload = json.loads(raw[0]), json.loads(raw[1])
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError("unreadable segment") from error
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ValueError("not JSON objects")
    return header, payload


@lru_cache(maxsize=64)
def _public_key(n: str, e: str):
    """The RSA public key of a JWK (cached: building it costs more than checking one signature)."""
    return RSAAlgorithm.from_jwk(json.dumps({"kty": "RSA", "n": n, "e": e}))


def _claims_mismatch(payload: dict, credential: dict) -> list[str]:
    """integrity.md, "Verify a Credential VC-JWT Signature": each claim must equal its property."""
    expected = jwt_claims(credential)
    problems = [f"{name} does not match the credential" for name in ("iss", "jti", "sub", "nbf") if payload.get(name) != expected[name]]
    if payload.get("exp") != expected.get("exp"):
        problems.append("exp does not match validUntil")
    return problems


def _revocation(status: dict, issuer_id: str, credential_id: str, resolve: RevocationResolver) -> tuple[str, list[str]] | None:
    try:
        document = resolve(str(status.get("id", "")))
    except Exception:  # same as above: an unreadable list is reported, never raised
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("revokedCredentials", []), list):
        return ("status_unavailable", [str(status.get("id", ""))])
    if document.get("issuer") not in (None, issuer_id):
        return ("status_unavailable", ["the revocation list belongs to another issuer"])
    for entry in document.get("revokedCredentials", []):
        entry_id = entry.get("id") if isinstance(entry, dict) else entry
        if entry_id == credential_id:
            reason = entry.get("revocationReason", "") if isinstance(entry, dict) else ""
            return ("revoked", [str(reason)] if reason else [])
    return None


def structural_problems(credential: dict) -> list[str]:
    """The checks verification.md makes itself, whatever schema the verifier has (step 1)."""
    problems = []
    context = credential.get("@context")
    if not isinstance(context, list) or len(context) < 2 or context[0] != VC_CONTEXT or not str(context[1]).startswith("https://purl.imsglobal.org/spec/ob/v3p0/context"):
        problems.append("@context must start with the VC 2.0 and the Open Badges 3.0 contexts")
    types = credential.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types or not ({"OpenBadgeCredential", "AchievementCredential"} & set(types)):
        problems.append("type must hold VerifiableCredential and OpenBadgeCredential")
    issuer = credential.get("issuer")
    if not isinstance(issuer, dict) or not _text(issuer.get("id")):
        problems.append("issuer must be a Profile with an id")
    if not _text(credential.get("id")):
        problems.append("id is missing")
    if parse_datetime(credential.get("validFrom")) is None:
        problems.append("validFrom must be a date and time")
    if "validUntil" in credential and parse_datetime(credential.get("validUntil")) is None:
        problems.append("validUntil must be a date and time")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or not (subject.get("id") or subject.get("identifier")):
        problems.append("credentialSubject must be identified by an id or an identifier")
    elif not isinstance(subject.get("achievement"), dict):
        problems.append("credentialSubject.achievement is missing")
    return problems


def jwt_payload_description(token: str) -> str:
    """The achievement's description from a credential we hold (for the picture's ``<desc>``), or ""."""
    try:
        payload = jwt.decode(token, options={"verify_signature": False})
        return str(payload["credentialSubject"]["achievement"]["description"])
    except Exception:
        return ""


# ------------------------------------------------------------------------------------------ when a badge is earned

CRITERIA = ("completed", "score", "competence")


@dataclass(frozen=True)
class BadgeRule:
    """The author's condition: the activity completed, a best score of at least ``min_score`` (a
    fraction), or a competence of the skills map at ``min_level`` or above."""

    criterion: str = "completed"
    min_score: float = 0.0
    competence: str = ""
    min_level: int = 0


def rule_met(rule: BadgeRule, *, completed: bool, score: float, level: float | None = None) -> bool:
    """Whether a learner with this best score (and competence level, when known) has earned the badge."""
    if not completed:
        return False
    if rule.criterion == "score":
        return score + 1e-9 >= rule.min_score
    if rule.criterion == "competence":
        return level is not None and level + 1e-9 >= rule.min_level
    return rule.criterion == "completed"


DOWNLOADS = ("badge.svg", "credential.json", "credential.jwt")
# Headers of every download, in both shells: an attachment under a no-script policy, so even an
# author's own SVG can never run in the platform's origin.
DOWNLOAD_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
}


def download(filename: str, token: str, name: str, colour: str, own_svg: str = "") -> tuple[str, str, str]:
    """(body, content type, file name to save as) of one of :data:`DOWNLOADS`.

    ``credential.jwt`` is the spec's file format and web resource (text/plain compact JWS, what a wallet
    imports by URL); ``credential.json`` the enveloped credential; ``badge.svg`` the baked picture.
    """
    from .badge_image import bake, picture

    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")[:40] or "badge"
    if filename == "credential.jwt":
        return token, "text/plain; charset=utf-8", f"{slug}.jwt"
    if filename == "credential.json":
        return json.dumps(envelope(token), indent=2), "application/json", f"{slug}.json"
    return bake(picture(name, colour, jwt_payload_description(token), own_svg), token), "image/svg+xml", f"{slug}.svg"
