"""The tool site's URLs with the demo on (LDAI_DEMO): the workbench is mounted, as `make demo` serves it."""

from lti_tool.site.urls import build_urlpatterns

urlpatterns = build_urlpatterns(True)
