"""The dashboard's database side: which statements a scope reads, and the figures from them, fast.

Why two paths: the figures' rules live in ``ldai_xblocks.engine.value_metrics`` over plain rows. Loading
every statement whole and handing it to the engine (:func:`naive_dashboard`) is the reference, and is
what the bench measures as the baseline. :func:`dashboard` gives the same figures while moving little:
the funnel, which touches every statement (launches included), is ranked in SQL (each learner's furthest
stage per activity, without the statement bodies); the other figures read only the statements that carry
them (completions, acceptances, ratings, use cases, self-assessments, confidential-data warnings), and only
the columns and the result extensions, not the whole body. A test and the bench check both paths agree.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.fields.json import KeyTransform

from ldai_xblocks.engine import value_metrics as vm
from ldai_xblocks.engine import xapi

from ..models import Statement
from .access import Scope

# The actions whose statements feed a figure other than the funnel (by their verb in the profile).
FIGURE_VERBS = ("completed", "accepted", "interacted", "shared", "approved", "adopted", "rated")
FIGURE_ACTIONS = tuple(action for action, mapping in xapi.MAPPINGS.items() if mapping.verb in FIGURE_VERBS)
CONFIDENTIAL_KINDS = xapi.EXTENSION_IRI + "confidential-data-kinds"


def scoped(scope: Scope) -> QuerySet:
    """Every learner statement the scope may read (instructors' previews left out)."""
    statements = Statement.objects.filter(deployment_id__in=scope.deployment_ids, is_instructor=False)
    if scope.context_id is not None:
        statements = statements.filter(context_id=scope.context_id)
    return statements


def in_period(statements: QuerySet, filters: vm.Filters) -> QuerySet:
    if filters.since is not None:
        statements = statements.filter(timestamp__gte=filters.since)
    if filters.until is not None:
        statements = statements.filter(timestamp__lt=filters.until)
    return statements


def learner_attribute(statements: QuerySet, name: str) -> dict[str, str]:
    """Each learner's latest non-empty job family or team (as ``value_metrics.learner_attribute``), grouped in SQL."""
    latest: dict[str, tuple[datetime, str]] = {}
    pairs = statements.exclude(**{name: ""}).values_list("actor", name).annotate(last=Max("timestamp")).order_by()
    for actor, value, last in pairs:
        if actor not in latest or last >= latest[actor][0]:
            latest[actor] = (last, value)
    return {actor: value for actor, (_, value) in latest.items()}


def _stage_expression() -> Case:
    whens = [When(success=True, action__in=vm.completion_actions(), then=Value(vm.PASSED))]
    whens += [When(action=action, then=Value(stage)) for action, stage in vm.stage_by_action().items()]
    return Case(*whens, default=Value(vm.ATTEMPTED), output_field=IntegerField())


def _keeps(actor: str, filters: vm.Filters, families: dict[str, str], teams: dict[str, str]) -> bool:
    return (not filters.job_family or families.get(actor) == filters.job_family) and (not filters.team or teams.get(actor) == filters.team)


def funnel_stages(statements: QuerySet, filters: vm.Filters, families: dict[str, str], teams: dict[str, str]) -> tuple[dict, set[str]]:
    """As ``value_metrics.furthest_stages``, each learner's stage per activity computed by the database."""
    stages: dict[tuple[str, str], dict[int, int]] = {}
    pass_marks = set()
    marked = Case(When(success__isnull=False, action__in=vm.completion_actions(), then=Value(1)), default=Value(0), output_field=IntegerField())
    ranked = statements.values_list("activity", "actor").annotate(stage=Max(_stage_expression()), marked=Max(marked)).order_by()
    for activity, actor, stage, has_mark in ranked.iterator(chunk_size=10_000):
        if _keeps(actor, filters, families, teams):
            counts = stages.setdefault((activity, families.get(actor, "")), {})
            counts[stage] = counts.get(stage, 0) + 1
            if has_mark:
                pass_marks.add(activity)
    return stages, pass_marks


def figure_rows(statements: QuerySet) -> list[vm.Row]:
    """The rows of the statements that carry a figure, without their bodies (only the result extensions)."""
    carrying = Q(action__in=FIGURE_ACTIONS) | Q(activity="skills_map", action="launched")
    carrying |= ~Q(action="launched") & Q(**{"body__result__extensions__has_key": CONFIDENTIAL_KINDS})
    columns = statements.filter(carrying).annotate(ext=KeyTransform("extensions", KeyTransform("result", "body"))).values_list(
        "actor", "activity", "action", "timestamp", "job_family", "team", "score", "success", "ext",
    )
    rows = []
    for actor, activity, action, timestamp, job_family, team, score, success, ext in columns.iterator(chunk_size=10_000):
        mapping = xapi.MAPPINGS.get(action)
        if mapping is None:
            continue
        extensions = {k.removeprefix(xapi.EXTENSION_IRI): v for k, v in (ext or {}).items() if k.startswith(xapi.EXTENSION_IRI)}
        rows.append(vm.Row(actor, activity, mapping.verb, timestamp, job_family, team, score, success, extensions))
    return rows


def dashboard(scope: Scope, filters: vm.Filters, minimum: int) -> vm.Dashboard:
    """Every figure of the scope, filtered: the fast path."""
    everything = scoped(scope)
    families = learner_attribute(everything, "job_family")
    teams = learner_attribute(everything, "team") if filters.team else {}
    period = in_period(everything, filters)
    funnel = vm.funnel_from_stages(*funnel_stages(period, filters, families, teams), minimum)
    rows = [r for r in figure_rows(period) if _keeps(r.actor, filters, families, teams)]
    return vm.figures(rows, funnel, families, minimum)


def naive_dashboard(scope: Scope, filters: vm.Filters, minimum: int) -> vm.Dashboard:
    """The same figures from every statement loaded whole: the reference and the bench's baseline."""
    rows = [row for row in (vm.row_from_statement(body) for body in scoped(scope).values_list("body", flat=True)) if row]
    return vm.dashboard(rows, filters, minimum)


def choices(scope: Scope) -> tuple[list[str], list[str]]:
    """The job families and teams present in the scope, for the filter menus."""
    statements = scoped(scope)
    families = sorted(set(statements.exclude(job_family="").values_list("job_family", flat=True).distinct()))
    teams = sorted(set(statements.exclude(team="").values_list("team", flat=True).distinct()))
    return families, teams
