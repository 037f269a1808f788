"""LTI Assignment and Grade Services (AGS 2.0) client: access token, line items, scores.

Why not pylti1p3's ``ServiceConnector``/``AssignmentsGradesService``: they keep the
access token in the instance only (a worker would ask for a new token for every
score), send requests without a timeout (one hung platform stalls every
delivery), and raise one exception type for everything, so a caller cannot tell
"retry later" (network, 5xx, 429) from "an operator must look" (400, 404). This
module answers exactly those needs and nothing else; the retry policy itself
lives in ``sender``.

Security: the client assertion and access tokens are secrets. They are never
logged, never stored in the outbox, and stripped from any platform error text we
keep (``safe_excerpt``).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urlencode, urlsplit, urlunsplit

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from ldai_xblocks.net import guarded_session
from lti_tool.lti.claims import AUD, EXP, IAT, ISS, KID, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_SCORE, SUB
from lti_tool.lti.clock import issued_at
from lti_tool.lti.http import net_policy

log = logging.getLogger("ldai.lti.grades")

# Media types and OAuth names of AGS 2.0 and the 1EdTech Security Framework (scopes: lti_tool.lti.claims).
MEDIA_SCORE = "application/vnd.ims.lis.v1.score+json"
MEDIA_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MEDIA_LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
GRANT_CLIENT_CREDENTIALS = "client_credentials"
ASSERTION_TYPE_JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
JTI = "jti"  # RFC 7519 JWT ID (the assertion is single-use)

SCORE_ENDPOINT = "score endpoint"  # AgsError.endpoint of a score POST (a 409 there means "already held")
_JWT_LIKE = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")
AGS_MAX_BYTES = 1024 * 1024  # a page of line items is the biggest answer


def _conf(name: str, default):
    return getattr(settings, "LDAI_LTI_RUNTIME", {}).get(name, default)


class AgsError(Exception):
    """A failed AGS exchange. ``retryable`` says whether waiting and trying again can help.

    ``endpoint`` names the call ("score endpoint", "line items"...), ``reason`` is the
    platform's own explanation when it gave one (token-free, fit to show an instructor).
    """

    def __init__(self, message: str, *, retryable: bool, status: int | None = None, retry_after: float | None = None,
                 endpoint: str = "", reason: str = ""):
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after
        self.endpoint = endpoint
        self.reason = reason


@dataclass(frozen=True)
class Score:
    """One AGS score, as the platform receives it (AGS 2.0 section 3.4)."""

    user_id: str
    score_given: float
    score_maximum: float
    timestamp: datetime
    activity_progress: str = "Completed"
    grading_progress: str = "FullyGraded"

    def as_json(self) -> dict:
        stamp = self.timestamp.astimezone(UTC) if timezone.is_aware(self.timestamp) else self.timestamp.replace(tzinfo=UTC)
        return {
            "userId": self.user_id,
            "scoreGiven": self.score_given,
            "scoreMaximum": self.score_maximum,
            "activityProgress": self.activity_progress,
            "gradingProgress": self.grading_progress,
            # Milliseconds and an explicit offset: platforms compare timestamps to drop stale scores.
            "timestamp": stamp.isoformat(timespec="milliseconds"),
        }


def safe_excerpt(text: str, limit: int = 200) -> str:
    """A short piece of a platform's error body, with anything token-like removed, fit for the admin."""
    text = _JWT_LIKE.sub("[token]", (text or "").strip())
    text = re.sub(r"\s+", " ", text)
    return text[:limit] + ("…" if len(text) > limit else "")


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - timezone.now()).total_seconds())
    except (TypeError, ValueError):
        return None


