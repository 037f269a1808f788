"""URLs of the tool site: the demo index, the workbench that hosts the blocks in the demo, the LTI tool, the admin."""

from django.contrib import admin
from django.urls import include, path

from . import demo

urlpatterns = [
    path("", demo.index, name="demo-index"),
    path("workbench/", include("workbench.urls")),
    path("lti/", include("lti_tool.urls")),
    path("admin/", admin.site.urls),
]
