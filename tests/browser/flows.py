"""Learner journeys, written once and run wherever the block is hosted (workbench page or LMS iframe).

Each takes the Playwright ``page`` (the keyboard and mouse belong to it) and the ``frame``
that holds the block (the page itself, or the tool's iframe), and returns what the learner
finally sees.
"""

from __future__ import annotations

import re

from .support import focused, tab_until, wait_for_announcement

QUIZ_TEXT = {
    "en": {"check": "Check my answer", "feedback": r"^(Correct\.|Not quite\.|Partly right: )", "grade": r"Your grade \(best attempt\): (\d+)\s?%",
           "next": r"^(Next question|See my profile)$", "progress": "Question {n} of {total}", "finished": r"Quiz finished"},
    "fr": {"check": "Vérifier ma réponse", "feedback": r"^(Correct\.|Pas tout à fait|En partie juste)", "grade": r"Votre note \(meilleure tentative\)\s?: (\d+)\s?%",
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


SANDBOX_TEXT = {
    "en": {"submit": "Get feedback", "score": r"^Score: (\d+) out of 100\.", "grade": r"Your grade is your (?:best|last) attempt: (\d+)\s?%",
           "feedback_title": "Feedback on attempt {n}", "leak": "Warning: your prompt contains confidential data."},
    "fr": {"submit": "Obtenir un retour", "score": r"^Score\s?: (\d+) sur 100\.",
           "grade": r"Votre note est celle de votre (?:meilleure|dernière) tentative\s?: (\d+)\s?%",
           "feedback_title": "Retour sur la tentative {n}", "leak": "Attention : votre prompt contient des données confidentielles."},
}

GOOD_PROMPT = {
    "en": ("You are an experienced communications officer. Write a short email to our sales team announcing the new expense policy. "
           "Context: the policy starts on 1 March and travel costs must now be approved in advance. Audience: sales staff who travel often. "
           "Format: a subject line and three short paragraphs, at most 150 words. Tone: friendly and clear. Do not mention individual names. "
           "Example of the style: 'From 1 March, book your trips through the portal.'"),
    "fr": ("Tu es chargé de communication interne. Rédige un court e-mail à l'équipe commerciale pour annoncer la nouvelle politique de "
           "notes de frais. Contexte : elle s'applique au 1er mars et les déplacements doivent désormais être validés à l'avance. "
           "Public : des commerciaux qui voyagent souvent. Format : un objet et trois paragraphes courts, 150 mots au plus. "
           "Ton : cordial et clair. Ne cite aucun nom. Exemple de style : « À partir du 1er mars, réservez vos trajets sur le portail. »"),
}


def sandbox_by_keyboard(page, frame, lang: str, prompt: str | None = None) -> re.Match:
    """Tab to the prompt box, type, Tab to the button, Enter: feedback focused and announced; returns the grade match."""
    text = SANDBOX_TEXT[lang]
    block = frame.locator(".xblock-v1").first
    attempt = block.locator(".ldai-ps-history tbody tr").count() + 1
    tab_until(page, frame, "textarea[name=prompt]")
    page.keyboard.insert_text(prompt or GOOD_PROMPT[lang])  # one input event, as a paste or an IME would send
    page.keyboard.type(" ")
    tab_until(page, frame, "[data-ldai-submit]")
    assert focused(frame)["text"] == text["submit"]
    page.keyboard.press("Enter")
    block.locator(".ldai-ps-feedback h3", has_text=text["feedback_title"].format(n=attempt)).wait_for()
    frame.wait_for_function("() => document.activeElement && document.activeElement.closest('.ldai-ps-feedback')")
    heard = wait_for_announcement(frame, text["score"])
    assert heard["politeness"] == "polite"
    assert block.locator(".ldai-ps-criteria li").count() == 8, "one line of feedback per criterion"
    grade = re.search(text["grade"], block.inner_text())
    assert grade, block.inner_text()
    return grade


def sandbox_by_mouse(frame, lang: str, prompt: str) -> re.Match:
    """Click in the box, type, click the button; returns the grade match."""
    text = SANDBOX_TEXT[lang]
    block = frame.locator(".xblock-v1").first
    attempt = block.locator(".ldai-ps-history tbody tr").count() + 1
    block.locator("textarea[name=prompt]").click()
    block.locator("textarea[name=prompt]").fill(prompt)
    block.get_by_role("button", name=text["submit"], exact=True).click()
    block.locator(".ldai-ps-feedback h3", has_text=text["feedback_title"].format(n=attempt)).wait_for()
    grade = re.search(text["grade"], block.inner_text())
    assert grade, block.inner_text()
    return grade


DETECTOR_TEXT = {
    "en": {"submit": "Submit my flags", "next": "Next text", "results": "Your results", "grade": r"Your grade \(best attempt\): (\d+)\s?%",
           "heading": r"^Text (\d+) of (\d+)"},
    "fr": {"submit": "Envoyer mes signalements", "next": "Texte suivant", "results": "Vos résultats",
           "grade": r"Votre note \(meilleure tentative\)\s?: (\d+)\s?%", "heading": r"^Texte (\d+) sur (\d+)"},
}


def detector_flag_by_mouse(frame, unit: int = 0) -> None:
    """Click one unit of the text on screen to flag it (a toggle button) and wait until it says so."""
    button = frame.locator(".xblock-v1 .ldai-hd-unit").nth(unit)
    button.click()
    frame.wait_for_function("(i) => { const b = document.querySelectorAll('.xblock-v1 .ldai-hd-unit')[i]; return b && b.getAttribute('aria-pressed') === 'true'; }",
                            arg=unit)


def detector_by_mouse(frame, lang: str) -> re.Match:
    """Clicks only: flag the first unit of every text, go through the texts, submit; returns the grade match."""
    text = DETECTOR_TEXT[lang]
    block = frame.locator(".xblock-v1").first
    heading = re.match(text["heading"], block.locator(".ldai-hd-item h3").first.inner_text())
    assert heading, block.locator(".ldai-hd-item h3").first.inner_text()
    total = int(heading.group(2))
    for number in range(int(heading.group(1)), total + 1):
        if block.locator(".ldai-hd-unit[aria-pressed=true]").count() == 0:
            detector_flag_by_mouse(frame, 0)
        if number < total:
            block.get_by_role("button", name=text["next"], exact=True).click()
            block.locator(".ldai-hd-item h3", has_text=re.compile(text["heading"].replace(r"(\d+)", str(number + 1), 1))).wait_for()
    block.get_by_role("button", name=text["submit"], exact=True).click()
    results = block.locator(".ldai-hd-results")
    results.wait_for()
    grade = re.search(text["grade"], results.inner_text())
    assert grade, results.inner_text()
    return grade
