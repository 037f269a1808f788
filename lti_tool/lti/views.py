"""The LTI endpoints: OIDC login, launch, JWKS, and the configuration page.

Each view turns every refusal into a 4xx page naming the reason (in the launch's
language when known) and sends framing headers an LMS iframe accepts. The
platform POSTs cross-site, so these views are CSRF-exempt: their protection is
the state/nonce pair bound to the browser, not Django's CSRF cookie (which a
browser blocking third-party cookies would not send anyway).
"""

from __future__ import annotations

import json
import logging

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.module_loading import import_string
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from ldai_xblocks.i18n import N_, gettext_for, normalize_language

from . import claims as c
from . import deep_linking
from .errors import LaunchError
from .keys import public_jwks
from .launch import STORAGE_PROOF_PARAM, BrowserNotBound, ToolLaunch
from .launch_context import LaunchContext
from .login import ToolLogin, login_params
from .pages import allow_framing, error_response, origin_of, platform_origins, render

log = logging.getLogger("ldai.lti")


def request_language(request) -> str:
    """The reader's language before any token is read: Django's locale middleware, from Accept-Language."""
    return normalize_language(getattr(request, "LANGUAGE_CODE", None) or request.headers.get("Accept-Language"))


def _method_not_allowed(request, allowed: str) -> HttpResponse:
    response = error_response(LaunchError("method_not_allowed"), request_language(request))
    response["Allow"] = allowed
    return response


# ----- OIDC login --------------------------------------------------------------------------------------


@csrf_exempt
@xframe_options_exempt
def login(request):
    if request.method not in ("GET", "POST"):
        return _method_not_allowed(request, "GET, POST")
    language = request_language(request)
    try:
        params = login_params(request)
        flow = ToolLogin(request, params)
        redirect, state, record = flow.start()
    except LaunchError as error:
        log.info("login refused: %s", error)
        return error_response(error, language)
    if record.get("storage_target"):
        platform_origin = origin_of(flow.platform.auth_login_url)
        response = render(
            "storage_login.html",
            {
                "title": gettext_for(language)(N_("Opening the activity…")),
                "auth_url": redirect.get_redirect_url(),
                "put": {
                    "subject": c.PM_PUT_DATA,
                    "key": f"ldai_state_{state}",
                    "value": record["storage_secret"],
                    "target": record["storage_target"],
                    "origin": platform_origin,
                },
            },
            language,
        )
        flow._cookie_service.update_response(response)  # the state cookie too: it is enough when the browser keeps it
        return allow_framing(response, platform_origins(flow.platform))
    return redirect.do_redirect()  # a redirect is never rendered in the frame: no framing header needed


# ----- launch ----------------------------------------------------------------------------------------------


def _launch_origins(context: LaunchContext) -> set[str]:
    """Who may frame this launch's page: its platform, and the URLs the signed token itself names."""
    urls = [context.platform.issuer, context.platform.auth_login_url, context.return_url]
    if context.deep_linking:
        urls.append(context.deep_linking.get(c.DL_RETURN_URL))
    return {o for o in map(origin_of, urls) if o}


def _browser_not_bound(request, missing: BrowserNotBound, language: str) -> HttpResponse:
    """No state cookie: read the state back from platform storage, or offer a new window. Never a bare 'state not found'."""
    from ..models import Platform

    record = missing.record
    platform = Platform.objects.filter(pk=record.get("platform")).first()
    context = {
        "title": gettext_for(language)(N_("Open the activity")),
        "login_url": request.build_absolute_uri(reverse("lti_tool:login")),
        "login": record.get("login", {}),
    }
    if record.get("storage_target") and not missing.tried_storage:
        storage_origin = origin_of(platform.auth_login_url) if platform else None
        context.update(
            get={"subject": c.PM_GET_DATA, "key": f"ldai_state_{missing.state}", "target": record["storage_target"], "origin": storage_origin},
            launch_url=request.build_absolute_uri(reverse("lti_tool:launch")),
            fields={"state": missing.state, "id_token": request.POST.get("id_token", "")},
            proof_param=STORAGE_PROOF_PARAM,
        )
        response = render("storage_launch.html", context, language)
    else:
        response = render("new_window.html", context, language)
    return allow_framing(response, platform_origins(platform))


@csrf_exempt
@xframe_options_exempt
def launch(request, resource_launch: str):
    """Validate the launch, then hand a resource launch to ``resource_launch`` (a dotted path the URLconf names)."""
    if request.method != "POST":
        return _method_not_allowed(request, "POST")
    flow = ToolLaunch(request)
    language = request_language(request)
    try:
        context = flow.run()
    except BrowserNotBound as missing:
        return _browser_not_bound(request, missing, normalize_language(flow.unverified_locale or language))
    except LaunchError as error:
        log.info("launch refused: %s", error)
        return error_response(error, flow.unverified_locale or language)
    if context.is_deep_linking:
        response = deep_linking.picker(request, context)
    else:
        response = import_string(resource_launch)(request, context)
    return allow_framing(response, _launch_origins(context))


# ----- JWKS and configuration ------------------------------------------------------------------------------


@require_GET
@cache_control(max_age=300, public=True)
def jwks(request):
    """The tool's public keys (current and rotated-but-not-expired), for platforms to verify our signatures."""
    return JsonResponse(public_jwks())


def tool_urls(request) -> dict[str, str]:
    """Every URL a platform administrator needs, absolute, as this request reaches the site."""
    def absolute(name: str) -> str:
        return request.build_absolute_uri(reverse(f"lti_tool:{name}"))

    return {
        "tool_url": absolute("launch"),
        "initiate_login_url": absolute("login"),
        "redirection_uris": absolute("launch"),
        "public_keyset_url": absolute("jwks"),
        "deep_linking_url": absolute("launch"),
        "config_url": absolute("config"),
    }


@require_GET
def config(request):
    language = request_language(request)
    urls = tool_urls(request)
    return render("config.html", {"title": gettext_for(language)(N_("Set up the tool in your learning platform")), "urls": urls,
                                  "urls_json": json.dumps(urls, indent=2)}, language)
