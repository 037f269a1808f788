"""Statements that other platforms route to the tool: checked against xAPI 1.0.3, and read back into the
few columns the dashboard counts (activity, action, learner, job family, score).

Why a pure module beside ``xapi``: the ingest endpoint must refuse what is not a statement with a
message, never a 500, whatever it is sent; and it must read OUR statements (built by ``xapi.statement``,
routed by Open edX's event-routing-backends through ``ldai_xblocks.openedx.event_routing``) back into the
same ``ldai.<activity>.<action>`` names the tool's own rows carry, so a routed statement counts in the
dashboard exactly like one made in the tool. Statements of other profiles (an Open edX problem_check) are
kept too, as activity ``external``, with their verb's last word as the action.

The checks are those of the xAPI 1.0.3 specification (Data section 2.4) that the tool relies on; a
full conformance test suite is the LRS's job (Ralph, Learning Locker), not this endpoint's.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import xapi

EXTERNAL = "external"
MAX_STATEMENT_CHARS = 64 * 1024  # one statement, as JSON text: ours are under 4 KB
IFI = ("mbox", "mbox_sha1sum", "openid", "account")
# The verb of each of our actions, read backwards; "attempted" was published as started or retried: "started".
ACTION_OF_VERB = {}
for _action, _mapping in xapi.MAPPINGS.items():
    ACTION_OF_VERB.setdefault(xapi.VERBS[_mapping.verb].iri, _action)
ACTION_OF_VERB[xapi.VERBS["attempted"].iri] = "started"
# Actions that share a verb, told apart by the extension only one of them carries (first match wins).
ACTION_BY_EXTENSION = {xapi.VERBS["earned"].iri: (("award", "award_earned"), ("badge", "badge_earned"))}
ACTIVITY_OF_TYPE = {iri: name for name, iri in xapi.ACTIVITY_TYPES.items() if name != "question"}


class StatementError(ValueError):
    """Not an xAPI 1.0.3 statement the tool can store; the message says which property and why."""


@dataclass(frozen=True)
class Described:
    """What the tool stores beside a routed statement (the Statement model's columns)."""

    id: str
    body: dict
    activity: str
    action: str
    actor: str
    job_family: str
    context_id: str
    score: float | None
    success: bool | None
    timestamp: datetime


def _iri(value: Any, where: str) -> str:
    if not isinstance(value, str) or ":" not in value or len(value) > 2048 or any(c.isspace() for c in value):
        raise StatementError(f"{where} must be an IRI (an absolute URI without spaces)")
    return value


def _actor_key(actor: Any) -> str:
    """A stable, short key of the agent: an account's name, else the other identifier (never a display name)."""
    if not isinstance(actor, Mapping):
        raise StatementError("actor must be an object")
    if actor.get("objectType", "Agent") not in ("Agent", "Group"):
        raise StatementError('actor.objectType must be "Agent" or "Group"')
    present = [key for key in IFI if key in actor]
    if len(present) != 1 and actor.get("objectType") != "Group":
        raise StatementError("actor must have exactly one of mbox, mbox_sha1sum, openid, account")
    if not present:
        return "group"
    value = actor[present[0]]
    if present[0] == "account":
        if not isinstance(value, Mapping) or not isinstance(value.get("name"), str) or not value["name"]:
            raise StatementError("actor.account must have a homePage and a name")
        _iri(value.get("homePage"), "actor.account.homePage")
        return value["name"][:200]
    if not isinstance(value, str) or not value:
        raise StatementError(f"actor.{present[0]} must be a non-empty string")
    if present[0] == "mbox" and not value.startswith("mailto:"):
        raise StatementError('actor.mbox must start with "mailto:"')
    return uuid.uuid5(xapi.STATEMENT_NAMESPACE, value).hex  # no e-mail address in a dashboard column


def _timestamp(value: Any) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise StatementError("timestamp must be an ISO 8601 date and time") from exc
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _result(value: Any) -> tuple[float | None, bool | None]:
    if value is None:
        return None, None
    if not isinstance(value, Mapping):
        raise StatementError("result must be an object")
    score = value.get("score")
    scaled = None
    if score is not None:
        if not isinstance(score, Mapping):
            raise StatementError("result.score must be an object")
        raw = score.get("scaled")
        if raw is not None:
            if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw) or not -1 <= raw <= 1:
                raise StatementError("result.score.scaled must be a number from -1 to 1")
            scaled = float(raw)
    success = value.get("success")
    if success is not None and not isinstance(success, bool):
        raise StatementError("result.success must be true or false")
    return scaled, success


