"""The team challenge in the LMS: teams from Open edX's teams service, consent on the board (OLX: test_olx.py).

Replays ``lms/djangoapps/courseware/block_render.py`` (the LMS installs ``'teams': TeamsService()``),
``lms/djangoapps/teams/services.py`` (``get_team(user, course_id, teamset_id)``) and
``lms/djangoapps/teams/api.py`` (the course id parsed from a string, the team found by the member's
username), with the user found from the anonymous id as edx-ora2's ``TeamMixin`` does
(``openassessment/xblock/team_mixin.py``: ``get_real_user`` then ``teams_service.get_team``).
"""

from __future__ import annotations

import json

import pytest

from tests.openedx.conftest import CUSTOM_CONTENT, author, call, submitted_by
from tests.openedx.platform import COURSE, CourseTeam

TEAM_SETTINGS = {"leaderboard_enabled": True, "leaderboard_anonymous": False, "team_mode": True, "team_source": "platform",
                 "teamset_id": "ai-champions", "team_min_members": 2}


@pytest.fixture(params=["ldai_hallucination_detector", "ldai_prompt_sandbox"])
def team_block_type(request, platform) -> str:
    author(platform, request.param, custom_content=CUSTOM_CONTENT[request.param], **TEAM_SETTINGS)
    platform.course_teams += [CourseTeam("finance-1a2b", "Finance", "ai-champions", str(COURSE)),
                              CourseTeam("sales-3c4d", "Sales", "ai-champions", str(COURSE)),
                              CourseTeam("other-set", "Elsewhere", "another-team-set", str(COURSE))]
    for name, team in (("amal", "finance-1a2b"), ("bruno", "finance-1a2b"), ("chloe", "sales-3c4d"), ("dan", "other-set")):
        platform.user(name, first_name=name.title(), full_name=f"{name.title()} Secretname")
        platform.team_members[name] = team
    return request.param


def test_the_learners_team_comes_from_the_teams_service(platform, team_block_type):
    blocks = submitted_by(platform, team_block_type, "amal", "bruno", "chloe", "dan")
    assert platform.lms(team_block_type, "b1", "amal").my_team() == "Finance"
    assert platform.lms(team_block_type, "b1", "dan").my_team() == ""  # a team of another team-set is not this challenge's
    board = platform.lms(team_block_type, "b1", "chloe").leaderboard()
    assert [(t["team"], t["members"], t["rank"]) for t in board["teams"]] == [("Finance", 2, 1), ("Sales", 1, None)]
    assert {t["team"] for t in board["teams"] if t["rank"] is not None} == {"Finance"}  # Sales has one member: not ranked
    amal = blocks["amal"]
    assert amal.runtime.events_of(f"ldai.{amal.activity}.submitted")[-1]["team"] == "finance"
    assert "team" not in blocks["dan"].runtime.events_of(f"ldai.{amal.activity}.submitted")[-1]


def test_no_score_reaches_another_learner_without_consent(platform, team_block_type):
    submitted_by(platform, team_block_type, "amal", "bruno")
    seen = platform.lms(team_block_type, "b1", "bruno").leaderboard()
    assert [row["me"] for row in seen["rows"]] == [True]
    assert "Secretname" not in json.dumps(seen) and "Amal" not in json.dumps(seen)
    amal = platform.lms(team_block_type, "b1", "amal")
    assert call(amal, "leaderboard_name_choice", {"show": "first_name"})[0] == 200
    amal.save()
    seen = platform.lms(team_block_type, "b1", "bruno").leaderboard()
    assert [row["name"] for row in seen["rows"] if not row["me"]] == ["Amal"]


def test_the_champions_export_is_for_the_course_team_only(platform, team_block_type):
    submitted_by(platform, team_block_type, "amal")
    status, body = call(platform.lms(team_block_type, "b1", "bruno"), "champions_csv", method="GET")
    assert status == 403
    status, body = call(platform.lms(team_block_type, "b1", "author", role="staff"), "champions_csv", method="GET")
    assert status == 200 and body.splitlines()[0].lstrip("\ufeff").startswith("Kind,Rank,Name")



def test_studio_checks_the_team_set_against_the_courses_teams_configuration(platform, team_block_type):
    """Studio's ``teams_configuration`` service (cms/djangoapps/contentstore/utils.py) lists the course's team-sets."""
    from tests.openedx.platform import TeamsetConfig

    platform.teamsets += [TeamsetConfig("ai-champions", "AI champions")]
    studio = platform.studio_handler(team_block_type, "b1", "author")
    status, body = call(studio, "studio_submit", {"teamset_id": "ai-champion"})
    assert status == 400 and "ai-champions (AI champions)" in body["fields"]["teamset_id"][0]
    status, body = call(studio, "studio_submit", {"teamset_id": "ai-champions"})
    assert status == 200, body
