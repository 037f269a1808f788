"""The instructor's results: the table (with where each grade stands), its CSV export, and "send again".

Why the platform's reason is shown here and not only in the operator's admin: a score
the platform refuses for a course rule (Canvas answers 422 when the learner has used
the attempts the course allows) can only be fixed by the instructor, in the platform.
So the table says which grades were refused and why, in the platform's own words, and
a button sends them again once the instructor has acted. A grade the platform already
holds (Moodle's 409) is simply "sent" (``lti_tool.grades.outcome``).
"""

from __future__ import annotations

import csv
import functools
import io
import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ldai_xblocks.i18n import N_, gettext_for
from ldai_xblocks.spreadsheet import safe_cell

from ..grades.sender import in_process
from ..lti.demo_platform import is_demo_platform
from ..models import GradeOutbox, LearnerState
from ..runtime.session import RuntimeSession, SessionRefused, open_session
from ..runtime.views import reader_language, unlogged
from .errors import error_page, origins_of

log = logging.getLogger("ldai.lti.runtime")

STATUS_LABELS = {
    GradeOutbox.Status.SENT: N_("Sent to the platform"),
    GradeOutbox.Status.PENDING: N_("Waiting to be sent"),
    GradeOutbox.Status.SENDING: N_("Waiting to be sent"),
    GradeOutbox.Status.FAILED: N_("Not sent: the platform refused it"),
    GradeOutbox.Status.SUPERSEDED: N_("Waiting to be sent"),
}


@dataclass(frozen=True)
class ResultRow:
    name: str
    user_id: str
    score: float | None
    attempts: int
    last_activity: datetime
    grade_status: str
    refusal: str = ""  # the platform's reason when it refused the latest grade


def results_of(session: RuntimeSession, language: str) -> list[ResultRow]:
    """The link's learners (instructors' previews left out), with the delivery status of their latest grade."""
    _ = gettext_for(language)
    link = session.link
    states = LearnerState.objects.filter(
        deployment_id=link.deployment_id, resource_link_id=link.resource_link_id,
        scope=LearnerState.Scope.USER_STATE, is_instructor=False,
    ).order_by("user_name", "user_sub")
    latest: dict[str, tuple[str, str]] = {}
    outbox = GradeOutbox.objects.filter(resource_link=link).order_by("user_sub", "-created", "-pk")
    for user_sub, status, error in outbox.values_list("user_sub", "status", "last_error"):
        latest.setdefault(user_sub, (status, error))
    rows = []
    for state in states:
        status, error = latest.get(state.user_sub, (None, ""))
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
            refusal=error if status == GradeOutbox.Status.FAILED else "",
        ))
    return rows


def csv_response(rows: list[list], filename: str) -> HttpResponse:
    """A CSV download the spreadsheets open right: UTF-8 with a BOM (Excel), never cached. Cells arrive neutralised."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def instructors_only(view):
    """The view gets the launch session of the URL's token, if it is valid and an instructor's; otherwise an error page."""

    @functools.wraps(view)
    def wrapper(request, token: str):
        try:
            session = open_session(token)
        except SessionRefused as refused:
            return error_page(refused.code, reader_language(request))
        if not session.is_instructor:
            return error_page("instructors_only", session.locale, origins_of(session))
        return view(request, session)

    return wrapper


@require_GET
@xframe_options_exempt
@instructors_only
def results_csv(request, session: RuntimeSession):
    language = session.locale
    _ = gettext_for(language)
    rows = [[_("Learner"), _("LTI user id"), _("Score (%)"), _("Graded submissions"), _("Last activity (UTC)"), _("Grade"),
             _("Platform's reason")]]
    for row in results_of(session, language):
        rows.append([
            safe_cell(row.name), safe_cell(row.user_id), "" if row.score is None else f"{row.score * 100:.1f}",
            row.attempts, row.last_activity.strftime("%Y-%m-%d %H:%M"), safe_cell(row.grade_status), safe_cell(row.refusal),
        ])
    slug = "".join(ch if ch.isalnum() else "-" for ch in (session.link.title or session.link.block_type))[:60].strip("-") or "activity"
    return csv_response(rows, f"results-{slug}.csv")


@csrf_exempt  # the signed launch session in the URL is the proof (LMS iframes often lose cookies), as for handlers
@require_POST
@xframe_options_exempt
@instructors_only
def resend_refused(request, session: RuntimeSession):
    """The instructor fixed what the platform objected to: queue this link's refused grades again, due now."""
    with transaction.atomic():
        count = GradeOutbox.objects.filter(resource_link=session.link, status=GradeOutbox.Status.FAILED).update(
            status=GradeOutbox.Status.PENDING, next_attempt_at=timezone.now(), lease_until=None,
        )
        if count:
            transaction.on_commit(in_process.notify)
    log.info("instructor queued %s refused grade(s) of resource link %s again", count, session.link.pk)
    page = reverse("lti_tool:activity", args=(session.token,))
    return unlogged(HttpResponseRedirect(f"{page}?view=results&resent={count}", status=303))
