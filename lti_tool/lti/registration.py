"""LTI Dynamic Registration 1.0 (``/lti/register/``): Moodle 3.10+ and Canvas register the tool in one click.

Flow (https://www.imsglobal.org/spec/lti-dr/v1p0): the platform opens this URL
with ``openid_configuration`` (its configuration URL) and ``registration_token``.
We show the administrator which platform is asking and wait for a click (a GET
must not change anything), then fetch the configuration again, POST our client
metadata to its ``registration_endpoint``, store the platform with the
``client_id`` it assigned, and close the platform's dialog with the
``org.imsglobal.lti.close`` postMessage.

Safety: anyone can reach this URL, so what it creates cannot launch anything on
its own: a deployment registered here starts INACTIVE until an administrator
switches it on in the admin. The configuration must come from the domain
of its ``issuer``; every fetch is bounded (timeout, size, https unless allowed).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.db import transaction
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from ldai_xblocks.i18n import N_, gettext_for

from ..conf import lti_settings
from ..models import Deployment, Platform
from . import claims as c
from .errors import LaunchError
from .http import FetchError, get_json, post_json
from .pages import allow_framing, error_response, origin_of, render

log = logging.getLogger("ldai.lti.registration")
REQUIRED_CONFIG = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
TOOL_CLAIMS = ["iss", "sub", "name", "given_name", "family_name", "email", "locale"]


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


def read_platform_configuration(url: str, token: str) -> dict:
    """The platform's openid-configuration, checked: required fields present, issuer on the same domain."""
    if not url:
        raise LaunchError("registration_missing_config")
    try:
        config = get_json(url, headers=_auth(token))
    except FetchError as exc:
        raise LaunchError("registration_config_unreachable", str(exc)) from exc
    if not isinstance(config, dict):
        raise LaunchError("registration_config_invalid", "not a JSON object")
    missing = [name for name in REQUIRED_CONFIG if not isinstance(config.get(name), str) or not config[name]]
    if missing:
        raise LaunchError("registration_config_invalid", "missing " + ", ".join(missing))
    # LTI DR 1.0, 3.5.1: the issuer's domain must be the openid_configuration URL's domain.
    if origin_of(config["issuer"]) is None or urlsplit(config["issuer"]).hostname != urlsplit(url).hostname:
        raise LaunchError("registration_config_invalid", "the issuer is not on the configuration URL's domain")
    platform_config = config.get(c.PLATFORM_CONFIGURATION)
    config[c.PLATFORM_CONFIGURATION] = platform_config if isinstance(platform_config, dict) else {}
    return config


def client_metadata(request, config: dict) -> dict:
    """What we ask the platform to register: our URLs, messages, claims and the AGS scopes it offers."""
    launch_url = request.build_absolute_uri(reverse("lti_tool:launch"))
    offered = config.get("scopes_supported")
    scopes = [s for s in c.AGS_SCOPES if not isinstance(offered, list) or s in offered]
    product = str(config[c.PLATFORM_CONFIGURATION].get("product_family_code", "")).lower()
    deep_linking = {"type": c.DEEP_LINKING_REQUEST, "target_link_uri": launch_url, "label": lti_settings().tool_name}
    if product == "canvas":
        deep_linking["placements"] = ["assignment_selection", "link_selection"]
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": request.build_absolute_uri(reverse("lti_tool:login")),
        "redirect_uris": [launch_url],
        "client_name": lti_settings().tool_name,
        "client_name#fr": gettext_for("fr")(N_("AI literacy at work")),
        "jwks_uri": request.build_absolute_uri(reverse("lti_tool:jwks")),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        c.TOOL_CONFIGURATION: {
            "domain": request.get_host(),
            "target_link_uri": launch_url,
            "description": "AI literacy at work: risk quiz, hallucination detector, prompt sandbox.",
            "claims": TOOL_CLAIMS,
            "messages": [deep_linking, {"type": c.RESOURCE_LINK_REQUEST, "target_link_uri": launch_url}],
        },
    }


