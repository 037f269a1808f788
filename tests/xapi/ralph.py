"""Ralph 5.1 (``ralph-malph``, the LRS of Open edX Aspects) run as a real LRS on 127.0.0.1, from its own
virtual environment (``make lrs-deps`` -> ``.venv-lrs``), with its file-system backend and HTTP basic auth,
its API served by uvicorn as in Ralph's own deployment. It can be stopped and started again on the same
port and data (an LRS that goes down, then comes back).

One LRS account, and so one storage target, per test: Ralph 5.1's file-system backend creates its target
file on the first write and refuses a second write to it (a production Ralph runs ClickHouse, Elasticsearch
or MongoDB; docs/xapi-profile.rst). Duplicates are checked by Ralph before any write, so they still show.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
LRS_VENV = Path(os.environ.get("LDAI_LRS_VENV", ROOT / ".venv-lrs"))
PASSWORD = "a-long-test-password"
XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Ralph:
    def __init__(self, home: Path, users: tuple[str, ...]):
        ralph = LRS_VENV / "bin" / "ralph"
        if not ralph.exists():
            pytest.fail(f"Ralph is not installed in {LRS_VENV}: run `make lrs-deps` (make test does it)")
        self.home = home
        self.port = free_port()
        self.env = {**os.environ, "RALPH_APP_DIR": str(home / "app"), "RALPH_AUTH_FILE": str(home / "auth.json"),
                    "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(home / "data")}
        for user in users:
            (home / "data" / user).mkdir(parents=True)  # the backend writes <target>/fs_lrs.jsonl and creates no folder
            subprocess.run([str(ralph), "auth", "-u", user, "-p", PASSWORD, "-s", "all", "-t", user, "-M", f"mailto:{user}@ldai.example", "-w"],
                           env=self.env, check=True, capture_output=True)
        self.server: subprocess.Popen | None = None
        self._log = None

    @property
    def statements_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/statements/"

    def start(self) -> None:
        self._log = open(self.home / "ralph.log", "ab")
        self.server = subprocess.Popen([str(LRS_VENV / "bin" / "uvicorn"), "ralph.api:app", "--host", "127.0.0.1", "--port", str(self.port)],
                                       env=self.env, cwd=self.home, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1)
                return
            except requests.ConnectionError:
                if self.server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("Ralph did not start:\n" + (self.home / "ralph.log").read_text(errors="replace")[-2000:])
                time.sleep(0.2)

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=20)
            self.server = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def statements(self, user: str) -> list[dict]:
        """Every statement stored for ``user``, read back through the xAPI API (following ``more`` links)."""
        found, url, params = [], self.statements_url, {"limit": 1000}
        while url:
            page = requests.get(url, params=params, auth=(user, PASSWORD), headers=XAPI_HEADERS, timeout=10).json()
            found += page["statements"]
            url = f"http://127.0.0.1:{self.port}{page['more']}" if page.get("more") else ""
            params = None
        return found


@contextmanager
def running_ralph(tmp_path_factory, users: tuple[str, ...]) -> Iterator[Ralph]:
    """A started Ralph with one account per user (a module fixture's body), stopped at the end."""
    server = Ralph(tmp_path_factory.mktemp("ralph"), users)
    server.start()
    try:
        yield server
    finally:
        server.stop()
