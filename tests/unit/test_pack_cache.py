"""``load_pack`` hands out one cached document per pack: no caller may change it for the next one.

Before, ``load_pack`` returned the cached dict itself: a block that shuffled a pack's questions in
place, or an author's "start from this pack" edited server-side, changed the content of every later
learner of the process in silence. Now the document is read-only (ldai_xblocks/content/frozen.py).
"""

from __future__ import annotations

import copy
import json
import pickle
import random

import pytest

from ldai_xblocks.content import list_packs, load_pack
from ldai_xblocks.content.frozen import thaw
from ldai_xblocks.content.validation import KINDS


def first_list(value):
    """The first non-empty JSON array anywhere in ``value`` (a pack's questions, texts, sections...)."""
    if isinstance(value, list) and value:
        return value
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((found for found in map(first_list, children) if found is not None), None)


REFS = [(kind, info.ref) for kind in sorted(KINDS) for info in list_packs(kind)[:1]] + [("hallucination_detector", "en/any-job-family")]


@pytest.mark.parametrize(("kind", "ref"), REFS)
def test_mutating_a_loaded_pack_raises_and_the_next_load_is_unchanged(kind, ref):
    document = load_pack(kind, ref)
    before = json.dumps(document, sort_keys=True)
    value = first_list(document)
    attempts = [
        lambda: document.__setitem__("title", "changed"),
        lambda: document.pop("title"),
        lambda: document.update(title="changed"),
        lambda: document.setdefault("new", 1),
        lambda: value.append({}),
        lambda: value.__setitem__(0, {}),
        lambda: random.shuffle(value),
        lambda: value.sort(key=str),
        lambda: value[0].__setitem__("id", "changed") if isinstance(value[0], dict) else value.clear(),
    ]
    for attempt in attempts:
        with pytest.raises(TypeError, match="read-only"):
            attempt()
    again = load_pack(kind, ref)
    assert json.dumps(again, sort_keys=True) == before


def test_a_copy_is_plain_and_writable_and_reads_as_the_pack():
    document = load_pack("risk_quiz", list_packs("risk_quiz")[0].ref)
    for copied in (copy.deepcopy(document), thaw(document), pickle.loads(pickle.dumps(document))):
        assert type(copied) is dict and copied == document
        first = first_list(copied)
        assert type(first) is list
        first.append("ldai-test-sentinel")
        copied["title"] = "ldai-test-sentinel"
    assert "ldai-test-sentinel" not in json.dumps(document)
    assert isinstance(document, dict) and json.loads(json.dumps(document)) == document  # callers serialise and test it as before
