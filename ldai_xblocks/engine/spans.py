"""Span scoring for the hallucination detector: how well a learner's flags match the annotations.

Why two levels of scoring?

- **Character level**, exactly as SemEval-2025 Task 3 (Mu-SHROOM) scores hard labels: the
  sets of flagged and gold character indices are compared; IoU = |F ∩ G| / |F ∪ G|, and
  1.0 when both are empty. It rewards precise bounds, which is what a research benchmark
  wants, but a learner who rightly flags the sentence holding a wrong date would score
  poorly on it.
- **Claim level**, the default grade: a gold span is *found* when the learner's flags cover
  at least half of its characters; a flag that touches no gold span is a *false alarm*.
  Claim precision = flags that touch a gold span / all flags, claim recall = found / gold
  spans, grade = their F1. It counts what a team cares about: which invented facts were
  caught, and how often a true passage was accused. An author may grade with the IoU instead.

So a single flag over the whole text cannot catch everything for free, the shell passes
the text's selectable ``units`` and every flag is cut at unit boundaries: each piece counts
as one flag, and pieces on true passages become false alarms.

Spans are Python string indices, half-open ``[start, end)``, as in Mu-SHROOM.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .segmentation import Unit, segment, unit_spans

Span = tuple[int, int]

__all__ = [
    "DEFAULT_GRADING", "FOUND_COVERAGE", "GRADINGS", "FalseAlarm", "Span", "SpanError", "SpanScore", "Unit",
    "char_indices", "check_spans", "iou", "merge_spans", "score_spans", "segment", "split_at_units", "unit_spans",
]

GRADINGS: tuple[str, ...] = ("claim_f1", "iou")
DEFAULT_GRADING = "claim_f1"
FOUND_COVERAGE = 0.5
"""A gold span counts as found when at least this share of its characters is flagged."""


class SpanError(ValueError):
    """A span that is not a pair of integers inside the text; the message says which and why."""


def check_spans(spans: object, text_length: int, name: str = "spans") -> list[Span]:
    """``spans`` as a list of ``(start, end)`` tuples, or :class:`SpanError` saying what is wrong.

    A span must be two integers (booleans are refused: ``True`` is not an offset) with
    ``0 <= start < end <= text_length``.
    """
    if isinstance(spans, (str, bytes)) or not isinstance(spans, Iterable):
        raise SpanError(f"{name} must be a list of [start, end] pairs")
    checked: list[Span] = []
    for index, span in enumerate(spans):
        where = f"{name}[{index}]"
        if isinstance(span, (str, bytes)) or not isinstance(span, Sequence) or len(span) != 2:
            raise SpanError(f"{where} must be a pair [start, end], got {span!r}")
        start, end = span
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise SpanError(f"{where}: start and end must be integers, got {span!r}")
        if start < 0:
            raise SpanError(f"{where}: start {start} is negative; offsets count characters from 0")
        if end > text_length:
            raise SpanError(f"{where}: end {end} is past the end of the text ({text_length} characters)")
        if start >= end:
            raise SpanError(f"{where}: start {start} must be smaller than end {end} (a span holds at least one character)")
        checked.append((start, end))
    return checked


def char_indices(spans: Iterable[Span]) -> set[int]:
    """The character positions the spans cover (Mu-SHROOM's representation of hard labels)."""
    return {index for start, end in spans for index in range(start, end)}


def merge_spans(spans: Iterable[Span], *, touching: bool = False) -> list[Span]:
    """Sorted spans with overlapping ones joined (and adjacent ones too when ``touching``).

    Flags that overlap are one claim; flags that merely touch stay two (two neighbouring
    clauses flagged separately are two claims).
    """
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and (start < merged[-1][1] or (touching and start == merged[-1][1])):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def split_at_units(flags: Iterable[Span], units: Sequence[Span]) -> list[Span]:
    """Each flag cut into its pieces inside each unit; pieces between units (spaces) are dropped."""
    pieces: list[Span] = []
    for start, end in flags:
        for unit_start, unit_end in units:
            low, high = max(start, unit_start), min(end, unit_end)
            if low < high:
                pieces.append((low, high))
    return merge_spans(pieces)


def iou(gold: Iterable[Span], flagged: Iterable[Span]) -> float:
    """Character-level intersection over union, as the Mu-SHROOM scorer computes it."""
    gold_chars, flagged_chars = char_indices(gold), char_indices(flagged)
    if not gold_chars and not flagged_chars:
        return 1.0
    return len(gold_chars & flagged_chars) / len(gold_chars | flagged_chars)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass(frozen=True)
class FalseAlarm:
    """A flag that touches no gold span; ``trap`` is the index of the trap it fell into, if any."""

    start: int
    end: int
    trap: int | None = None


@dataclass(frozen=True)
class SpanScore:
    """Everything the feedback and the report need about one learner's flags on one text.

    ``precision``, ``recall`` and ``f1`` are character level; ``claim_*`` are claim level;
    ``found`` and ``missed`` are indices into the gold spans in the order given.
    ``score`` is the grade in [0, 1] according to ``grading``.
    """

    iou: float
    precision: float
    recall: float
    f1: float
    claim_precision: float
    claim_recall: float
    claim_f1: float
    coverage: tuple[float, ...]
    found: tuple[int, ...]
    missed: tuple[int, ...]
    false_alarms: tuple[FalseAlarm, ...]
    flags: tuple[Span, ...]
    grading: str
    score: float = field(default=0.0)

    def as_dict(self, gold: Sequence[Span]) -> dict:
        """The JSON shape of ``ldai score-spans`` (spans as ``[start, end]`` lists)."""
        return {
            "iou": self.iou,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "found": [list(gold[i]) for i in self.found],
            "missed": [list(gold[i]) for i in self.missed],
            "false_alarms": [[alarm.start, alarm.end] for alarm in self.false_alarms],
            "score": self.score,
        }


def score_spans(
    text_length: int,
    gold: object,
    flagged: object,
    *,
    units: Sequence[Span] | None = None,
    traps: object = (),
    grading: str = DEFAULT_GRADING,
) -> SpanScore:
    """Score ``flagged`` against ``gold`` (both lists of ``[start, end)`` in a text of ``text_length``).

    ``units``, when given, are the selectable units of the text (see
    :func:`ldai_xblocks.engine.segmentation.segment`): flags are cut at their boundaries
    before scoring. ``traps`` are true passages that look false; a false alarm on one
    carries its index so the feedback can explain why the passage is true.
    Raises :class:`SpanError` on malformed spans and ``ValueError`` on an unknown grading.
    """
    if grading not in GRADINGS:
        raise ValueError(f"unknown grading {grading!r}: use one of {', '.join(GRADINGS)}")
    if isinstance(text_length, bool) or not isinstance(text_length, int) or text_length < 0:
        raise SpanError(f"the text length must be a non-negative integer, got {text_length!r}")
    gold_spans = check_spans(gold, text_length, "gold")
    flags = merge_spans(check_spans(flagged, text_length, "flagged"))
    trap_spans = check_spans(traps, text_length, "traps")
    if units is not None:
        flags = split_at_units(flags, check_spans(units, text_length, "units"))

    gold_chars, flagged_chars = char_indices(gold_spans), char_indices(flags)
    both = len(gold_chars & flagged_chars)
    if not gold_chars and not flagged_chars:
        char_iou = precision = recall = 1.0
    else:
        char_iou = both / len(gold_chars | flagged_chars)
        precision = both / len(flagged_chars) if flagged_chars else 0.0
        recall = both / len(gold_chars) if gold_chars else 0.0

    coverage = tuple(len(flagged_chars.intersection(range(s, e))) / (e - s) for s, e in gold_spans)
    found = tuple(i for i, c in enumerate(coverage) if c >= FOUND_COVERAGE)
    missed = tuple(i for i, c in enumerate(coverage) if c < FOUND_COVERAGE)
    alarms = tuple(
        FalseAlarm(flag[0], flag[1], next((t for t, trap in enumerate(trap_spans) if _overlaps(flag, trap)), None))
        for flag in flags
        if not any(_overlaps(flag, g) for g in gold_spans)
    )
    if not gold_spans and not flags:
        claim_precision = claim_recall = 1.0
    else:
        claim_precision = (len(flags) - len(alarms)) / len(flags) if flags else 0.0
        claim_recall = len(found) / len(gold_spans) if gold_spans else 0.0
    claim_f1 = 1.0 if not gold_spans and not flags else _f1(claim_precision, claim_recall)
    char_f1 = 1.0 if not gold_chars and not flagged_chars else _f1(precision, recall)
    return SpanScore(
        iou=char_iou,
        precision=precision,
        recall=recall,
        f1=char_f1,
        claim_precision=claim_precision,
        claim_recall=claim_recall,
        claim_f1=claim_f1,
        coverage=coverage,
        found=found,
        missed=missed,
        false_alarms=alarms,
        flags=tuple(flags),
        grading=grading,
        score=claim_f1 if grading == "claim_f1" else char_iou,
    )
