"""Risk-awareness quiz: build a bank from a content document, draw questions, grade, profile.

Rules, stated once here and in docs/authoring.rst:

* **Draw.** ``draw`` is deterministic for a seed (the block derives it from the
  learner, the block and the attempt number), so a reload shows the same
  questions; a new attempt draws again. With ``balanced`` the draw takes questions
  round-robin across categories, so a 6-question quiz over 6 categories asks one
  per category. A retry draws the questions the learner has not seen yet first
  (``seen``), and only then questions of earlier attempts, still deterministically.
* **Single choice / true-false.** 1 if the one correct choice is selected, else 0.
* **Multiple choice (partial credit).** With *k* correct choices, each correct
  choice selected earns 1/k, each incorrect choice selected costs 1/k, floored at 0.
  Selecting every choice therefore earns nothing unless every choice is correct.
* **Attempt score.** The mean of the drawn questions' scores, in [0, 1].
* **Profile.** Per category, the mean score of its answered questions. A category is
  judged only on at least ``MIN_TO_JUDGE`` answered questions (one question says too
  little about a learner); a judged category below the pass threshold is *weak*, and any
  category below it comes with the first sentence of the pack's advice (the rest on demand).
* **Charter questions.** Their right answer depends on whether the company's
  charter allows a practice; :func:`build_bank` resolves them against the charter
  the author edited before anything else sees them.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

QUESTION_KINDS = ("single", "multiple", "true_false")
MIN_TO_JUDGE = 2
"""Answered questions a category needs before the profile calls it solid or weak."""


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    feedback: str
    correct: bool


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    kind: str
    difficulty: int
    stem: str
    choices: tuple[Choice, ...]
    explanation: str
    job_family: str = "all"
    charter_rule: str | None = None

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.choices if c.correct)

    @property
    def choice_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.choices)


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    advice: str


@dataclass(frozen=True)
class CharterRule:
    id: str
    text: str
    allowed: bool


@dataclass(frozen=True)
class Bank:
    """A pack's questions, already resolved against the charter in force."""

    categories: tuple[Category, ...]
    questions: Mapping[str, Question]
    charter: tuple[CharterRule, ...] = ()

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def rule(self, rule_id: str | None) -> CharterRule | None:
        return next((r for r in self.charter if r.id == rule_id), None) if rule_id else None


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    category: str
    selected: tuple[str, ...]
    score: float
    correct: bool


@dataclass(frozen=True)
class CategoryScore:
    id: str
    label: str
    score: float
    answered: int
    weak: bool
    advice: str
    judged: bool = True
    more_advice: str = ""


@dataclass(frozen=True)
class Profile:
    score: float
    passed: bool
    categories: tuple[CategoryScore, ...] = field(default_factory=tuple)


class AnswerError(ValueError):
    """An answer that cannot be graded (unknown choice, several choices to a single-answer question...)."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def build_bank(document: Mapping, charter_overrides: Mapping[str, Mapping] | None = None) -> Bank:
    """Turn a validated pack into a :class:`Bank`, applying the author's charter edits.

    ``charter_overrides`` maps a rule id to ``{"text": ..., "allowed": ...}`` (either key
    optional); rules the override does not mention keep the pack's default.
    """
    overrides = charter_overrides or {}
    charter = tuple(
        CharterRule(
            rule["id"],
            str(overrides.get(rule["id"], {}).get("text") or rule["text"]),
            bool(overrides.get(rule["id"], {}).get("allowed", rule["allowed"])),
        )
        for rule in document.get("charter", ())
    )
    allowed = {rule.id: rule.allowed for rule in charter}
    questions: dict[str, Question] = OrderedDict()
    for raw in document["questions"]:
        rule = raw.get("charter_rule")
        verdict = ("allowed" if allowed.get(rule, False) else "forbidden") if rule else None
        choices = tuple(
            Choice(c["id"], c["text"], c["feedback"], (c.get("correct_if") == verdict) if rule else bool(c.get("correct")))
            for c in raw["choices"]
        )
        questions[raw["id"]] = Question(
            raw["id"], raw["category"], raw["kind"], int(raw["difficulty"]), raw["stem"], choices,
            raw["explanation"], raw.get("job_family", "all"), rule,
        )
    categories = tuple(Category(c["id"], c["label"], c["advice"]) for c in document["categories"])
    return Bank(categories, questions, charter)


def seed_for(*parts: object) -> int:
    """A stable 64-bit seed from the learner, the block and the attempt (not Python's salted hash)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def draw(
    bank: Bank,
    count: int,
    seed: int,
    categories: Iterable[str] | None = None,
    balanced: bool = True,
    job_family: str | None = None,
    seen: Iterable[str] = (),
) -> list[str]:
    """The ids of ``count`` questions for one attempt, the same for the same seed.

    ``categories`` restricts the pool (empty or None: all); ``job_family`` prefers
    questions of that family (and family-neutral ones) when enough exist; questions in
    ``seen`` (asked in earlier attempts) come only once the unseen ones run out, within
    each category when the draw is balanced.
    """
    seen = frozenset(seen)
    wanted = set(categories or ()) or {c.id for c in bank.categories}
    pool = [q for q in bank.questions.values() if q.category in wanted]
    if job_family:
        preferred = [q for q in pool if q.job_family in (job_family, "all")]
        if len(preferred) >= count:
            pool = preferred
    rng = random.Random(seed)
    count = max(0, min(count, len(pool)))
    if not balanced:
        if not seen:
            return [q.id for q in rng.sample(pool, count)]
        shuffled = rng.sample(pool, len(pool))
        return [q.id for q in _unseen_last(shuffled, seen)[::-1][:count]]
    by_category: dict[str, list[Question]] = OrderedDict()
    for category in bank.categories:
        members = [q for q in pool if q.category == category.id]
        if members:
            rng.shuffle(members)
            by_category[category.id] = _unseen_last(members, seen)  # pop() takes from the end
    order = list(by_category)
    rng.shuffle(order)
    picked: list[str] = []
    while len(picked) < count:
        for category_id in order:
            if by_category[category_id] and len(picked) < count:
                picked.append(by_category[category_id].pop().id)
    return picked


