"""Shared mixins of the ldai XBlocks, one concern each (the free-text-response split).

An activity block is ``class X(ActivityBlock)`` plus its own fields, views and
handlers. What every activity needs lives here once:

* :class:`I18nMixin` - the language from the runtime, the strings from our catalogs;
* :class:`FragmentMixin` - templates + shared static files into a ``Fragment``;
* :func:`json_api` - a JSON handler that answers 400 with a message instead of a 500;
* :class:`ContentMixin` - a default pack or the author's own JSON, validated;
* :class:`GradedMixin` - the Open edX scoring contract (ScorableXBlockMixin, weight,
  completion) with the grade kept as the best attempt;
* :class:`LearnerMixin`, :class:`EventsMixin`, :class:`LeaderboardMixin`, :class:`BadgeMixin`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from web_fragments.fragment import Fragment
from webob import Response
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, Integer, Scope, String
from xblock.scorable import ScorableXBlockMixin, Score

from .. import json_input
from ..content import ContentError, Problem, load_pack, parse_document
from ..content.packs import JOB_FAMILIES, default_pack_ref, list_packs, pack_refs
from ..engine.teams import Entry, Season, individual_top, parse_instant
from ..i18n import JS_NAMESPACE, N_, gettext_for, js_catalog, ngettext_for, normalize_language, request_language
from ..rendering import pack_init_args, render
from ..resources import PUBLIC_DIR
from . import badging

log = logging.getLogger("ldai.blocks")

AUTO_PACK = "auto"


def _(message: str) -> str:
    """Mark a field's display name or help for extraction (Studio shows them through the platform)."""
    return message


