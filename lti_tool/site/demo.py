"""The demo's site-level parts: ``?lang=`` switching, the developers' index of the workbench, the set-up at start.

The demo itself (front page, persona launches, reset) is ``lti_tool.pages.demo``: it runs
the blocks through the tool's own runtime, as an LTI launch does. This page is for
developers: every activity in xblock-sdk's workbench (learner and Studio views), whose
state lives in the same SQLite database. The language follows ``?lang=`` (kept in
Django's language cookie) and the blocks' ``auto`` pack follows the language.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from ldai_xblocks.i18n import SUPPORTED_LANGUAGES, normalize_language
from lti_tool.lti.demo_platform import demo_enabled
from lti_tool.lti.pages import render
from lti_tool.pages import demo as persona_demo


class QueryLanguageMiddleware:
    """``?lang=fr`` switches the demo to French and remembers it in Django's language cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wanted = request.GET.get("lang")
        if wanted:
            language = normalize_language(wanted)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if wanted:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 24 * 3600)
        return response


def index(request: HttpRequest) -> HttpResponse:
    """Every activity in the workbench, as a learner and in its Studio view (the developers' page)."""
    language = persona_demo.reader_language(request)
    activities = persona_demo.activity_cards(language, lambda item: {
        "learner_url": f"/workbench/scenario/{item.block_type}.0/?lang={language}",
        "author_url": f"/workbench/scenario/{item.block_type}.0/studio_view/?lang={language}",
    })
    return render("demo_index.html", {"activities": activities, "languages": SUPPORTED_LANGUAGES, "current": language}, language)


def prepare() -> None:
    """At ``ldai serve``: the demo's built-in platform exists (switched off for real launches) when the demo is on."""
    if demo_enabled():
        persona_demo.demo_deployment()
