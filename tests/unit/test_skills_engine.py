"""engine/skills.py: the documented formulas, table-driven, and their invariants as hypothesis properties."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldai_xblocks.content import load_pack
from ldai_xblocks.engine import skills
from ldai_xblocks.engine.skills import Evidence, Target

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HALF = timedelta(days=skills.HALF_LIFE_DAYS)


def ev(competence: str, score: float, age: timedelta = timedelta(0)) -> Evidence:
    return Evidence(competence, score, NOW - age)


@pytest.mark.parametrize(("targets", "self_levels", "evidence", "expected"), [
    # (target, weight); self; evidence -> {id: (evidenced, level, gap)}
    ({"a": Target(2, 1)}, {}, [], {"a": (None, None, None)}),                      # nothing known: unknown, never 0
    ({"a": Target(2, 1)}, {"a": 1}, [], {"a": (None, 1.0, 1.0)}),                  # self only
    ({"a": Target(2, 2)}, {}, [ev("a", 1.0)], {"a": (3.0, 3.0, 0.0)}),              # evidence only, above target
    ({"a": Target(3, 2)}, {}, [ev("a", 0.5)], {"a": (1.5, 1.5, 3.0)}),              # gap x weight
    ({"a": Target(3, 1)}, {"a": 3}, [ev("a", 0.0)], {"a": (0.0, 1.5, 1.5)}),        # self is a prior worth one fresh result
    # a result one half-life old weighs half a fresh one: (1*1 + 0.5*0) / 1.5 = 2/3 -> E = 2
    ({"a": Target(3, 1)}, {}, [ev("a", 1.0), ev("a", 0.0, HALF)], {"a": (2.0, 2.0, 1.0)}),
    ({"a": Target(1, 1)}, {}, [ev("a", 1.0, -timedelta(days=3))], {"a": (3.0, 3.0, 0.0)}),  # future-dated counts as fresh
    ({"a": Target(2, 1), "b": Target(2, 1)}, {}, [ev("b", 0.0), ev("zzz", 1.0)], {"a": (None, None, None), "b": (0.0, 0.0, 2.0)}),
])
def test_levels_and_gaps_follow_the_documented_formulas(targets, self_levels, evidence, expected):
    report = skills.assess(targets, self_levels, evidence, NOW)
    got = {c.id: (c.evidenced, c.level, c.gap) for c in report.competences}
    for cid, values in expected.items():
        for value, want in zip(got[cid], values, strict=True):
            assert (value is None and want is None) or math.isclose(value, want, abs_tol=1e-9), (cid, got[cid], values)


@pytest.mark.parametrize(("weights", "expected"), [
    ([], 0.0),
    ([0], 1 / 3),                    # one fresh result: W=1 -> 1/(1+2)
    ([0, 0], 0.5),                   # two fresh results: 50 %
    ([skills.HALF_LIFE_DAYS] * 2, 1 / 3),  # two results a half-life old weigh as one fresh
])
def test_confidence_grows_with_amount_and_recency(weights, expected):
    items = [ev("a", 0.5, timedelta(days=d)) for d in weights]
    assert math.isclose(skills.evidenced_level(items, NOW)[1], expected)


def test_priorities_rank_weighted_gaps_then_weight_then_id_and_keep_three():
    targets = {"a": Target(3, 1), "b": Target(3, 3), "c": Target(2, 1), "d": Target(3, 1), "e": Target(3, 2)}
    report = skills.assess(targets, {"a": 0, "b": 2, "c": 2, "d": 0, "e": 1}, [], NOW)
    # gaps: a 3, b 3, c 0, d 3, e 4 -> e first, then b (heavier) before a and d (id order)
    assert report.priorities == ("e", "b", "a")
    assert report.unknown == ()


def test_readiness_counts_unknown_as_missing_and_is_one_when_every_target_is_met():
    targets = {"a": Target(2, 1), "b": Target(2, 1)}
    assert skills.assess(targets, {"a": 2}, [], NOW).readiness() == 0.5
    assert skills.assess(targets, {"a": 3, "b": 2}, [], NOW).readiness() == 1.0


def test_changes_since_last_visit_list_only_what_moved():
    targets = {"a": Target(2, 1), "b": Target(2, 1), "c": Target(2, 1)}
    report = skills.assess(targets, {"a": 2, "b": 1}, [ev("b", 1.0)], NOW)
    assert skills.changes({"a": 2.0, "b": 1.0, "c": None}, report) == {"b": 1.0}


def test_signals_recorded_by_the_activities_become_evidence_through_the_authored_mapping():
    document = load_pack("skills_map", "en/ai-at-work")
    records = [
        {"activity": "risk_quiz", "signal": "category:hallucinations", "score": 0.5, "at": "2026-12-01T08:00:00+00:00"},
        {"activity": "prompt_sandbox", "signal": "confidential", "score": 1, "at": "2026-12-01T08:00:00Z"},
        {"activity": "risk_quiz", "signal": "category:unheard-of", "score": 1, "at": "2026-12-01T08:00:00Z"},  # unmapped: skipped
        {"activity": "risk_quiz", "signal": "category:bias", "score": "high", "at": "2026-12-01T08:00:00Z"},  # unreadable: skipped
    ]
    evidence = skills.evidence_from_signals(records, skills.signal_map(document))
    assert sorted((e.competence, e.score) for e in evidence) == [
        ("charter-compliance", 1.0), ("critical-thinking", 0.5), ("data-protection", 1.0), ("output-verification", 0.5),
    ]


def test_profile_targets_follow_the_framework_order_and_refuse_an_unknown_job():
    document = load_pack("skills_map", "en/ai-at-work")
    targets = skills.profile_targets(document, "finance")
    order = [c["id"] for c in document["competences"]]
    assert list(targets) == [cid for cid in order if cid in targets]
    assert targets["report-automation"] == Target(2, 3.0)
    with pytest.raises(skills.SkillsInputError, match="unknown job profile"):
        skills.profile_targets(document, "astronaut")


# ------------------------------------------------------------------------------- properties
LEVELS = st.integers(min_value=0, max_value=3)
SCORES = st.floats(min_value=0, max_value=1, allow_nan=False)
AGES = st.floats(min_value=0, max_value=720, allow_nan=False)
IDS = ("a", "b", "c", "d")


@st.composite
def situations(draw):
    targets = {cid: Target(draw(LEVELS), draw(st.floats(min_value=0, max_value=5, allow_nan=False))) for cid in IDS}
    self_levels = draw(st.dictionaries(st.sampled_from(IDS), LEVELS))
    evidence = draw(st.lists(st.builds(lambda c, s, a: ev(c, s, timedelta(days=a)), st.sampled_from(IDS), SCORES, AGES), max_size=12))
    return targets, self_levels, evidence


@settings(max_examples=100, deadline=None)
@given(situations(), st.sampled_from(IDS), st.floats(min_value=0, max_value=720, allow_nan=False))
def test_more_correct_evidence_never_raises_a_gap(situation, competence, age):
    targets, self_levels, evidence = situation
    before = skills.assess(targets, self_levels, evidence, NOW).by_id()[competence]
    after = skills.assess(targets, self_levels, [*evidence, ev(competence, 1.0, timedelta(days=age))], NOW).by_id()[competence]
    assert after.gap is not None
    assert before.gap is None or after.gap <= before.gap + 1e-9
    assert after.confidence > before.confidence


@settings(max_examples=100, deadline=None)
@given(situations())
def test_levels_gaps_and_confidence_stay_in_range(situation):
    targets, self_levels, evidence = situation
    report = skills.assess(targets, self_levels, evidence, NOW)
    for c in report.competences:
        assert 0 <= c.confidence < 1
        if c.level is not None:
            assert 0 <= c.level <= skills.LEVEL_MAX + 1e-9
            assert 0 <= c.gap <= c.target * c.weight + 1e-9
        else:
            assert c.gap is None and c.evidence_count == 0 and c.self_level is None
    assert 0 <= report.readiness() <= 1
    assert len(report.priorities) <= skills.PRIORITY_COUNT


@settings(max_examples=100, deadline=None)
@given(situations())
def test_a_perfect_profile_has_no_gap(situation):
    targets, _, evidence = situation
    perfect = [ev(cid, 1.0) for cid in IDS] + [e for e in evidence if e.score == 1.0]
    report = skills.assess(targets, {cid: 3 for cid in IDS}, perfect, NOW)
    assert all(c.gap == 0 for c in report.competences)
    assert report.priorities == () and report.readiness() == 1.0
