"""The LMS's side of a submission: the settings bucket, grade and completion events, the Problem Responses report.

Replays ``xmodule/services.py`` (``SettingsService.get_settings_bucket``: ``XBLOCK_SETTINGS`` keyed by
``block_settings_key``), the LMS's event handling in ``lms/djangoapps/courseware/block_render.py``
(``handle_grade_event`` reads ``value``/``max_value``; ``completion`` events for completable blocks),
and ``lms/djangoapps/instructor_task/tasks_helper/grades.py`` (ProblemResponses: ``generate_report_data``
over ``edx-user-state-client``'s ``XBlockUserState`` rows).
"""

from __future__ import annotations

import pytest

from tests.openedx.conftest import CUSTOM_CONTENT, author, first_submit, learner_state
from tests.openedx.platform import GRADED_BLOCK_TYPES, XBlockUserState


@pytest.fixture(params=GRADED_BLOCK_TYPES)
def block_type(request) -> str:
    """The activities with an own-content fixture (tests/openedx/conftest.py)."""
    return request.param


def test_the_ldai_settings_bucket_comes_from_xblock_settings(platform, block_type, settings):
    settings.XBLOCK_SETTINGS = {"LDAI": {"LLM_BACKEND": "none", "QUOTA_PER_DAY": 7}}
    author(platform, block_type)
    assert platform.lms(block_type, "b1", "learner").ldai_settings() == {"LLM_BACKEND": "none", "QUOTA_PER_DAY": 7}


def test_a_graded_submission_publishes_grade_and_completion(platform, block_type):
    fields = {"custom_content": CUSTOM_CONTENT[block_type]}
    if block_type == "ldai_risk_quiz":
        fields["num_questions"] = 1  # one answer completes the attempt
    author(platform, block_type, **fields)
    block = platform.lms(block_type, "b1", "learner")
    first_submit(block)
    grades = block.runtime.events_of("grade")
    assert grades and grades[-1]["max_value"] == 1.0 and 0.0 <= grades[-1]["value"] <= 1.0
    assert block.runtime.events_of("completion") == [{"completion": 1.0}]
    assert block.runtime.events_of(f"ldai.{block.activity}.submitted")  # the namespaced tracking event


def test_problem_responses_report_has_a_row_per_learner(platform, block_type):
    author(platform, block_type, custom_content=CUSTOM_CONTENT[block_type])
    rows = []
    for username in ("amal", "bruno"):
        block = platform.lms(block_type, "b1", username)
        first_submit(block)
        block.save()
        rows.append(XBlockUserState(username, block.scope_ids.usage_id, learner_state(block), None, None))
    report = list(platform.lms(block_type, "b1", "teacher", role="staff").generate_report_data(iter(rows)))
    assert {username for username, _ in report} == {"amal", "bruno"}
    assert all(isinstance(row, dict) and row for _, row in report)
