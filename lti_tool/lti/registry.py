"""The two registration lookups of every launch, cached in the process for a few seconds.

Why: a login and a launch each need the platform and deployment rows, and on the
tool's hot path those two ORM queries cost more than verifying the RSA signature
(measured in bench/bench_lti.py). Registrations change rarely, so each process
keeps what it read for ``MAX_AGE`` seconds, tagged with a version number kept in
the shared Django cache (Redis in production). Saving or deleting a Platform or a
Deployment (admin, CLI, Dynamic Registration, keyset refresh) bumps that version,
so every process drops its copies at once; a change that bypasses the models
(raw SQL, ``QuerySet.update`` outside this package) is seen within ``MAX_AGE``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from ..models import Deployment, Platform

VERSION_KEY = "ldai-lti-registry-version"
MAX_AGE = 5.0
MAX_ENTRIES = 2048
_entries: dict[tuple, tuple[float, int, object]] = {}
_lock = threading.Lock()


def bump() -> None:
    """Registrations changed: every process must read them again."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (fresh cache)
        if not cache.add(VERSION_KEY, 1, None):
            cache.incr(VERSION_KEY)
    clear_local()


def clear_local() -> None:
    with _lock:
        _entries.clear()


def _cached(key: tuple, load: Callable[[], object]):
    now = time.monotonic()
    version = cache.get(VERSION_KEY, 0)
    hit = _entries.get(key)
    if hit is not None and hit[0] > now and hit[1] == version:
        return hit[2]
    value = load()
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key] = (now + MAX_AGE, version, value)
    return value


def deployment(issuer: str, client_id: str, deployment_id: str) -> Deployment | None:
    """The deployment (with its platform), active or not, of (issuer, client id, deployment id)."""
    return _cached(("by-client", issuer, client_id, deployment_id), lambda: (
        Deployment.objects.select_related("platform")
        .filter(platform__issuer=issuer, platform__client_id=client_id, deployment_id=deployment_id).first()
    ))


def platform(pk: int, issuer: str, client_id: str) -> Platform | None:
    """The platform row ``pk`` if it still has this issuer and client id, active or not."""
    return _cached(("platform", pk, issuer, client_id), lambda: (
        Platform.objects.filter(pk=pk, issuer=issuer, client_id=client_id).first()
    ))


def _registrations_changed(**kwargs) -> None:
    """Every process drops its cached registrations when one is saved or deleted."""
    bump()


for _model in (Platform, Deployment):
    post_save.connect(_registrations_changed, sender=_model, dispatch_uid=f"ldai-lti-registry-{_model.__name__}-save")
    post_delete.connect(_registrations_changed, sender=_model, dispatch_uid=f"ldai-lti-registry-{_model.__name__}-delete")
