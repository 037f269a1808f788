"""LTI Dynamic Registration 1.0: Moodle 3.10+ and Canvas register the tool in one click, started by our administrator.

Flow (https://www.imsglobal.org/spec/lti-dr/v1p0): the platform opens a
registration URL with ``openid_configuration`` (its configuration URL) and
``registration_token``. We show which platform is asking and wait for a click (a
GET changes nothing), then fetch the configuration again, POST our client
metadata to its ``registration_endpoint``, store the platform with the
``client_id`` it assigned, and close the platform's dialog (``org.imsglobal.lti.close``).

Who may start it: only a holder of a one-time link an administrator made
(``/lti/register/<secret>/``, see ``registration_links``) or a tool administrator
signed in to this site (``/lti/register/``, CSRF-checked). Anyone else gets one
generic refusal, before the tool fetches anything; the reason goes to the log.

What it may change: it creates a platform and an INACTIVE deployment, never
modifies an existing one. A registration answering with a known issuer and
client id becomes a pending registration an administrator approves in the admin,
seeing what would change.

Which URLs it trusts: every URL is read as the HTTP client reads it
(``ldai_xblocks.net``), the issuer must be on the configuration URL's host, and
the registration endpoint (which receives the registration token) and the
keyset (which decides whose launches we accept) on the issuer's host.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from ldai_xblocks.i18n import N_, gettext_for

from ..conf import lti_settings
from ..models import Deployment, PendingRegistration, Platform, RegistrationLink
from . import claims as c
from . import registration_links as links
from .errors import LaunchError
from .http import FetchError, checked, get_json, post_json
from .pages import allow_framing, error_response, origin_of, render

log = logging.getLogger("ldai.lti.registration")
REQUIRED_CONFIG = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
TOOL_CLAIMS = ["iss", "sub", "name", "given_name", "family_name", "locale"]
EMAIL_CLAIM = "email"  # Moodle: asking for it sets "share launcher's e-mail: always" (registration_helper.php)
PROPOSED_FIELDS = ("auth_login_url", "auth_token_url", "auth_audience", "keyset_url")


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _url_host(url: object, what: str) -> str:
    try:
        return checked(url).host
    except FetchError as exc:
        raise LaunchError("registration_config_invalid", f"{what}: {exc}") from None


def read_platform_configuration(url: str, token: str) -> dict:
    """The platform's openid-configuration, checked: fields present, issuer, endpoint and keyset on the right hosts."""
    if not url:
        raise LaunchError("registration_missing_config")
    config_host = _url_host(url, "openid_configuration")
    try:
        config = get_json(url, headers=_auth(token))
    except FetchError as exc:
        raise LaunchError("registration_config_unreachable", str(exc)) from exc
    if not isinstance(config, dict):
        raise LaunchError("registration_config_invalid", "not a JSON object")
    missing = [name for name in REQUIRED_CONFIG if not isinstance(config.get(name), str) or not config[name]]
    if missing:
        raise LaunchError("registration_config_invalid", "missing " + ", ".join(missing))
    # LTI DR 1.0, 3.5.1: the issuer must be on the openid_configuration URL's host.
    issuer_host = _url_host(config["issuer"], "issuer")
    if issuer_host != config_host:
        raise LaunchError("registration_config_invalid", f"the issuer's host {issuer_host} is not the configuration's {config_host}")
    for name in ("registration_endpoint", "jwks_uri"):  # the token goes to the first; the second decides whose launches pass
        if _url_host(config[name], name) != issuer_host:
            raise LaunchError("registration_config_invalid", f"{name} is not on the issuer's host {issuer_host}")
    for name in ("authorization_endpoint", "token_endpoint"):
        _url_host(config[name], name)
    platform_config = config.get(c.PLATFORM_CONFIGURATION)
    config[c.PLATFORM_CONFIGURATION] = platform_config if isinstance(platform_config, dict) else {}
    return config


def client_metadata(request, config: dict, *, request_email: bool = False) -> dict:
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
            "claims": TOOL_CLAIMS + ([EMAIL_CLAIM] if request_email else []),
            "messages": [deep_linking, {"type": c.RESOURCE_LINK_REQUEST, "target_link_uri": launch_url}],
        },
    }


@dataclass
class Outcome:
    platform: Platform
    deployment_id: str
    status: str  # "created", "pending" (an administrator must approve the changes) or "unchanged"
    deployment_active: bool = False


