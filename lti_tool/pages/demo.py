"""The persona demo: every activity played as learner A, learner B or the instructor.

The hallucination hunt adds learners C to F, A's and B's teammates in its team season
(``pages.demo_season``), so two teams are on its leaderboard before anyone plays.

Why through the tool's own runtime rather than xblock-sdk's workbench: a learning manager
must see what their learners and instructors will see in Moodle or Canvas, not a developer
page. A persona link builds the launch a platform would send (the same claims, read by
the same ``launch_context.build``), then opens the page a real launch opens
(``activity.start_session`` then the activity page): learners get the learner view, the
instructor the authoring view with the results table, the CSV export and a learner preview.

What keeps the demo apart from real courses (``lti_tool.lti.demo_platform``): it owns a
built-in platform and deployment, created on first use, kept switched off so no real
login or launch can use them, and recognised by a reserved ``.invalid`` issuer. Each
language is its own demo course (a course has one language), each activity one resource
link in it. Grades go to the outbox like real ones; the sender marks the demo's delivered
without sending them anywhere. "Reset the demo" deletes the demo's links, learners' state
and outbox rows, and nothing else.

Mounted only when the demo is on (``settings.LDAI_DEMO``; see ``lti_tool/site/urls.py``).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.urls import path, reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from ldai_xblocks.content import pack_stats
from ldai_xblocks.i18n import N_, SUPPORTED_LANGUAGES, gettext_for, normalize_language

from ..badges.demo import demo_custom
from ..lti import claims as c
from ..lti import launch_context
from ..lti.demo_platform import DEMO_CLIENT_ID, DEMO_DEPLOYMENT_ID, DEMO_ISSUER
from ..lti.pages import render
from ..models import Deployment, GradeOutbox, LearnerState, Platform, ResourceLinkConfig
from ..runtime.session import RuntimeSession
from ..runtime.xblock_runtime import BLOCK_TYPES, asset_url
from . import activity, demo_season

log = logging.getLogger("ldai.demo")

LANGUAGE_NAMES = {"en": "English", "fr": "Français"}


# ------------------------------------------------------------------------------------------ personas


@dataclass(frozen=True)
class Persona:
    slug: str
    user_sub: str
    name: str
    roles: tuple[str, ...]
    sees: str
    teammate: bool = False  # only in the hunt's team season (demo_season), kept off the other activities' links

    @property
    def is_instructor(self) -> bool:
        return c.ROLE_CONTEXT_INSTRUCTOR in self.roles

    @property
    def email(self) -> str:
        return demo_season.persona_email(self.slug)

    def offered_on(self, block_type: str) -> bool:
        return not self.teammate or block_type == demo_season.TEAM_BLOCK


TEAMMATES_SEE = N_("Teammates of learners A and B in the hallucination hunt's team season (North team: A, C, E; South team: B, D, F). "
                   "They have already played, so both teams are on the leaderboard before you play; Camille and Dominique agreed to be named.")


PERSONAS = (
    Persona("learner-a", "ldai-demo-learner-a", N_("Learner A"), (c.ROLE_CONTEXT_LEARNER,),
            N_("Sees the activity exactly as a learner of a Moodle or Canvas course does, with feedback and a grade. "
               "Try this one from the keyboard only: every step can be done without a mouse.")),
    Persona("learner-b", "ldai-demo-learner-b", N_("Learner B"), (c.ROLE_CONTEXT_LEARNER,),
            N_("A second learner with their own answers and grade, so the instructor's table has more than one row. "
               "What one learner does never shows in the other's view.")),
    Persona("instructor", "ldai-demo-instructor", N_("Instructor"), (c.ROLE_CONTEXT_INSTRUCTOR,),
            N_("Sees the activity's settings (the same editor as in Open edX Studio) and the results of the course's learners, "
               "with a CSV export. Their own tries in the learner preview are kept out of the results.")),
    *(Persona(f"learner-{letter}", f"ldai-demo-learner-{letter}", name, (c.ROLE_CONTEXT_LEARNER,), TEAMMATES_SEE, teammate=True)
      for letter, name in (("c", N_("Learner C")), ("d", N_("Learner D")), ("e", N_("Learner E")), ("f", N_("Learner F")))),
)
PERSONA_BY_SLUG = {p.slug: p for p in PERSONAS}


# ------------------------------------------------------------------------------------------ activities

# Names and summaries of the activities we know; an activity registered later is listed anyway,
# named from its block class until its line is added here.
DESCRIPTIONS = {
    "ldai_risk_quiz": (N_("Risk-awareness quiz"), N_("Workplace scenarios on hallucinations, bias, data protection, ethics, environmental footprint and your company's AI charter; feedback on every choice and a profile by category.")),
    "ldai_hallucination_detector": (N_("Hallucination detector"), N_("Read an AI-generated text, flag the invented facts, and learn why each one is wrong.")),
    "ldai_prompt_sandbox": (N_("Prompt sandbox"), N_("Write a prompt for a real task of your job and get precise feedback, with a warning when it would leak confidential data.")),
    "ldai_skills_map": (N_("AI skills map"), N_("Choose your job family, assess yourself, and see the AI skills your job needs against what your results in the other activities show, with three priorities.")),
    "ldai_charter": (N_("Company AI charter"), N_("Read your company's AI charter section by section, answer a few questions on situations at work, and accept it; a new version asks again and shows what changed.")),
    "ldai_use_case": (N_("AI use-case library"), N_("Record a use case of AI in your job (checked for confidential data before it is saved), have it validated, and adopt your colleagues' best practices; or, for managers, rate your team's AI usage over time.")),
}
CONTENT_COUNTS = {
    "questions": N_("Default content: {en} questions in English, {fr} in French."),
    "items": N_("Default content: {en} texts in English, {fr} in French."),
    "scenarios": N_("Default content: {en} scenarios in English, {fr} in French."),
    "competences": N_("Default content: {en} competences in English, {fr} in French, with a profile per job family."),
    "survey_items": N_("Default content: a model use case and {en} survey statements in English, {fr} in French."),
}


@dataclass(frozen=True)
class DemoActivity:
    block_type: str
    name: str
    summary: str
    content_kind: str


def activities() -> list[DemoActivity]:
    """Every activity the tool hosts (the runtime's list) that is installed as an XBlock (``xblock.v1`` entry points)."""
    installed = {ep.name: ep for ep in entry_points(group="xblock.v1")}
    found = []
    for block_type in BLOCK_TYPES:
        entry = installed.get(block_type)
        if entry is None:
            continue
        name, summary = DESCRIPTIONS.get(block_type, ("", ""))
        cls = None
        if not name:
            cls = entry.load()
            name = block_type.removeprefix("ldai_").replace("_", " ").capitalize()
            summary = (inspect.getdoc(cls) or "").split("\n\n")[0]
        kind = getattr(cls or entry.load(), "content_kind", "")
        found.append(DemoActivity(block_type, name, summary, kind))
    return found


def activity_of(block_type: str) -> DemoActivity | None:
    return next((a for a in activities() if a.block_type == block_type), None)


def content_line(kind: str, stats: dict, _) -> str:
    """"Default content: 50 questions in English, 50 in French", for the kinds whose unit we can name."""
    per_lang = stats.get(kind) or {}
    for unit, message in CONTENT_COUNTS.items():
        if all(unit in per_lang.get(lang, {}) for lang in SUPPORTED_LANGUAGES):
            return _(message).format(**{lang: per_lang[lang][unit] for lang in SUPPORTED_LANGUAGES})
    return ""


def activity_cards(language: str, links: Callable[[DemoActivity], dict]) -> list[dict]:
    """Each activity's name, summary and default content in ``language``, with the links ``links(activity)`` adds."""
    _ = gettext_for(language)
    stats = pack_stats()
    return [{
        "block_type": item.block_type,
        "name": _(item.name),
        "summary": _(item.summary),
        "content": content_line(item.content_kind, stats, _),
        **links(item),
    } for item in activities()]


# ------------------------------------------------------------------------------------------ the demo's platform


def demo_deployment() -> Deployment:
    """The demo's deployment (and platform), created on first use and always kept switched off (see demo_platform)."""
    platform, _created = Platform.objects.get_or_create(
        issuer=DEMO_ISSUER, client_id=DEMO_CLIENT_ID,
        defaults={
            "name": "ldai-xblocks demo (built in, never used by a real launch)",
            "auth_login_url": f"{DEMO_ISSUER}/auth", "auth_token_url": f"{DEMO_ISSUER}/token",
            "keyset_url": f"{DEMO_ISSUER}/jwks", "is_active": False,
        },
    )
    if platform.is_active:  # switched on by hand in the admin: the demo's platform must stay unusable for launches
        platform.is_active = False
        platform.save(update_fields=["is_active"])
    deployment, _created = Deployment.objects.get_or_create(platform=platform, deployment_id=DEMO_DEPLOYMENT_ID, defaults={"is_active": False})
    if deployment.is_active:
        deployment.is_active = False
        deployment.save(update_fields=["is_active"])
    return deployment


def resource_link_id(block_type: str, language: str) -> str:
    return f"{block_type}.{language}"


def build_launch(deployment: Deployment, item: DemoActivity, persona: Persona, language: str, return_url: str):
    """The launch a platform would send for this persona, read by the same code as a real one, and remembered for the session."""
    _ = gettext_for(language)
    link_id = resource_link_id(item.block_type, language)
    claims = {
        c.ISS: DEMO_ISSUER,
        c.AUD: DEMO_CLIENT_ID,
        c.SUB: persona.user_sub,
        c.NAME: _(persona.name),
        c.EMAIL: persona.email,  # the hunt's team list names learners by e-mail, as an instructor's CSV does
        c.MESSAGE_TYPE: c.RESOURCE_LINK_REQUEST,
        c.VERSION: c.SUPPORTED_VERSION,
        c.DEPLOYMENT_ID: DEMO_DEPLOYMENT_ID,
        c.ROLES: list(persona.roles),
        c.CONTEXT: {c.ID: f"ldai-demo-{language}", c.TITLE: _("Demo course")},
        c.RESOURCE_LINK: {c.ID: link_id, c.TITLE: _(item.name)},
        c.LAUNCH_PRESENTATION: {c.PRESENTATION_LOCALE: language, c.PRESENTATION_RETURN_URL: return_url},
        c.CUSTOM: {c.CUSTOM_ACTIVITY: item.block_type, **demo_custom(item.block_type, language),
                   **demo_season.demo_custom(item.block_type, language)},
        c.AGS_ENDPOINT: {c.AGS_LINEITEM: f"{DEMO_ISSUER}/lineitems/{link_id}", c.AGS_SCOPE: [c.SCOPE_SCORE, c.SCOPE_LINEITEM]},
    }
    context = launch_context.build(claims, deployment.platform, deployment)
    launch_context.save(context)
    return context


# ------------------------------------------------------------------------------------------ views


def reader_language(request: HttpRequest) -> str:
    return normalize_language(getattr(request, "LANGUAGE_CODE", None) or translation.get_language())


def play_url(block_type: str, persona: str, language: str, view: str = "") -> str:
    query = {"lang": language, **({"view": view} if view else {})}
    return reverse("ldai_demo:play", args=(block_type, persona)) + "?" + urlencode(query)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    language = reader_language(request)
    _ = gettext_for(language)
    items = activity_cards(language, lambda item: {
        "learners": [{"label": _(p.name), "url": play_url(item.block_type, p.slug, language)}
                     for p in PERSONAS if not p.is_instructor and p.offered_on(item.block_type)],
        "settings_url": play_url(item.block_type, "instructor", language, "author"),
        "results_url": play_url(item.block_type, "instructor", language, "results"),
    })
    context = {
        "title": _("Demo: AI literacy at work"),
        "package": "ldai-xblocks",  # the product's name, the same in every language
        "current": language,
        "languages": [{"code": code, "name": LANGUAGE_NAMES[code], "url": "?" + urlencode({"lang": code})} for code in SUPPORTED_LANGUAGES],
        "personas": [{"name": _(p.name), "sees": _(p.sees)} for p in PERSONAS if not p.teammate]
                    + [{"name": _("Learners C, D, E and F"), "sees": _(TEAMMATES_SEE)}],
        "activities": items,
        "reset_url": reverse("ldai_demo:reset"),
        "csrf_token": get_token(request),
        "was_reset": request.GET.get("reset") == "done",
        "css_url": asset_url("tool", "demo.css"),
        "developers_url": reverse("demo-developers"),
        "config_url": reverse("lti_tool:config"),
    }
    # The reset form's POST must carry this site's Origin for Django's CSRF check (no-referrer would send "null");
    # the page holds no token, so the same-origin Referer gives nothing away.
    context["referrer_policy"] = "same-origin"
    response = render("demo.html", context, language)
    response["Referrer-Policy"] = "same-origin"
    return response


@require_GET
def play(request: HttpRequest, block_type: str, persona: str) -> HttpResponse:
    """A persona's launch: the activity page a real launch opens (learner view, or authoring view and results)."""
    language = normalize_language(request.GET.get("lang") or reader_language(request))
    item, who = activity_of(block_type), PERSONA_BY_SLUG.get(persona)
    if item is None or who is None:
        return not_found(language)
    view = request.GET.get("view", "")
    if view not in activity.VIEWS or (view != "learner" and not who.is_instructor):
        view = "author" if who.is_instructor else "learner"
    return_url = request.build_absolute_uri(reverse("ldai_demo:index") + "?" + urlencode({"lang": language}))
    with transaction.atomic():
        deployment = demo_deployment()
    if item.block_type == demo_season.TEAM_BLOCK:
        demo_season.seed(deployment, resource_link_id(item.block_type, language), lambda slug: PERSONA_BY_SLUG[slug].user_sub,
                         lambda slug: build_launch(deployment, item, PERSONA_BY_SLUG[slug], language, return_url))
    session = activity.start_session(build_launch(deployment, item, who, language, return_url))
    if isinstance(session, str):
        return activity.error_page(session, language)
    target = reverse("lti_tool:activity", args=(session.token,)) + "?" + urlencode({"view": view})
    return HttpResponseRedirect(target, status=303)


@require_POST
def reset(request: HttpRequest) -> HttpResponse:
    """Forget everything done in the demo (answers, grades, settings edited), and nothing outside it."""
    language = reader_language(request)
    counts = wipe()
    log.info("demo reset: %s", counts)
    return HttpResponseRedirect(reverse("ldai_demo:index") + "?" + urlencode({"lang": language, "reset": "done"}), status=303)


def wipe() -> dict[str, int]:
    """Delete the demo deployment's outbox rows, learners' state and resource links (the platform row stays)."""
    with transaction.atomic():
        deployment = demo_deployment()
        counts = {
            "grades": GradeOutbox.objects.filter(deployment=deployment).delete()[0],
            "states": LearnerState.objects.filter(deployment=deployment).delete()[0],
            "links": ResourceLinkConfig.objects.filter(deployment=deployment).delete()[0],
        }
    return counts


def not_found(language: str) -> HttpResponse:
    _ = gettext_for(language)
    return render("error.html", {
        "title": _("This demo page does not exist"),
        "message": _("Go back to the demo's front page and choose an activity and a persona there."),
        "code": "demo_not_found", "detail": "",
    }, language, status=404)


# ------------------------------------------------------------------------------------------ the bar on the activity page


def bar(session: RuntimeSession, view: str) -> dict:
    """Who you are in the demo, and one click to another persona, the other language or the demo's front page."""
    language = session.locale
    _ = gettext_for(language)
    block_type = session.link.block_type
    current = next((p for p in PERSONAS if p.user_sub == session.context.user_sub), None)
    return {
        "persona": _(current.name) if current else session.context.user_name,
        "personas": [{"label": _(p.name), "url": play_url(block_type, p.slug, language), "current": p is current}
                     for p in PERSONAS if p.offered_on(block_type)],
        "languages": [{
            "code": code, "name": LANGUAGE_NAMES[code], "current": code == language,
            "url": play_url(block_type, current.slug if current else "learner-a", code, view if current and current.is_instructor else ""),
        } for code in SUPPORTED_LANGUAGES],
        "home_url": reverse("ldai_demo:index") + "?" + urlencode({"lang": language}),
        "css_url": asset_url("tool", "demo.css"),
    }


app_name = "ldai_demo"
urlpatterns = [
    path("", index, name="index"),
    path("demo/play/<str:block_type>/<str:persona>/", play, name="play"),
    path("demo/reset/", reset, name="reset"),
]
