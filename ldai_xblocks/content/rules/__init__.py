"""Semantic rules per content kind: what JSON Schema cannot say (cross references, offsets).

Each ``<kind>.py`` exposes ``check(document, gettext)``; the rules every kind shares live here.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..validation import N_, Gettext, Problem


def duplicate_ids(ids: list[str], path: str, _: Gettext) -> Iterator[Problem]:
    """A problem for every id already used earlier in the same list (the second use is the one to change)."""
    seen: set[str] = set()
    for index, value in enumerate(ids):
        if value in seen:
            yield Problem(f"{path}[{index}].id", _(N_("The id “{value}” is used twice: ids must be unique.")).format(value=value))
        seen.add(value)
