"""Where a course's one charter lives, in each host, so the charter activity and the quiz read the same rules.

* **LTI tool**: a tool-side record per platform and course (LTI context), offered to every block
  of a launch as the ``ldai_course_charter`` service (``lti_tool.runtime.charter_service``).
* **Open edX**: the platform has no course-wide XBlock field (its field data serves only
  ``Scope.content``/``settings`` per block and the user scopes), so the charter is the
  ``charter_document`` settings field of the course's ``ldai_charter`` block; the quiz finds that
  block through the modulestore (``ldai_xblocks.openedx.course_charter``). See
  docs/decisions/0005-course-charter-storage.rst.
* Anywhere else (the workbench, a toy runtime): the charter block's own fields, and the quiz
  keeps its pack's default rules.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from ..content import ContentError, parse_document

log = logging.getLogger("ldai.blocks")

SERVICE = "ldai_course_charter"
KIND = "charter"


@dataclass
class StoredCharter:
    """The company's charter as saved (``None`` document: the default template) and every version's rules."""

    document: dict | None = None
    history: dict[str, dict] = field(default_factory=dict)


def _service(block: Any):
    try:
        return block.runtime.service(block, SERVICE)
    except Exception:  # a block class that did not declare the service, or a runtime that refuses it
        return None


def _document_of(holder: Any) -> dict | None:
    text = getattr(holder, "charter_document", "") or ""
    if text:
        try:
            return parse_document(KIND, text)
        except ContentError:
            log.warning("the stored charter of %s is invalid; showing the default template", holder.scope_ids.usage_id)
    return None


def _from_fields(holder: Any) -> StoredCharter:
    return StoredCharter(_document_of(holder), dict(getattr(holder, "charter_history", {}) or {}))


def _holder(block: Any) -> Any:
    """The block whose fields keep the charter: the charter activity itself, else the course's (Open edX), else None."""
    if hasattr(block, "charter_document"):
        return block
    from ..openedx.course_charter import course_charter_block

    return course_charter_block(block)


def load(block: Any) -> StoredCharter | None:
    """The course's charter as the host keeps it, or ``None`` where the host has none for this course."""
    service = _service(block)
    if service is not None:
        return service.load()
    holder = _holder(block)
    return _from_fields(holder) if holder is not None else None


def load_document(block: Any) -> dict | None:
    """The saved charter alone (None: the template), for what needs no version history: a learner's view and
    submits, the quiz's rules. Where the charter is in block fields, its history field is then not read at all."""
    service = _service(block)
    if service is not None:
        stored = service.load()
        return stored.document if stored else None
    holder = _holder(block)
    return _document_of(holder) if holder is not None else None


def save(block: Any, stored: StoredCharter) -> None:
    """Keep the charter where :func:`load` reads it (only the charter activity saves it)."""
    service = _service(block)
    if service is not None:
        service.save(stored)
        return
    block.charter_document = json.dumps(stored.document, ensure_ascii=False) if stored.document else ""
    block.charter_history = dict(stored.history)
