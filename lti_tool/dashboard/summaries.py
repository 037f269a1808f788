"""Keeping the dashboard's summaries (``lti_tool.models.summaries``) up to date: one function every writer calls.

:func:`summarize` takes stored statements and their facts, folds them into summary rows in Python (several
statements of one learner and day make one row), then merges each row into the table with one
``INSERT ... ON CONFLICT (key) DO UPDATE`` per table: the database merges the stored row and the new one
(earliest first, latest last, greatest stage, counts added...) while holding the row's lock, so parallel
writers on PostgreSQL never lose an update (SQLite serialises writers). The same merge rules run in Python
(:func:`_merge`) for the statements of one call and in SQL (``_MERGE_SQL``) against the stored row; the
tests check that writing statements one by one and rebuilding gives the same rows.

Then each learner's all-time totals (``learner_totals``, on their profile row): the profile's upsert has locked the
row and returned the stored totals, the new day rows' contribution is merged into them in Python, and one UPDATE
writes them back with their ``shown`` part and a raised ``revision`` (:func:`add_totals`).

Callers: ``runtime.statements.record`` (the tool's own statements, in the handler's transaction),
``xapi.ingest`` (statements Open edX routes to the tool), :func:`rebuild` (``manage.py
ldai_rebuild_summaries`` and the migration that creates the tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from django.db import connection, transaction

from ldai_xblocks.engine import value_metrics as vm
from ldai_xblocks.engine import xapi

from ..models import LearnerActivityDay, LearnerFactDay, LearnerProfile
from . import learner_totals

# Statements counted one by one (use cases recorded, validated, adopted): kept as a fact of kind "statement".
COUNTED_VERBS = ("shared", "approved", "adopted")
COUNTED_ACTIONS = tuple(action for action, mapping in xapi.MAPPINGS.items() if mapping.verb in COUNTED_VERBS)
_COMPLETIONS = frozenset(vm.completion_actions())
_STAGES = vm.stage_by_action()


def _latest(a, b):
    """The later of two (value, time) pairs; on a tie the newer write wins, as the engine's ``>=``."""
    return b if a[1] is None or (b[1] is not None and b[1] >= a[1]) else a


def _day(moment: datetime):
    return moment.astimezone(UTC).date()


def _stage(action: str, success: bool | None) -> int:
    return vm.PASSED if success is True and action in _COMPLETIONS else _STAGES.get(action, vm.ATTEMPTED)


def activity_row(statement) -> tuple[tuple, dict]:
    """(key, columns) of one statement's contribution to ``LearnerActivityDay``."""
    graded = statement.action in _COMPLETIONS and statement.score is not None
    key = (statement.deployment_id, statement.context_id, statement.activity, statement.actor, _day(statement.timestamp))
    return key, {
        "first_at": statement.timestamp, "last_at": statement.timestamp, "stage": _stage(statement.action, statement.success),
        "marked": statement.action in _COMPLETIONS and statement.success is not None, "graded": int(graded),
        "first_score": float(statement.score) if graded else None, "first_score_at": statement.timestamp if graded else None,
        "best_score": float(statement.score) if graded else None,
    }


def fact_rows(statement, facts: Iterable[tuple[str, str, float | None]]) -> list[tuple[tuple, dict]]:
    """(key, columns) of one statement's facts in ``LearnerFactDay``, plus the statement itself when it is counted."""
    facts = list(facts)
    if statement.action in COUNTED_ACTIONS:
        facts.append(("statement", "", None))
    words = {kind: key for kind, key, _ in facts if kind in ("pair", "pair-role")}
    if words.get("pair") and words.get("pair-role") in vm.PREPOST_ROLES and statement.action in _COMPLETIONS and statement.score is not None:
        facts.append((words["pair-role"], words["pair"], float(statement.score)))  # kind "pre" or "post", key the pair
    base = (statement.deployment_id, statement.context_id, statement.actor, statement.activity, statement.action)
    return [((*base, kind, key, _day(statement.timestamp)),
             {"events": 1, "value": value, "timestamp": statement.timestamp, "value_sum": value or 0.0, "first_value": value,
              "first_at": statement.timestamp, "second_value": None, "second_at": None, "max_value": value}) for kind, key, value in facts]


def profile_row(statement) -> tuple[tuple, dict]:
    """The statement's learner's profile row: every learner has one (it holds their totals), the job family and team when given."""
    return (statement.deployment_id, statement.context_id, statement.actor), {
        "job_family": statement.job_family, "family_at": statement.timestamp if statement.job_family else None,
        "team": statement.team, "team_at": statement.timestamp if statement.team else None,
    }


