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

import contextlib
import dataclasses
import gc
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import Max, Min, QuerySet

from ldai_xblocks.engine import value_metrics as vm
from ldai_xblocks.engine import xapi

from ..models import LearnerActivityDay, LearnerFactDay, LearnerProfile, Statement, StatementFact
from . import learner_totals
from .access import Scope

STATEMENTS = Statement._meta.db_table
FACTS = StatementFact._meta.db_table
ACTIVITY_DAYS = LearnerActivityDay._meta.db_table
FACT_DAYS = LearnerFactDay._meta.db_table
PROFILES = LearnerProfile._meta.db_table


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


@dataclass
class Where:
    """The scope, the period and the learners kept by the filters, as SQL over alias ``s``."""

    sql: str
    params: list
    ctes: str
    cte_params: list


def where(scope: Scope, filters: vm.Filters, *, summaries: bool = True) -> Where:
    """Over a summary table (``summaries``: the period on its ``day``) or over statements and facts (on ``timestamp``).

    The period must be whole UTC days (``Filters.whole_days``): then a summary's day is inside it or outside it whole.
    """
    ids = list(scope.deployment_ids) or [-1]
    scope_base = [f"s.deployment_id IN ({_in(ids)})"]
    scope_params: list = [*ids]
    if scope.context_id is not None:
        scope_base.append("s.context_id = %s")
        scope_params.append(scope.context_id)
    base = [*scope_base] if summaries else [*scope_base, "s.is_instructor = %s"]
    params = [*scope_params] if summaries else [*scope_params, False]
    scope_sql = " AND ".join(scope_base)
    ctes, cte_params = [], []
    for name, column, stamp in (("fam", "job_family", "family_at"), ("team", "team", "team_at")):
        ctes.append(f"{name} AS (SELECT actor, {column} AS value FROM (SELECT s.actor, s.{column}, ROW_NUMBER() OVER "
                    f"(PARTITION BY s.actor ORDER BY s.{stamp} DESC) AS rn FROM {PROFILES} s WHERE {scope_sql} AND s.{column} <> '') t WHERE rn = 1)")
        cte_params += scope_params
    column, adapt = ("s.day", _day_value) if summaries else ("s.timestamp", connection.ops.adapt_datetimefield_value)
    if filters.since is not None:
        base.append(f"{column} >= %s")
        params.append(adapt(filters.since))
    if filters.until is not None:
        base.append(f"{column} < %s")
        params.append(adapt(filters.until))
    if filters.job_family:
        base.append("s.actor IN (SELECT actor FROM fam WHERE value = %s)")
        params.append(filters.job_family)
    if filters.team:
        base.append("s.actor IN (SELECT actor FROM team WHERE value = %s)")
        params.append(filters.team)
    return Where(" AND ".join(base), params, "WITH " + ", ".join(ctes), cte_params)


def _day_value(moment: datetime):
    return connection.ops.adapt_datefield_value(moment.astimezone(UTC).date())


def _rows(sql: str, w: Where, extra: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"{w.ctes} {sql}", [*w.cte_params, *w.params, *(extra or [])])
        return cursor.fetchall()


def funnel(w: Where, minimum: int) -> list[vm.FunnelRow]:
    """Each learner's furthest stage per activity over the period's days (``LearnerActivityDay.stage``), by job family."""
    sql = (f"SELECT r.activity, COALESCE(fam.value, ''), r.stage, MAX(r.marked), COUNT(*) FROM ("
           f"SELECT s.activity, s.actor, MAX(s.stage) AS stage, MAX(CASE WHEN s.marked THEN 1 ELSE 0 END) AS marked "
           f"FROM {ACTIVITY_DAYS} s WHERE {w.sql} GROUP BY s.activity, s.actor) r LEFT JOIN fam ON fam.actor = r.actor "
           f"GROUP BY r.activity, COALESCE(fam.value, ''), r.stage")
    stages: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    marks = set()
    for activity, family, stage_value, marked, count in _rows(sql, w):
        stages[(activity, family)][int(stage_value)] = int(count)
        if marked:
            marks.add(activity)
    return vm.funnel_from_stages(stages, marks, minimum)


def _graded(w: Where) -> tuple[str, list]:
    """Per activity and learner: the first graded score of the period (the earliest day's first), the best, the attempts.

    One sort serves the three windows (same partition); ``rn = 1`` keeps one line per learner and activity.
    """
    partition = "PARTITION BY s.activity, s.actor"
    sql = (f"SELECT g.activity, g.actor, g.first_score, g.best, g.attempts FROM (SELECT s.activity, s.actor, s.first_score, "
           f"ROW_NUMBER() OVER ({partition} ORDER BY s.first_score_at) AS rn, MAX(s.best_score) OVER ({partition}) AS best, "
           f"SUM(s.graded) OVER ({partition}) AS attempts FROM {ACTIVITY_DAYS} s WHERE {w.sql} AND s.graded > 0) g WHERE g.rn = 1")
    return sql, []


