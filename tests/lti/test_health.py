"""``/healthz`` and ``/readyz`` answer what a load balancer needs, name no secret, and say what fails.

Runs on both passes (SQLite + in-process cache; PostgreSQL + Redis). The broker checks use the
private Redis of the second pass as a real broker, then a closed port as a dead one.
"""

from __future__ import annotations

import json
import logging
import os
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from lti_tool.models import GradeOutbox
from lti_tool.site.logs import JsonFormatter
from tests import services
from tests.lti.celery_workers import point_app_at, require_services
from tests.lti.runtime_fixtures import queue

pytest_plugins = ["tests.lti.runtime_fixtures"]


def secrets_in(body: str) -> list[str]:
    values = [django_settings.SECRET_KEY, django_settings.DATABASES["default"].get("PASSWORD") or "",
              os.environ.get("REDIS_URL", ""), os.environ.get("DATABASE_URL", "")]
    return [v for v in values if v and v in body]


@pytest.mark.django_db
def test_healthz_reports_every_check_without_secrets(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "broker", "grades"}
    assert body["checks"]["broker"]["mode"] == "in-process"
    assert body["checks"]["grades"] == {**body["checks"]["grades"], "ok": True, "due": 0, "failed": 0}
    if services.selected_backend() == "postgres":
        assert body["checks"]["cache"]["backend"] == "RedisCache"
    assert secrets_in(response.content.decode()) == []


@pytest.mark.django_db
def test_readyz_is_ready_once_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "ready"
    assert response.json()["checks"]["migrations"] == {"ok": True}
    assert client.post("/readyz").status_code == 405


def test_a_late_grade_queue_degrades_health_but_keeps_the_tool_in_service(client, link, settings):
    settings.LDAI_HEALTH_MAX_GRADE_LAG = 60
    row = queue(link, user="learner-late")
    GradeOutbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "degraded" and body["failing"] == ["grades"]
    assert body["checks"]["grades"]["due"] == 1 and body["checks"]["grades"]["lag_seconds"] >= 300


@contextmanager
def broker_at(url: str):
    """Point this process's Celery app at ``url`` (a real Redis, or a closed port) for one test."""
    previous = point_app_at(url)
    try:
        yield
    finally:
        point_app_at(**previous)


@pytest.mark.django_db
def test_a_reachable_broker_is_reported(client):
    require_services()
    with broker_at(os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/4"):
        checks = client.get("/readyz").json()["checks"]
    assert checks["broker"]["ok"] and checks["broker"]["mode"] == "workers"


@pytest.mark.django_db
def test_a_dead_broker_makes_the_tool_not_ready_and_names_it(client):
    with broker_at(f"redis://127.0.0.1:{services.free_port()}/0"):
        response = client.get("/readyz")
        health = client.get("/healthz").json()
    assert response.status_code == 503 and response.json()["checks"]["broker"]["ok"] is False
    assert health["status"] == "degraded" and "broker" in health["failing"]
    assert "127.0.0.1" not in response.content.decode()  # the error names its type, never the address


def test_json_log_lines_carry_the_fields_a_collector_filters_on():
    record = logging.LogRecord("ldai.lti.grades", logging.WARNING, __file__, 1, "grade %s late: %s", (7, "é 🚀"), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["logger"] == "ldai.lti.grades" and line["message"] == "grade 7 late: é 🚀"
    assert line["time"].endswith("+00:00")
