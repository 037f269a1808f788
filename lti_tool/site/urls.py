"""URLs of the tool site: the LTI tool and the admin; the demo and xblock-sdk's workbench only when the demo is on.

Why the demo is not mounted in production: the workbench runs any block handler as
any ``?student=`` (``studio_submit`` included, and the prompt sandbox with the
operator's LLM key) without a login. ``LDAI_DEMO`` (``make demo``, ``ldai serve --demo``)
mounts the persona demo (lti_tool/pages/demo.py: front page, persona
launches, reset), the developers' index and the workbench; otherwise none of them exists.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import health


def build_urlpatterns(demo: bool) -> list:
    patterns = [
        path("lti/", include("lti_tool.urls")),
        path("admin/", admin.site.urls),
        # For load balancers and operators (docs/deployment.rst): no secrets, a few milliseconds.
        path("healthz", health.healthz, name="healthz"),
        path("readyz", health.readyz, name="readyz"),
    ]
    if not demo:
        return patterns
    from workbench import urls as workbench_urls

    from . import demo as developers

    # The workbench's own URL list also mounts the admin; ours is mounted once.
    workbench = [p for p in workbench_urls.urlpatterns if "admin" not in str(getattr(p, "pattern", ""))]
    return [
        path("workbench/", include(workbench)),
        *patterns,
        path("", include("lti_tool.pages.demo")),
        path("developers/", developers.index, name="demo-developers"),
    ]


urlpatterns = build_urlpatterns(getattr(settings, "LDAI_DEMO", False))
