"""Server-side HTML of the views: Jinja2 with autoescape and our gettext catalogs.

Why Jinja2 and not Django templates: the XBlocks must render the same way in
Open edX, the workbench and the LTI tool, with our own catalogs whatever the
runtime's; Jinja2's i18n extension takes any gettext object and Babel extracts
its templates, so one catalog tool serves Python, templates and JavaScript.
Autoescaping is on for every template: learner and author text is always escaped.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .content.packs import JOB_FAMILIES
from .i18n import js_catalog, normalize_language, translation
from .resources import templates_dir

# Each character a script element or a JavaScript line must not see, and its escape. Applied with str.replace,
# one pass per character: str.translate with a mapping took 5 ms on the 32 KB French catalog every French page
# carries (bench/bench_lti.py profile), the replaces 0.1 ms; the escapes contain none of the characters.
_SCRIPT_UNSAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
INIT_ARGS_KEY = "ldai"
"""The one key of a block's start-up arguments: their JSON, as a script-safe string (see pack_init_args)."""


def script_safe_json(value: Any) -> str:
    """JSON that means the same and cannot end or confuse the ``<script>`` element it is written into.

    ``<``, ``>``, ``&`` and the JavaScript line separators U+2028/U+2029 become ``\\u`` escapes,
    so neither ``</script>`` nor ``<!--`` can appear, whatever the text.
    """
    text = json.dumps(value, ensure_ascii=False)
    for character, escape in _SCRIPT_UNSAFE:
        if character in text:
            text = text.replace(character, escape)
    return text


# The script-safe JSON of each language's JavaScript catalog (i18n.js_catalog, one read-only dict per language):
# every render of every block hands it to the browser, so it is encoded once per process, not once per page.
_catalog_json: dict[str, tuple[dict, str]] = {}


def _catalog_script_json(language: Any, catalog: Any) -> str | None:
    """The cached JSON of ``catalog`` when it IS ``js_catalog(language)`` (the very object), else None."""
    if not isinstance(language, str) or not isinstance(catalog, dict) or not catalog:
        return None  # English has no catalog: one json.dumps of the whole arguments is quicker
    hit = _catalog_json.get(language)
    if hit is not None and hit[0] is catalog:
        return hit[1]
    if catalog is not js_catalog(language):
        return None
    encoded = script_safe_json(catalog)
    _catalog_json[language] = (catalog, encoded)
    return encoded


def pack_init_args(args: dict[str, Any]) -> dict[str, Any]:
    """A block's start-up arguments as the host will write them: safe even if the host escapes nothing.

    Hosts ``json.dumps`` the arguments into ``<script type="json/xblock-args">``; a string
    already free of ``<``, ``>``, ``&`` stays free of them, so the arguments travel as one
    such string of JSON. The language is repeated in clear for hosts and tests that read it.
    """
    catalog = _catalog_script_json(args.get("lang"), args.get("i18n"))
    if catalog is None or not all(isinstance(key, str) for key in args):
        packed = {INIT_ARGS_KEY: script_safe_json(args)}
    else:  # the same text json.dumps(args) gives, with the catalog's part taken from the cache
        parts = (f"{script_safe_json(key)}: {catalog if key == 'i18n' else script_safe_json(value)}" for key, value in args.items())
        packed = {INIT_ARGS_KEY: "{" + ", ".join(parts) + "}"}
    for key in ("lang", "content_lang"):
        if key in args:
            packed[key] = args[key]
    return packed


def unpack_init_args(packed: dict[str, Any]) -> dict[str, Any]:
    """The arguments :func:`pack_init_args` packed (what ``LdaiCommon.initArgs`` does in the browser)."""
    if isinstance(packed.get(INIT_ARGS_KEY), str):
        return json.loads(packed[INIT_ARGS_KEY])
    return dict(packed)


def _json_script(value: Any) -> Markup:
    """JSON safe to embed in HTML (``</script>`` and ``&`` cannot break out; U+2028/2029 cannot end a JS line)."""
    return Markup(script_safe_json(value))


@cache
def make_environment(language: str, directory: str) -> Environment:
    """The Jinja2 environment of one template folder in one language (the blocks' and the tool's pages)."""
    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translation(normalize_language(language)), newstyle=True)
    env.filters["json_script"] = _json_script
    env.globals["lang"] = normalize_language(language)
    env.globals["job_families"] = JOB_FAMILIES
    return env


def environment(language: str) -> Environment:
    return make_environment(normalize_language(language), str(templates_dir()))


def render(template: str, context: dict[str, Any], language: str) -> str:
    return environment(normalize_language(language)).get_template(template).render(**context)
