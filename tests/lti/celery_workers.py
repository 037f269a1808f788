"""Real Celery worker and beat processes for tests on the PostgreSQL + Redis pass.

The processes run ``celery -A lti_tool.celery_app`` exactly as docs/deployment.rst tells an
operator to, against the test database (committed rows: the tests use ``transaction=True``)
and a broker database of the private Redis (tests/services.py). Only their clocks are faster
(tests/celery_worker_settings.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import services

ROOT = Path(__file__).resolve().parents[2]


def require_services() -> None:
    if services.selected_backend() != "postgres":
        pytest.skip("needs PostgreSQL + Redis: runs in the second pass of `make test` (LDAI_TEST_BACKEND=postgres)")


def worker_environment(broker_db: int = 2) -> dict[str, str]:
    """What the processes need to reach the test database, the test cache and a broker of their own."""
    from django.db import connection

    settings_dict = connection.settings_dict
    database_url = (f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD']}@{settings_dict['HOST']}:"
                    f"{settings_dict['PORT']}/{settings_dict['NAME']}")
    redis_url = os.environ["REDIS_URL"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.celery_worker_settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_url.rsplit("/", 1)[0] + f"/{broker_db}",
        "PYTHONPATH": str(ROOT),
    }


@contextmanager
def celery_processes(log_dir: Path, *, workers: int, beat: bool = True, broker_db: int = 2):
    """Start ``workers`` worker processes (one task at a time each) and a beat; point this process's
    Celery app at the same broker (tasks enqueued on commit go to them); stop everything after."""
    from lti_tool.celery_app import app
    from lti_tool.grades.sender import in_process

    env = worker_environment(broker_db)
    in_process.stop()  # a sender thread left by an earlier test of this process would compete with the workers
    previous = point_app_at(env["CELERY_BROKER_URL"])
    base = [sys.executable, "-m", "celery", "-A", "lti_tool.celery_app"]
    commands = {
        f"worker{number}": [*base, "worker", "--pool=solo", "-n", f"w{number}@ldai-test", "--without-gossip",
                            "--without-mingle", "--without-heartbeat", "-l", "INFO"]
        for number in range(workers)
    }
    if beat:
        commands["beat"] = [*base, "beat", "-s", str(log_dir / "beat-schedule"), "-l", "INFO"]
    processes: list[subprocess.Popen] = []
    try:
        for name, command in commands.items():
            with open(log_dir / f"{name}.log", "w") as log:  # the child keeps its own copy of the descriptor
                processes.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
        yield processes
    finally:
        for process in processes:
            process.terminate()
        deadline = time.monotonic() + 20
        for process in processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with app.connection_for_write() as connection:
            connection.default_channel.client.flushdb()  # no task of this test is left for a later one
        point_app_at(**previous)


def point_app_at(broker_url: str, task_always_eager: bool = False) -> dict:
    """Send this process's tasks to ``broker_url`` (eager: run them here); returns the previous setting.

    The app keeps a connection pool and a producer pool bound to the broker it first used: they
    are dropped too (as Celery does after a fork), or tasks would still go to the old broker."""
    from lti_tool.celery_app import app

    previous = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=broker_url, task_always_eager=task_always_eager)
    if app._pool is not None:
        app._pool.force_close_all()
    app._after_fork()
    return previous


def worker_logs(log_dir: Path) -> str:
    return "\n".join(f"--- {path.name}\n{path.read_text()[-3000:]}" for path in sorted(log_dir.glob("*.log")))
