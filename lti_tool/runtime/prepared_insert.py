"""One model row INSERTed with SQL written once per model and database, for the launch path.

Why: the launch records one xAPI statement ("launched", the dashboard's funnel). Django's
``create``/``bulk_create`` rebuild the INSERT's SQL for every row; on the launch path that cost
more than the INSERT itself (bench/bench_lti.py profile: ~0.35 ms of Python for a ~0.05 ms
statement on SQLite). Values still go through each field's own ``pre_save`` and
``get_db_prep_save``, exactly what the ORM sends (JSON, UUID, time zone handling), so the
row is the same on SQLite and PostgreSQL. No signal is sent: use it only for models nothing
listens to (``Statement``).
"""

from __future__ import annotations

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
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in model._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(model, alias, connection.vendor), values)
    obj._state.adding, obj._state.db = False, alias
    return obj
