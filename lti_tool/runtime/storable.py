"""What the runtime writes to the database: the same value on SQLite and on PostgreSQL.

PostgreSQL refuses U+0000 in ``text`` and ``jsonb`` ("unsupported Unicode escape
sequence"); SQLite stores it. Rather than a 500 on one database and a different value
on the other, the runtime removes U+0000 from every string it saves (learner state,
the link's summary and settings): a NUL never carries meaning in a prompt or a name,
and everything else the learner wrote is kept. tests/lti/test_learner_text_storage.py
runs on both databases.
"""

from __future__ import annotations

from typing import Any

NUL = "\x00"


def storable(value: Any) -> Any:
    """``value`` with U+0000 removed from every string in it (dict keys too); other values unchanged."""
    if isinstance(value, str):
        return value.replace(NUL, "") if NUL in value else value
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(storable(v) for v in value)
    return value
