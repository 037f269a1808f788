"""The page a resource launch opens: the block's learner view, or for instructors its authoring view and results.

``launch_response`` is called by the launch view once the launch is validated
(LTI-A). It finds or creates the resource link's settings, issues the launch
session token, renders the XBlock through :class:`~lti_tool.runtime.xblock_runtime.LtiRuntime`
and wraps the fragment in a page shell (language of the launch, the block's CSS
and JS, a small JavaScript runtime that gives the block ``handlerUrl``).

Instructors (by LTI role) get the block's own ``studio_view`` (the same editor
as in Open edX Studio), a results table of their learners (score, graded
submissions, last activity, whether the grade reached the platform), a CSV export,
and a learner preview. Rendering runs in a transaction: a view that starts an
attempt saves it atomically.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET
from markupsafe import Markup

from ldai_xblocks.i18n import N_, gettext_for

from ..dashboard.access import is_platform_admin
from ..grades.sender import in_process
from ..lti.demo_platform import is_demo_platform
from ..lti.pages import allow_framing, render
from ..runtime import statements
from ..runtime.launch_setup import ensure_resource_link, refresh_learner_name
from ..runtime.session import RuntimeSession, SessionRefused, issue, open_session
from ..runtime.views import reader_language
from ..runtime.xblock_runtime import LtiRuntime, anonymous_id, asset_url, learner_rows
from .charter_results import acceptances_of, current_version
from .errors import error_page, origins_of
from .results import results_of
from .skills_cohort import cohort_context

log = logging.getLogger("ldai.lti.runtime")

VIEWS = ("author", "learner", "results")

# What the instructor reads about each custom parameter the tool could not read (runtime.launch_setup).
SETUP_MESSAGES = {
    "settings_unreadable": N_("The activity's settings sent by your platform could not be read: the default title, points and attempts are in use."),
    "setting_invalid": N_("The setting “{field}” sent by your platform is not a value this activity accepts: its default is in use."),
    "pack_unknown": N_("The content pack “{detail}” sent by your platform does not exist in this tool: the default pack is in use."),
    "content_missing": N_("Your platform did not send the activity's own content: the default pack is in use."),
    "content_invalid": N_("The activity's own content sent by your platform is not valid ({detail}): the default pack is in use."),
}

# --------------------------------------------------------------------------------- entry point (LTI-A)


def launch_response(request, launch_context) -> HttpResponse:
    """The HTML a validated resource launch answers with."""
    session = start_session(launch_context)
    if isinstance(session, str):
        return error_page(session, launch_context.locale, origins_of(launch_context))
    return activity_response(session, "author" if launch_context.is_instructor else "learner")


def start_session(launch_context) -> RuntimeSession | str:
    """The runtime session of a validated resource launch (its link found or created), or the code of the error page.

    Shared by the LTI launch and the demo's persona launches (``pages.demo``), so both open the same page.
    """
    if not launch_context.resource_link_id:
        return "no_resource_link"
    with transaction.atomic():
        link = ensure_resource_link(launch_context)
        if link is None:
            refresh_learner_name(launch_context)
        else:
            session = RuntimeSession(context=launch_context, link=link, token=issue(launch_context, link))
            # One query tells whether the tool knows this learner and hands their rows to the render.
            rows, deployment_rows = learner_rows(session)
            refresh_learner_name(launch_context, deployment_rows)
            session.preloaded_rows.update(rows)
            # The adoption funnel's first step, in the same transaction as the link it names.
            statements.record(session, anonymous_id(session), f"ldai.{link.block_type.removeprefix('ldai_')}.launched", {})
        # One machine: make sure the in-process sender runs (grades queued before a restart get delivered).
        transaction.on_commit(in_process.notify)
    if link is None:
        return "unknown_activity"
    return session


@require_GET
@xframe_options_exempt
def activity_page(request, token: str):
    """The same page again (a tab of the instructor view, or a reload), reached through the launch session."""
    try:
        session = open_session(token)
    except SessionRefused as refused:
        return error_page(refused.code, reader_language(request))
    view = request.GET.get("view", "")
    if view not in VIEWS:
        view = "author" if session.is_instructor else "learner"
    if view != "learner" and not session.is_instructor:
        return error_page("instructors_only", session.locale, origins_of(session))
    resent = request.GET.get("resent", "")
    return activity_response(session, view, int(resent) if resent.isdigit() and len(resent) < 7 else None)


# --------------------------------------------------------------------------------- rendering


def activity_response(session: RuntimeSession, view: str, resent: int | None = None) -> HttpResponse:
    language = session.locale
    _ = gettext_for(language)
    origins = origins_of(session)
    if session.link.setup_problems and not session.is_instructor:
        return error_page("not_ready", language, origins)
    fragment = None
    if view in ("author", "learner"):
        for attempt in (1, 2):
            runtime = LtiRuntime(session)
            try:
                with transaction.atomic():
                    block = runtime.block()
                    fragment = runtime.render(block, "studio_view" if view == "author" else "student_view")
                break
            except LookupError:
                return error_page("unknown_activity", language, origins)
            except IntegrityError:
                # Two tabs opened the activity at once and both started the learner's state: the other one won.
                session.link.refresh_from_db()
                if attempt == 2:
                    log.warning("rendering resource link %s kept colliding", session.link.pk)
                    return error_page("render_failed", language, origins)
            except Exception:
                log.exception("rendering %s of resource link %s failed", view, session.link.pk)
                return error_page("render_failed", language, origins)
    tabs = []
    if session.is_instructor:
        page_url = reverse("lti_tool:activity", args=(session.token,))
        tabs = [
            {"view": "author", "label": _("Settings"), "url": f"{page_url}?view=author"},
            {"view": "learner", "label": _("Preview as a learner"), "url": f"{page_url}?view=learner"},
            {"view": "results", "label": _("Results"), "url": f"{page_url}?view=results"},
            {"view": "dashboard", "label": _("Dashboard"), "url": reverse("lti_tool:dashboard", args=(session.token,))},
        ]
    elif is_platform_admin(session):  # an institution administrator with no course role: the activity, and the dashboard
        page_url = reverse("lti_tool:activity", args=(session.token,))
        tabs = [
            {"view": "learner", "label": _("Activity"), "url": f"{page_url}?view=learner"},
            {"view": "dashboard", "label": _("Dashboard"), "url": reverse("lti_tool:dashboard", args=(session.token,))},
        ]

    def instructor_url(name: str) -> str:
        """The instructors' links (results, CSV exports), built for them only: a learner's launch skips the reverses."""
        return reverse(name, args=(session.token,)) if session.is_instructor else ""

    context = {
        "title": session.link.title or _("Activity"),
        "view": view,
        "tabs": tabs,
        "is_instructor": session.is_instructor,
        "fragment_head": Markup(fragment.head_html()) if fragment else "",
        "fragment_body": Markup(fragment.body_html()) if fragment else "",
        "fragment_foot": Markup(fragment.foot_html()) if fragment else "",
        "runtime_js": asset_url("tool", "xblock-runtime.js"),
        "page_css": asset_url("tool", "activity.css"),
        "results": results_of(session, language) if session.is_instructor and view in ("author", "results") else None,
        "csv_url": instructor_url("lti_tool:results-csv"),
        "charter": {
            "rows": acceptances_of(session, language), "version": current_version(session),
            "csv_url": instructor_url("lti_tool:charter-csv"),
        } if session.is_instructor and view == "results" and session.link.block_type == "ldai_charter" else None,
        "resend_url": instructor_url("lti_tool:results-resend"),
        "resent": resent,
        "setup_problems": [
            _(SETUP_MESSAGES.get(p.get("code"), SETUP_MESSAGES["settings_unreadable"])).format(field=p.get("field", ""), detail=p.get("detail", ""))
            for p in session.link.setup_problems
        ] if session.is_instructor else [],
        "cohort": cohort_context(session, language) if session.is_instructor and view == "results" else None,
        "cohort_csv_url": instructor_url("lti_tool:skills-cohort-csv"),
        "return_url": session.context.return_url if session.context.return_url.startswith(("https://", "http://")) else "",
        "demo": demo_bar(session, view),
    }
    response = render("activity.html", context, language)
    return allow_framing(response, origins)


def demo_bar(session: RuntimeSession, view: str) -> dict | None:
    """The demo's bar above the page (who you are, switch persona or language), for the demo's own launches only."""
    if not is_demo_platform(session.context.platform):
        return None
    from .demo import bar  # the demo's pages import this module

    return bar(session, view)