def _store(config: dict, client_id: str, deployment_id: str, link: RegistrationLink | None) -> Outcome:
    """Create the platform and its inactive deployment, or keep the changes to a known one for approval."""
    audience = config.get("authorization_server")
    values = {
        "auth_login_url": config["authorization_endpoint"][:500],
        "auth_token_url": config["token_endpoint"][:500],
        "auth_audience": audience[:500] if isinstance(audience, str) and audience != config["token_endpoint"] else "",
        "keyset_url": config["jwks_uri"][:500],
    }
    product = config[c.PLATFORM_CONFIGURATION].get("product_family_code")
    with transaction.atomic():
        platform = Platform.objects.select_for_update().filter(issuer=config["issuer"][:255], client_id=client_id).first()
        if platform is None:
            platform = Platform.objects.create(issuer=config["issuer"][:255], client_id=client_id, source=Platform.Source.DYNAMIC,
                                               name=f"{product or 'LTI platform'} ({config['issuer']})"[:200], **values)
            if deployment_id:
                Deployment.objects.create(platform=platform, deployment_id=deployment_id, is_active=False)
            status, active = "created", False
        else:
            known = platform.deployments.filter(deployment_id=deployment_id).first() if deployment_id else None
            changed = any(getattr(platform, name) != value for name, value in values.items())
            if changed or (deployment_id and known is None):
                PendingRegistration.objects.create(platform=platform, proposed=values, deployment_id=deployment_id if known is None else "",
                                                   link=link)
                status = "pending"
            else:
                status = "unchanged"
            active = bool(known and known.is_active)
        if link is not None:
            RegistrationLink.objects.filter(pk=link.pk).update(platform=platform)
    return Outcome(platform, deployment_id, status, active)


def register_with(request, config: dict, token: str, *, request_email: bool = False, link: RegistrationLink | None = None) -> Outcome:
    """POST the registration to the platform; store what it answered (see :func:`_store`)."""
    try:
        status, answer = post_json(config["registration_endpoint"], client_metadata(request, config, request_email=request_email),
                                   headers=_auth(token))
    except FetchError as exc:
        raise LaunchError("registration_refused", str(exc)) from exc
    if status not in (200, 201) or not isinstance(answer, dict) or not isinstance(answer.get("client_id"), str) or not answer["client_id"]:
        raise LaunchError("registration_refused", f"HTTP {status}")
    tool_config = answer.get(c.TOOL_CONFIGURATION) if isinstance(answer.get(c.TOOL_CONFIGURATION), dict) else {}
    deployment_id = tool_config.get("deployment_id")
    deployment_id = str(deployment_id)[:255] if isinstance(deployment_id, str | int) and not isinstance(deployment_id, bool) else ""
    outcome = _store(config, answer["client_id"][:255], deployment_id, link)
    log.info("dynamic registration: platform %s %s, deployment %s", outcome.platform.pk, outcome.status, deployment_id or "none yet")
    return outcome


# ----- who may register ----------------------------------------------------------------------------------


@dataclass
class Registrar:
    link: RegistrationLink | None  # None: a signed-in tool administrator
    request_email: bool


def _registrar(request, secret: str | None) -> Registrar:
    """The link holder or the signed-in administrator; anyone else: one generic refusal (the reason is logged)."""
    if secret is not None:
        link = links.usable_link(secret)
        if link is None:
            raise LaunchError("registration_not_allowed", "unknown, spent or expired registration link")
        return Registrar(link, link.request_email)
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.is_staff and user.has_perm("lti_tool.add_platform")):
        raise LaunchError("registration_not_allowed", "no registration link and no administrator signed in")
    if request.method == "POST" and CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None:
        raise LaunchError("registration_not_allowed", "administrator session without a valid CSRF token")
    return Registrar(None, lti_settings().registration_request_email)


def _refuse(error: LaunchError, language: str, *, authorised: bool):
    """Log the details; show a link holder the reason's code and message, everyone else the generic refusal."""
    log.warning("dynamic registration refused: %s", error)
    shown = LaunchError(error.code if authorised else "registration_not_allowed")
    return error_response(shown, language)


@csrf_exempt  # the platform's dialog posts from its own origin; the link secret or the CSRF check (admin) protects it
@xframe_options_exempt
def register(request, link: str | None = None):
    from .views import request_language

    language = request_language(request)
    if not lti_settings().dynamic_registration:
        return error_response(LaunchError("registration_disabled"), language)
    if request.method not in ("GET", "POST"):
        return error_response(LaunchError("method_not_allowed"), language)
    try:
        registrar = _registrar(request, link)
    except LaunchError as error:
        return _refuse(error, language, authorised=False)
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
                "action": request.build_absolute_uri(request.path),
                "csrf_token": get_token(request) if registrar.link is None else "",
                "request_email": registrar.request_email,
            }, language)
            return allow_framing(response, origins)
        if registrar.link is not None and not links.claim(registrar.link):
            raise LaunchError("registration_not_allowed", "the registration link was spent meanwhile")
        try:
            outcome = register_with(request, config, token, request_email=registrar.request_email, link=registrar.link)
        except LaunchError:
            if registrar.link is not None:
                links.give_back(registrar.link)
            raise
    except LaunchError as error:
        return _refuse(error, language, authorised=True)
    response = render("register_done.html", {
        "title": _("The tool is registered"), "issuer": outcome.platform.issuer, "status": outcome.status,
        "deployment_id": outcome.deployment_id, "deployment_active": outcome.deployment_active, "close": {"subject": c.PM_CLOSE},
    }, language)
    return allow_framing(response, origins)
