"""A variant of the load test's settings, NOT what ships: SQLite with IMMEDIATE transactions and WAL.

Why it exists: with 2 gunicorn workers on the shipped SQLite settings, concurrent launches
and submits fail with "database is locked" (a deferred transaction that read first cannot
take the write lock and SQLite refuses at once rather than deadlock). Django 5.1+ offers
``transaction_mode="IMMEDIATE"`` for exactly this; WAL lets readers run beside the writer.
Run the same load on it to compare with the shipped configuration:

    LDAI_LOAD_SETTINGS=bench.load_settings_immediate python bench/run.py --only bench_load
"""

from bench.load_settings import *  # noqa: F403 - the load test's site, then the SQLite options below
from bench.load_settings import DATABASES

DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"].get("OPTIONS", {}),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
