"""The error page of the tool's own pages (activity, results), framed like the rest and never logged with its URL.

Why its own module: the activity page and the results views both answer with it, and
the page's URL carries the launch session token (``unlogged``).
"""

from __future__ import annotations

from django.http import HttpResponse

from ldai_xblocks.i18n import N_, gettext_for

from ..lti.pages import allow_framing, origin_of, render
from ..runtime.views import unlogged

PAGE_ERRORS = {
    "no_resource_link": (400, N_("The platform did not say which activity link was opened (no resource link id). Ask the platform administrator to check the tool set-up.")),
    "unknown_activity": (400, N_("This link asks for an activity the tool does not have. Ask your course team to choose the activity again (deep linking).")),
    "expired": (403, N_("This page has expired. Go back to your course and open the activity again.")),
    "bad_signature": (403, N_("This address does not belong to your session with the activity. Go back to your course and open the activity again.")),
    "not_bound": (403, N_("This address does not belong to your session with the activity. Go back to your course and open the activity again.")),
    "not_ready": (409, N_("This activity is not ready: the tool could not read some of its settings. Tell your course team: they see what to fix when they open it.")),
    "instructors_only": (403, N_("Only the course's instructors can see this page.")),
    "render_failed": (500, N_("The activity could not be displayed. Try again in a moment; if it keeps failing, tell your course team.")),
}


def origins_of(session_or_context) -> set[str]:
    platform = getattr(session_or_context, "platform", None) or session_or_context.context.platform
    return {o for o in (origin_of(platform.issuer), origin_of(platform.auth_login_url)) if o}


def error_page(code: str, language: str, origins: set[str] | None = None) -> HttpResponse:
    status, message = PAGE_ERRORS[code]
    _ = gettext_for(language)
    response = render("error.html", {"title": _("The activity cannot open"), "message": _(message), "code": code, "detail": ""}, language, status=status)
    return unlogged(allow_framing(response, origins))
