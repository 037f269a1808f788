"""The tool's RSA keys: create, publish (JWKS), rotate, and sign with the current one.

Why keys live in the database and rotate with a grace period: platforms cache
our JWKS (Moodle for hours), and tokens we signed a moment ago (deep linking
responses, AGS client assertions) must still verify. ``rotate_keys`` therefore
adds a new signing key and leaves the previous ones published until their
``expires_at``; expired keys are deleted, private halves included.

The private PEM is never logged and never leaves this module except to sign.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from django.utils import timezone
from jwcrypto.jwk import JWK
from jwt.algorithms import RSAAlgorithm

from ..conf import lti_settings
from ..models import ToolKey

log = logging.getLogger("ldai.lti.keys")
KEY_SIZE = 2048
SIGNING_ALG = "RS256"


def _new_key_material() -> tuple[str, str, dict]:
    """(kid, private PEM, public JWK); the kid is the RFC 7638 thumbprint, as pylti1p3 computes it."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    kid = JWK(**public_jwk).thumbprint()
    public_jwk.update({"kid": kid, "alg": SIGNING_ALG, "use": "sig"})
    return kid, pem, public_jwk


def create_key() -> ToolKey:
    kid, pem, public_jwk = _new_key_material()
    key = ToolKey.objects.create(kid=kid, private_key_pem=pem, public_jwk=public_jwk)
    log.info("created tool key %s", kid)
    return key


def ensure_signing_key() -> ToolKey:
    """The current signing key, created on first use so a fresh install needs no extra step.

    Two first requests racing may each create a key: harmless, both are
    published and the newest signs.
    """
    return ToolKey.objects.signing() or create_key()


def rotate_keys(grace_hours: int | None = None) -> tuple[ToolKey, list[ToolKey], int]:
    """Add a new signing key; schedule the current ones to expire; delete expired ones.

    Returns (new key, keys now scheduled to expire, number of keys deleted).
    """
    grace = timedelta(hours=lti_settings().key_rotation_grace_hours if grace_hours is None else grace_hours)
    now = timezone.now()
    with transaction.atomic():
        deleted, _ = ToolKey.objects.filter(expires_at__lte=now).delete()
        retiring = list(ToolKey.objects.filter(is_active=True, expires_at__isnull=True))
        ToolKey.objects.filter(pk__in=[k.pk for k in retiring]).update(expires_at=now + grace)
        new_key = create_key()
    for key in retiring:
        key.expires_at = now + grace
    log.info("rotated tool keys: new %s, %d retiring, %d deleted", new_key.kid, len(retiring), deleted)
    return new_key, retiring, deleted


def public_jwks() -> dict:
    """What /lti/jwks/ serves: every published public key (never a private field)."""
    ensure_signing_key()
    return {"keys": [_public_only(k.public_jwk) for k in ToolKey.objects.published().order_by("-created", "-pk")]}


_PUBLIC_RSA_FIELDS = ("kty", "n", "e", "kid", "alg", "use")


def _public_only(jwk: dict) -> dict:
    """Belt and braces: even a tampered row cannot leak d, p, q... through the JWKS."""
    return {name: jwk[name] for name in _PUBLIC_RSA_FIELDS if name in jwk}


@lru_cache(maxsize=16)
def _load_private(kid: str, pem: str):
    return serialization.load_pem_private_key(pem.encode("ascii"), password=None)


def private_key_of(key: ToolKey):
    """The parsed private key (cached per kid: parsing a PEM costs more than signing)."""
    return _load_private(key.kid, key.private_key_pem)
