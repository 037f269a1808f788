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

import csv
import io
import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET
from markupsafe import Markup

from ldai_xblocks.i18n import N_, gettext_for

from ..grades.sender import in_process
from ..lti.demo_platform import is_demo_platform
from ..lti.pages import allow_framing, origin_of, render
from ..models import GradeOutbox, LearnerState
from ..runtime import statements
from ..runtime.session import RuntimeSession, SessionRefused, issue, open_session
from ..runtime.views import reader_language, unlogged
from ..runtime.xblock_runtime import LtiRuntime, anonymous_id, asset_url, ensure_resource_link

log = logging.getLogger("ldai.lti.runtime")

VIEWS = ("author", "learner", "results")

PAGE_ERRORS = {
    "no_resource_link": (400, N_("The platform did not say which activity link was opened (no resource link id). Ask the platform administrator to check the tool set-up.")),
    "unknown_activity": (400, N_("This link asks for an activity the tool does not have. Ask your course team to choose the activity again (deep linking).")),
    "expired": (403, N_("This page has expired. Go back to your course and open the activity again.")),
    "bad_signature": (403, N_("This address does not belong to your session with the activity. Go back to your course and open the activity again.")),
    "not_bound": (403, N_("This address does not belong to your session with the activity. Go back to your course and open the activity again.")),
    "instructors_only": (403, N_("Only the course's instructors can see this page.")),
    "render_failed": (500, N_("The activity could not be displayed. Try again in a moment; if it keeps failing, tell your course team.")),
}

STATUS_LABELS = {
    GradeOutbox.Status.SENT: N_("Sent to the platform"),
    GradeOutbox.Status.PENDING: N_("Waiting to be sent"),
    GradeOutbox.Status.SENDING: N_("Waiting to be sent"),
    GradeOutbox.Status.FAILED: N_("Not sent: the tool administrator must check it"),
    GradeOutbox.Status.SUPERSEDED: N_("Waiting to be sent"),
}


def _origins(session_or_context) -> set[str]:
    platform = getattr(session_or_context, "platform", None) or session_or_context.context.platform
    return {o for o in (origin_of(platform.issuer), origin_of(platform.auth_login_url)) if o}


def error_page(code: str, language: str, origins: set[str] | None = None) -> HttpResponse:
    status, message = PAGE_ERRORS[code]
    _ = gettext_for(language)
    response = render("error.html", {"title": _("The activity cannot open"), "message": _(message), "code": code, "detail": ""}, language, status=status)
    return unlogged(allow_framing(response, origins))


# --------------------------------------------------------------------------------- entry point (LTI-A)


def launch_response(request, launch_context) -> HttpResponse:
    """The HTML a validated resource launch answers with."""
    session = start_session(launch_context)
    if isinstance(session, str):
        return error_page(session, launch_context.locale, _origins(launch_context))
    return activity_response(session, "author" if launch_context.is_instructor else "learner")


def start_session(launch_context) -> RuntimeSession | str:
    """The runtime session of a validated resource launch (its link found or created), or the code of the error page.

    Shared by the LTI launch and the demo's persona launches (``pages.demo``), so both open the same page.
    """
    if not launch_context.resource_link_id:
        return "no_resource_link"
    with transaction.atomic():
        link = ensure_resource_link(launch_context)
        if link is not None:
            session = RuntimeSession(context=launch_context, link=link, token=issue(launch_context, link))
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
        return error_page("instructors_only", session.locale, _origins(session))
    return activity_response(session, view)


# --------------------------------------------------------------------------------- rendering


def activity_response(session: RuntimeSession, view: str) -> HttpResponse:
    language = session.locale
    _ = gettext_for(language)
    origins = _origins(session)
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
    page_url = reverse("lti_tool:activity", args=(session.token,))
    tabs = []
    if session.is_instructor:
        tabs = [
            {"view": "author", "label": _("Settings"), "url": f"{page_url}?view=author"},
            {"view": "learner", "label": _("Preview as a learner"), "url": f"{page_url}?view=learner"},
            {"view": "results", "label": _("Results"), "url": f"{page_url}?view=results"},
        ]
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
        "csv_url": reverse("lti_tool:results-csv", args=(session.token,)),
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


# --------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ResultRow:
    name: str
    user_id: str
    score: float | None
    attempts: int
    last_activity: datetime
    grade_status: str


def results_of(session: RuntimeSession, language: str) -> list[ResultRow]:
    """The link's learners (instructors' previews left out), with the delivery status of their latest grade."""
    _ = gettext_for(language)
    link = session.link
    states = LearnerState.objects.filter(
        deployment_id=link.deployment_id, resource_link_id=link.resource_link_id,
        scope=LearnerState.Scope.USER_STATE, is_instructor=False,
    ).order_by("user_name", "user_sub")
    latest: dict[str, str] = {}
    for user_sub, status in GradeOutbox.objects.filter(resource_link=link).order_by("user_sub", "-created", "-pk").values_list("user_sub", "status"):
        latest.setdefault(user_sub, status)
    rows = []
    for state in states:
        status = latest.get(state.user_sub)
        if status is None:
            label = _("Not graded yet") if state.score is None else _("Kept in the tool (the platform offers no grade service)")
        elif status == GradeOutbox.Status.SENT and is_demo_platform(session.context.platform):
            label = _("Through the outbox, then kept here: the demo has no gradebook")
        else:
            label = _(STATUS_LABELS[status])
        fraction = (state.score / state.max_score) if state.score is not None and state.max_score else None
        rows.append(ResultRow(
            name=state.user_name or _("Learner {id}").format(id=state.user_sub[-6:]),
            user_id=state.user_sub, score=fraction, attempts=state.attempts, last_activity=state.modified, grade_status=label,
        ))
    return rows


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not execute (names come from the platform, not from us)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
@xframe_options_exempt
def results_csv(request, token: str):
    try:
        session = open_session(token)
    except SessionRefused as refused:
        return error_page(refused.code, reader_language(request))
    if not session.is_instructor:
        return error_page("instructors_only", session.locale, _origins(session))
    language = session.locale
    _ = gettext_for(language)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Learner"), _("LTI user id"), _("Score (%)"), _("Graded submissions"), _("Last activity (UTC)"), _("Grade")])
    for row in results_of(session, language):
        writer.writerow([
            _cell(row.name), _cell(row.user_id), "" if row.score is None else f"{row.score * 100:.1f}",
            row.attempts, row.last_activity.strftime("%Y-%m-%d %H:%M"), _cell(row.grade_status),
        ])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    slug = "".join(ch if ch.isalnum() else "-" for ch in (session.link.title or session.link.block_type))[:60].strip("-") or "activity"
    response["Content-Disposition"] = f'attachment; filename="results-{slug}.csv"'
    response["Cache-Control"] = "no-store"
    return response
