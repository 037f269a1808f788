"""Start the real site and Debian's chromium: shared by the browser tests and ``bench/bench_frontend.py``.

Plain Python (no pytest), so the benchmark measures the very server and browser set-up the
tests prove correct.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM = os.environ.get("LDAI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SERVER_START_TIMEOUT = 90  # seconds: migrations on a loaded 2-core machine


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


def launch_chromium(playwright):
    """Headless Debian chromium; Playwright's launch() gives it a fresh temporary profile, removed on close."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


@dataclass
class Site:
    """The running site: its base URL and its temporary var dir (database, logs)."""

    url: str
    var_dir: Path
    log: Path
    process: subprocess.Popen = field(repr=False)

    def scenario(self, scenario_id: str, view: str = "student_view", lang: str = "en", student: str | None = None) -> str:
        path = f"/workbench/scenario/{scenario_id}/" + ("" if view == "student_view" else f"{view}/")
        query = f"?lang={lang}" + (f"&student={student}" if student else "")
        return self.url + path + query

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_site(var_dir: Path, extra_env: dict[str, str] | None = None) -> Site:
    """Start serve_site.py and wait for its LISTENING line (used by the bench too)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    log = var_dir / "server.log"
    env = {
        **os.environ,
        "LDAI_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "lti_tool.site.settings",
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "0",
        "LDAI_DEMO": "1",  # the browser tests drive the blocks through the demo's workbench (off in production)
        **(extra_env or {}),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    handle = open(log, "w")
    process = subprocess.Popen(
        [sys.executable, str(HERE / "serve_site.py")], cwd=str(ROOT), env=env,
        stdout=subprocess.PIPE, stderr=handle, text=True,
    )
    handle.close()
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    url = None
    while time.monotonic() < deadline and process.poll() is None:
        if selector.select(timeout=0.5):
            line = process.stdout.readline()
            if line.startswith("LISTENING "):
                url = line.split(" ", 1)[1].strip()
                break
    selector.close()
    site = Site(url=url or "", var_dir=var_dir, log=log, process=process)
    if not url:
        stop_site(site)
        raise RuntimeError(f"The site did not start within {SERVER_START_TIMEOUT} s. Server log:\n{site.log_tail()}")
    return site


def stop_site(site: Site) -> None:
    if site.process.poll() is None:
        site.process.terminate()
        try:
            site.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            site.process.kill()
            site.process.wait(timeout=10)
    if site.process.stdout:
        site.process.stdout.close()

