"""The detector's "Flag a precise passage" by keyboard and by mouse, and a timed hunt's "Try again".

Issue 12: the precise flag needed the caret of a read-only textarea, which Chromium's arrow keys
do not move; it now uses two native range inputs (first and last word), operable by keyboard in
Chromium and Firefox alike, and a mouse selection in a copy of the text.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from .support import LIVE_WATCH, assert_accessible, focused, handler_url, json_post, open_block, shot, tab_until, wait_for_announcement

pytestmark = pytest.mark.browser

SCENARIO = "ldai_hallucination_detector.0"
HUNT = "ldai_hallucination_detector.1"
TEXT = {
    "en": {"summary": "Flag a precise passage", "flag": "Flag this passage", "flagged": r"^Flagged: “", "first": "First word of the passage",
           "last": "Last word of the passage", "word": r"^Word 3 of \d+: "},
    "fr": {"summary": "Signaler un passage précis", "flag": "Signaler ce passage", "flagged": r"^Signalé\s?: «|^Signalé\s?: “",
           "first": "Premier mot du passage", "last": "Dernier mot du passage", "word": r"^Mot 3 sur \d+\s?: "},
}


def words_of(text: str) -> list[str]:
    return re.findall(r"\S+", text)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_precise_passage_is_flagged_by_keyboard_alone(page, site, axe_source, artifacts, lang):
    """Tab to the box, Enter opens it, arrows move the two ends word by word, Enter flags: no caret needed."""
    text = TEXT[lang]
    page.add_init_script(LIVE_WATCH)
    block = open_block(page, site.scenario(SCENARIO, lang=lang, student=f"precise-{lang}-{uuid.uuid4().hex[:8]}"), ready=".ldai-hd-unit")
    item_text = block.evaluate("(b) => Array.from(b.querySelectorAll('.ldai-hd-text')).map(n => n.textContent).join('')")
    words = words_of(item_text)
    tab_until(page, page, ".ldai-hd-precise-box summary")
    assert focused(page)["text"] == text["summary"]
    page.keyboard.press("Enter")
    tab_until(page, page, "input[data-ldai-precise=from]")
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    first = block.locator("input[data-ldai-precise=from]")
    assert first.input_value() == "2"
    assert re.match(text["word"], first.get_attribute("aria-valuetext")), first.get_attribute("aria-valuetext")
    assert block.get_by_label(text["first"]).count() == 1 and block.get_by_label(text["last"]).count() == 1
    tab_until(page, page, "input[data-ldai-precise=to]")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert block.locator("input[data-ldai-precise=to]").input_value() == "5"
    expected = " ".join(words[2:6])
    assert block.locator(".ldai-hd-precise-copy mark").all_inner_texts() == words[2:6]
    shot(page, artifacts, f"hallucination_detector-precise-{lang}")
    assert_accessible(page, axe_source, f"precise passage selector ({lang})")
    tab_until(page, page, "[data-ldai-precise-flag]")
    assert focused(page)["text"] == text["flag"]
    with page.expect_response(lambda r: "/save_flags/" in r.url and r.ok):
        page.keyboard.press("Enter")
        wait_for_announcement(page, text["flagged"])
    quotes = block.locator(".ldai-hd-flags q").all_inner_texts()
    assert quotes == [expected], quotes
    # the flag is kept across a reload (saved on the server)
    page.reload(wait_until="load")
    page.locator(".xblock-v1 .ldai-hd-unit").first.wait_for()
    assert page.locator(".xblock-v1 .ldai-hd-flags q").all_inner_texts() == [expected]


def test_a_precise_passage_is_flagged_by_mouse_selection(page, site):
    block = open_block(page, site.scenario(SCENARIO, lang="en", student=f"precise-mouse-{uuid.uuid4().hex[:8]}"), ready=".ldai-hd-unit")
    block.locator(".ldai-hd-precise-box summary").click()
    copy = block.locator(".ldai-hd-precise-copy")
    start, end = copy.locator("[data-w='4']"), copy.locator("[data-w='7']")
    start.scroll_into_view_if_needed()
    box_a, box_b = start.bounding_box(), end.bounding_box()
    page.mouse.move(box_a["x"] + 1, box_a["y"] + box_a["height"] / 2)
    page.mouse.down()
    page.mouse.move(box_b["x"] + box_b["width"] - 1, box_b["y"] + box_b["height"] / 2, steps=5)
    page.mouse.up()
    assert block.locator("input[data-ldai-precise=from]").input_value() == "4"
    assert block.locator("input[data-ldai-precise=to]").input_value() == "7"
    words = [copy.locator(f"[data-w='{i}']").inner_text() for i in range(4, 8)]
    block.get_by_role("button", name="Flag this passage").click()
    block.locator(".ldai-hd-flags q").first.wait_for()
    assert block.locator(".ldai-hd-flags q").all_inner_texts() == [" ".join(words)]


def test_try_again_in_a_timed_hunt_waits_for_start_the_hunt(page, site, axe_source):
    """Issue 12: "Try again" used to start the clock at once; now the start card comes first, and the clock waits for it."""
    page.add_init_script(LIVE_WATCH)
    block = open_block(page, site.scenario(HUNT, lang="en", student=f"retry-{uuid.uuid4().hex[:8]}"), ready="[data-ldai-stage] button")
    block.get_by_role("button", name="Start the hunt").click()
    block.locator(".ldai-hd-unit").first.click()
    block.locator("[data-ldai-submit]").click()
    block.locator(".ldai-hd-results").wait_for()
    calls = []
    page.on("request", lambda r: calls.append(r.url) if "/start_attempt/" in r.url else None)
    tab_until(page, page, "[data-ldai-stage] .ldai-hd-results button")
    assert focused(page)["text"] == "Try again"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.textContent === 'Ready for the hunt?'")
    assert not block.locator("[data-ldai-timer]").is_visible() and block.locator(".ldai-hd-unit").count() == 0
    assert calls == [], "the clock must not start before the learner asks"
    assert_accessible(page, axe_source, "hunt start card after a retry (en)")
    tab_until(page, page, "[data-ldai-stage] button")
    assert focused(page)["text"] == "Start the hunt"
    page.keyboard.press("Enter")
    block.locator(".ldai-hd-unit").first.wait_for()
    wait_for_announcement(page, r"^The hunt has started")
    assert re.match(r"^Time left: [45]:\d\d$", block.locator("[data-ldai-timer]").inner_text())
    assert len(calls) == 1


CHANGED = {"en": "The course team has changed the texts since this attempt.", "fr": "L’équipe pédagogique a modifié les textes depuis cette tentative."}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_finished_attempt_stays_on_its_texts_after_the_author_changes_them(page, site, lang):
    """Issue 12: after an author's change, a finished attempt was shown as "0 % – found 0 of 1" on a text never seen."""
    learner = f"versioned-{lang}-{uuid.uuid4().hex[:8]}"
    block = open_block(page, site.scenario(SCENARIO, lang=lang, student=learner), ready=".ldai-hd-unit")
    titles = [json_post(page, handler_url(page, "student_view_user_state"), {})["body"]["items"][0]["title"]]
    block.locator(".ldai-hd-unit").first.click()
    for _ in range(5):
        nxt = block.locator("[data-ldai-next]")
        if not nxt.count():
            break
        nxt.click()
    block.locator("[data-ldai-submit]").click()
    results = block.locator(".ldai-hd-results")
    results.wait_for()
    before = results.inner_text()
    author = page.context.new_page()
    open_block(author, site.scenario(SCENARIO, "studio_view", lang=lang), ready="[data-ldai-studio-form]")
    original = {"custom_content": author.locator("[name=custom_content]").input_value()}
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "hallucination_small.json"
    try:
        saved = json_post(author, handler_url(author, "studio_submit"), {"custom_content": fixture.read_text(encoding="utf-8")})
        assert saved["status"] == 200, saved
        page.reload(wait_until="load")
        results = page.locator(".xblock-v1 .ldai-hd-results")
        results.wait_for()
        assert CHANGED[lang] in results.inner_text()
        assert titles[0] in results.inner_text(), "the results are on the texts the learner worked on"
        figures = re.compile(r"\d+\s?%")
        assert figures.findall(results.inner_text()) == figures.findall(before), "the same scores, not 0 % on new texts"
    finally:
        restored = json_post(author, handler_url(author, "studio_submit"), original)
        assert restored["status"] == 200, restored
        author.close()
