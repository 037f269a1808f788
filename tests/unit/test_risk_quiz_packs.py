"""The default risk-quiz pack ``ai-risks`` in English and French: coverage and answer-key sanity.

The schema and the semantic rules say a pack is *usable*; these checks say the
shipped default is *good enough to ship*: every risk category and job family has
enough questions, the question kinds are mixed, the two languages can be compared
question by question in analytics, and charter questions work whichever way an
author sets their rule.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache

import pytest

from ldai_xblocks.content import load_pack, validate
from ldai_xblocks.content.packs import LANGUAGES
from ldai_xblocks.resources import packs_dir

PACK_ID = "ai-risks"
CATEGORIES = ("hallucinations", "bias", "data_protection", "ethics_transparency", "environment", "charter")
JOB_FAMILIES = ("marketing", "finance", "hr", "production", "sales", "management")
ID_PREFIX = {"hallucinations": "hal", "bias": "bias", "data_protection": "dp", "ethics_transparency": "eth", "environment": "env", "charter": "cha"}
TRUE_FALSE_TEXTS = {"en": {"t": "True", "f": "False"}, "fr": {"t": "Vrai", "f": "Faux"}}
MIN_PER_CATEGORY = 8
MIN_PER_FAMILY = 6
MIN_PER_KIND = {"multiple": 6, "true_false": 6}
MIN_CHARTER_RULES = 8
MIN_CHARTER_QUESTIONS = 6
# Answers a test-wise learner could pick without reading.
FORBIDDEN_CHOICES = re.compile(r"all of the above|none of the above|toutes les réponses|aucune des réponses", re.IGNORECASE)


@cache
def _pack(lang: str) -> dict:
    """The raw document: a broken pack then fails the checks below one by one, not test collection."""
    with open(packs_dir() / lang / "risk_quiz" / f"{PACK_ID}.json", encoding="utf-8") as handle:
        return json.load(handle)


def _questions(lang: str) -> list[dict]:
    return _pack(lang)["questions"]


def _all_questions():
    for lang in LANGUAGES:
        for question in _questions(lang):
            yield pytest.param(lang, question, id=f"{lang}-{question['id']}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pack_validates_and_declares_its_language(lang):
    document = _pack(lang)
    assert validate("risk_quiz", document) == []
    assert load_pack("risk_quiz", f"{lang}/{PACK_ID}") == document
    assert (document["id"], document["lang"], document["schema"]) == (PACK_ID, lang, "ldai.risk_quiz/1")
    assert document["title"] and document["description"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_six_categories_each_have_a_label_and_actionable_advice(lang):
    categories = _pack(lang)["categories"]
    assert tuple(c["id"] for c in categories) == CATEGORIES
    for category in categories:
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", category["advice"].strip()) if s]
        assert category["label"].strip()
        assert 2 <= len(sentences) <= 4, (category["id"], len(sentences))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("category", CATEGORIES)
def test_each_category_has_enough_questions_over_all_difficulties(lang, category):
    questions = [q for q in _questions(lang) if q["category"] == category]
    assert len(questions) >= MIN_PER_CATEGORY
    assert {q["difficulty"] for q in questions} == {1, 2, 3}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("family", JOB_FAMILIES)
def test_each_job_family_has_enough_questions(lang, family):
    assert sum(q.get("job_family") == family for q in _questions(lang)) >= MIN_PER_FAMILY


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_question_names_one_job_family(lang):
    assert {q.get("job_family") for q in _questions(lang)} <= set(JOB_FAMILIES)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("kind", "minimum"), sorted(MIN_PER_KIND.items()))
def test_question_kinds_are_mixed(lang, kind, minimum):
    kinds = Counter(q["kind"] for q in _questions(lang))
    assert kinds[kind] >= minimum
    assert kinds["single"] > kinds[kind], "most questions are single-answer"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_true_false_questions_use_t_and_f_in_the_pack_language(lang):
    for question in (q for q in _questions(lang) if q["kind"] == "true_false"):
        assert {c["id"]: c["text"] for c in question["choices"]} == TRUE_FALSE_TEXTS[lang], question["id"]


def test_english_and_french_packs_ask_the_same_questions_with_the_same_answer_keys():
    """Analytics compare a question across languages by id, so everything but the wording matches."""

    def key(question: dict) -> tuple:
        choices = tuple((c["id"], c.get("correct"), c.get("correct_if")) for c in question["choices"])
        return (question["id"], question["category"], question["kind"], question["difficulty"], question.get("job_family"),
                question.get("charter_rule"), choices)

    english, french = _pack("en"), _pack("fr")
    assert [key(q) for q in english["questions"]] == [key(q) for q in french["questions"]]
    assert [(r["id"], r["allowed"]) for r in english["charter"]] == [(r["id"], r["allowed"]) for r in french["charter"]]


@pytest.mark.parametrize(("lang", "question"), list(_all_questions()))
def test_question_is_well_formed(lang, question):
    assert re.fullmatch(rf"{ID_PREFIX[question['category']]}-\d\d", question["id"])
    texts = [c["text"].strip().casefold() for c in question["choices"]]
    assert len(texts) == len(set(texts)), "two choices have the same text"
    assert not any(FORBIDDEN_CHOICES.search(t) for t in texts)
    assert question["explanation"].strip()
    for choice in question["choices"]:
        feedback = choice["feedback"].strip()
        assert len(feedback) >= 40 and feedback.casefold() not in {"wrong.", "right.", "faux.", "exact."}, choice


@pytest.mark.parametrize("lang", LANGUAGES)
def test_charter_has_enough_rules_both_allowed_and_forbidden(lang):
    charter = _pack(lang)["charter"]
    assert len(charter) >= MIN_CHARTER_RULES
    assert {rule["allowed"] for rule in charter} == {True, False}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_enough_charter_questions_and_only_in_the_charter_category(lang):
    with_rule = [q for q in _questions(lang) if q.get("charter_rule")]
    assert len(with_rule) >= MIN_CHARTER_QUESTIONS
    assert {q["category"] for q in with_rule} == {"charter"}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("allowed", [True, False])
def test_charter_questions_have_exactly_one_right_answer_whichever_way_the_rule_is_set(lang, allowed):
    rules = {rule["id"] for rule in _pack(lang)["charter"]}
    verdict = "allowed" if allowed else "forbidden"
    word = {"en": "charter", "fr": "charte"}[lang]
    for question in (q for q in _questions(lang) if q.get("charter_rule")):
        assert question["charter_rule"] in rules, question["id"]
        assert question["kind"] in ("single", "true_false"), question["id"]
        assert sum(c["correct_if"] == verdict for c in question["choices"]) == 1, question["id"]
        # The author can flip the rule, so feedback talks about "your company's charter", not a fixed answer.
        assert all(word in c["feedback"].casefold() for c in question["choices"]), question["id"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_right_answer_is_not_given_away_by_its_length(lang):
    single = [q for q in _questions(lang) if q["kind"] == "single" and not q.get("charter_rule")]
    longest = 0
    for question in single:
        right = next(len(c["text"]) for c in question["choices"] if c["correct"])
        longest += right > max(len(c["text"]) for c in question["choices"] if not c["correct"])
    assert longest <= len(single) / 3, f"the right choice is the longest in {longest} of {len(single)} questions"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_right_answer_is_not_always_in_the_same_place(lang):
    positions = Counter(
        next(i for i, c in enumerate(q["choices"]) if c["correct"])
        for q in _questions(lang) if q["kind"] == "single" and not q.get("charter_rule")
    )
    assert len(positions) >= 3 and max(positions.values()) <= sum(positions.values()) / 2


def test_french_pack_is_written_in_french_not_copied_from_english():
    english = {q["id"]: q for q in _questions("en")}
    for question in _questions("fr"):
        assert question["stem"] != english[question["id"]]["stem"]
        assert question["explanation"] != english[question["id"]]["explanation"]
    assert "RGPD" in str(_pack("fr")) and "CNIL" in str(_pack("fr"))
