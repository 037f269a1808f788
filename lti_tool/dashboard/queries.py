"""The dashboard's database side: which statements a scope reads, and the figures from them, two ways.

Why two paths: the figures' rules live in ``ldai_xblocks.engine.value_metrics`` over plain rows. Loading
every statement whole and handing it to the engine (:func:`naive_dashboard`) is the reference, and what
the bench measures as the baseline. :func:`dashboard` gives the same figures aggregated by the database
(``aggregates``: a few rows per figure whatever the number of learners). The tests and the bench check
that both agree.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet

from ldai_xblocks.engine import value_metrics as vm

from ..models import LearnerProfile, Statement
from . import aggregates
from .access import Scope


def scoped(scope: Scope) -> QuerySet:
    """Every learner statement the scope may read (instructors' previews left out)."""
    statements = Statement.objects.filter(deployment_id__in=scope.deployment_ids, is_instructor=False)
    if scope.context_id is not None:
        statements = statements.filter(context_id=scope.context_id)
    return statements


CACHE_SECONDS = 24 * 3600


def watermark(scope: Scope) -> tuple:
    """What changes whenever the scope's statements do: their number and the latest time (one indexed query).

    Statements are only ever added (a deployment's are deleted with it, which changes the scope's deployments, part of
    the cache key), so an equal number means equal statements. (The greatest id was part of it too: casting 450,000
    uuids to text to compare them cost more than the figures themselves.)
    """
    found = scoped(scope).aggregate(count=Count("pk"), last=Max("timestamp"))
    return found["count"], str(found["last"])


def dashboard(scope: Scope, filters: vm.Filters, minimum: int, learner_limit: int | None = None) -> vm.Dashboard:
    """Every figure of the scope, filtered: the fast path (``learner_limit``: how many per-learner lines, None for all).

    Pre-aggregated: the figures of a scope and filters are kept in the cache under the statements' watermark, so a
    manager's reload, a filter set back, a colleague's visit or the CSV of a table answers without recomputing, and
    any new statement makes the next request compute afresh (never a stale figure).
    """
    return _cached(scope, ("figures", filters, minimum, learner_limit), lambda: aggregates.dashboard(scope, filters, minimum, learner_limit))


def _cached(scope: Scope, what: tuple, compute):
    key = "ldai-dashboard:" + hashlib.sha256(repr((
        scope.platform.pk, scope.deployment_ids, scope.context_id, what, watermark(scope),
    )).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def naive_dashboard(scope: Scope, filters: vm.Filters, minimum: int) -> vm.Dashboard:
    """The same figures from every statement loaded whole: the reference and the bench's baseline."""
    rows = [row for row in (vm.row_from_statement(body) for body in scoped(scope).values_list("body", flat=True).iterator(chunk_size=5000)) if row]
    return vm.dashboard(rows, filters, minimum)


def choices(scope: Scope) -> tuple[list[str], list[str]]:
    """The job families and teams of the scope's learners, for the filter menus (kept like the figures)."""
    def compute() -> tuple[list[str], list[str]]:
        # The learners' latest job families and teams (the summaries' profiles): what the filters match.
        profiles = LearnerProfile.objects.filter(deployment_id__in=scope.deployment_ids)
        if scope.context_id is not None:
            profiles = profiles.filter(context_id=scope.context_id)
        families = sorted(profiles.exclude(job_family="").values_list("job_family", flat=True).distinct())
        teams = sorted(profiles.exclude(team="").values_list("team", flat=True).distinct())
        return families, teams

    return _cached(scope, ("choices",), compute)
