"""The demo's built-in platform: how the rest of the tool recognises it, and why no real launch can use it.

The demo (``lti_tool.pages.demo``) plays every activity through the same runtime as
an LTI launch. Its launches need a platform and a deployment row like any other, so
it owns one of each, created on demand and marked by a reserved issuer:

- the issuer's host is under ``.invalid`` (RFC 2606: never resolves), so no real
  platform can own it and no keyset can ever be fetched for it;
- the platform and its deployment are kept switched off (``is_active=False``), so the
  OIDC login and the launch refuse them with ``platform_inactive`` like any platform
  an operator switched off;
- only launch contexts the demo saved itself are accepted by ``launch_context.load``,
  and only while the demo is on (``settings.LDAI_DEMO``);
- its grades go through the outbox like real ones and the sender marks them delivered
  without any HTTP request (the demo has no gradebook).
"""

from __future__ import annotations

from django.conf import settings

DEMO_ISSUER = "https://demo.ldai-xblocks.invalid"
DEMO_CLIENT_ID = "ldai-demo"
DEMO_DEPLOYMENT_ID = "ldai-demo"


def demo_enabled() -> bool:
    """Whether this site serves the demo (``make demo`` / ``ldai serve`` turn it on; production leaves it off)."""
    return bool(getattr(settings, "LDAI_DEMO", False))


def is_demo_platform(platform) -> bool:
    return platform is not None and platform.issuer == DEMO_ISSUER and platform.client_id == DEMO_CLIENT_ID