def platform_reason(response: requests.Response) -> str:
    """What the platform said about a refusal, where each platform says it.

    Canvas: ``{"errors": {"type", "message"}}`` (``Lti::IMS::Concerns::AdvantageServices#render_error``);
    Moodle: the HTTP reason phrase (``mod/lti/classes/local/ltiservice/response.php`` sends the
    exception text there, e.g. "Refusing score with an earlier timestamp...") and, without a
    body, ``{"status", "reason"}``; OAuth-style ``error_description``/``error`` elsewhere.
    """
    try:
        body = response.json()
    except ValueError:
        body = None
    candidates: list = []
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, dict):
            candidates.append(errors.get("message"))
        elif isinstance(errors, list) and errors and isinstance(errors[0], dict):
            candidates.append(errors[0].get("message"))
        candidates += [body.get(key) for key in ("reason", "error_description", "message", "detail", "error")]
    phrase = response.reason or ""
    try:
        standard = HTTPStatus(response.status_code).phrase
    except ValueError:
        standard = ""
    if phrase and phrase != standard:
        candidates.insert(0, phrase)
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            return safe_excerpt(candidate)
    return safe_excerpt(response.text)


def _raise_for(response: requests.Response, what: str) -> None:
    """Turn a non-2xx answer into an :class:`AgsError` that says whether to retry."""
    if response.ok:
        return
    status = response.status_code
    retryable = status == 429 or status >= 500
    reason = platform_reason(response)
    raise AgsError(
        f"{what}: HTTP {status} {reason}".strip(),
        retryable=retryable, status=status, retry_after=_retry_after(response) if retryable else None,
        endpoint=what, reason=reason,
    )


def scores_url(lineitem_url: str) -> str:
    """``<lineitem>/scores``, keeping the line item's query string where it belongs (AGS 2.0 section 3.4)."""
    parts = urlsplit(lineitem_url)
    path = parts.path.rstrip("/") + "/scores"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


