"""What the rest of the tool knows about a launch, once the launch has been validated.

Why a frozen dataclass built only by the validator: the runtime, deep linking and
grade passback read claims from this object, never from the raw token, so every
claim is type-checked once (a platform sending text where a list is expected
gets a 400 page, not a crash three modules later) and nobody re-parses JWTs.

A validated launch is also kept in the cache under ``launch_id`` (the token's
claims, never the token itself) so later requests of the same launch (the deep
linking form, the runtime's handlers) can rebuild it with :func:`load`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.core.cache import cache
from pylti1p3.roles import DesignerRole, TeacherRole, TeachingAssistantRole

from ldai_xblocks.i18n import normalize_language

from ..conf import lti_settings
from ..models import Deployment, Platform
from . import claims as c
from .demo_platform import demo_enabled, is_demo_platform
from .errors import LaunchError

_CACHE_PREFIX = "ldai-lti-launch:"


@dataclass(frozen=True)
class LaunchContext:
    platform: Platform
    deployment: Deployment
    context_id: str | None
    context_title: str
    resource_link_id: str | None
    resource_link_title: str
    user_sub: str
    user_name: str
    user_email: str
    roles: list[str]
    is_instructor: bool
    locale: str
    ags: dict | None
    custom: dict
    message_type: str
    launch_id: str
    return_url: str
    deep_linking: dict | None = field(default=None)
    claims: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_deep_linking(self) -> bool:
        return self.message_type == c.DEEP_LINKING_REQUEST

    @property
    def is_resource_link(self) -> bool:
        return self.message_type == c.RESOURCE_LINK_REQUEST


# ----- claim readers: the shape of every claim we use is checked here --------------------------------


def _dict(body: dict, name: str, *, required: bool = False) -> dict:
    value = body.get(name)
    if value is None:
        if required:
            raise LaunchError("claim_malformed", f"{name} is missing")
        return {}
    if not isinstance(value, dict):
        raise LaunchError("claim_malformed", f"{name} must be a JSON object")
    return value


def _text(value, name: str, *, limit: int = 255) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise LaunchError("claim_malformed", f"{name} must be text")
    # U+0000 is refused by PostgreSQL's text columns and means nothing in a name or a title: dropped on every database.
    return str(value).replace("\x00", "")[:limit]


def _identifier(value, name: str) -> str:
    """Ids are stored in 255-character columns; a longer one is refused rather than silently truncated."""
    text = _text(value, name, limit=10_000)
    if len(text) > 255:
        raise LaunchError("claim_malformed", f"{name} is longer than 255 characters")
    return text


def roles_of(body: dict) -> list[str]:
    roles = body.get(c.ROLES)
    if roles is None:
        raise LaunchError("roles_missing")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise LaunchError("claim_malformed", "roles must be a list of texts")
    return [r for r in roles if r]


def is_instructor(body: dict) -> bool:
    """Instructors, administrators, content developers and TAs of the context (short role names included)."""
    roles = body.get(c.ROLES)
    if not isinstance(roles, list):
        return False
    return c.ROLE_SYSTEM_ADMINISTRATOR in roles or any(role(body).check() for role in (TeacherRole, DesignerRole, TeachingAssistantRole))


def _ags(body: dict) -> dict | None:
    endpoint = _dict(body, c.AGS_ENDPOINT)
    if not endpoint:
        return None
    scopes = endpoint.get(c.AGS_SCOPE, [])
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise LaunchError("claim_malformed", "the AGS endpoint scope must be a list of texts")
    lineitem = _text(endpoint.get(c.AGS_LINEITEM), "AGS lineitem", limit=2000)
    lineitems = _text(endpoint.get(c.AGS_LINEITEMS), "AGS lineitems", limit=2000)
    return {"lineitem": lineitem or None, "lineitems": lineitems or None, "scope": scopes}


def _custom(body: dict) -> dict:
    custom = _dict(body, c.CUSTOM)
    return {str(k)[:255]: (v if isinstance(v, str) else str(v)) for k, v in custom.items()}


def _user_name(body: dict) -> str:
    name = _text(body.get(c.NAME), "name")
    if not name:
        name = " ".join(p for p in (_text(body.get(c.GIVEN_NAME), "given_name"), _text(body.get(c.FAMILY_NAME), "family_name")) if p)
    return name


def locale_of(body: dict) -> str:
    """The launch language: launch_presentation.locale, else the OIDC 'locale' claim; en/fr only."""
    presentation = body.get(c.LAUNCH_PRESENTATION)
    locale = presentation.get(c.PRESENTATION_LOCALE) if isinstance(presentation, dict) else None
    if not isinstance(locale, str) or not locale:
        locale = body.get(c.LOCALE)
    return normalize_language(locale if isinstance(locale, str) else None)


def build(body: dict, platform: Platform, deployment: Deployment, launch_id: str | None = None) -> LaunchContext:
    """The LaunchContext of a token whose signature, audience, nonce and deployment were checked."""
    message_type = body[c.MESSAGE_TYPE]
    resource_link = _dict(body, c.RESOURCE_LINK)
    context = _dict(body, c.CONTEXT)
    presentation = _dict(body, c.LAUNCH_PRESENTATION)
    deep_linking = _dict(body, c.DL_SETTINGS) if message_type == c.DEEP_LINKING_REQUEST else {}
    context_id = _identifier(context.get(c.ID), "context id") or None
    resource_link_id = _identifier(resource_link.get(c.ID), "resource_link id") or None
    return LaunchContext(
        platform=platform,
        deployment=deployment,
        context_id=context_id,
        context_title=_text(context.get(c.TITLE) or context.get(c.LABEL), "context title"),
        resource_link_id=resource_link_id,
        resource_link_title=_text(resource_link.get(c.TITLE), "resource_link title"),
        user_sub=_identifier(body.get(c.SUB), "sub"),
        user_name=_user_name(body),
        user_email=_text(body.get(c.EMAIL), "email"),
        roles=roles_of(body),
        is_instructor=is_instructor(body),
        locale=locale_of(body),
        ags=_ags(body),
        custom=_custom(body),
        message_type=message_type,
        launch_id=launch_id or new_launch_id(),
        return_url=_text(presentation.get(c.PRESENTATION_RETURN_URL), "return_url", limit=2000),
        deep_linking=deep_linking or None,
        claims=dict(body),
    )


def new_launch_id() -> str:
    return secrets.token_urlsafe(24)


# ----- persistence between the requests of one launch -------------------------------------------------


def save(context: LaunchContext) -> None:
    cache.set(
        _CACHE_PREFIX + context.launch_id,
        {"claims": context.claims, "platform": context.platform.pk, "deployment": context.deployment.pk},
        lti_settings().launch_data_seconds,
    )


def load(launch_id: str) -> LaunchContext | None:
    """The context of an earlier validated launch, or None if it expired or its deployment was switched off."""
    if not isinstance(launch_id, str) or not 16 <= len(launch_id) <= 64:
        return None
    stored = cache.get(_CACHE_PREFIX + launch_id)
    if not stored:
        return None
    deployment = Deployment.objects.select_related("platform").filter(pk=stored["deployment"], platform_id=stored["platform"]).first()
    if deployment is None:
        return None
    if is_demo_platform(deployment.platform):
        # The demo's own launches (its platform is kept switched off so no real launch can use it): only while the demo is on.
        if not demo_enabled():
            return None
    elif not (deployment.is_active and deployment.platform.is_active):
        return None
    return build(stored["claims"], deployment.platform, deployment, launch_id)
