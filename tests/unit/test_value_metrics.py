"""The dashboard's figures (engine/value_metrics.py), from statements built by the profile itself (engine/xapi.statement).

Table-driven cases for each figure, and hypothesis properties for the rules that must always hold:
the funnel is cumulative, and a group below the minimum is never shown, however many learners join others.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ldai_xblocks.engine import value_metrics as vm
from ldai_xblocks.engine import xapi

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
HOME = "https://lms.example.com"


def event(learner: str, name: str, data: dict | None = None, *, minutes: int = 0, job_family: str = "", link: str = "quiz-1") -> vm.Row:
    """A row read back from the statement the profile makes of one event (never a hand-made statement)."""
    body = xapi.statement(xapi.TrackingEvent(
        name=name, data=data or {}, actor={"home_page": HOME, "id": learner},
        context={"activity_id": f"https://tool.example.com/lti/resource/1/{link}", "job_family": job_family, "language": "en"},
        timestamp=T0 + timedelta(minutes=minutes),
    ))
    row = vm.row_from_statement(body)
    assert row is not None
    return row


def test_a_statement_of_another_profile_is_no_row():
    body = xapi.statement(xapi.TrackingEvent("ldai.risk_quiz.submitted", {"score": 0.5}, {"home_page": HOME, "id": "a"},
                                             {"activity_id": "https://tool.example.com/x"}, T0))
    body["verb"] = {"id": "http://example.com/verbs/liked"}
    assert vm.row_from_statement(body) is None


def test_an_answered_question_counts_for_its_quiz():
    row = event("a", "ldai.risk_quiz.answered", {"question_id": "q1", "score": 1.0})
    assert (row.activity, row.verb, row.success) == ("risk_quiz", "answered", True)


@pytest.mark.parametrize(("events", "expected"), [
    # launched only / attempted / completed but failed / passed
    ([("a", "launched", {}), ("b", "submitted", {"score": 0.2, "passed": False})], (2, 1, 1, 0)),
    ([("a", "launched", {}), ("a", "started", {}), ("a", "answered", {"question_id": "q1", "score": 1.0})], (1, 1, 0, None)),
    ([("a", "launched", {}), ("a", "submitted", {"score": 0.4, "passed": False})], (1, 1, 1, 0)),
    ([("a", "submitted", {"score": 0.9, "passed": True})], (1, 1, 1, 1)),  # Open edX sends no "launched": still counted
    ([("a", "submitted", {"score": 0.9, "passed": True}), ("b", "launched", {}), ("c", "retried", {})], (3, 2, 1, 1)),
])
def test_the_funnel_counts_each_learner_at_their_furthest_stage(events, expected):
    rows = [event(who, f"ldai.risk_quiz.{action}", data, minutes=i) for i, (who, action, data) in enumerate(events)]
    (line,) = vm.funnel(rows, minimum=1)
    assert (line.launched, line.attempted, line.completed, line.passed) == expected


def test_the_funnel_groups_by_the_learners_job_family_even_on_rows_without_one():
    rows = [event("a", "ldai.risk_quiz.launched"), event("a", "ldai.risk_quiz.submitted", {"score": 1.0, "passed": True, "job_family": "finance"}, minutes=1),
            event("b", "ldai.risk_quiz.launched", job_family="hr")]
    lines = {(r.activity, r.job_family): r for r in vm.funnel(rows, minimum=1)}
    assert set(lines) == {("risk_quiz", "finance"), ("risk_quiz", "hr")}
    assert lines[("risk_quiz", "finance")].passed == 1


def test_a_group_below_the_minimum_is_hidden():
    rows = [event(f"l{i}", "ldai.risk_quiz.launched") for i in range(4)]
    assert vm.funnel(rows, minimum=5)[0].hidden
    assert not vm.funnel(rows + [event("l9", "ldai.risk_quiz.launched")], minimum=5)[0].hidden


def test_scores_by_risk_category_use_each_learners_latest_quiz():
    rows = [event("a", "ldai.risk_quiz.submitted", {"score": 0.5, "categories": {"bias": 0.0, "privacy": 1.0}}),
            event("a", "ldai.risk_quiz.submitted", {"score": 1.0, "categories": {"bias": 1.0, "privacy": 1.0}}, minutes=5),
            event("b", "ldai.risk_quiz.submitted", {"score": 0.5, "categories": {"bias": 0.5}})]
    figures = {m.group: m for m in vm.scores_by_risk_category(rows, minimum=1)}
    assert figures["bias"].mean == 0.75 and figures["bias"].learners == 2
    assert figures["privacy"].mean == 1.0 and figures["privacy"].learners == 1
    assert all(m.hidden and m.mean is None for m in vm.scores_by_risk_category(rows, minimum=3))


def test_before_and_after_compare_the_first_attempt_with_the_best():
    rows = [event("a", "ldai.risk_quiz.submitted", {"score": 0.4}), event("a", "ldai.risk_quiz.submitted", {"score": 0.9}, minutes=3),
            event("a", "ldai.risk_quiz.submitted", {"score": 0.7}, minutes=6), event("b", "ldai.risk_quiz.submitted", {"score": 0.6}, minutes=1)]
    (cohort,), learners = vm.before_after(rows, minimum=2)
    assert (cohort.learners, cohort.first, cohort.best, cohort.gain) == (2, 0.5, 0.75, 0.25)
    assert {(g.learner, g.first, g.best, g.attempts) for g in learners} == {("a", 0.4, 0.9, 3), ("b", 0.6, 0.6, 1)}
    (hidden,), none = vm.before_after(rows, minimum=3)
    assert hidden.hidden and hidden.first is None and none == []  # no learner line inside a hidden cohort


def test_prompt_quality_progresses_per_criterion_over_attempts():
    rows = []
    for who in ("a", "b"):
        for attempt, clarity in enumerate((0.2, 0.5, 0.7, 0.9)):
            rows.append(event(who, "ldai.prompt_sandbox.submitted", {"grade": clarity, "criteria": {"clarity": clarity}}, minutes=attempt))
    steps = {(s.criterion, s.attempt): s for s in vm.criterion_progression(rows, minimum=2)}
    assert [steps[("clarity", n)].mean for n in (1, 2, 3)] == [0.2, 0.5, 0.9]  # the 3rd+ bucket keeps each learner's latest


def test_confidential_warnings_are_counted_by_kind_never_with_their_text():
    rows = [event("a", "ldai.prompt_sandbox.submitted", {"grade": 0.5, "sensitive_kinds": ["email", "iban"], "prompt": "my iban is FR76..."}),
            event("b", "ldai.prompt_sandbox.submitted", {"grade": 0.5, "sensitive_kinds": ["email"]})]
    figures = {c.group: c for c in vm.confidential_warnings(rows, minimum=1)}
    assert (figures["email"].events, figures["email"].learners, figures["iban"].learners) == (2, 2, 1)
    assert all("FR76" not in str(r.extensions) for r in rows)


def test_skills_gaps_read_the_skills_maps_priorities_and_self_levels():
    rows = [event("a", "ldai.skills_map.self_assessed", {"competence_levels": {"prompting": 1, "risks": 3}}),
            event("a", "ldai.skills_map.submitted", {"score": 0.5, "competences": ["prompting"]}, minutes=1),
            event("b", "ldai.skills_map.self_assessed", {"competence_levels": {"prompting": 2}}),
            event("b", "ldai.skills_map.launched", {"competences": ["prompting", "risks"]}, minutes=1)]
    gaps = {g.competence: g for g in vm.skills_gaps(rows, minimum=2)}
    assert (gaps["prompting"].priority, gaps["prompting"].self_level, gaps["risks"].priority) == (2, 1.5, 1)
    assert gaps["risks"].self_level is None  # one self-assessment only: below the minimum


def test_charter_acceptances_by_version_count_each_learners_latest():
    rows = [event("a", "ldai.charter.accepted", {"charter_version": "2026-01"}), event("a", "ldai.charter.accepted", {"charter_version": "2026-06"}, minutes=1),
            event("b", "ldai.charter.accepted", {"charter_version": "2026-06"})]
    assert [(c.group, c.learners) for c in vm.charter_acceptances(rows, minimum=1)] == [("2026-06", 2)]


def test_use_cases_sum_the_minutes_of_validated_cases_only():
    rows = [event("a", "ldai.use_case.case_recorded", {"minutes_saved": 30, "job_family": "finance"}),
            event("b", "ldai.use_case.case_recorded", {"minutes_saved": 60, "job_family": "finance"}),
            event("m", "ldai.use_case.case_validated", {"minutes_saved": 30, "job_family": "finance"}, minutes=1),
            event("c", "ldai.use_case.case_adopted", {"job_family": "finance"}, minutes=2)]
    (figure,) = vm.use_cases(rows, minimum=2)
    assert (figure.authors, figure.recorded, figure.validated, figure.adopted, figure.minutes_per_week) == (2, 2, 1, 1, 30)


def test_perceived_usage_is_a_monthly_mean_of_each_managers_latest_rating():
    rows = [event("m1", "ldai.use_case.usage_rated", {"score": 0.5}), event("m1", "ldai.use_case.usage_rated", {"score": 0.75}, minutes=10),
            event("m2", "ldai.use_case.usage_rated", {"score": 0.25}), event("m1", "ldai.use_case.usage_rated", {"score": 1.0}, minutes=60 * 24 * 30)]
    assert [(m.group, m.learners, m.mean) for m in vm.perceived_usage(rows, minimum=1)] == [("2026-11", 2, 0.5), ("2026-12", 1, 1.0)]


def test_filters_keep_the_period_and_the_learners_of_a_job_family_or_team():
    rows = [event("a", "ldai.risk_quiz.launched"), event("a", "ldai.risk_quiz.submitted", {"score": 1.0, "job_family": "hr", "team": "north"}, minutes=60),
            event("b", "ldai.risk_quiz.submitted", {"score": 1.0, "job_family": "sales"}, minutes=60)]
    assert {r.actor for r in vm.apply_filters(rows, vm.Filters(job_family="hr"))} == {"a"}
    assert {r.actor for r in vm.apply_filters(rows, vm.Filters(team="north"))} == {"a"}
    assert [r.verb for r in vm.apply_filters(rows, vm.Filters(until=T0 + timedelta(minutes=30)))] == ["launched"]


# ------------------------------------------------------------------------------------------ properties

ACTIONS = ("launched", "started", "answered", "submitted", "retried")
learner_events = st.lists(st.tuples(st.integers(0, 30), st.sampled_from(ACTIONS), st.booleans(), st.sampled_from(["", "hr", "sales"])), max_size=60)


def _rows(events) -> list[vm.Row]:
    return [event(f"l{who}", f"ldai.risk_quiz.{action}", {"score": 0.9 if ok else 0.3, "passed": ok, "job_family": family}
                  if action == "submitted" else {"job_family": family}, minutes=i) for i, (who, action, ok, family) in enumerate(events)]


@settings(max_examples=60, deadline=None)
@given(learner_events, st.integers(1, 6))
def test_the_funnel_never_grows_from_one_step_to_the_next(events, minimum):
    for line in vm.funnel(_rows(events), minimum):
        assert line.launched >= line.attempted >= line.completed >= (line.passed or 0) >= 0


@settings(max_examples=60, deadline=None)
@given(learner_events, st.integers(2, 6), st.sampled_from(["", "hr", "sales"]))
def test_adding_a_learner_never_reveals_a_group_below_the_minimum(events, minimum, family):
    """A new learner may make their own group visible, but every group still has at least ``minimum`` learners."""
    before = _rows(events)
    after = before + [event("newcomer", "ldai.risk_quiz.submitted", {"score": 0.9, "passed": True, "job_family": family}, minutes=999)]
    for rows in (before, after):
        for line in vm.funnel(rows, minimum):
            assert line.hidden == (line.learners < minimum)
        for cohort in vm.before_after(rows, minimum)[0]:
            assert cohort.hidden == (cohort.learners < minimum) and (cohort.first is None) == cohort.hidden
    shown_before = {(line.activity, line.job_family) for line in vm.funnel(before, minimum) if not line.hidden}
    shown_after = {(line.activity, line.job_family) for line in vm.funnel(after, minimum) if not line.hidden}
    assert shown_before <= shown_after  # a learner joining never hides a group either


def _paired(learner: str, role: str, score: float, minutes: int, pair: str = "risks") -> vm.Row:
    return event(learner, "ldai.risk_quiz.submitted", {"score": score, "passed": score > 0.5, "prepost_pair": pair, "prepost_role": role},
                 minutes=minutes)


def test_pre_post_compares_the_first_pre_test_with_the_best_post_test_of_learners_who_took_both():
    rows = [_paired("a", "pre", 0.4, 1), _paired("a", "pre", 0.9, 2), _paired("a", "post", 0.6, 10), _paired("a", "post", 0.8, 11),
            _paired("b", "post", 0.3, 12), _paired("b", "pre", 0.5, 3),
            _paired("c", "pre", 0.2, 4),  # no post-test yet: not in the pair's figures
            event("d", "ldai.risk_quiz.submitted", {"score": 1.0, "passed": True}, minutes=5)]  # an unpaired quiz
    (pair,), lines = vm.pre_post(rows, minimum=2)
    assert (pair.pair, pair.learners, pair.pre, pair.post, pair.improved, pair.gain) == ("risks", 2, 0.45, 0.55, 1, 0.1)
    assert [(line.learner, line.pre, line.post) for line in lines] == [("a", 0.4, 0.8), ("b", 0.5, 0.3)]


def test_a_pre_post_pair_below_the_minimum_group_shows_no_figure_nor_learner_line():
    (pair,), lines = vm.pre_post([_paired("a", "pre", 0.4, 1), _paired("a", "post", 0.6, 10)], minimum=2)
    assert pair.hidden and pair.pre is None and pair.post is None and pair.improved == 0 and lines == []


def test_a_period_is_whole_utc_days():
    filters = vm.Filters(since=datetime(2026, 11, 2, 9, 30, tzinfo=UTC), until=datetime(2026, 11, 4, 0, 0, tzinfo=UTC), job_family="hr")
    assert filters.whole_days() == vm.Filters(datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 4, tzinfo=UTC), "hr")
    assert vm.Filters(until=datetime(2026, 11, 3, 0, 1, tzinfo=UTC)).whole_days().until == datetime(2026, 11, 4, tzinfo=UTC)
