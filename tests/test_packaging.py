"""The wheel is what Open edX installs: build it, install it in a fresh venv, render a block from it.

Dependencies are installed for real (from pip's cache after the first run); our package
comes only from the wheel, and the checks run outside the source tree so nothing can be
imported from the checkout. ``pip install ldai-xblocks`` (no extra) must bring the blocks
and nothing that changes the platform: no other XBlock types, no server packages, and no
version of edx-platform's own pins (tests/openedx/data/edx-platform-base-pins.txt) changed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_PINS = ROOT / "tests" / "openedx" / "data" / "edx-platform-base-pins.txt"
SERVER_PACKAGES = ("pylti1p3", "whitenoise", "redis", "dj-database-url", "xblock-sdk", "django", "gunicorn", "psycopg", "celery")
"""What only the LTI tool and the demo need ([tool]/[demo] extras); Django is the platform's, never ours to bring."""

CHECK = textwrap.dedent(
    """
    import json, pathlib, sysconfig
    import ldai_xblocks
    from ldai_xblocks import resources
    from ldai_xblocks.rendering import unpack_init_args
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
        "static_files": sorted(str(p.relative_to(package)) for p in resources.static_dir().rglob("*") if p.is_file()),
        "translations": str(resources.translations_dir()),
        "mo": sorted(str(p.relative_to(package)) for p in resources.translations_dir().rglob("*.mo")),
        "top_level": sorted(p.name for p in site.iterdir() if p.name in ("static", "translations", "tests", "bench")),
        "class": XBlock.load_class("ldai_risk_quiz").__name__,
        "html": fragment.content,
        "lang": fragment.json_init_args["lang"],
        "pack_lang": block.content_document()["lang"],
        "js_catalog_size": len(unpack_init_args(fragment.json_init_args)["i18n"]),
        "js": [r.data for r in fragment.resources if r.kind == "url"],
    }))
    """
)


