"""Front-end weight and time to interactive of each activity (issue 6), beside anchors measured in the same run.

``frontend_kb_gz.<activity>``
    Every JavaScript and CSS file the activity loads, learner and Studio views together,
    ``ldai-common`` included, each gzipped (level 9, as a server or CDN would send it), summed,
    in KB. The list is read from the views the site really renders (the ``<script>`` and
    ``<link>`` tags of the workbench pages), so a file added to a view is counted without
    editing this module. Anchor: xblock-ai-eval's short-answer block (its published wheel, read
    without installing it), the same kind of activity (a learner answers, the block gives
    feedback): ``shortanswer.js`` + ``shortanswer.studio.js`` and the CSS their views load.
``frontend_learner_kb_gz.<activity>``
    The same for the learner view alone (what every learner downloads), beside the
    short-answer learner view (``shortanswer.js``, ``shared.css``, ``chatbox.css``).
``time_to_interactive_ms.<activity>``
    Headless Debian chromium, the learner view in xblock-sdk's workbench served by the real
    site on 127.0.0.1, median of 20 loads, each by a new learner, in one tab navigated from load
    to load with the host page's assets in the browser cache (a learner moving through a
    course; the note adds the median of 5 loads in a fresh context with an empty cache).
    Performance API clock (``performance.now()``, zero at navigation start) until the block's
    JavaScript has run (the runtime's ``XBlock.initializeBlocks`` returned) and the first
    control of the task is in the page (the quiz's answer inputs, the detector's text units,
    the sandbox's prompt box), whichever comes last. Anchor: xblock-drag-and-drop-v2's
    learner view (the model XBlock of CONVENTIONS.md) measured the same way, until its first
    draggable item; the note gives the floor, an empty workbench page (an HTML block, no
    JavaScript of its own) until its ``load`` event.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import ACTIVITIES, anchor_wheel, figure, median, per_activity  # noqa: E402
from tests.browser.live import chromium_available, launch_chromium, start_site, stop_site  # noqa: E402

STATIC = ROOT / "static"
LOADS = 20
WARMUP = 2
COLD_LOADS = 5
ANCHOR = "xblock-ai-eval"
ANCHOR_NAME = "xblock-ai-eval-shortanswer"
ANCHOR_LEARNER = ("ai_eval/static/bundles/shortanswer.js", "ai_eval/static/bundles/shared.css", "ai_eval/static/css/chatbox.css")
ANCHOR_STUDIO = (
    "ai_eval/static/bundles/shortanswer.studio.js", "ai_eval/static/css/studio_fixes.css", "ai_eval/static/bundles/shared.css",
    "ai_eval/static/css/studio_api_key_lock.css", "ai_eval/static/css/shortanswer_studio.css",
)
TTI_ANCHOR = ("drag-and-drop-v2.0", ".option[role=button]")
FLOOR_PAGE = "html_demo.0"
# The first control of each activity's task (what a learner acts on first).
FIRST_CONTROL = {
    "risk_quiz": "[data-ldai-stage] input",
    "hallucination_detector": ".ldai-hd-unit",
    "prompt_sandbox": "textarea[name=prompt]",
}
GENERIC_CONTROL = ".xblock-v1 :is(input:not([type=hidden]), select, textarea, button, [tabindex='0']):not([data-ldai-help-open]):not(dialog *)"
NOT_AVAILABLE = "This activity is not available yet."

# Installed before any script of the page: records when the runtime has initialised the blocks
# (1.js declares `var XBlock = ...`: the assignment goes through this setter) and when the first
# control matching the selector exists (a MutationObserver sees the parser's and the JS's nodes).
TTI_PROBE = r"""
((selector) => {
  const tti = window.__ldaiTti = {init: null, control: null};
  let runtime;
  Object.defineProperty(window, 'XBlock', {configurable: true, get() { return runtime; }, set(value) {
    runtime = value;
    if (value && typeof value.initializeBlocks === 'function') {
      const original = value.initializeBlocks;
      value.initializeBlocks = function () { const r = original.apply(this, arguments); tti.init = performance.now(); return r; };
    }
  }});
  const check = () => { if (tti.control === null && document.querySelector(selector)) { tti.control = performance.now(); } };
  new MutationObserver(check).observe(document, {subtree: true, childList: true});
})(%s);
"""


# ------------------------------------------------------------------------------ page weight
def gz_kb(data: bytes) -> float:
    return len(gzip.compress(data, compresslevel=9, mtime=0)) / 1024


def view_files(site_url: str, block_type: str, view: str) -> list[str] | None:
    """The static files (relative to static/) a view of the block loads, read from the page the site serves."""
    path = f"/workbench/scenario/{block_type}.0/" + ("" if view == "student_view" else f"{view}/")
    try:
        html = urllib.request.urlopen(site_url + path, timeout=30).read().decode("utf-8")
    except OSError:
        return None
    if NOT_AVAILABLE in html:
        return None
    return sorted(set(re.findall(rf"/workbench/resource/{re.escape(block_type)}/(?:static|public)/((?:js|css)/[\w.\-/]+\.(?:js|css))", html)))


def ours_kb(files: list[str]) -> float:
    return sum(gz_kb((STATIC / name).read_bytes()) for name in files)


def anchor_wheel_path() -> tuple[Path | None, str]:
    """The pinned wheel ``make bench`` fetched, else a ``pip download`` into a temporary folder."""
    wheel = anchor_wheel(ANCHOR)
    if wheel:
        return wheel, f"{wheel.name}"
    target = Path(tempfile.mkdtemp(prefix="ldai-anchor-"))
    pinned = next((line.split("#")[0].strip() for line in (ROOT / "requirements" / "bench-wheels.txt").read_text().splitlines()
                   if line.lower().startswith(ANCHOR)), ANCHOR) if (ROOT / "requirements" / "bench-wheels.txt").exists() else ANCHOR
    result = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", pinned, "-d", str(target)],
                            capture_output=True, text=True, timeout=120)
    found = sorted(target.glob("xblock_ai_eval-*.whl"))
    if result.returncode or not found:
        return None, f"pip download {pinned} failed: {result.stderr.strip()[-200:]}"
    return found[-1], found[-1].name


def anchor_kb(wheel: Path, names: tuple[str, ...]) -> float:
    with zipfile.ZipFile(wheel) as archive:
        return sum(gz_kb(archive.read(name)) for name in dict.fromkeys(names))


def weight_figures(site_url: str) -> list[dict]:
    wheel, wheel_note = anchor_wheel_path()
    learner_anchor = anchor_kb(wheel, ANCHOR_LEARNER) if wheel else None
    all_anchor = anchor_kb(wheel, ANCHOR_LEARNER + ANCHOR_STUDIO) if wheel else None
    figures = []
    for activity in ACTIVITIES:
        block_type = f"ldai_{activity}"
        learner = view_files(site_url, block_type, "student_view")
        studio = view_files(site_url, block_type, "studio_view")
        if learner is None or studio is None:
            note = f"{block_type} is not available yet (placeholder block)"
            figures += [figure(per_activity("frontend_kb_gz", activity), None, "KB", ANCHOR_NAME, all_anchor, "lower", note=note),
                        figure(per_activity("frontend_learner_kb_gz", activity), None, "KB", ANCHOR_NAME, learner_anchor, "lower", note=note)]
            continue
        every = sorted(set(learner) | set(studio))
        anchor_note = f"anchor read from {wheel_note}" if wheel else f"anchor not measured: {wheel_note}"
        figures.append(figure(per_activity("frontend_kb_gz", activity), ours_kb(every), "KB", ANCHOR_NAME, all_anchor, "lower",
                              note=f"gzip -9 per file, summed: {', '.join(every)}; {anchor_note}"))
        figures.append(figure(per_activity("frontend_learner_kb_gz", activity), ours_kb(learner), "KB", ANCHOR_NAME, learner_anchor, "lower",
                              note=f"learner view: {', '.join(learner)}"))
    return figures


# ---------------------------------------------------------------------------- interactivity
def load_once(page, url: str, selector: str | None) -> float:
    """One navigation of ``page``: ms from navigation start until interactive (the floor: until its load event)."""
    page.goto(url, wait_until="load")
    if selector is None:
        return page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
    page.wait_for_function("() => window.__ldaiTti.init !== null && window.__ldaiTti.control !== null", timeout=15_000)
    marks = page.evaluate("() => window.__ldaiTti")
    return max(marks["init"], marks["control"])


def new_page(browser, context, selector: str | None):
    page = (context or browser.new_context(viewport={"width": 1100, "height": 900})).new_page()
    if selector is not None:
        page.add_init_script(TTI_PROBE % json.dumps(selector))
    return page


def measure(browser, site_url: str, contenders: dict[str, tuple[str, str | None]], loads: int, warmup: int, warm_cache: bool) -> dict[str, list[float]]:
    """Median-ready samples, contenders interleaved round by round (a shared machine's noise hits all alike).

    ``warm_cache``: one tab per contender, navigated from load to load (a learner moving
    through a course: the host page's jQuery and CSS come from the cache); otherwise a new
    browser context, with an empty cache, and a new tab for every load.
    """
    contexts = {name: browser.new_context(viewport={"width": 1100, "height": 900}) for name in contenders} if warm_cache else {}
    tabs = {name: new_page(browser, contexts[name], selector) for name, (_path, selector) in contenders.items()} if warm_cache else {}
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    try:
        for round_number in range(warmup + loads):
            for name, (path, selector) in contenders.items():
                page = tabs.get(name) or new_page(browser, None, selector)
                try:
                    # A new learner each load: the quiz draws its questions, state is created, as on a first visit.
                    value = load_once(page, f"{site_url}{path}?student=bench-{'w' if warm_cache else 'c'}{round_number}", selector)
                finally:
                    if not warm_cache:
                        page.context.close()
                if round_number >= warmup:
                    samples[name].append(value)
    finally:
        for context in contexts.values():
            context.close()
    return samples


def tti_figures(browser, site_url: str) -> list[dict]:
    contenders: dict[str, tuple[str, str | None]] = {}
    skipped: dict[str, str] = {}
    for activity in ACTIVITIES:
        block_type = f"ldai_{activity}"
        try:
            html = urllib.request.urlopen(f"{site_url}/workbench/scenario/{block_type}.0/", timeout=30).read().decode("utf-8")
        except OSError as error:
            skipped[activity] = f"{block_type} scenario unavailable: {error}"
            continue
        if NOT_AVAILABLE in html:
            skipped[activity] = f"{block_type} is not available yet (placeholder block)"
            continue
        contenders[activity] = (f"/workbench/scenario/{block_type}.0/", FIRST_CONTROL.get(activity, GENERIC_CONTROL))
    contenders["anchor"] = (f"/workbench/scenario/{TTI_ANCHOR[0]}/", TTI_ANCHOR[1])
    contenders["floor"] = (f"/workbench/scenario/{FLOOR_PAGE}/", None)
    warm = measure(browser, site_url, contenders, LOADS, WARMUP, warm_cache=True)
    cold = measure(browser, site_url, contenders, COLD_LOADS, 0, warm_cache=False)
    anchor = median(warm["anchor"])
    common = (f"median of {LOADS} loads with the host page cached, headless chromium, Performance API from navigation start; "
              f"anchor xblock-drag-and-drop-v2 until its first draggable item; floor (empty workbench page until its load event) "
              f"{median(warm['floor']):.0f} ms warm, {median(cold['floor']):.0f} ms cold")
    figures = []
    for activity in ACTIVITIES:
        name = per_activity("time_to_interactive_ms", activity)
        if activity in skipped:
            figures.append(figure(name, None, "ms", "xblock-drag-and-drop-v2", anchor, "lower", note=skipped[activity]))
            continue
        figures.append(figure(
            name, median(warm[activity]), "ms", "xblock-drag-and-drop-v2", anchor, "lower",
            note=(f"until {contenders[activity][1]} exists and the block's JS has run; {common}; empty cache (median of {COLD_LOADS}): "
                  f"{median(cold[activity]):.0f} ms vs anchor {median(cold['anchor']):.0f} ms"),
        ))
    return figures


def run() -> list[dict]:
    site = start_site(Path(tempfile.mkdtemp(prefix="ldai-bench-frontend-")), {"DJANGO_SETTINGS_MODULE": "bench.frontend_settings"})
    try:
        figures = weight_figures(site.url)
        if not chromium_available():
            note = "Debian's chromium is missing: run `make browser-deps`"
            return figures + [figure(per_activity("time_to_interactive_ms", a), None, "ms", "xblock-drag-and-drop-v2", None, "lower", note=note)
                              for a in ACTIVITIES]
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                return figures + tti_figures(browser, site.url)
            finally:
                browser.close()
    finally:
        stop_site(site)


if __name__ == "__main__":
    started = time.perf_counter()
    for item in run():
        print(json.dumps(item, ensure_ascii=False))
    print(f"# {time.perf_counter() - started:.1f} s", file=sys.stderr)
