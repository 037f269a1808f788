"""What the mobile apps get: the course-blocks API offers a block when its ``student_view`` supports ``multi_device``.

Replays ``lms/djangoapps/course_api/blocks/transformers/student_view.py`` (``collect``): it asks
``block.has_support(block.__class__.student_view, 'multi_device')`` - a class attribute is not
read - and calls ``student_view_data()`` on the modulestore's block, bound to no learner (its
field data is ``xmodule/modulestore/split_mongo/split_mongo_kvs.py``'s: a learner's field raises)
and outside any request (no request language). The apps then GET ``student_view_user_state``;
no handler reached by GET may write state.
"""

from __future__ import annotations

import json

from xblock.core import XBlock

from tests.openedx.conftest import author, call
from tests.openedx.platform import OUR_BLOCK_TYPES

ANSWERS = {  # the keys that carry answers in each content document
    "ldai_risk_quiz": ('"correct"', '"explanation"', '"feedback"'),
    "ldai_hallucination_detector": ('"hallucinations"', '"traps"', '"correction"'),
    "ldai_prompt_sandbox": ('"reference_prompt"',),
    "ldai_skills_map": (),  # a self-assessment: nothing to hide
}


def test_every_learner_view_is_offered_to_the_mobile_apps():
    for block_type in OUR_BLOCK_TYPES:
        cls = XBlock.load_class(block_type)
        student_view = getattr(cls, "student_view", None)
        assert XBlock.has_support(cls, student_view, "multi_device"), block_type


def test_student_view_data_is_collected_without_a_learner_or_a_request(platform, block_type):
    author(platform, block_type)
    block = platform.collect(block_type, "b1")
    data = block.student_view_data()
    assert data and json.loads(json.dumps(data)) == data
    for marker in ANSWERS[block_type]:
        assert marker not in json.dumps(data), f"{marker} must not reach the apps before an answer"


def test_no_handler_reached_by_get_writes_learner_state(platform, block_type):
    author(platform, block_type)
    block = platform.lms(block_type, "b1", "learner")
    names = sorted(name for name in dir(type(block)) if getattr(getattr(type(block), name, None), "_is_xblock_handler", False))
    assert "student_view_user_state" in names
    for name in names:
        status, _ = call(block, name, method="GET")
        assert status < 500, name
        assert platform.learners.writes == [], f"GET {name} wrote {platform.learners.writes}"
    block.student_view()
    block.save()
    assert platform.learners.writes == [], "a first view must not write state either"
