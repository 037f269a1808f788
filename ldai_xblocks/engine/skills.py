"""Levels and gaps of the skills map: self-assessment + activity evidence -> level, confidence, gap, priorities.

Pure: no XBlock, no Django, no clock (the caller passes ``now``). Why these formulas:

* **Recency.** An old result says less about today than a fresh one: evidence ``i`` of
  age ``a_i`` days weighs ``w_i = 2 ** (-a_i / H)`` with a half-life ``H`` of
  :data:`HALF_LIFE_DAYS`. Evidence dated in the future counts as fresh (``a_i = 0``).
* **Evidenced level.** Scores are in [0, 1]; the evidenced level is their weighted mean on
  the 0-3 scale, ``E = 3 * sum(w_i * s_i) / W`` with ``W = sum(w_i)``. With no evidence it
  is *unknown* (``None``), never 0: not having done the quiz says nothing about a skill.
* **Confidence** grows with the amount and the recency of the evidence and never reaches 1:
  ``c = W / (W + K)`` with ``K`` = :data:`CONFIDENCE_HALF` (two fresh results give 50 %).
* **Level used for the gap.** The self-assessment ``S`` is a prior worth one fresh result
  (:data:`SELF_WEIGHT`): ``L = (w_s * S + 3 * sum(w_i * s_i)) / (w_s + W)``. Only self: ``L = S``;
  only evidence: ``L = E``; neither: unknown. Because ``L`` is a weighted mean, a new result
  with a perfect score can only raise it, so **more correct evidence never raises a gap**.
* **Gap** ``= max(0, T - L) * weight`` for target ``T``; unknown when ``L`` is. A learner at
  or above every target has no gap.
* **Priorities**: the competences with a gap above 0, largest weighted gap first (ties: the
  heavier weight, then the id), at most :data:`PRIORITY_COUNT`.
* **Readiness** (the optional grade) ``= 1 - sum(gap) / sum(T * weight)``, an unknown level
  counting as the whole target: in [0, 1], 1 exactly when every target is met.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

LEVEL_MAX = 3
HALF_LIFE_DAYS = 90.0
CONFIDENCE_HALF = 2.0
SELF_WEIGHT = 1.0
PRIORITY_COUNT = 3


class SkillsInputError(ValueError):
    """An input the engine cannot use; ``path`` says where (``$.evidence[2].score``)."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Target:
    level: int
    weight: float


@dataclass(frozen=True)
class Evidence:
    """One graded result that speaks about one competence: a score in [0, 1] at a moment."""

    competence: str
    score: float
    at: datetime


@dataclass(frozen=True)
class CompetenceResult:
    id: str
    target: int
    weight: float
    self_level: int | None
    evidenced: float | None
    confidence: float
    evidence_count: int
    level: float | None
    gap: float | None

    @property
    def basis(self) -> str:
        """What the level rests on: ``both``, ``evidence``, ``self`` or ``unknown``."""
        if self.evidenced is not None:
            return "both" if self.self_level is not None else "evidence"
        return "self" if self.self_level is not None else "unknown"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "target": self.target,
            "weight": self.weight,
            "self": self.self_level,
            "evidenced": _round(self.evidenced),
            "confidence": round(self.confidence, 3),
            "evidence_count": self.evidence_count,
            "level": _round(self.level),
            "gap": _round(self.gap),
            "basis": self.basis,
        }


