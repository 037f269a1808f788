"""The tool's XBlock runtime: the same block classes as in Open edX, hosted for LTI launches.

Rule 2 of the house plan: the LTI tool never re-implements an activity. This
runtime gives our XBlocks what Open edX gives them, backed by the tool's tables:

- field data: content/settings-scope fields live on the resource link
  (``ResourceLinkConfig.settings``, written only by instructors), user-scoped
  fields in ``LearnerState`` keyed by deployment, context, resource link, user
  and scope, ``user_state_summary`` on the resource link (shared by learners);
- services: ``i18n`` (the launch's language), ``user`` (a stable anonymous id
  derived from the platform and the LTI ``sub``), ``settings`` (the ``LDAI`` bucket),
  ``field-data``, ``ldai_badges`` (the tool as Open Badges issuer), ``ldai_course_charter`` and
  ``ldai_use_case_library`` (the course's charter and use-case library, across its resource links);
- handler URLs routed to ``/lti/handler/<launch token>/<handler>/``;
- ``local_resource_url`` routed to ``/lti/assets/ldai/...`` (the shared ``static/``);
- the ``grade`` event turned into a grade-outbox row, written in the SAME
  transaction as the learner's state (the views wrap every render and handler
  in ``transaction.atomic``), so a score exists if and only if its answer was saved.

Nothing a learner wrote is logged: events are logged by name only.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation as django_translation
from markupsafe import Markup, escape
from web_fragments.fragment import Fragment
from xblock.fields import BlockScope, Scope, ScopeIds, UserScope
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import KeyValueStore, KvsFieldData, MemoryIdManager, Runtime

from ldai_xblocks.blocks.course_charter import SERVICE as COURSE_CHARTER_SERVICE
from ldai_xblocks.blocks.team_challenge import PLATFORM_GROUPS, PLATFORM_TEAM
from ldai_xblocks.blocks.use_case import LIBRARY_SERVICE as USE_CASE_LIBRARY_SERVICE
from ldai_xblocks.i18n import translation
from ldai_xblocks.resources import static_dir

from ..badges.service import LtiBadgeService
from ..grades.outbox import ScoreRejected, record_score
from ..lti import claims as c
from ..lti.claims import CUSTOM_JOB_FAMILY
from ..models import LearnerState
from . import statements
from .charter_service import LtiCourseCharterService
from .llm_jobs import SERVICE_NAME, LlmJobService
from .session import RuntimeSession
from .storable import storable
from .use_case_library import LtiUseCaseLibrary

log = logging.getLogger("ldai.lti.runtime")

# The only block types a launch may ask for (custom parameter ldai_activity): our activities.
BLOCK_TYPES = ("ldai_risk_quiz", "ldai_hallucination_detector", "ldai_prompt_sandbox", "ldai_skills_map", "ldai_charter", "ldai_use_case")
DEFAULT_BLOCK_TYPE = "ldai_risk_quiz"
TOOL_STATIC_DIR = Path(__file__).resolve().parents[1] / "static" / "lti_tool"
ASSET_ROOTS = {"ldai": static_dir, "tool": lambda: TOOL_STATIC_DIR}


class AuthoringForbidden(Exception):
    """A learner's request tried to change what only instructors may change (content/settings fields)."""


def anonymous_id(session: RuntimeSession) -> str:
    """A stable, opaque learner id per platform: what the blocks see instead of the LTI ``sub``."""
    return anonymous_id_of(session.context.platform.issuer, session.context.user_sub)


def anonymous_id_of(issuer: str, user_sub: str) -> str:
    """The same id from the platform and the LTI ``sub``: how the evidence pack joins statements to names."""
    return hashlib.sha256(f"{issuer}|{user_sub}".encode()).hexdigest()[:32]


# ------------------------------------------------------------------------------------------ field data


RowKey = tuple[str, str, str]  # (scope, resource link id, block type), as LtiKeyValueStore._place names a row


