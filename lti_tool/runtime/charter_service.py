"""The ``ldai_course_charter`` service of the tool's runtime: the course's one charter, per platform and context.

Offered to every block of a launch (blocks.course_charter reads it), so the charter activity
and the risk quiz of one course see the same rules, whatever resource link launched them. A
launch without a context (a platform may omit it) shares one record per platform under "".
"""

from __future__ import annotations

from ldai_xblocks.blocks.course_charter import KIND, StoredCharter
from ldai_xblocks.content import ContentError, validate

from ..models import CourseCharter
from .session import RuntimeSession


class LtiCourseCharterService:
    def __init__(self, session: RuntimeSession):
        self.session = session
        self._loaded: StoredCharter | None = None
        self._read = False  # one query per request, even when the course has no record

    def _key(self) -> dict:
        return {"platform": self.session.context.platform, "context_id": self.session.context.context_id or ""}

    def load(self) -> StoredCharter | None:
        """The course's record, or ``None`` when the course has none (the blocks then use their defaults)."""
        if not self._read:
            row = CourseCharter.objects.filter(**self._key()).first()
            self._read = True
            if row is not None:
                document = row.document if row.document and not validate(KIND, row.document) else None
                self._loaded = StoredCharter(document, dict(row.history or {}))
        return self._loaded

    def save(self, stored: StoredCharter) -> None:
        if stored.document is not None and validate(KIND, stored.document):
            raise ContentError(validate(KIND, stored.document))
        CourseCharter.objects.update_or_create(**self._key(), defaults={"document": stored.document, "history": stored.history})
        self._loaded, self._read = stored, True
