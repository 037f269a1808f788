"""Team challenges through the LTI runtime: two teams in a hunt season, launched by a real LTI 1.3 platform.

The platform is lti-consumer-xblock's ``LtiAdvantageConsumer`` (tests/lti/conftest.py). LTI 1.3 has no
group claim, so the groups ride in a custom parameter as the platforms substitute them:
Moodle's ``$Moodle.Person.userGroupIds`` (``mod/lti/locallib.php``, ``lti_calculate_custom_parameter``:
``implode(",", groups_get_user_groups($COURSE->id, $USER->id)[0])``, numeric ids) and Canvas's
``$Canvas.group.contextIds`` (``lib/lti/variable_expander.rb``: the user's groups' opaque context ids,
comma separated). The instructor's CSV names those ids; the learners' scores then rank the teams.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from lti_tool.lti import claims as c
from lti_tool.models import ResourceLinkConfig, Statement
from lti_tool.runtime.xblock_runtime import platform_teams
from tests.lti.runtime_fixtures import call, handler_prefix, init_args, launch_page
from tests.lti.test_runtime_activities import hunt_custom, perfect_flags, sandbox_custom

pytest_plugins = ["tests.lti.runtime_fixtures"]

TEAM_BOARD = {"leaderboard_enabled": True, "leaderboard_anonymous": False, "max_attempts": 0, "team_mode": True,
              "team_source": "platform", "team_min_members": 2}
ROSTER = "learner,team,platform_group\n,Finance,12\n,Sales,15\nsolo@example.com,Legal,\n"
# (LTI user id, Moodle group ids, how many of the texts the learner flags perfectly)
LEARNERS = [("fin-1", "12", 3), ("fin-2", "12,99", 2), ("sales-1", "15", 1), ("sales-2", "15", 0)]


def _hunt(**extra) -> dict:
    return {**hunt_custom(**TEAM_BOARD, **extra), c.CUSTOM_TEAM_IDS: "$Moodle.Person.userGroupIds"}


def _as_learner(user_id: str, groups: str, **extra) -> dict:
    return {**_hunt(**extra), c.CUSTOM_TEAM_IDS: groups}


def _flags(count: int) -> dict:
    flags = perfect_flags()
    return {item: spans for index, (item, spans) in enumerate(sorted(flags.items())) if index < count}


def _instructor_saves(client, consumer, **settings) -> tuple[int, dict]:
    html = launch_page(client, consumer, role="instructor", user_id="teacher", custom=_hunt())
    return call(client, handler_prefix(html), "studio_submit", settings)


def test_platform_groups_come_from_custom_parameters_and_unsubstituted_variables_are_ignored():
    assert platform_teams({"LDAI_TEAM_IDS": "12, 15;99", "ldai_team": ""}) == {"ldai.platform_groups": ["12", "15", "99"], "ldai.platform_team": ""}
    assert platform_teams({"ldai_team_ids": "$Canvas.group.contextIds", "ldai_team": "$Canvas.group.name"}) == {"ldai.platform_groups": [], "ldai.platform_team": ""}
    assert platform_teams({"ldai_team": "Finance Paris"})["ldai.platform_team"] == "Finance Paris"


def test_two_teams_compete_in_a_hunt_season(client, graded_platform):
    consumer, _ = graded_platform
    status, body = _instructor_saves(client, consumer, team_roster_csv=ROSTER)
    assert status == 200, body
    boards = {}
    for user_id, groups, count in LEARNERS:
        html = launch_page(client, consumer, user_id=user_id, name=f"Name {user_id}", email=f"{user_id}@example.com", custom=_as_learner(user_id, groups))
        prefix = handler_prefix(html)
        status, result = call(client, prefix, "submit", {"flags": _flags(count)})
        assert status == 200, result
        boards[user_id] = result["leaderboard"]
    # The solo learner of the instructor's list (matched by e-mail): a team of one is listed, never ranked.
    html = launch_page(client, consumer, user_id="solo", name="Solo", email="solo@example.com", custom=_as_learner("solo", ""))
    status, result = call(client, handler_prefix(html), "submit", {"flags": perfect_flags()})
    assert status == 200
    board = result["leaderboard"]
    assert board["my_team"] == "Legal"
    teams = {row["team"]: row for row in board["teams"]}
    assert teams["Finance"]["rank"] == 1 and teams["Sales"]["rank"] == 2 and teams["Legal"]["rank"] is None
    assert teams["Finance"]["members"] == teams["Sales"]["members"] == 2
    assert teams["Finance"]["score"] > teams["Sales"]["score"]
    assert boards["sales-2"]["my_team"] == "Sales"
    # The submitted events carry the team, the xAPI statements too (the profile allow-lists ``team``).
    submitted = Statement.objects.filter(activity="hallucination_detector", action="submitted", is_instructor=False)
    teams_sent = sorted(s.body["result"]["extensions"].get("https://ldai-xblocks.org/xapi/extensions/team", "") for s in submitted)
    assert teams_sent == ["finance", "finance", "legal", "sales", "sales"]
    awards = [s.body for s in Statement.objects.filter(activity="hallucination_detector", action="award_earned")]
    assert awards and all(a["verb"]["id"] == "http://id.tincanapi.com/verb/earned" for a in awards)


def test_no_learners_score_reaches_another_without_consent(client, graded_platform):
    """Issue 15 item 4, with two learners of one team: a score travels only with its owner's choice of name."""
    consumer, _ = graded_platform
    _instructor_saves(client, consumer, team_roster_csv=ROSTER)
    first = handler_prefix(launch_page(client, consumer, user_id="fin-1", name="Ada Secret", custom=_as_learner("fin-1", "12")))
    assert call(client, first, "submit", {"flags": perfect_flags()})[0] == 200
    second = handler_prefix(launch_page(client, consumer, user_id="fin-2", name="Bob Secret", custom=_as_learner("fin-2", "12")))
    status, result = call(client, second, "submit", {"flags": {}})
    board = result["leaderboard"]
    assert [row["me"] for row in board["rows"]] == [True] and board["total"] == 2
    page = launch_page(client, consumer, user_id="fin-2", name="Bob Secret", custom=_as_learner("fin-2", "12"))
    assert "Ada" not in page and "Secret" not in json.dumps(ResourceLinkConfig.objects.get().summary)
    assert call(client, first, "leaderboard_name_choice", {"show": "first_name"})[0] == 200
    board = init_args(launch_page(client, consumer, user_id="fin-2", name="Bob Secret", custom=_as_learner("fin-2", "12")))["state"]["leaderboard"]
    assert [(row["name"], row["me"]) for row in board["rows"]] == [("Ada", False), ("", True)]
    # The team's mean is an aggregate of the minimum number of members: shown without anyone's consent.
    assert board["teams"][0]["team"] == "Finance" and board["teams"][0]["rank"] == 1


