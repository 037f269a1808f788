"""The demo for the three personas in a real browser (Debian chromium), served as `make demo` serves it (LDAI_DEMO=1).

One journey, as a newcomer would show it to a learning manager: learner A plays the quiz
from the keyboard alone, starting on the demo's front page; learner B plays it with the
mouse; the instructor opens the results (both learners, their scores) and, one click
further, the authoring view; "Reset the demo" empties the results. Then the same in French.
The activity pages are the tool's own (the LTI runtime), not the workbench: the block's
wrapper carries the LTI handler prefix. axe-core checks the front page, the learner page,
the results and the authoring view.
"""

from __future__ import annotations

import re

import pytest

from .flows import DETECTOR_TEXT, quiz_by_keyboard, quiz_by_mouse
from .live import start_site, stop_site
from .support import LIVE_WATCH, focused, has_visible_focus, run_axe, tab_until, unnamed_controls

pytestmark = pytest.mark.browser

QUIZ = "ldai_risk_quiz"
TEXT = {
    "en": {"learner_a": "Learner A", "learner_b": "Learner B", "results": "Instructor: results only", "settings": "Settings",
           "reset": "Reset the demo", "reset_done": "The demo was reset", "nobody": "No learner has opened this activity yet.",
           "you_are": "You are: {who}", "results_title": "Results", "all": "All activities", "skip": "Skip to the activity"},
    "fr": {"learner_a": "Apprenant A", "learner_b": "Apprenant B", "results": "Enseignant : résultats seuls", "settings": "Réglages",
           "reset": "Réinitialiser la démo", "reset_done": "La démo a été réinitialisée", "nobody": "Aucun apprenant n’a encore ouvert cette activité.",
           "you_are": "Vous êtes : {who}", "results_title": "Résultats", "all": "Toutes les activités", "skip": "Aller à l’activité"},
}


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The tool site with the demo on, as `make demo` starts it; its own database."""
    running = start_site(tmp_path_factory.mktemp("ldai-demo-site"), {"LDAI_DEMO": "1"})
    try:
        yield running
    finally:
        stop_site(running)


def assert_page_accessible(page, axe_source, where: str) -> None:
    """The whole page (landmarks, the demo's bar, the block, the results), not only the block."""
    violations = run_axe(page, axe_source, include="html")
    assert not violations, f"axe, {where}:\n" + "\n".join(map(str, violations))
    missing = unnamed_controls(page.locator("body"))
    assert not missing, f"controls without an accessible name, {where}: {missing}"


def persona_link(page, lang: str, persona: str):
    """The front page's link that opens the quiz as ``persona``: found by its accessible name, as a screen reader user would."""
    section = page.get_by_role("article", name=re.compile(r"quiz", re.I))
    return section.get_by_role("link", name=re.compile("^" + re.escape(TEXT[lang][persona])))


def results_rows(page) -> dict[str, str]:
    """Learner name -> score cell of the instructor's results table."""
    rows = {}
    for row in page.locator(".ldai-lti-results tbody tr").all():
        rows[row.locator("th").inner_text().strip()] = row.locator("td").first.inner_text().strip()
    return rows


def play_and_check(page, lang: str, demo_site, axe_source, artifacts) -> dict[str, int]:
    text = TEXT[lang]
    page.add_init_script(LIVE_WATCH)
    page.goto(f"{demo_site.url}/?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.get_by_role("banner").count() == 1 and page.get_by_role("main").count() == 1
    assert page.get_by_role("navigation").count() == 1
    # Every activity the tool hosts has its card, each with the four ways in.
    assert page.locator("article.ldai-demo-activity").count() >= 3
    page.screenshot(path=str(artifacts / f"demo-front-{lang}.png"), full_page=True)
    assert_page_accessible(page, axe_source, f"demo front page ({lang})")

    # Learner A, keyboard alone from the front page: Tab to the link, Enter, then the whole quiz.
    path = tab_until(page, page, f'a[href*="/{QUIZ}/learner-a/"]')
    assert has_visible_focus(path[-1]), path[-1]
    assert focused(page)["text"].startswith(text["learner_a"])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/lti/activity/"))
    block = page.locator(".xblock-v1").first
    assert "/lti/handler/" in block.get_attribute("data-handler-prefix"), "the tool's own runtime, not the workbench"
    assert page.get_by_role("banner").inner_text().count(text["you_are"].format(who=text["learner_a"])) == 1
    block.locator("[data-ldai-stage] form").wait_for()
    assert_page_accessible(page, axe_source, f"learner A's quiz ({lang})")
    # The first Tab offers to skip the demo's bar; Enter takes the keyboard straight to the activity.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == text["skip"] and has_visible_focus(focused(page))
    page.keyboard.press("Enter")
    grade_a = int(quiz_by_keyboard(page, page, lang).group(1))

    # Learner B, mouse only: back to the front page from the demo's bar, a click on their link.
    page.get_by_role("banner").get_by_role("link", name=text["all"]).click()
    persona_link(page, lang, "learner_b").click()
    page.wait_for_url(re.compile(r"/lti/activity/"))
    page.locator(".xblock-v1 [data-ldai-stage] form").wait_for()
    assert text["you_are"].format(who=text["learner_b"]) in page.get_by_role("banner").inner_text()
    grade_b = int(quiz_by_mouse(page, lang, choice="last").group(1))

    # The instructor's results: both learners, with the scores they just got.
    page.goto(f"{demo_site.url}/?lang={lang}")
    page.get_by_role("link", name=re.compile("^" + re.escape(text["results"]))).first.click()
    page.wait_for_url(re.compile(r"/lti/activity/.*view=results"))
    page.get_by_role("heading", name=text["results_title"]).wait_for()
    rows = results_rows(page)
    assert set(rows) == {text["learner_a"], text["learner_b"]}, rows
    assert rows[text["learner_a"]].startswith(str(grade_a)) and rows[text["learner_b"]].startswith(str(grade_b)), (rows, grade_a, grade_b)
    page.screenshot(path=str(artifacts / f"demo-results-{lang}.png"), full_page=True)
    assert_page_accessible(page, axe_source, f"instructor's results ({lang})")

    # One click to the authoring view (the block's own Studio editor), the results still below it.
    page.get_by_role("navigation", name=re.compile(r"instruct|enseignant", re.I)).get_by_role("link", name=text["settings"]).click()
    page.locator(".xblock-v1-studio_view").wait_for()
    assert page.locator(".ldai-lti-results tbody tr").count() == 2
    assert_page_accessible(page, axe_source, f"instructor's authoring view ({lang})")
    return {"a": grade_a, "b": grade_b}


def reset_and_check(page, lang: str, demo_site) -> None:
    text = TEXT[lang]
    page.goto(f"{demo_site.url}/?lang={lang}")
    page.get_by_role("button", name=text["reset"]).click()
    page.get_by_role("status").wait_for()
    assert text["reset_done"] in page.get_by_role("status").inner_text()
    page.get_by_role("link", name=re.compile("^" + re.escape(text["results"]))).first.click()
    page.get_by_role("heading", name=text["results_title"]).wait_for()
    assert page.locator(".ldai-lti-results tbody tr").count() == 0
    assert text["nobody"] in page.locator(".ldai-lti-results").inner_text()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_learner_a_by_keyboard_learner_b_by_mouse_the_instructor_sees_both_then_reset(page, demo_site, axe_source, artifacts, lang):
    play_and_check(page, lang, demo_site, axe_source, artifacts)
    reset_and_check(page, lang, demo_site)


def test_the_demo_bar_switches_language_and_persona_in_one_click(page, demo_site, axe_source):
    page.goto(f"{demo_site.url}/?lang=en")
    persona_link(page, "en", "learner_a").click()
    page.wait_for_url(re.compile(r"/lti/activity/"))
    bar = page.get_by_role("banner")
    bar.get_by_role("link", name="Français").click()
    page.wait_for_url(re.compile(r"/lti/activity/"))
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Vous êtes : Apprenant A" in page.get_by_role("banner").inner_text()
    assert page.locator(".xblock-v1 section.ldai").get_attribute("lang") == "fr"
    page.get_by_role("banner").get_by_role("link", name="Enseignant").click()
    page.locator(".xblock-v1-studio_view").wait_for()
    assert "Vous êtes : Enseignant" in page.get_by_role("banner").inner_text()
    assert_page_accessible(page, axe_source, "instructor reached from the demo's bar (fr)")


def test_the_front_page_reflows_at_320_css_pixels_and_every_link_is_reachable_by_keyboard(page, demo_site):
    """WCAG 1.4.10 (French: the longer words) and 2.1.1: Tab reaches every link and the reset button, each with a visible focus."""
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{demo_site.url}/?lang=fr")
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    targets = page.locator("a[href], button").count()
    seen = set()
    for _ in range(targets + 5):
        page.keyboard.press("Tab")
        info = focused(page)
        if info is None:
            continue
        assert has_visible_focus(info), info
        seen.add(page.evaluate("() => document.activeElement.outerHTML"))
    assert len(seen) == targets, f"{len(seen)} of {targets} links and buttons reached by Tab"


# ----- issue 15's team season, in the demo: two teams on the hunt's board, and learner A moves theirs ------------

HUNT = "ldai_hallucination_detector"
SEASON_TEXT = {
    "en": {"card": r"hallucination", "start": "Start the hunt", "caption": "Team score: the mean of the members’ best scores",
           "north": "North team", "south": "South team", "mine": "North team (your team)", "season": "The season is open until",
           "preview": "Preview as a learner", "settings": "Instructor: settings and results", "not_in_team": "You are not in a team yet."},
    "fr": {"card": r"hallucination", "start": "Commencer la chasse", "caption": "Score de l’équipe : la moyenne des meilleurs scores de ses membres",
           "north": "Équipe Nord", "south": "Équipe Sud", "mine": "Équipe Nord (votre équipe)", "season": "La saison est ouverte jusqu’au",
           "preview": "Aperçu côté apprenant", "settings": "Enseignant : réglages et résultats", "not_in_team": "Vous n’êtes pas encore dans une équipe."},
}


def team_rows(scope) -> list[tuple[str, str, str, int]]:
    """(rank, team, members, score %) of the team table a learner sees."""
    table = scope.locator(".ldai-lb-team-board table.ldai-lb-teams")
    table.wait_for()
    rows = [[cell.inner_text().strip() for cell in row.locator("th, td").all()] for row in table.locator("tbody tr").all()]
    return [(rank, team, members, int(re.sub(r"\D", "", score))) for rank, team, members, score in rows]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_two_teams_compete_in_the_demo_hunt_season_and_learner_a_moves_their_team(page, demo_site, axe_source, artifacts, lang):
    """The front page's hunt card -> learner A: the season and both teams ranked before they play (four teammates
    played through the block: lti_tool/pages/demo_season.py); A submits without a flag, their team's mean falls and
    they count as its third member; the instructor's learner preview shows the same board."""
    text = SEASON_TEXT[lang]
    page.goto(f"{demo_site.url}/?lang={lang}")
    page.get_by_role("button", name=TEXT[lang]["reset"]).click()  # a fresh season, whatever ran before on this site
    page.get_by_role("status").wait_for()
    card = page.get_by_role("article", name=re.compile(text["card"], re.I))
    assert card.get_by_role("link", name=re.compile("^" + re.escape(TEXT[lang]["learner_a"]))).count() == 1
    card.get_by_role("link", name=re.compile("^" + re.escape(TEXT[lang]["learner_a"]))).click()
    page.wait_for_url(re.compile(r"/lti/activity/"))
    block = page.locator(".xblock-v1").first
    board = block.locator(".ldai-lb-team-board")
    board.wait_for()
    assert text["season"] in board.inner_text()
    assert block.locator(".ldai-lb-teams caption").inner_text() == text["caption"]
    before = team_rows(block)
    assert [(rank, team, members) for rank, team, members, _ in before] == [("1", text["mine"], "2"), ("2", text["south"], "2")], before
    assert before[0][3] > before[1][3] > 0
    page.screenshot(path=str(artifacts / f"demo-team-season-{lang}.png"), full_page=True)
    assert_page_accessible(page, axe_source, f"demo hunt's team season, before playing ({lang})")

    block.get_by_role("button", name=text["start"], exact=True).click()
    block.locator(".ldai-hd-unit").first.wait_for()
    while block.get_by_role("button", name=DETECTOR_TEXT[lang]["next"], exact=True).count():
        heading = block.locator(".ldai-hd-item h3").first.inner_text()
        block.get_by_role("button", name=DETECTOR_TEXT[lang]["next"], exact=True).click()
        block.locator(".ldai-hd-item h3").first.filter(has_not_text=heading).wait_for()
    page.once("dialog", lambda dialog: dialog.accept())  # "You have not flagged anything. Submit anyway?"
    block.get_by_role("button", name=DETECTOR_TEXT[lang]["submit"], exact=True).click()
    block.locator(".ldai-hd-results").wait_for()
    after = {team: (members, score) for _rank, team, members, score in team_rows(block)}
    assert after[text["mine"]][0] == "3" and after[text["mine"]][1] < before[0][3], after
    assert after[text["south"]] == (before[1][2], before[1][3])
    assert_page_accessible(page, axe_source, f"demo hunt's team season, after learner A played ({lang})")

    page.get_by_role("banner").get_by_role("link", name=TEXT[lang]["all"]).click()
    page.get_by_role("article", name=re.compile(text["card"], re.I)).get_by_role("link", name=re.compile("^" + re.escape(text["settings"]))).click()
    page.locator(".xblock-v1-studio_view").wait_for()
    page.get_by_role("link", name=text["preview"]).click()
    board = page.locator(".xblock-v1 .ldai-lb-team-board")
    board.wait_for()
    assert text["not_in_team"] in board.inner_text()
    assert {team for _rank, team, _members, _score in team_rows(page.locator(".xblock-v1"))} == {text["north"], text["south"]}
    assert_page_accessible(page, axe_source, f"instructor's preview of the demo hunt's team season ({lang})")
