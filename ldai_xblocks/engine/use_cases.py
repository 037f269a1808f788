"""The use-case library and the managers' perceived-usage survey: checking what is sent, in plain Python.

Why here and not in the block: what a use case must contain, what the confidential-data guard refuses,
and how a survey is scored are decisions, and decisions live in the engine (ARCHITECTURE.md). The block
only stores what this module accepted.

The guard runs BEFORE anything is stored: a case whose text holds confidential data (e-mail address,
phone, IBAN, card, social security number, secret, IP address, the operator's confidential terms) is
refused as a whole, with the kinds found per field, so the learner knows what to remove; the text
itself is never kept, logged or echoed back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import sensitive

TEXT_LIMITS: dict[str, tuple[int, int]] = {  # field -> (min, max) characters, after trimming
    "task": (10, 1000),
    "tool": (2, 120),
    "data": (0, 500),
    "before": (10, 1500),
    "after": (10, 1500),
}
MAX_MINUTES_PER_WEEK = 2400  # 40 hours: more is a typo
RATINGS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class CaseProblem:
    """One field's problem: ``code`` says which (the block words it in the learner's language)."""

    field: str
    code: str  # required, too_short, too_long, not_a_number, out_of_range, unknown_choice, confidential
    limit: int | None = None
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class UseCase:
    task: str
    tool: str
    data: str
    before: str
    after: str
    minutes_saved: int
    rating: int
    job_family: str


@dataclass(frozen=True)
class CaseCheck:
    case: UseCase | None
    problems: list[CaseProblem] = field(default_factory=list)


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def check_case(raw: Mapping[str, Any], job_families: Sequence[str], terms: Iterable[str] | None = None) -> CaseCheck:
    """Every problem of a use case as sent (all fields at once), or the clean case."""
    problems: list[CaseProblem] = []
    texts: dict[str, str] = {}
    for name, (low, high) in TEXT_LIMITS.items():
        value = raw.get(name, "")
        value = value.strip() if isinstance(value, str) else None
        if value is None or (low and not value):
            problems.append(CaseProblem(name, "required"))
            continue
        if len(value) < low:
            problems.append(CaseProblem(name, "too_short", low))
        elif len(value) > high:
            problems.append(CaseProblem(name, "too_long", high))
        texts[name] = value
    term_list = list(terms or ())
    for name, value in texts.items():
        kinds = tuple(sorted({finding.kind for finding in sensitive.scan(value, term_list)}))
        if kinds:
            problems.append(CaseProblem(name, "confidential", kinds=kinds))
    minutes = _whole_number(raw.get("minutes_saved"))
    if minutes is None:
        problems.append(CaseProblem("minutes_saved", "not_a_number"))
    elif not 0 <= minutes <= MAX_MINUTES_PER_WEEK:
        problems.append(CaseProblem("minutes_saved", "out_of_range", MAX_MINUTES_PER_WEEK))
    rating = _whole_number(raw.get("rating"))
    if rating not in RATINGS:
        problems.append(CaseProblem("rating", "unknown_choice"))
    family = raw.get("job_family")
    if family not in job_families:
        problems.append(CaseProblem("job_family", "unknown_choice"))
    if problems:
        return CaseCheck(None, problems)
    return CaseCheck(UseCase(texts["task"], texts["tool"], texts["data"], texts["before"], texts["after"], minutes, rating, family))


@dataclass(frozen=True)
class SurveyResult:
    scores: dict[str, int]
    mean: float  # on the scale itself
    fraction: float  # 0 at the scale's lowest value, 1 at its highest


def score_survey(answers: Any, items: Sequence[str], scale: Sequence[int]) -> SurveyResult | list[str]:
    """The scores of a complete response, or the ids of the items left unanswered or answered off the scale."""
    answers = answers if isinstance(answers, Mapping) else {}
    scores: dict[str, int] = {}
    missing = []
    for item in items:
        value = _whole_number(answers.get(item))
        if value not in scale:
            missing.append(item)
        else:
            scores[item] = value
    if missing:
        return missing
    mean = sum(scores.values()) / len(scores)
    low, high = min(scale), max(scale)
    return SurveyResult(scores, round(mean, 3), round((mean - low) / (high - low), 4) if high > low else 1.0)


def library(cases: Mapping[str, Mapping[str, Any]], job_family: str = "") -> list[Mapping[str, Any]]:
    """Validated cases, most adopted first then newest, optionally of one job family."""
    chosen = [c for c in cases.values() if c.get("status") == "validated" and (not job_family or c.get("job_family") == job_family)]
    newest_first = sorted(chosen, key=lambda c: str(c.get("validated_at", "")), reverse=True)
    return sorted(newest_first, key=lambda c: -int(c.get("adoptions", 0)))  # stable: newest first among equals
