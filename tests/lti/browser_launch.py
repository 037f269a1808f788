"""Server-side launches for the LTI browser tests: a platform, a deployment, and the activity page's URL per role.

Why not a real OIDC round trip here: these tests look at the pages in a browser (axe, keyboard); the
launch itself is tested against lti-consumer-xblock's platform in test_launch.py and test_runtime.py.
"""

from __future__ import annotations

from collections.abc import Callable

from lti_tool.lti import claims as c
from lti_tool.lti import launch_context
from lti_tool.models import Deployment, Platform
from lti_tool.runtime.launch_setup import ensure_resource_link
from lti_tool.runtime.session import issue


def activity_urls(live_server, settings, link_id: str, title: str, custom: dict) -> Callable[..., str]:
    """``make(role, sub, view="")``: the activity page of ``link_id`` in course-1 as that user sees it (grades kept in the outbox)."""
    settings.LDAI_LTI_RUNTIME = {**settings.LDAI_LTI_RUNTIME, "GRADES_IN_PROCESS": False}
    platform = Platform.objects.create(issuer="https://lms.example", client_id="tool", auth_login_url="https://lms.example/auth",
                                       auth_token_url="https://lms.example/token", keyset_url="https://lms.example/jwks")
    deployment = Deployment.objects.create(platform=platform, deployment_id="1")

    def make(role: str, sub: str, view: str = "") -> str:
        body = {
            c.MESSAGE_TYPE: c.RESOURCE_LINK_REQUEST, c.SUB: sub, c.NAME: sub.title(), c.ROLES: [role],
            c.RESOURCE_LINK: {c.ID: link_id, c.TITLE: title}, c.CONTEXT: {c.ID: "course-1", c.TITLE: "AI at work"},
            c.CUSTOM: custom,
        }
        context = launch_context.build(body, platform, deployment)
        launch_context.save(context)
        link = ensure_resource_link(context)
        view = view or ("author" if context.is_instructor else "learner")
        return f"{live_server.url}/lti/activity/{issue(context, link)}/?view={view}"

    return make
