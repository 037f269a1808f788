"""Which addresses a server-side fetch may connect to: public ones, and those the operator allows by name.

Checked on the resolved addresses, not on the host name (``localtest.me`` and
``0x7f.1`` are 127.0.0.1 too), and IPv6 forms that carry an IPv4 address inside
(mapped, 6to4, Teredo, NAT64) are judged by the IPv4 address they carry.
"""

from __future__ import annotations

import ipaddress
import socket

from .policy import NetPolicy

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddress(Exception):
    """The destination resolves to an address the policy refuses (message names host and address, for the log)."""


def _embedded_ipv4(ip: Address) -> list[ipaddress.IPv4Address]:
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo:
        found.extend(ip.teredo)
    if ip in NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_public_address(ip: Address) -> bool:
    """Globally routable unicast: not loopback, private, link-local (cloud metadata), shared, reserved, multicast."""
    if not ip.is_global or ip.is_multicast:
        return False
    return all(is_public_address(inner) for inner in _embedded_ipv4(ip))


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the hook tests replace to play DNS)."""
    return list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))


def _operator_allows(host: str, ip: Address, policy: NetPolicy) -> bool:
    for entry in policy.allowed_hosts:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            if entry == host.lower().rstrip("."):
                return True
    return False


def checked_addresses(host: str, port: int, policy: NetPolicy) -> list[str]:
    """The addresses to connect to, all allowed; BlockedAddress if any of them is not (a mixed answer is a trick)."""
    addresses = resolve(host, port)
    if not addresses:
        raise BlockedAddress(f"{host} resolves to no address")
    for text in addresses:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
        if not is_public_address(ip) and not _operator_allows(host, ip, policy):
            raise BlockedAddress(f"{host} resolves to {ip}, a non-public address (allow it in HTTP_ALLOWED_HOSTS if intended)")
    return addresses
