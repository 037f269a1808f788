"""Issue 15's done-when in a real browser (Debian chromium): a learner earns the demo quiz's badge in the
tool, downloads it, and ``ldai badges verify`` accepts the downloaded file; the public verification page
says the same in French. The site is served as `make demo` serves it (LDAI_DEMO=1), the quiz through
the tool's own runtime; axe-core checks the activity with its badge, the badge page and the
verification page.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from .flows import quiz_by_mouse
from .live import ROOT
from .test_demo import assert_page_accessible as accessible
from .test_demo import demo_site  # noqa: F401 (the fixture: the site as `make demo` serves it)

pytestmark = pytest.mark.browser


def cli_verify(site, path) -> subprocess.CompletedProcess:
    """``ldai badges verify FILE`` run as an operator would, against the site's own database."""
    env = {**os.environ, "LDAI_VAR_DIR": str(site.var_dir), "DJANGO_SETTINGS_MODULE": "lti_tool.site.settings", "LDAI_DEMO": "1"}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "ldai_xblocks.cli", "badges", "verify", str(path)],
                          cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=120)


def test_a_learner_earns_the_quiz_badge_downloads_it_and_the_cli_verifies_it(page, demo_site, axe_source, artifacts, tmp_path):  # noqa: F811
    page.goto(f"{demo_site.url}/demo/play/ldai_risk_quiz/learner-a/?lang=en")
    page.wait_for_url(re.compile(r"/lti/activity/"))
    block = page.locator(".xblock-v1").first
    block.locator("[data-ldai-stage] form").wait_for()
    region = block.locator("[data-ldai-badge-region]")
    assert region.get_attribute("aria-live") == "polite"
    assert "Badge to earn: “AI risk aware”." in region.inner_text()

    quiz_by_mouse(page, "en")
    link = region.get_by_role("link", name="See and download your badge (opens a new tab)")
    link.wait_for()
    assert "You earned the badge “AI risk aware”." in region.inner_text()
    accessible(page, axe_source, "the quiz with its badge earned")

    page.goto(demo_site.url + link.get_attribute("href"))
    page.get_by_role("heading", name="AI risk aware", level=1).wait_for()
    assert page.locator("[data-ldai-verdict]").get_attribute("data-ldai-verdict") == "valid"
    page.screenshot(path=str(artifacts / "badge-page-en.png"), full_page=True)
    accessible(page, axe_source, "the learner's badge page")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Badge picture with the credential inside (SVG)").click()
    svg = tmp_path / "badge.svg"
    download_info.value.save_as(svg)
    assert "<openbadges:credential verify=" in svg.read_text()

    verdict = cli_verify(demo_site, svg)
    assert verdict.returncode == 0, verdict.stderr
    assert verdict.stdout.startswith("valid: ")
    damaged = tmp_path / "damaged.svg"
    text = svg.read_text()
    at = text.index('verify="') + len('verify="') + 40
    damaged.write_text(text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :])
    verdict = cli_verify(demo_site, damaged)
    assert verdict.returncode == 1 and "not valid (" in verdict.stderr

    # Anyone can check it on the public page, here in French, from the keyboard.
    page.goto(f"{demo_site.url}/lti/badges/verify/?lang=fr")
    page.get_by_label("Ou un fichier (.jwt, .json, .svg)").set_input_files(str(svg))
    page.get_by_role("button", name="Vérifier").focus()
    page.keyboard.press("Enter")
    page.locator("[data-ldai-verdict]").wait_for()
    assert "Badge valide." in page.locator("#ldai-verify-result").inner_text()
    assert "AI risk aware" in page.get_by_role("table").inner_text()
    accessible(page, axe_source, "the verification page (fr)")


def test_the_instructor_edits_the_badge_in_the_authoring_view_by_keyboard(page, demo_site, axe_source):  # noqa: F811
    """The badge section of the shared Studio form: a missing name is explained next to the field, then saved."""
    page.goto(f"{demo_site.url}/demo/play/ldai_risk_quiz/instructor/?lang=en&view=author")
    editor = page.locator("[data-ldai-badge-editor]")
    editor.wait_for()
    accessible(page, axe_source, "the authoring view with its badge section")
    name = editor.get_by_label("Badge name")
    assert name.input_value() == "AI risk aware"  # the demo's badge
    name.fill("")
    page.get_by_role("button", name="Save", exact=True).focus()
    page.keyboard.press("Enter")
    error = editor.locator(".ldai-field-error")
    error.wait_for()
    assert "Fill this in" in error.inner_text() and name.get_attribute("aria-invalid") == "true"
    page.ldai_errors.clear()  # the 400 answer is logged by the browser; it is the expected outcome here
    name.fill("Risk champion")
    editor.get_by_label("Minimum best score, in percent").fill("90")
    editor.get_by_label("Earned when").select_option("score")
    page.get_by_role("button", name="Save", exact=True).click()
    page.locator("[data-ldai-live]").filter(has_text="Saved.").wait_for()
    page.reload()
    assert page.locator("[data-ldai-badge-editor]").get_by_label("Badge name").input_value() == "Risk champion"
    assert page.locator("[data-ldai-badge-editor]").get_by_label("Earned when").input_value() == "score"
