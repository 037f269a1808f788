"""The LMS plugin app (``lms.djangoapp`` entry point): registers our xAPI transformers when
event-routing-backends is installed, so our events reach Aspects or any LRS the platform already routes to.
"""

from __future__ import annotations

import importlib.util

from django.apps import AppConfig


class LdaiOpenedxConfig(AppConfig):
    name = "ldai_xblocks.openedx"
    label = "ldai_xblocks_openedx"
    verbose_name = "ldai-xblocks (Open edX integration)"
    # edx-django-utils' plugin loader adds the app to INSTALLED_APPS and runs settings.plugin_settings.
    plugin_app: dict = {"settings_config": {"lms.djangoapp": {"common": {"relative_path": "settings"}}}}

    def ready(self) -> None:
        if importlib.util.find_spec("event_routing_backends") is not None:
            from . import event_routing  # noqa: F401  (registers the transformers on import)
