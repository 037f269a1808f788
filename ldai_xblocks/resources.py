"""Where the shared files live, in a wheel and in a source checkout.

The house plan keeps ``static/``, ``translations/`` at the top of the repository
because both shells use them; the wheel installs them inside our own package so
nothing lands as a top-level ``static`` package in site-packages:

- ``static/`` is ``ldai_xblocks/blocks/public``: Open edX collects an XBlock's static
  files from the package of the block classes' module (``ldai_xblocks.blocks``) and serves
  them at ``/static/xblock/resources/ldai_xblocks.blocks/public/...``
  (docs/decisions/0003). In a checkout that folder is a symbolic link to ``static/``;
  setup.py maps it for the wheel.
- ``translations/`` is ``ldai_xblocks/translations``, where Open edX's i18n service looks
  for an XBlock's bundled catalogs.
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


PUBLIC_DIR = "public"
"""The blocks' public folder, relative to their package: the first segment of every resource URI."""


@cache
def static_dir() -> Path:
    """The front end shared by the XBlocks and the LTI tool (``ldai_xblocks/blocks/public``)."""
    folder = PACKAGE_DIR / "blocks" / PUBLIC_DIR
    if not folder.is_dir():
        raise FileNotFoundError(f"ldai-xblocks is missing its front end in {folder} (a checkout links it to static/)")
    return folder


def translations_dir() -> Path:
    """gettext catalogs: ``<lang>/LC_MESSAGES/{text,textjs}.mo``."""
    return _shared_dir("translations")


def templates_dir() -> Path:
    return PACKAGE_DIR / "templates"


def packs_dir() -> Path:
    return PACKAGE_DIR / "content" / "packs"


def schemas_dir() -> Path:
    return PACKAGE_DIR / "content" / "schemas"
