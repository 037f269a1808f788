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

import time  # noqa: F401  (tests move the clock through registry.time.monotonic)

from django.db.models.signals import post_delete, post_save

from ..models import Deployment, Platform
from .process_cache import ProcessCache

VERSION_KEY = "ldai-lti-registry-version"
MAX_AGE = 5.0
_cache = ProcessCache(VERSION_KEY, MAX_AGE)
bump = _cache.bump
clear_local = _cache.clear_local
_cached = _cache.get


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
