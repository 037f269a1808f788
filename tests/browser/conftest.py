"""Fixtures of the browser tests: the real site on 127.0.0.1, one headless Debian chromium per session.

* ``site``: the tool site (demo, workbench, LTI tool) served by ``serve_site.py`` in a
  subprocess, over real HTTP, with a fresh SQLite database in a temporary ``LDAI_VAR_DIR``.
* ``browser`` (in tests/conftest.py, shared with tests/lti): Debian's ``/usr/bin/chromium``
  driven by Playwright (``executable_path``: no browser is ever downloaded), one per session.
* ``page``: a new browser context (cookies, storage, language cookie: nothing leaks between
  tests) and a page in it; uncaught JavaScript errors fail the test.

Every test here is marked ``browser``; ``make test`` installs chromium and axe-core first
(``make browser-deps``). Run alone: ``.venv/bin/pytest tests/browser -q``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .live import ROOT, Site, start_site, stop_site

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(items):
    """Everything under tests/browser is a browser test, whatever its module remembered to say."""
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    # http:// platform URLs on 127.0.0.1 (the test LMS): accepted here as in tests/lti, never by default.
    running = start_site(tmp_path_factory.mktemp("ldai-site"), {"LDAI_LTI_ALLOW_INSECURE_URLS": "1", "LDAI_HTTP_ALLOWED_HOSTS": "127.0.0.1"})
    try:
        yield running
    finally:
        stop_site(running)


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
def context(browser, request):
    ctx = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-US", reduced_motion="reduce")
    ctx.set_default_timeout(30_000)  # generous: a loaded 2-core CI machine, not a timing assertion
    try:
        yield ctx
    finally:
        outcome = getattr(request.node, "rep_call", None)
        if outcome is not None and outcome.failed:
            _failure_screenshots(ctx, request.node.name)
        ctx.close()


def _failure_screenshots(ctx, test_name: str) -> None:
    """What each tab showed when the test failed (tests/browser/artifacts/failures/), to read with the traceback."""
    folder = ARTIFACTS / "failures"
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in test_name)[:120]
    for number, tab in enumerate(ctx.pages):
        try:
            tab.screenshot(path=str(folder / f"{safe}-{number}.png"), full_page=True, timeout=5_000)
        except Exception:  # a crashed or closed tab: the traceback says enough
            pass


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
