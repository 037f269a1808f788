"""The charter's evidence for instructors: who accepted which version, when, with what score (table and CSV).

Why read every charter placement of the course and not only this link: the charter is one per
course (``models.CourseCharter``), so an acceptance given through any of its placements counts.
This is the record an employer keeps for the AI Act's Article 4 (AI literacy of its staff).
Cells of the CSV go through ``safe_cell``: a learner's name must not run as a spreadsheet formula.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from ldai_xblocks.content import load_pack
from ldai_xblocks.i18n import gettext_for
from ldai_xblocks.spreadsheet import safe_cell

from ..models import LearnerState
from ..runtime.charter_service import LtiCourseCharterService
from ..runtime.session import RuntimeSession
from .results import csv_response, instructors_only

BLOCK_TYPE = "ldai_charter"


@dataclass(frozen=True)
class AcceptanceRow:
    name: str
    user_id: str
    version: str  # "" when the learner has not accepted any version yet
    accepted_at: str
    score: float | None
    current: bool


def current_version(session: RuntimeSession) -> str:
    stored = LtiCourseCharterService(session).load()
    document = stored.document if stored and stored.document else load_pack("charter", "en/ai-charter")
    return str(document["version"])


def acceptances_of(session: RuntimeSession, language: str) -> list[AcceptanceRow]:
    """One row per acceptance, and one for each learner of the course who has accepted nothing yet."""
    _ = gettext_for(language)
    version = current_version(session)
    states = LearnerState.objects.filter(
        deployment__platform=session.context.platform, context_id=session.context.context_id or "",
        scope=LearnerState.Scope.USER_STATE, block_type=BLOCK_TYPE, is_instructor=False,
    ).order_by("user_name", "user_sub", "pk")
    rows: list[AcceptanceRow] = []
    for state in states:
        name = state.user_name or _("Learner {id}").format(id=state.user_sub[-6:])
        accepted = [a for a in (state.state or {}).get("acceptances", []) if isinstance(a, dict)]
        for acceptance in accepted:
            score = acceptance.get("score")
            rows.append(AcceptanceRow(name, state.user_sub, str(acceptance.get("version", "")), str(acceptance.get("accepted_at", ""))[:19].replace("T", " "),
                                      float(score) if isinstance(score, (int, float)) else None, acceptance.get("version") == version))
        if not accepted:
            rows.append(AcceptanceRow(name, state.user_sub, "", "", None, False))
    return rows


@require_GET
@xframe_options_exempt
@instructors_only
def acceptances_csv(request, session: RuntimeSession):
    language = session.locale
    _ = gettext_for(language)
    rows = [[_("Learner"), _("LTI user id"), _("Charter version"), _("Accepted at (UTC)"), _("Comprehension score (%)"), _("Current version")]]
    for row in acceptances_of(session, language):
        rows.append([
            safe_cell(row.name), safe_cell(row.user_id), safe_cell(row.version) if row.version else _("Not accepted yet"), row.accepted_at,
            "" if row.score is None else f"{row.score * 100:.0f}", _("Yes") if row.current else _("No"),
        ])
    return csv_response(rows, "charter-acceptances.csv")
