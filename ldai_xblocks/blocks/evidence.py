"""Competence evidence: what an activity records for the learner when it grades, read by the skills map.

Where it is kept, and why (docs/decisions/0004-skills-map-evidence-storage.rst): one field,
``ldai_evidence``, in ``Scope.user_info``. It is the one scope Open edX stores per learner
across ALL blocks (``XModuleStudentInfoField``, unique on student + field name, in
``lms/djangoapps/courseware/models.py``; read and written by ``UserInfoCache`` in
``lms/djangoapps/courseware/model_data.py``), so the quiz writes what the skills map reads.
It is also shared across courses, so the value is keyed by course inside the field:
``{course_key: [record, ...]}``. The LTI tool's runtime keeps that scope per platform,
context and user, so evidence stays inside the course it was earned in there as well.

A record is raw: ``{"activity", "signal", "score", "at"}`` (a quiz category, a hunt's
recall, a prompt criterion...). Which competence a signal speaks for is the skills map's
authored mapping (content data), so authors can change it without touching old records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from xblock.fields import Dict, Scope

from .base import BADGE_RECHECK

MAX_RECORDS_PER_COURSE = 500


def course_key_of(block) -> str:
    """The course the block is used in: the usage key's course (Open edX), the runtime's course (LMS, LTI tool), or ''."""
    context_key = getattr(block.scope_ids.usage_id, "context_key", None)
    if context_key is not None:
        return str(context_key)
    runtime_course = getattr(block.runtime, "course_id", None)
    return str(runtime_course) if runtime_course else ""


class EvidenceMixin:
    """Record competence evidence when the activity grades; read the course's evidence (the skills map)."""

    activity: str  # each activity's own (EventsMixin)

    ldai_evidence = Dict(
        scope=Scope.user_info,
        default={},
        help="Competence evidence per course: {course key: [{activity, signal, score, at}]}, shared by every ldai block.",
    )

    def record_evidence(self, signals: Mapping[str, float]) -> None:
        """Append one record per signal (score clipped to [0, 1]); the oldest go beyond the cap."""
        if not signals:
            return
        at = datetime.now(UTC).isoformat()
        fresh = [
            {"activity": self.activity, "signal": signal, "score": round(min(1.0, max(0.0, float(score))), 4), "at": at}
            for signal, score in signals.items()
        ]
        course = course_key_of(self)
        stored = dict(self.ldai_evidence or {})
        stored[course] = [*(stored.get(course) or []), *fresh][-MAX_RECORDS_PER_COURSE:]
        self.ldai_evidence = stored
        self.__dict__[BADGE_RECHECK] = True  # json_api checks a competence badge once the request is done

    def course_evidence(self) -> list[dict[str, Any]]:
        records = (self.ldai_evidence or {}).get(course_key_of(self)) or []
        return [r for r in records if isinstance(r, dict)]


# ------------------------------------------------------------------ what each activity records


def quiz_signals(categories: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """A completed quiz: one score per risk category answered (the charter is a category)."""
    return {f"category:{c['id']}": c["score"] for c in categories}


def hunt_signals(items: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """A submitted hunt: recall (hallucinations found / present) and precision (found / flags that were right or wrong)."""
    found = sum(int(entry.get("found", 0)) for entry in items.values())
    missed = sum(int(entry.get("missed", 0)) for entry in items.values())
    false_alarms = sum(int(entry.get("false_alarms", 0)) for entry in items.values())
    signals: dict[str, float] = {}
    if found + missed:
        signals["recall"] = found / (found + missed)
    if found + false_alarms:
        signals["precision"] = found / (found + false_alarms)
    return signals


def prompt_signals(criterion_scores: Mapping[str, int], max_score: int, leaked: bool) -> dict[str, float]:
    """A prompt graded: each rubric criterion, and whether it kept confidential data out (1) or not (0)."""
    signals = {f"criterion:{cid}": score / max_score for cid, score in criterion_scores.items()}
    signals["confidential"] = 0.0 if leaked else 1.0
    return signals
