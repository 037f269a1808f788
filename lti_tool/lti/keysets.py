"""Platforms' public keys: cached JWKS, parsed keys, and one fresh fetch for an unknown ``kid``.

Why this and not pylti1p3's ``get_public_key``: the library fetches once and
then fails on an unknown kid, so a platform rotating its key breaks every launch
until someone clears a cache. We keep the JWKS on the Platform row (survives
restarts, visible in the admin), re-read it when older than a day, and when a
token names a kid we do not know we fetch the JWKS once more before refusing.
Those refetches are throttled per platform, so random kids cannot make us hammer
a platform. The row is written only when the keys actually changed: a refused
launch leaves the database as it found it unless the platform really rotated.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from functools import lru_cache

from django.core.cache import cache
from django.utils import timezone
from jwt.algorithms import RSAAlgorithm

from ..conf import lti_settings
from ..models import Platform
from . import registry
from .errors import LaunchError
from .http import FetchError, get_json

log = logging.getLogger("ldai.lti.keysets")
ALLOWED_ALGS = ("RS256", "RS384", "RS512")


def _valid_keyset(document) -> dict:
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise FetchError("the keyset is not a JWKS document ({\"keys\": [...]})")
    return {"keys": [k for k in document["keys"] if isinstance(k, dict)]}


def fetch_keyset(platform: Platform) -> dict:
    """Fetch the platform's JWKS now; store it on the row only if it changed."""
    keyset = _valid_keyset(get_json(platform.keyset_url))
    if keyset != platform.keyset_json:
        platform.keyset_json = keyset
        platform.keyset_fetched_at = timezone.now()
        if platform.pk:
            Platform.objects.filter(pk=platform.pk).update(keyset_json=keyset, keyset_fetched_at=platform.keyset_fetched_at)
            registry.bump()  # other processes hold the old keyset in their cached Platform
        log.info("platform %s: keyset updated (%d keys)", platform.pk, len(keyset["keys"]))
    cache.set(_checked_key(platform), True, lti_settings().keyset_max_age)
    return keyset


def _checked_key(platform: Platform) -> str:
    return f"ldai-lti-keyset-checked:{platform.pk}"


def _stale(platform: Platform) -> bool:
    if not platform.keyset_json or not platform.keyset_fetched_at:
        return True
    age = timezone.now() - platform.keyset_fetched_at
    return age > timedelta(seconds=lti_settings().keyset_max_age) and not cache.get(_checked_key(platform))


def _find(keyset: dict | None, kid: str, alg: str) -> dict | None:
    for key in (keyset or {}).get("keys", []):
        if key.get("kid") == kid and key.get("kty") == "RSA" and key.get("alg", alg) == alg:
            return key
    return None


@lru_cache(maxsize=256)
def _parse(jwk_json: str):
    key = RSAAlgorithm.from_jwk(jwk_json)
    return key.public_key() if hasattr(key, "private_numbers") else key  # a careless JWKS with "d": verify with its public half


def public_key_for(platform: Platform, kid: str, alg: str):
    """The RSA public key that verifies a token signed by ``platform`` with ``kid``/``alg``, or LaunchError."""
    if alg not in ALLOWED_ALGS:
        raise LaunchError("alg_unsupported", f"alg {alg!r}")
    try:
        fresh = _stale(platform)
        keyset = fetch_keyset(platform) if fresh else platform.keyset_json
        key = _find(keyset, kid, alg)
        if key is None and not fresh and cache.add(f"ldai-lti-keyset-refetch:{platform.pk}", True, lti_settings().keyset_refetch_min):
            key = _find(fetch_keyset(platform), kid, alg)
    except FetchError as exc:
        log.warning("platform %s: keyset unavailable: %s", platform.pk, exc)
        raise LaunchError("keyset_unavailable", str(exc)) from exc
    if key is None:
        raise LaunchError("kid_unknown", f"kid {kid[:80]!r} is not in the platform's keyset")
    try:
        return _parse(json.dumps(key, sort_keys=True))
    except (ValueError, TypeError, KeyError) as exc:
        raise LaunchError("kid_unknown", "the platform's key for this kid cannot be read") from exc
