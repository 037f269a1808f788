"""The guarded HTTP client (ldai_xblocks.net) against real sockets on 127.0.0.1 and the HTTP client's own URL parsing.

The "DNS" of these tests is the client's resolver hook (``addresses.resolve``): no network
exists here, and a test must decide what a name resolves to in order to play rebinding.
Everything else is real: requests, urllib3's connection pool, the sockets, the servers.
"""

from __future__ import annotations

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import urllib3.util.connection
from hypothesis import given, settings
from hypothesis import strategies as st

from ldai_xblocks.net import (
    BlockedAddress,
    GuardedSession,
    NetPolicy,
    RefusedDestination,
    ResponseTooLarge,
    UnsafeUrl,
    addresses,
    check_url,
    is_public_address,
)


class Server:
    """A real HTTP server on 127.0.0.1 that records each request; routes answer (status, headers, body)."""

    def __init__(self):
        self.seen: list[tuple[str, str]] = []
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server.seen.append((self.path, self.headers.get("Host", "")))
                status, headers, body = server.routes.get(self.path, (200, {}, b'{"ok": true}'))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Transfer-Encoding" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if headers.get("Transfer-Encoding") == "chunked":
                    for start in range(0, len(body), 1000):
                        piece = body[start:start + 1000]
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    running = Server()
    yield running
    running.close()


@pytest.fixture
def dns(monkeypatch):
    """name -> addresses; unknown names fall through to the real resolver (127.0.0.1, localhost)."""
    table: dict[str, list[str]] = {}
    asked: list[str] = []
    real = addresses.resolve

    def resolve(host, port):
        asked.append(host)
        answer = table.get(host)
        if callable(answer):
            return answer()
        return answer if answer is not None else real(host, port)

    monkeypatch.setattr(addresses, "resolve", resolve)
    table["asked"] = asked  # type: ignore[assignment]
    return table


def test_loopback_is_refused_by_default_and_nothing_is_sent(server):
    with pytest.raises(RefusedDestination, match="non-public"):
        GuardedSession(NetPolicy(allow_http=True)).get(f"http://127.0.0.1:{server.port}/internal")
    assert server.seen == []
    allowed = GuardedSession(NetPolicy(allow_http=True, allowed_hosts=("127.0.0.1",)))
    assert allowed.get(f"http://127.0.0.1:{server.port}/internal").json() == {"ok": True}


def test_the_connection_goes_to_the_checked_address_and_keeps_the_host_name(server, dns):
    dns["platform.test"] = ["127.0.0.1"]
    session = GuardedSession(NetPolicy(allow_http=True, allowed_hosts=("platform.test",)))
    assert session.get(f"http://platform.test:{server.port}/jwks").status_code == 200
    assert server.seen == [("/jwks", f"platform.test:{server.port}")]


