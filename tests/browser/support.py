"""What every browser test needs: open a block, drive it by keyboard, run axe, watch live regions, take screenshots.

The checks are written once here and applied to every activity's learner and author view,
so an activity added later gets the same accessibility bar without new code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

BLOCK = ".xblock-v1"
"""The element the workbench (and Open edX) wraps each block's fragment in."""

NOT_AVAILABLE = ("This activity is not available yet.", "Cette activité n’est pas encore disponible.", "Cette activité n'est pas encore disponible.")

INTERACTIVE_ROLES = (
    "button", "link", "textbox", "checkbox", "radio", "combobox", "spinbutton", "listbox", "option", "slider",
    "switch", "tab", "menuitem", "searchbox", "menuitemcheckbox", "menuitemradio", "treeitem",
)

# Records what screen readers would hear: every change inside an aria-live region (or role
# status/alert/log, which are live by definition) with its politeness. Installed before any
# script of the page runs, so the blocks' first announcements are caught too.
LIVE_WATCH = r"""
(() => {
  window.__ldaiLive = [];
  const liveOf = (node) => {
    for (let el = node && (node.nodeType === 1 ? node : node.parentElement); el; el = el.parentElement) {
      const live = el.getAttribute && el.getAttribute('aria-live');
      const role = el.getAttribute && el.getAttribute('role');
      if (live && live !== 'off') return [el, live];
      if (role === 'alert') return [el, 'assertive'];
      if (role === 'status' || role === 'log') return [el, 'polite'];
    }
    return null;
  };
  const start = () => new MutationObserver((mutations) => {
    const seen = new Set();
    for (const m of mutations) {
      const found = liveOf(m.target);
      if (!found || seen.has(found[0])) continue;
      seen.add(found[0]);
      const text = (found[0].textContent || '').replace(/\s+/g, ' ').trim();
      if (text) window.__ldaiLive.push({politeness: found[1], text: text, at: performance.now()});
    }
  }).observe(document.documentElement, {subtree: true, childList: true, characterData: true});
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""

FOCUSED = r"""
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), type: el.getAttribute('type') || '', id: el.id || '',
    text: (el.textContent || el.value || '').replace(/\s+/g, ' ').trim().slice(0, 80),
    inBlock: !!el.closest('.xblock-v1'),
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColor: style.outlineColor, boxShadow: style.boxShadow,
    top: rect.top + window.scrollY, left: rect.left + window.scrollX, width: rect.width, height: rect.height,
    tabindex: el.getAttribute('tabindex'),
  };
}
"""


@dataclass
class Violation:
    rule: str
    impact: str
    help: str
    targets: list[str]

    def __str__(self) -> str:
        return f"[{self.impact}] {self.rule}: {self.help} -> {', '.join(self.targets[:5])}"


def open_block(page, url: str, *, ready: str | None = None):
    """Load a page holding one block and return the block's wrapper; skip when the block is a placeholder."""
    try:
        response = page.goto(url, wait_until="load")
    except PlaywrightError as error:  # Chromium refuses to show an empty 404 page
        if "ERR_HTTP_RESPONSE_CODE_FAILURE" not in str(error):
            raise
        response = page.request.get(url)
    if response is not None and response.status == 404:
        pytest.skip(f"{url}: no such workbench scenario yet (the activity is still being built)")
    assert response is not None and response.ok, f"{url} answered {response.status if response else 'nothing'}"
    block = page.locator(BLOCK).first
    text = block.inner_text()
    if any(marker in text for marker in NOT_AVAILABLE):
        pytest.skip(f"{url}: the block is still the 'not yet available' placeholder")
    if ready:
        block.locator(ready).first.wait_for(state="attached")
    return block


def run_axe(page_or_frame, axe_source: Path, include: str = BLOCK) -> list[Violation]:
    """axe-core over ``include`` (the block, not the host page's chrome): serious and critical violations."""
    if not page_or_frame.evaluate("() => typeof window.axe !== 'undefined'"):
        page_or_frame.add_script_tag(path=str(axe_source))
    result = page_or_frame.evaluate(
        """async (selector) => {
            const r = await axe.run({include: [[selector]]}, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           targets: v.nodes.map(n => n.target.join(' '))}));
        }""",
        include,
    )
    return [Violation(v["id"], v["impact"] or "", v["help"], v["targets"]) for v in result if v["impact"] in ("serious", "critical")]


