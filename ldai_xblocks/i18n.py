"""Our own gettext catalogs, used by both shells whatever their runtime provides.

Why not rely on the runtime's i18n service for the catalog? Open edX, the
workbench and the LTI tool each look for catalogs in different places (Open edX
under the block module's package, the workbench in Django's LOCALE_PATHS). We take
only the *language* from the runtime and translate with the catalogs shipped in
this package (domain ``text`` for Python and templates, ``textjs`` for JavaScript),
so a string is translated the same way everywhere.
"""

from __future__ import annotations

import gettext as _gettext
from functools import cache

from .resources import translations_dir

SUPPORTED_LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"


def normalize_language(value: str | None) -> str:
    """``"fr-CA"``, ``"fr_FR"``, ``"FR"`` -> ``"fr"``; anything we do not ship -> English."""
    if not value:
        return DEFAULT_LANGUAGE
    primary = value.replace("_", "-").split("-")[0].strip().lower()
    return primary if primary in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


@cache
def translation(language: str, domain: str = "text") -> _gettext.NullTranslations:
    """The catalog of ``domain`` for ``language``; English is the source language."""
    language = normalize_language(language)
    if language == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    return _gettext.translation(domain, str(translations_dir()), languages=[language], fallback=True)


def gettext_for(language: str):
    return translation(language).gettext


def ngettext_for(language: str):
    return translation(language).ngettext


@cache
def js_catalog(language: str) -> dict[str, str | list[str]]:
    """Every JavaScript string of ``language``, handed to the front end at start-up.

    Singular entries map msgid -> text; plural entries map the singular msgid to the
    list of forms (the JS picks the form with the language's plural rule).
    """
    if normalize_language(language) == DEFAULT_LANGUAGE:
        return {}
    raw = getattr(translation(language, "textjs"), "_catalog", {})
    catalog: dict[str, str | list[str]] = {}
    plurals: dict[str, dict[int, str]] = {}
    for key, value in raw.items():
        if isinstance(key, tuple):
            plurals.setdefault(key[0], {})[key[1]] = value
        elif key and value:
            catalog[key] = value
    for msgid, forms in plurals.items():
        catalog[msgid] = [forms[i] for i in sorted(forms)]
    return catalog


def N_(message: str) -> str:
    """Mark ``message`` for extraction where it is translated later, with the reader's language."""
    return message
