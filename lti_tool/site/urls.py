"""URLs of the tool site: the LTI tool, the admin, the workbench for developers, and the demo when it is on."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from workbench import urls as workbench_urls

from . import demo, health

# The workbench's own URL list also mounts the admin; ours is mounted once, below.
WORKBENCH_PATTERNS = [p for p in workbench_urls.urlpatterns if "admin" not in str(getattr(p, "pattern", ""))]

urlpatterns = [
    path("workbench/", include(WORKBENCH_PATTERNS)),
    path("lti/", include("lti_tool.urls")),
    path("admin/", admin.site.urls),
    # For load balancers and operators (docs/deployment.rst): no secrets, a few milliseconds.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

# The demo for the three personas (lti_tool/pages/demo.py): its front page, the persona launches, the reset,
# and the developers' index of the blocks in the workbench. Only when the demo is on (LDAI_DEMO, set by `make demo`).
if getattr(settings, "LDAI_DEMO", False):
    urlpatterns += [
        path("", include("lti_tool.pages.demo")),
        path("developers/", demo.index, name="demo-developers"),
    ]