class AgsClient:
    """AGS calls on behalf of the tool for one platform registration."""

    def __init__(self, platform, session: requests.Session | None = None):
        self.platform = platform
        self.timeout = float(_conf("HTTP_TIMEOUT", 10))
        # The guarded client (ldai_xblocks.net): AGS URLs come from the signed launch, i.e. from the platform.
        self.session = session or guarded_session(net_policy(timeout=self.timeout, max_bytes=AGS_MAX_BYTES))

    # --- access token (client credentials, JWT bearer assertion) ----------------------------

    def _token_cache_key(self, scopes: tuple[str, ...]) -> str:
        digest = hashlib.sha256("|".join((self.platform.issuer, self.platform.client_id, self.platform.auth_token_url, *scopes)).encode())
        return f"ldai:ags-token:{self.platform.pk}:{digest.hexdigest()[:32]}"

    def _client_assertion(self) -> str:
        from lti_tool.models import ToolKey

        key = ToolKey.objects.signing()
        if key is None:
            raise AgsError("the tool has no signing key (run `ldai lti rotate-keys`)", retryable=True)
        now = int(time.time())
        claims = {
            ISS: self.platform.client_id,
            SUB: self.platform.client_id,
            AUD: self.platform.auth_audience or self.platform.auth_token_url,
            IAT: issued_at(now),  # backdated: php-jwt (Moodle) has no leeway
            EXP: now + 300,
            JTI: uuid.uuid4().hex,
        }
        return jwt.encode(claims, key.private_key_pem, algorithm="RS256", headers={KID: key.kid})

    def access_token(self, scopes: tuple[str, ...], *, fresh: bool = False) -> str:
        """A bearer token for ``scopes``, from the cache while it is valid (tokens last about an hour)."""
        scopes = tuple(sorted(set(scopes)))
        key = self._token_cache_key(scopes)
        if not fresh:
            cached = cache.get(key)
            if cached:
                return cached
        try:
            response = self.session.post(
                self.platform.auth_token_url,
                data={
                    "grant_type": GRANT_CLIENT_CREDENTIALS,
                    "client_assertion_type": ASSERTION_TYPE_JWT_BEARER,
                    "client_assertion": self._client_assertion(),
                    "scope": " ".join(scopes),
                },
                headers={"Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise AgsError(f"token endpoint unreachable: {type(exc).__name__}", retryable=True) from None
        _raise_for(response, "token endpoint")
        try:
            body = response.json()
            token = body["access_token"]
            expires_in = int(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise AgsError("token endpoint: answer without an access_token", retryable=True, status=response.status_code) from None
        if not isinstance(token, str) or not token:
            raise AgsError("token endpoint: empty access_token", retryable=True, status=response.status_code)
        # Keep a margin so a token never expires between the cache read and the platform's check.
        ttl = max(1, min(expires_in, 3600) - 60)
        cache.set(key, token, ttl)
        return token

    def forget_token(self, scopes: tuple[str, ...]) -> None:
        cache.delete(self._token_cache_key(tuple(sorted(set(scopes)))))

    # --- service requests ---------------------------------------------------------------------

    def _request(self, method: str, url: str, scopes: tuple[str, ...], what: str, *, headers: dict, **kwargs) -> requests.Response:
        """One service call; a 401 gets one fresh token (the cached one may have been revoked)."""
        for fresh in (False, True):
            sent = {**headers, "Authorization": "Bearer " + self.access_token(scopes, fresh=fresh)}
            try:
                response = self.session.request(method, url, headers=sent, timeout=self.timeout, **kwargs)
            except requests.RequestException as exc:
                raise AgsError(f"{what} unreachable: {type(exc).__name__}", retryable=True) from None
            if response.status_code != 401 or fresh:
                break
            self.forget_token(scopes)
        _raise_for(response, what)
        return response

    def post_score(self, lineitem_url: str, score: Score, scopes: tuple[str, ...] = (SCOPE_SCORE,)) -> int:
        """POST ``score`` to the line item's scores endpoint; returns the HTTP status (200/201/202/204)."""
        response = self._request(
            "POST", scores_url(lineitem_url), scopes, SCORE_ENDPOINT,
            json=score.as_json(), headers={"Content-Type": MEDIA_SCORE, "Accept": "application/json"},
        )
        return response.status_code

    def find_or_create_lineitem(self, lineitems_url: str, *, tag: str, label: str, score_maximum: float,
                                resource_link_id: str, can_create: bool = True) -> str:
        """The URL (``id``) of the line item tagged ``tag`` for this resource link, created when missing."""
        scopes = (SCOPE_LINEITEM,) if can_create else (SCOPE_LINEITEM_READONLY,)
        separator = "&" if urlsplit(lineitems_url).query else "?"
        url: str | None = lineitems_url + separator + urlencode({"tag": tag, "resource_link_id": resource_link_id})
        pages = 0
        while url and pages < 50:
            response = self._request("GET", url, scopes, "line items", headers={"Accept": MEDIA_LINEITEM_CONTAINER})
            pages += 1
            try:
                items = response.json()
            except ValueError:
                raise AgsError("line items: answer is not JSON", retryable=True, status=response.status_code) from None
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and item.get("tag") == tag and item.get("id"):
                    return str(item["id"])
            url = _next_link(response)
        if not can_create:
            raise AgsError(f"no line item tagged {tag!r} and the platform does not let the tool create one", retryable=False)
        body = {"scoreMaximum": score_maximum, "label": label or tag, "tag": tag, "resourceLinkId": resource_link_id}
        response = self._request(
            "POST", lineitems_url, scopes, "line item creation",
            json=body, headers={"Content-Type": MEDIA_LINEITEM, "Accept": MEDIA_LINEITEM},
        )
        try:
            created = response.json()["id"]
        except (ValueError, KeyError, TypeError):
            raise AgsError("line item creation: answer without an id", retryable=True, status=response.status_code) from None
        return str(created)


def _next_link(response: requests.Response) -> str | None:
    link = response.links.get("next") if hasattr(response, "links") else None
    return link.get("url") if link else None