def before_after(w: Where, minimum: int, learner_limit: int | None) -> tuple[list[vm.BeforeAfter], list[vm.LearnerGain]]:
    """The cohorts' first and best attempts and the per-learner lines of the cohorts shown, in one statement.

    The per-learner ranking (``_graded``: a sort of every learner's days) is the costly part: computed once in a
    materialized CTE that both parts read (part 0: one line per activity; part 1: the learners of the activities with
    at least ``minimum`` of them, ordered and limited), where two statements sorted it twice.
    """
    graded, extra = _graded(w)
    cohort_part = ("SELECT 0 AS part, g.activity, NULL AS actor, COUNT(*) AS a, SUM(g.first_score) AS b, SUM(g.best) AS c, "
                   "SUM(CASE WHEN g.best > g.first_score THEN 1 ELSE 0 END) AS d FROM g GROUP BY g.activity")
    sql, params = f"{w.ctes}, g AS MATERIALIZED ({graded}) {cohort_part}", [*w.cte_params, *w.params, *extra]
    if learner_limit != 0:
        limit = f" LIMIT {int(learner_limit)}" if learner_limit else ""
        sql += (" UNION ALL SELECT * FROM (SELECT 1, g.activity, g.actor, g.first_score, g.best, g.attempts, 0 FROM g WHERE g.activity IN "
                f"(SELECT g.activity FROM g GROUP BY g.activity HAVING COUNT(*) >= %s) ORDER BY g.activity, g.actor{limit}) l")
        params.append(minimum)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    cohorts = []
    for _part, activity, _actor, count, first, best, improved in sorted((r for r in found if r[0] == 0), key=lambda r: r[1]):
        hidden = count < minimum
        cohorts.append(vm.BeforeAfter(activity, int(count), None if hidden else vm.mean_of(first, count),
                                      None if hidden else vm.mean_of(best, count), hidden, 0 if hidden else int(improved)))
    learners = sorted((r for r in found if r[0] == 1), key=lambda r: (r[1], r[2]))
    return cohorts, [vm.LearnerGain(actor, activity, float(f), float(b), int(n)) for _part, activity, actor, f, b, n, _ in learners]


def latest_sums(w: Where, kind: str, actions: tuple[str, ...]) -> list[tuple[str, int, float]]:
    """(key, learners, sum of each learner's latest value) per key (categories, self-assessed levels)."""
    sql = (f"SELECT t.key, COUNT(*), SUM(t.value) FROM (SELECT s.key, s.value, ROW_NUMBER() OVER "
           f"(PARTITION BY s.actor, s.key ORDER BY s.timestamp DESC) AS rn FROM {FACT_DAYS} s WHERE {w.sql} AND s.kind = %s "
           f"AND s.action IN ({_in(actions)}) AND s.value IS NOT NULL) t WHERE t.rn = 1 GROUP BY t.key ORDER BY t.key")
    return _rows(sql, w, [kind, *actions])


def latest_means(w: Where, kind: str, actions: tuple[str, ...], minimum: int) -> list[vm.MeanFigure]:
    return [vm.MeanFigure(key, n, None if n < minimum else vm.mean_of(total, n), n < minimum) for key, n, total in latest_sums(w, kind, actions)]


def _actions(*verbs: str) -> tuple[str, ...]:
    return tuple(action for action, mapping in xapi.MAPPINGS.items() if mapping.verb in verbs)


def criteria(w: Where, minimum: int) -> list[vm.CriterionStep]:
    """Each learner's 1st, 2nd and 3rd-and-later graded score per criterion in the period, from the day summaries.

    Per learner and criterion, the days in order with the scores before each (``prior``): the 1st score is the first
    day's earliest; the 2nd its second earliest, or the next day's earliest; the latest of the "3 and later" bucket is
    the period's latest, when there were at least three.
    """
    actions = _actions("completed")
    days = (f"SELECT s.actor, s.key, s.events, s.first_value, s.second_value, s.value, "
            f"SUM(s.events) OVER (PARTITION BY s.actor, s.key ORDER BY s.day, s.first_at ROWS UNBOUNDED PRECEDING) - s.events AS prior, "
            f"SUM(s.events) OVER (PARTITION BY s.actor, s.key) AS total, "
            f"ROW_NUMBER() OVER (PARTITION BY s.actor, s.key ORDER BY s.day DESC, s.timestamp DESC) AS from_last "
            f"FROM {FACT_DAYS} s WHERE {w.sql} AND s.kind = %s AND s.action IN ({_in(actions)})")
    steps = ("SELECT d.key, 1 AS step, d.first_value AS score FROM d WHERE d.prior = 0 "
             "UNION ALL SELECT d.key, 2, d.second_value FROM d WHERE d.prior = 0 AND d.events >= 2 "
             "UNION ALL SELECT d.key, 2, d.first_value FROM d WHERE d.prior = 1 "
             "UNION ALL SELECT d.key, 3, d.value FROM d WHERE d.from_last = 1 AND d.total >= 3")
    with connection.cursor() as cursor:
        cursor.execute(f"{w.ctes}, d AS ({days}) SELECT t.key, t.step, COUNT(*), SUM(t.score) FROM ({steps}) t GROUP BY t.key, t.step "
                       f"ORDER BY t.key, t.step", [*w.cte_params, *w.params, "criterion", *actions])
        found = cursor.fetchall()
    return [vm.CriterionStep(key, int(step), n, None if n < minimum else vm.mean_of(total, n), n < minimum) for key, step, n, total in found]


