"""The team challenge's rules (ldai_xblocks.engine.teams): seasons, team standings, ties, consent, the roster CSV."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ldai_xblocks.engine.teams import (
    MIN_TEAM_SIZE,
    SEASON_ENDED,
    SEASON_NOT_STARTED,
    SEASON_OPEN,
    Entry,
    Roster,
    Season,
    champions,
    competition_ranks,
    individual_top,
    parse_instant,
    parse_roster,
    team_standings,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


# ------------------------------------------------------------------------------------------ seasons


@pytest.mark.parametrize(("start", "end", "now", "state"), [
    (None, None, at(0), SEASON_OPEN),
    (at(10), None, at(0), SEASON_NOT_STARTED),
    (at(10), None, at(10), SEASON_OPEN),  # the start is inclusive
    (None, at(10), at(9), SEASON_OPEN),
    (None, at(10), at(10), SEASON_ENDED),  # the end is exclusive: 18:00:00 is too late for "ends at 18:00"
    (at(0), at(60), at(30), SEASON_OPEN),
    (at(0), at(60), at(61), SEASON_ENDED),
])
def test_season_state(start, end, now, state):
    assert Season(start, end).state(now) == state


@pytest.mark.parametrize(("text", "expected"), [
    ("", None),
    ("not a date", None),
    ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC)),
    ("2026-12-01T09:00", T0),  # no zone: UTC, as the Studio field says
    ("2026-12-01T10:00+01:00", T0),
    ("2026-12-01T09:00:00Z", T0),
])
def test_parse_instant(text, expected):
    assert parse_instant(text) == expected


def test_a_score_without_a_time_counts_only_in_an_unbounded_season():
    assert Season().counts(None)
    assert not Season(start=at(0)).counts(None)


def test_season_validity():
    assert Season(at(0), at(1)).is_valid()
    assert not Season(at(1), at(1)).is_valid()
    assert Season(None, at(1)).is_valid()


# ------------------------------------------------------------------------------------------ standings

TEAM_CASES = [
    # (entries, minimum, expected [(team, members, score, rank)])
    pytest.param(
        [Entry("a", 0.8, at(1), "red"), Entry("b", 0.6, at(2), "red"), Entry("c", 0.9, at(3), "blue"), Entry("d", 0.3, at(4), "blue")],
        2, [("red", 2, 0.7, 1), ("blue", 2, 0.6, 2)], id="mean of members"),
    pytest.param(
        [Entry("a", 1.0, at(1), "solo"), Entry("b", 0.5, at(2), "red"), Entry("c", 0.5, at(3), "red")],
        2, [("red", 2, 0.5, 1), ("solo", 1, 1.0, None)], id="a team of one does not win"),
    pytest.param(
        [Entry("a", 1.0, at(1), "solo"), Entry("b", 0.5, at(2), "red"), Entry("c", 0.5, at(3), "red")],
        1, [("red", 2, 0.5, 1), ("solo", 1, 1.0, None)], id="a minimum of one is raised to two"),
    pytest.param(
        [Entry("a", 0.5, at(1), "red"), Entry("b", 0.5, at(2), "red"), Entry("c", 0.5, at(3), "blue"), Entry("d", 0.5, at(4), "blue"),
         Entry("e", 0.1, at(5), "green"), Entry("f", 0.1, at(6), "green")],
        2, [("blue", 2, 0.5, 1), ("red", 2, 0.5, 1), ("green", 2, 0.1, 3)], id="ties share a rank, then 3"),
    pytest.param(
        [Entry("a", 0.2, at(1), "red"), Entry("a", 0.9, at(2), "red"), Entry("b", 0.5, at(3), "red")],
        2, [("red", 2, 0.7, 1)], id="each member's best score"),
    pytest.param(
        [Entry("a", 0.9, at(1), ""), Entry("b", 0.5, at(2), "red"), Entry("c", 0.5, at(3), "red")],
        2, [("red", 2, 0.5, 1)], id="a learner without a team is in no mean"),
    pytest.param(
        [Entry("a", 0.9, at(1), "red"), Entry("b", 0.5, at(2), "red"), Entry("c", 0.5, at(3), "red")],
        4, [("red", 3, 0.6333, None)], id="below a minimum of four"),
]


@pytest.mark.parametrize(("entries", "minimum", "expected"), TEAM_CASES)
def test_team_standings(entries, minimum, expected):
    standings = team_standings(entries, minimum)
    assert [(s.team, s.members, s.score, s.rank) for s in standings] == expected


def test_only_scores_inside_the_season_count():
    season = Season(at(10), at(20))
    entries = [
        Entry("a", 1.0, at(5), "red"),  # before: not counted, even though it is a's best
        Entry("a", 0.4, at(12), "red"),
        Entry("b", 0.6, at(15), "red"),
        Entry("c", 1.0, at(20), "blue"),  # at the end: too late
        Entry("d", 0.9, at(19), "blue"),
    ]
    standings = team_standings(entries, 2, season)
    assert [(s.team, s.members, s.score, s.rank) for s in standings] == [("red", 2, 0.5, 1), ("blue", 1, 0.9, None)]


@pytest.mark.parametrize(("scores", "ranks"), [
    ([], []),
    ([0.9], [1]),
    ([0.9, 0.9, 0.5], [1, 1, 3]),
    ([0.9, 0.5, 0.5, 0.1], [1, 2, 2, 4]),
])
def test_competition_ranks(scores, ranks):
    assert competition_ranks(scores) == ranks


def test_individual_top_shows_only_consenting_learners_and_the_viewer():
    entries = [
        Entry("hidden-best", 1.0, at(1)),
        Entry("shown", 0.8, at(2), consented=True),
        Entry("me", 0.5, at(3)),
        Entry("shown-2", 0.4, at(4), consented=True),
    ]
    rows, my_rank, total = individual_top(entries, "me", size=1)
    assert [(r.learner, r.rank, r.me) for r in rows] == [("shown", 2, False), ("me", 3, True)]
    assert (my_rank, total) == (3, 4)
    assert all(r.learner != "hidden-best" for r in rows)


def test_individual_ties_and_season():
    entries = [Entry("a", 0.5, at(1), consented=True), Entry("b", 0.5, at(2), consented=True), Entry("c", 0.9, at(-5), consented=True)]
    rows, _, total = individual_top(entries, "x", size=10, season=Season(at(0), None))
    assert [(r.learner, r.rank) for r in rows] == [("a", 1), ("b", 1)]
    assert total == 2


def test_champions_lists_ranked_teams_then_consenting_learners():
    entries = [
        Entry("a", 0.9, at(1), "red", consented=True), Entry("b", 0.7, at(2), "red"),
        Entry("c", 1.0, at(3), "solo"),
    ]
    rows = champions(entries, 2)
    assert [(c.kind, c.rank, c.name, c.score) for c in rows] == [("team", 1, "red", 0.8), ("learner", 2, "a", 0.9)]


# ------------------------------------------------------------------------------------------ properties

member = st.sampled_from(["a", "b", "c", "d", "e", "f"])
team = st.sampled_from(["red", "blue", "green"])
score = st.floats(min_value=0, max_value=1, allow_nan=False)
entries_strategy = st.lists(st.builds(Entry, member, score, st.just(T0), team), max_size=20)


def _one_team_per_learner(entries: list[Entry]) -> list[Entry]:
    teams: dict[str, str] = {}
    return [Entry(e.learner, e.score, e.at, teams.setdefault(e.learner, e.team)) for e in entries]


@given(entries_strategy, member, score, st.integers(min_value=0, max_value=5))
def test_a_better_score_never_lowers_the_teams_rank_score(entries, who, better, minimum):
    """Adding a member's better score never lowers the team's mean (what its rank is computed from)."""
    entries = _one_team_per_learner(entries)
    existing = next((e for e in entries if e.learner == who), None)
    team_name = existing.team if existing else "red"
    before = {s.team: s for s in team_standings(entries, minimum)}
    after = {s.team: s for s in team_standings([*entries, Entry(who, better, T0, team_name)], minimum)}
    if team_name in before and before[team_name].members == after[team_name].members:
        assert after[team_name].score >= before[team_name].score


@given(entries_strategy, st.integers(min_value=-3, max_value=6))
def test_a_team_below_the_minimum_is_never_ranked(entries, minimum):
    entries = _one_team_per_learner(entries)
    for standing in team_standings(entries, minimum):
        if standing.members < max(MIN_TEAM_SIZE, minimum):
            assert standing.rank is None
        else:
            assert standing.rank is not None and 0 <= standing.score <= 1


@given(entries_strategy, member, st.integers(min_value=1, max_value=5))
def test_no_hidden_learners_score_reaches_another_viewer(entries, viewer, size):
    rows, _, _ = individual_top(entries, viewer, size)
    for row in rows:
        assert row.me or any(e.learner == row.learner and e.consented for e in entries)


# ------------------------------------------------------------------------------------------ roster

ROSTER_OK = "learner,team,platform_group\nana@example.org,Finance,12\nBOB@example.org,Finance,\ncarla,Sales,15\n,Legal,\n"


def test_roster_reads_members_teams_and_groups():
    roster, errors = parse_roster(ROSTER_OK)
    assert errors == []
    assert roster.members == {"ana@example.org": "Finance", "bob@example.org": "Finance", "carla": "Sales"}
    assert roster.teams == ("Finance", "Sales", "Legal")
    assert roster.groups == {"12": "Finance", "15": "Sales"}
    assert Roster.from_data(roster.as_data()) == roster


def test_roster_in_french_with_semicolons():
    roster, errors = parse_roster("\ufeffApprenant;Équipe\nana@example.org;Finance\n")
    assert errors == [] and roster.members == {"ana@example.org": "Finance"}


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("", 1, "empty"),
    ("name,score\na,b\n", 1, "first line"),
    ("learner,team\nana@example.org,\n", 2, "team is missing"),
    ("learner,team\nana@example.org,=HYPERLINK(\"x\")\n", 2, "formula"),
    ("learner,team\n+33612345678,Sales\n", 2, "formula"),
    ("learner,team\nana@example.org,Finance\nANA@example.org,Sales\n", 3, "already in the team"),
    ("learner,team\nana smith,Finance\n", 2, "space"),
    ("learner,team\nana@example.org," + "x" * 81 + "\n", 2, "longer than 80"),
    ("learner,team,platform_group\na,Finance,12\nb,Sales,12\n", 3, "already given"),
])
def test_roster_errors_name_the_line(text, line, fragment):
    roster, errors = parse_roster(text)
    assert roster == Roster()
    assert errors and errors[0].line == line and fragment in errors[0].message


def test_roster_errors_are_translated_by_the_callers_gettext():
    _, errors = parse_roster("learner,team\nana@example.org,\n", lambda message: "FR:" + message)
    assert errors[0].message.startswith("FR:")


def test_roster_reports_every_wrong_line():
    _, errors = parse_roster("learner,team\na,\nb,Finance\nc,\n")
    assert [e.line for e in errors] == [2, 4]