def focused(page_or_frame) -> dict | None:
    return page_or_frame.evaluate(FOCUSED)


def tab_until(page, frame, selector: str, max_steps: int = 60, key: str = "Tab") -> list[dict]:
    """Press Tab until the focused element matches ``selector``; the path of focused elements, last one matching."""
    path = []
    for _ in range(max_steps):
        page.keyboard.press(key)
        info = focused(frame)
        path.append(info)
        if info and frame.evaluate("(s) => document.activeElement.matches(s)", selector):
            return path
    raise AssertionError(f"{selector!r} never received keyboard focus in {max_steps} presses of {key}; path: {describe(path)}")


def describe(path: list[dict | None]) -> str:
    return " > ".join(f"{p['tag']}{'#' + p['id'] if p['id'] else ''}[{p['text'][:30]}]" if p else "(body)" for p in path)


def has_visible_focus(info: dict) -> bool:
    """A focus indicator a sighted keyboard user can see: an outline of 2px or more, or a box-shadow ring."""
    outline = info["outlineStyle"] not in ("none", "") and info["outlineWidth"] >= 2 and "rgba(0, 0, 0, 0)" not in info["outlineColor"]
    ring = info["boxShadow"] not in ("none", "")
    return outline or ring


def announcements(page_or_frame) -> list[dict]:
    return page_or_frame.evaluate("() => window.__ldaiLive || []")


def wait_for_announcement(page_or_frame, pattern: str, timeout: int = 5000) -> dict:
    """Wait until a live region announced text matching ``pattern`` (a regular expression)."""
    page_or_frame.wait_for_function(
        "(p) => (window.__ldaiLive || []).some(a => new RegExp(p).test(a.text))", arg=pattern, timeout=timeout
    )
    return next(a for a in announcements(page_or_frame) if re.search(pattern, a["text"]))


def unnamed_controls(locator) -> list[str]:
    """Interactive nodes of the accessibility tree (as Chromium exposes it) that have no accessible name."""
    snapshot = locator.aria_snapshot()
    missing = []
    for line in snapshot.splitlines():
        match = re.match(r'^\s*- (\w+)(?:\s+"(.*?)")?(?:\s|:|$)', line)
        if match and match.group(1) in INTERACTIVE_ROLES and not (match.group(2) or "").strip():
            missing.append(line.strip())
    return missing


# The workbench's fixed banner would be stamped over long blocks in element screenshots.
SCREENSHOT_STYLE = "header.banner { position: static !important; }"


def shot(page, artifacts: Path, name: str, selector: str = BLOCK) -> Path:
    """A screenshot of the block itself (not the host page's chrome), focus ring included."""
    path = artifacts / f"{name}.png"
    target = page.locator(selector).first
    if target.count():
        target.screenshot(path=str(path), animations="disabled", style=SCREENSHOT_STYLE)
    else:
        page.screenshot(path=str(path), full_page=True, style=SCREENSHOT_STYLE)
    return path


def json_post(page, url: str, payload: dict) -> dict:
    """POST JSON from inside the page (same origin, CSRF cookie), as the block's own JS does."""
    return page.evaluate(
        """async ([url, body]) => {
            const token = (document.cookie.match(/(?:^|;\\s*)csrftoken=([^;]+)/) || [])[1] || '';
            const r = await fetch(url, {method: 'POST', credentials: 'same-origin',
              headers: {'Content-Type': 'application/json', 'X-CSRFToken': decodeURIComponent(token)}, body: JSON.stringify(body)});
            return {status: r.status, body: await r.json().catch(() => null)};
        }""",
        [url, payload],
    )


def handler_url(page, handler: str) -> str:
    """The URL of one of the block's handlers, built by the runtime itself."""
    return page.evaluate(
        "(h) => RuntimeProvider.getRuntime(1).handlerUrl(document.querySelector('.xblock-v1'), h)", handler
    )


def pretty(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


def assert_accessible(page, axe_source: Path, where: str) -> None:
    """No serious or critical axe violation in the block, and every control has an accessible name."""
    violations = run_axe(page, axe_source)
    assert not violations, f"axe, {where}:\n" + "\n".join(map(str, violations))
    missing = unnamed_controls(page.locator(".xblock-v1").first)
    assert not missing, f"controls without an accessible name, {where}: {missing}"
