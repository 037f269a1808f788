"""Our tracking events as xAPI 1.0.3 statements: the ldai xAPI profile, in one pure function.

Why xAPI: it is what the learning world's record stores read (Open edX Aspects runs Ralph; Moodle,
Learning Locker, Watershed, Veracity all accept it), so the L&D team's figures survive a change of LMS.
Why one pure module: both shells (Open edX through event-routing-backends, the LTI tool through its
outbox) and the ``ldai xapi statement`` command must produce the same statement for the same event.

Privacy by construction: a statement is built from an ALLOW-LIST of event fields (:data:`EXTENSIONS`),
so a field the list does not name never leaves the tool, whatever an activity later adds to its event.
Learner free text is in no allow-list; the operator may let short free-text fields through with
``allow_free_text=True`` (``LDAI["XAPI_FREE_TEXT"]``). The actor is an account (platform + anonymous
id), never a name or an e-mail address.

The profile's identifiers are documented in ``docs/xapi-profile.rst``; a test checks that every event
an activity publishes has a mapping here.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

XAPI_VERSION = "1.0.3"
PROFILE_IRI = "https://ldai-xblocks.org/xapi/profile"
EXTENSION_IRI = "https://ldai-xblocks.org/xapi/extensions/"
ACTIVITY_TYPE_IRI = "https://ldai-xblocks.org/xapi/activities/"
# Deterministic statement ids: forwarding the same event twice (a retry) stores it once in any LRS.
STATEMENT_NAMESPACE = uuid.UUID("5b0e7c52-0e2a-4f43-9a57-6c2f1b7b2f10")
MAX_FREE_TEXT = 500
MAX_DURATION_SECONDS = 366 * 86400  # Ralph's model refuses durations of 2**32 s and more (found by hypothesis)
SUPPORTED_LANGUAGES = ("en", "fr")


class EventError(ValueError):
    """The event cannot become a statement; the message says what to change."""


@dataclass(frozen=True)
class Verb:
    iri: str
    en: str
    fr: str

    def as_xapi(self) -> dict[str, Any]:
        return {"id": self.iri, "display": {"en-US": self.en, "fr-FR": self.fr}}


ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "answered": Verb(ADL + "answered", "answered", "a répondu à"),
    "attempted": Verb(ADL + "attempted", "attempted", "a tenté"),
    "completed": Verb(ADL + "completed", "completed", "a terminé"),
    "terminated": Verb(ADL + "terminated", "terminated", "a arrêté"),
    "launched": Verb(ADL + "launched", "launched", "a lancé"),
    "interacted": Verb(ADL + "interacted", "interacted", "a interagi avec"),
    "accepted": Verb("http://activitystrea.ms/schema/1.0/accept", "accepted", "a accepté"),
    "earned": Verb("http://id.tincanapi.com/verb/earned", "earned", "a obtenu"),
    "shared": Verb("http://adlnet.gov/expapi/verbs/shared", "shared", "a partagé"),
    "adopted": Verb("http://id.tincanapi.com/verb/adopted", "adopted", "a adopté"),
    "approved": Verb("http://activitystrea.ms/schema/1.0/approve", "approved", "a validé"),
    "rated": Verb("http://id.tincanapi.com/verb/rated", "rated", "a évalué"),
    "joined": Verb("http://activitystrea.ms/schema/1.0/join", "joined", "a rejoint"),
}

# Activity types: each block type, and a question of the quiz.
ACTIVITY_TYPES = {
    "risk_quiz": "http://adlnet.gov/expapi/activities/assessment",
    "hallucination_detector": ACTIVITY_TYPE_IRI + "hallucination-hunt",
    "prompt_sandbox": ACTIVITY_TYPE_IRI + "prompt-exercise",
    "skills_map": ACTIVITY_TYPE_IRI + "skills-map",
    "charter": ACTIVITY_TYPE_IRI + "ai-charter",
    "use_case": ACTIVITY_TYPE_IRI + "ai-use-case",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _fraction(value: Any) -> float | None:
    number = _number(value)
    return None if number is None or not 0.0 <= number <= 1.0 else number


def _word(value: Any) -> str | None:
    """An identifier-like value (category, scenario id, job family): short, no free text."""
    if not isinstance(value, str) or not value or len(value) > 100:
        return None
    return value if all(ch.isalnum() or ch in "-_.:" for ch in value) else None


def _words(value: Any) -> list[str] | None:
    if not isinstance(value, list | tuple):
        return None
    cleaned = [w for w in (_word(v) for v in value) if w]
    return cleaned if len(cleaned) == len(value) else None


def _scores(value: Any) -> dict[str, float] | None:
    """{id: number}: criterion scores, category scores."""
    if not isinstance(value, Mapping):
        return None
    cleaned = {k: float(v) for k, v in value.items() if _word(k) and _number(v) is not None}
    return cleaned if len(cleaned) == len(value) else None


def _boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


# The allow-list: event field -> (extension name, cleaner). A value its cleaner refuses is left out.
EXTENSIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "attempt": ("attempt", _count),
    "max_attempts": ("max-attempts", _count),
    "category": ("risk-category", _word),
    "categories": ("risk-category-scores", _scores),
    "criteria": ("criterion-scores", _scores),
    "sensitive_kinds": ("confidential-data-kinds", _words),
    "capped": ("grade-capped", _boolean),
    "llm_used": ("llm-used", _boolean),
    "scenario": ("scenario", _word),
    "grading": ("grading-rule", _word),
    "iou": ("span-iou", _fraction),
    "timed_out": ("timed-out", _boolean),
    "time_limit": ("time-limit-seconds", _count),
    "job_family": ("job-family", _word),
    "competences": ("competences", _words),
    "competence_levels": ("competence-levels", _scores),
    "charter_version": ("charter-version", _word),
    "minutes_saved": ("minutes-saved-per-week", _count),
    "team": ("team", _word),
    "badge": ("badge", _word),
    "award": ("award", _word),
    "rank": ("rank", _count),
    "question_id": ("question", _word),
    "selected": ("selected-choices", _words),
    "case_id": ("use-case", _word),
    "rating": ("use-case-rating", _count),
    "usage_scores": ("perceived-usage-scores", _scores),
    "prepost_pair": ("prepost-pair", _word),  # a quiz paired with another as pre- and post-test: the pair's name
    "prepost_role": ("prepost-role", _word),  # "pre" or "post"
}
# Learner free text, sent only when the operator allows it (cut to MAX_FREE_TEXT characters).
FREE_TEXT_FIELDS = {"prompt": "prompt-text", "task": "use-case-task", "before": "before-example", "after": "after-example"}


@dataclass(frozen=True)
class EventMapping:
    """How one ``ldai.<activity>.<action>`` becomes a statement."""

    verb: str
    completion: bool | None = None  # result.completion
    success_from: str | None = None  # event field whose boolean is result.success
    object_from: str | None = None  # event field naming a sub-activity (a quiz question)
    success_if_full: bool = False  # result.success when the score is full marks (an answered question)


MAPPINGS: dict[str, EventMapping] = {
    "answered": EventMapping("answered", object_from="question_id", success_if_full=True),
    "submitted": EventMapping("completed", completion=True, success_from="passed"),
    "retried": EventMapping("attempted"),
    "started": EventMapping("attempted"),
    "time_expired": EventMapping("terminated"),
    "launched": EventMapping("launched"),
    "self_assessed": EventMapping("interacted"),
    "accepted": EventMapping("accepted", completion=True),
    "badge_earned": EventMapping("earned"),
    "case_recorded": EventMapping("shared"),
    "case_adopted": EventMapping("adopted"),
    "case_validated": EventMapping("approved"),
    "usage_rated": EventMapping("rated"),
    "team_joined": EventMapping("joined"),
    "award_earned": EventMapping("earned"),
}


def event_names() -> list[str]:
    """Every ``ldai.<activity>.<action>`` this profile maps (what routers must let through)."""
    return [f"ldai.{activity}.{action}" for activity in ACTIVITY_TYPES if activity != "question" for action in MAPPINGS]


@dataclass(frozen=True)
class TrackingEvent:
    """An event as a block publishes it, plus who and where (what ``ldai xapi statement`` reads).

    ``actor``: ``{"home_page": platform URL, "id": anonymous learner id}``; ``context``:
    ``{"activity_id": IRI of the block, "activity_name"?, "course_id"?: IRI, "course_name"?,
    "language"?: "en"|"fr", "job_family"?, "registration"?: UUID}``.
    """

    name: str
    data: Mapping[str, Any]
    actor: Mapping[str, Any]
    context: Mapping[str, Any]
    timestamp: datetime | None = None
    allow_free_text: bool = False


def parse_event(raw: Any, *, allow_free_text: bool = False) -> TrackingEvent:
    """A TrackingEvent from decoded JSON, or :class:`EventError` naming what is missing."""
    if not isinstance(raw, Mapping):
        raise EventError('expected a JSON object {"name", "data", "actor", "context"}')
    for key, kind in (("name", str), ("data", Mapping), ("actor", Mapping), ("context", Mapping)):
        if not isinstance(raw.get(key), kind):
            raise EventError(f'"{key}" is missing or not a{"n object" if kind is Mapping else " string"}')
    stamp = raw.get("timestamp")
    when = None
    if stamp is not None:
        try:
            when = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
        except ValueError as exc:
            raise EventError('"timestamp" must be an ISO 8601 date and time') from exc
        if when.tzinfo is None:
            raise EventError('"timestamp" must carry its time zone (e.g. 2026-12-01T09:00:00Z)')
    return TrackingEvent(raw["name"], raw["data"], raw["actor"], raw["context"], when, allow_free_text)


def _split_name(name: str) -> tuple[str, str]:
    parts = name.split(".")
    if len(parts) != 3 or parts[0] != "ldai" or not all(parts):
        raise EventError(f"{name!r} is not one of our events (expected ldai.<activity>.<action>)")
    return parts[1], parts[2]


def _iri(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")) or len(value) > 2000 or any(c.isspace() for c in value):
        raise EventError(f"{what} must be an absolute http(s) URL without spaces")
    return value


def _actor(actor: Mapping[str, Any]) -> dict[str, Any]:
    home = _iri(actor.get("home_page"), '"actor.home_page"')
    ident = actor.get("id")
    if not isinstance(ident, str) or not ident or len(ident) > 200:
        raise EventError('"actor.id" must be the learner\'s anonymous id (a non-empty string)')
    return {"objectType": "Agent", "account": {"homePage": home, "name": ident}}


def _language(context: Mapping[str, Any]) -> str:
    language = context.get("language") or "en"
    return language if language in SUPPORTED_LANGUAGES else "en"


def _extensions(data: Mapping[str, Any], allow_free_text: bool) -> dict[str, Any]:
    extensions: dict[str, Any] = {}
    for key, (name, clean) in EXTENSIONS.items():
        if key in data:
            value = clean(data[key])
            if value is not None:
                extensions[EXTENSION_IRI + name] = value
    total = _number(data.get("score"))
    if "grade" in data and total is not None and 0 <= total <= 100:
        extensions[EXTENSION_IRI + "rubric-total"] = total  # the sandbox's 0-100 total beside its 0-1 grade
    if allow_free_text:
        for key, name in FREE_TEXT_FIELDS.items():
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                extensions[EXTENSION_IRI + name] = value[:MAX_FREE_TEXT]
    return extensions


def _result(data: Mapping[str, Any], mapping: EventMapping, extensions: dict[str, Any]) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    # "grade" is the 0-1 grade where an activity also reports a score on its own scale (the sandbox's 0-100).
    scaled = _fraction(data.get("grade")) if "grade" in data else _fraction(data.get("score"))
    if scaled is not None:
        result["score"] = {"scaled": round(scaled, 4), "raw": round(scaled * 100, 2), "min": 0, "max": 100}
    if mapping.completion is not None:
        result["completion"] = mapping.completion
    success = data.get(mapping.success_from) if mapping.success_from else None
    if mapping.success_if_full and scaled is not None:
        success = scaled >= 1.0
    if isinstance(success, bool):
        result["success"] = success
    elapsed = _number(data.get("elapsed_seconds"))
    if elapsed is not None and 0 <= elapsed <= MAX_DURATION_SECONDS:  # beyond: a broken clock, not a duration
        result["duration"] = f"PT{elapsed:.1f}S"
    if extensions:
        result["extensions"] = extensions
    return result or None


def statement(event: TrackingEvent) -> dict[str, Any]:
    """The xAPI 1.0.3 statement of one event (raises :class:`EventError` when it cannot be built)."""
    activity, action = _split_name(event.name)
    if activity not in ACTIVITY_TYPES or activity == "question":
        raise EventError(f"unknown activity {activity!r} in {event.name!r}")
    mapping = MAPPINGS.get(action)
    if mapping is None:
        raise EventError(f"no xAPI mapping for the action {action!r} (see docs/xapi-profile.rst)")
    context = event.context
    language = _language(context)
    block_iri = _iri(context.get("activity_id"), '"context.activity_id"')
    block_name = context.get("activity_name") if isinstance(context.get("activity_name"), str) else ""
    block = {"objectType": "Activity", "id": block_iri,
             "definition": {"type": ACTIVITY_TYPES[activity], **({"name": {_lang_tag(language): block_name[:200]}} if block_name else {})}}
    extensions = _extensions(event.data, event.allow_free_text)
    target = block
    parents = []
    if mapping.object_from and _word(event.data.get(mapping.object_from)):
        target = {"objectType": "Activity", "id": f"{block_iri.rstrip('/')}/{mapping.object_from.removesuffix('_id')}/{event.data[mapping.object_from]}",
                  "definition": {"type": ACTIVITY_TYPES["question"], "interactionType": "choice"}}
        parents.append(block)
    course = context.get("course_id")
    if course is not None:
        parent = {"objectType": "Activity", "id": _iri(course, '"context.course_id"'), "definition": {"type": "http://adlnet.gov/expapi/activities/course"}}
        if isinstance(context.get("course_name"), str) and context["course_name"]:
            parent["definition"]["name"] = {_lang_tag(language): context["course_name"][:200]}
        parents.append(parent)
    context_extensions = {}
    job_family = _word(context.get("job_family"))
    if job_family:
        context_extensions[EXTENSION_IRI + "job-family"] = job_family
    xapi_context: dict[str, Any] = {
        "platform": "ldai-xblocks",
        "language": _lang_tag(language),
        "contextActivities": {"category": [{"objectType": "Activity", "id": PROFILE_IRI, "definition": {"type": "http://adlnet.gov/expapi/activities/profile"}}]},
    }
    if parents:
        xapi_context["contextActivities"]["parent"] = parents
    registration = context.get("registration")
    if registration is not None:
        try:
            xapi_context["registration"] = str(uuid.UUID(str(registration)))
        except ValueError as exc:
            raise EventError('"context.registration" must be a UUID') from exc
    if context_extensions:
        xapi_context["extensions"] = context_extensions
    when = (event.timestamp or datetime.now(UTC)).astimezone(UTC)
    actor = _actor(event.actor)
    stamp = when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    result = _result(event.data, mapping, extensions)
    body: dict[str, Any] = {
        "id": str(uuid.uuid5(STATEMENT_NAMESPACE, "|".join([event.name, actor["account"]["homePage"], actor["account"]["name"], target["id"], stamp]))),
        "actor": actor,
        "verb": VERBS[mapping.verb].as_xapi(),
        "object": target,
        "context": xapi_context,
        "timestamp": stamp,
        "version": XAPI_VERSION,
    }
    if result:
        body["result"] = result
    return body


def _lang_tag(language: str) -> str:
    return {"en": "en-US", "fr": "fr-FR"}.get(language, "en-US")
