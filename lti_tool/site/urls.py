"""URLs of the tool site: the demo index, the workbench that hosts the blocks in the demo, the LTI tool, the admin."""

from django.contrib import admin
from django.urls import include, path
from workbench import urls as workbench_urls

from . import demo, health

# The workbench's own URL list also mounts the admin; ours is mounted once, below.
WORKBENCH_PATTERNS = [p for p in workbench_urls.urlpatterns if "admin" not in str(getattr(p, "pattern", ""))]

urlpatterns = [
    path("", demo.index, name="demo-index"),
    path("workbench/", include(WORKBENCH_PATTERNS)),
    path("lti/", include("lti_tool.urls")),
    path("admin/", admin.site.urls),
    # For load balancers and operators (docs/deployment.rst): no secrets, a few milliseconds.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
