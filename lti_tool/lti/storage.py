"""Where the login leaves what the launch must find: pylti1p3's Django cache storage, without its session cookie.

Why no session cookie: pylti1p3 prefixes keys with an ``lti1p3-session-id``
cookie over HTTPS, and that cookie is exactly what a browser blocking
third-party cookies drops inside an LMS iframe, which would turn every such
launch into "state not found". Our state key is already a random secret, and the
launch proves the browser separately (state cookie, or LTI Platform Storage), so
the extra cookie adds failure, not security.
"""

from __future__ import annotations

from django.core.cache import cache
from pylti1p3.contrib.django import DjangoCacheDataStorage


class LaunchStorage(DjangoCacheDataStorage):
    def get_session_cookie_name(self):
        return None

    def delete(self, key: str) -> bool:
        """Remove ``key``; True only for the caller that actually removed it (one-time use)."""
        return bool(cache.delete(self._prepare_key(key)))


def state_key(state: str) -> str:
    """pylti1p3's key for the parameters saved at login for ``state`` (SessionService._get_key)."""
    return f"lti1p3-{state}"
