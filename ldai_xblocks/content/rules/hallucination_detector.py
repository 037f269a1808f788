"""Semantic rules of a hallucination-detector pack: spans that fit their text, and unique ids.

The schema checks the shape; these rules check what only the text can tell. A span
must lie inside its item's text, hold at least one character, start and end on a
visible character (a span that starts on a space is usually an offset off by one), match
its ``quote`` when one is given, and overlap no other span of the item (a passage is either
invented or a trap, and is counted once). Each message names the JSON path to fix.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..validation import N_, Gettext, Problem
from . import duplicate_ids


def check(document: dict, _: Gettext) -> Iterator[Problem]:
    yield from duplicate_ids([item["id"] for item in document["items"]], "$.items", _)
    for index, item in enumerate(document["items"]):
        yield from _item_spans(item, f"$.items[{index}]", _)


def _item_spans(item: dict, path: str, _: Gettext) -> Iterator[Problem]:
    text = item["text"]
    valid: list[tuple[int, int, str]] = []
    for group in ("hallucinations", "traps"):
        for index, span in enumerate(item.get(group, [])):
            span_path = f"{path}.{group}[{index}]"
            problems = list(_one_span(span, text, span_path, _))
            yield from problems
            if not problems:
                valid.append((span["start"], span["end"], span_path))
    valid.sort()
    for (_start, previous_end, previous_path), (start, _end, span_path) in zip(valid, valid[1:], strict=False):
        if start < previous_end:
            yield Problem(span_path, _(N_("This passage overlaps {other}: a passage is marked only once, so shorten one of the two.")).format(other=previous_path))


def _one_span(span: dict, text: str, path: str, _: Gettext) -> Iterator[Problem]:
    start, end = span["start"], span["end"]
    if end > len(text):
        yield Problem(f"{path}.end", _(N_("This passage ends at {end}, past the end of the text ({length} characters): check the offsets.")).format(end=end, length=len(text)))
        return
    if start >= end:
        yield Problem(f"{path}.end", _(N_("This passage is empty: “end” ({end}) must be greater than “start” ({start}).")).format(start=start, end=end))
        return
    excerpt = text[start:end]
    if "quote" in span and span["quote"] != excerpt:
        yield Problem(f"{path}.quote", _(N_("The offsets point to “{excerpt}”, not to the quoted “{quote}”: fix “start” and “end” or the quote.")).format(excerpt=_short(excerpt), quote=_short(span["quote"])))
        return
    if excerpt[0].isspace() or excerpt[-1].isspace():
        yield Problem(path, _(N_("This passage starts or ends with a space: move “start” and “end” onto the first and last characters of the words.")))


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
