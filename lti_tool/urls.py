"""URLs of the LTI tool, mounted under /lti/ by the site: one list, grouped by the room that serves them."""

from django.urls import include, path

from .lti import deep_linking, registration
from .lti import views as lti_views
from .pages import activity, results, skills_cohort
from .runtime import views as runtime_views

app_name = "lti_tool"
urlpatterns: list = [
    # lti/: registration, OIDC login, launch, keys, deep linking. A validated resource launch is handed to
    # the activity page named here, so the protocol room never imports the pages above it.
    path("login/", lti_views.login, name="login"),
    path("launch/", lti_views.launch, {"resource_launch": "lti_tool.pages.activity.launch_response"}, name="launch"),
    path("jwks/", lti_views.jwks, name="jwks"),
    path("config/", lti_views.config, name="config"),
    path("register/", registration.register, name="register"),
    path("register/<str:link>/", registration.register, name="register-link"),
    path("deep-link/", deep_linking.submit, name="deep_link"),
    # runtime/: XBlock handlers behind the launch session, and the shared static files
    path("handler/<str:token>/", runtime_views.handler_base, name="handler-base"),
    path("handler/<str:token>/<str:handler>/", runtime_views.handler, name="handler"),
    path("handler/<str:token>/<str:handler>/<path:suffix>", runtime_views.handler, name="handler-suffix"),
    path("assets/<str:root>/<path:path>", runtime_views.asset, name="asset"),
    # pages/: the activity page and its results export
    path("activity/<str:token>/", activity.activity_page, name="activity"),
    path("results/<str:token>/results.csv", results.results_csv, name="results-csv"),
    path("results/<str:token>/resend/", results.resend_refused, name="results-resend"),
    path("results/<str:token>/skills-cohort.csv", skills_cohort.cohort_csv, name="skills-cohort-csv"),
    # badges/: the Open Badges issuer (profile, keys, revocation list), verification, the learner's badge
    path("badges/", include("lti_tool.badges.urls")),
]