def register_with(request, config: dict, token: str) -> tuple[Platform, Deployment | None, bool]:
    """POST the registration; store (or update) the platform; a new deployment starts inactive."""
    try:
        status, answer = post_json(config["registration_endpoint"], client_metadata(request, config), headers=_auth(token))
    except FetchError as exc:
        raise LaunchError("registration_refused", str(exc)) from exc
    if status not in (200, 201) or not isinstance(answer, dict) or not isinstance(answer.get("client_id"), str) or not answer["client_id"]:
        raise LaunchError("registration_refused", f"HTTP {status}")
    tool_config = answer.get(c.TOOL_CONFIGURATION) if isinstance(answer.get(c.TOOL_CONFIGURATION), dict) else {}
    deployment_id = tool_config.get("deployment_id")
    audience = config.get("authorization_server")
    product = config[c.PLATFORM_CONFIGURATION].get("product_family_code")
    with transaction.atomic():
        platform, created = Platform.objects.update_or_create(
            issuer=config["issuer"][:255],
            client_id=answer["client_id"][:255],
            defaults={
                "auth_login_url": config["authorization_endpoint"][:500],
                "auth_token_url": config["token_endpoint"][:500],
                "auth_audience": audience[:500] if isinstance(audience, str) and audience != config["token_endpoint"] else "",
                "keyset_url": config["jwks_uri"][:500],
                "name": f"{product or 'LTI platform'} ({config['issuer']})"[:200],
            },
            create_defaults={
                "auth_login_url": config["authorization_endpoint"][:500],
                "auth_token_url": config["token_endpoint"][:500],
                "auth_audience": audience[:500] if isinstance(audience, str) and audience != config["token_endpoint"] else "",
                "keyset_url": config["jwks_uri"][:500],
                "name": f"{product or 'LTI platform'} ({config['issuer']})"[:200],
                "source": Platform.Source.DYNAMIC,
            },
        )
        deployment = None
        if isinstance(deployment_id, str | int) and str(deployment_id):
            deployment, _ = Deployment.objects.get_or_create(
                platform=platform, deployment_id=str(deployment_id)[:255], defaults={"is_active": False},
            )
    log.info("dynamic registration: platform %s (%s), client id assigned, deployment %s", platform.pk, "new" if created else "updated",
             deployment.deployment_id if deployment else "none yet")
    return platform, deployment, created


@csrf_exempt
@xframe_options_exempt
def register(request):
    from .views import request_language

    language = request_language(request)
    if not lti_settings().dynamic_registration:
        return error_response(LaunchError("registration_disabled"), language)
    source = request.POST if request.method == "POST" else request.GET
    url = source.get("openid_configuration", "")
    token = source.get("registration_token", "")
    _ = gettext_for(language)
    try:
        config = read_platform_configuration(url, token)
        origins = {o for o in (origin_of(config["issuer"]), origin_of(url)) if o}
        if request.method != "POST":
            response = render("register_confirm.html", {
                "title": _("Register the tool with your platform"), "issuer": config["issuer"],
                "product": config[c.PLATFORM_CONFIGURATION].get("product_family_code", ""),
                "openid_configuration": url, "registration_token": token,
                "action": request.build_absolute_uri(reverse("lti_tool:register")),
            }, language)
            return allow_framing(response, origins)
        platform, deployment, _created = register_with(request, config, token)
    except LaunchError as error:
        log.info("dynamic registration refused: %s", error)
        return error_response(error, language)
    response = render("register_done.html", {
        "title": _("The tool is registered"), "issuer": platform.issuer,
        "deployment_id": deployment.deployment_id if deployment else "",
        "deployment_active": bool(deployment and deployment.is_active), "close": {"subject": c.PM_CLOSE},
    }, language)
    return allow_framing(response, origins)
