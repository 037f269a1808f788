"""Semantic rules of a charter: unique ids, conditions where a rule conditions, questions tied to its rules."""

from __future__ import annotations

from collections.abc import Iterator

from ..validation import N_, Gettext, Problem
from . import duplicate_ids


def check(document: dict, _: Gettext) -> Iterator[Problem]:
    yield from duplicate_ids([s["id"] for s in document["sections"]], "$.sections", _)
    rule_ids: list[str] = []
    for s_index, section in enumerate(document["sections"]):
        for r_index, rule in enumerate(section["rules"]):
            path = f"$.sections[{s_index}].rules[{r_index}]"
            if rule["id"] in rule_ids:
                yield Problem(f"{path}.id", _(N_("The id “{value}” is used twice: ids must be unique.")).format(value=rule["id"]))
            rule_ids.append(rule["id"])
            if rule["verdict"] == "conditional" and not rule.get("conditions", "").strip():
                yield Problem(f"{path}.conditions", _(N_("A conditional rule says under which conditions the practice is allowed (“conditions”).")))
    if not rule_ids:
        yield Problem("$.sections", _(N_("The charter needs at least one rule.")))
    yield from duplicate_ids([q["id"] for q in document["questions"]], "$.questions", _)
    for index, question in enumerate(document["questions"]):
        path = f"$.questions[{index}]"
        if question["charter_rule"] not in rule_ids:
            yield Problem(f"{path}.charter_rule", _(N_("This question refers to the charter rule “{value}”, which the charter does not define.")).format(value=question["charter_rule"]))
        yield from duplicate_ids([c["id"] for c in question["choices"]], f"{path}.choices", _)
        if question["kind"] == "true_false" and len(question["choices"]) != 2:
            yield Problem(f"{path}.choices", _(N_("A true/false question has exactly two choices.")))
        if not {"allowed", "forbidden"} <= {c["correct_if"] for c in question["choices"]}:
            yield Problem(f"{path}.choices", _(N_("A charter question needs a right answer both when the practice is allowed and when it is forbidden.")))
