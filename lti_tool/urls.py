"""URLs of the LTI tool, mounted under /lti/ by the site."""

from django.urls import include, path

from . import deep_linking, registration, views

app_name = "lti_tool"
urlpatterns: list = [
    # LTI-A: registration, OIDC login, launch, keys, deep linking
    path("login/", views.login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("jwks/", views.jwks, name="jwks"),
    path("config/", views.config, name="config"),
    path("register/", registration.register, name="register"),
    path("deep-link/", deep_linking.submit, name="deep_link"),
    # LTI-B: the XBlock runtime (handlers behind the launch session, activity pages, results, static files)
    path("", include("lti_tool.runtime_urls")),
]