@cache
def _wheel(folder: str) -> Path:
    dist = Path(folder)
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)], check=True, capture_output=True)
    return next(dist.glob("ldai_xblocks-*.whl"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return _wheel(str(tmp_path_factory.mktemp("dist")))


def _platform_python() -> str:
    """The interpreter edx-platform's pins were compiled for (3.11, their header), else ours."""
    return shutil.which("python3.11") or sys.executable


def _venv(path: Path, python: str = sys.executable) -> list[str]:
    subprocess.run([python, "-m", "venv", str(path)], check=True)
    return [str(path / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]


def _pip(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(list(args), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_venv_and_renders_a_block_in_french(tmp_path, wheel):
    venv = tmp_path / "venv"
    pip = _venv(venv)
    _pip(*pip, "install", "-q", str(wheel), "-c", str(ROOT / "requirements" / "tool.txt"))

    result = subprocess.run([str(venv / "bin" / "python"), "-c", CHECK], check=True, capture_output=True, text=True, cwd=tmp_path)
    report = json.loads(result.stdout)

    assert report["package"].startswith(str(venv)), "ldai_xblocks must come from the wheel, not the checkout"
    assert report["static"] == str(Path(report["package"]) / "blocks" / "public")  # where Open edX's finder collects
    assert "blocks/public/js/ldai-common.js" in report["static_files"] and "blocks/public/css/ldai-common.css" in report["static_files"]
    assert report["translations"] == str(Path(report["package"]) / "translations")
    assert "translations/fr/LC_MESSAGES/text.mo" in report["mo"] and "translations/fr/LC_MESSAGES/textjs.mo" in report["mo"]
    assert report["top_level"] == [], "static/ and translations/ must live inside our package"
    assert report["class"] == "RiskQuizBlock"
    assert report["lang"] == "fr" and report["pack_lang"] == "fr"
    assert "situations de travail" in report["html"] and 'lang="fr"' in report["html"]
    assert report["js_catalog_size"] > 10

    stats = subprocess.run([str(venv / "bin" / "ldai"), "content", "stats", "--json"], check=True, capture_output=True, text=True, cwd=tmp_path)
    assert json.loads(stats.stdout)["risk_quiz"]["fr"]["questions"] >= 36


@pytest.mark.slow
def test_the_core_install_brings_no_other_xblock_and_no_server_package(tmp_path, wheel):
    """``pip install ldai-xblocks`` as a Tutor image would run it: no extra, no constraint."""
    pip = _venv(tmp_path / "venv", _platform_python())
    _pip(*pip, "install", "-q", str(wheel))
    listing = _pip(*pip, "list", "--format=json").stdout
    installed = {item["name"].lower().replace("_", "-") for item in json.loads(listing)}
    assert not installed & set(SERVER_PACKAGES), installed & set(SERVER_PACKAGES)
    probe = "import importlib.metadata as m, json; print(json.dumps(sorted({e.dist.name for e in m.entry_points(group='xblock.v1')})))"
    owners = json.loads(subprocess.run([str(tmp_path / "venv" / "bin" / "python"), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path).stdout)
    assert owners == ["ldai-xblocks"], f"foreign xblock.v1 entry points would join Studio's Advanced Components: {owners}"


@pytest.mark.slow
def test_installing_into_the_platform_changes_none_of_its_pins(tmp_path, wheel):
    """edx-platform's own versions installed first; pip then says what our wheel would add: none of them."""
    pip = _venv(tmp_path / "venv", _platform_python())
    _pip(*pip, "install", "-q", "-r", str(PLATFORM_PINS))
    report_path = tmp_path / "report.json"
    _pip(*pip, "install", "-q", "--dry-run", "--report", str(report_path), str(wheel))
    would_install = {item["metadata"]["name"].lower().replace("_", "-"): item["metadata"]["version"]
                     for item in json.loads(report_path.read_text())["install"]}
    pins = {line.split("==")[0].lower(): line.split("==")[1].strip() for line in PLATFORM_PINS.read_text().splitlines()
            if line and not line.startswith("#")}
    assert set(would_install) == {"ldai-xblocks"}, {name: (pins.get(name), version) for name, version in would_install.items()}


BLOCK_BABEL = textwrap.dedent(
    """
    import importlib.abc, sys

    class NoBabel(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "babel" or name.startswith("babel."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NoBabel())
    """
)
"""A sitecustomize.py: Python started with it on PYTHONPATH behaves as an environment without babel."""


def _build_without_babel(tmp_path: Path, hook: str) -> subprocess.CompletedProcess:
    """setuptools' PEP 517 backend (what pip --no-build-isolation runs) building from a copy of the checkout, babel hidden."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(BLOCK_BABEL)
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv*", ".git", "node_modules", "artifacts", "*.egg-info", "build", "dist", "__pycache__"))
    out = tmp_path / "out"
    out.mkdir()
    code = f"from setuptools import build_meta; print(build_meta.{hook}({str(out)!r}))"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path / "site"), "HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-c", code], cwd=source, env=env, capture_output=True, text=True, timeout=600)


def test_an_editable_install_without_babel_says_so_in_one_line_and_goes_on(tmp_path):
    """`pip install --no-build-isolation -e .` where babel is missing: one line, no traceback, the install proceeds."""
    result = _build_without_babel(tmp_path, "build_editable")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith(".whl")
    lines = [line for line in result.stderr.splitlines() if "babel" in line.lower()]
    assert len(lines) == 1 and lines[0].startswith("warning: babel is not installed"), lines
    assert "Traceback" not in result.stderr + result.stdout


def test_a_wheel_without_babel_stops_with_one_line_rather_than_ship_no_french(tmp_path):
    result = _build_without_babel(tmp_path, "build_wheel")
    assert result.returncode != 0 and not list((tmp_path / "out").glob("*.whl"))
    assert "error: babel is not installed" in result.stderr and "Traceback" not in result.stderr, result.stderr[-2000:]
