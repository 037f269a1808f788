"""The hallucination-detector content: the default packs and the author-facing validation messages."""

from __future__ import annotations

import copy

import pytest

from ldai_xblocks.content import list_packs, load_pack, pack_stats, validate
from ldai_xblocks.engine.spans import score_spans, unit_spans
from ldai_xblocks.i18n import gettext_for

KIND = "hallucination_detector"
FAMILIES = ("marketing", "finance", "hr", "production", "sales", "management")
PACKS = list_packs(KIND)
ITEMS = [(info.ref, item) for info in PACKS for item in load_pack(KIND, info.ref)["items"]]


def test_one_pack_per_job_family_and_language():
    refs = {info.ref for info in PACKS}
    assert refs >= {f"{lang}/{family}" for lang in ("en", "fr") for family in FAMILIES}
    for info in PACKS:
        assert info.job_family == info.id
        assert load_pack(KIND, info.ref)["lang"] == info.lang


def test_stats_count_at_least_two_items_per_family_and_language():
    stats = pack_stats()[KIND]
    for lang in ("en", "fr"):
        assert stats[lang]["items"] >= 12
        assert stats[lang]["job_families"] == sorted(FAMILIES)
    for info in PACKS:
        assert len(load_pack(KIND, info.ref)["items"]) >= 2


@pytest.mark.parametrize(("ref", "item"), ITEMS, ids=[f"{ref}/{item['id']}" for ref, item in ITEMS])
def test_every_item_is_a_good_exercise(ref, item):
    assert 2 <= len(item["hallucinations"]) <= 5
    assert item["traps"], "each item teaches not to over-flag with at least one trap"
    for span in item["hallucinations"] + item["traps"]:
        assert item["text"][span["start"]:span["end"]] == span["quote"]
        assert span["explanation"].strip()
    for hallucination in item["hallucinations"]:
        assert hallucination["correction"].strip()
    # The learner view toggles units: flagging exactly the units that hold a hallucination must score 1.
    lang = ref.split("/")[0]
    units = unit_spans(item["text"], lang)
    gold = [(h["start"], h["end"]) for h in item["hallucinations"]]
    best = [u for u in units if any(u[0] < end and start < u[1] for start, end in gold)]
    assert score_spans(len(item["text"]), gold, best, units=units).score == 1.0


def _document():
    return copy.deepcopy(load_pack(KIND, "en/finance"))


def _paths(document, lang="en"):
    return {problem.path: problem.message for problem in validate(KIND, document, gettext_for(lang))}


def test_default_pack_is_valid():
    assert validate(KIND, _document()) == []


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d["items"][0]["hallucinations"][0].update(end=10_000), "$.items[0].hallucinations[0].end", "past the end"),
        (lambda d: d["items"][0]["hallucinations"][0].update(end=d["items"][0]["hallucinations"][0]["start"]),
         "$.items[0].hallucinations[0].end", "empty"),
        (lambda d: d["items"][0]["traps"][0].update(start=d["items"][0]["hallucinations"][0]["start"],
                                                    end=d["items"][0]["hallucinations"][0]["end"],
                                                    quote=d["items"][0]["hallucinations"][0]["quote"]),
         "$.items[0].traps[0]", "overlaps $.items[0].hallucinations[0]"),
        (lambda d: d["items"][0]["hallucinations"][1].update(start=d["items"][0]["hallucinations"][1]["start"] + 1),
         "$.items[0].hallucinations[1].quote", "quoted"),
        (lambda d: d["items"][1].update(id=d["items"][0]["id"]), "$.items[1].id", "used twice"),
        (lambda d: d["items"][0]["hallucinations"][0].update(kind="lie"), "$.items[0].hallucinations[0].kind", "one of"),
        (lambda d: d["items"][0]["hallucinations"][0].update(start=-1), "$.items[0].hallucinations[0].start", "at least 0"),
        (lambda d: d["items"][0]["hallucinations"][0].pop("explanation"), "$.items[0].hallucinations[0].explanation", "missing"),
    ],
)
def test_bad_spans_get_a_message_with_a_path(change, path, words):
    document = _document()
    change(document)
    problems = _paths(document)
    assert path in problems, problems
    assert words in problems[path]


def test_a_span_on_spaces_is_refused():
    document = _document()
    item = document["items"][0]
    item["text"] = "Revenue rose  sharply."
    item["hallucinations"] = [{"start": 7, "end": 13, "kind": "fabricated_fact", "explanation": "x", "correction": "y"}]
    item["traps"] = []
    assert "space" in _paths(document)["$.items[0].hallucinations[0]"]


def test_overlapping_hallucinations_are_refused_once():
    document = _document()
    item = document["items"][0]
    first = item["hallucinations"][0]
    item["hallucinations"].append({**first, "start": first["start"], "end": first["end"] - 1, "quote": item["text"][first["start"]:first["end"] - 1]})
    problems = [p for p in validate(KIND, document) if "overlaps" in p.message]
    assert len(problems) == 1


def test_messages_are_in_the_authors_language():
    document = _document()
    document["items"][0]["hallucinations"][0]["end"] = 10_000
    message = _paths(document, "fr")["$.items[0].hallucinations[0].end"]
    assert "texte" in message


def test_traps_are_optional():
    document = _document()
    for item in document["items"]:
        item.pop("traps")
    assert validate(KIND, document) == []
