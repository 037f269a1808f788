"""One charter per course in Open edX: the course team saves it in the charter block's Studio view, and the quiz of
the same course grades its charter questions against it, found through the modulestore.

Reproduces ``xmodule/modulestore/split_mongo/split.py`` ``get_items(course_locator, settings=None, content=None,
qualifiers=None, include_orphans=True)`` (reached through ``xmodule/modulestore/django.py`` ``modulestore()``, as
xblock-lti-consumer's ``lti_consumer/plugin/compat.py`` reaches it), the modulestore's block of a course being
the one ``Platform.collect`` builds (``lms/djangoapps/course_api/blocks/transformers/student_view.py``).
"""

from __future__ import annotations

import copy
import json
import sys
import types

import pytest

from ldai_xblocks.content.packs import load_pack
from tests.openedx.conftest import AUTHOR, call
from tests.openedx.platform import COURSE


@pytest.fixture
def modulestore(platform, monkeypatch):
    asked = []

    class SplitMongoModuleStore:
        def get_items(self, course_locator, settings=None, content=None, qualifiers=None, include_orphans=True, **kwargs):
            asked.append((course_locator, qualifiers))
            if course_locator != COURSE or qualifiers != {"category": "ldai_charter"}:
                return []
            return [platform.collect("ldai_charter", "charter")]

    module = types.ModuleType("xmodule.modulestore.django")
    module.modulestore = SplitMongoModuleStore
    for name in ("xmodule", "xmodule.modulestore"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "xmodule.modulestore.django", module)
    return asked


def test_the_course_team_saves_the_charter_once_and_the_quiz_grades_against_it(platform, modulestore):
    quiz = platform.lms("ldai_risk_quiz", "quiz", "learner")
    assert quiz.bank().rule("client-data-public-chatbot").allowed is False  # no charter saved: the pack's rules
    document = copy.deepcopy(load_pack("charter", "en/ai-charter"))  # the pack is cached: never edit it in place
    document["sections"][1]["rules"][0]["verdict"] = "allowed"
    studio = platform.studio_handler("ldai_charter", "charter", AUTHOR)
    status, body = call(studio, "studio_submit", {"charter": json.dumps(document), "version": "2.0"})
    assert status == 200, body
    studio.save()
    quiz = platform.lms("ldai_risk_quiz", "quiz", "learner")
    assert quiz.bank().rule("client-data-public-chatbot").allowed is True
    assert (COURSE, {"category": "ldai_charter"}) in modulestore
    # Studio's quiz editor shows the course's rules without a second editor.
    quiz_studio = platform.studio_preview("ldai_risk_quiz", "quiz", AUTHOR)
    assert 'data-ldai-rule="' not in quiz_studio.studio_view().content
    # The learner of the charter block sees version 2.0 in the LMS.
    assert platform.lms("ldai_charter", "charter", "learner").user_state()["version"] == "2.0"


def test_studios_component_handler_refuses_someone_without_write_access(platform, modulestore):
    """``common/djangoapps/xblock_django/user_service.py`` says 'student' for everyone: write access decides."""
    platform.user("visitor")
    studio = platform.studio_handler("ldai_charter", "charter", "visitor")
    status, body = call(studio, "studio_submit", {"charter": json.dumps(load_pack("charter", "en/ai-charter")), "version": "9"})
    assert status == 403 and body["code"] == "authors_only"
    learner = platform.lms("ldai_charter", "charter", "learner")
    assert call(learner, "pack_document", {})[0] == 403
