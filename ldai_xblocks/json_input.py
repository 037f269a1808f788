"""Reading JSON someone else wrote: a body nested deeper than any document of ours is refused like malformed JSON.

Why a depth limit and not only ``json.loads``: the C decoder raises ``RecursionError``
(not a ``ValueError``) past the interpreter's recursion limit, so a request body of
200,000 ``[`` became a 500; and a body just under that limit parses, then exhausts
the stack later in code that walks it (schema validation, saving). No handler input
or content document of ours nests more than a dozen levels, so anything deeper than
:data:`MAX_DEPTH` is an error the caller reports like any other malformed JSON.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64


class JsonTooDeep(ValueError):
    """The JSON nests objects/arrays deeper than the limit (``ValueError``: callers treat it as malformed)."""


def depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests containers deeper than ``limit`` (iterative: safe on any depth)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads`` that raises ``ValueError`` (never ``RecursionError``) for input we cannot use."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JsonTooDeep(f"JSON nested more than {max_depth} levels deep") from None
    if depth_exceeds(value, max_depth):
        raise JsonTooDeep(f"JSON nested more than {max_depth} levels deep")
    return value
