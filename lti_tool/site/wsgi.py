"""WSGI entry point (gunicorn lti_tool.site.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lti_tool.site.settings")
application = get_wsgi_application()
