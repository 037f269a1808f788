"""The course's use-case library in a real browser, through the real LTI flow (tests/browser/lms.py: lti-consumer-xblock's
platform serving a course page that frames the tool, as Moodle does).

Two use-case activities of one course: a learner records a case in the first (which needs no validation here,
so it is validated on record), a colleague opens the SECOND activity and finds it in their library, marked with
the activity it comes from and filtered by job family like the others, and adopts it by keyboard; EN and FR (the launch's locale), axe-clean.
"""

from __future__ import annotations

import uuid

import pytest

from .support import LIVE_WATCH, wait_for_announcement
from .test_lti_launch_in_iframe import check_accessible, lms, platform_name, tool_frame  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

TEXT = {
    "en": {"locale": "en", "recorded": "in the library", "from": "Shared from the activity", "adopt": "I adopt it",
           "adopted": "Adopted", "count": "1 colleague"},
    "fr": {"locale": "fr-FR", "recorded": "dans la bibliothèque", "from": "Partagé depuis l’activité", "adopt": "Je l'adopte",
           "adopted": "Adopté", "count": "1 collègue"},
}
FIELDS = {"tool": "The company assistant", "data": "Counts per category, no names", "before": "Two hours reading tickets by hand",
          "after": "A draft in thirty minutes, every figure checked", "minutes_saved": "90"}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_case_recorded_in_one_activity_is_listed_and_adopted_in_another(page, lms, site, axe_source, artifacts, lang):  # noqa: F811
    text, run = TEXT[lang], uuid.uuid4().hex[:6]
    task = f"Drafting the weekly complaints summary {run}"
    first_title = f"Use cases, sales team {run}"
    page.add_init_script(LIVE_WATCH)
    page.goto(lms.course_page(activity="ldai_use_case", title=first_title, user_id=f"author-{run}", name="Alex Martin",
                              locale=text["locale"], settings={"require_validation": False}, resource_link_id=f"uc-1-{run}"))
    frame = tool_frame(page, lms, site, ".xblock-v1 [data-ldai-case-form]")
    form = frame.locator("[data-ldai-case-form]")
    form.locator("[name='task']").fill(task)
    for name, value in FIELDS.items():
        form.locator(f"[name='{name}']").fill(value)
    form.locator("[name='rating-choice'][value='4']").check()
    form.locator("button[type=submit]").click()
    wait_for_announcement(frame, text["recorded"])

    page.goto(lms.course_page(activity="ldai_use_case", title=f"Use cases, finance team {run}", user_id=f"colleague-{run}",
                              name="Sam Lee", locale=text["locale"], resource_link_id=f"uc-2-{run}"))
    frame = tool_frame(page, lms, site, ".xblock-v1 [data-ldai-library]")
    card = frame.locator("[data-ldai-library] .ldai-case", has_text=task)
    card.wait_for()
    assert text["from"] in card.inner_text() and first_title in card.inner_text()
    assert "Alex" not in card.inner_text()  # peers never see who wrote it
    check_accessible(frame, axe_source, f"use-case library with another activity's case ({lang})")
    card.screenshot(path=str(artifacts / f"lti-use_case-library-{lang}.png"))
    library_filter = frame.locator("[data-ldai-filter]")
    library_filter.select_option("finance")  # the job-family filter applies to the shared cases too (recorded as marketing)
    assert card.count() == 0
    library_filter.select_option("marketing")
    card.wait_for()
    button = card.get_by_role("button", name=f"{text['adopt']}: {task}")
    button.focus()
    page.keyboard.press("Enter")
    wait_for_announcement(frame, text["adopted"])
    adopted = frame.locator("[data-ldai-library] .ldai-case", has_text=task)
    assert text["count"] in adopted.inner_text() and adopted.get_by_role("button").count() == 0
    check_accessible(frame, axe_source, f"use-case library after adopting ({lang})")
