"""Exponential back-off with jitter: the one retry schedule of everything the tool delivers.

Why shared: grades (lti_tool.grades.sender) and xAPI statements (lti_tool.xapi.forwarding)
wait on someone else's server; both must spread their retries the same way (doubling, capped,
jittered so a fleet of workers does not stampede a platform that comes back, never sooner than
the server's ``Retry-After``), and one schedule is easier to reason about than two copies.
"""

from __future__ import annotations

import random
from collections.abc import Callable

MAX_RETRY_AFTER = 3600.0  # a Retry-After longer than an hour is read as an hour


def backoff_delay(attempts: int, *, base: float, cap: float, jitter: float = 0.2, retry_after: float | None = None,
                  rand: Callable[[], float] = random.random) -> float:
    """Seconds before attempt ``attempts + 1``: base * 2^(attempts-1), capped, +-jitter, >= Retry-After, >= 1 s."""
    exponent = min(max(attempts - 1, 0), 30)
    delay = min(cap, base * (2 ** exponent))
    delay *= 1 + jitter * (2 * rand() - 1)
    if retry_after:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return max(1.0, delay)
