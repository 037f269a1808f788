"""The ``ldai_course_charter`` service of the tool's runtime: the course's one charter, per platform and context.

Offered to every block of a launch (blocks.course_charter reads it), so the charter activity
and the risk quiz of one course see the same rules, whatever resource link launched them. A
launch without a context (a platform may omit it) shares one record per platform under "".

Why a per-process cache: the risk quiz reads the course's charter on every render (its bank
is graded against it), so each launch paid a query for a record that changes only when an
instructor saves the charter. Records (and their absence) are kept per process with
:class:`~lti_tool.lti.process_cache.ProcessCache`; a save or delete through the model bumps the
shared version, so every process reads it again (the only writer is :meth:`save` below).
"""

from __future__ import annotations

import copy

from django.db.models.signals import post_delete, post_save

from ldai_xblocks.blocks.course_charter import KIND, StoredCharter
from ldai_xblocks.content import ContentError, validate

from ..lti.process_cache import ProcessCache
from ..models import CourseCharter
from .session import RuntimeSession

VERSION_KEY = "ldai-lti-charter-version"
_cache = ProcessCache(VERSION_KEY, max_age=5.0)
clear_local = _cache.clear_local


def _load(platform_pk: int, context_id: str) -> tuple[dict | None, dict] | None:
    row = CourseCharter.objects.filter(platform_id=platform_pk, context_id=context_id).values_list("document", "history").first()
    if row is None:
        return None
    document, history = row
    return (document if document and not validate(KIND, document) else None), dict(history or {})


class LtiCourseCharterService:
    def __init__(self, session: RuntimeSession):
        self.session = session
        self._loaded: StoredCharter | None = None
        self._read = False  # one look-up per request, even when the course has no record

    def _key(self) -> dict:
        return {"platform": self.session.context.platform, "context_id": self.session.context.context_id or ""}

    def load(self) -> StoredCharter | None:
        """The course's record, or ``None`` when the course has none (the blocks then use their defaults)."""
        if not self._read:
            platform_pk, context_id = self.session.context.platform.pk, self.session.context.context_id or ""
            found = _cache.get((platform_pk, context_id), lambda: _load(platform_pk, context_id))
            self._read = True
            if found is not None:  # copies: a block may change what it was given, never another request's
                self._loaded = StoredCharter(copy.deepcopy(found[0]), copy.deepcopy(found[1]))
        return self._loaded

    def save(self, stored: StoredCharter) -> None:
        if stored.document is not None and validate(KIND, stored.document):
            raise ContentError(validate(KIND, stored.document))
        CourseCharter.objects.update_or_create(**self._key(), defaults={"document": stored.document, "history": stored.history})
        self._loaded, self._read = stored, True


def _charter_changed(sender, **kwargs) -> None:
    _cache.bump_now_and_on_commit()


post_save.connect(_charter_changed, sender=CourseCharter, dispatch_uid="ldai-charter-cache-save")
post_delete.connect(_charter_changed, sender=CourseCharter, dispatch_uid="ldai-charter-cache-delete")
