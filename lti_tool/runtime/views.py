"""The runtime's HTTP side: XBlock handlers behind the launch session, and the shared static files.

Handlers (``/lti/handler/<token>/<handler>/[suffix]``):

- the token is the launch session (see ``runtime_session``): a bad, expired or
  unbound one gets 403 with a message in the reader's language, never a 500;
- every call runs in ONE database transaction: the block's state, the learner's
  row and a grade-outbox row commit together or not at all;
- a learner cannot change authoring fields: the write is refused (403) and the
  transaction rolled back; the authoring handlers are refused up front;
- CSRF-exempt on purpose: LMS iframes often lose third-party cookies, so the proof
  is the unguessable, signed token in the URL (the page itself sends no Referer).

Static files (``/lti/assets/<root>/<path>``) are served from the package with a
content-hash version in the URL, so browsers may keep them for a year.
"""

from __future__ import annotations

import logging
import mimetypes
from io import BytesIO

import webob
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.http import http_date
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from ldai_xblocks.i18n import N_, gettext_for, normalize_language

from .session import SessionRefused, open_session
from .xblock_runtime import ASSET_ROOTS, AuthoringForbidden, LtiRuntime

log = logging.getLogger("ldai.lti.runtime")

AUTHORING_HANDLERS = frozenset({"studio_submit", "submit_studio_edits", "pack_document"})
ASSET_TYPES = {".js", ".css", ".svg", ".png", ".jpg", ".gif", ".webp", ".woff", ".woff2", ".json", ".ico"}

MESSAGES = {
    "expired": (403, N_("Your session with this activity has expired. Open the activity again from your course: your earlier answers are saved.")),
    "bad_signature": (403, N_("This request does not belong to your session with the activity. Open the activity again from your course.")),
    "not_bound": (403, N_("This request does not belong to your session with the activity. Open the activity again from your course.")),
    "authoring": (403, N_("Only the course's instructors can change this activity's settings.")),
    "unknown_handler": (404, N_("This action does not exist in the activity. Reload the page and try again.")),
    "conflict": (409, N_("Another action from this page was being saved at the same moment. Try again: nothing is lost.")),
    "malformed": (400, N_("What the page sent could not be read. Reload the page and try again: your saved work is kept.")),
    "too_large": (413, N_("What you sent is too large. Shorten it and try again.")),
    "unavailable": (404, N_("This activity is not available in the tool. Ask your course team to choose it again.")),
    "server_error": (500, N_("Something went wrong on our side. Try again in a moment: nothing you saved earlier is lost.")),
}


def reader_language(request) -> str:
    return normalize_language(getattr(request, "LANGUAGE_CODE", None) or request.headers.get("Accept-Language"))


def json_refusal(code: str, language: str) -> JsonResponse:
    status, message = MESSAGES[code]
    response = JsonResponse({"error": gettext_for(language)(message), "code": code}, status=status)
    response["Cache-Control"] = "no-store"
    return unlogged(response)


def unlogged(response):
    """Keep Django's request logger from writing this 4xx/5xx with its URL: the URL holds the session token."""
    response._has_been_logged = True
    return response


def _webob_request(request, body: bytes) -> webob.Request:
    """The Django request as the webob request XBlock handlers expect (body already read and size-checked)."""
    environ = {k: v for k, v in request.META.items() if isinstance(k, str)}
    environ["wsgi.input"] = BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return webob.Request(environ)


def _django_response(response: webob.Response) -> HttpResponse:
    result = HttpResponse(response.body, status=response.status_code)
    for name, value in response.headerlist:
        if name.lower() not in {"content-length", "set-cookie", "connection", "transfer-encoding"}:
            result[name] = value
    result["Cache-Control"] = "no-store"
    result["X-Content-Type-Options"] = "nosniff"
    return result


@csrf_exempt
@xframe_options_exempt
def handler(request, token: str, handler: str, suffix: str = ""):
    language = reader_language(request)
    try:
        session = open_session(token)
    except SessionRefused as refused:
        log.info("handler call refused: %s", refused.code)
        return json_refusal(refused.code, language)
    language = session.locale
    if handler in AUTHORING_HANDLERS and not session.is_instructor:
        return json_refusal("authoring", language)
    try:
        body = request.body
    except RequestDataTooBig:
        return json_refusal("too_large", language)
    for attempt in (1, 2):
        runtime = LtiRuntime(session, lock_rows=True)
        try:
            block = runtime.block()
        except LookupError:
            return json_refusal("unavailable", language)
        method = getattr(block, handler, None)
        if method is None or not getattr(method, "_is_xblock_handler", False) or handler.startswith("_"):
            return json_refusal("unknown_handler", language)
        try:
            with transaction.atomic():
                # A score recorded here is handed to the grade sender when this commits (grades.scheduling).
                result = runtime.handle(block, handler, _webob_request(request, body), suffix)
        except AuthoringForbidden:
            log.warning("learner write to authoring fields refused on resource link %s", session.link.pk)
            return json_refusal("authoring", language)
        except RecursionError:
            # A body nested deep enough to exhaust the stack, in a handler that parses it itself: the sender's fault.
            log.warning("handler %s refused a request nested too deeply on resource link %s", handler, session.link.pk)
            return json_refusal("malformed", language)
        except IntegrityError:
            # Two requests of this learner created their state row at once (a double click on a first answer):
            # the other one won and committed; run this one again on top of it.
            session.link.refresh_from_db()
            if attempt == 1:
                continue
            log.warning("handler %s kept colliding on resource link %s", handler, session.link.pk)
            return json_refusal("conflict", language)
        except Exception:
            # A bug, not the learner's fault: nothing was saved (rolled back); say so without echoing their input.
            log.exception("handler %s failed on resource link %s", handler, session.link.pk)
            return json_refusal("server_error", language)
        return _django_response(result)
    return json_refusal("conflict", language)  # pragma: no cover - the loop always returns


def handler_base(request, token: str):
    """The prefix blocks' JavaScript appends handler names to; on its own it is nothing."""
    return json_refusal("unknown_handler", reader_language(request))


@require_GET
def asset(request, root: str, path: str):
    """A file of the shared front end; cached a year when the URL carries its content version."""
    folder_of = ASSET_ROOTS.get(root)
    if folder_of is None or "\\" in path or "\x00" in path:
        raise Http404("no such asset")
    folder = folder_of().resolve()
    try:
        target = (folder / path).resolve()
    except (OSError, ValueError):
        raise Http404("no such asset") from None
    if not target.is_relative_to(folder) or not target.is_file() or target.suffix.lower() not in ASSET_TYPES:
        raise Http404("no such asset")
    stat = target.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in {"application/javascript", "application/json", "image/svg+xml"}:
            content_type += "; charset=utf-8"
        response = FileResponse(open(target, "rb"), content_type=content_type)
        response["Last-Modified"] = http_date(stat.st_mtime)
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=31536000, immutable" if request.GET.get("v") else "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Access-Control-Allow-Origin"] = "*"
    return response