def _unseen_last(questions: list[Question], seen: frozenset[str]) -> list[Question]:
    """The same questions, those already seen first and the unseen ones last (order kept within each group)."""
    return [q for q in questions if q.id in seen] + [q for q in questions if q.id not in seen]


def check_answer(question: Question, selected: Sequence[str]) -> tuple[str, ...]:
    """Normalise ``selected`` for ``question`` or raise :class:`AnswerError` saying what is wrong."""
    if isinstance(selected, (str, bytes)) or not all(isinstance(s, str) for s in selected):
        raise AnswerError("malformed", "selected must be a list of choice ids")
    chosen = tuple(dict.fromkeys(selected))
    unknown = [s for s in chosen if s not in question.choice_ids]
    if unknown:
        raise AnswerError("unknown_choice", f"unknown choice {unknown[0]!r}")
    if not chosen:
        raise AnswerError("empty", "select at least one choice")
    if question.kind != "multiple" and len(chosen) != 1:
        raise AnswerError("one_only", "this question takes exactly one choice")
    return chosen


def grade_question(question: Question, selected: Sequence[str]) -> QuestionResult:
    """Score one answer with the rules in the module docstring."""
    chosen = check_answer(question, selected)
    right = question.correct_ids
    if question.kind == "multiple":
        hits = sum(1 for c in chosen if c in right)
        misses = len(chosen) - hits
        score = max(0.0, (hits - misses) / len(right)) if right else 0.0
    else:
        score = 1.0 if chosen[0] in right else 0.0
    return QuestionResult(question.id, question.category, chosen, score, frozenset(chosen) == right)


def attempt_score(results: Iterable[QuestionResult], drawn: int) -> float:
    """Mean over the drawn questions; an unanswered question counts 0."""
    if drawn <= 0:
        return 0.0
    return min(1.0, sum(r.score for r in results) / drawn)


def split_advice(advice: str) -> tuple[str, str]:
    """The first sentence of an advice (shown), and the rest (shown on demand)."""
    text = " ".join(advice.split())
    match = re.search(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Þ«“\"])", text)
    if not match:
        return text, ""
    return text[: match.start()], text[match.end():]


def build_profile(
    bank: Bank, results: Sequence[QuestionResult], pass_threshold: float, drawn: int | None = None, min_to_judge: int = MIN_TO_JUDGE,
) -> Profile:
    """Score per risk category, weak categories with short advice, and the pass verdict."""
    total = attempt_score(results, drawn if drawn is not None else len(results))
    scores: list[CategoryScore] = []
    for category in bank.categories:
        mine = [r for r in results if r.category == category.id]
        if not mine:
            continue
        value = sum(r.score for r in mine) / len(mine)
        judged = len(mine) >= min_to_judge
        below = value < pass_threshold
        advice, more = split_advice(category.advice) if below else ("", "")
        scores.append(CategoryScore(category.id, category.label, value, len(mine), judged and below, advice, judged, more))
    return Profile(total, total >= pass_threshold, tuple(scores))
