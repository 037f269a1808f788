"""URLs of the badge room, mounted under /lti/badges/ (public documents, the verification page, the learner's badge)."""

from django.urls import path

from . import views

app_name = "badges"
urlpatterns = [
    path("issuer/", views.issuer_profile, name="issuer"),
    path("jwks/", views.jwks, name="jwks"),
    path("revocations/", views.revocations, name="revocations"),
    path("verify/", views.verify_page, name="verify"),
    path("mine/<str:key>/", views.badge_page, name="mine"),
    path("mine/<str:key>/<str:filename>", views.badge_file, name="file"),
]
