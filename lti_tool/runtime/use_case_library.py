"""The ``ldai_use_case_library`` service of the tool's runtime: one course's use-case library across its links.

Why: each ``ldai_use_case`` link keeps its cases in its own shared state (``ResourceLinkConfig.summary
["cases"]``), so a learner saw only the cases recorded in the link they launched. A course often has
several (one per team, per module); the validated cases of all of them form the course's library
(issue 16, item 2: "validated cases form a library others browse by job family and reuse").

Scope: the links of the SAME deployment and LTI context, never wider. A platform may host several
employers, and a case is validated by one course's team for that course: another course's team has
not vouched for it. A launch without a context shares with no other link.

What it gives the block (``blocks.use_case``, which keeps its own per-link library where no host
offers this service, as in Open edX):

- :meth:`shared_cases`: the VALIDATED cases of the context's other links, as stored, each with
  ``source`` (the owning link's title); the block shows them as it shows its own (no author name);
- :meth:`adopted_elsewhere`: the cases this learner adopted in the context's other links (a case is
  adopted once, whichever link shows it);
- :meth:`adopt`: the count kept on the OWNING link's row, incremented under that row's lock
  (``SELECT ... FOR UPDATE``, as the runtime's ``_save_summary`` does), with the checks made after the
  lock is held, so two adoptions never lose a count and a learner adopting from two links at once is
  counted once (the second waits for the first's commit, then finds its adoption).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ldai_xblocks.blocks.use_case import BLOCK_TYPE, VALIDATED, LibraryRefused

from ..models import LearnerState, ResourceLinkConfig
from .session import RuntimeSession


class LtiUseCaseLibrary:
    def __init__(self, session: RuntimeSession, anon_id: str):
        self.session = session
        self.anon_id = anon_id
        self._other_links: int | None = None  # how many other use-case links the context has, once shared_cases has looked

    def _links(self):
        """The context's use-case links (none when the launch names no context)."""
        link = self.session.link
        context_id = self.session.context.context_id or ""
        if not context_id:
            return ResourceLinkConfig.objects.none()
        return ResourceLinkConfig.objects.filter(deployment_id=link.deployment_id, context_id=context_id, block_type=BLOCK_TYPE)

    def shared_cases(self) -> list[dict[str, Any]]:
        """The validated cases of the context's other links, with the title of the link each comes from."""
        found = []
        links = list(self._links().exclude(pk=self.session.link.pk).values_list("title", "summary"))
        self._other_links = len(links)
        for title, summary in links:
            cases = (summary or {}).get("cases")
            if isinstance(cases, dict):
                found += [{**case, "source": title} for case in cases.values() if isinstance(case, dict) and case.get("status") == VALIDATED]
        return found

    def adopted_elsewhere(self) -> set[str]:
        """The case ids this learner adopted in the context's other use-case links."""
        context_id = self.session.context.context_id or ""
        if not context_id or self._other_links == 0:  # a course with one use-case link (the common case): no query
            return set()
        rows = LearnerState.objects.filter(
            deployment_id=self.session.link.deployment_id, context_id=context_id, user_sub=self.session.context.user_sub,
            scope=LearnerState.Scope.USER_STATE, block_type=BLOCK_TYPE,
        ).exclude(resource_link_id=self.session.link.resource_link_id).values_list("state", flat=True)
        return {case_id for state in rows for case_id in ((state or {}).get("adopted") or []) if isinstance(case_id, str)}

    def adopt(self, case_id: str) -> dict[str, Any]:
        """Count this learner's adoption on the link that owns ``case_id``; the case as stored now, or :class:`LibraryRefused`.

        Runs inside the handler's transaction (the runtime's views): the lock is held until the learner's own
        row, with the adoption in its ``adopted`` list, is committed with it.
        """
        if not isinstance(case_id, str) or not case_id:
            raise LibraryRefused("unknown_case")
        rows = self._links().filter(summary__cases__has_key=case_id).order_by("pk")
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()
        owner = rows.values_list("pk", "title", "summary").first()
        if owner is None:
            raise LibraryRefused("unknown_case")
        pk, title, summary = owner
        case = dict(summary["cases"][case_id])
        if case.get("status") != VALIDATED:
            raise LibraryRefused("not_validated")
        if case.get("author") == self.anon_id:
            raise LibraryRefused("own_case")
        if case_id in self.adopted_elsewhere():
            raise LibraryRefused("already_adopted")
        case["adoptions"] = int(case.get("adoptions", 0)) + 1
        summary = {**summary, "cases": {**summary["cases"], case_id: case}}
        ResourceLinkConfig.objects.filter(pk=pk).update(summary=summary, modified=timezone.now())
        if pk == self.session.link.pk:
            return case
        return {**case, "source": title}