def _merge(table: str, old: dict, new: dict) -> dict:
    """The merge rule of one table in Python: what ``_MERGE_SQL`` does against the stored row."""
    if table == "activity":
        earlier = new["first_score_at"] is not None and (old["first_score_at"] is None or new["first_score_at"] < old["first_score_at"])
        first = (new if earlier else old)["first_score"], (new if earlier else old)["first_score_at"]
        return {
            "first_at": min(old["first_at"], new["first_at"]), "last_at": max(old["last_at"], new["last_at"]),
            "stage": max(old["stage"], new["stage"]), "marked": old["marked"] or new["marked"], "graded": old["graded"] + new["graded"],
            "first_score": first[0], "first_score_at": first[1],
            "best_score": max((s for s in (old["best_score"], new["best_score"]) if s is not None), default=None),
        }
    if table == "fact":
        value, stamp = _latest((old["value"], old["timestamp"]), (new["value"], new["timestamp"]))
        (first_value, first_at), (second_value, second_at) = _two_earliest(old, new)
        return {"events": old["events"] + new["events"], "value": value, "timestamp": stamp, "value_sum": old["value_sum"] + new["value_sum"],
                "first_value": first_value, "first_at": first_at, "second_value": second_value, "second_at": second_at,
                "max_value": max((v for v in (old["max_value"], new["max_value"]) if v is not None), default=None)}
    family, family_at = _latest((old["job_family"], old["family_at"]), (new["job_family"], new["family_at"]))
    team, team_at = _latest((old["team"], old["team_at"]), (new["team"], new["team_at"]))
    return {"job_family": family, "family_at": family_at, "team": team, "team_at": team_at}


def _two_earliest(old: dict, new: dict) -> tuple[tuple, tuple]:
    """The two earliest (value, time) of two rows that each hold their two earliest: ``_SECOND`` in Python."""
    if new["first_at"] < old["first_at"]:
        runner_up = new if new["second_at"] is not None and new["second_at"] < old["first_at"] else None
        second = (runner_up["second_value"], runner_up["second_at"]) if runner_up else (old["first_value"], old["first_at"])
        return (new["first_value"], new["first_at"]), second
    take_new = old["second_at"] is None or new["first_at"] < old["second_at"]
    return (old["first_value"], old["first_at"]), ((new["first_value"], new["first_at"]) if take_new else (old["second_value"], old["second_at"]))


def _second(column: str) -> str:
    """SQL: the second earliest of the stored row's two and the new row's two (``_two_earliest``)."""
    return (f"CASE WHEN excluded.first_at < t.first_at THEN (CASE WHEN excluded.second_at IS NOT NULL AND excluded.second_at < t.first_at "
            f"THEN excluded.second_{column} ELSE t.first_{column} END) ELSE (CASE WHEN t.second_at IS NULL OR excluded.first_at < t.second_at "
            f"THEN excluded.first_{column} ELSE t.second_{column} END) END")


def _later(column: str, stamp: str) -> str:
    """SQL: the new value when its time is set and not earlier than the stored one's."""
    return f"CASE WHEN excluded.{stamp} IS NOT NULL AND (t.{stamp} IS NULL OR excluded.{stamp} >= t.{stamp}) THEN excluded.{column} ELSE t.{column} END"


def _first(column: str) -> str:
    return (f"CASE WHEN excluded.first_score_at IS NOT NULL AND (t.first_score_at IS NULL OR excluded.first_score_at < t.first_score_at) "
            f"THEN excluded.{column} ELSE t.{column} END")


_MERGE_SQL = {
    "activity": {
        "first_at": "CASE WHEN excluded.first_at < t.first_at THEN excluded.first_at ELSE t.first_at END",
        "last_at": "CASE WHEN excluded.last_at > t.last_at THEN excluded.last_at ELSE t.last_at END",
        "stage": "CASE WHEN excluded.stage > t.stage THEN excluded.stage ELSE t.stage END",
        "marked": "CASE WHEN excluded.marked THEN excluded.marked ELSE t.marked END",
        "graded": "t.graded + excluded.graded",
        "first_score": _first("first_score"), "first_score_at": _first("first_score_at"),
        "best_score": "CASE WHEN t.best_score IS NULL OR excluded.best_score > t.best_score THEN excluded.best_score ELSE t.best_score END",
    },
    "fact": {
        "events": "t.events + excluded.events", "value": _later("value", "timestamp"), "timestamp": _later("timestamp", "timestamp"),
        "value_sum": "t.value_sum + excluded.value_sum",
        "first_value": "CASE WHEN excluded.first_at < t.first_at THEN excluded.first_value ELSE t.first_value END",
        "first_at": "CASE WHEN excluded.first_at < t.first_at THEN excluded.first_at ELSE t.first_at END",
        "second_value": _second("value"), "second_at": _second("at"),
        "max_value": "CASE WHEN t.max_value IS NULL OR excluded.max_value > t.max_value THEN excluded.max_value ELSE t.max_value END",
    },
    "profile": {
        "job_family": _later("job_family", "family_at"), "family_at": _later("family_at", "family_at"),
        "team": _later("team", "team_at"), "team_at": _later("team_at", "team_at"),
    },
}
_MODELS = {"activity": LearnerActivityDay, "fact": LearnerFactDay, "profile": LearnerProfile}
_KEYS = {
    "activity": ("deployment_id", "context_id", "activity", "actor", "day"),
    "fact": ("deployment_id", "context_id", "actor", "activity", "action", "kind", "key", "day"),
    "profile": ("deployment_id", "context_id", "actor"),
}


