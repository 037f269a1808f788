"""The demo's front page: every activity with its default content, as a learner and as an author.

The blocks run in xblock-sdk's workbench, inside this same site (one server, one
command): state goes to the SQLite database, the language follows ``?lang=`` (kept
in Django's language cookie) and the blocks' ``auto`` pack follows the language.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from ldai_xblocks.content import pack_stats
from ldai_xblocks.i18n import N_, SUPPORTED_LANGUAGES, normalize_language
from lti_tool.lti.pages import render

ACTIVITIES = (
    ("ldai_risk_quiz", N_("Risk-awareness quiz"), N_("Workplace scenarios on hallucinations, bias, data protection, ethics, environmental footprint and your company's AI charter; feedback on every choice and a profile by category."), "risk_quiz", "questions"),
    ("ldai_hallucination_detector", N_("Hallucination detector"), N_("Read an AI-generated text, flag the invented facts, and learn why each one is wrong."), "hallucination_detector", "items"),
    ("ldai_prompt_sandbox", N_("Prompt sandbox"), N_("Write a prompt for a real task of your job and get precise feedback, with a warning when it would leak confidential data."), "prompt_sandbox", "scenarios"),
)


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
    language = normalize_language(getattr(request, "LANGUAGE_CODE", None) or translation.get_language())
    stats = pack_stats()
    activities = []
    for block_type, name, summary, kind, unit in ACTIVITIES:
        activities.append({
            "block_type": block_type,
            "name": name,
            "summary": summary,
            "counts": {lang: stats[kind][lang][unit] for lang in SUPPORTED_LANGUAGES},
            "unit": unit,
            "learner_url": f"/workbench/scenario/{block_type}.0/?lang={language}",
            "author_url": f"/workbench/scenario/{block_type}.0/studio_view/?lang={language}",
        })
    return render("demo_index.html", {"activities": activities, "languages": SUPPORTED_LANGUAGES, "current": language}, language)


def prepare() -> None:
    """Nothing to seed: default content ships in the package and the workbench creates state on first use."""
