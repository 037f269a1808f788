"""The demo's team season on the hallucination hunt (lti_tool/pages/demo_season.py), below the browser.

Issue 15 is done when, in the demo, two teams compete in a hunt season and the leaderboard shows
the team scores. Here: the teammates' scores are posted through the block's handlers (their
attempts, grades in the outbox), both teams are ranked for every persona, a learner's play moves
their team's mean, seeding again changes nothing, and "Reset the demo" seeds a fresh season.
The browser walk (EN and FR, axe) is tests/browser/test_demo.py.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lti_tool.models import GradeOutbox, LearnerState
from lti_tool.pages import demo_season
from lti_tool.runtime.session import open_session
from lti_tool.runtime.xblock_runtime import LtiRuntime
from tests.lti.test_demo import demo_on, play, token_of  # noqa: F401 - demo_on is a fixture

pytestmark = pytest.mark.django_db

HUNT = demo_season.TEAM_BLOCK


def board(token: str) -> dict:
    """The leaderboard the block sends this persona (what its JS draws)."""
    runtime = LtiRuntime(open_session(token))
    return runtime.block().leaderboard()


def call(token: str, handler: str, data: dict) -> dict:
    response = Client().post(f"/lti/handler/{token}/{handler}/", json.dumps(data), content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_both_teams_are_ranked_with_their_scores_for_every_persona(demo_on):  # noqa: F811
    client = Client()
    for persona in ("learner-a", "learner-b", "learner-c", "instructor"):
        url, _html = play(client, HUNT, persona, view="learner")
        shown = board(token_of(url))
        teams = {row["team"]: row for row in shown["teams"]}
        assert set(teams) == {"North team", "South team"}, persona
        assert all(row["rank"] is not None and row["members"] == 2 for row in teams.values()), teams
        # C flagged every hallucination, E half; D three quarters, F a quarter: North leads.
        assert teams["North team"]["rank"] == 1 and teams["South team"]["rank"] == 2
        assert 0 < teams["South team"]["score"] < teams["North team"]["score"] <= 1
        assert shown["season"]["state"] == "open"
    assert shown["my_team"] == "" and LearnerState.objects.filter(user_sub="ldai-demo-instructor", attempts__gt=0).count() == 0


def test_teammates_played_through_the_block_and_only_the_two_who_agreed_are_named(demo_on):  # noqa: F811
    url, _html = play(Client(), HUNT, "learner-a")
    seeded = LearnerState.objects.filter(resource_link_id=f"{HUNT}.en", user_sub__in=[f"ldai-demo-{s}" for s in demo_season.SEEDED],
                                         scope=LearnerState.Scope.USER_STATE)
    assert seeded.count() == 4 and all(row.attempts == 1 and row.score is not None for row in seeded)
    assert GradeOutbox.objects.filter(resource_link__resource_link_id=f"{HUNT}.en").count() == 4
    names = [row["name"] for row in board(token_of(url))["rows"] if not row["me"]]
    assert sorted(names) == ["Camille", "Dominique"]  # E and F kept "do not show my name"


def test_seeding_again_changes_nothing_and_a_learner_moves_their_team(demo_on):  # noqa: F811
    client = Client()
    play(client, HUNT, "learner-b")
    before = list(LearnerState.objects.order_by("pk").values_list("pk", "attempts", "state"))
    url, _html = play(client, HUNT, "learner-a")  # a second hunt launch: the season is already seeded
    assert list(LearnerState.objects.filter(pk__in=[row[0] for row in before]).order_by("pk").values_list("pk", "attempts", "state")) == before
    token = token_of(url)
    north_before = next(row for row in board(token)["teams"] if row["team"] == "North team")
    assert board(token)["my_team"] == "North team"

    state = call(token, "start_attempt", {})
    call(token, "submit", {"flags": {item["id"]: [] for item in state["items"]}})  # learner A flags nothing: scores 0

    north = next(row for row in board(token)["teams"] if row["team"] == "North team")
    assert north["members"] == 3 and north["score"] < north_before["score"]


def test_each_language_has_its_own_season_with_french_team_names(demo_on):  # noqa: F811
    url, _html = play(Client(), HUNT, "learner-b", lang="fr")
    shown = board(token_of(url))
    assert {row["team"] for row in shown["teams"]} == {"Équipe Nord", "Équipe Sud"} and shown["my_team"] == "Équipe Sud"


def test_reset_forgets_the_season_and_the_next_hunt_launch_seeds_it_again(demo_on):  # noqa: F811
    from lti_tool.pages.demo import wipe

    client = Client()
    play(client, HUNT, "learner-a")
    wipe()
    assert not LearnerState.objects.filter(user_sub="ldai-demo-learner-c").exists()
    url, _html = play(client, HUNT, "learner-a")
    assert len([row for row in board(token_of(url))["teams"] if row["rank"]]) == 2


def test_other_activities_neither_seed_nor_offer_the_teammates(demo_on):  # noqa: F811
    url, html = play(Client(), "ldai_risk_quiz", "learner-a")
    assert not LearnerState.objects.filter(user_sub="ldai-demo-learner-c").exists()
    assert "/learner-c/" not in html
    front = Client().get("/?lang=en").content.decode()
    assert f"/demo/play/{HUNT}/learner-c/?lang=en" in front and "/demo/play/ldai_risk_quiz/learner-c/" not in front


def test_a_teammate_who_cannot_play_now_does_not_stop_the_visitor_and_plays_on_the_next_launch(demo_on, monkeypatch):  # noqa: F811
    """A database busy with another launch's seeding (SQLite's single writer, simulated: it cannot be timed here)."""
    from django.db import OperationalError

    real = demo_season.play_teammate
    calls = []

    def busy_once(launch, share, alias=""):
        calls.append(share)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(launch, share, alias)

    monkeypatch.setattr(demo_season, "play_teammate", busy_once)
    client = Client()
    play(client, HUNT, "learner-a")  # the visitor's page opens all the same
    assert LearnerState.objects.filter(user_sub__in=[f"ldai-demo-{s}" for s in demo_season.SEEDED], attempts=1).count() == 3
    url, _html = play(client, HUNT, "learner-a")
    assert LearnerState.objects.filter(user_sub__in=[f"ldai-demo-{s}" for s in demo_season.SEEDED], attempts=1).count() == 4
    assert len([row for row in board(token_of(url))["teams"] if row["rank"]]) == 2
