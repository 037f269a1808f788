"""The tool's Celery application: background work in worker processes, or in-process in the demo.

Why Celery: with several web processes on several machines, work that waits on someone
else (a platform's gradebook, an LLM) must leave the web workers free and survive a
restart; Celery with Redis as the broker is what Open edX itself runs, so operators know it.

Configuration comes from Django's settings (``CELERY_*``, see lti_tool/site/settings.py):
without ``CELERY_BROKER_URL`` tasks run eagerly in the calling process (``make demo``
needs nothing); with it, ``celery -A lti_tool.celery_app worker`` runs them and
``celery -A lti_tool.celery_app beat`` runs the periodic sweep. docs/deployment.rst.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lti_tool.site.settings")

app = Celery("ldai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["lti_tool"])  # lti_tool.tasks


def tasks_run_in_workers() -> bool:
    """True when a broker is configured: tasks go to worker processes instead of running here."""
    return not app.conf.task_always_eager