def test_scores_outside_the_season_do_not_count_and_say_so(client, graded_platform):
    consumer, _ = graded_platform
    later = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    status, body = _instructor_saves(client, consumer, team_roster_csv=ROSTER, season_start=later)
    assert status == 200, body
    prefix = handler_prefix(launch_page(client, consumer, user_id="fin-1", custom=_as_learner("fin-1", "12")))
    status, result = call(client, prefix, "submit", {"flags": perfect_flags()})
    assert status == 200 and result["best_score"] > 0.9  # the grade counts
    board = result["leaderboard"]
    assert board["season"]["state"] == "not_started" and later.replace("T", " ") in board["season"]["message"]
    assert board["my_rank"] is None and board["teams"] == []
    ended = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    assert _instructor_saves(client, consumer, season_start="", season_end=ended)[0] == 200
    board = init_args(launch_page(client, consumer, user_id="fin-1", custom=_as_learner("fin-1", "12", locale="fr")))["state"]["leaderboard"]
    assert board["season"]["state"] == "ended"


def test_the_instructors_csv_is_checked_line_by_line_in_their_language(client, graded_platform):
    consumer, _ = graded_platform
    html = launch_page(client, consumer, role="instructor", user_id="teacher", locale="fr-FR", custom=_hunt())
    bad = "apprenant;équipe\nana@example.org;Finance\nANA@example.org;Ventes\nbob@example.org;=SOMME(A1)\n"
    status, body = call(client, handler_prefix(html), "studio_submit", {"team_roster_csv": bad, "season_end": "demain"})
    assert status == 400
    lines = body["fields"]["team_roster_csv"]
    assert lines[0].startswith("Ligne 3") and lines[1].startswith("Ligne 4") and "formule" in lines[1]
    assert body["fields"]["season_end"]
    assert ResourceLinkConfig.objects.get().settings.get("team_roster_csv", "") == ""  # nothing saved


def test_learners_choose_among_the_instructors_teams_and_the_champions_export(client, graded_platform):
    consumer, _ = graded_platform
    html = launch_page(client, consumer, role="instructor", user_id="teacher", custom=sandbox_custom(**TEAM_BOARD))
    teacher = handler_prefix(html)
    assert call(client, teacher, "studio_submit", {"team_source": "choice", "team_roster_csv": "learner,team\n,Blue\n,Red\n"})[0] == 200
    for user_id, team in (("a", "Blue"), ("b", "Blue"), ("c", "Red"), ("d", "Red")):
        prefix = handler_prefix(launch_page(client, consumer, user_id=user_id, name=f"=cmd|{user_id}", custom=sandbox_custom(**TEAM_BOARD)))
        status, body = call(client, prefix, "choose_team", {"team": "Green"})
        assert status == 400 and body["fields"]["team"]
        status, body = call(client, prefix, "choose_team", {"team": team})
        assert status == 200 and body["leaderboard"]["my_team"] == team
        call(client, prefix, "submit", {"prompt": "You are an analyst. Write a short summary of our sales for the team, as a list." * (2 if team == "Blue" else 1)})
        call(client, prefix, "leaderboard_name_choice", {"show": "alias", "alias": f"=HYPERLINK({user_id})"})
    joined = Statement.objects.filter(activity="prompt_sandbox", action="team_joined").count()
    assert joined == 4
    response = client.get(teacher + "champions_csv/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Kind", "Rank", "Name"]
    assert {row[2] for row in rows[1:] if row[0] == "Team"} == {"Blue", "Red"}
    learner_names = [row[2] for row in rows[1:] if row[0] == "Learner"]
    assert learner_names and all(name.startswith("'=") for name in learner_names)  # formula-safe
    learner = handler_prefix(launch_page(client, consumer, user_id="a", custom=sandbox_custom(**TEAM_BOARD)))
    assert client.get(learner + "champions_csv/").status_code == 403
