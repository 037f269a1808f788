"""Two teams compete in a hunt season, launched from an LMS course page (the real LTI 1.3 flow, in its iframe).

Four learners of one resource link hunt, each joins a team from the instructor's list; the last one
joins by keyboard alone (Tab to the team list, arrows, Enter), hears the confirmation in the live
region and reads the team table: Finance first (both members flag every passage), Sales second (one of
its two members flags nothing). In English and
in French (``launch_presentation.locale``), axe clean. The LMS is ``lms.py`` (lti-consumer-xblock's
platform), as in test_lti_launch_in_iframe.py.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from . import test_lti_launch_in_iframe as iframe
from .flows import DETECTOR_TEXT, detector_flag_by_mouse
from .support import LIVE_WATCH, focused, tab_until, wait_for_announcement
from .test_lti_launch_in_iframe import check_accessible, tool_frame

lms = iframe.lms  # the test LMS on its own port, and the platform name its claims carry (fixtures)
platform_name = iframe.platform_name

pytestmark = pytest.mark.browser

TEXT = {
    "en": {"team": "Your team", "join": "Join this team", "joined": r"^You joined Sales\.", "mine": "Sales (your team)",
           "caption": "Team score: the mean of the members’ best scores", "season": "The season is open until"},
    "fr": {"team": "Votre équipe", "join": "Rejoindre cette équipe", "joined": r"^Vous avez rejoint Sales\.", "mine": "Sales (votre équipe)",
           "caption": "Score de l’équipe : la moyenne des meilleurs scores de ses membres", "season": "La saison est ouverte jusqu’au"},
}


def _settings() -> dict:
    end = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    return {"leaderboard_enabled": True, "leaderboard_anonymous": False, "max_attempts": 0, "team_mode": True, "team_source": "choice",
            "team_min_members": 2, "season_end": end, "team_roster": {"members": {}, "teams": ["Finance", "Sales"], "groups": {}}}


def _hunt(frame, lang: str, flag_everything: bool) -> None:
    """Through every text and submit, flagging every passage (every hallucination found: a score above 0) or none (0)."""
    text = DETECTOR_TEXT[lang]
    block = frame.locator(".xblock-v1").first
    while True:
        if flag_everything:
            units = block.locator(".ldai-hd-unit")
            for index in range(units.count()):
                detector_flag_by_mouse(frame, index)
        if not block.get_by_role("button", name=text["next"], exact=True).count():
            break
        heading = block.locator(".ldai-hd-item h3").first.inner_text()
        block.get_by_role("button", name=text["next"], exact=True).click()
        block.locator(".ldai-hd-item h3").first.filter(has_not_text=heading).wait_for()
    if not flag_everything:
        frame.page.once("dialog", lambda dialog: dialog.accept())  # "You have not flagged anything. Submit anyway?"
    block.get_by_role("button", name=text["submit"], exact=True).click()
    block.locator(".ldai-hd-results").wait_for()


def _join_by_mouse(frame, lang: str, team: str) -> None:
    board = frame.locator(".ldai-lb-team-board")
    board.get_by_label(TEXT[lang]["team"], exact=True).select_option(team)
    board.get_by_role("button", name=TEXT[lang]["join"]).click()
    board.locator("[role=status]", has_text=team).wait_for()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_two_teams_compete_in_a_hunt_season(page, lms, site, axe_source, artifacts, lang):
    link = f"season-{lang}-{uuid.uuid4().hex[:6]}"
    settings = _settings()
    locale = "fr-FR" if lang == "fr" else "en"
    for user, team, flags in (("fin-a", "Finance", True), ("fin-b", "Finance", True), ("sales-c", "Sales", False)):
        page.goto(lms.course_page(activity="ldai_hallucination_detector", title="Hunt", user_id=f"{user}-{link}", name=user, locale=locale,
                                  pack=f"{lang}/finance", settings=settings, resource_link_id=link))
        frame = tool_frame(page, lms, site, ".xblock-v1 .ldai-hd-unit")
        _hunt(frame, lang, flag_everything=flags)
        _join_by_mouse(frame, lang, team)

    page.add_init_script(LIVE_WATCH)
    page.goto(lms.course_page(activity="ldai_hallucination_detector", title="Hunt", user_id=f"sales-d-{link}", name="Dana", locale=locale,
                              pack=f"{lang}/finance", settings=settings, resource_link_id=link))
    frame = tool_frame(page, lms, site, ".xblock-v1 .ldai-hd-unit")
    _hunt(frame, lang, flag_everything=True)
    board = frame.locator(".ldai-lb-team-board")
    board.wait_for()
    assert TEXT[lang]["season"] in board.inner_text()
    # Keyboard alone: Tab until the team list has the focus, pick Sales with the arrows, Tab to the button, Enter.
    tab_until(page, frame, ".ldai-lb-team-board select[name=team]", max_steps=120)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert re.search(TEXT[lang]["join"], focused(frame)["text"])
    page.keyboard.press("Enter")
    wait_for_announcement(frame, TEXT[lang]["joined"])
    table = board.locator("table.ldai-lb-teams")
    table.wait_for()
    assert table.locator("caption").inner_text() == TEXT[lang]["caption"]
    rows = [[cell.inner_text() for cell in row.locator("th, td").all()] for row in table.locator("tbody tr").all()]
    assert [(row[0], row[1], row[2]) for row in rows] == [("1", "Finance", "2"), ("2", TEXT[lang]["mine"], "2")], rows
    finance, sales = (int(re.sub(r"\D", "", row[3])) for row in rows)
    assert finance > sales > 0
    page.screenshot(path=str(artifacts / f"lti-iframe-team-season-{lang}.png"), full_page=True)
    check_accessible(frame, axe_source, f"team leaderboard of a hunt season ({lang})")
