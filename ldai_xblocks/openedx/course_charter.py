"""Open edX: find the course's charter block, so the quiz grades its charter questions against it.

Open edX offers no course-wide XBlock field, but every block knows its course
(``usage_key.context_key``) and the modulestore lists a course's blocks by type:
``modulestore().get_items(course_key, qualifiers={"category": ...})``
(``xmodule/modulestore/split_mongo/split.py``, through ``xmodule/modulestore/mixed.py``), the
lookup xblock-lti-consumer's ``lti_consumer/plugin/compat.py`` also makes, imported lazily so
the package imports outside the platform. The LMS reads the published branch, Studio the draft
one (the branch setting of the request). Several charter blocks in one course: the first one,
in location order, with a saved charter wins (docs/decisions/0005).
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("ldai.openedx")

BLOCK_TYPE = "ldai_charter"


def course_charter_block(block: Any) -> Any | None:
    """The course's ``ldai_charter`` block holding a saved charter, or ``None`` (not in Open edX, none saved)."""
    course_key = getattr(getattr(block.scope_ids, "usage_id", None), "context_key", None)
    if course_key is None:
        return None
    try:
        from xmodule.modulestore.django import modulestore
    except ImportError:
        return None
    try:
        found = modulestore().get_items(course_key, qualifiers={"category": BLOCK_TYPE})
    except Exception:  # a course the store cannot read now: the quiz keeps its pack's rules
        log.exception("could not list the charter blocks of %s", course_key)
        return None
    saved = [item for item in found if getattr(item, "charter_document", "")]
    return min(saved, key=lambda item: str(item.scope_ids.usage_id)) if saved else None
