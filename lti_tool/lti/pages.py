"""HTML pages of the tool (errors, deep linking, registration, configuration) and their framing headers.

Why Jinja2 with our own catalogs (as ``ldai_xblocks.rendering``): the pages speak
the launch's language, which comes from the LTI token, not from Django's
request locale, and Babel extracts these templates with the rest of the project.

Why explicit framing headers: LMSs show the tool in an iframe, so LTI pages drop
``X-Frame-Options: DENY`` and send ``Content-Security-Policy: frame-ancestors``
listing the registered platforms instead; every other page of the site keeps DENY.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpResponse
from jinja2 import Environment

from ldai_xblocks.i18n import gettext_for, normalize_language
from ldai_xblocks.rendering import make_environment

from ..conf import lti_settings
from .errors import LaunchError

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"


def environment(language: str) -> Environment:
    """The tool's pages share the blocks' Jinja2 set-up (autoescape, our catalogs), over their own folder."""
    return make_environment(normalize_language(language), str(TEMPLATES_DIR))


def render(template: str, context: dict[str, Any], language: str | None, *, status: int = 200) -> HttpResponse:
    language = normalize_language(language)
    html = environment(language).get_template(f"lti_tool/{template}").render(**context)
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # launch pages carry tokens in forms; never in a Referer
    return response


# ----- framing -----------------------------------------------------------------------------------------


def origin_of(url: str | None) -> str | None:
    """``https://moodle.example.com:8443`` from any URL, or None when it is not a clean http(s) origin."""
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or any(c in host for c in " ;,'\"\\*"):
        return None
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def registered_origins() -> set[str]:
    """Origins of every platform that may frame the tool, for pages shown before we know which one.

    A platform may frame the tool only while it is active AND has an active
    deployment: deactivating its last deployment (or a Dynamic Registration still
    waiting for approval) must not leave it able to frame even our error pages.
    """
    from ..models import Platform

    origins: set[str] = set()
    framing = Platform.objects.filter(is_active=True, deployments__is_active=True).distinct()
    for issuer, login_url in framing.values_list("issuer", "auth_login_url"):
        origins.update(o for o in (origin_of(issuer), origin_of(login_url)) if o)
    return origins


def platform_origins(platform) -> set[str]:
    """The origins of ``platform`` (issuer, login URL) when it may frame the tool, else nothing."""
    if platform is None or not platform.is_active or not platform.deployments.filter(is_active=True).exists():
        return set()
    return {o for o in (origin_of(platform.issuer), origin_of(platform.auth_login_url)) if o}


def allow_framing(response: HttpResponse, origins: set[str] | None = None) -> HttpResponse:
    """Let the given origins (default: all registered platforms) and the configured extra ones frame ``response``."""
    if origins is None:
        origins = registered_origins()
    extra = {o for o in (origin_of(x) for x in lti_settings().frame_ancestors) if o}
    sources = " ".join(sorted(origins | extra))
    response["Content-Security-Policy"] = f"frame-ancestors 'self' {sources}".strip()
    response.xframe_options_exempt = True  # XFrameOptionsMiddleware leaves this response alone
    return response


# ----- error pages -------------------------------------------------------------------------------------


def error_response(error: LaunchError, language: str | None = None, *, origins: set[str] | None = None) -> HttpResponse:
    language = normalize_language(error.locale or language)
    _ = gettext_for(language)
    response = render(
        "error.html",
        {"title": _("The activity cannot open"), "message": _(error.message), "code": error.code, "detail": error.detail},
        language,
        status=error.status,
    )
    return allow_framing(response, origins)