def test_dns_rebinding_cannot_switch_the_address_after_the_check(monkeypatch, dns):
    """Each connection resolves once and connects to the very address it checked (no second lookup to rebind)."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"], ["127.0.0.1"]])
    dns["rebind.test"] = lambda: next(answers)
    connected: list[tuple] = []

    def connect(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("no internet in the tests")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", connect)
    session = GuardedSession(NetPolicy())
    with pytest.raises(requests.ConnectionError):
        session.get("https://rebind.test/")
    assert connected == [("93.184.216.34", 443)] and dns["asked"] == ["rebind.test"]
    with pytest.raises(RefusedDestination):  # the next lookup answers loopback: refused before any socket opens
        session.get("https://rebind.test/")
    assert connected == [("93.184.216.34", 443)]


def test_a_name_answering_one_private_address_among_public_ones_is_refused(dns):
    dns["mixed.test"] = ["93.184.216.34", "10.0.0.5"]
    with pytest.raises(RefusedDestination, match="10.0.0.5"):
        GuardedSession(NetPolicy()).get("https://mixed.test/")


def test_no_redirect_to_a_refused_address(server, dns):
    dns["platform.test"] = ["127.0.0.1"]
    server.routes["/start"] = (302, {"Location": f"http://localhost:{server.port}/secret"}, b"")
    session = GuardedSession(NetPolicy(allow_http=True, allowed_hosts=("platform.test",)))
    with pytest.raises(RefusedDestination, match="localhost"):
        session.get(f"http://platform.test:{server.port}/start")
    assert [path for path, _ in server.seen] == ["/start"]


def test_size_cap_with_and_without_content_length(server):
    session = GuardedSession(NetPolicy(allow_http=True, allowed_hosts=("127.0.0.1",), max_bytes=5000))
    server.routes["/declared"] = (200, {}, b"x" * 6000)
    server.routes["/chunked"] = (200, {"Transfer-Encoding": "chunked"}, b"x" * 20000)
    server.routes["/fits"] = (200, {"Transfer-Encoding": "chunked"}, b"y" * 4000)
    for path in ("/declared", "/chunked"):
        with pytest.raises(ResponseTooLarge):
            session.get(f"http://127.0.0.1:{server.port}{path}")
    assert session.get(f"http://127.0.0.1:{server.port}/fits").content == b"y" * 4000


@pytest.mark.parametrize("address, public", [
    ("169.254.169.254", False),  # AWS, GCP, Azure metadata
    ("fd00:ec2::254", False),  # AWS metadata over IPv6
    ("100.100.100.200", False),  # Alibaba metadata (shared address space)
    ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False), ("127.0.0.53", False), ("0.0.0.0", False),
    ("::1", False), ("::ffff:127.0.0.1", False), ("2002:7f00:1::1", False), ("64:ff9b::a9fe:a9fe", False),
    ("fe80::1", False), ("224.0.0.1", False),
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
])
def test_address_classes(address, public):
    assert is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize("url, reason", [
    ("https://attacker\\@lms.example.org/", "backslash"),
    ("https://user:pw@lms.example.org/", "userinfo"),
    ("https://lms.example.org@attacker.test/", "userinfo"),
    ("http://lms.example.org/", "https"),
    ("https://lms.example.org /x", "space"),
    ("https://lms.example.org\n.attacker.test/", "control"),
    ("ftp://lms.example.org/", "https"),
    ("", "no URL"),
])
def test_urls_readers_disagree_on_are_refused(url, reason):
    with pytest.raises(UnsafeUrl, match=reason):
        check_url(url, NetPolicy())


PIECES = ["lms.example.org", "attacker.test", "@", "\\", "/", "?", "#", ":", ":443", ":8080", "%40", "%2f", "%5c", "[::1]", "127.0.0.1",
          "user", ".", "＠", "／", "．", "；", ";", "%00", "ß", "xn--", "0x7f.1", "[", "]", "%", "a", "-", "_", "~", "&", "=", "ＡＢ",
          "\u3002", "\u200b", "%2e", "::", "[v1.x]", "\ufe6b"]


@settings(max_examples=400, deadline=None)
@given(scheme=st.sampled_from(["http://", "https://", "HTTPS://", "https:/", "https:", "https:///", "http://x@"]),
       parts=st.lists(st.sampled_from(PIECES), min_size=1, max_size=7))
def test_the_host_we_check_is_the_host_requests_connects_to(scheme, parts):
    """Property: whenever check_url accepts a URL, requests (through urllib3's pool) connects to exactly that host and port."""
    url = scheme + "".join(parts)
    try:
        checked = check_url(url, NetPolicy(allow_http=True))
    except UnsafeUrl:
        return
    seen: list[tuple[str, int]] = []

    def record(host, port):
        seen.append((host, port))
        raise BlockedAddress("recorded")

    original = addresses.resolve
    addresses.resolve = record
    try:
        with pytest.raises(requests.RequestException):
            GuardedSession(NetPolicy(allow_http=True)).get(url)
    finally:
        addresses.resolve = original
    assert [(host.lower().strip("[]").rstrip("."), port) for host, port in seen] == [(checked.host.rstrip("."), checked.port)], url


def test_a_server_dripping_its_answer_meets_the_total_time_cap():
    """Each byte arrives within the read timeout, the whole answer does not within the total cap."""
    import socket
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def drip():
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        try:
            for _ in range(1000):
                conn.sendall(b"x")
                time.sleep(0.05)
        except OSError:
            pass
        conn.close()

    threading.Thread(target=drip, daemon=True).start()
    session = GuardedSession(NetPolicy(allow_http=True, allowed_hosts=("127.0.0.1",), timeout=2, total_timeout=0.5))
    with pytest.raises(ResponseTooLarge, match="longer than"):
        session.get(f"http://127.0.0.1:{listener.getsockname()[1]}/")
    listener.close()
