"""The dashboard's database side: which statements a scope reads, and the figures from them, two ways.

Why two paths: the figures' rules live in ``ldai_xblocks.engine.value_metrics`` over plain rows. Loading
every statement whole and handing it to the engine (:func:`naive_dashboard`) is the reference, and what
the bench measures as the baseline. :func:`dashboard` gives the same figures aggregated by the database
(``aggregates``: a few rows per figure whatever the number of learners). The tests and the bench check
that both agree.
"""

from __future__ import annotations

from django.db.models import QuerySet

from ldai_xblocks.engine import value_metrics as vm

from ..models import Statement
from . import aggregates
from .access import Scope


def scoped(scope: Scope) -> QuerySet:
    """Every learner statement the scope may read (instructors' previews left out)."""
    statements = Statement.objects.filter(deployment_id__in=scope.deployment_ids, is_instructor=False)
    if scope.context_id is not None:
        statements = statements.filter(context_id=scope.context_id)
    return statements


def dashboard(scope: Scope, filters: vm.Filters, minimum: int, learner_limit: int | None = None) -> vm.Dashboard:
    """Every figure of the scope, filtered: the fast path (``learner_limit``: how many per-learner lines, None for all)."""
    return aggregates.dashboard(scope, filters, minimum, learner_limit)


def naive_dashboard(scope: Scope, filters: vm.Filters, minimum: int) -> vm.Dashboard:
    """The same figures from every statement loaded whole: the reference and the bench's baseline."""
    rows = [row for row in (vm.row_from_statement(body) for body in scoped(scope).values_list("body", flat=True).iterator(chunk_size=5000)) if row]
    return vm.dashboard(rows, filters, minimum)


def choices(scope: Scope) -> tuple[list[str], list[str]]:
    """The job families and teams present in the scope, for the filter menus."""
    statements = scoped(scope)
    families = sorted(statements.exclude(job_family="").values_list("job_family", flat=True).distinct())
    teams = sorted(statements.exclude(team="").values_list("team", flat=True).distinct())
    return families, teams
