"""TeamChallengeMixin on the Promptathon and the hunt: the Studio checks, the learner's choice, award events."""

from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

import pytest

from tests.blocks.test_prompt_sandbox import CONTENT, STRONG, WEAK, submit
from tests.conftest import fixture_text

TEAMS = json.dumps({"members": {}, "teams": ["Blue", "Red"], "groups": {}})
OLX = (f"<ldai_prompt_sandbox leaderboard_enabled='true' leaderboard_anonymous='false' max_attempts='0' team_mode='true' "
       f"team_source='choice' team_min_members='2' team_roster={quoteattr(TEAMS)} custom_content={quoteattr(CONTENT)}/>")


@pytest.mark.parametrize(("payload", "field"), [
    ({"team_source": "everyone"}, "team_source"),
    ({"team_min_members": 1}, "team_min_members"),  # a team of one would win
    ({"team_min_members": "two"}, "team_min_members"),
    ({"season_start": "next monday"}, "season_start"),
    ({"season_start": "2026-12-10", "season_end": "2026-12-01"}, "season_end"),
    ({"season_start": 5}, "season_start"),
    ({"team_roster_csv": "learner,team\nana@example.org,\n"}, "team_roster_csv"),
    ({"team_roster_csv": ["not", "text"]}, "team_roster_csv"),
])
@pytest.mark.parametrize("block_type", ["ldai_prompt_sandbox", "ldai_hallucination_detector"])
def test_studio_refuses_wrong_team_settings_and_saves_nothing(blocks, handler, payload, field, block_type):
    content = CONTENT if block_type == "ldai_prompt_sandbox" else fixture_text("hallucination_small.json")
    block = blocks.from_xml(f"<{block_type} custom_content={quoteattr(content)}/>")
    status, body = handler(block, "studio_submit", {"display_name": "Season", **payload})
    assert status == 400 and set(body["fields"]) == {field}, body
    assert block.display_name == "" and block.team_roster == {} and block.season_start == ""


def test_studio_saves_the_list_as_typed_and_as_read(blocks, handler):
    block = blocks.from_xml(f"<ldai_prompt_sandbox custom_content={quoteattr(CONTENT)}/>")
    status, body = handler(block, "studio_submit", {"team_mode": True, "team_source": "roster", "season_start": "2026-12-01",
                                                     "team_roster_csv": "learner,team\nAna@Example.org,Blue\n"})
    assert status == 200, body
    assert block.team_roster["members"] == {"ana@example.org": "Blue"} and block.team_roster_csv.startswith("learner,team")
    status, _ = handler(block, "studio_submit", {"team_roster_csv": "  "})
    assert status == 200 and block.team_roster == {} and block.team_roster_csv == ""


def test_a_learner_chooses_a_listed_team_and_awards_are_announced_once_per_season(blocks, handler):
    first = blocks.from_xml(OLX)
    assert handler(first, "choose_team", {"team": "Green"})[0] == 400
    status, body = handler(first, "choose_team", {"team": "Blue"})
    assert status == 200 and body["leaderboard"]["team_choices"] == ["Blue", "Red"]
    handler(first, "leaderboard_name_choice", {"show": "alias", "alias": "Ada"})
    submit(first, handler, STRONG)
    second = blocks.as_user(first, "learner2")
    handler(second, "choose_team", {"team": "Blue"})
    state = submit(second, handler, WEAK)
    blue = state["leaderboard"]["teams"][0]
    assert (blue["team"], blue["members"], blue["rank"], blue["mine"]) == ("Blue", 2, 1, True)
    runtime = second.runtime
    assert runtime.events_of("ldai.prompt_sandbox.award_earned") == [{"award": "team_first", "rank": 1, "team": "blue"}]
    assert runtime.events_of("ldai.prompt_sandbox.team_joined") == [{"team": "blue"}]
    assert runtime.events_of("ldai.prompt_sandbox.submitted")[-1]["team"] == "blue"
    submit(second, handler, WEAK)
    assert len(runtime.events_of("ldai.prompt_sandbox.award_earned")) == 1  # once per season
    first_events = first.runtime.events_of("ldai.prompt_sandbox.award_earned")
    assert {"award": "top_list", "rank": 1, "team": "blue"} in first_events  # Ada chose to be seen


def test_learners_cannot_choose_when_teams_come_from_the_list(blocks, handler):
    block = blocks.from_xml(OLX.replace("team_source='choice'", "team_source='roster'"))
    status, body = handler(block, "choose_team", {"team": "Blue"})
    assert status == 409 and body["code"] == "no_team_choice"