def fold(statements: Iterable, facts_of_statement) -> dict[str, dict[tuple, dict]]:
    """{table: {key: columns}} of statements (learners' only), merged in Python. ``facts_of_statement(s)`` gives (kind, key, value)s."""
    tables: dict[str, dict[tuple, dict]] = {"activity": {}, "fact": {}, "profile": {}}

    def add(table: str, key: tuple, columns: dict) -> None:
        held = tables[table].get(key)
        tables[table][key] = columns if held is None else _merge(table, held, columns)

    for statement in statements:
        if statement.is_instructor or statement.deployment_id is None:
            continue
        add("activity", *activity_row(statement))
        for key, columns in fact_rows(statement, facts_of_statement(statement)):
            add("fact", key, columns)
        add("profile", *profile_row(statement))
    return tables


def _adapt(value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if hasattr(value, "isoformat") and not isinstance(value, datetime):
        return connection.ops.adapt_datefield_value(value)
    return value


def upsert(tables: dict[str, dict[tuple, dict]], batch: int = 500) -> dict[tuple, str]:
    """Merge folded rows into the tables with INSERT ... ON CONFLICT DO UPDATE.

    Day rows go one statement per row through the driver's ``executemany`` (psycopg pipelines them): a statement of
    500 rows' placeholders cost psycopg more to split than PostgreSQL to run (136 s of a 300 s rebuild of 443,860
    statements). Profiles go in batches of ``batch`` rows, for their RETURNING. Rows go in key order, so two writers lock
    shared rows in the same order (no deadlock). Returns the totals stored on the profiles written, {(deployment,
    context, actor): JSON}: the upsert has locked those rows until the transaction ends.
    """
    stored: dict[tuple, str] = {}
    adapt = (lambda v: v) if connection.vendor == "postgresql" else _adapt  # psycopg adapts dates and times itself
    for table, rows in tables.items():
        if not rows:
            continue
        keys, merge = _KEYS[table], _MERGE_SQL[table]
        columns = (*keys, *merge)
        head = f"INSERT INTO {connection.ops.quote_name(_MODELS[table]._meta.db_table)} AS t ({', '.join(columns)}) VALUES "
        tail = f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET " + ", ".join(f"{column} = {sql}" for column, sql in merge.items())
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        items = [[adapt(v) for v in (*key, *(cols[c] for c in merge))] for key, cols in sorted(rows.items())]
        with connection.cursor() as cursor:
            if table != "profile":
                if len(items) == 1:  # a handler's statement
                    cursor.execute(head + one + tail, items[0])
                else:
                    cursor.executemany(head + one + tail, items)
                continue
            for start in range(0, len(items), batch):
                chunk = items[start:start + batch]
                cursor.execute(head + ", ".join([one] * len(chunk)) + tail + " RETURNING deployment_id, context_id, actor, totals",
                               [v for row in chunk for v in row])
                stored.update({(deployment, context, actor): totals for deployment, context, actor, totals in cursor.fetchall()})
    return stored


def add_totals(tables: dict[str, dict[tuple, dict]], stored: dict[tuple, str]) -> None:
    """Merge the folded rows into each learner's all-time totals (``learner_totals``) and raise their revision: one UPDATE each.

    ``stored``: the totals as :func:`upsert` found them on the profile rows it has locked, so no parallel writer changes
    them between this read and the write.
    """
    contributions = learner_totals.contribution(tables["activity"].items(), tables["fact"].items())
    _write_totals({learner: learner_totals.merge(learner_totals.loads(stored[learner]), contributions.get(learner, {})) for learner in stored})


def _write_totals(totals: dict[tuple, dict]) -> None:
    """{(deployment, context, actor): totals} onto the profiles with their shown part, each raising its revision (the cache's watermark)."""
    updates = [(learner_totals.dumps(t), learner_totals.dumps(learner_totals.shown(t)), *learner) for learner, t in sorted(totals.items())]
    if updates:
        with connection.cursor() as cursor:
            sql = (f"UPDATE {connection.ops.quote_name(LearnerProfile._meta.db_table)} SET totals = %s, shown = %s, revision = revision + 1 "
                   "WHERE deployment_id = %s AND context_id = %s AND actor = %s")
            if len(updates) == 1:  # a handler's statement: one learner
                cursor.execute(sql, updates[0])
            else:
                cursor.executemany(sql, updates)


def summarize(statements: Sequence, facts: Iterable | None = None, *, totals: bool = True) -> None:
    """Add stored statements to the summaries, in the caller's transaction: THE function every writer calls.

    ``facts``: their ``StatementFact`` rows (or anything with ``statement_id``, ``kind``, ``key``, ``value``).
    ``totals``: also add them to the learners' all-time totals (:func:`rebuild` computes those once at its end instead).
    """
    by_statement: dict = {}
    for fact in facts or ():
        by_statement.setdefault(str(fact.statement_id), []).append((fact.kind, fact.key, fact.value))
    tables = fold(statements, lambda s: by_statement.get(str(s.pk), []))
    stored = upsert(tables)
    if totals:
        add_totals(tables, stored)


def rebuild(deployment_ids: Iterable[int] | None = None, chunk: int = 20_000) -> int:
    """Recompute the summaries of some deployments (all when None) from their statements and facts; how many statements were read.

    For the data stored before the summaries existed, and as the operator's repair (``manage.py ldai_rebuild_summaries``).
    Reads the statements in chunks of learners' rows and merges with the same rules as the writers.
    """
    from ..models import Statement, StatementFact

    statements = Statement.objects.filter(is_instructor=False, deployment__isnull=False)
    if deployment_ids is not None:
        statements = statements.filter(deployment_id__in=list(deployment_ids))
    targets = {"deployment_id__in": list(deployment_ids)} if deployment_ids is not None else {}
    columns = ("pk", "deployment_id", "context_id", "activity", "action", "actor", "job_family", "team", "is_instructor", "score", "success", "timestamp")
    read = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":  # statements just loaded (a restore, a bulk import): plan the reads below on real counts
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Statement._meta.db_table}, {StatementFact._meta.db_table}")
        for model in _MODELS.values():
            model.objects.filter(**targets).delete()
        batch: list = []
        # In learners' order: a batch then holds whole learners, folded in Python into few rows, inserted rather than merged.
        for row in statements.order_by("deployment_id", "context_id", "actor", "timestamp", "pk").values_list(*columns).iterator(chunk_size=chunk):
            batch.append(_Stored(*row))
            if len(batch) >= chunk:
                read += _rebuild_batch(batch, StatementFact)
                batch = []
        read += _rebuild_batch(batch, StatementFact)
        rebuild_totals(deployment_ids)
    return read


