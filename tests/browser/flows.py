"""Learner journeys, written once and run wherever the block is hosted (workbench page or LMS iframe).

Each takes the Playwright ``page`` (the keyboard and mouse belong to it) and the ``frame``
that holds the block (the page itself, or the tool's iframe), and returns what the learner
finally sees.
"""

from __future__ import annotations

import re

from .support import focused, tab_until, wait_for_announcement

QUIZ_TEXT = {
    "en": {"check": "Check my answer", "feedback": r"^(Correct\.|Not quite\.)", "grade": r"Your grade \(best attempt\): (\d+)\s?%",
           "next": r"^(Next question|See my profile)$", "progress": "Question {n} of {total}", "finished": r"Quiz finished"},
    "fr": {"check": "Vérifier ma réponse", "feedback": r"^(Correct\.|Pas tout à fait)", "grade": r"Votre note \(meilleure tentative\)\s?: (\d+)\s?%",
           "next": r"^(Question suivante|Voir mon profil)$", "progress": "Question {n} sur {total}", "finished": r"Quiz terminé"},
}


def quiz_total(block) -> int:
    """How many questions the attempt has, read from the progress line the learner sees."""
    numbers = re.findall(r"\d+", block.locator("[data-ldai-progress]").inner_text())
    assert len(numbers) == 2, f"no 'Question n of N' progress line: {block.locator('[data-ldai-progress]').inner_text()!r}"
    return int(numbers[1])


def quiz_by_keyboard(page, frame, lang: str, on_first_feedback=None) -> re.Match:
    """Tab, Space and Enter only: every question answered, each result focused and announced; returns the grade match."""
    text = QUIZ_TEXT[lang]
    block = frame.locator(".xblock-v1").first
    stage = block.locator("[data-ldai-stage]")
    total = quiz_total(block)
    for number in range(1, total + 1):
        assert block.locator("[data-ldai-progress]").inner_text() == text["progress"].format(n=number, total=total)
        tab_until(page, frame, "[data-ldai-stage] input")
        page.keyboard.press("Space")
        tab_until(page, frame, "[data-ldai-stage] button[type=submit]")
        assert focused(frame)["text"] == text["check"]
        page.keyboard.press("Enter")
        stage.locator("[data-ldai-result]").wait_for()
        # Focus moves to the result, and the live region says it without the learner looking for it.
        frame.wait_for_function("() => document.activeElement && document.activeElement.matches('[data-ldai-result]')")
        heard = wait_for_announcement(frame, text["feedback"])
        assert heard["politeness"] == "polite"
        assert stage.locator(".ldai-choice-feedback").count() >= 1, "each selected choice gets its feedback"
        if number == 1 and on_first_feedback:
            on_first_feedback()
        next_path = tab_until(page, frame, "[data-ldai-stage] .ldai-toolbar button")
        assert re.match(text["next"], next_path[-1]["text"])
        page.keyboard.press("Enter")
    profile = stage.locator(".ldai-profile")
    profile.wait_for()
    frame.wait_for_function("() => document.activeElement && document.activeElement.closest('.ldai-profile')")
    wait_for_announcement(frame, text["finished"])
    grade = re.search(text["grade"], profile.inner_text())
    assert grade, profile.inner_text()
    return grade


def quiz_by_mouse(frame, lang: str, choice: str = "first") -> re.Match:
    """Clicks only (the first or last choice of each question); returns the grade match."""
    text = QUIZ_TEXT[lang]
    block = frame.locator(".xblock-v1").first
    stage = block.locator("[data-ldai-stage]")
    for _ in range(quiz_total(block)):
        labels = stage.locator(".ldai-choice label")
        (labels.first if choice == "first" else labels.last).click()
        stage.get_by_role("button", name=text["check"]).click()
        stage.locator("[data-ldai-result]").wait_for()
        stage.locator(".ldai-toolbar button").click()
    profile = stage.locator(".ldai-profile")
    profile.wait_for()
    grade = re.search(text["grade"], profile.inner_text())
    assert grade, profile.inner_text()
    return grade
