"""Semantic rules of a skills map: unique ids, profiles and evidence that name known competences."""

from __future__ import annotations

from collections.abc import Iterator

from ..validation import N_, Gettext, Problem
from . import duplicate_ids


def check(document: dict, _: Gettext) -> Iterator[Problem]:
    competence_ids = [c["id"] for c in document["competences"]]
    known = set(competence_ids)
    yield from duplicate_ids(competence_ids, "$.competences", _)
    yield from duplicate_ids([p["id"] for p in document["job_profiles"]], "$.job_profiles", _)
    unknown = _(N_("Unknown competence “{value}”: use one of the ids listed under “competences”."))
    for index, profile in enumerate(document["job_profiles"]):
        for competence in profile["targets"]:
            if competence not in known:
                yield Problem(f"$.job_profiles[{index}].targets.{competence}", unknown.format(value=competence))
        if not any(target["weight"] > 0 and target["level"] > 0 for target in profile["targets"].values()):
            yield Problem(f"$.job_profiles[{index}].targets", _(N_("This profile needs at least one competence with a target level and a weight above 0.")))
    seen: set[tuple[str, str]] = set()
    for index, rule in enumerate(document["evidence"]):
        key = (rule["activity"], rule["signal"])
        if key in seen:
            yield Problem(f"$.evidence[{index}].signal", _(N_("This signal of this activity is already mapped above: merge the two entries.")))
        seen.add(key)
        for position, competence in enumerate(rule["competences"]):
            if competence not in known:
                yield Problem(f"$.evidence[{index}].competences[{position}]", unknown.format(value=competence))