def rebuild_totals(deployment_ids: Iterable[int] | None = None) -> None:
    """Every learner's all-time totals from their day rows (one pass over the day tables, not a merge per batch of statements)."""
    scope = {"deployment_id__in": list(deployment_ids)} if deployment_ids is not None else {}
    activity_keys, fact_keys = _KEYS["activity"], _KEYS["fact"]
    activity_columns, fact_columns = list(_MERGE_SQL["activity"]), list(_MERGE_SQL["fact"])

    def rows(model, keys, columns):
        width = len(keys)
        for values in model.objects.filter(**scope).values_list(*keys, *columns).iterator(chunk_size=20_000):
            yield values[:width], dict(zip(columns, values[width:], strict=True))

    contributions = learner_totals.contribution(rows(LearnerActivityDay, activity_keys, activity_columns), rows(LearnerFactDay, fact_keys, fact_columns))
    _write_totals(contributions)


def _rebuild_batch(batch: list, fact_model) -> int:
    if batch:
        facts = fact_model.objects.filter(statement_id__in=[s.pk for s in batch]).values_list("statement_id", "kind", "key", "value")
        summarize(batch, [_Fact(*f) for f in facts], totals=False)
    return len(batch)


class _Stored:
    """A statement's columns as ``rebuild`` reads them (no body: the summaries need none)."""

    __slots__ = ("pk", "deployment_id", "context_id", "activity", "action", "actor", "job_family", "team", "is_instructor", "score", "success",
                 "timestamp")

    def __init__(self, *values) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


class _Fact:
    __slots__ = ("statement_id", "kind", "key", "value")

    def __init__(self, *values) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)