def warnings(w: Where, minimum: int) -> list[vm.CountFigure]:
    found = _rows(f"SELECT s.key, SUM(s.events), COUNT(DISTINCT s.actor) FROM {FACT_DAYS} s WHERE {w.sql} AND s.kind = %s AND s.key <> '' "
                  f"GROUP BY s.key ORDER BY s.key", w, ["confidential"])
    return [vm.CountFigure(key, events, learners, learners < minimum) for key, events, learners in found]


def charter(w: Where, minimum: int) -> list[vm.CountFigure]:
    actions = _actions("accepted")
    found = _rows(f"SELECT t.key, COUNT(*) FROM (SELECT s.key, ROW_NUMBER() OVER (PARTITION BY s.actor ORDER BY s.timestamp DESC) AS rn "
                  f"FROM {FACT_DAYS} s WHERE {w.sql} AND s.kind = %s AND s.action IN ({_in(actions)})) t WHERE t.rn = 1 "
                  f"GROUP BY t.key ORDER BY t.key", w, ["charter", *actions])
    return [vm.CountFigure(key, n, n, n < minimum) for key, n in found]


def skills(w: Where, minimum: int) -> list[vm.SkillGap]:
    priority_actions = tuple(a for a in _actions("completed", "launched"))
    latest = (f"SELECT s.actor, s.key FROM (SELECT s.actor, s.key, DENSE_RANK() OVER (PARTITION BY s.actor ORDER BY s.timestamp DESC) AS rk "
              f"FROM {FACT_DAYS} s WHERE {w.sql} AND s.activity = %s AND s.kind = %s AND s.action IN ({_in(priority_actions)})) s WHERE s.rk = 1")
    priorities = _rows(latest, w, ["skills_map", "priority", *priority_actions])
    levels = {key: (n, total) for key, n, total in latest_sums(_skills_only(w), "level", _actions("interacted"))}
    population_rows = _rows(f"SELECT COUNT(DISTINCT s.actor) FROM {FACT_DAYS} s WHERE {w.sql} AND s.activity = %s AND "
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
    """Use cases recorded, validated and adopted (the summaries' "statement" facts), minutes of validated ones, by learner's job family."""
    verbs = {"shared": _actions("shared"), "approved": _actions("approved"), "adopted": _actions("adopted")}
    every = [a for actions in verbs.values() for a in actions]
    verb_of = {a: v for v, actions in verbs.items() for a in actions}
    found = _rows(f"SELECT COALESCE(fam.value, ''), s.action, s.kind, SUM(s.events), COUNT(DISTINCT s.actor), SUM(s.value_sum) "
                  f"FROM {FACT_DAYS} s LEFT JOIN fam ON fam.actor = s.actor WHERE {w.sql} AND s.activity = %s AND s.action IN ({_in(every)}) "
                  f"AND s.kind IN (%s, %s) GROUP BY COALESCE(fam.value, ''), s.action, s.kind", w, ["use_case", *every, "statement", "minutes"])
    groups: dict[str, dict[str, int]] = defaultdict(lambda: {"authors": 0, "shared": 0, "approved": 0, "adopted": 0, "minutes": 0})
    for group, action, kind, events, authors, minutes in found:
        g, verb = groups[group], verb_of[action]
        if kind == "statement":
            g[verb] += int(events)
            g["authors"] += int(authors) if verb == "shared" else 0
        elif verb == "approved":
            g["minutes"] += int(minutes or 0)
    return [vm.UseCaseFigure(group, g["authors"], g["shared"], g["approved"], g["adopted"], g["minutes"], g["authors"] < minimum)
            for group, g in sorted(groups.items()) if g["shared"] or g["approved"] or g["adopted"]]


def pre_post(w: Where, minimum: int) -> tuple[list[vm.PrePost], list[vm.LearnerPrePost]]:
    """Quizzes paired as pre- and post-test: each learner's first pre score and best post score in the period (summaries' "pre"/"post")."""
    pre = (f"SELECT DISTINCT s.actor, s.key, FIRST_VALUE(s.first_value) OVER (PARTITION BY s.actor, s.key ORDER BY s.first_at) AS score "
           f"FROM {FACT_DAYS} s WHERE {w.sql} AND s.kind = %s")
    post = f"SELECT s.actor, s.key, MAX(s.max_value) AS score FROM {FACT_DAYS} s WHERE {w.sql} AND s.kind = %s GROUP BY s.actor, s.key"
    with connection.cursor() as cursor:
        cursor.execute(f"{w.ctes} SELECT p.actor, p.key, p.score, q.score FROM ({pre}) p JOIN ({post}) q ON q.actor = p.actor AND q.key = p.key",
                       [*w.cte_params, *w.params, "pre", *w.params, "post"])
        found = cursor.fetchall()
    return vm.pre_post_from_lines([vm.LearnerPrePost(actor, pair, float(first), float(best)) for actor, pair, first, best in found], minimum)


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


def dashboard(scope: Scope, filters: vm.Filters, minimum: int, learner_limit: int | None = None, *, from_days: bool = False) -> vm.Dashboard:
    """Every figure of the scope (``learner_limit``: how many per-learner lines).

    Without a period, from the learners' all-time totals (``learner_totals``: one record per learner, no sort); with a
    period, or ``from_days`` (the tests compare both sources), from the day summaries. The managers' ratings are read from
    their statements either way (one per manager and survey: few).
    """
    filters = filters.whole_days()
    statements = where(scope, filters, summaries=False)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The figures sort and hash a row per learner: PostgreSQL's default 4 MB spills them to disk at 20,000 learners.
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
                # The learners' job family (the ``fam`` CTE) is estimated at 100 rows whatever their number, and a nested loop over
                # it took 26 s at 20,000 learners with a job family chosen; every join here is a hash join's work.
                cursor.execute("SET LOCAL enable_nestloop = off")
        if not from_days and _holds_all_time(scope, filters):
            return _from_totals(scope, dataclasses.replace(filters, since=None, until=None), statements, minimum, learner_limit)
        return _figures(where(scope, filters), statements, minimum, learner_limit)


WORK_MEM = "64MB"


@contextlib.contextmanager
def _no_gc_pauses():
    """Python's cyclic collector off while a scope's totals are parsed: ~2 passes over every new object, 60 % of the parse at 20,000
    learners, for objects that hold no cycle (dicts and lists of numbers, freed by reference counting when the figures are made)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _holds_all_time(scope: Scope, filters: vm.Filters) -> bool:
    """No period, or one that holds every day the scope has a statement on (then its figures are the all-time ones)."""
    if filters.since is None and filters.until is None:
        return True
    span = in_scope(LearnerActivityDay.objects.all(), scope).aggregate(first=Min("day"), last=Max("day"))
    if span["first"] is None:
        return True
    return ((filters.since is None or filters.since.date() <= span["first"])
            and (filters.until is None or filters.until.date() > span["last"]))


def in_scope(rows: QuerySet, scope: Scope) -> QuerySet:
    """The rows (statements, summaries, profiles: each has a deployment and a context id) of the scope's deployments and course."""
    rows = rows.filter(deployment_id__in=scope.deployment_ids)
    return rows if scope.context_id is None else rows.filter(context_id=scope.context_id)


def profiles(scope: Scope) -> QuerySet:
    """The scope's learners' profile rows (one per learner and context: job family, team, all-time totals)."""
    return in_scope(LearnerProfile.objects.all(), scope)


def _from_totals(scope: Scope, filters: vm.Filters, statements: Where, minimum: int, learner_limit: int | None) -> vm.Dashboard:
    with _no_gc_pauses():
        every = profiles(scope)
        people = learner_totals.learners(every.values_list("actor", "shown", "job_family", "team"), lambda actors: every.filter(
            actor__in=actors).values_list("actor", "totals", "job_family", "family_at", "team", "team_at"))
        found = learner_totals.figures(people, filters, minimum, learner_limit)
        del people  # freed by reference counting before the collector is back (else its next pass walks them all)
    pairs, pair_learners = vm.pre_post_from_lines(found.pop("pairs"), minimum)
    return vm.Dashboard(**found, usage=usage(statements, minimum), pre_post=pairs, pre_post_learners=pair_learners)


def _figures(w: Where, statements: Where, minimum: int, learner_limit: int | None) -> vm.Dashboard:
    cohorts, learners = before_after(w, minimum, learner_limit)
    return vm.Dashboard(
        funnel(w, minimum), latest_means(w, "category", _actions("completed"), minimum), cohorts, learners, criteria(w, minimum),
        warnings(w, minimum), skills(w, minimum), charter(w, minimum), use_cases(w, minimum), usage(statements, minimum), *pre_post(w, minimum),
    )
