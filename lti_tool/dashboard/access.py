"""Who may open the dashboard, and over which statements: one context, or every context of a platform.

Three doors, each giving a :class:`Scope`:

- an **instructor's launch** (the launch session token of the activity page, like the results export):
  the statements of that launch's deployment and context (course);
- an **administrator's launch**: the same token, when the launch's roles include the LIS institution or
  system ``Administrator`` role: every context of that platform. Moodle sends both for a site
  administrator (``lti_get_ims_role`` adds ``urn:lti:sysrole:ims/lis/Administrator`` and
  ``urn:lti:instrole:ims/lis/Administrator``, which LTI 1.3 launches carry as
  ``.../lis/v2/system/person#Administrator`` and ``.../institution/person#Administrator``: core_ltix's
  ``lis_vocab_converter.php``); Canvas sends ``institution/person#Administrator`` for account admins.
  A context role (``membership#Administrator``) is a course role: it stays at one context;
- the tool's **operator** (a Django staff user, logged in to the tool's admin): any platform, by id.

A learner's token is refused (403), and a scope never reaches another platform's statements.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..lti import claims as c
from ..models import Deployment, Platform
from ..runtime.session import RuntimeSession

ADMIN_ROLES = frozenset({c.ROLE_SYSTEM_ADMINISTRATOR, c.ROLE_INSTITUTION_ADMINISTRATOR})


@dataclass(frozen=True)
class Scope:
    """The statements a viewer may read: a platform's deployments, and one context of them or all."""

    platform: Platform
    deployment_ids: tuple[int, ...]
    context_id: str | None  # None: every context of the platform
    context_title: str
    language: str
    token: str = ""  # the launch session token ("" for the operator's door)

    @property
    def platform_wide(self) -> bool:
        return self.context_id is None


def is_platform_admin(session: RuntimeSession) -> bool:
    return any(role in ADMIN_ROLES for role in session.context.roles)


def scope_of_session(session: RuntimeSession) -> Scope | None:
    """The scope of an instructor's or administrator's launch; None for anyone else (a learner)."""
    admin = is_platform_admin(session)
    if not (session.is_instructor or admin):
        return None
    platform = session.context.platform
    if admin:
        ids = tuple(Deployment.objects.filter(platform=platform).values_list("pk", flat=True))
        return Scope(platform, ids, None, platform.name, session.locale, session.token)
    context_id = session.context.context_id or ""
    title = session.context.context_title or session.link.context_title or ""
    return Scope(platform, (session.link.deployment_id,), context_id, title, session.locale, session.token)


def scope_of_platform(platform: Platform, language: str) -> Scope:
    """The operator's scope over one platform (the caller checked the staff login)."""
    ids = tuple(Deployment.objects.filter(platform=platform).values_list("pk", flat=True))
    return Scope(platform, ids, None, platform.name, language)
