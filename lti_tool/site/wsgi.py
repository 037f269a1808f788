"""WSGI entry point (gunicorn lti_tool.site.wsgi): refuses to start with a data directory or a cache that loses data."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lti_tool.site.settings")
application = get_wsgi_application()

from lti_tool.site.checks import refuse_unsafe_start  # noqa: E402  (needs the apps loaded above)

refuse_unsafe_start()
