"""What the guarded client allows: one frozen value, so a session can be cached per policy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SETTING = "HTTP_ALLOWED_HOSTS"  # in the LDAI settings dict of both shells (Django settings, XBLOCK_SETTINGS)


@dataclass(frozen=True)
class NetPolicy:
    """``allowed_hosts``: host names, IP addresses or networks (``10.0.0.0/8``) the operator lets the tool
    reach although they are not public (an Ollama server on the LAN, a test platform on 127.0.0.1)."""

    allow_http: bool = False
    allowed_hosts: tuple[str, ...] = ()
    timeout: float = 5.0  # connect and read, per socket operation
    total_timeout: float = 30.0  # the whole answer, however slowly it drips
    max_bytes: int = 256 * 1024
    max_redirects: int = 3

    def with_hosts(self, hosts: Iterable[str]) -> NetPolicy:
        return NetPolicy(self.allow_http, tuple(sorted({*self.allowed_hosts, *allowed_hosts_from(hosts)})), self.timeout,
                         self.total_timeout, self.max_bytes, self.max_redirects)


def allowed_hosts_from(value: Any) -> tuple[str, ...]:
    """The operator's list (a list, or a comma-separated string from the environment), normalised."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, Iterable):
        return ()
    return tuple(sorted({h.strip().lower().strip("[]") for h in value if isinstance(h, str) and h.strip()}))


def allowed_hosts_setting(ldai: Mapping[str, Any] | None) -> tuple[str, ...]:
    """``LDAI["HTTP_ALLOWED_HOSTS"]``, the same key in the tool site and in Open edX's XBLOCK_SETTINGS."""
    return allowed_hosts_from(ldai.get(SETTING, ())) if isinstance(ldai, Mapping) else ()
