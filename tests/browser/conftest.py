"""Fixtures of the browser tests: the real site on 127.0.0.1, one headless Debian chromium per session.

* ``site``: the tool site (demo, workbench, LTI tool) served by ``serve_site.py`` in a
  subprocess, over real HTTP, with a fresh SQLite database in a temporary ``LDAI_VAR_DIR``.
* ``browser``: Debian's ``/usr/bin/chromium`` driven by Playwright (``executable_path``: no
  browser is ever downloaded). Playwright's ``launch()`` starts it with a fresh temporary
  profile (user-data dir), deleted when the session ends.
* ``page``: a new browser context (cookies, storage, language cookie: nothing leaks between
  tests) and a page in it; uncaught JavaScript errors fail the test.

Every test here is marked ``browser``; ``make test`` installs chromium and axe-core first
(``make browser-deps``). Run alone: ``.venv/bin/pytest tests/browser -q``.
"""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ARTIFACTS = HERE / "artifacts"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
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


def pytest_collection_modifyitems(items):
    """Everything under tests/browser is a browser test, whatever its module remembered to say."""
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


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


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    running = start_site(tmp_path_factory.mktemp("ldai-site"))
    try:
        yield running
    finally:
        stop_site(running)


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def playwright_instance():
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"{CHROMIUM} is missing: run `make browser-deps` (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    chromium = launch_chromium(playwright_instance)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def axe_source() -> Path:
    if not AXE_JS.exists():
        if shutil.which("npm") is None:
            pytest.fail("axe-core is missing and npm is not installed: apt-get install npm, then `make browser-deps`")
        pytest.fail(f"{AXE_JS.relative_to(ROOT)} is missing: run `make browser-deps` (npm ci --prefix tests/browser)")
    return AXE_JS


class PageErrors(list):
    """Uncaught exceptions and console errors of a page, checked after each test."""


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-US", reduced_motion="reduce")
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


def _console(errors: PageErrors, message) -> None:
    # A failed request is reported by _failed_response with its URL; the console line says less.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(f"console.error: {message.text}")


def _failed_response(errors: PageErrors, response) -> None:
    # The workbench (the demo's host page) has no favicon; that 404 is not the blocks' business.
    if response.status >= 400 and not response.url.endswith("/favicon.ico"):
        errors.append(f"HTTP {response.status}: {response.request.method} {response.url}")


@pytest.fixture
def page(context, request):
    tab = context.new_page()
    errors = PageErrors()
    tab.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    tab.on("console", lambda message: _console(errors, message))
    tab.on("response", lambda response: _failed_response(errors, response))
    tab.ldai_errors = errors
    yield tab
    outcome = getattr(request.node, "rep_call", None)
    if errors and outcome is not None and outcome.passed:
        pytest.fail("JavaScript errors on the page:\n" + "\n".join(errors))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
