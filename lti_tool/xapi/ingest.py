"""``POST /lti/xapi/statements/``: the tool as a small LRS that other platforms route statements to.

Why: "Open edX data routed to it counts too" (docs/xapi-profile.rst). Open edX's event-routing-backends
posts with tincan's ``RemoteLRS`` (``event_routing_backends/utils/xapi_lrs_client.py``): endpoint
``<tool>/lti/xapi/`` + resource ``statements`` (no trailing slash), HTTP basic auth, header
``X-Experience-API-Version``. The endpoint answers as an xAPI 1.0.3 LRS does for writes: POST a statement
or a list -> 200 and their ids; PUT ``?statementId=`` -> 204; an id it already holds with the same content
is not stored again (POST 200, PUT 204), with other content -> 409; anything else -> 400 with the reason.
Nothing sent produces a 500; the body is capped (``INGEST_MAX_BYTES``, ``INGEST_MAX_STATEMENTS``).

Only a credential the administrator created (``XapiSource``) may write. Reading statements back (GET) is
an LRS's job, not the tool's: the dashboard reads them.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging

from django.contrib.auth.hashers import make_password
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from ldai_xblocks import json_input
from ldai_xblocks.engine import value_metrics
from ldai_xblocks.engine.xapi_ingest import MAX_STATEMENT_CHARS, Described, StatementError, describe

from ..models import Statement, XapiSource
from ..runtime.prepared_insert import insert_new
from ..runtime.statements import store_facts_and_summaries
from .conf import xapi_settings

log = logging.getLogger("ldai.xapi.ingest")
VERSION_HEADER = "X-Experience-API-Version"
REALM = 'Basic realm="ldai xAPI statements", charset="UTF-8"'


def _answer(payload, status: int = 200) -> HttpResponse:
    response = HttpResponse(status=status) if payload is None else JsonResponse(payload, status=status, safe=False)
    response[VERSION_HEADER] = "1.0.3"
    return response


def _error(message: str, status: int = 400) -> HttpResponse:
    response = _answer({"error": message}, status)
    if status == 401:
        response["WWW-Authenticate"] = REALM
    return response


def authenticate(request: HttpRequest) -> XapiSource | None:
    """The active source whose user name and secret are in the Basic Authorization header, else None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded or len(encoded) > 1024:
        return None
    try:
        username, _, secret = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    source = XapiSource.objects.filter(username=username, is_active=True).first()
    if source is None:
        make_password(secret)  # the same hashing time as a known user name: the answer's delay tells nothing
        return None
    return source if source.check_secret(secret) else None


def _same(stored: dict, sent: dict) -> bool:
    keep = lambda body: {k: v for k, v in body.items() if k not in ("stored", "authority")}  # noqa: E731 - set by an LRS
    return keep(stored) == keep(sent)


def _read(request: HttpRequest) -> list | dict:
    conf = xapi_settings()
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > conf.ingest_max_bytes:
        raise StatementError(f"the body is larger than {conf.ingest_max_bytes} bytes: send fewer statements per request")
    try:
        raw = request.body
    except RequestDataTooBig:
        raise StatementError(f"the body is larger than {conf.ingest_max_bytes} bytes: send fewer statements per request") from None
    if len(raw) > conf.ingest_max_bytes:
        raise StatementError(f"the body is larger than {conf.ingest_max_bytes} bytes: send fewer statements per request")
    try:
        data = json_input.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise StatementError("the body is not JSON (UTF-8)") from None
    items = data if isinstance(data, list) else [data]
    if not items or len(items) > conf.ingest_max_statements:
        raise StatementError(f"send from 1 to {conf.ingest_max_statements} statements per request")
    return data


