"""Semantic rules of a use-case pack: unique survey items, a scale that climbs one way."""

from __future__ import annotations

from collections.abc import Iterator

from ..validation import N_, Gettext, Problem
from . import duplicate_ids


def check(document: dict, _: Gettext) -> Iterator[Problem]:
    survey = document["survey"]
    yield from duplicate_ids([item["id"] for item in survey["items"]], "$.survey.items", _)
    values = [step["value"] for step in survey["scale"]]
    if values != sorted(set(values)):
        yield Problem("$.survey.scale", _(N_("The scale's values must climb, each once (for example 1, 2, 3, 4, 5).")))
