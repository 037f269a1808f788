"""The one HTTP client for every server-side fetch: platform registration, JWKS, AGS grades, the LLM.

Why one client: each of these fetches goes to a URL that someone other than the
operator can influence (a platform's configuration, a signed launch, a settings
field), so each must refuse the same things the same way: URLs the HTTP stack
would read differently from us, loopback/private/link-local/metadata addresses
(checked after DNS resolution, on the very address we then connect to), endless
or huge answers. No Django here: the XBlocks use it inside Open edX too.
"""

from .addresses import BlockedAddress, is_public_address
from .client import GuardedSession, RefusedDestination, ResponseTooLarge, guarded_session
from .policy import NetPolicy
from .urls import CheckedUrl, UnsafeUrl, check_url

__all__ = [
    "BlockedAddress",
    "CheckedUrl",
    "GuardedSession",
    "NetPolicy",
    "RefusedDestination",
    "ResponseTooLarge",
    "UnsafeUrl",
    "check_url",
    "guarded_session",
    "is_public_address",
]