def _store(source: XapiSource, described: list[Described]) -> None:
    """Store the new ones; an id already held with other content refuses the whole request (409)."""
    ids = [d.id for d in described]
    if len(set(ids)) != len(ids):
        raise StatementError("the same statement id appears twice in this request")
    held = dict(Statement.objects.filter(pk__in=ids).values_list("pk", "body"))
    held = {str(k): v for k, v in held.items()}
    for item in described:
        if item.id in held and not _same(held[item.id], item.body):
            raise _Conflict(item.id)
    rows = [
        Statement(id=d.id, deployment_id=source.deployment_id, source=source, context_id=d.context_id,
                  resource_link_id=str((d.body.get("object") or {}).get("id", ""))[:255], activity=d.activity[:64], action=d.action[:64],
                  actor=d.actor, job_family=d.job_family[:64], team=_team(d.body), score=d.score, success=d.success, timestamp=d.timestamp, body=d.body)
        for d in described if d.id not in held
    ]
    with transaction.atomic():
        # A request routing the same new ids at the same moment may have inserted some of them since the check above:
        # the database keeps one copy, and only the rows THIS request inserted are summarised (else counted twice).
        inserted = insert_new(rows)
        if len(inserted) < len(rows):
            _check_raced(rows, inserted)
        store_facts_and_summaries(inserted)
        XapiSource.objects.filter(pk=source.pk).update(last_used=timezone.now())


def _check_raced(rows: list[Statement], inserted: list[Statement]) -> None:
    """The ids another request stored meanwhile hold the same content (an LRS's "already stored"), or 409 for all."""
    key = Statement._meta.pk.to_python  # the sent id as text, the stored one as a UUID: compared as UUIDs
    mine = {key(row.pk) for row in inserted}
    raced = {key(row.pk): row for row in rows if key(row.pk) not in mine}
    for pk, body in Statement.objects.filter(pk__in=list(raced)).values_list("pk", "body"):
        if not _same(body, raced[key(pk)].body):
            raise _Conflict(str(raced[key(pk)].pk))


def _team(body: dict) -> str:
    """The dashboard's team filter reads this column, as for the tool's own statements (the naive path reads the extension)."""
    team = value_metrics.extensions_of(body).get("team")
    return team[:64] if isinstance(team, str) else ""


def _check_storable(item, index: int) -> None:
    """What JSON allows but a database column does not: NaN/Infinity, NUL characters (PostgreSQL's jsonb); and the size cap."""
    try:
        text = json.dumps(item, allow_nan=False, separators=(",", ":"))
    except ValueError:
        raise StatementError(f"statement {index}: NaN and Infinity are not JSON numbers") from None
    if "\\u0000" in text:
        raise StatementError(f"statement {index}: a string holds a NUL character")
    if len(text) > MAX_STATEMENT_CHARS:
        raise StatementError(f"statement {index}: larger than {MAX_STATEMENT_CHARS} characters")


class _Conflict(Exception):
    pass


@csrf_exempt
def statements(request: HttpRequest) -> HttpResponse:
    source = authenticate(request)
    if source is None:
        return _error("send the user name and secret of an xAPI source the tool's administrator created (HTTP basic auth)", 401)
    if request.method not in ("POST", "PUT"):
        response = _error("this endpoint stores statements (POST, or PUT with statementId); read them in the tool's dashboard", 405)
        response["Allow"] = "POST, PUT"
        return response
    version = request.META.get("HTTP_X_EXPERIENCE_API_VERSION", "")
    if not version.startswith("1.0"):
        return _error(f"send the header {VERSION_HEADER}: 1.0.3")
    try:
        data = _read(request)
        items = data if isinstance(data, list) else [data]
        if request.method == "PUT":
            wanted = request.GET.get("statementId", "")
            if isinstance(data, list) or not wanted:
                raise StatementError("PUT takes one statement and its statementId parameter")
            if data.get("id") not in (None, wanted):
                raise StatementError("the statement's id differs from the statementId parameter")
            items = [{**data, "id": wanted}]
        described = []
        for index, item in enumerate(items):
            _check_storable(item, index)
            try:
                described.append(describe(item))
            except StatementError as error:
                raise StatementError(f"statement {index}: {error}") from None
        _store(source, described)
    except StatementError as error:
        return _error(str(error))
    except _Conflict as conflict:
        return _error(f"statement {conflict.args[0]} is already stored with other content", 409)
    except IntegrityError:
        log.warning("xAPI ingest from %s: integrity error", source.username)
        return _error("the statements could not be stored as sent; send them again", 409)
    if request.method == "PUT":
        return _answer(None, 204)
    return _answer([d.id for d in described])
