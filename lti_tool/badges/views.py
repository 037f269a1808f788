"""The badge room's pages: public issuer documents, the verification page, the learner's own badge.

Public by design (anyone must be able to check a badge): the issuer profile, its key set and
its revocation list (JSON, CORS open: wallets and verifiers fetch them), and the verification
page. The verification page shows only what the pasted credential itself says, never anything
from the database; it runs no network fetch, refuses big inputs before parsing and is throttled
per client, so it cannot be used to load the tool. It is CSRF-exempt on purpose: it changes
nothing and has no session.

A learner's badge is reachable only through its private link (``download_key``, 256 random bits),
which the learner gets in the activity: no other learner can list or guess it.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from ldai_xblocks.engine import badges
from ldai_xblocks.i18n import N_, gettext_for, normalize_language

from ..lti.pages import render
from ..models import IssuedBadge
from . import issuer

MAX_UPLOAD_BYTES = 256 * 1024
VERIFY_PER_MINUTE = 30


def _language(request: HttpRequest) -> str:
    return normalize_language(request.GET.get("lang") or getattr(request, "LANGUAGE_CODE", None))


def _public_json(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def issuer_profile(request: HttpRequest) -> HttpResponse:
    """The OB 3.0 issuer ``Profile`` credentials name in ``issuer.id``."""
    return _public_json(issuer.profile().document())


@require_GET
def jwks(request: HttpRequest) -> HttpResponse:
    """The badge keys: current and retired (public halves only), so every badge ever issued verifies."""
    return _public_json(issuer.public_jwks())


@require_GET
def revocations(request: HttpRequest) -> HttpResponse:
    """The 1EdTech revocation list at ``credentialStatus.id``."""
    response = _public_json(issuer.revocation_document())
    response["Cache-Control"] = "no-cache"
    return response


def _throttled(request: HttpRequest) -> bool:
    """At most VERIFY_PER_MINUTE verifications per client address and minute (cache counter; no 500 if the cache fails)."""
    key = "ldai-badge-verify:" + (request.META.get("REMOTE_ADDR") or "?")
    try:
        if cache.add(key, 1, 60):
            return False
        return cache.incr(key) > VERIFY_PER_MINUTE
    except Exception:
        return False


TOO_BIG = N_("The file is too big to be a badge (at most 256 kB). Upload the .jwt, .json or .svg file you downloaded.")
SLOW_DOWN = N_("Too many checks from your connection in a minute. Wait a minute, then try again.")
EMPTY = N_("Paste a credential or choose a file, then press Check.")


def _submitted_text(request: HttpRequest) -> tuple[str, str | None]:
    """(text, problem) from the form: the uploaded file wins over the text box."""
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size > MAX_UPLOAD_BYTES:
            return "", TOO_BIG
        return upload.read().decode("utf-8", errors="replace"), None
    text = request.POST.get("credential", "")
    if len(text) > MAX_UPLOAD_BYTES:
        return "", TOO_BIG
    return text, None if text.strip() else EMPTY


@csrf_exempt
@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    _ = gettext_for(language)
    context = {"lang": language, "title": _("Check an Open Badge"), "pasted": "", "result": None, "problem": None}
    status = 200
    if request.method == "POST":
        if _throttled(request):
            context["problem"], status = _(SLOW_DOWN), 429
        else:
            text, problem = _submitted_text(request)
            context["pasted"] = text if len(text) < 20_000 else ""
            if problem:
                context["problem"], status = _(problem), 400
            else:
                result = issuer.verify(text)
                context["result"] = _result_view(result, _)
    return render("badges/verify.html", context, language, status=status)


def _result_view(result: badges.Verification, _) -> dict:
    """What the page shows: the verdict in the reader's language, and the credential's own statements."""
    credential = result.credential or {}
    subject = credential.get("credentialSubject") if isinstance(credential.get("credentialSubject"), dict) else {}
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    issuer_data = credential.get("issuer") if isinstance(credential.get("issuer"), dict) else {}
    criteria = achievement.get("criteria") if isinstance(achievement.get("criteria"), dict) else {}
    return {
        "ok": result.ok,
        "code": result.code,
        "reason": _(badges.REASONS[result.code]),
        "details": [str(d)[:300] for d in result.details[:10]],
        "name": str(achievement.get("name", ""))[:200],
        "description": str(achievement.get("description", ""))[:1000],
        "criteria": str(criteria.get("narrative", ""))[:1000],
        "issuer": str(issuer_data.get("name", ""))[:200],
        "issuer_id": str(issuer_data.get("id", ""))[:500],
        "valid_from": str(credential.get("validFrom", ""))[:40],
        "alignments": [str(a.get("targetName", ""))[:200] for a in achievement.get("alignment", []) if isinstance(a, dict)][:20],
    }


def _badge_or_none(key: str) -> IssuedBadge | None:
    if not key or len(key) > 64:
        return None
    return IssuedBadge.objects.filter(download_key=key).first()


@require_GET
def badge_page(request: HttpRequest, key: str) -> HttpResponse:
    """The learner's badge: picture, what it says, downloads, and how to put it in a wallet."""
    language = _language(request)
    _ = gettext_for(language)
    badge = _badge_or_none(key)
    if badge is None:
        return render("error.html", {"lang": language, "title": _("Badge not found"), "code": "badge_not_found",
                                     "message": _("This badge link is not valid. Open the activity where you earned it to get your link again."), "detail": ""},
                      language, status=404)
    result = issuer.verify(badge.token)
    context = {
        "lang": language,
        "title": badge.name,
        "badge": badge,
        "result": _result_view(result, _),
        "web_resource": request.build_absolute_uri(reverse("lti_tool:badges:file", args=(key, "credential.jwt"))),
        "verify_url": reverse("lti_tool:badges:verify"),
    }
    return render("badges/badge.html", context, language)


@require_GET
def badge_file(request: HttpRequest, key: str, filename: str) -> HttpResponse:
    badge = _badge_or_none(key)
    if badge is None or filename not in badges.DOWNLOADS:
        return HttpResponse("Not found", status=404, content_type="text/plain; charset=utf-8")
    return file_response(filename, badge.token, badge.name, badge.colour, badge.image_svg)


def file_response(filename: str, token: str, name: str, colour: str, own_svg: str = "") -> HttpResponse:
    body, content_type, download = badges.download(filename, token, name, colour, own_svg)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{download}"'
    for header, value in badges.DOWNLOAD_HEADERS.items():
        response[header] = value
    return response