@dataclass(frozen=True)
class GapReport:
    competences: tuple[CompetenceResult, ...]
    priorities: tuple[str, ...] = field(default=())

    def by_id(self) -> dict[str, CompetenceResult]:
        return {c.id: c for c in self.competences}

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.competences if c.level is None and c.target > 0)

    def readiness(self) -> float:
        possible = sum(c.target * c.weight for c in self.competences)
        if possible <= 0:
            return 1.0
        missing = sum(c.gap if c.gap is not None else c.target * c.weight for c in self.competences)
        return max(0.0, min(1.0, 1.0 - missing / possible))

    def levels(self) -> dict[str, float | None]:
        """The level per competence, as stored to compare with the next visit."""
        return {c.id: _round(c.level) for c in self.competences}

    def as_dict(self) -> dict[str, Any]:
        return {
            "competences": [c.as_dict() for c in self.competences],
            "priorities": list(self.priorities),
            "unknown": list(self.unknown),
            "readiness": round(self.readiness(), 4),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def recency_weight(at: datetime, now: datetime) -> float:
    age_days = max(0.0, (now - at).total_seconds() / 86400)
    return 2.0 ** (-age_days / HALF_LIFE_DAYS)


def evidenced_level(items: Iterable[Evidence], now: datetime) -> tuple[float | None, float, float, int]:
    """``(E, confidence, W, count)`` of one competence's evidence (see the module's formulas)."""
    total = weighted = 0.0
    count = 0
    for item in items:
        w = recency_weight(item.at, now)
        total += w
        weighted += w * item.score
        count += 1
    if count == 0 or total <= 0:
        return None, 0.0, 0.0, count
    return LEVEL_MAX * weighted / total, total / (total + CONFIDENCE_HALF), total, count


def assess(
    targets: Mapping[str, Target],
    self_levels: Mapping[str, int],
    evidence: Iterable[Evidence],
    now: datetime,
) -> GapReport:
    """The gap report of one learner against one job profile (competences in the profile's order)."""
    by_competence: dict[str, list[Evidence]] = {}
    for item in evidence:
        by_competence.setdefault(item.competence, []).append(item)
    results = []
    for competence, target in targets.items():
        items = by_competence.get(competence, [])
        evidenced, confidence, total, count = evidenced_level(items, now)
        own = self_levels.get(competence)
        if evidenced is not None and own is not None:
            level = (SELF_WEIGHT * own + evidenced * total) / (SELF_WEIGHT + total)
        elif evidenced is not None:
            level = evidenced
        elif own is not None:
            level = float(own)
        else:
            level = None
        if level is not None:
            level = min(float(LEVEL_MAX), max(0.0, level))  # a weighted mean of values in [0, 3], up to rounding
        shortfall = None if level is None else target.level - level
        gap = None if shortfall is None else (shortfall * target.weight if shortfall > 1e-9 else 0.0)
        results.append(CompetenceResult(competence, target.level, target.weight, own, evidenced, confidence, count, level, gap))
    return GapReport(tuple(results), rank_priorities(results))


def rank_priorities(results: Iterable[CompetenceResult], count: int = PRIORITY_COUNT) -> tuple[str, ...]:
    gaps = [r for r in results if r.gap is not None and r.gap > 1e-9]
    gaps.sort(key=lambda r: (-r.gap, -r.weight, r.id))
    return tuple(r.id for r in gaps[:count])


def changes(previous: Mapping[str, float | None], report: GapReport) -> dict[str, float]:
    """How each level moved since ``previous`` (a report's :meth:`GapReport.levels`); unchanged ones left out."""
    moved: dict[str, float] = {}
    for competence, now_level in report.levels().items():
        before = previous.get(competence)
        if now_level is None or before is None:
            continue
        delta = round(now_level - before, 3)
        if abs(delta) >= 0.01:
            moved[competence] = delta
    return moved


# ------------------------------------------------------------------------------------ inputs


def profile_targets(document: Mapping[str, Any], job: str) -> dict[str, Target]:
    """The targets of job profile ``job`` of a skills-map document, in the framework's competence order.

    Competences with a target of 0 and a weight of 0 are left out: the job does not need them.
    """
    profile = next((p for p in document["job_profiles"] if p["id"] == job), None)
    if profile is None:
        known = ", ".join(p["id"] for p in document["job_profiles"])
        raise SkillsInputError("$.job", f"unknown job profile {job!r}: use one of {known}")
    order = [c["id"] for c in document["competences"]]
    raw = profile["targets"]
    return {
        cid: Target(int(raw[cid]["level"]), float(raw[cid]["weight"]))
        for cid in order
        if cid in raw and (raw[cid]["level"] > 0 or raw[cid]["weight"] > 0)
    }


def signal_map(document: Mapping[str, Any]) -> dict[tuple[str, str], tuple[str, ...]]:
    """``(activity, signal) -> competences`` from the document's evidence mapping."""
    return {(rule["activity"], rule["signal"]): tuple(rule["competences"]) for rule in document.get("evidence", [])}


def evidence_from_signals(records: Iterable[Mapping[str, Any]], mapping: Mapping[tuple[str, str], tuple[str, ...]]) -> list[Evidence]:
    """Turn what the activities recorded (``{"activity", "signal", "score", "at"}``) into evidence per competence.

    Records of an unmapped signal, or unreadable ones (a stored value from an older
    version), are skipped: evidence is a help to the learner, never a reason to fail.
    """
    out: list[Evidence] = []
    for record in records:
        competences = mapping.get((str(record.get("activity", "")), str(record.get("signal", ""))), ())
        if not competences:
            continue
        try:
            score = clean_score(record.get("score"))
            at = parse_time(record.get("at"))
        except SkillsInputError:
            continue
        out.extend(Evidence(competence, score, at) for competence in competences)
    return out


def clean_score(value: Any, path: str = "$.score") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or not 0 <= value <= 1:
        raise SkillsInputError(path, "a score is a number between 0 and 1")
    return float(value)


def clean_level(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LEVEL_MAX:
        raise SkillsInputError(path, f"a level is a whole number from 0 to {LEVEL_MAX}")
    return value


def parse_time(value: Any, path: str = "$.at") -> datetime:
    """An ISO 8601 moment; one without a time zone is taken as UTC."""
    if not isinstance(value, str):
        raise SkillsInputError(path, "a moment is an ISO 8601 text such as 2026-12-01T09:00:00Z")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise SkillsInputError(path, "a moment is an ISO 8601 text such as 2026-12-01T09:00:00Z") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def gap_from_request(document: Mapping[str, Any], request: Any, now: datetime) -> GapReport:
    """``ldai skills gap``'s input (``{"job", "self", "evidence"}``), checked field by field, then assessed."""
    if not isinstance(request, dict):
        raise SkillsInputError("$", 'the input is a JSON object {"job", "self", "evidence"}')
    targets = profile_targets(document, request.get("job") if isinstance(request.get("job"), str) else "")
    known = {c["id"] for c in document["competences"]}
    raw_self = request.get("self", {})
    if not isinstance(raw_self, dict):
        raise SkillsInputError("$.self", "an object {competence id: level}")
    self_levels = {}
    for competence, level in raw_self.items():
        if competence not in known:
            raise SkillsInputError(f"$.self.{competence}", "unknown competence")
        self_levels[competence] = clean_level(level, f"$.self.{competence}")
    raw_evidence = request.get("evidence", [])
    if not isinstance(raw_evidence, list):
        raise SkillsInputError("$.evidence", 'a list of {"competence", "score", "at"}')
    evidence = []
    for index, item in enumerate(raw_evidence):
        path = f"$.evidence[{index}]"
        if not isinstance(item, dict) or item.get("competence") not in known:
            raise SkillsInputError(f"{path}.competence", "unknown competence")
        evidence.append(Evidence(item["competence"], clean_score(item.get("score"), f"{path}.score"), parse_time(item.get("at"), f"{path}.at")))
    return assess(targets, self_levels, evidence, now)
