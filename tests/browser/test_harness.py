"""The checks themselves, on a page built to fail them: a green suite must mean the views are good, not that a check is blind."""

from __future__ import annotations

import pytest

from .support import LIVE_WATCH, focused, has_visible_focus, run_axe, tab_until, unnamed_controls, wait_for_announcement
from .test_views import LABEL_IN_NAME, MARK_TAB_STOPS, english_fragments

pytestmark = pytest.mark.browser

BROKEN = """<!DOCTYPE html><html lang="en"><head><title>Broken on purpose</title>
<style>.ring:focus-visible { outline: 3px solid #1a56db; } .bare:focus { outline: none; }</style></head>
<body><main><div class="xblock-v1"><section class="ldai" lang="en">
  <h2>Broken on purpose</h2>
  <button type="button" class="ring" id="named">Check my answer</button>
  <button type="button" class="ring" id="nameless"></button>
  <input type="text" id="unlabelled">
  <button type="button" class="bare" id="no-ring">No ring</button>
  <a href="#top" tabindex="3" id="jumper">Jump</a>
  <button type="button" class="ring" aria-label="Open the evidence">Show in my prompt</button>
  <button type="button" class="ring" aria-label="Remove the flag on “12%”">Remove</button>
  <p style="color: #bbb; background: #fff">Grey text nobody can read</p>
  <div role="status" aria-live="polite" id="live"></div>
</section></div></main></body></html>"""


@pytest.fixture
def broken(page):
    # Served as a real navigation (not set_content) so the init script watches the page as it does the site's.
    page.route("http://harness.test/", lambda route: route.fulfill(status=200, content_type="text/html", body=BROKEN))
    page.add_init_script(LIVE_WATCH)
    page.goto("http://harness.test/")
    return page


def test_axe_reports_what_is_broken(broken, axe_source):
    rules = {violation.rule for violation in run_axe(broken, axe_source)}
    assert {"button-name", "label", "color-contrast"} <= rules


def test_nameless_controls_are_found_in_the_accessibility_tree(broken):
    missing = unnamed_controls(broken.locator(".xblock-v1"))
    assert any(line.startswith("- button") for line in missing) and any(line.startswith("- textbox") for line in missing)
    assert not any("Check my answer" in line for line in missing)


def test_a_focus_without_a_ring_is_caught(broken):
    tab_until(broken, broken, "#named")
    assert has_visible_focus(focused(broken))
    tab_until(broken, broken, "#no-ring")
    assert not has_visible_focus(focused(broken))


def test_positive_tabindex_is_reported(broken):
    stops = broken.locator(".xblock-v1").evaluate(MARK_TAB_STOPS)
    assert len(stops["positive"]) == 1 and "jumper" in stops["positive"][0]


def test_live_region_messages_are_heard(broken):
    broken.evaluate("() => { document.getElementById('live').textContent = 'Correct.'; }")
    heard = wait_for_announcement(broken, r"^Correct\.$")
    assert heard["politeness"] == "polite"


def test_english_left_in_a_french_view_would_be_seen():
    fragments = english_fragments()
    assert "Check my answer" in fragments
    assert "Vérifier ma réponse" not in fragments


def test_a_name_that_hides_the_visible_label_is_caught(broken):
    mismatches = broken.locator(".xblock-v1").evaluate(LABEL_IN_NAME)
    assert [m["visible"] for m in mismatches] == ["show in my prompt"]
