"""A requests Session that connects only where the policy allows, and reads bounded answers.

How the address check holds against DNS rebinding: the check runs inside the
connection's own ``_new_conn`` (urllib3), on the addresses resolved there, and the
socket is opened to one of those checked addresses (TLS still verifies the host
name: only the TCP target is pinned). Nothing resolves the name a second time.
Redirects are followed by requests through the same connections (so a redirect
to a refused address is refused) and every hop's URL is checked again. Proxies
from the environment are ignored: through a proxy the guard would only see the
proxy's address.
"""

from __future__ import annotations

import socket
import time
from functools import lru_cache

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection

from .addresses import BlockedAddress, checked_addresses
from .policy import NetPolicy
from .urls import check_url

USER_AGENT = "ldai-xblocks"
CHUNK = 16384


class RefusedDestination(requests.exceptions.ConnectionError):
    """The destination is not allowed (a non-public address, a proxy); the message is for the log only."""


class ResponseTooLarge(requests.RequestException):
    """The answer is bigger than the policy's ``max_bytes``, or took longer than its ``total_timeout``."""


class _GuardedConnection:
    net_policy: NetPolicy

    def _new_conn(self) -> socket.socket:
        error: OSError | None = None
        for address in checked_addresses(self._dns_host, self.port, self.net_policy):
            try:
                return connection.create_connection((address, self.port), self.timeout, source_address=self.source_address,
                                                    socket_options=self.socket_options)
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})") from exc
            except OSError as exc:
                error = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}")


def _pool_classes(policy: NetPolicy) -> dict[str, type]:
    def pool(base_pool: type, base_conn: type) -> type:
        conn = type(f"Guarded{base_conn.__name__}", (_GuardedConnection, base_conn), {"net_policy": policy})
        return type(f"Guarded{base_pool.__name__}", (base_pool,), {"ConnectionCls": conn})

    return {"http": pool(HTTPConnectionPool, HTTPConnection), "https": pool(HTTPSConnectionPool, HTTPSConnection)}


def _read_bounded(response: requests.Response, policy: NetPolicy, started: float) -> None:
    """Load the body (decompressed) into the response, or raise once it passes the size or the time cap.

    ``read1`` returns whatever bytes have arrived, so a server dripping one byte at a time meets
    the total time cap between two reads instead of holding a fixed-size read open.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        response.close()
        raise ResponseTooLarge(f"{response.url} announces {declared} bytes (limit {policy.max_bytes})", response=response)
    body = bytearray()
    try:
        while data := response.raw.read1(CHUNK, decode_content=True):
            body += data
            if len(body) > policy.max_bytes or time.monotonic() - started > policy.total_timeout:
                response.close()
                raise ResponseTooLarge(f"{response.url} answered more than {policy.max_bytes} bytes or for longer than "
                                       f"{policy.total_timeout:g} s", response=response)
    except urllib3.exceptions.HTTPError as exc:
        response.close()
        raise requests.exceptions.ConnectionError(f"{response.url}: the answer broke off ({type(exc).__name__})",
                                                  response=response) from None
    response._content = bytes(body)
    response._content_consumed = True
    response.raw.release_conn()


class GuardedAdapter(HTTPAdapter):
    def __init__(self, policy: NetPolicy):
        self.policy = policy
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pool_classes(self.policy)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        raise RefusedDestination("the guarded client does not go through proxies")

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        if proxies and any(proxies.values()):
            raise RefusedDestination("the guarded client does not go through proxies", request=request)
        started = time.monotonic()
        try:
            response = super().send(request, stream=True, timeout=timeout or self.policy.timeout, verify=verify, cert=cert,
                                    proxies=None)
        except BlockedAddress as exc:
            raise RefusedDestination(str(exc), request=request) from None
        _read_bounded(response, self.policy, started)  # every hop, redirects included, and whatever the caller asked
        return response


class GuardedSession(requests.Session):
    """Use it as a requests Session; every request and every redirect hop goes through the guard."""

    def __init__(self, policy: NetPolicy):
        super().__init__()
        self.policy = policy
        self.trust_env = False
        self.max_redirects = policy.max_redirects
        self.headers["User-Agent"] = USER_AGENT
        adapter = GuardedAdapter(policy)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def send(self, request, **kwargs):
        check_url(request.url, self.policy)
        return super().send(request, **kwargs)


@lru_cache(maxsize=16)
def guarded_session(policy: NetPolicy) -> GuardedSession:
    """One session (and its connection pool) per policy, shared by the callers that use the same policy."""
    return GuardedSession(policy)
