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
from django.db.models import Count, Max, QuerySet, Sum

from ldai_xblocks.engine import value_metrics as vm

from ..models import Statement
from . import aggregates
from .access import Scope


def scoped(scope: Scope) -> QuerySet:
    """Every learner statement the scope may read (instructors' previews left out)."""
    return aggregates.in_scope(Statement.objects.filter(is_instructor=False), scope)


CACHE_SECONDS = 24 * 3600


def watermark(scope: Scope) -> tuple:
    """What changes whenever the scope's figures may: over the learners' profiles, a row per learner (one small query).

    Every write of a learner's summaries raises their profile's ``revision``, so the sum grows with any new statement of
    the scope; a rebuild recreates the rows, so the greatest id changes too. (Counting the statements themselves cost
    ~300 ms at 450,000 statements, twice per page: more than the figures.)
    """
    found = aggregates.profiles(scope).aggregate(count=Count("pk"), revisions=Sum("revision"), last=Max("pk"))
    return found["count"], found["revisions"], found["last"]


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
        # The learners' latest job families and teams (the summaries' profiles): what the filters match. One query, read from
        # the profiles' menu index (lti_summary_profile_menu) without their totals.
        pairs = list(aggregates.profiles(scope).values_list("job_family", "team").distinct())  # read once, used twice
        return sorted({family for family, _ in pairs if family}), sorted({team for _, team in pairs if team})

    return _cached(scope, ("choices",), compute)
