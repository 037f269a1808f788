"""OIDC third-party initiated login (the first leg of every LTI 1.3 launch).

Built on pylti1p3's ``DjangoOIDCLogin`` (state, nonce, state cookie, the
authentication request URL). What we add, and why:

- a registration lookup that says *which* thing is wrong (unknown issuer,
  inactive platform, unknown or inactive deployment) before anything is stored;
- the nonce, the issuer/client, the target_link_uri and the login parameters are
  saved WITH the state, so the launch can check the token against exactly this
  login (pylti1p3 only checks that the nonce exists somewhere) and, when the
  browser dropped our cookie, offer to redo this very login in a new window;
- LTI Platform Storage: when the platform sends ``lti_storage_target``, the state
  is also put in the platform's storage by postMessage, so a browser that blocks
  third-party cookies can still prove at launch that it started this login.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse
from pylti1p3.contrib.django import DjangoOIDCLogin

from ..conf import lti_settings
from ..models import Deployment, Platform
from . import claims as c
from . import registry
from .errors import LaunchError
from .pages import origin_of
from .storage import LaunchStorage
from .tool_config import DbToolConf, PlatformRegistration

LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "client_id", "lti_deployment_id")
MAX_PARAM_LENGTH = 4096


def login_params(request) -> dict[str, str]:
    """The login request's parameters (GET or POST); refuse absurdly long ones before storing anything."""
    source = request.POST if request.method == "POST" else request.GET
    params = {}
    for name in (*LOGIN_PARAMS, c.LOGIN_STORAGE_TARGET):
        value = source.get(name)
        if value:
            if len(value) > MAX_PARAM_LENGTH:
                raise LaunchError("login_param_too_long", name)
            params[name] = value
    return params


def find_registration(iss: str, client_id: str | None, deployment_id: str | None) -> Platform:
    """The active platform of this login, its deployment (when named) known and active, or the precise LaunchError."""
    if client_id and deployment_id:  # the usual login (Moodle, Canvas): one cached lookup when all is well
        known = registry.deployment(iss, client_id, deployment_id)
        if known is not None and known.is_active and known.platform.is_active:
            return known.platform
    platform = find_platform(iss, client_id, deployment_id)
    check_deployment(platform, deployment_id)
    return platform


def find_platform(iss: str, client_id: str | None, deployment_id: str | None) -> Platform:
    platforms = Platform.objects.filter(issuer=iss)
    if client_id:
        platforms = platforms.filter(client_id=client_id)
    candidates = list(platforms[:2])
    if len(candidates) > 1 and deployment_id:
        candidates = list(platforms.filter(deployments__deployment_id=deployment_id)[:2])
    if not candidates:
        raise LaunchError("platform_unknown", f"issuer {iss[:200]!r}" + (f", client id {client_id[:100]!r}" if client_id else ""))
    if len(candidates) > 1:
        raise LaunchError("platform_ambiguous", f"issuer {iss[:200]!r}")
    platform = candidates[0]
    if not platform.is_active:
        raise LaunchError("platform_inactive", f"issuer {iss[:200]!r}")
    return platform


def check_deployment(platform: Platform, deployment_id: str | None) -> None:
    if not deployment_id:
        return  # optional at login; the launch token must carry it
    deployment = Deployment.objects.filter(platform=platform, deployment_id=deployment_id).first()
    if deployment is None:
        raise LaunchError("deployment_unknown", f"deployment id {deployment_id[:100]!r}")
    if not deployment.is_active:
        raise LaunchError("deployment_inactive", f"deployment id {deployment_id[:100]!r}")


def check_target_link_uri(request, target_link_uri: str | None) -> None:
    if not target_link_uri:
        raise LaunchError("login_missing_target_link_uri")
    target = origin_of(target_link_uri)
    if target is None:
        raise LaunchError("login_bad_target_link_uri", "not an http(s) URL")
    if lti_settings().check_target_link_host and urlsplit(target).netloc.lower() != request.get_host().lower():
        raise LaunchError("login_bad_target_link_uri", f"host {urlsplit(target).netloc[:200]!r} is not {request.get_host()[:200]!r}")


class ToolLogin(DjangoOIDCLogin):
    """DjangoOIDCLogin whose registration lookup and nonce feed our state record."""

    def __init__(self, request, params: dict[str, str]):
        storage = LaunchStorage()
        super().__init__(request, DbToolConf(), launch_data_storage=storage)
        self.django_request = request
        self.params = params
        self.platform: Platform | None = None
        self.set_launch_data_storage(storage)
        self.set_launch_data_lifetime(lti_settings().login_state_seconds)

    def _get_request_param(self, key: str) -> str:
        return self.params.get(key, "")

    def validate_oidc_login(self) -> PlatformRegistration:
        iss = self.params.get("iss")
        if not iss:
            raise LaunchError("login_missing_iss")
        if not self.params.get("login_hint"):
            raise LaunchError("login_missing_login_hint")
        check_target_link_uri(self.django_request, self.params.get("target_link_uri"))
        self.platform = find_registration(iss, self.params.get("client_id"), self.params.get("lti_deployment_id"))
        self._state_params.update(
            iss=self.platform.issuer,
            client_id=self.platform.client_id,
            platform=self.platform.pk,
            target_link_uri=self.params["target_link_uri"],
            login={k: v for k, v in self.params.items() if k in LOGIN_PARAMS},
            storage_target=self.params.get(c.LOGIN_STORAGE_TARGET) or None,
            storage_secret=secrets.token_urlsafe(24) if self.params.get(c.LOGIN_STORAGE_TARGET) else None,
            created=int(time.time()),
        )
        return PlatformRegistration(self.platform)

    def _generate_nonce(self) -> str:
        nonce = secrets.token_urlsafe(32)
        self._state_params["nonce"] = nonce
        return nonce

    def start(self):
        """Validate the login and prepare the authentication request; returns (redirect, state, record)."""
        self.pass_params_to_launch({})
        redirect = self.get_redirect_object(self.django_request.build_absolute_uri(reverse("lti_tool:launch")))
        state = parse_qs(urlsplit(redirect.get_redirect_url()).query)["state"][0]
        return redirect, state, dict(self._state_params)
