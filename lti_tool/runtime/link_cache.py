"""The resource link a launch names, kept in the process between launches (its shared state excepted).

Why: every launch read the link's row (settings, content, AGS endpoints) although it changes
only when an instructor saves the settings or the platform's AGS claim changes; on the
launch path that query cost as much as the launch's own checks (bench/bench_lti.py). Rows
are cached per process with :class:`~lti_tool.lti.process_cache.ProcessCache`: any save
through the model bumps the shared version (at once and on commit), so every process reads
the row again. A ``QuerySet.update`` is seen within ``max_age``: the one on the launch path's
fields, the grade sender's ``lineitem_url`` found by tag, is harmless meanwhile (the launch
writes only the fields whose value it changes, and grades read the link from the database).

What is NOT cached: ``summary``, the block's ``user_state_summary`` (leaderboards), which
learners' submits rewrite all the time. The link handed out has that field deferred, so a
block that reads it loads it fresh from the database, and a save of the summary alone
(``update_fields={"summary", "modified"}``) does not drop the cached settings.

Each call returns a NEW model instance built from the cached values (JSON values deep-copied):
the runtime writes into ``link.settings`` in place, which must never reach another request.
"""

from __future__ import annotations

import copy

from django.db.models.signals import post_delete, post_save

from ..lti.process_cache import ProcessCache
from ..models import ResourceLinkConfig

VERSION_KEY = "ldai-lti-link-version"
UNCACHED = frozenset({"summary"})
# Saves that change only what is not cached keep every process's copies.
_SHARED_STATE_ONLY = frozenset({"summary", "modified"})
_cache = ProcessCache(VERSION_KEY, max_age=5.0)
bump = _cache.bump
clear_local = _cache.clear_local


def _cached_fields() -> list[str]:
    return [f.attname for f in ResourceLinkConfig._meta.concrete_fields if f.attname not in UNCACHED]


def _load(deployment_pk: int, resource_link_id: str) -> tuple[list[str], tuple] | None:
    names = _cached_fields()
    values = (ResourceLinkConfig.objects.filter(deployment_id=deployment_pk, resource_link_id=resource_link_id)
              .values_list(*names).first())
    return None if values is None else (names, values)


def resource_link(deployment_pk: int, resource_link_id: str) -> ResourceLinkConfig | None:
    """The link of (deployment, resource link id), or None; ``summary`` deferred (loaded on first access)."""
    found = _cache.get((deployment_pk, resource_link_id), lambda: _load(deployment_pk, resource_link_id))
    if found is None:
        return None  # not cached as missing for long: creating it bumps the version
    names, values = found
    return ResourceLinkConfig.from_db("default", names, [copy.deepcopy(v) if isinstance(v, dict | list) else v for v in values])


def _link_saved(sender, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= _SHARED_STATE_ONLY:
        return
    _cache.bump_now_and_on_commit()


def _link_deleted(sender, **kwargs) -> None:
    _cache.bump_now_and_on_commit()


post_save.connect(_link_saved, sender=ResourceLinkConfig, dispatch_uid="ldai-link-cache-save")
post_delete.connect(_link_deleted, sender=ResourceLinkConfig, dispatch_uid="ldai-link-cache-delete")
