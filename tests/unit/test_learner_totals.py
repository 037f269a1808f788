"""A learner's all-time totals (lti_tool/dashboard/learner_totals.py) do not depend on the order statements arrive in.

The writers merge one statement's contribution into the stored totals (``summaries.add_totals``); the rebuild folds every
day row at once (``summaries.rebuild_totals``). Both give the same totals only if the merge is associative and
commutative for every section; the database tests (tests/lti/test_dashboard_sql.py) check the figures made from them.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from lti_tool.dashboard import learner_totals as lt

T0 = datetime(2026, 10, 1, tzinfo=UTC)
LEARNER = (1, "course-1", "anon")


def day_rows(rng: random.Random, count: int) -> tuple[list, list]:
    """Random day rows of one learner, every time distinct (a tie is decided by the order of writes, by design)."""
    moments = iter(rng.sample(range(1, 10_000_000), count * 4))
    activity, facts = [], []
    for index in range(count):
        at = T0 + timedelta(seconds=next(moments))
        graded = rng.random() < 0.6
        score = round(rng.random(), 3)
        activity.append(((1, "course-1", rng.choice(["risk_quiz", "prompt_sandbox"]), "anon", at.date()), {
            "stage": rng.randrange(1, 5), "marked": rng.random() < 0.3, "graded": rng.randrange(1, 3) if graded else 0,
            "first_score": score if graded else None, "first_score_at": at if graded else None, "best_score": score if graded else None}))
        second = at + timedelta(seconds=next(moments) % 500 + 1)
        kind, key, action, activity_name = KINDS[index] if index < len(KINDS) else rng.choice(KINDS)
        events = rng.randrange(1, 3)
        facts.append(((1, "course-1", "anon", activity_name, action, kind, key, at.date()), {
            "events": events, "value": score, "timestamp": second if events == 2 else at, "value_sum": score * events, "first_value": score,
            "first_at": at, "second_value": round(score / 2, 3) if events == 2 else None, "second_at": second if events == 2 else None,
            "max_value": score}))
    return activity, facts


KINDS = [("category", "bias", "submitted", "risk_quiz"), ("criterion", "role", "submitted", "prompt_sandbox"),
         ("confidential", "email", "submitted", "prompt_sandbox"), ("charter", "v1", "accepted", "charter"), ("charter", "v2", "accepted", "charter"),
         ("priority", "risks", "submitted", "skills_map"), ("priority", "data", "submitted", "skills_map"),
         ("level", "risks", "self_assessed", "skills_map"), ("pre", "pair", "submitted", "risk_quiz"), ("post", "pair", "submitted", "risk_quiz"),
         ("statement", "", "case_recorded", "use_case")]


def rounded(value):
    """Sums added in another order differ in the last bits (as the SQL's): compared to 9 digits, as the dashboard shows fewer."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("seed", range(8))
def test_merging_in_any_order_gives_the_totals_of_all_rows_at_once(seed):
    rng = random.Random(seed)
    activity, facts = day_rows(rng, 30)
    whole = lt.contribution(activity, facts)[LEARNER]
    assert {"a", "c", "k", "w", "h", "p", "l", "s", "u", "pre", "post"} <= set(whole)
    rows = [("activity", row) for row in activity] + [("fact", row) for row in facts]
    rng.shuffle(rows)
    merged: dict = {}
    for table, row in rows:  # one row at a time, as the writers do, in another order
        one = lt.contribution([row] if table == "activity" else [], [row] if table == "fact" else [])
        merged = lt.merge(merged, one.get(LEARNER, {}))
    assert rounded(merged) == rounded(whole)
    halves = lt.merge(lt.contribution(activity[15:], facts[:15])[LEARNER], lt.contribution(activity[:15], facts[15:])[LEARNER])
    assert rounded(halves) == rounded(whole)
    assert lt.loads(lt.dumps(whole)) == whole  # stored as JSON without loss


def test_what_the_figures_read_keeps_no_time_and_only_pairs_taken_both_ways():
    at = lt.micros(T0)
    totals = {"a": {"risk_quiz": [3, True, 2, 0.4, at, 0.9]}, "c": {"bias": [0.5, at]}, "p": {"risks": at, "data": at - 1, "": at},
              "h": ["v2", at], "pre": {"pair": [0.2, at], "alone": [0.3, at]}, "post": {"pair": 0.8}}
    assert lt.shown(totals) == {"a": {"risk_quiz": [3, 1, 2, 0.4, 0.9]}, "c": {"bias": 0.5}, "p": ["risks"], "h": "v2", "pp": {"pair": [0.2, 0.8]}}


def test_the_figures_refuse_a_period():
    with pytest.raises(ValueError, match="period"):
        lt.figures([], lt.vm.Filters(since=T0), 1, None)
