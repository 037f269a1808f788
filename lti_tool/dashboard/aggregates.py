"""The dashboard's figures aggregated by the database: a few rows per figure, whatever the number of learners.

Why SQL here: at 20,000 learners x 10 activities (~450,000 statements) anything that ships a row per learner
to Python misses the one-second target on a small machine. Each query below computes what
``ldai_xblocks.engine.value_metrics`` computes over rows (the reference: the tests and the bench check both
give the same figures), in SQL that SQLite (3.25+) and PostgreSQL both run: window functions for "each
learner's latest value" and "first attempt", the statement columns for scores and stages, and the
``StatementFact`` rows for the values the statements carry in their extensions. The engine then only
applies the minimum group size and shapes the figures.

A learner's job family and team are their latest non-empty ones in the scope (``fam`` and ``team`` below),
as ``value_metrics.learner_attribute``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection

from ldai_xblocks.engine import value_metrics as vm
from ldai_xblocks.engine import xapi

from ..models import Statement, StatementFact
from .access import Scope

STATEMENTS = Statement._meta.db_table
FACTS = StatementFact._meta.db_table


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


@dataclass
class Where:
    """The scope, the period and the learners kept by the filters, as SQL over alias ``s``."""

    sql: str
    params: list
    ctes: str
    cte_params: list


def where(scope: Scope, filters: vm.Filters, *, period: bool = True) -> Where:
    ids = list(scope.deployment_ids) or [-1]
    base = [f"s.deployment_id IN ({_in(ids)})", "s.is_instructor = %s"]
    params: list = [*ids, False]
    if scope.context_id is not None:
        base.append("s.context_id = %s")
        params.append(scope.context_id)
    scope_sql, scope_params = " AND ".join(base), list(params)
    ctes, cte_params = [], []
    for name, column in (("fam", "job_family"), ("team", "team")):
        ctes.append(f"{name} AS (SELECT actor, {column} AS value FROM (SELECT s.actor, s.{column}, ROW_NUMBER() OVER "
                    f"(PARTITION BY s.actor ORDER BY s.timestamp DESC) AS rn FROM {STATEMENTS} s WHERE {scope_sql} AND s.{column} <> '') t WHERE rn = 1)")
        cte_params += scope_params
    if period and filters.since is not None:
        base.append("s.timestamp >= %s")
        params.append(connection.ops.adapt_datetimefield_value(filters.since))
    if period and filters.until is not None:
        base.append("s.timestamp < %s")
        params.append(connection.ops.adapt_datetimefield_value(filters.until))
    if filters.job_family:
        base.append("s.actor IN (SELECT actor FROM fam WHERE value = %s)")
        params.append(filters.job_family)
    if filters.team:
        base.append("s.actor IN (SELECT actor FROM team WHERE value = %s)")
        params.append(filters.team)
    return Where(" AND ".join(base), params, "WITH " + ", ".join(ctes), cte_params)


def _rows(sql: str, w: Where, extra: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"{w.ctes} {sql}", [*w.cte_params, *w.params, *(extra or [])])
        return cursor.fetchall()


def _case_stage() -> tuple[str, list]:
    completions = vm.completion_actions()
    parts, params = [f"WHEN s.success = %s AND s.action IN ({_in(completions)}) THEN {vm.PASSED}"], [True, *completions]
    by_stage: dict[int, list[str]] = defaultdict(list)
    for action, stage in vm.stage_by_action().items():
        by_stage[stage].append(action)
    for stage, actions in sorted(by_stage.items(), reverse=True):
        parts.append(f"WHEN s.action IN ({_in(actions)}) THEN {stage}")
        params += actions
    return f"CASE {' '.join(parts)} ELSE {vm.ATTEMPTED} END", params


def funnel(w: Where, minimum: int) -> list[vm.FunnelRow]:
    stage, stage_params = _case_stage()
    completions = vm.completion_actions()
    sql = (f"SELECT r.activity, COALESCE(fam.value, ''), r.stage, MAX(r.marked), COUNT(*) FROM ("
           f"SELECT s.activity, s.actor, MAX({stage}) AS stage, "
           f"MAX(CASE WHEN s.success IS NOT NULL AND s.action IN ({_in(completions)}) THEN 1 ELSE 0 END) AS marked "
           f"FROM {STATEMENTS} s WHERE {w.sql} GROUP BY s.activity, s.actor) r LEFT JOIN fam ON fam.actor = r.actor "
           f"GROUP BY r.activity, COALESCE(fam.value, ''), r.stage")
    with connection.cursor() as cursor:
        cursor.execute(f"{w.ctes} {sql}", [*w.cte_params, *stage_params, *completions, *w.params])
        found = cursor.fetchall()
    stages: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    marks = set()
    for activity, family, stage_value, marked, count in found:
        stages[(activity, family)][int(stage_value)] = int(count)
        if marked:
            marks.add(activity)
    return vm.funnel_from_stages(stages, marks, minimum)


def _graded(w: Where) -> tuple[str, list]:
    completions = vm.completion_actions()
    sql = (f"SELECT DISTINCT s.activity, s.actor, FIRST_VALUE(s.score) OVER (PARTITION BY s.activity, s.actor ORDER BY s.timestamp) AS first_score, "
           f"MAX(s.score) OVER (PARTITION BY s.activity, s.actor) AS best, COUNT(*) OVER (PARTITION BY s.activity, s.actor) AS attempts "
           f"FROM {STATEMENTS} s WHERE {w.sql} AND s.action IN ({_in(completions)}) AND s.score IS NOT NULL")
    return sql, list(completions)


def before_after(w: Where, minimum: int, learner_limit: int | None) -> tuple[list[vm.BeforeAfter], list[vm.LearnerGain]]:
    graded, extra = _graded(w)
    cohorts = []
    found = _rows(f"SELECT g.activity, COUNT(*), SUM(g.first_score), SUM(g.best), SUM(CASE WHEN g.best > g.first_score THEN 1 ELSE 0 END) "
                  f"FROM ({graded}) g GROUP BY g.activity ORDER BY g.activity", w, extra)
    for activity, count, first, best, improved in found:
        hidden = count < minimum
        cohorts.append(vm.BeforeAfter(activity, count, None if hidden else vm.mean_of(first, count), None if hidden else vm.mean_of(best, count), hidden,
                                      0 if hidden else int(improved)))
    shown = [c.activity for c in cohorts if not c.hidden]
    if not shown or learner_limit == 0:
        return cohorts, []
    limit = f" LIMIT {int(learner_limit)}" if learner_limit else ""
    learners = _rows(f"SELECT g.actor, g.activity, g.first_score, g.best, g.attempts FROM ({graded}) g WHERE g.activity IN ({_in(shown)}) "
                     f"ORDER BY g.activity, g.actor{limit}", w, [*extra, *shown])
    return cohorts, [vm.LearnerGain(a, act, float(f), float(b), int(n)) for a, act, f, b, n in learners]


def latest_sums(w: Where, kind: str, actions: tuple[str, ...]) -> list[tuple[str, int, float]]:
    """(key, learners, sum of each learner's latest value) per key (categories, self-assessed levels)."""
    sql = (f"SELECT t.key, COUNT(*), SUM(t.value) FROM (SELECT s.key, s.value, ROW_NUMBER() OVER "
           f"(PARTITION BY s.actor, s.key ORDER BY s.timestamp DESC) AS rn FROM {FACTS} s WHERE {w.sql} AND s.kind = %s "
           f"AND s.action IN ({_in(actions)}) AND s.value IS NOT NULL) t WHERE t.rn = 1 GROUP BY t.key ORDER BY t.key")
    return _rows(sql, w, [kind, *actions])


def latest_means(w: Where, kind: str, actions: tuple[str, ...], minimum: int) -> list[vm.MeanFigure]:
    return [vm.MeanFigure(key, n, None if n < minimum else vm.mean_of(total, n), n < minimum) for key, n, total in latest_sums(w, kind, actions)]


def _actions(*verbs: str) -> tuple[str, ...]:
    return tuple(action for action, mapping in xapi.MAPPINGS.items() if mapping.verb in verbs)


def criteria(w: Where, minimum: int, buckets: int = 3) -> list[vm.CriterionStep]:
    actions = _actions("completed")
    ranked = (f"SELECT s.actor, s.key, s.value, s.timestamp, CASE WHEN DENSE_RANK() OVER (PARTITION BY s.actor ORDER BY s.timestamp) > {buckets} "
              f"THEN {buckets} ELSE DENSE_RANK() OVER (PARTITION BY s.actor ORDER BY s.timestamp) END AS bucket "
              f"FROM {FACTS} s WHERE {w.sql} AND s.kind = %s AND s.action IN ({_in(actions)})")
    sql = (f"SELECT t.key, t.bucket, COUNT(*), SUM(t.value) FROM (SELECT r.key, r.value, r.bucket, ROW_NUMBER() OVER "
           f"(PARTITION BY r.actor, r.key, r.bucket ORDER BY r.timestamp DESC) AS rn FROM ({ranked}) r) t WHERE t.rn = 1 "
           f"GROUP BY t.key, t.bucket ORDER BY t.key, t.bucket")
    found = _rows(sql, w, ["criterion", *actions])
    return [vm.CriterionStep(key, int(bucket), n, None if n < minimum else vm.mean_of(total, n), n < minimum) for key, bucket, n, total in found]


def warnings(w: Where, minimum: int) -> list[vm.CountFigure]:
    found = _rows(f"SELECT s.key, COUNT(*), COUNT(DISTINCT s.actor) FROM {FACTS} s WHERE {w.sql} AND s.kind = %s AND s.key <> '' "
                  f"GROUP BY s.key ORDER BY s.key", w, ["confidential"])
    return [vm.CountFigure(key, events, learners, learners < minimum) for key, events, learners in found]


def charter(w: Where, minimum: int) -> list[vm.CountFigure]:
    actions = _actions("accepted")
    found = _rows(f"SELECT t.key, COUNT(*) FROM (SELECT s.key, ROW_NUMBER() OVER (PARTITION BY s.actor ORDER BY s.timestamp DESC) AS rn "
                  f"FROM {FACTS} s WHERE {w.sql} AND s.kind = %s AND s.action IN ({_in(actions)})) t WHERE t.rn = 1 "
                  f"GROUP BY t.key ORDER BY t.key", w, ["charter", *actions])
    return [vm.CountFigure(key, n, n, n < minimum) for key, n in found]


def skills(w: Where, minimum: int) -> list[vm.SkillGap]:
    priority_actions = tuple(a for a in _actions("completed", "launched"))
    latest = (f"SELECT s.actor, s.key FROM (SELECT s.actor, s.key, DENSE_RANK() OVER (PARTITION BY s.actor ORDER BY s.timestamp DESC) AS rk "
              f"FROM {FACTS} s WHERE {w.sql} AND s.activity = %s AND s.kind = %s AND s.action IN ({_in(priority_actions)})) s WHERE s.rk = 1")
    priorities = _rows(latest, w, ["skills_map", "priority", *priority_actions])
    levels = {key: (n, total) for key, n, total in latest_sums(_skills_only(w), "level", _actions("interacted"))}
    population_rows = _rows(f"SELECT COUNT(DISTINCT s.actor) FROM {FACTS} s WHERE {w.sql} AND s.activity = %s AND "
                            f"((s.kind = %s AND s.action IN ({_in(priority_actions)})) OR (s.kind = %s AND s.action IN ({_in(_actions('interacted'))})))",
                            w, ["skills_map", "priority", *priority_actions, "level", *_actions("interacted")])
    population = int(population_rows[0][0])
    counts: dict[str, int] = defaultdict(int)
    for _actor, key in priorities:
        if key:
            counts[key] += 1
    hidden = population < minimum
    gaps = []
    for competence in sorted(set(counts) | set(levels)):
        n, total = levels.get(competence, (0, 0.0))
        self_level = None if hidden or n < minimum else vm.mean_of(total, n, 2)
        gaps.append(vm.SkillGap(competence, population, 0 if hidden else counts.get(competence, 0), self_level, hidden))
    return gaps


def _skills_only(w: Where) -> Where:
    return Where(w.sql + " AND s.activity = 'skills_map'", w.params, w.ctes, w.cte_params)


def use_cases(w: Where, minimum: int) -> list[vm.UseCaseFigure]:
    verbs = {"shared": _actions("shared"), "approved": _actions("approved"), "adopted": _actions("adopted")}
    every = [a for actions in verbs.values() for a in actions]
    found = _use_case_rows(w, every)
    groups: dict[str, dict[str, int]] = defaultdict(lambda: {"authors": 0, "shared": 0, "approved": 0, "adopted": 0, "minutes": 0})
    verb_of = {a: v for v, actions in verbs.items() for a in actions}
    for group, action, events, authors, minutes in found:
        g = groups[group]
        g[verb_of[action]] += int(events)
        if verb_of[action] == "shared":
            g["authors"] += int(authors)
        if verb_of[action] == "approved":
            g["minutes"] += int(minutes or 0)
    return [vm.UseCaseFigure(group, g["authors"], g["shared"], g["approved"], g["adopted"], g["minutes"], g["authors"] < minimum)
            for group, g in sorted(groups.items())]


def _use_case_rows(w: Where, actions: list[str]) -> list[tuple]:
    sql = (f"SELECT CASE WHEN s.job_family <> '' THEN s.job_family ELSE COALESCE(fam.value, '') END AS grp, s.action, COUNT(*), "
           f"COUNT(DISTINCT s.actor), SUM(COALESCE(m.value, 0)) FROM {STATEMENTS} s LEFT JOIN fam ON fam.actor = s.actor "
           f"LEFT JOIN (SELECT statement_id, MAX(value) AS value FROM {FACTS} WHERE kind = %s GROUP BY statement_id) m ON m.statement_id = s.id "
           f"WHERE {w.sql} AND s.activity = %s AND s.action IN ({_in(actions)}) GROUP BY 1, s.action")
    with connection.cursor() as cursor:
        cursor.execute(f"{w.ctes} {sql}", [*w.cte_params, "minutes", *w.params, "use_case", *actions])
        return cursor.fetchall()


def usage(w: Where, minimum: int) -> list[vm.MeanFigure]:
    """Managers' ratings: few statements (one per manager and survey), so the engine reads them as rows."""
    actions = _actions("rated")
    found = _rows(f"SELECT s.actor, s.timestamp, s.score FROM {STATEMENTS} s WHERE {w.sql} AND s.action IN ({_in(actions)}) "
                  f"AND s.score IS NOT NULL", w, list(actions))
    return vm.perceived_usage([vm.Row(actor, "", "rated", _moment(stamp), score=score) for actor, stamp, score in found], minimum)


def _moment(value) -> datetime:
    """A timestamp from raw SQL: PostgreSQL gives an aware datetime, SQLite Django's naive UTC text."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def dashboard(scope: Scope, filters: vm.Filters, minimum: int, learner_limit: int | None = None) -> vm.Dashboard:
    """Every figure of the scope, aggregated by the database (``learner_limit``: how many per-learner lines)."""
    w = where(scope, filters)
    cohorts, learners = before_after(w, minimum, learner_limit)
    return vm.Dashboard(
        funnel(w, minimum), latest_means(w, "category", _actions("completed"), minimum), cohorts, learners, criteria(w, minimum),
        warnings(w, minimum), skills(w, minimum), charter(w, minimum), use_cases(w, minimum), usage(w, minimum),
    )
