"""The quiz engine: drawing, grading with partial credit, profiles, charter resolution."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldai_xblocks.engine import quiz
from tests.conftest import fixture_text

DOCUMENT = json.loads(fixture_text("quiz_small.json"))
BANK = quiz.build_bank(DOCUMENT)


@pytest.mark.parametrize(
    ("question_id", "selected", "expected"),
    [
        ("h1", ["b"], 1.0),
        ("h1", ["a"], 0.0),
        ("b1", ["t"], 1.0),
        ("b1", ["f"], 0.0),
        # multiple: k = 2 right choices; each right +1/2, each wrong -1/2, floored at 0
        ("h2", ["a", "b"], 1.0),
        ("h2", ["a"], 0.5),
        ("h2", ["a", "c"], 0.0),
        ("h2", ["a", "b", "c"], 0.5),
        ("h2", ["c"], 0.0),
        ("h2", ["a", "a"], 0.5),  # a repeated id counts once
    ],
)
def test_grade_question_follows_the_documented_rule(question_id, selected, expected):
    assert quiz.grade_question(BANK.questions[question_id], selected).score == pytest.approx(expected)


@pytest.mark.parametrize(
    ("question_id", "selected", "code"),
    [
        ("h1", [], "empty"),
        ("h1", ["a", "b"], "one_only"),
        ("h1", ["z"], "unknown_choice"),
        ("h1", "b", "malformed"),
        ("h1", [1], "malformed"),
    ],
)
def test_bad_answers_are_refused_with_a_reason(question_id, selected, code):
    with pytest.raises(quiz.AnswerError) as error:
        quiz.grade_question(BANK.questions[question_id], selected)
    assert error.value.code == code


def test_charter_questions_follow_the_charter_in_force():
    forbidden = quiz.build_bank(DOCUMENT)
    allowed = quiz.build_bank(DOCUMENT, {"client-data-public-chatbot": {"allowed": True}})
    assert forbidden.questions["c1"].correct_ids == {"f"}
    assert allowed.questions["c1"].correct_ids == {"t"}
    assert allowed.charter[0].text == DOCUMENT["charter"][0]["text"]
    edited = quiz.build_bank(DOCUMENT, {"client-data-public-chatbot": {"text": "Our rule."}})
    assert edited.charter[0].text == "Our rule." and edited.charter[0].allowed is False


def test_balanced_draw_covers_categories_before_repeating_one():
    drawn = quiz.draw(BANK, 3, seed=7)
    assert {BANK.questions[q].category for q in drawn} == {"hallucinations", "bias", "charter"}


def test_draw_respects_categories_and_job_family():
    assert set(quiz.draw(BANK, 10, seed=1, categories=["bias"])) == {"b1", "b2"}
    # family-neutral questions ("all") count as the family's own
    assert set(quiz.draw(BANK, 2, seed=3, job_family="hr")) == {"b1", "c1"}
    # too few questions of the family: the draw falls back to the whole pool
    assert len(quiz.draw(BANK, 4, seed=3, job_family="hr")) == 4


def test_profile_marks_weak_categories_with_advice():
    results = [
        quiz.grade_question(BANK.questions["h1"], ["b"]),
        quiz.grade_question(BANK.questions["b1"], ["f"]),
        quiz.grade_question(BANK.questions["b2"], sorted(BANK.questions["b2"].correct_ids)),
    ]
    profile = quiz.build_profile(BANK, results, pass_threshold=0.7)
    by_id = {c.id: c for c in profile.categories}
    assert profile.score == pytest.approx(2 / 3) and not profile.passed
    assert by_id["hallucinations"].weak is False and by_id["hallucinations"].advice == ""
    assert by_id["bias"].judged and by_id["bias"].weak is True and by_id["bias"].advice == "Ask who is missing from the data."


def test_a_category_is_judged_only_on_two_questions_or_more():
    """One question says too little: the category is shown, not called weak, and still gets its advice."""
    results = [quiz.grade_question(BANK.questions["b1"], ["f"]), quiz.grade_question(BANK.questions["h1"], ["b"])]
    by_id = {c.id: c for c in quiz.build_profile(BANK, results, pass_threshold=0.7).categories}
    assert by_id["bias"].judged is False and by_id["bias"].weak is False and by_id["bias"].answered == 1
    assert by_id["bias"].advice == "Ask who is missing from the data."
    assert by_id["hallucinations"].judged is False and by_id["hallucinations"].advice == ""


@pytest.mark.parametrize(("advice", "short", "more"), [
    ("Check every figure. Next week, trace one answer to its source.", "Check every figure.", "Next week, trace one answer to its source."),
    ("One sentence only, e.g. this one", "One sentence only, e.g. this one", ""),
    ("Avant de coller : est-ce que je l’enverrais ? « Non » : alors ne le faites pas.", "Avant de coller : est-ce que je l’enverrais ?", "« Non » : alors ne le faites pas."),
])
def test_advice_is_split_into_a_short_first_sentence_and_the_rest(advice, short, more):
    assert quiz.split_advice(advice) == (short, more)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**63), count=st.integers(min_value=1, max_value=4), balanced=st.booleans())
def test_a_retry_draws_unseen_questions_first(seed, count, balanced):
    """Deterministic for the seed, and no question repeats while unseen ones remain (in its category when balanced)."""
    first = quiz.draw(BANK, count, seed, balanced=balanced)
    second = quiz.draw(BANK, count, seed + 1, balanced=balanced, seen=first)
    assert second == quiz.draw(BANK, count, seed + 1, balanced=balanced, seen=first)
    unseen_left = len(BANK.questions) - len(first)
    if not balanced:
        assert len(set(second) & set(first)) == max(0, count - unseen_left)
    else:
        for qid in set(second) & set(first):
            category = BANK.questions[qid].category
            members = {q.id for q in BANK.questions.values() if q.category == category}
            assert members <= set(first) | set(second), f"{qid} repeated while its category had unseen questions"


def test_unanswered_questions_count_zero():
    results = [quiz.grade_question(BANK.questions["h1"], ["b"])]
    assert quiz.attempt_score(results, drawn=4) == 0.25


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**63), count=st.integers(min_value=0, max_value=10), balanced=st.booleans())
def test_same_seed_same_draw_and_no_repeats(seed, count, balanced):
    first = quiz.draw(BANK, count, seed, balanced=balanced)
    assert first == quiz.draw(BANK, count, seed, balanced=balanced)
    assert len(first) == len(set(first)) == min(count, len(BANK.questions))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_score_always_in_unit_interval(data):
    question = BANK.questions[data.draw(st.sampled_from(sorted(BANK.questions)))]
    ids = list(question.choice_ids)
    if question.kind == "multiple":
        selected = data.draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    else:
        selected = [data.draw(st.sampled_from(ids))]
    assert 0.0 <= quiz.grade_question(question, selected).score <= 1.0


@given(seed=st.integers(min_value=0, max_value=2**32))
def test_a_perfect_answer_sheet_scores_one(seed):
    drawn = quiz.draw(BANK, 6, seed)
    results = [quiz.grade_question(BANK.questions[q], sorted(BANK.questions[q].correct_ids)) for q in drawn]
    assert quiz.build_profile(BANK, results, 0.7, drawn=len(drawn)).score == 1.0


def test_seed_is_stable_across_processes():
    # sha256-based, not Python's salted hash(): a reload in another worker shows the same draw.
    assert quiz.seed_for("anon-1", "block-1", 1) == quiz.seed_for("anon-1", "block-1", 1)
    assert quiz.seed_for("anon-1", "block-1", 1) != quiz.seed_for("anon-1", "block-1", 2)
    assert quiz.seed_for("a", "b", 1) == int.from_bytes(__import__("hashlib").sha256(b"a\x1fb\x1f1").digest()[:8], "big")