def link_row_keys(session: RuntimeSession) -> tuple[RowKey, RowKey, RowKey]:
    """The learner rows the block of this link can read: its state, its type's preferences, the user info."""
    block_type = session.link.block_type
    return (
        (LearnerState.Scope.USER_STATE, session.link.resource_link_id, block_type),
        (LearnerState.Scope.PREFERENCES, "", block_type),
        (LearnerState.Scope.USER_INFO, "", ""),
    )


def row_lookup(session: RuntimeSession, row_key: RowKey) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the values a new row of ``row_key`` is created with, the filter that finds the existing one)."""
    scope, resource_link_id, block_type = row_key
    context = session.context
    lookup = {
        "deployment_id": session.link.deployment_id,
        # Preferences follow the learner across courses of the deployment; answers stay in the course.
        "context_id": (context.context_id or "") if scope == LearnerState.Scope.USER_STATE else "",
        "resource_link_id": resource_link_id,
        "user_sub": context.user_sub,
        "scope": scope,
        "block_type": block_type,
    }
    query = dict(lookup)
    if scope == LearnerState.Scope.USER_INFO:
        # User info (the skills map's evidence, shared by every activity) is kept per platform,
        # context and user: all the deployments of one platform share it, no other course sees it.
        lookup["context_id"] = context.context_id or ""
        query = {**lookup, "deployment__platform_id": context.platform.pk}
        del query["deployment_id"]
    return lookup, query


@lru_cache(maxsize=32)
def _reads_user_info(block_type: str) -> bool:
    """Whether the block type has a field of ``Scope.user_info`` (shared by all the learner's activities)."""
    from xblock.core import XBlock
    from xblock.plugin import PluginMissingError

    try:
        cls = XBlock.load_class(block_type)
    except PluginMissingError:  # an unknown type renders nothing; reading its rows the general way is harmless
        return True
    return any(getattr(f.scope, "user", None) == UserScope.ONE and getattr(f.scope, "block", None) == BlockScope.ALL
               for f in cls.fields.values())


@lru_cache(maxsize=8)
def _learner_rows_sql(vendor: str, with_user_info: bool) -> str:
    """The launch's one learner query, written once per database vendor and shape.

    Why raw SQL: building the same ORM query (an OR of two filters, one through the deployment) cost
    more Python on every launch than the database took to answer it (bench/bench_lti.py profile).
    The columns come from the model, so a new field is read as well; rows are built by ``Model.raw``
    with the model's own converters (JSON on SQLite).
    """
    quote = connection.ops.quote_name
    table = quote(LearnerState._meta.db_table)
    columns = ", ".join(f"{table}.{quote(f.column)}" for f in LearnerState._meta.concrete_fields)
    mine = f"{table}.{quote('deployment_id')} = %s"
    if with_user_info:
        from ..models import Deployment

        deployments = quote(Deployment._meta.db_table)
        mine = (f"({mine} OR ({table}.{quote('scope')} = %s AND {table}.{quote('context_id')} = %s"
                f" AND {table}.{quote('resource_link_id')} = '' AND {table}.{quote('block_type')} = ''"
                f" AND {table}.{quote('deployment_id')} IN (SELECT {quote('id')} FROM {deployments} WHERE {quote('platform_id')} = %s)))")
    return (f"SELECT {columns} FROM {table} WHERE {table}.{quote('user_sub')} = %s AND {mine}"
            f" ORDER BY {table}.{quote('id')}")


def learner_rows(session: RuntimeSession) -> tuple[dict[RowKey, LearnerState | None], list[LearnerState]]:
    """ONE query for what a launch needs of its learner: the link's rows (None: never written), and every row
    of the learner in the deployment (the launch refreshes their name).

    Why: the launch used to run an UPDATE for the name and then one SELECT per scope the block read; a learner
    the tool has never seen now costs one SELECT that finds nothing. The rows are matched here with the same
    filters :meth:`LtiKeyValueStore.learner_row` uses (lowest pk first), so the block reads what it would
    have read row by row.
    """
    context = session.context
    keys = link_row_keys(session)
    with_user_info = _reads_user_info(session.link.block_type)
    params: list[Any] = [context.user_sub, session.link.deployment_id]
    if with_user_info:
        # The platform's other deployments may hold the learner's user info (row_lookup): looked up only then.
        info_lookup = row_lookup(session, keys[2])[0]
        params += [LearnerState.Scope.USER_INFO.value, info_lookup["context_id"], context.platform.pk]
    rows = list(LearnerState.objects.raw(_learner_rows_sql(connection.vendor, with_user_info), params))
    found: dict[RowKey, LearnerState | None] = dict.fromkeys(keys)
    for key in keys:
        wanted = row_lookup(session, key)[1]
        wanted.pop("deployment__platform_id", None)  # the query above already kept the platform's rows only
        found[key] = next((row for row in rows if all(getattr(row, name) == value for name, value in wanted.items())), None)
    return found, [row for row in rows if row.deployment_id == session.link.deployment_id]


class LtiKeyValueStore(KeyValueStore):
    """Maps XBlock field keys onto ResourceLinkConfig and LearnerState rows of ONE learner and ONE link.

    Rows are read once per request and written on ``set_many`` (what ``block.save()``
    calls), so a handler's writes are a few UPDATEs inside the view's transaction.
    A key naming another user reads nothing and writes nothing.
    """

    def __init__(self, session: RuntimeSession, user_id: str, *, lock_rows: bool = False):
        self.session = session
        self.user_id = user_id
        self.lock_rows = lock_rows
        # Where this learner's scopes live, computed once: every field read asks (18 default reads per quiz render).
        self._row_keys = link_row_keys(session)
        self._rows: dict[tuple[str, str, str], LearnerState | None] = {}
        if not lock_rows:
            # The launch already read this learner's rows (runtime.learner_rows): the first render uses them, once
            # (a retry after a collision, or any later runtime of the request, reads the database again).
            self._rows.update(session.preloaded_rows)
            session.preloaded_rows.clear()
        # What this request read of the shared summary, to write back only what it changed (see _save_summary).
        # Taken on first use: a launch's link has the summary deferred (runtime.link_cache), and a block
        # that never reads it must not load it.
        self._summary_read: dict | None = None

    # -- where a key lives ------------------------------------------------------------------------------
    def _place(self, key: KeyValueStore.Key) -> tuple[str, tuple[str, str, str] | None]:
        """("authoring" | "summary" | "learner" | "none", learner row key)."""
        scope = key.scope
        if scope in (Scope.children, Scope.parent):
            return "none", None
        if scope.user == UserScope.NONE:
            return "authoring", None
        if scope.user == UserScope.ALL:
            return "summary", None
        if key.user_id != self.user_id:
            return "none", None
        state, preferences, user_info = self._row_keys
        if scope.block == BlockScope.TYPE:
            return "learner", preferences
        if scope.block == BlockScope.ALL:
            return "learner", user_info
        return "learner", state

    def learner_row(self, row_key: tuple[str, str, str], create: bool) -> LearnerState | None:
        """The row (read once per request; a missing one is remembered as missing, and built unsaved on write)."""
        if row_key in self._rows and (self._rows[row_key] is not None or not create):
            return self._rows[row_key]
        lookup, query = row_lookup(self.session, row_key)
        row = None
        if row_key not in self._rows:
            manager = LearnerState.objects
            if self.lock_rows and transaction.get_connection().in_atomic_block:
                manager = manager.select_for_update()
            row = manager.filter(**query).order_by("pk").first()
        if row is None and create:
            context = self.session.context
            row = LearnerState(**lookup, state={}, user_name=context.user_name[:255], is_instructor=context.is_instructor)
        self._rows[row_key] = row
        return row

    def _container(self, key: KeyValueStore.Key, create: bool) -> dict | None:
        place, row_key = self._place(key)
        if place == "authoring":
            return self.session.link.settings
        if place == "summary":
            return self._summary()
        if place == "learner":
            row = self.learner_row(row_key, create)
            return None if row is None else row.state
        return None

    # -- KeyValueStore ----------------------------------------------------------------------------------
    def get(self, key):
        container = self._container(key, create=False)
        if container is None or key.field_name not in container:
            raise KeyError(key.field_name)
        return container[key.field_name]

    def has(self, key):
        container = self._container(key, create=False)
        return container is not None and key.field_name in container

    def set(self, key, value):
        self.set_many({key: value})

    def delete(self, key):
        self._write({key: None}, delete=True)

    def set_many(self, update_dict):
        self._write(update_dict, delete=False)

    def _write(self, updates: dict, delete: bool) -> None:
        touched_rows: set[tuple[str, str, str]] = set()
        touched_link: set[str] = set()
        for key, value in updates.items():
            place, row_key = self._place(key)
            if place == "none":
                log.warning("refused a write to field %s outside this learner's data", key.field_name)
                continue
            if place == "authoring" and not self.session.is_instructor:
                raise AuthoringForbidden(key.field_name)
            if place == "authoring" and self.session.link.setup_problems:
                # The instructor saved the settings: what the platform's custom parameters lacked is now set.
                self.session.link.setup_problems = []
                touched_link.add("setup_problems")
            if place == "learner":
                container = self.learner_row(row_key, create=True).state
                touched_rows.add(row_key)
            else:
                attr = "settings" if place == "authoring" else "summary"
                container = self.session.link.settings if place == "authoring" else self._summary()
                touched_link.add(attr)
            if delete:
                container.pop(key.field_name, None)
            else:
                container[key.field_name] = storable(value)
        for row_key in touched_rows:
            self._rows[row_key].save()
        if "summary" in touched_link:
            self._save_summary()
            touched_link.discard("summary")
        if touched_link:
            self.session.link.save(update_fields=[*sorted(touched_link), "modified"])

    def _summary(self) -> dict:
        """The link's shared summary, remembering what it held when this request first used it."""
        if self._summary_read is None:
            self._summary_read = copy.deepcopy(self.session.link.summary)
        return self.session.link.summary

    def _save_summary(self) -> None:
        """Write this request's changes to the shared summary on top of what others committed since it was read.

        The summary (``Scope.user_state_summary``: a leaderboard, a poll's tally) is shared by
        every learner of the link, and each request read it when its session opened. Writing
        the whole field back would drop whatever another learner committed in between (two
        learners finishing a hunt at once). So the row is read again under a lock, and only
        the keys this request changed inside each dictionary are applied to it; other
        fields are last-writer-wins, as in Open edX.
        """
        link = self.session.link
        fresh_rows = type(link).objects.filter(pk=link.pk)
        if transaction.get_connection().in_atomic_block:
            fresh_rows = fresh_rows.select_for_update()
        fresh = dict(fresh_rows.values_list("summary", flat=True).first() or {})
        for name, value in link.summary.items():
            before = self._summary_read.get(name, {} if isinstance(value, dict) else None)
            if isinstance(value, dict) and isinstance(before, dict) and isinstance(fresh.get(name, {}), dict):
                merged = dict(fresh.get(name, {}))
                for key in set(before) | set(value):
                    if key not in value:
                        merged.pop(key, None)
                    elif before.get(key) != value[key]:
                        merged[key] = value[key]
                fresh[name] = merged
            elif value != before:
                fresh[name] = value
        for name in set(self._summary_read) - set(link.summary):
            fresh.pop(name, None)
        link.summary = fresh
        self._summary_read = copy.deepcopy(fresh)
        link.save(update_fields=["summary", "modified"])


# ------------------------------------------------------------------------------------------ services


class LtiI18nService:
    """The launch's language, and our own catalogs for any block that asks the service to translate."""

    def __init__(self, language: str):
        self.language = language
        self._translations = translation(language)

    def get_language(self) -> str:
        return self.language

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    ugettext = gettext

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._translations.ngettext(singular, plural, count)

    ungettext = ngettext

    def strftime(self, dtime, format):  # the XBlock i18n service signature
        return dtime.strftime(format)

    def get_javascript_i18n_catalog_url(self, block):
        return None


def platform_teams(custom: dict) -> dict[str, Any]:
    """The groups the platform sent for the learner, as the blocks' team challenge reads them (blocks/team_challenge.py).

    Custom parameter names are compared without case: Moodle lower-cases the keys it stores.
    """
    lowered = {str(key).lower(): value for key, value in (custom or {}).items() if isinstance(value, str)}
    ids = [part.strip()[:100] for part in lowered.get(c.CUSTOM_TEAM_IDS, "").replace(";", ",").split(",")]
    # An unsubstituted variable ("$Canvas.group.contextIds" sent as is) names no group.
    ids = [part for part in ids if part and not part.startswith("$")][:50]
    team = lowered.get(c.CUSTOM_TEAM, "").strip()[:80]
    return {PLATFORM_GROUPS: ids, PLATFORM_TEAM: "" if team.startswith("$") else team}


class LtiUserService(UserService):
    """Who the learner is, as far as blocks need: an anonymous id and a display name (never the LTI sub)."""

    def __init__(self, session: RuntimeSession, anon_id: str):
        super().__init__()
        context = session.context
        user = XBlockUser(is_current_user=True, full_name=context.user_name or None, emails=[context.user_email] if context.user_email else [])
        user.opt_attrs["ldai.anonymous_user_id"] = anon_id
        user.opt_attrs["edx-platform.is_authenticated"] = True
        user.opt_attrs["ldai.is_instructor"] = context.is_instructor
        # The skills map's job family when the platform sets it per learner or per placement.
        user.opt_attrs["ldai.job_family"] = (context.custom.get(CUSTOM_JOB_FAMILY) or "").strip()[:64]
        user.opt_attrs.update(platform_teams(context.custom))
        self._user = user
        self._session = session
        self._directory: dict[str, str] | None = None

    def get_current_user(self):
        return self._user

    def get_user_by_anonymous_id(self, uid=None):
        """A learner of this resource link by the anonymous id blocks know them by (as Open edX's user service offers).

        Blocks use it to show a name the learner chose to show (a leaderboard's first names);
        only learners of the same link can be found, and only their name is given.
        """
        if uid is None:
            return self._user
        if self._directory is None:
            issuer = self._session.context.platform.issuer
            rows = LearnerState.objects.filter(
                deployment_id=self._session.link.deployment_id, resource_link_id=self._session.link.resource_link_id,
                scope=LearnerState.Scope.USER_STATE,
            ).values_list("user_sub", "user_name")
            self._directory = {hashlib.sha256(f"{issuer}|{sub}".encode()).hexdigest()[:32]: name for sub, name in rows}
        name = self._directory.get(uid)
        return None if name is None else XBlockUser(is_current_user=False, full_name=name or None)


class LtiSettingsService:
    """The block's settings bucket (``XBLOCK_SETTINGS[block.block_settings_key]``), like Open edX's service."""

    def get_settings_bucket(self, block, default=None):
        key = getattr(block, "block_settings_key", None) or type(block).__name__
        return getattr(settings, "XBLOCK_SETTINGS", {}).get(key, default if default is not None else {})


# ------------------------------------------------------------------------------------------ assets


@lru_cache(maxsize=512)
def _version(root: str, relative: str, mtime_ns: int) -> str:
    path = ASSET_ROOTS[root]() / relative
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


# URL per (URLconf, script prefix, root, file), for the life of the process: a page names a dozen assets and
# each cost a ``reverse`` and a ``stat``. Files do not change under a running server, except in development
# (DEBUG), where the file's mtime is read again on every call so an edited file gets a new hash at once.
_asset_urls: dict[tuple, str] = {}


def asset_url(root: str, relative: str) -> str:
    """URL of a shared front-end file, with a content hash so it can be cached for a year."""
    relative = relative.lstrip("/")
    key = (get_urlconf(), get_script_prefix(), root, relative)
    if not settings.DEBUG and key in _asset_urls:
        return _asset_urls[key]
    url = reverse("lti_tool:asset", args=(root, relative))
    path = ASSET_ROOTS[root]() / relative
    try:
        url = f"{url}?v={_version(root, relative, path.stat().st_mtime_ns)}"
    except OSError:
        return url  # not cached: the file may appear (a build step), and then it gets its hash
    if len(_asset_urls) < 2048:  # bounded: the key holds a name a block chose
        _asset_urls[key] = url
    return url


def _json_for_html(value: Any) -> str:
    """JSON that cannot close the ``<script>`` element it sits in (learner and author text ride in it)."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ------------------------------------------------------------------------------------------ runtime


class LtiRuntime(Runtime):
    """One learner, one resource link, one request (cheap to build; never shared between requests)."""

    def __init__(self, session: RuntimeSession, *, lock_rows: bool = False):
        self.session = session
        self.anon_id = anonymous_id(session)
        self.kvs = LtiKeyValueStore(session, self.anon_id, lock_rows=lock_rows)
        self.grades_recorded = 0
        self._handler_prefix: str | None = None
        ids = MemoryIdManager()
        services = {
            "field-data": KvsFieldData(self.kvs),
            "i18n": LtiI18nService(session.locale),
            "user": LtiUserService(session, self.anon_id),
            "settings": LtiSettingsService(),
            SERVICE_NAME: LlmJobService(),  # the prompt sandbox's LLM review runs as a task (llm_jobs.py)
            "ldai_badges": LtiBadgeService(session, self.anon_id),  # the tool issues the blocks' Open Badges
            # The course's one charter, per platform and context (read by the charter activity and the quiz).
            COURSE_CHARTER_SERVICE: LtiCourseCharterService(session),
            # The course's use-case library: the validated cases of every use-case link of the context (use_case_library.py).
            USE_CASE_LIBRARY_SERVICE: LtiUseCaseLibrary(session, self.anon_id),
        }
        super().__init__(ids, ids, services=services)

    @property
    def course_id(self) -> str:
        """The platform's course (LTI context), as the LMS runtime's ``course_id`` names the course."""
        return self.session.context.context_id or ""

    # -- the block of this resource link ----------------------------------------------------------------
    def usage_id(self) -> str:
        return f"lti-{self.session.link.pk}"

    def block(self):
        block_type = self.session.link.block_type
        if block_type not in BLOCK_TYPES:
            raise LookupError(block_type)
        cls = self.load_block_type(block_type)
        usage = self.usage_id()
        return self.construct_xblock_from_class(cls, ScopeIds(self.anon_id, block_type, usage, usage))

    # -- the launch's language ----------------------------------------------------------------------------
    # Blocks take Django's active language first (Open edX's request language); in the tool that is the
    # launch's, not the browser's, so every render and handler call runs with it activated.
    def render(self, block, view_name, context=None):
        with django_translation.override(self.session.locale):
            return super().render(block, view_name, context)

    def handle(self, block, handler_name, request, suffix=""):
        with django_translation.override(self.session.locale):
            return super().handle(block, handler_name, request, suffix)

    def applicable_aside_types(self, block):
        """No XBlock asides in the tool (the base runtime would scan every installed entry point per render)."""
        return []

    # -- URLs ---------------------------------------------------------------------------------------------
    def handler_prefix(self) -> str:
        if self._handler_prefix is None:  # one reverse per request, not one per handler URL the view asks for
            self._handler_prefix = reverse("lti_tool:handler-base", args=(self.session.token,))
        return self._handler_prefix

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
        func = getattr(block, handler_name, None)
        if not func or not getattr(func, "_is_xblock_handler", False):
            raise ValueError(f"{handler_name!r} is not a handler of {type(block).__name__}")
        url = self.handler_prefix() + f"{handler_name}/" + (suffix or "").lstrip("/")
        return url + (f"?{query}" if query else "")

    def resource_url(self, resource):
        return asset_url("ldai", resource)

    def local_resource_url(self, block, uri):
        for prefix in ("static/", "public/"):
            if uri.startswith(prefix):
                return asset_url("ldai", uri[len(prefix):])
        return asset_url("ldai", uri)

    # -- events -------------------------------------------------------------------------------------------
    def publish(self, block, event_type, event_data):
        if event_type == "grade":
            self._grade(event_data)
            return
        if isinstance(event_type, str) and event_type.startswith("ldai."):
            statements.record(self.session, self.anon_id, event_type, event_data)
        # Event names only: their data can hold a learner's answers.
        log.info("event %s from %s on resource link %s", event_type, block.scope_ids.block_type, self.session.link.pk)

    def _grade(self, data: dict) -> None:
        """Learner row (score, attempts) and outbox row, in the caller's transaction."""
        if not isinstance(data, dict):
            return
        if data.get("user_id") not in (None, self.anon_id):
            log.warning("ignored a grade event for another user on resource link %s", self.session.link.pk)
            return
        value, maximum = data.get("value"), data.get("max_value")
        key = (LearnerState.Scope.USER_STATE, self.session.link.resource_link_id, self.session.link.block_type)
        row = self.kvs.learner_row(key, create=True)
        try:
            previous = (row.score / row.max_score) if row.score is not None and row.max_score else None
            fraction = float(value) / float(maximum)
        except (TypeError, ValueError, ZeroDivisionError):
            log.warning("ignored a grade event without a usable value on resource link %s", self.session.link.pk)
            return
        if data.get("only_if_higher") and previous is not None and fraction <= previous:
            return
        row.score, row.max_score = float(value), float(maximum)
        row.attempts += 1
        row.save()
        if self.session.is_instructor:
            log.info("instructor preview graded on resource link %s: kept in the tool, not sent", self.session.link.pk)
            return
        try:
            outbox = record_score(self.session.link, self.session.context.user_sub, value, maximum)
        except ScoreRejected:
            log.warning("block published an impossible score on resource link %s", self.session.link.pk)
            return
        if outbox is not None:
            self.grades_recorded += 1

    # -- HTML ---------------------------------------------------------------------------------------------
    def wrap_xblock(self, block, view, frag, context):
        """The XBlock wrapper div, escaped (the base runtime writes init args into a script unescaped)."""
        data = {
            "usage": block.scope_ids.usage_id,
            "block-type": block.scope_ids.block_type,
            "handler-prefix": self.handler_prefix(),
        }
        if frag.js_init_fn:
            data["init"] = frag.js_init_fn
            data["runtime-version"] = frag.js_init_version
        attributes = "".join(f' data-{name}="{escape(value)}"' for name, value in data.items())
        classes = escape(" ".join(self._css_classes_for(block, view)))
        init_args = ""
        if getattr(frag, "json_init_args", None) is not None:
            init_args = f'<script type="json/xblock-args" class="xblock_json_init_args">{_json_for_html(frag.json_init_args)}</script>'
        wrapped = Fragment()
        wrapped.add_content(Markup(f'<div class="{classes}"{attributes}>{frag.body_html()}{init_args}</div>'))
        wrapped.add_fragment_resources(frag)
        return wrapped
