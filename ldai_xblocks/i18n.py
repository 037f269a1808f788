"""Our own gettext catalogs, used by both shells whatever their runtime provides.

Why not rely on the runtime's i18n service for the catalog? Open edX, the
workbench and the LTI tool each look for catalogs in different places (Open edX
under the block module's package, the workbench in Django's LOCALE_PATHS). We take
only the *language* from the host and translate with the catalogs shipped in
this package (domain ``text`` for Python and templates, ``textjs`` for JavaScript),
so a string is translated the same way everywhere.

One exception, as OEP-58 says: when Open edX's atlas has pulled catalogs for us from
openedx-translations (``<REPO_ROOT>/conf/plugins-locale/xblock.v1/ldai_xblocks/<locale>/
LC_MESSAGES/django.mo``, ``djangojs.mo``: ``xmodule/modulestore/api.py``), their strings take
precedence; ours fill whatever they lack.
"""

from __future__ import annotations

import gettext as _gettext
from functools import cache
from pathlib import Path

from .resources import translations_dir

SUPPORTED_LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
MODULE_NAME = "ldai_xblocks"
"""Our root module: the folder name atlas uses for our catalogs (edx-platform's get_xblock_root_module_name)."""
JS_NAMESPACE = "LdaiXBlocksI18N"
"""The global the platform's compiled JavaScript catalog defines for us (XBlock.i18n_js_namespace)."""
ATLAS_DOMAINS = {"text": "django", "textjs": "djangojs"}
"""Our domains and the names openedx-translations gives them."""


def request_language() -> str | None:
    """Django's active language when one was activated (a request, ``translation.override``); else None.

    Only an activated language counts: ``get_language()`` outside a request answers the
    site's LANGUAGE_CODE, which is no learner's choice, so the runtime's service decides then.
    """
    try:
        from django.conf import settings

        if not settings.configured:
            return None
        from django.utils.translation import trans_real
    except ImportError:  # the blocks without Django (a bare XBlock runtime)
        return None
    active = getattr(trans_real._active, "value", None)
    to_language = getattr(active, "to_language", None)
    return to_language() if to_language else None


def atlas_dir() -> Path | None:
    """``conf/plugins-locale/xblock.v1/ldai_xblocks`` under the platform's REPO_ROOT, when atlas pulled it."""
    try:
        from django.conf import settings

        root = getattr(settings, "REPO_ROOT", None) if settings.configured else None
    except ImportError:
        return None
    if not root:
        return None
    folder = Path(root) / "conf" / "plugins-locale" / "xblock.v1" / MODULE_NAME
    return folder if folder.is_dir() else None


def _locale(language: str) -> str:
    """``fr`` -> ``fr``, ``fr-ca`` -> ``fr_CA`` (Django's to_locale, which names atlas's folders)."""
    lang, _sep, country = language.partition("-")
    return f"{lang}_{country.upper()}" if country else lang


def normalize_language(value: str | None) -> str:
    """``"fr-CA"``, ``"fr_FR"``, ``"FR"`` -> ``"fr"``; anything we do not ship -> English."""
    if not value:
        return DEFAULT_LANGUAGE
    primary = value.replace("_", "-").split("-")[0].strip().lower()
    return primary if primary in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


@cache
def translation(language: str, domain: str = "text") -> _gettext.NullTranslations:
    """The catalog of ``domain`` for ``language``: atlas's first when present, ours behind it; English is the source.

    Cached per process: atlas pulls catalogs at image build time, not while the platform runs.
    """
    language = normalize_language(language)
    if language == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    bundled = _gettext.translation(domain, str(translations_dir()), languages=[language], fallback=True)
    pulled = atlas_dir()
    if pulled is None:
        return bundled
    platform = _gettext.translation(ATLAS_DOMAINS.get(domain, domain), str(pulled), languages=[_locale(language), language], fallback=True)
    if type(platform) is _gettext.NullTranslations:
        return bundled
    platform.add_fallback(bundled)
    return platform


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
    raw: dict = {}
    chain = translation(language, "textjs")
    layers = []
    while chain is not None:  # atlas's catalog first, ours behind it: the first layer that has a string wins
        layers.append(getattr(chain, "_catalog", {}))
        chain = getattr(chain, "_fallback", None)
    for layer in reversed(layers):
        raw.update({key: value for key, value in layer.items() if key and value})
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
