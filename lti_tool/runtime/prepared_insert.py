"""Model rows INSERTed with SQL written once per model and database: the launch path's one row, and ingest's new rows.

Why: the launch records one xAPI statement ("launched", the dashboard's funnel). Django's
``create``/``bulk_create`` rebuild the INSERT's SQL for every row; on the launch path that cost
more than the INSERT itself (bench/bench_lti.py profile: ~0.35 ms of Python for a ~0.05 ms
statement on SQLite). Values still go through each field's own ``pre_save`` and
``get_db_prep_save``, exactly what the ORM sends (JSON, UUID, time zone handling), so the
row is the same on SQLite and PostgreSQL. No signal is sent: use it only for models nothing
listens to (``Statement``).

:func:`insert_new` answers a question ``bulk_create(ignore_conflicts=True)`` cannot: WHICH rows were
inserted. Two requests routing the same new statement at once both find it missing, both insert it; the
database keeps one, and only the request whose row it kept may summarise it (else the dashboard counts it
twice). ``INSERT ... ON CONFLICT (pk) DO NOTHING RETURNING pk`` says it, on PostgreSQL and on SQLite
>= 3.35 alike (Django's ``bulk_create`` does not ask for RETURNING when it ignores conflicts).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from django.db import connections, router
from django.db.models import Model


@lru_cache(maxsize=16)
def _insert_sql(model: type[Model], alias: str, vendor: str) -> str:
    quote = connections[alias].ops.quote_name
    fields = model._meta.concrete_fields
    columns = ", ".join(quote(f.column) for f in fields)
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"


def insert_one(obj: Model) -> Model:
    """INSERT ``obj`` (its primary key already set, as a UUID default does) and mark it saved."""
    model = type(obj)
    if obj.pk is None:
        raise ValueError(f"{model.__name__}: insert_one needs the primary key set before the INSERT")
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(model, alias, connection.vendor), _values(obj, model._meta.concrete_fields, connection))
    _mark_saved(obj, alias)
    return obj


def insert_new(objs: Sequence[Model], batch: int = 200) -> list[Model]:
    """INSERT the rows whose primary key is not stored yet; the rows the database really inserted, in ``objs`` order.

    A row whose key another transaction holds (committed, or committed while this one waited on the key's
    index entry) is skipped and left out of the answer. ``batch`` rows per statement keep the parameters
    under SQLite's limit (about 20 columns per row).
    """
    if not objs:
        return []
    model = type(objs[0])
    if any(type(obj) is not model or obj.pk is None for obj in objs):
        raise ValueError(f"{model.__name__}: insert_new needs rows of one model, each with its primary key set")
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = model._meta.concrete_fields
    pk_field = model._meta.pk
    inserted: set = set()
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start:start + batch]
            values = [value for obj in chunk for value in _values(obj, fields, connection)]
            cursor.execute(_insert_new_sql(model, alias, connection.vendor, len(chunk)), values)
            inserted.update(pk_field.to_python(row[0]) for row in cursor.fetchall())
    kept = [obj for obj in objs if pk_field.to_python(obj.pk) in inserted]
    for obj in kept:
        _mark_saved(obj, alias)
    return kept


def _values(obj: Model, fields, connection) -> list:
    """The row's values as the ORM sends them: each field's ``pre_save`` then ``get_db_prep_save``."""
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def _mark_saved(obj: Model, alias: str) -> None:
    obj._state.adding, obj._state.db = False, alias


@lru_cache(maxsize=16)
def _insert_new_sql(model: type[Model], alias: str, vendor: str, rows: int) -> str:
    quote = connections[alias].ops.quote_name
    row = f"({', '.join(['%s'] * len(model._meta.concrete_fields))})"
    pk = quote(model._meta.pk.column)
    return (f"{_insert_sql(model, alias, vendor).partition(' VALUES ')[0]} VALUES {', '.join([row] * rows)}"
            f" ON CONFLICT ({pk}) DO NOTHING RETURNING {pk}")
