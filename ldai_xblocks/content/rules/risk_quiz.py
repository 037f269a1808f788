"""Semantic rules of a risk-quiz pack: unique ids, known categories, a coherent answer key."""

from __future__ import annotations

from collections.abc import Iterator

from ..validation import N_, Gettext, Problem
from . import duplicate_ids


def check(document: dict, _: Gettext) -> Iterator[Problem]:
    category_ids = [c["id"] for c in document["categories"]]
    yield from duplicate_ids(category_ids, "$.categories", _)
    charter = {rule["id"] for rule in document.get("charter", [])}
    yield from duplicate_ids([r["id"] for r in document.get("charter", [])], "$.charter", _)
    yield from duplicate_ids([q["id"] for q in document["questions"]], "$.questions", _)
    for index, question in enumerate(document["questions"]):
        path = f"$.questions[{index}]"
        if question["category"] not in category_ids:
            yield Problem(f"{path}.category", _(N_("Unknown category “{value}”: use one of {known}.")).format(value=question["category"], known=", ".join(category_ids)))
        yield from duplicate_ids([c["id"] for c in question["choices"]], f"{path}.choices", _)
        yield from _answer_key(question, path, charter, _)



def _answer_key(question: dict, path: str, charter: set[str], _: Gettext) -> Iterator[Problem]:
    choices = question["choices"]
    if question["kind"] == "true_false" and len(choices) != 2:
        yield Problem(f"{path}.choices", _(N_("A true/false question has exactly two choices.")))
    rule = question.get("charter_rule")
    if rule is not None:
        if rule not in charter:
            yield Problem(f"{path}.charter_rule", _(N_("This question refers to the charter rule “{value}”, which the charter does not define.")).format(value=rule))
        for index, choice in enumerate(choices):
            if "correct_if" not in choice or "correct" in choice:
                yield Problem(f"{path}.choices[{index}]", _(N_("In a charter question each choice says “correct_if”: “allowed” or “forbidden”, and has no “correct”.")))
        keys = [{c.get("correct_if") for c in choices}]
        if question["kind"] != "multiple" and keys and not ({"allowed", "forbidden"} <= keys[0]):
            yield Problem(f"{path}.choices", _(N_("A charter question needs a right answer both when the practice is allowed and when it is forbidden.")))
        return
    for index, choice in enumerate(choices):
        if "correct" not in choice or "correct_if" in choice:
            yield Problem(f"{path}.choices[{index}]", _(N_("Each choice says whether it is correct (“correct”: true or false).")))
    right = sum(1 for c in choices if c.get("correct"))
    if question["kind"] in ("single", "true_false") and right != 1:
        yield Problem(f"{path}.choices", _(N_("A single-answer question needs exactly one correct choice (found {count}).")).format(count=right))
    if question["kind"] == "multiple" and right < 1:
        yield Problem(f"{path}.choices", _(N_("A multiple-answer question needs at least one correct choice.")))
