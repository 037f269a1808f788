"""Where the shared files live, in a wheel and in a source checkout.

The house plan keeps ``static/``, ``translations/`` at the top of the repository
because both shells use them; the wheel installs them inside our own package
(``ldai_xblocks/static``, ``ldai_xblocks/translations``) so nothing lands as a
top-level ``static`` package in site-packages. This module hides that difference.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def _shared_dir(name: str) -> Path:
    installed = PACKAGE_DIR / name
    if installed.is_dir():
        return installed
    checkout = PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"ldai-xblocks is missing its {name}/ directory (looked in {installed} and {checkout})")


def static_dir() -> Path:
    """The front end shared by the XBlocks and the LTI tool."""
    return _shared_dir("static")


def translations_dir() -> Path:
    """gettext catalogs: ``<lang>/LC_MESSAGES/{text,textjs}.mo``."""
    return _shared_dir("translations")


def templates_dir() -> Path:
    return PACKAGE_DIR / "templates"


def packs_dir() -> Path:
    return PACKAGE_DIR / "content" / "packs"


def schemas_dir() -> Path:
    return PACKAGE_DIR / "content" / "schemas"
