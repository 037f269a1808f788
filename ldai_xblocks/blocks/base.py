"""Shared mixins of the ldai XBlocks, one concern each (the free-text-response split).

An activity block is ``class X(ActivityBlock)`` plus its own fields, views and
handlers. What every activity needs lives here once:

* :class:`I18nMixin` - the language from the runtime, the strings from our catalogs;
* :class:`FragmentMixin` - templates + shared static files into a ``Fragment``;
* :func:`json_api` - a JSON handler that answers 400 with a message instead of a 500;
* :class:`ContentMixin` - a default pack or the author's own JSON, validated;
* :class:`GradedMixin` - the Open edX scoring contract (ScorableXBlockMixin, weight,
  completion) with the grade kept as the best attempt;
* :class:`LearnerMixin`, :class:`EventsMixin`, :class:`LeaderboardMixin`.
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
from ..i18n import N_, gettext_for, js_catalog, ngettext_for, normalize_language
from ..rendering import render
from ..resources import static_dir

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
            return json_response(method(self, data, suffix))
        except UserError as error:
            return json_response({"error": error.message, "code": error.code, "fields": error.fields}, error.status)

    return wrapper


class I18nMixin:
    """Take the language from the runtime's i18n service, translate with our own catalogs (see ldai_xblocks.i18n).

    The block class must declare ``@XBlock.needs("i18n")`` (ActivityBlock does).
    """

    def language(self) -> str:
        service = self.runtime.service(self, "i18n")
        get_language = getattr(service, "get_language", None)
        try:
            return normalize_language(get_language() if get_language else None)
        except Exception:  # a runtime whose service proxies an unconfigured translation layer
            return normalize_language(None)

    def _(self, message: str) -> str:
        return gettext_for(self.language())(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return ngettext_for(self.language())(singular, plural, count)


class FragmentMixin(I18nMixin):
    """Render a template and attach the shared front end (``static/``), then start the JS class."""

    resources_dir = ""
    public_dir = "static"

    @classmethod
    def _open_resource(cls, uri: str):
        # XBlock.open_local_resource has already refused anything outside static/ or with "/.".
        relative = uri.removeprefix(cls.public_dir + "/")
        return open(static_dir() / relative, "rb")

    def dom_id(self) -> str:
        """A short id, unique per block on a page, safe in HTML ids (usage ids are not)."""
        return "ldai-" + hashlib.sha1(str(self.scope_ids.usage_id).encode()).hexdigest()[:10]

    def static_url(self, path: str) -> str:
        return self.runtime.local_resource_url(self, f"{self.public_dir}/{path}")

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
        fragment = Fragment(render(template, {"uid": self.dom_id(), "content_lang": content_language, **context}, language))
        for path in ("css/ldai-common.css", *css):
            fragment.add_css_url(self.static_url(path))
        for path in ("js/ldai-common.js", *js):
            fragment.add_javascript_url(self.static_url(path))
        if js_class:
            fragment.initialize_js(js_class, {"lang": language, "content_lang": content_language, "i18n": js_catalog(language), **(js_args or {})})
        return fragment


class LearnerMixin:
    """Who is using the block: a stable anonymous id and a display name, in any runtime."""

    def learner_id(self) -> str:
        service = self.runtime.service(self, "user") if self.runtime else None
        user = service.get_current_user() if service else None
        opt = getattr(user, "opt_attrs", {}) or {}
        for key in ("edx-platform.anonymous_user_id", "ldai.anonymous_user_id", "xblock-workbench.user_id"):
            if opt.get(key):
                return str(opt[key])
        return str(self.scope_ids.user_id)

    def is_known_learner(self) -> bool:
        """Whether the runtime says the current user is a learner, so author-only data stays hidden.

        Open edX's LMS tells the role (``edx-platform.user_role``), the LTI tool whether the
        launch is an instructor's (``ldai.is_instructor``); Studio and the workbench say
        nothing and are author tools.
        """
        service = self.runtime.service(self, "user") if self.runtime else None
        user = service.get_current_user() if service else None
        opt = getattr(user, "opt_attrs", {}) or {}
        if opt.get("edx-platform.user_is_staff") or opt.get("ldai.is_instructor"):
            return False
        return opt.get("edx-platform.user_role") == "student" or opt.get("ldai.is_instructor") is False

    def refuse_learners(self) -> None:
        """Stop a learner at an author-only handler (a pack's answers, the annotations)."""
        if self.is_known_learner():
            raise UserError(self._("Only the course team can open this content."), 403, code="authors_only")

    def learner_display_name(self) -> str:
        service = self.runtime.service(self, "user") if self.runtime else None
        user = service.get_current_user() if service else None
        opt = getattr(user, "opt_attrs", {}) or {}
        return str(getattr(user, "full_name", "") or opt.get("edx-platform.username") or self.learner_id())


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


class LeaderboardMixin(LearnerMixin):
    """A course leaderboard per block (hallucination hunt, Promptathon), best score per learner.

    Entries live in ``Scope.user_state_summary`` (shared by the block's learners). Two
    learners finishing in the same instant may overwrite each other's entry: a board,
    not a gradebook, so the grade itself never depends on it.
    """

    MAX_ENTRIES = 500

    leaderboard_enabled = Boolean(display_name=_("Show a leaderboard"), scope=Scope.settings, default=False)
    leaderboard_size = Integer(display_name=_("Leaderboard size"), scope=Scope.settings, default=10, values={"min": 1, "max": 100})
    leaderboard_anonymous = Boolean(display_name=_("Anonymous leaderboard"), scope=Scope.settings, default=True)
    leaderboard_entries = Dict(scope=Scope.user_state_summary, default={})

    def record_on_leaderboard(self, score: float) -> None:
        if not self.leaderboard_enabled:
            return
        entries = dict(self.leaderboard_entries)
        me = self.learner_id()
        previous = entries.get(me, {}).get("score", -1.0)
        if score > previous:
            entries[me] = {"score": round(float(score), 4), "name": self.learner_display_name()[:80], "at": datetime.now(UTC).isoformat()}
            if len(entries) > self.MAX_ENTRIES:
                ranked = sorted(entries.items(), key=lambda kv: (-kv[1]["score"], kv[1]["at"]))
                entries = dict(ranked[: self.MAX_ENTRIES])
            self.leaderboard_entries = entries

    def leaderboard(self) -> dict[str, Any] | None:
        if not self.leaderboard_enabled:
            return None
        me = self.learner_id()
        ranked = sorted(self.leaderboard_entries.items(), key=lambda kv: (-kv[1]["score"], kv[1]["at"]))
        rows = []
        my_rank = None
        for index, (learner, entry) in enumerate(ranked, start=1):
            mine = learner == me
            if mine:
                my_rank = index
            if index <= self.leaderboard_size or mine:
                name = entry["name"] if not self.leaderboard_anonymous or mine else ""
                rows.append({"rank": index, "name": name, "score": entry["score"], "me": mine})
        return {"rows": rows, "my_rank": my_rank, "total": len(ranked)}


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
@XBlock.wants("user", "settings")
class ActivityBlock(EventsMixin, SettingsMixin, LeaderboardMixin, GradedMixin, ContentMixin, FragmentMixin, XBlock):
    """What every ldai activity is: content, a grade, events, fragments, i18n.

    ``multi_device``: the views work on phones (the mobile apps use student_view_data).
    """

    multi_device = True
    show_in_read_only_mode = True

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

    def save_studio_fields(self, data: dict[str, Any], values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
        """The end of a ``studio_submit``: the content fields checked with the others, then all saved, or none
        (``UserError`` with every field's message). ``values``/``errors`` come from :meth:`settings_errors`."""
        pack, custom, content_errors = self.check_content_fields(data.get("pack", self.pack), data.get("custom_content", self.custom_content))
        errors.update(content_errors)
        if errors:
            raise UserError(self._("Nothing was saved: correct the fields marked below."), fields=errors, code="invalid_settings")
        for name, value in values.items():
            setattr(self, name, value)
        self.pack = pack
        self.custom_content = custom
        return {"saved": True, "message": self._("Saved.")}

    def _number_message(self, kind: type, low: Any, high: Any) -> str:
        """What to type instead (an empty box, text, 1e309, NaN or -1 all get the same useful answer)."""
        if kind is int:
            return self._("Enter a whole number from {low} to {high}.").format(low=low, high=high)
        return self._("Enter a number from {low} to {high} (for example 1 or 2.5).").format(low=low, high=high)


def problems_as_text(problems: list[Problem]) -> list[str]:
    return [str(problem) for problem in problems]


NOT_AVAILABLE = N_("This activity is not available yet.")
