"""``/healthz`` and ``/readyz``: what a load balancer and an operator ask the tool, cheaply and without secrets.

- ``/healthz`` (liveness and a dashboard's view): the database answers (else 503), and how the
  cache, the broker and the grade queue are doing (``status`` "ok", or "degraded" with the
  failing checks named). A degraded tool still serves launches, so the balancer keeps it.
- ``/readyz`` (readiness: send traffic here?): 200 only when the database, the cache and the
  broker (when one is configured) all answer and every migration is applied; else 503. A new
  release behind a rolling upgrade reports not-ready until ``ldai`` has migrated the database.

Each check is a single round trip with a short timeout; nothing names a host, a user or a
password (the answers are anonymous: a URL of the tool is an attack surface).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lti_tool.celery_app import app as celery_app
from lti_tool.celery_app import tasks_run_in_workers
from lti_tool.grades import scheduling
from lti_tool.models import GradeOutbox

TIMEOUT_SECONDS = 2.0
_migrated = False  # once true in a process, it stays true (migrations do not un-apply themselves)


def _timed(check: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = {"ok": True, **(check() or {})}
    except Exception as error:  # the check's failure is the answer; its message may hold a host name: only the type
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> dict[str, Any]:
    key = "ldai:healthz"
    value = str(time.time())
    cache.set(key, value, 30)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return what was written")
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _broker() -> dict[str, Any]:
    if not tasks_run_in_workers():
        return {"mode": "in-process"}  # no broker configured: tasks run in the web process (the demo)
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=TIMEOUT_SECONDS)
    return {"mode": "workers"}


def _grades() -> dict[str, Any]:
    """The outbox: rows due now, how late the oldest is (late beyond LDAI_HEALTH_MAX_GRADE_LAG = not ok), rows that need a person."""
    lag = scheduling.queue_lag_seconds()
    return {
        "ok": lag <= float(getattr(settings, "LDAI_HEALTH_MAX_GRADE_LAG", 900)),
        "due": scheduling.due(timezone.now()).count(),
        "lag_seconds": round(lag, 1),
        "failed": GradeOutbox.objects.filter(status=GradeOutbox.Status.FAILED).count(),
    }


def _migrations_applied() -> bool:
    global _migrated
    if not _migrated:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


def _answer(payload: dict[str, Any], status: int) -> JsonResponse:
    response = JsonResponse(payload, status=status)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _timed(_database)}
    if not checks["database"]["ok"]:
        return _answer({"status": "fail", "checks": checks}, 503)
    checks["cache"] = _timed(_cache)
    checks["broker"] = _timed(_broker)
    checks["grades"] = _timed(_grades)
    failing = sorted(name for name, check in checks.items() if not check["ok"])
    return _answer({"status": "degraded" if failing else "ok", "failing": failing, "checks": checks}, 200)


@never_cache
@require_GET
def readyz(request):
    checks = {"database": _timed(_database), "cache": _timed(_cache), "broker": _timed(_broker)}
    if checks["database"]["ok"]:
        try:
            checks["migrations"] = {"ok": _migrations_applied()}
        except DatabaseError as error:
            checks["migrations"] = {"ok": False, "error": type(error).__name__}
    ready = all(check["ok"] for check in checks.values())
    return _answer({"status": "ready" if ready else "not-ready", "checks": checks}, 200 if ready else 503)
