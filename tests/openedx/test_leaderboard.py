"""Leaderboards in the LMS: names only as each learner chooses, looked up when the board is drawn.

Replays ``common/djangoapps/xblock_django/user_service.py`` (``get_user_by_anonymous_id`` returns
the Django user: ``first_name``, ``profile.name``) and the LMS's storage of
``Scope.user_state_summary`` (``lms/djangoapps/courseware/model_data.py``: one row per field, the
whole value written back), where two learners' writes can cross.
"""

from __future__ import annotations

import json

import pytest

from tests.openedx.conftest import CUSTOM_CONTENT, author, call, first_submit, submitted_by

BOARD = {"leaderboard_enabled": True, "leaderboard_anonymous": False}


@pytest.fixture(params=["ldai_hallucination_detector", "ldai_prompt_sandbox"])
def board_type(request, platform) -> str:
    author(platform, request.param, custom_content=CUSTOM_CONTENT[request.param], **BOARD)
    for name, first in (("amal", "Amal"), ("bruno", "Bruno"), ("chloe", "Chloé")):
        platform.user(name, first_name=first, full_name=f"{first} Secretname")
    return request.param


def test_names_appear_only_as_each_learner_chose(platform, board_type):
    choices = {"amal": {"show": "first_name"}, "bruno": {"show": "alias", "alias": "B-Team"}, "chloe": None}
    for username, choice in choices.items():
        block = platform.lms(board_type, "b1", username)
        first_submit(block)
        if choice:
            assert call(block, "leaderboard_name_choice", choice)[0] == 200
        block.save()
    viewer = platform.lms(board_type, "b1", "chloe")
    names = sorted(row["name"] for row in viewer.leaderboard()["rows"])
    assert names == ["", "Amal", "B-Team"]
    assert "Secretname" not in json.dumps(viewer.leaderboard_entries) and "Amal" not in json.dumps(viewer.leaderboard_entries)


def test_a_first_name_change_shows_at_once_and_the_authors_setting_wins(platform, board_type):
    block = platform.lms(board_type, "b1", "amal")
    first_submit(block)
    call(block, "leaderboard_name_choice", {"show": "first_name"})
    block.save()
    platform.users["amal"].first_name = "Amalia"
    assert platform.lms(board_type, "b1", "bruno").leaderboard()["rows"][0]["name"] == "Amalia"
    author(platform, board_type, leaderboard_anonymous=True)
    hidden = platform.lms(board_type, "b1", "bruno").leaderboard()
    assert hidden["rows"] == [] and hidden["total"] == 1  # counted, but neither her name nor her score reaches bruno


def test_a_learner_who_keeps_the_name_hidden_shows_no_score_to_others(platform, board_type):
    """Issue 15 item 4: no score of one learner is visible to another without consent (a nameless row is still a score)."""
    submitted_by(platform, board_type, "amal", "bruno")
    seen_by_bruno = platform.lms(board_type, "b1", "bruno").leaderboard()
    assert [row["me"] for row in seen_by_bruno["rows"]] == [True] and seen_by_bruno["total"] == 2
    amal = platform.lms(board_type, "b1", "amal")
    call(amal, "leaderboard_name_choice", {"show": "alias", "alias": "Amal A."})
    amal.save()
    seen_by_bruno = platform.lms(board_type, "b1", "bruno").leaderboard()
    assert sorted(row["name"] for row in seen_by_bruno["rows"] if not row["me"]) == ["Amal A."]


def test_a_wrong_choice_is_explained_and_changes_nothing(platform, board_type):
    block = platform.lms(board_type, "b1", "amal")
    status, body = call(block, "leaderboard_name_choice", {"show": "alias", "alias": "  "})
    assert status == 400 and body["fields"]["alias"]
    status, body = call(block, "leaderboard_name_choice", {"show": "full_name"})
    assert status == 400 and body["fields"]["show"]
    assert block.leaderboard()["my_name"] == {"show": "hidden", "alias": ""}


def test_an_entry_lost_to_crossing_writes_comes_back_with_the_learners_next_submit(platform, board_type):
    """Two learners' blocks loaded at once; each writes the whole summary field back (the LMS's storage)."""
    amal, bruno = platform.lms(board_type, "b1", "amal"), platform.lms(board_type, "b1", "bruno")
    assert amal.leaderboard_entries == bruno.leaderboard_entries == {}  # both read the (empty) board first
    first_submit(amal)
    amal.save()
    first_submit(bruno)
    bruno.save()
    assert len(platform.lms(board_type, "b1", "chloe").leaderboard_entries) == 1  # amal's entry was overwritten
    again = platform.lms(board_type, "b1", "amal")
    assert again.leaderboard()["my_rank"] is not None  # she still sees herself
    if board_type == "ldai_hallucination_detector":
        assert call(again, "start_attempt")[0] == 200
    first_submit(again)
    again.save()
    assert len(platform.lms(board_type, "b1", "chloe").leaderboard_entries) == 2
