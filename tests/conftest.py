"""Fixtures shared by every test: a real XBlock runtime with the services our blocks use.

``xblock.test.toy_runtime.ToyRuntime`` is the runtime xblocks-contrib tests with; it
has no i18n, user or settings service, so :class:`LdaiTestRuntime` adds them (the
same shapes Open edX and the workbench provide) and records every published event.
Handlers are called with real ``webob`` requests.
"""

from __future__ import annotations

import json
import os
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from webob import Request
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KvsFieldData
from xblock.test.toy_runtime import ToyRuntime

from tests import services

# Fixture modules that test modules both import helpers from and load with ``pytest_plugins``: registered here,
# before any test module imports them, so their asserts are rewritten (else pytest warns it cannot).
pytest.register_assert_rewrite("tests.lti.runtime_fixtures")

FIXTURES = Path(__file__).parent / "fixtures"
_BACKEND: services.Backend | None = None


def pytest_configure(config):
    """``LDAI_TEST_BACKEND=postgres``: start a private PostgreSQL + Redis before any test opens a
    connection, and run this pass on them (tests/services.py says how and why)."""
    global _BACKEND
    if services.selected_backend() == "postgres" and _BACKEND is None:
        _BACKEND = services.start_backend()


def pytest_unconfigure(config):
    global _BACKEND
    if _BACKEND is not None:
        _BACKEND.stop()
        _BACKEND = None


def pytest_report_header(config):
    if _BACKEND is not None:
        return [f"ldai backend: PostgreSQL on 127.0.0.1:{_BACKEND.postgres.port}, Redis on 127.0.0.1:{_BACKEND.redis.port}"]
    return ["ldai backend: SQLite + in-process cache (LDAI_TEST_BACKEND=postgres for PostgreSQL + Redis)"]


class _I18n:
    def __init__(self, language: str):
        self._language = language

    def get_language(self) -> str:
        return self._language

    def gettext(self, text: str) -> str:
        return text

    ugettext = gettext


class _Users(UserService):
    def __init__(self, user_id: str, name: str):
        super().__init__()
        self._user = XBlockUser(is_current_user=True, full_name=name, emails=[f"{user_id}@example.com"])
        self._user.opt_attrs["edx-platform.anonymous_user_id"] = f"anon-{user_id}"
        self._user.opt_attrs["edx-platform.username"] = user_id

    def get_current_user(self):
        return self._user


class _Settings:
    def __init__(self, bucket: dict):
        self.bucket = bucket

    def get_settings_bucket(self, block, default=None):
        return self.bucket or default


class LdaiTestRuntime(ToyRuntime):
    """ToyRuntime + i18n (language chosen per test), user, settings; events kept in ``self.events``."""

    def __init__(self, store: DictKeyValueStore, user_id: str = "learner1", language: str = "en", settings: dict | None = None):
        super().__init__(user_id=user_id)
        self._services["field-data"] = KvsFieldData(store)
        self._services["i18n"] = _I18n(language)
        self._services["user"] = _Users(user_id, f"Learner {user_id}")
        self._services["settings"] = _Settings(settings or {})
        self.events: list[tuple[str, dict]] = []

    def publish(self, block, event_type, event_data):
        self.events.append((event_type, event_data))

    def events_of(self, event_type: str) -> list[dict]:
        return [data for kind, data in self.events if kind == event_type]


class BlockFactory:
    """Builds blocks from OLX in one shared store, and the same block seen by another learner."""

    def __init__(self):
        self.store = DictKeyValueStore()
        self.runtimes: dict[tuple[str, str], LdaiTestRuntime] = {}

    def runtime(self, user_id: str = "learner1", language: str = "en", settings: dict | None = None) -> LdaiTestRuntime:
        key = (user_id, language)
        if key not in self.runtimes:
            self.runtimes[key] = LdaiTestRuntime(self.store, user_id, language, settings)
        return self.runtimes[key]

    def from_xml(self, xml: str, user_id: str = "learner1", language: str = "en", settings: dict | None = None):
        runtime = self.runtime(user_id, language, settings)
        usage_id = runtime.parse_xml_string(xml)
        return runtime.get_block(usage_id)

    def olx_round_trip(self, block):
        """Export ``block`` to OLX and import it back as a new block (seen by another user).

        Returns ``(root tag of the export, the re-imported block)``; the caller checks its fields.
        """
        out = BytesIO()
        block.runtime.export_to_xml(block, out)
        node = etree.fromstring(out.getvalue())
        return node.tag, self.from_xml(etree.tostring(node).decode(), user_id="importer")

    def as_user(self, block, user_id: str, language: str = "en"):
        return self.runtime(user_id, language).get_block(block.scope_ids.usage_id)


@pytest.fixture
def blocks() -> BlockFactory:
    return BlockFactory()


def call_handler(block, name: str, payload: Any = None, method: str = "POST", raw: bytes | None = None):
    """Call handler ``name`` with a real webob request; returns (status, parsed JSON or text)."""
    request = Request.blank("/", method=method)
    if method == "POST":
        request.body = raw if raw is not None else json.dumps(payload if payload is not None else {}).encode()
        request.content_type = "application/json"
    response = block.handle(name, request)
    try:
        body = json.loads(response.body)
    except ValueError:
        body = response.body.decode("utf-8", "replace")
    return response.status_int, body


@pytest.fixture
def handler():
    return call_handler


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Every test starts with empty in-process caches: Django's cache (nonces, login state,
    launch data), the tool's registration and resource-link caches. A rolled-back test database fires no
    signals, so rows of an earlier test could otherwise be served from memory - whichever
    folder the test lives in (pytest-django reorders tests across folders)."""
    from django.core.cache import cache
    from django.utils import translation

    from lti_tool.lti import registry
    from lti_tool.runtime import charter_service, link_cache

    cache.clear()
    registry.clear_local()
    link_cache.clear_local()
    charter_service.clear_local()
    translation.deactivate()  # blocks read Django's active language first: no test inherits another's request language
    yield
    translation.deactivate()
    cache.clear()
    registry.clear_local()
    link_cache.clear_local()
    charter_service.clear_local()


@pytest.fixture(scope="session")
def playwright_instance():
    """One Playwright for the whole session: its sync API keeps an event loop in the main
    thread, so a second ``sync_playwright()`` in the same run fails. Every browser test, in
    tests/browser and tests/lti, goes through this one."""
    from tests.browser.live import CHROMIUM, chromium_available

    if not chromium_available():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser-deps` (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the main thread for as long as it lives, so
    # Django would refuse every later ORM call (test bodies, database flushes at teardown) as
    # "async context". The tests' ORM calls are synchronous: allow them while Playwright runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright_instance):
    """Debian's chromium, headless, launched once per session (tests/browser/live.py has its flags)."""
    from tests.browser.live import launch_chromium

    chromium = launch_chromium(playwright_instance)
    try:
        yield chromium
    finally:
        chromium.close()


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")
