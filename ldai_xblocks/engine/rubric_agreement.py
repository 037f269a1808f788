"""How far the offline rubric agrees with labels written by a person: accuracy and Cohen's kappa.

Why kappa beside accuracy: most prompts have no examples and no role, so a rubric that
never awards them is "right" most of the time. Cohen's kappa discounts the agreement
expected by chance from each side's own label frequencies, so a criterion that only
agrees by always saying 0 scores about 0, not 0.9.

The labelled prompts live with the tests (``tests/data/rubric_devset.jsonl``, see its
README); this module only does the arithmetic, so the tests and ``make bench`` report
the same figures.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .prompt_rubric import CRITERIA, analyze


def accuracy(expected: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Share of items on which both sides give the same label."""
    if len(expected) != len(predicted):
        raise ValueError("the two label lists differ in length")
    if not expected:
        raise ValueError("no labels to compare")
    return sum(e == p for e, p in zip(expected, predicted, strict=True)) / len(expected)


def cohen_kappa(expected: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Cohen's kappa, ``(p_o - p_e) / (1 - p_e)``, with ``p_e`` from each side's label frequencies.

    When chance agreement is certain (both sides always give one and the same label) the
    formula is 0/0: agreement is then perfect and we return 1.0; if both sides give a
    single label but not the same one, 0.0.
    """
    observed = accuracy(expected, predicted)
    total = len(expected)
    left, right = Counter(expected), Counter(predicted)
    chance = sum(left[label] * right[label] for label in left) / (total * total)
    if chance == 1:
        return 1.0
    return (observed - chance) / (1 - chance)


@dataclass(frozen=True)
class LabelledPrompt:
    """One prompt of the development set and the score (0-2) a person gave it on each criterion."""

    id: str
    lang: str
    family: str
    split: str  # "dev" (the rubric may be tuned on it) or "heldout" (never tuned on)
    prompt: str
    labels: Mapping[str, int]
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Agreement:
    criterion: str
    accuracy: float
    kappa: float
    count: int


def load_labelled(path: str | Path) -> list[LabelledPrompt]:
    """The JSON-lines set: one object per line with id, lang, family, split, prompt, labels[, terms]."""
    records = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        data: dict[str, Any] = json.loads(line)
        labels = data["labels"]
        if set(labels) != set(CRITERIA) or any(labels[c] not in (0, 1, 2) for c in CRITERIA):
            raise ValueError(f"{path}:{number}: labels must give 0, 1 or 2 for each of {', '.join(CRITERIA)}")
        records.append(LabelledPrompt(data["id"], data["lang"], data["family"], data["split"], data["prompt"],
                                      labels, tuple(data.get("terms", ()))))
    return records


def predict(record: LabelledPrompt) -> dict[str, int]:
    """The rubric's scores for one labelled prompt, with its organisation's confidential terms."""
    return analyze(record.prompt, lang=record.lang, terms=record.terms).scores()


def agreement(records: Iterable[LabelledPrompt]) -> list[Agreement]:
    """Accuracy and kappa per criterion (scores 0/1/2 compared exactly) over ``records``."""
    records = list(records)
    predictions = [predict(r) for r in records]
    result = []
    for criterion in CRITERIA:
        expected = [r.labels[criterion] for r in records]
        predicted = [p[criterion] for p in predictions]
        result.append(Agreement(criterion, accuracy(expected, predicted), cohen_kappa(expected, predicted), len(records)))
    return result


def disagreements(records: Iterable[LabelledPrompt], criterion: str) -> list[tuple[str, int, int]]:
    """``(id, label, rubric score)`` for each prompt where the rubric and the label differ on ``criterion``."""
    out = []
    for record in records:
        score = predict(record)[criterion]
        if score != record.labels[criterion]:
            out.append((record.id, record.labels[criterion], score))
    return out


__all__ = ["Agreement", "LabelledPrompt", "accuracy", "agreement", "cohen_kappa", "disagreements", "load_labelled", "predict"]
