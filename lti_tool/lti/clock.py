"""The issue time (``iat``) of the JWTs the tool signs: a few seconds in the past.

Why backdate: Moodle verifies our deep-linking responses and client assertions with
php-jwt and no leeway (``JWT::$leeway`` is 0), so a token whose ``iat`` is even one
second in Moodle's future ("Cannot handle token prior to ...") is refused. Servers'
clocks drift by a second or two even under NTP; five seconds covers that and leaves
the token's validity window (``exp``) untouched.
"""

from __future__ import annotations

import time

BACKDATE_SECONDS = 5


def issued_at(now: float | None = None) -> int:
    """``iat`` for a token signed now (whole seconds, :data:`BACKDATE_SECONDS` in the past)."""
    return int(time.time() if now is None else now) - BACKDATE_SECONDS
