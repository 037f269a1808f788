"""The LTI 1.3 tool: lets Moodle, Canvas or any LTI 1.3 platform launch the ldai activities and get grades back."""

# The Celery app is loaded with Django so that tasks enqueued by the web process use its configuration.
from .celery_app import app as celery_app

__all__ = ["celery_app"]
