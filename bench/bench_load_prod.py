"""``load_prod_*`` and ``scale_web_workers``: bench/bench_load.py's production profile, as a module of its own.

Why a module of its own: ``bench/run.py`` runs each ``bench_*.py`` in a child process with its own
time budget, and this profile (300 learners for 120 s on 4 gunicorn workers + Celery on PostgreSQL
+ Redis, the anchor, the scale curve) needs about nine minutes (544 s measured) where issue 7's profile needs three.
The machinery lives beside issue 7's in ``bench/bench_load.py``; ``python bench/bench_load.py
--profile prod`` runs it alone, ``LDAI_LOAD_PROD_SHORT=1`` smaller and shorter.
"""

from __future__ import annotations

from bench.bench_load import run_prod_figures


def run() -> list[dict]:
    return run_prod_figures()
