"""The benchmark's URLconf: the real tool site, plus the anchor tool under /baseline/."""

from django.urls import path

from lti_tool.site.urls import urlpatterns as site_patterns

from . import views

urlpatterns = [
    path("baseline/login/", views.login, name="baseline-login"),
    path("baseline/launch/", views.launch, name="baseline-launch"),
    path("baseline/jwks/", views.get_jwks, name="baseline-jwks"),
    *site_patterns,
]
