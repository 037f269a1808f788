"""The wheel is what Open edX installs: build it, install it in a fresh venv, render a block from it.

Dependencies are installed for real (pinned by requirements/base.txt, from pip's
cache after the first run); our package comes only from the wheel, and the check
runs outside the source tree so nothing can be imported from the checkout.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = textwrap.dedent(
    """
    import json, pathlib, sysconfig
    import ldai_xblocks
    from ldai_xblocks import resources
    from xblock.core import XBlock
    from xblock.runtime import DictKeyValueStore, KvsFieldData
    from xblock.test.toy_runtime import ToyRuntime

    site = pathlib.Path(sysconfig.get_paths()["purelib"])
    package = pathlib.Path(ldai_xblocks.__file__).parent

    class I18n:
        def get_language(self):
            return "fr"

    runtime = ToyRuntime(user_id="u1")
    runtime._services["field-data"] = KvsFieldData(DictKeyValueStore())
    runtime._services["i18n"] = I18n()
    block = runtime.get_block(runtime.parse_xml_string("<ldai_risk_quiz/>"))
    fragment = block.student_view()
    print(json.dumps({
        "package": str(package),
        "site": str(site),
        "static": str(resources.static_dir()),
        "translations": str(resources.translations_dir()),
        "mo": sorted(str(p.relative_to(package)) for p in resources.translations_dir().rglob("*.mo")),
        "top_level": sorted(p.name for p in site.iterdir() if p.name in ("static", "translations", "tests", "bench")),
        "class": XBlock.load_class("ldai_risk_quiz").__name__,
        "html": fragment.content,
        "lang": fragment.json_init_args["lang"],
        "pack_lang": block.content_document()["lang"],
        "js_catalog_size": len(fragment.json_init_args["i18n"]),
        "js": [r.data for r in fragment.resources if r.kind == "url"],
    }))
    """
)


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_venv_and_renders_a_block_in_french(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)], check=True, capture_output=True)
    wheel = next(dist.glob("ldai_xblocks-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, str(wheel), "-c", str(ROOT / "requirements" / "base.txt")], check=True, capture_output=True)

    result = subprocess.run([str(venv / "bin" / "python"), "-c", CHECK], check=True, capture_output=True, text=True, cwd=tmp_path)
    report = json.loads(result.stdout)

    assert report["package"].startswith(str(venv)), "ldai_xblocks must come from the wheel, not the checkout"
    assert report["static"] == str(Path(report["package"]) / "static")
    assert report["translations"] == str(Path(report["package"]) / "translations")
    assert "translations/fr/LC_MESSAGES/text.mo" in report["mo"] and "translations/fr/LC_MESSAGES/textjs.mo" in report["mo"]
    assert report["top_level"] == [], "static/ and translations/ must live inside our package"
    assert report["class"] == "RiskQuizBlock"
    assert report["lang"] == "fr" and report["pack_lang"] == "fr"
    assert "situations de travail" in report["html"] and 'lang="fr"' in report["html"]
    assert report["js_catalog_size"] > 10

    stats = subprocess.run([str(venv / "bin" / "ldai"), "content", "stats", "--json"], check=True, capture_output=True, text=True, cwd=tmp_path)
    assert json.loads(stats.stdout)["risk_quiz"]["fr"]["questions"] >= 36
