"""The tool as an Open Badges 3.0 issuer: its profile, its badge keys, issuing, revoking, verifying.

Settings, all optional (``settings.LDAI_BADGES``):

* ``BASE_URL``: the tool's public base URL, from which the issuer profile id, the key set
  URL and the revocation list URL are made (default: ``$LDAI_TOOL_URL`` or
  ``http://127.0.0.1:8000``). Credentials name their issuer by this URL: change it and
  earlier credentials no longer match the profile;
* ``ISSUER_NAME`` (default: the tool's name), ``ISSUER_URL``, ``ISSUER_EMAIL``, ``ISSUER_DESCRIPTION``;
* ``VALID_DAYS``: how long a credential is valid (default: no end date).

* ``FETCH_REMOTE_ISSUERS``: also verify other issuers' badges by fetching their key set (at the
  JOSE ``kid`` URI) and revocation list, only from the issuer's own origin, through the guarded
  HTTP client (default: off, so the public verification page makes no server-side fetch).

Verification trusts this issuer's own keys and list; ``ldai badges verify --jwks FILE`` checks
another issuer's badge against a local key set.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ldai_xblocks.engine import badges

from ..conf import lti_settings
from ..lti.http import FetchError, get_json
from ..lti.keys import _load_private, _new_key_material, _public_only
from ..lti.pages import origin_of
from ..models import BadgeKey, IssuedBadge

log = logging.getLogger("ldai.badges")


def _config() -> dict:
    return getattr(settings, "LDAI_BADGES", {}) or {}


def base_url() -> str:
    return str(_config().get("BASE_URL") or os.environ.get("LDAI_TOOL_URL") or "http://127.0.0.1:8000").rstrip("/")


def absolute(name: str, *args) -> str:
    return base_url() + reverse(f"lti_tool:badges:{name}", args=args)


def profile() -> badges.IssuerProfile:
    config = _config()
    return badges.IssuerProfile(
        id=absolute("issuer"),
        name=str(config.get("ISSUER_NAME") or lti_settings().tool_name),
        url=str(config.get("ISSUER_URL") or base_url() + "/"),
        email=str(config.get("ISSUER_EMAIL") or ""),
        description=str(config.get("ISSUER_DESCRIPTION") or ""),
        jwks_url=absolute("jwks"),
        revocation_list_url=absolute("revocations"),
    )


# ------------------------------------------------------------------------------------------ keys


def signing_key() -> BadgeKey:
    """The current badge key, made on first use (a fresh install issues without an extra step)."""
    key = BadgeKey.objects.signing()
    if key is None:
        kid, pem, jwk = _new_key_material()
        key = BadgeKey.objects.create(kid=kid, private_key_pem=pem, public_jwk=jwk)
    return key


def signer() -> badges.Signer:
    key = signing_key()
    return badges.Signer(kid=key.kid, private_key=_load_private(key.kid, key.private_key_pem))


def retire_signing_key() -> BadgeKey:
    """Start a new badge key; the old one loses its private half but stays published (old badges verify)."""
    with transaction.atomic():
        BadgeKey.objects.filter(retired_at__isnull=True).update(retired_at=timezone.now(), private_key_pem="")
        kid, pem, jwk = _new_key_material()
        return BadgeKey.objects.create(kid=kid, private_key_pem=pem, public_jwk=jwk)


def public_jwks() -> dict:
    signing_key()
    return {"keys": [_public_only(k.public_jwk) for k in BadgeKey.objects.all()]}


# ------------------------------------------------------------------------------------------ issuing


@dataclass(frozen=True)
class Award:
    """What a shell asks the issuer for: the achievement, for whom, where, with what evidence."""

    achievement: badges.Achievement
    learner: str
    source: str
    evidence: badges.Evidence | None = None
    colour: str = "#1f5f99"
    image_svg: str = ""
    recipient: str = ""  # an e-mail the learner chose to put in the credential; default: the anonymous id


def issue(award: Award) -> IssuedBadge:
    """Sign and store one credential; the same learner, place and achievement get the same badge back."""
    existing = IssuedBadge.objects.filter(learner=award.learner, source=award.source, achievement_id=award.achievement.id).first()
    if existing is not None:
        return existing
    valid_days = _config().get("VALID_DAYS")
    now = datetime.now(UTC)
    credential, token = badges.issue(
        award.achievement,
        profile(),
        signer(),
        badges.recipient_for(award.recipient or award.learner),
        evidence=award.evidence,
        valid_from=now,
        valid_until=now + timedelta(days=int(valid_days)) if valid_days else None,
    )
    try:
        with transaction.atomic():
            return IssuedBadge.objects.create(
                credential_id=credential["id"],
                token=token,
                achievement_id=award.achievement.id[:500],
                name=award.achievement.name[:200],
                colour=award.colour,
                image_svg=award.image_svg,
                learner=award.learner[:64],
                source=award.source[:300],
                download_key=secrets.token_urlsafe(32),
            )
    except IntegrityError:  # the same learner's second request, a moment apart: keep the first badge
        return IssuedBadge.objects.get(learner=award.learner, source=award.source, achievement_id=award.achievement.id)


def find(text: str) -> IssuedBadge | None:
    """The stored badge a pasted credential (JWS, JSON download or baked SVG) is, by its ``jti``."""
    token = badges.extract_token(text)
    try:
        import jwt

        credential_id = jwt.decode(token, options={"verify_signature": False}).get("jti")
    except Exception:
        return None
    return IssuedBadge.objects.filter(credential_id=credential_id).first() if isinstance(credential_id, str) else None


def revoke(badge: IssuedBadge, reason: str = "") -> IssuedBadge:
    if badge.revoked_at is None:
        badge.revoked_at = timezone.now()
        badge.revocation_reason = reason[:300]
        badge.save(update_fields=["revoked_at", "revocation_reason"])
    return badge


def revocation_document() -> dict:
    revoked = IssuedBadge.objects.filter(revoked_at__isnull=False).order_by("revoked_at", "pk").values_list("credential_id", "revocation_reason")
    return badges.revocation_list(profile(), list(revoked))


# ------------------------------------------------------------------------------------------ verifying


def _same_origin_url(url: str, issuer_id: str) -> str | None:
    """``url`` without its fragment when it is on the issuer's own origin, else None.

    Why the origin rule: a forger can name any issuer and point ``kid`` at a key set of their own;
    only keys (and a revocation list) published where the issuer's profile lives speak for it.
    """
    target = (url or "").split("#", 1)[0]
    origin = origin_of(target)
    return target if origin is not None and origin == origin_of(issuer_id) else None


def _fetch(url: str | None) -> dict | None:
    if url is None:
        return None
    try:
        data = get_json(url)  # the guarded client: no private address, timeouts, size cap, no redirect
    except FetchError as error:
        log.info("badge verification could not fetch %s: %s", url[:200], error)
        return None
    return data if isinstance(data, dict) else None


def remote_jwks(issuer_id: str, kid_uri: str) -> dict | None:
    """Another issuer's key set, at the JOSE ``kid`` URI, fetched only from the issuer's own origin."""
    return _fetch(_same_origin_url(kid_uri, issuer_id))


def remote_revocations(url: str, issuer_id: str) -> dict | None:
    return _fetch(_same_origin_url(url, issuer_id))


def fetches_remote_issuers() -> bool:
    """``LDAI_BADGES["FETCH_REMOTE_ISSUERS"]``: off by default, so the public page makes no server-side fetch."""
    return bool(_config().get("FETCH_REMOTE_ISSUERS", False))


def verify(text: str, *, jwks: dict | None = None, revocations: dict | None = None, fetch: bool | None = None) -> badges.Verification:
    """Verify against this issuer, the key set / revocation list given (local files, for the CLI), or -
    with ``fetch`` (default: the setting) - another issuer's, through the guarded HTTP client."""
    ours = profile()
    fetch = fetches_remote_issuers() if fetch is None else fetch
    kid_uri = badges.header_kid(text)

    def resolve_jwks(issuer_id: str) -> dict | None:
        if jwks is not None:
            return jwks
        if issuer_id == ours.id:
            return public_jwks()
        return remote_jwks(issuer_id, kid_uri) if fetch else None

    def resolve_revocations(url: str) -> dict | None:
        if revocations is not None:
            return revocations
        if url == ours.revocation_list_url:
            return revocation_document()
        issuer_id = badges.unverified_issuer(text)
        return remote_revocations(url, issuer_id) if fetch and issuer_id else None

    return badges.verify(text, resolve_jwks, resolve_revocations)
