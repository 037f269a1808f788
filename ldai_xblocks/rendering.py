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
from .i18n import normalize_language, translation
from .resources import templates_dir


def _json_script(value: Any) -> Markup:
    """JSON safe to embed in HTML (``</script>`` and ``&`` cannot break out; U+2028/2029 cannot end a JS line)."""
    text = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


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
