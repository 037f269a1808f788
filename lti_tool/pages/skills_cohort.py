"""The learning team's view of a skills-map link: the cohort's gaps per competence x job family.

Shown in the instructor's Results tab of an ``ldai_skills_map`` link (a heat map that is also the
table: every cell carries its figure in text, the colour only repeats it) and exported as CSV.
Each learner's picture is rebuilt from what the runtime stored: the block's user state on this
link (job family, self-assessment) and their evidence in Scope.user_info for the same platform
and context (``lti_tool.runtime.xblock_runtime``). Groups below the block's minimum size are
hidden (``engine.skills_cohort``): no figure can single a learner out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import HttpResponse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from ldai_xblocks.blocks.skills_map import learner_picture
from ldai_xblocks.engine import skills_cohort
from ldai_xblocks.i18n import gettext_for

from ..models import LearnerState
from ..runtime.session import RuntimeSession
from ..runtime.xblock_runtime import LtiRuntime
from .errors import error_page, origins_of
from .results import instructors_only

BLOCK_TYPE = "ldai_skills_map"
EVIDENCE_FIELD = "ldai_evidence"


def _cohort(session: RuntimeSession) -> tuple[skills_cohort.CohortMap, dict] | None:
    link = session.link
    if link.block_type != BLOCK_TYPE:
        return None
    block = LtiRuntime(session).block()
    document = block.content_document()
    states = dict(LearnerState.objects.filter(
        deployment_id=link.deployment_id, resource_link_id=link.resource_link_id,
        scope=LearnerState.Scope.USER_STATE, is_instructor=False,
    ).values_list("user_sub", "state"))
    evidence: dict[str, list[dict]] = {}
    infos = LearnerState.objects.filter(
        deployment__platform_id=link.deployment.platform_id, context_id=link.context_id,
        scope=LearnerState.Scope.USER_INFO, user_sub__in=list(states),
    ).values_list("user_sub", "state")
    for user_sub, state in infos:
        records = ((state or {}).get(EVIDENCE_FIELD) or {}).get(link.context_id or "") or []
        evidence.setdefault(user_sub, []).extend(r for r in records if isinstance(r, dict))
    now = datetime.now(UTC)
    pictures = [p for sub, state in states.items() if (p := learner_picture(document, block.job_family, state or {}, evidence.get(sub, []), now))]
    order = [c["id"] for c in document["competences"]]
    return skills_cohort.build(pictures, order, block.min_group), document


def cohort_context(session: RuntimeSession, language: str) -> dict[str, Any] | None:
    """What the Results tab shows for a skills-map link (None for the other activities)."""
    built = _cohort(session)
    if built is None:
        return None
    cohort, document = built
    _ = gettext_for(language)
    jobs = {p["id"]: p["name"] for p in document["job_profiles"]}
    names = {c["id"]: c["name"] for c in document["competences"]}
    rows = []
    for competence in cohort.competences:
        cells = []
        for job in cohort.jobs:
            cell = cohort.cell(job, competence)
            if cell is None:
                cells.append({"shade": "none", "text": "–", "label": _("not in this job's profile")})
            elif cell.hidden:
                cells.append({"shade": "hidden", "text": _("fewer than {n}").format(n=cohort.min_group), "label": _("too few learners to show")})
            else:
                cells.append({
                    "shade": skills_cohort.shade(cell.mean_gap),
                    "text": f"{cell.mean_gap:.1f}",
                    "label": _("{share} below target, {known} learners").format(share=f"{round(cell.below_target * 100)} %", known=cell.known),
                })
        rows.append({"name": names[competence], "cells": cells})
    return {
        "jobs": [{"name": jobs.get(job, job), "learners": cohort.learners[job]} for job in cohort.jobs],
        "hidden_jobs": [jobs.get(job, job) for job in cohort.hidden_jobs],
        "rows": rows,
        "min_group": cohort.min_group,
    }


@require_GET
@xframe_options_exempt
@instructors_only
def cohort_csv(request, session: RuntimeSession):
    """The cohort heat map as CSV (instructors only; the same hiding rules as the page)."""
    built = _cohort(session)
    if built is None:
        return error_page("unknown_activity", session.locale, origins_of(session))
    cohort, document = built
    header = skills_cohort.csv_header(session.locale)
    text = skills_cohort.to_csv(cohort, {p["id"]: p["name"] for p in document["job_profiles"]},
                                {c["id"]: c["name"] for c in document["competences"]}, header)
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="skills-cohort.csv"'
    response["Cache-Control"] = "no-store"
    return response
