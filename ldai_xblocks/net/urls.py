"""Read a URL exactly as the HTTP client will, and refuse the forms that readers disagree on.

Why not ``urllib.parse.urlsplit``: requests prepares URLs with urllib3's parser,
which treats a backslash as a path separator (as browsers do), so
``https://attacker\\@lms.example.org/`` is read as host ``lms.example.org`` by
urlsplit and connected to ``attacker`` by requests. We prepare the URL with
requests itself and take the host from the prepared URL with both parsers: when
they disagree, or when the URL carries userinfo, a backslash, whitespace or a
control character, it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from urllib3.util import parse_url

from .policy import NetPolicy

DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeUrl(requests.exceptions.InvalidURL):
    """A URL the guarded client will not fetch (the message says why, for the log)."""


@dataclass(frozen=True)
class CheckedUrl:
    url: str  # as requests will send it
    scheme: str
    host: str  # lower case, IDNA-encoded, no brackets
    port: int


def check_url(url: object, policy: NetPolicy | None = None) -> CheckedUrl:
    policy = policy or NetPolicy()
    if not isinstance(url, str) or not url:
        raise UnsafeUrl("no URL")
    if "\\" in url or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        raise UnsafeUrl("the URL contains a backslash, a space or a control character")
    schemes = ("https://", "http://") if policy.allow_http else ("https://",)
    if not url.lower().startswith(schemes):
        raise UnsafeUrl(f"the URL must start with {' or '.join(schemes)}")
    prepared = requests.PreparedRequest()
    try:
        prepared.prepare_url(url, None)
        parsed = parse_url(prepared.url)
        split = urlsplit(prepared.url)
        split_port = split.port
    except (requests.RequestException, ValueError) as exc:
        raise UnsafeUrl(f"the URL cannot be read ({type(exc).__name__})") from None
    if parse_url(url).auth is not None or parsed.auth is not None or split.username is not None:
        raise UnsafeUrl("the URL carries a user name or password (userinfo)")
    host = (parsed.host or "").lower().strip("[]")
    if not host or host != (split.hostname or "").lower():
        raise UnsafeUrl("the URL's host cannot be read unambiguously")
    scheme = (parsed.scheme or "").lower()
    port = parsed.port or DEFAULT_PORTS.get(scheme, 0)
    if scheme not in DEFAULT_PORTS or port != (split_port or DEFAULT_PORTS[scheme]):
        raise UnsafeUrl("the URL's scheme or port cannot be read unambiguously")
    return CheckedUrl(url=prepared.url, scheme=scheme, host=host, port=port)
