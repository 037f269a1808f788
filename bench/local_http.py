"""Small HTTP servers on 127.0.0.1 for the benchmarks: the LTI platform, the fake model.

Why a helper: each stands for a service the tool calls over real HTTP (no mock in the tool's
code path), on a free port, served by a daemon thread only while inside ``with``, silent, and
speaking HTTP/1.1 so the tool's ``requests`` sessions keep their connections as with a real one.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing (a load run makes thousands of requests) and answers in one call."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status: int, payload: bytes = b"", content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class LocalServer:
    """Serves ``handler`` on a free port of 127.0.0.1 (``base_url``) while inside ``with``."""

    def __init__(self, handler: type[QuietHandler], name: str):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name=name, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