class UserError(Exception):
    """Something the learner or author sent that we refuse, with a message in their language."""

    def __init__(self, message: str, status: int = 400, fields: dict[str, list[str]] | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.fields = fields or {}
        self.code = code


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(
        body=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type="application/json",
        charset="utf-8",
    )


def json_api(method: Callable) -> Callable:
    """An ``XBlock.handler`` that speaks JSON and never lets a user's input become a 500.

    The body must be a JSON object; a :class:`UserError` becomes ``{"error", "code",
    "fields"}`` with its status. Anything unexpected is logged (without the body, which
    may hold a learner's text) and answered with a generic 500 message.
    """

    @XBlock.handler
    @functools.wraps(method)
    def wrapper(self, request, suffix=""):
        if request.method != "POST":
            return json_response({"error": self._("Send this request with POST."), "code": "method"}, 405)
        try:
            data = json_input.loads(request.body.decode("utf-8") or "{}")
        except ValueError:  # not UTF-8, not JSON, or nested deep enough to exhaust the stack (json_input)
            return json_response({"error": self._("The request was not valid JSON. Reload the page and try again."), "code": "malformed"}, 400)
        if not isinstance(data, dict):
            return json_response({"error": self._("The request must be a JSON object. Reload the page and try again."), "code": "malformed"}, 400)
        try:
            result = method(self, data, suffix)
            # A badge earned by this request (BadgeMixin): at the attempt, or now that its evidence is recorded too.
            badge = self.__dict__.pop("_ldai_new_badge", None) or (badging.award_after_request(self) if isinstance(self, BadgeMixin) else None)
            return json_response({**result, "badge": badge} if badge and isinstance(result, dict) else result)
        except UserError as error:
            return json_response({"error": error.message, "code": error.code, "fields": error.fields}, error.status)

    return wrapper


class I18nMixin:
    """The learner's language, asked the way the platform decides it; the strings from our catalogs (ldai_xblocks.i18n).

    Order: Django's active language when a request (or the host) activated one - Open edX's
    request language, which its i18n service also reads -, then the runtime's i18n service
    (the workbench, the LTI launch, Open edX outside a request), then English. Open edX's
    ``XBlockI18nService`` swaps its translator for a plain gettext object once it finds our
    catalogs, and that object has no ``get_language``: the service alone is not enough.

    The block class must declare ``@XBlock.needs("i18n")`` (ActivityBlock does).
    """

    i18n_js_namespace = JS_NAMESPACE
    """Where Open edX's compiled JavaScript catalog (atlas, OEP-58) puts its functions, as drag-and-drop-v2 does."""

    def language(self) -> str:
        return normalize_language(request_language() or self._service_language())

    def _service_language(self) -> str | None:
        service = self.runtime.service(self, "i18n") if self.runtime else None
        try:
            get_language = getattr(service, "get_language", None)
            return get_language() if get_language else None
        except Exception:  # a service proxying an unconfigured translation layer
            return None

    def _(self, message: str) -> str:
        return gettext_for(self.language())(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return ngettext_for(self.language())(singular, plural, count)


class FragmentMixin(I18nMixin):
    """Render a template, attach the shared front end, start the JS class with its arguments encoded safely.

    Every URL is ``runtime.local_resource_url(self, "public/...")``: in Open edX that is the
    collected static file ``/static/xblock/resources/ldai_xblocks.blocks/public/...`` (the
    platform's XBlock static finder collects the block package's ``public/`` folder, which is
    our ``static/``: docs/decisions/0003); XBlock's own ``open_local_resource`` serves the same
    file in development runtimes. No override: a wrong location must fail everywhere.

    The start-up arguments carry author and learner text; hosts write them into a
    ``<script>`` element, some without escaping ``</`` (xblock-sdk's workbench, XBlock's base
    ``wrap_xblock``). So they travel as ONE string of JSON in which ``<``, ``>``, ``&`` and the
    line separators are ``\\u`` escapes: whatever the host does with it, no ``</script>`` or
    ``<!--`` can appear; ``LdaiCommon.initArgs`` decodes it (ldai_xblocks.rendering.pack_init_args).
    """

    def dom_id(self) -> str:
        """A short id, unique per block on a page, safe in HTML ids (usage ids are not)."""
        return "ldai-" + hashlib.sha1(str(self.scope_ids.usage_id).encode()).hexdigest()[:10]

    def static_url(self, path: str) -> str:
        return self.runtime.local_resource_url(self, f"{PUBLIC_DIR}/{path}")

    def _platform_js_catalog(self) -> str | None:
        """The URL of Open edX's compiled catalog of our JavaScript strings (atlas), when the platform has one."""
        service = self.runtime.service(self, "i18n") if self.runtime else None
        get_url = getattr(service, "get_javascript_i18n_catalog_url", None)
        try:
            url = get_url(self) if get_url else None
        except Exception:  # a service without the method's Django context (collect time)
            return None
        return url if isinstance(url, str) and url else None

    def build_fragment(
        self,
        template: str,
        context: dict[str, Any],
        js_class: str | None = None,
        js_args: dict[str, Any] | None = None,
        css: tuple[str, ...] = (),
        js: tuple[str, ...] = (),
    ) -> Fragment:
        language = self.language()
        content_language = self.content_language() if hasattr(self, "content_language") else language
        badge = {"ldai_badge": badging.learner_view(self), "ldai_badge_editor": badging.editor_view(self)} if isinstance(self, BadgeMixin) else {}
        fragment = Fragment(render(template, {"uid": self.dom_id(), "content_lang": content_language, **badge, **context}, language))
        for path in ("css/ldai-common.css", *css):
            fragment.add_css_url(self.static_url(path))
        platform_catalog = self._platform_js_catalog()
        if platform_catalog:
            fragment.add_javascript_url(platform_catalog)
        for path in ("js/ldai-common.js", *js):
            fragment.add_javascript_url(self.static_url(path))
        if js_class:
            args = {"lang": language, "content_lang": content_language, "i18n": js_catalog(language), **(js_args or {})}
            fragment.initialize_js(js_class, pack_init_args(args))
        return fragment


class LearnerMixin:
    """Who is using the block: a stable anonymous id and a display name, in any runtime."""

    def learner_id(self) -> str:
        opt = getattr(self.current_user(), "opt_attrs", {}) or {}
        for key in ("edx-platform.anonymous_user_id", "ldai.anonymous_user_id", "xblock-workbench.user_id"):
            if opt.get(key):
                return str(opt[key])
        return str(self.scope_ids.user_id)

    def current_user(self):
        """The runtime's XBlockUser, or None when the runtime has no user service."""
        service = self.runtime.service(self, "user") if self.runtime else None
        try:
            return service.get_current_user() if service else None
        except Exception:  # a service that needs a request (collect time in Open edX)
            return None

    def is_author(self) -> bool:
        """Whether the current user may use the author-only handlers, asked the way each host decides it.

        - Studio (component handler, preview, ``cms/djangoapps/contentstore/...``): the
          ``studio_user_permissions`` service says whether the user may write to the course;
          its user service says nothing useful there (role ``student`` by default,
          ``common/djangoapps/xblock_django/user_service.py``).
        - Content libraries v2 in Studio (``openedx/core/djangoapps/xblock/runtime/``): authored
          data is writable only for users the library allows (its ``save_block`` checks
          ``can_edit_block``); the same runtime in the LMS is read-only and falls through.
        - The LMS: course staff, by the user service's role (``staff``/``instructor``) or staff flag.
        - The LTI tool: the launch's role (``ldai.is_instructor``).
        - A host with no notion of roles at all (xblock-sdk's workbench, a test runtime): authors.
        """
        permissions = self.runtime.service(self, "studio_user_permissions") if self.runtime else None
        context = _context_key(self.scope_ids.usage_id)
        if permissions is not None and context is not None:
            for check in ("can_write", "can_edit_content"):
                if callable(getattr(permissions, check, None)):
                    return bool(getattr(permissions, check)(context))
        mode = getattr(self.runtime, "authored_data_mode", None)
        if mode is not None and getattr(mode, "name", str(mode)) != "STRICTLY_PUBLISHED":
            return True
        user = self.current_user()
        opt = getattr(user, "opt_attrs", {}) or {}
        if "ldai.is_instructor" in opt:
            return bool(opt["ldai.is_instructor"])
        if opt.get("edx-platform.user_is_staff") or opt.get("edx-platform.user_role") in STAFF_ROLES:
            return True
        if any(key in opt for key in ("edx-platform.user_role", "edx-platform.user_is_staff", "edx-platform.is_authenticated")):
            return False
        return True

    def refuse_learners(self) -> None:
        """Stop anyone but an author at an author-only handler (a pack's answers, the annotations, the settings)."""
        if not self.is_author():
            raise UserError(self._("Only the course team can open this content."), 403, code="authors_only")



STAFF_ROLES = ("staff", "instructor")
"""Open edX's course roles that may author (``lms/djangoapps/courseware/access.py`` get_user_role)."""


def _context_key(usage_id: Any) -> Any:
    """The course or library an Open edX usage key belongs to; None for other runtimes' plain ids."""
    return getattr(usage_id, "context_key", None) or getattr(usage_id, "course_key", None)


class EventsMixin(LearnerMixin):
    """Namespaced tracking events: ``ldai.<activity>.<action>`` (the learning team's analytics)."""

    activity: str = ""

    def emit(self, action: str, data: dict[str, Any]) -> None:
        self.runtime.publish(self, f"ldai.{self.activity}.{action}", data)


class SettingsMixin:
    """The ``LDAI`` settings bucket (Django settings / XBLOCK_SETTINGS); never course content."""

    block_settings_key = "LDAI"

    def ldai_settings(self) -> dict[str, Any]:
        service = self.runtime.service(self, "settings") if self.runtime else None
        try:
            bucket = service.get_settings_bucket(self, default={}) if service else {}
        except Exception:  # a runtime without Django settings configured
            bucket = {}
        return bucket or {}


class ContentMixin(I18nMixin):
    """Content from a default pack (``"<lang>/<id>"`` or ``auto``) or the author's own JSON, validated.

    ``auto`` shows the default pack in the learner's language, so one block serves
    English and French learners alike. Custom content wins when present.
    """

    content_kind: str = ""

    pack = String(
        display_name=_("Content pack"),
        help=_("A default pack, or 'auto' for the default pack in the learner's language."),
        scope=Scope.settings,
        default=AUTO_PACK,
    )
    custom_content = String(
        display_name=_("Your own content (JSON)"),
        help=_("Replaces the pack when filled in; validated before it is saved."),
        scope=Scope.settings,
        default="",
    )

    def pack_ref(self) -> str | None:
        if self.pack and self.pack != AUTO_PACK:
            return self.pack
        return default_pack_ref(self.content_kind, self.language())

    def content_source(self) -> tuple[str, str]:
        """Where the content in force comes from: ``("custom", json_text)`` or ``("pack", ref)``.

        A key for anything derived from the content (the quiz's bank), so it is computed
        once per source rather than on every request. A broken stored document falls back
        to the default pack (logged).
        """
        if self.custom_content:
            try:
                _parse_cached(self.content_kind, self.custom_content)
                return ("custom", self.custom_content)
            except ContentError:
                log.warning("custom content of %s is invalid; showing the default pack", self.scope_ids.usage_id)
        ref = self.pack_ref() or ""
        if ref not in pack_refs(self.content_kind):
            ref = default_pack_ref(self.content_kind, self.language()) or ""
        return ("pack", ref)

    def content_language(self) -> str:
        """The language the content is written in, which may differ from the interface's (an author's choice)."""
        return normalize_language(self.content_document().get("lang"))

    def content_document(self) -> dict:
        """The content in force (see :meth:`content_source`), parsed and validated once per process."""
        origin, value = self.content_source()
        return _parse_cached(self.content_kind, value) if origin == "custom" else load_pack(self.content_kind, value)

    def pack_options(self) -> list[dict[str, str]]:
        return [{"ref": AUTO_PACK, "title": self._("Default pack in the learner's language")}] + [
            # The pack's own language on its option (WCAG 3.1.2): an English pack's title in a French Studio is not a leak.
            {"ref": info.ref, "title": f"{info.title} ({info.lang})", "lang": info.lang} for info in list_packs(self.content_kind)
        ]

    def default_document(self, ref: Any) -> dict:
        """A default pack's document for an author to start from (``pack_document`` handlers); ``auto`` is the block's own."""
        ref = self.pack_ref() if ref in (None, AUTO_PACK) else ref
        try:
            return load_pack(self.content_kind, ref)
        except (KeyError, TypeError) as error:
            message = self._("Choose one of the listed packs.")
            raise UserError(message, fields={"pack": [message]}) from error

    def check_content_fields(self, pack: Any, custom: Any) -> tuple[str, str, dict[str, list[str]]]:
        """Validate the two content fields as an author sent them; field errors in the author's language."""
        errors: dict[str, list[str]] = {}
        pack = pack if isinstance(pack, str) else ""
        custom = custom if isinstance(custom, str) else ""
        if pack != AUTO_PACK and pack not in pack_refs(self.content_kind):
            errors["pack"] = [self._("Choose one of the listed packs.")]
        if custom.strip():
            try:
                parse_document(self.content_kind, custom, self._)
            except ContentError as error:
                errors["custom_content"] = [str(p) for p in error.problems[:20]]
        return pack, custom.strip(), errors


@functools.lru_cache(maxsize=64)
def _parse_cached(kind: str, text: str) -> dict:
    return parse_document(kind, text)


class GradedMixin(ScorableXBlockMixin, CompletableXBlockMixin):
    """The Open edX scoring contract, as drag-and-drop-v2 keeps it.

    The raw score is a fraction in [0, 1] (``raw_possible`` = 1); the platform applies
    ``weight``. The grade kept is the best completed attempt, published on every submit
    that completes an attempt, with completion.
    """

    icon_class = "problem"
    has_author_view = False

    weight = Float(
        display_name=_("Problem weight"),
        help=_("How many points the activity is worth in the course grade."),
        scope=Scope.settings,
        default=1.0,
        values={"min": 0, "step": 0.1},
    )
    max_attempts = Integer(
        display_name=_("Attempts allowed"),
        help=_("0 means unlimited."),
        scope=Scope.settings,
        default=2,
        values={"min": 0},
    )
    raw_earned = Float(scope=Scope.user_state, default=0.0, help="Best completed attempt, in [0, 1].")
    completed_attempts = Integer(scope=Scope.user_state, default=0)

    def max_score(self) -> float:
        return 1.0

    def attempts_left(self) -> int | None:
        return None if not self.max_attempts else max(0, self.max_attempts - self.completed_attempts)

    def has_submitted_answer(self) -> bool:
        return self.completed_attempts > 0

    def get_score(self) -> Score:
        return Score(raw_earned=self.raw_earned, raw_possible=1.0)

    def set_score(self, score: Score) -> None:
        self.raw_earned = score.raw_earned / score.raw_possible if score.raw_possible else 0.0

    def calculate_score(self) -> Score:
        return Score(raw_earned=self.raw_earned, raw_possible=1.0)

    def record_attempt(self, fraction: float) -> float:
        """Count a completed attempt, keep the best score, publish grade and completion."""
        fraction = min(1.0, max(0.0, float(fraction)))
        self.completed_attempts += 1
        self.raw_earned = max(self.raw_earned, fraction)
        self._publish_grade(self.get_score())
        self.emit_completion(1.0)
        return self.raw_earned


NAME_CHOICES = ("hidden", "first_name", "alias")
CONSENTING_CHOICES = ("first_name", "alias")
"""How a learner appears to the others on a leaderboard: not at all (the default), by first name, by an alias."""
MAX_ALIAS = 40


class LeaderboardMixin(LearnerMixin):
    """A course leaderboard per block (hallucination hunt, Promptathon), best score per learner, for courses of thousands.

    - Entries are keyed by the learner's anonymous id and hold a score, a time and the
      learner's own choice of name (hidden / first name / alias): never a full name, because
      ``Scope.user_state_summary`` is readable by every learner of the block.
    - A first name is looked up when the board is drawn (the user service's
      ``get_user_by_anonymous_id``, which Open edX provides), so a learner who changes their
      mind, or their name, is shown as they are now; the author's "hide names" setting wins.
    - Concurrent submits: each learner writes only their own key, so a host that merges the
      summary key by key under a lock loses nothing (the LTI tool does:
      ``lti_tool/runtime``). Where the host writes the whole field (Open edX), the learner's
      own best is also kept in their state and put back on the board whenever they return.
    """

    MAX_ENTRIES = 5000

    leaderboard_enabled = Boolean(display_name=_("Show a leaderboard"), scope=Scope.settings, default=False)
    leaderboard_size = Integer(display_name=_("Leaderboard size"), scope=Scope.settings, default=10, values={"min": 1, "max": 100})
    leaderboard_anonymous = Boolean(display_name=_("Anonymous leaderboard"), scope=Scope.settings, default=True)
    leaderboard_entries = Dict(scope=Scope.user_state_summary, default={})
    leaderboard_mine = Dict(scope=Scope.user_state, default={}, help="This learner's own entry, to restore it if a concurrent write lost it.")
    leaderboard_name = Dict(scope=Scope.preferences, default={}, help="How this learner appears on leaderboards: {show, alias}.")

    def _my_name_choice(self) -> dict[str, str]:
        choice = dict(self.leaderboard_name or {})
        show = choice.get("show") if choice.get("show") in NAME_CHOICES else "hidden"
        alias = str(choice.get("alias") or "")[:MAX_ALIAS] if show == "alias" else ""
        return {"show": show, "alias": alias} if alias or show != "alias" else {"show": "hidden", "alias": ""}

    def _write_my_entry(self, entry: dict[str, Any]) -> None:
        entries = {key: value for key, value in self.leaderboard_entries.items() if isinstance(value, dict)}
        entries[self.learner_id()] = entry
        if len(entries) > self.MAX_ENTRIES:
            ranked = sorted(entries.items(), key=lambda kv: (-kv[1].get("score", 0), kv[1].get("at", "")))
            entries = dict(ranked[: self.MAX_ENTRIES])
        self.leaderboard_entries = entries

    def record_on_leaderboard(self, score: float) -> None:
        if not self.leaderboard_enabled:
            return
        previous = (self.leaderboard_mine or {}).get("score", -1.0)
        if score > previous:
            self.leaderboard_mine = {"score": round(float(score), 4), "at": datetime.now(UTC).isoformat(), **self._my_name_choice()}
        extras = self.leaderboard_extras()
        if self.leaderboard_mine and any(self.leaderboard_mine.get(key) != value for key, value in extras.items()):
            self.leaderboard_mine = {**self.leaderboard_mine, **extras}  # a learner who changed team takes their best along
        self.restore_my_entry()

    def leaderboard_extras(self) -> dict[str, Any]:
        """More fields of the learner's entry (the team challenge adds the team); none on a plain board."""
        return {}

    def leaderboard_season(self) -> Season | None:
        """When entries count (the team challenge's season); None: always."""
        return None

    def restore_my_entry(self) -> None:
        """Put the learner's best back on the board if a concurrent write of the whole field dropped it (on POST only)."""
        mine = self.leaderboard_mine or {}
        current = self.leaderboard_entries.get(self.learner_id())
        if self.leaderboard_enabled and mine and current != mine:
            self._write_my_entry(dict(mine))

    def set_leaderboard_name(self, show: Any, alias: Any) -> dict[str, Any]:
        """The learner's choice of how others see them; applied to their entry at once."""
        if show not in NAME_CHOICES:
            raise UserError(self._("Choose one of the listed options."), fields={"show": [self._("Choose one of the listed options.")]})
        alias = alias.strip()[:MAX_ALIAS] if isinstance(alias, str) else ""
        if show == "alias" and not alias:
            raise UserError(self._("Write the name to show, or choose another option."), fields={"alias": [self._("Write the name to show, or choose another option.")]})
        self.leaderboard_name = {"show": show, "alias": alias if show == "alias" else ""}
        mine = self.leaderboard_mine or {}
        if mine:
            mine = {**mine, **self._my_name_choice()}
            self.leaderboard_mine = mine
            self._write_my_entry(mine)
        return {"saved": True, "leaderboard": self.leaderboard()}

    def _first_name(self, anonymous_id: str) -> str:
        """The learner's first name now, from the host's user directory; "" when the host has none."""
        service = self.runtime.service(self, "user") if self.runtime else None
        lookup = getattr(service, "get_user_by_anonymous_id", None)
        try:
            user = lookup(anonymous_id) if lookup else None
        except Exception:  # an id the platform no longer knows
            return ""
        if user is None:
            return ""
        first = getattr(user, "first_name", "") or ""
        if not first:
            profile = getattr(user, "profile", None)
            full = getattr(profile, "name", "") or getattr(user, "full_name", "") or ""
            first = full.split()[0] if full.split() else ""
        return str(first)[:MAX_ALIAS]

    def _shown_name(self, anonymous_id: str, entry: dict[str, Any]) -> str:
        if self.leaderboard_anonymous:
            return ""
        if entry.get("show") == "alias":
            return str(entry.get("alias") or "")[:MAX_ALIAS]
        if entry.get("show") == "first_name":
            return self._first_name(anonymous_id)
        return ""

    def _board_entries(self) -> dict[str, dict[str, Any]]:
        """The entries on the board, with the learner's own best even before restore_my_entry writes it back."""
        entries = {key: value for key, value in self.leaderboard_entries.items() if isinstance(value, dict) and _is_score(value.get("score"))}
        mine = self.leaderboard_mine or {}
        me = self.learner_id()
        if mine and entries.get(me, {}).get("score", -1.0) < mine.get("score", -1.0):
            entries[me] = mine
        return entries

    def _ranked_entries(self, entries: dict[str, dict[str, Any]]) -> list[Entry]:
        """The board as the engine ranks it; a learner consents to be seen by choosing a name the author lets appear."""
        names_shown = not self.leaderboard_anonymous
        return [Entry(learner, float(entry["score"]), parse_instant(entry.get("at")), str(entry.get("team") or ""),
                      consented=names_shown and entry.get("show") in CONSENTING_CHOICES)
                for learner, entry in entries.items()]

    def leaderboard(self) -> dict[str, Any] | None:
        """What this learner may see: their own row, and only the learners who chose to be seen (item 4 of issue 15).

        A learner who keeps "do not show my name" is counted in the ranks but neither their name
        nor their score reaches anyone else; with the author's "hide names" nobody else's row is sent.
        """
        if not self.leaderboard_enabled:
            return None
        entries = self._board_entries()
        rows, my_rank, total = individual_top(self._ranked_entries(entries), self.learner_id(), self.leaderboard_size, self.leaderboard_season())
        return {"rows": [{"rank": row.rank, "name": self._shown_name(row.learner, entries[row.learner]), "score": row.score, "me": row.me} for row in rows],
                "my_rank": my_rank, "total": total, "names_shown": not self.leaderboard_anonymous, "my_name": self._my_name_choice()}

    @json_api
    def leaderboard_name_choice(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Handler: the learner chooses how the others see them on the leaderboard."""
        return self.set_leaderboard_name(data.get("show"), data.get("alias"))


def _is_score(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


class BadgeMixin:
    """An Open Badge on the activity (see blocks/badging.py): the author's settings, the learner's badge.

    Issued when an attempt meets the author's rule, through the shell's issuer; the learner's
    response to that request carries the badge (``json_api`` adds it), and the view shows it after.
    """

    badge = Dict(display_name=_("Open Badge"), help=_("A badge learners earn on this activity."), scope=Scope.settings, default={})
    badge_earned = Dict(scope=Scope.user_state, default={}, help="The learner's credential (VC-JWT) and how to show it.")

    def record_attempt(self, fraction: float) -> float:
        best = super().record_attempt(fraction)
        self.__dict__["_ldai_new_badge"] = badging.award_if_earned(self, best)
        return best

    @json_api
    def badge_submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Save the badge section of the Studio form (its own handler: one form, every activity)."""
        self.refuse_learners()
        clean, errors = badging.validate(self, data)
        if errors:
            raise UserError(self._("The badge was not saved: correct the fields marked."), fields=errors)
        self.badge = clean
        return {"message": self._("Badge saved."), "warning": badging.editor_view(self)["warning"]}

    @XBlock.handler
    def badge_file(self, request, suffix: str = ""):
        return badging.file_response(self, suffix)


# Studio fields every activity has, as ``settings_errors`` specs.
COMMON_SETTINGS: dict[str, tuple[type, Any, Any]] = {
    "display_name": (str, None, 200),
    "max_attempts": (int, 0, 100),
    "weight": (float, 0, 1000),
}
LEADERBOARD_SETTINGS: dict[str, tuple[type, Any, Any]] = {
    "leaderboard_enabled": (bool, None, None),
    "leaderboard_size": (int, 1, 100),
    "leaderboard_anonymous": (bool, None, None),
}
JOB_FAMILY_CHOICES = ("", *JOB_FAMILIES)


@XBlock.needs("i18n")
@XBlock.wants("user", "settings", "studio_user_permissions", "ldai_badges", "ldai_skills")
class ActivityBlock(EventsMixin, SettingsMixin, BadgeMixin, LeaderboardMixin, GradedMixin, ContentMixin, FragmentMixin, XBlock):
    """What every ldai activity is: content, a grade, events, fragments, i18n.

    Every ``student_view`` is decorated ``@XBlock.supports("multi_device")``: the mobile apps
    ask ``has_support`` (a class attribute is not read; docs/decisions/0003).
    """

    show_in_read_only_mode = True

    @property
    def multi_device(self) -> bool:
        """Whether the learner view is offered to the mobile apps, as the course-blocks API asks it."""
        return self.has_support(getattr(type(self), "student_view", None), "multi_device")

    display_name = String(display_name=_("Title"), scope=Scope.settings, default="")

    def title(self) -> str:
        return self.display_name or self.default_title()

    def default_title(self) -> str:  # pragma: no cover - every activity overrides it
        return ""

    def save_all_or_nothing(self, values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
        """Studio's save: nothing when any field is wrong (each explained next to it), else every value."""
        if errors:
            raise UserError(self._("Nothing was saved: correct the fields marked below."), fields=errors, code="invalid_settings")
        for name, value in values.items():
            setattr(self, name, value)
        return {"saved": True, "message": self._("Saved.")}

    def settings_errors(
        self,
        data: dict[str, Any],
        spec: dict[str, tuple[type, Any, Any]],
        choices: dict[str, tuple] | None = None,
    ) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """Check plain Studio fields against ``{name: (type, minimum, maximum)}`` and ``{name: options}``.

        Returns the values that passed and a message per failing field, for authors; fields
        absent from ``data`` are left alone (the block keeps its current value).
        """
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for name, options in (choices or {}).items():
            if name in data:
                if isinstance(data[name], str) and data[name] in options:
                    values[name] = data[name]
                else:
                    errors[name] = [self._("Choose one of the listed options.")]
        for name, (kind, low, high) in spec.items():
            if name not in data:
                continue
            raw = data[name]
            try:
                if kind is bool:
                    if not isinstance(raw, bool):
                        raise ValueError
                    value = raw
                elif kind is str:
                    if not isinstance(raw, str):
                        raise ValueError
                    value = raw.strip()
                    if high is not None and len(value) > high:
                        errors[name] = [self._("At most {count} characters.").format(count=high)]
                        continue
                else:
                    if isinstance(raw, bool):
                        raise ValueError
                    value = kind(raw)
                    if value != value:  # NaN
                        raise ValueError
            except (TypeError, ValueError, OverflowError):
                errors[name] = [self._number_message(kind, low, high) if kind in (int, float) else self._("This value is not valid here.")]
                continue
            if kind in (int, float) and ((low is not None and value < low) or (high is not None and value > high)):
                errors[name] = [self._number_message(kind, low, high)]
                continue
            values[name] = value
        return values, errors

    def checked_content(self, data: dict[str, Any]) -> tuple[str, str, dict[str, list[str]]]:
        """The pack and own content a Studio save sends (the block's own where absent), checked: (pack, custom, errors)."""
        return self.check_content_fields(data.get("pack", self.pack), data.get("custom_content", self.custom_content))

    def save_studio_fields(
        self,
        data: dict[str, Any],
        values: dict[str, Any],
        errors: dict[str, list[str]],
        content: tuple[str, str, dict[str, list[str]]] | None = None,
    ) -> dict[str, Any]:
        """The end of a ``studio_submit``: the content fields checked with the others, then all saved, or none
        (``UserError`` with every field's message). ``values``/``errors`` come from :meth:`settings_errors`;
        ``content`` is :meth:`checked_content` when the block already read it to check other fields against it."""
        pack, custom, content_errors = content or self.checked_content(data)
        errors.update(content_errors)
        return self.save_all_or_nothing({**values, "pack": pack, "custom_content": custom}, errors)

    def _number_message(self, kind: type, low: Any, high: Any) -> str:
        """What to type instead (an empty box, text, 1e309, NaN or -1 all get the same useful answer)."""
        if kind is int:
            return self._("Enter a whole number from {low} to {high}.").format(low=low, high=high)
        return self._("Enter a number from {low} to {high} (for example 1 or 2.5).").format(low=low, high=high)


def from_percent(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """Settings typed as percentages (a pass mark of 80) as the fractions the fields keep (0.8)."""
    return {name: value / 100 if name in names else value for name, value in values.items()}


def problems_as_text(problems: list[Problem]) -> list[str]:
    return [str(problem) for problem in problems]


NOT_AVAILABLE = N_("This activity is not available yet.")
