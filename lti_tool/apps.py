from django.apps import AppConfig


class LtiToolConfig(AppConfig):
    name = "lti_tool"
    verbose_name = "LTI 1.3 tool"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The registration cache listens to saves of platforms and deployments (lti_tool.lti.registry).
        from .lti import registry  # noqa: F401

        # The operator's safety checks (data directory, workers and cache, production settings): lti_tool.site.checks.
        from .site import checks  # noqa: F401
