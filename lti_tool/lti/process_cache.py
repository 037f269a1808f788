"""Rows kept in the process for a few seconds, dropped by every process at once when they change.

Why: the tool's hot paths (login, launch) read rows that change rarely (registrations, a resource
link's settings), and each ORM query costs more there than the launch's own checks. Each
process keeps what it read for ``max_age`` seconds, tagged with a version number kept in the
shared Django cache (Redis in production). A change saved through the models bumps that
version, so every process drops its copies at once; a change that bypasses the models
(raw SQL, ``QuerySet.update``) is seen within ``max_age``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache
from django.db import transaction


class ProcessCache:
    """One family of cached rows, with its own version key in the shared cache."""

    def __init__(self, version_key: str, max_age: float = 5.0, max_entries: int = 2048):
        self.version_key = version_key
        self.max_age = max_age
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, int, Any]] = {}
        self._lock = threading.Lock()

    def bump(self) -> None:
        """The rows changed: every process must read them again."""
        try:
            cache.incr(self.version_key)
        except ValueError:  # no version yet (fresh cache)
            if not cache.add(self.version_key, 1, None):
                cache.incr(self.version_key)
        self.clear_local()

    def bump_now_and_on_commit(self) -> None:
        """Bump at once and again when the transaction commits: a process that read the old row between
        the two (the change not yet committed) cached it under the first version only."""
        self.bump()
        transaction.on_commit(self.bump)

    def clear_local(self) -> None:
        with self._lock:
            self._entries.clear()

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The cached value of ``key``, or ``load()``'s (read after the version, so never newer-tagged than it is)."""
        now = time.monotonic()
        version = cache.get(self.version_key, 0)
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now and hit[1] == version:
            return hit[2]
        value = load()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (now + self.max_age, version, value)
        return value
