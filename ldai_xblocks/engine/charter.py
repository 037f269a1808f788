"""The company AI charter: its rules, the quiz bank of its scenario questions, and what changed between versions.

Why the charter reuses :mod:`ldai_xblocks.engine.quiz` instead of grading on its own: a charter
question is exactly a risk-quiz charter question (its right answer depends on whether the
charter allows the practice, ``correct_if``), so the same draw, grading and score apply, and a
company's edit of a rule changes the answer key of the charter activity and of the quiz alike.

* **Verdicts.** A rule ``allowed``, ``forbidden`` or ``conditional`` (allowed under the
  conditions it states). For the answer key a conditional rule counts as allowed: its
  scenarios describe the practice done as the conditions say.
* **Sections are the quiz's categories**, so a balanced draw asks about several sections.
* **Diff by rule.** Between two versions a rule is added, removed or changed (its text,
  verdict, conditions or situations); the rest is unchanged and not listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from . import quiz

VERDICTS = ("allowed", "forbidden", "conditional")
MIN_QUESTIONS, MAX_QUESTIONS = 3, 5
SITUATION_KEYS = ("data_classes", "tools", "tasks")


@dataclass(frozen=True)
class Rule:
    id: str
    section: str
    text: str
    verdict: str
    conditions: str = ""
    data_classes: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        """The practice is allowed (perhaps under conditions): how the quiz's ``correct_if`` reads it."""
        return self.verdict != "forbidden"


@dataclass(frozen=True)
class RuleChange:
    rule_id: str
    change: str  # "added", "removed" or "changed"
    before: Mapping | None
    after: Mapping | None


def rules_of(document: Mapping) -> tuple[Rule, ...]:
    """Every rule of a validated charter, in reading order."""
    return tuple(
        Rule(
            rule["id"], section["id"], rule["text"], rule["verdict"], rule.get("conditions", ""),
            *(tuple(rule.get(key, ())) for key in SITUATION_KEYS),
        )
        for section in document["sections"]
        for rule in section["rules"]
    )


def quiz_overrides(document: Mapping) -> dict[str, dict]:
    """The charter as the risk quiz's ``build_bank`` takes it: per rule, its text and whether it is allowed."""
    return {rule.id: {"text": rule.text, "allowed": rule.allowed} for rule in rules_of(document)}


def build_bank(document: Mapping) -> quiz.Bank:
    """The charter's scenario questions as a quiz bank, their answer key resolved against its rules."""
    rules = rules_of(document)
    section_of = {rule.id: rule.section for rule in rules}
    quiz_document = {
        "categories": [{"id": s["id"], "label": s["title"], "advice": ""} for s in document["sections"]],
        "charter": [{"id": rule.id, "text": rule.text, "allowed": rule.allowed} for rule in rules],
        "questions": [
            {**question, "category": section_of.get(question["charter_rule"], ""), "difficulty": question.get("difficulty", 1)}
            for question in document["questions"]
            if question["charter_rule"] in section_of
        ],
    }
    return quiz.build_bank(quiz_document)


def draw(bank: quiz.Bank, count: int, seed: int, seen: Iterable[str] = ()) -> list[str]:
    """3 to 5 questions across sections (the quiz's balanced draw), the same for the same seed."""
    count = min(MAX_QUESTIONS, max(MIN_QUESTIONS, count))
    return quiz.draw(bank, count, seed, balanced=True, seen=seen)


def snapshot(document: Mapping) -> dict[str, dict]:
    """What a version says, rule by rule: kept for every version so any two can be compared later."""
    return {
        rule.id: {
            "section": rule.section, "text": rule.text, "verdict": rule.verdict, "conditions": rule.conditions,
            **{key: list(getattr(rule, key)) for key in SITUATION_KEYS},
        }
        for rule in rules_of(document)
    }


def diff(before: Mapping[str, Mapping], after: Mapping[str, Mapping]) -> list[RuleChange]:
    """The rules added, removed or changed from one snapshot to another, in the new version's order."""
    changes = []
    for rule_id, rule in after.items():
        if rule_id not in before:
            changes.append(RuleChange(rule_id, "added", None, rule))
        elif dict(before[rule_id]) != dict(rule):
            changes.append(RuleChange(rule_id, "changed", before[rule_id], rule))
    changes.extend(RuleChange(rule_id, "removed", rule, None) for rule_id, rule in before.items() if rule_id not in after)
    return changes
