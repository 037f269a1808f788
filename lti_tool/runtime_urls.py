"""URLs of the tool's XBlock runtime (LTI-B), included by ``lti_tool.urls`` under the ``lti_tool`` namespace."""

from django.urls import path

from . import activity, runtime_views

urlpatterns = [
    path("handler/<str:token>/", runtime_views.handler_base, name="handler-base"),
    path("handler/<str:token>/<str:handler>/", runtime_views.handler, name="handler"),
    path("handler/<str:token>/<str:handler>/<path:suffix>", runtime_views.handler, name="handler-suffix"),
    path("activity/<str:token>/", activity.activity_page, name="activity"),
    path("results/<str:token>/results.csv", activity.results_csv, name="results-csv"),
    path("assets/<str:root>/<path:path>", runtime_views.asset, name="asset"),
]
