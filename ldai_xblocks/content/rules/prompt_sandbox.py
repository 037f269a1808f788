"""Semantic rules of a prompt-sandbox pack: unique ids, one language and job family, usable weights,
and a reference prompt that sets a good example (no confidential data in it)."""

from __future__ import annotations

from collections.abc import Iterator

from ..validation import N_, Gettext, Problem
from . import duplicate_ids

MIXED_ID = "any-job-family"
"""A document with this id mixes the job families (content.packs builds one from every family pack)."""


def check(document: dict, _: Gettext) -> Iterator[Problem]:
    from ...engine.sensitive import scan  # engine import kept local: validation stays cheap to import

    yield from duplicate_ids([s["id"] for s in document["scenarios"]], "$.scenarios", _)
    charter = document.get("charter", [])
    yield from duplicate_ids([r["id"] for r in charter], "$.charter", _)
    covered: dict[str, int] = {}
    for index, rule in enumerate(charter):
        for kind in rule["kinds"]:
            if kind in covered:
                yield Problem(f"$.charter[{index}].kinds", _(N_("The kind “{value}” is already covered by another charter rule: list each kind once.")).format(value=kind))
            covered[kind] = index
    for index, scenario in enumerate(document["scenarios"]):
        path = f"$.scenarios[{index}]"
        if scenario["job_family"] != document["job_family"] and document["id"] != MIXED_ID:  # "any job family" mixes them on purpose
            yield Problem(f"{path}.job_family", _(N_("This scenario's job family “{value}” differs from the pack's (“{expected}”): move it to the right pack.")).format(value=scenario["job_family"], expected=document["job_family"]))
        if scenario.get("lang", document["lang"]) != document["lang"]:
            yield Problem(f"{path}.lang", _(N_("This scenario's language differs from the pack's (“{expected}”).")).format(expected=document["lang"]))
        weights = scenario.get("weights")
        if weights is not None and not any(weights.values()):
            yield Problem(f"{path}.weights", _(N_("At least one criterion needs a weight above zero.")))
        terms = scenario.get("confidential_terms") or []
        leaks = scan(scenario["reference_prompt"], terms)
        if leaks:
            kinds = ", ".join(sorted({f.kind for f in leaks}))
            yield Problem(f"{path}.reference_prompt", _(N_("The reference prompt contains confidential data ({kinds}): it must set the example, remove it.")).format(kinds=kinds))
