"""The same accessibility and language bar for every view of every activity, in English and French.

For each activity (risk quiz, hallucination detector, prompt sandbox, skills map) x view (learner,
author) x language: axe-core finds no serious or critical violation in the block; every
control has an accessible name in Chromium's accessibility tree; Tab visits the controls in
reading order, each with a visible focus indicator; the French view shows no English string
of our catalogs; the learner view has its polite live region from the first paint; the help
dialog works by keyboard. A block that is still the "not yet available" placeholder is
skipped, with that reason, at run time.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from .support import BLOCK, describe, focused, has_visible_focus, open_block, run_axe, shot, tab_until, unnamed_controls

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ACTIVITIES = ("risk_quiz", "hallucination_detector", "prompt_sandbox", "skills_map")
VIEWS = ("student_view", "studio_view")
LANGS = ("en", "fr")
VIEW_NAMES = {"student_view": "learner", "studio_view": "studio"}

# Controls in the order Tab must reach them: focusable, visible, enabled, one stop per radio group.
MARK_TAB_STOPS = r"""
(root) => {
  const candidates = root.querySelectorAll('a[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable="true"]');
  const usable = [...candidates].filter((el) => {
    if (el.disabled || el.type === 'hidden' || el.closest('[inert], dialog:not([open]), [hidden]')) return false;
    const tabindex = el.getAttribute('tabindex');
    if (tabindex !== null && parseInt(tabindex, 10) < 0) return false;
    return el.checkVisibility({visibilityProperty: true, opacityProperty: false});
  });
  const groups = new Set();
  const stops = [];
  for (const el of usable) {
    if (el.type === 'radio' && el.name) {
      if (groups.has(el.name)) continue;
      groups.add(el.name);
      const group = usable.filter((r) => r.type === 'radio' && r.name === el.name);
      stops.push(group.find((r) => r.checked) || el);
    } else {
      stops.push(el);
    }
  }
  stops.forEach((el, i) => el.setAttribute('data-ldai-tab-stop', String(i)));
  return {
    count: stops.length,
    positive: usable.filter((el) => parseInt(el.getAttribute('tabindex') || '0', 10) > 0).map((el) => el.outerHTML.slice(0, 80)),
  };
}
"""


def scenario(activity: str) -> str:
    return f"ldai_{activity}.0"


def view_params():
    return [pytest.param(a, v, lang, id=f"{a}-{VIEW_NAMES[v]}-{lang}") for a in ACTIVITIES for v in VIEWS for lang in LANGS]


def open_view(page, site, activity: str, view: str, lang: str, student: str = "views"):
    block = open_block(page, site.scenario(scenario(activity), view, lang=lang, student=f"{student}-{activity}-{lang}"))
    # The learner views may fetch their state after the first paint: wait until the network is quiet.
    page.wait_for_load_state("networkidle")
    return block


@pytest.mark.parametrize(("activity", "view", "lang"), view_params())
def test_axe_finds_no_serious_or_critical_violation(page, site, axe_source, artifacts, activity, view, lang):
    block = open_view(page, site, activity, view, lang)
    shot(page, artifacts, f"{activity}-{VIEW_NAMES[view]}-{lang}-first-paint")
    violations = run_axe(page, axe_source)
    assert not violations, f"{activity} {view} ({lang}):\n" + "\n".join(map(str, violations))
    assert block.locator(".ldai").first.get_attribute("lang") == lang, "the block declares its language (screen reader voice)"


@pytest.mark.parametrize(("activity", "view", "lang"), view_params())
def test_every_control_has_an_accessible_name(page, site, activity, view, lang):
    block = open_view(page, site, activity, view, lang)
    missing = unnamed_controls(block)
    assert not missing, f"{activity} {view} ({lang}): controls without an accessible name: {missing}"


# WCAG 2.5.3 Label in Name, in every language (axe checks it for English text only): a speech-input user
# says what they see, so a control's accessible name must contain its visible text.
LABEL_IN_NAME = r"""
(root) => {
  const norm = (text) => (text || '').toLowerCase().replace(/[\s\u00a0\u202f]+/g, ' ').replace(/[“”«»"'’.:,;!?…]/g, '').trim();
  return [...root.querySelectorAll('button[aria-label], a[aria-label], [role=button][aria-label], input[type=submit][aria-label]')]
    .filter((el) => el.checkVisibility())
    .map((el) => ({visible: norm(el.innerText || el.value), name: norm(el.getAttribute('aria-label')), html: el.outerHTML.slice(0, 120)}))
    .filter((c) => c.visible && !c.name.includes(c.visible));
}
"""


@pytest.mark.parametrize(("activity", "view", "lang"), view_params())
def test_accessible_names_contain_the_visible_label(page, site, activity, view, lang):
    block = open_view(page, site, activity, view, lang, student="label-in-name")
    mismatches = block.evaluate(LABEL_IN_NAME)
    assert not mismatches, f"{activity} {view} ({lang}): aria-label without the visible text (WCAG 2.5.3): {mismatches}"


@pytest.mark.parametrize(("activity", "view"), [pytest.param(a, v, id=f"{a}-{VIEW_NAMES[v]}") for a in ACTIVITIES for v in VIEWS])
def test_tab_follows_the_reading_order_with_a_visible_focus(page, site, activity, view):
    block = open_view(page, site, activity, view, "en", student="focus")
    stops = block.evaluate(MARK_TAB_STOPS)
    assert not stops["positive"], f"positive tabindex breaks the reading order: {stops['positive']}"
    assert stops["count"] > 0, "the view has no keyboard-reachable control"
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    tab_until(page, page, f"{BLOCK} *")
    order, path, invisible = [], [], []
    for _ in range(stops["count"] + 5):
        info = focused(page)
        if not info or not info["inBlock"]:
            break
        path.append(info)
        stop = page.evaluate("() => document.activeElement.getAttribute('data-ldai-tab-stop')")
        order.append(int(stop) if stop is not None else None)
        if not has_visible_focus(info):
            invisible.append(f"{info['tag']}#{info['id']} [{info['text'][:40]}] outline={info['outlineStyle']} {info['outlineWidth']}px")
        page.keyboard.press("Tab")
    assert order == list(range(stops["count"])), (
        f"Tab order {order} != DOM reading order 0..{stops['count'] - 1} (None = focus on something that is not a control); "
        f"path: {describe(path)}"
    )
    assert not invisible, f"focused without a visible indicator: {invisible}"
    for before, after in zip(path, path[1:], strict=False):
        same_row = abs(after["top"] - before["top"]) < max(8, before["height"] / 2)
        assert after["top"] >= before["top"] - 4 or same_row, f"focus jumps back up the page: {describe([before, after])}"


@cache
def english_fragments() -> tuple[str, ...]:
    """English text of our catalogs that French speakers must never see (the French differs).

    Each msgid is cut at its placeholders; fragments of 14 characters or more are specific
    enough that finding one in a French page means a string escaped translation.
    """
    fragments: set[str] = set()
    for domain in ("text", "textjs"):
        path = ROOT / "translations" / "fr" / "LC_MESSAGES" / f"{domain}.po"
        with open(path, "rb") as handle:
            catalog = read_po(handle, locale="fr")
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            french = " ".join(s for s in strings if s)
            for msgid in ids:
                for piece in re.split(r"\{\w*\}|%\(\w+\)[sd]|%[sd]", msgid):
                    piece = piece.strip(" .:;,!?\n")
                    if len(piece) >= 14 and piece not in french:
                        fragments.add(piece)
    return tuple(sorted(fragments))


@pytest.mark.parametrize(("activity", "view"), [pytest.param(a, v, id=f"{a}-{VIEW_NAMES[v]}") for a in ACTIVITIES for v in VIEWS])
def test_french_view_shows_no_english_string(page, site, activity, view):
    block = open_view(page, site, activity, view, "fr")
    # Content marked as another language (an English pack's title in the pack list, lang="en") is not a leak.
    text = block.evaluate(
        "(root) => { const copy = root.cloneNode(true);"
        " copy.querySelectorAll('[lang]:not([lang^=fr])').forEach((el) => el.remove());"
        " document.body.appendChild(copy); const text = copy.innerText; copy.remove(); return text; }"
    )
    # Attributes a screen reader reads out count as text too.
    text += "\n" + "\n".join(block.evaluate(
        "(root) => [...root.querySelectorAll('[aria-label], [title], [placeholder], [alt]')].flatMap("
        "(el) => ['aria-label', 'title', 'placeholder', 'alt'].map((a) => el.getAttribute(a)).filter(Boolean))"
    ))
    leaked = [fragment for fragment in english_fragments() if fragment in text]
    assert not leaked, f"{activity} {view} in French still shows English: {leaked[:10]}"


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_learner_view_has_a_polite_live_region_from_the_first_paint(page, site, activity):
    """A live region must exist before the first message, or screen readers miss it."""
    response = page.request.get(site.scenario(scenario(activity), lang="en", student="live-region"))
    if response.status == 404:
        pytest.skip(f"{activity}: no workbench scenario yet")
    block = open_view(page, site, activity, "student_view", "en", student="live-region")
    html = response.text()
    assert re.search(r'aria-live="polite"', html), f"{activity}: no aria-live=\"polite\" region in the server-rendered HTML"
    assert block.locator('[aria-live="polite"]').count() >= 1


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_help_dialog_opens_and_closes_by_keyboard(page, site, activity):
    block = open_view(page, site, activity, "student_view", "en", student="help")
    if block.locator("[data-ldai-help-open]").count() == 0:
        pytest.skip(f"{activity}: the learner view has no help dialog")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    tab_until(page, page, "[data-ldai-help-open]")
    page.keyboard.press("Enter")
    dialog = block.locator("dialog.ldai-help")
    dialog.wait_for(state="visible")
    assert page.evaluate("() => !!document.activeElement.closest('dialog.ldai-help')"), "focus moves into the open dialog"
    assert dialog.get_attribute("aria-labelledby"), "the dialog is named by its heading"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("() => document.activeElement.matches('[data-ldai-help-open]')"), "focus returns to the help button"


@pytest.mark.parametrize(("activity", "view"), [pytest.param(a, v, id=f"{a}-{VIEW_NAMES[v]}") for a in ACTIVITIES for v in VIEWS])
def test_view_reflows_at_320_css_pixels(page, site, artifacts, activity, view):
    """WCAG 1.4.10: at 320 CSS px (a phone, or 400 percent zoom) nothing needs a horizontal scroll."""
    page.set_viewport_size({"width": 320, "height": 800})
    block = open_view(page, site, activity, view, "fr", student="reflow")  # French: the longer words
    overflowing = block.evaluate(
        """(root) => {
            const limit = Math.min(root.getBoundingClientRect().right, document.documentElement.clientWidth) + 1;
            return [...root.querySelectorAll('*')].filter((el) => {
              if (!el.checkVisibility() || el.closest('pre, textarea, table, [data-ldai-scroll]')) return false;
              const r = el.getBoundingClientRect();
              return r.width > 0 && r.right > limit;
            }).slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
                                      + ' right=' + Math.round(el.getBoundingClientRect().right));
        }"""
    )
    shot(page, artifacts, f"{activity}-{VIEW_NAMES[view]}-fr-320px")
    assert not overflowing, f"{activity} {view}: wider than the 320 px screen: {overflowing}"