def _our_names(verb: str, target: Mapping[str, Any], context: Mapping[str, Any], extensions: Mapping[str, Any]) -> tuple[str, str]:
    """``(activity, action)``: ours when the statement is in our profile, else (external, verb's last word)."""
    definition = target.get("definition") if isinstance(target.get("definition"), Mapping) else {}
    kind = definition.get("type")
    if kind == xapi.ACTIVITY_TYPES["question"]:
        parents = (context.get("contextActivities") or {}).get("parent") or []
        kinds = [p.get("definition", {}).get("type") for p in parents if isinstance(p, Mapping) and isinstance(p.get("definition"), Mapping)]
        kind = next((k for k in kinds if k in ACTIVITY_OF_TYPE), None)
    activity = ACTIVITY_OF_TYPE.get(kind)
    if activity and verb in ACTION_OF_VERB:
        for extension, action in ACTION_BY_EXTENSION.get(verb, ()):
            if xapi.EXTENSION_IRI + extension in extensions:
                return activity, action
        return activity, ACTION_OF_VERB[verb]
    word = verb.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return EXTERNAL, "".join(ch for ch in word if ch.isalnum() or ch in "-_")[:64] or "unknown"


def _context_id(context: Mapping[str, Any]) -> str:
    """The course: the first parent of type course (ours, and Open edX's), else the first parent."""
    parents = (context.get("contextActivities") or {}).get("parent") or []
    parents = [p for p in parents if isinstance(p, Mapping) and isinstance(p.get("id"), str)]
    course = next((p for p in parents if (p.get("definition") or {}).get("type") == "http://adlnet.gov/expapi/activities/course"), None)
    chosen = course or (parents[0] if parents else None)
    return chosen["id"][:255] if chosen else ""


def describe(raw: Any, *, now: datetime | None = None) -> Described:
    """Check one statement; its id (one is given when it has none, as the spec asks of an LRS) and columns."""
    if not isinstance(raw, Mapping):
        raise StatementError("a statement must be a JSON object")
    body = dict(raw)
    ident = body.get("id")
    if ident is None:
        body["id"] = ident = str(uuid.uuid4())
    try:
        ident = str(uuid.UUID(str(ident)))
    except ValueError as exc:
        raise StatementError("id must be a UUID") from exc
    body["id"] = ident
    version = body.get("version")
    if version is not None and not (isinstance(version, str) and version.startswith("1.0")):
        raise StatementError("version must be 1.0.x")
    actor = _actor_key(body.get("actor"))
    verb = body.get("verb")
    if not isinstance(verb, Mapping):
        raise StatementError("verb must be an object with an id")
    verb_id = _iri(verb.get("id"), "verb.id")
    target = body.get("object")
    if not isinstance(target, Mapping):
        raise StatementError("object must be an object")
    if target.get("objectType", "Activity") == "Activity":
        _iri(target.get("id"), "object.id")
    context = body.get("context") if body.get("context") is not None else {}
    if not isinstance(context, Mapping) or not isinstance(context.get("contextActivities", {}), Mapping):
        raise StatementError("context must be an object (and its contextActivities too)")
    extensions = context.get("extensions") if isinstance(context.get("extensions"), Mapping) else {}
    job_family = extensions.get(xapi.EXTENSION_IRI + "job-family")
    scaled, success = _result(body.get("result"))
    stamp = _timestamp(body.get("timestamp"))
    body.setdefault("stored", (now or datetime.now(UTC)).isoformat(timespec="milliseconds").replace("+00:00", "Z"))
    result = body.get("result") if isinstance(body.get("result"), Mapping) else {}
    result_extensions = result.get("extensions") if isinstance(result.get("extensions"), Mapping) else {}
    activity, action = _our_names(verb_id, target, context, result_extensions)
    return Described(ident, body, activity, action, actor, job_family if isinstance(job_family, str) and xapi._word(job_family) else "",
                     _context_id(context), scaled, success, stamp)
