"""The launch session that protects handler URLs: a signed, expiring token bound to one launch.

Why a token in the URL rather than a session cookie: the tool runs in an LMS
iframe, where browsers increasingly drop third-party cookies; a handler URL that
carries its own proof keeps working there. What the token proves:

- it was issued by this site (HMAC with ``SECRET_KEY``, its own salt) and is not
  older than ``HANDLER_TOKEN_SECONDS``;
- it belongs to a launch the tool validated and still remembers
  (``launch_context.load``: also refuses a deployment or platform switched off
  since), and to the resource link and user of that launch. A token altered to
  name another user or resource link fails the signature; one signed for another
  launch fails the binding. Both are refused with 403.

The token holds no personal data: a random launch id, a row id and a short hash
of the user id, so URLs in proxy logs reveal nothing about the learner.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing

from ..lti import launch_context
from ..lti.launch_context import LaunchContext
from ..models import ResourceLinkConfig

SALT = "ldai.lti.runtime.handler"


def max_age() -> int:
    return int(getattr(settings, "LDAI_LTI_RUNTIME", {}).get("HANDLER_TOKEN_SECONDS", 8 * 3600))


def user_hash(context: LaunchContext) -> str:
    raw = f"{context.platform.issuer}|{context.deployment.pk}|{context.user_sub}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


class SessionRefused(Exception):
    """Why a handler call was refused; ``code`` is stable (tests, logs), the page/JSON says what to do."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class RuntimeSession:
    """Everything a request of the runtime may act on: one learner, one resource link, one launch."""

    context: LaunchContext
    link: ResourceLinkConfig
    token: str
    # The learner's rows read by the launch (``runtime.learner_rows``), handed once to the first runtime of
    # the request so its render reads no row again; empty for handler requests, which read (and lock) their own.
    preloaded_rows: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def locale(self) -> str:
        return self.context.locale

    @property
    def is_instructor(self) -> bool:
        return self.context.is_instructor


def issue(context: LaunchContext, link: ResourceLinkConfig) -> str:
    return signing.dumps({"l": context.launch_id, "k": link.pk, "u": user_hash(context)}, salt=SALT, compress=True)


def open_session(token: str) -> RuntimeSession:
    """The session a token proves, or :class:`SessionRefused` (bad signature, expired, unbound)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        raise SessionRefused("expired") from None
    except signing.BadSignature:
        raise SessionRefused("bad_signature") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("k"), int) or not isinstance(payload.get("u"), str):
        raise SessionRefused("bad_signature")
    context = launch_context.load(payload.get("l"))
    if context is None:
        raise SessionRefused("expired")
    link = ResourceLinkConfig.objects.filter(pk=payload["k"]).select_related("deployment__platform").first()
    if (
        link is None
        or link.deployment_id != context.deployment.pk
        or link.resource_link_id != context.resource_link_id
        or payload["u"] != user_hash(context)
    ):
        raise SessionRefused("not_bound")
    return RuntimeSession(context=context, link=link, token=token)
