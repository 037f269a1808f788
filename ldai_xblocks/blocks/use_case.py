"""The use-case library XBlock (``ldai_use_case``), with the managers' perceived-usage survey as a second mode.

Library mode: a learner records a use case of AI in their job (task, tool, data involved, a before/after
example, minutes saved per week, a rating of the result); the confidential-data guard reads every text
BEFORE anything is stored (engine.use_cases: nothing confidential is saved, the learner is told which kind
of data to remove from which field and keeps what they typed). The course team (the learner's manager or
instructor) validates or declines each case; validated cases form the library every learner of the block
browses by job family and may "adopt" (each learner once; adoptions are counted).

One library per course where the host can offer it: a host that keeps every link of a course apart but can
reach them all (the LTI tool) offers the ``ldai_use_case_library`` service (``LIBRARY_SERVICE``,
``lti_tool/runtime/use_case_library.py``); the library then lists the validated cases of every use-case
block of the same deployment and course, and an adoption is counted on the block that owns the case, under
that block's row lock. Without the service (Open edX: the LMS's field data has no course-wide scope a block
may write, ``user_state_summary`` is per block) the library is this block's own, as before.

Survey mode: managers rate their team's AI usage on the pack's fixed items (content is data, EN/FR),
as often as the course asks (each response dated, the earlier ones kept).

Where things live: a learner's own cases, adoptions and survey responses in ``user_state``; the cases
shared with the course in ``user_state_summary`` (shared by the block's learners, as the leaderboard).
Two learners saving in the same instant may overwrite each other's shared entry, like the leaderboard:
the library is a showcase, the events (and so the tool's statements) are the record that counts.
Only the author's anonymous id is kept; the course team sees the author's first name, looked up from the
host's user directory when the list is drawn; peers never see who wrote a case (privacy by default).

Events (engine.xapi maps them): ``case_recorded``, ``case_validated``, ``case_adopted`` with
``job_family`` and ``minutes_saved``; ``usage_rated`` with the item scores. The case's texts go into an
event only when the operator allows learner free text (``LDAI["XAPI_FREE_TEXT"]``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from webob import Response
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, List, Scope, String

from ..content.packs import JOB_FAMILIES
from ..engine import use_cases
from ..i18n import N_
from .base import ActivityBlock, UserError, _, json_api, json_response, read_whole
from .prompt_sandbox import KIND_LABELS

MODES = ("library", "usage_survey")
BLOCK_TYPE = "ldai_use_case"
VALIDATED = "validated"
LIBRARY_SERVICE = "ldai_use_case_library"  # the course-wide library, where the host offers it (module docstring)
FAMILY_LABELS = {"marketing": N_("Marketing"), "finance": N_("Finance"), "hr": N_("Human resources"), "production": N_("Production"),
                 "sales": N_("Sales"), "management": N_("Management")}
RATING_LABELS = {1: N_("1 - not usable"), 2: N_("2 - poor"), 3: N_("3 - fair"), 4: N_("4 - good"), 5: N_("5 - excellent")}
# The case form's text fields: (name, label, help, control); limits in engine.use_cases.TEXT_LIMITS.
CASE_FIELDS = (
    ("task", N_("Task"), N_("What you do with AI, in a sentence or two (at least 10 characters)."), "textarea"),
    ("tool", N_("Tool"), N_("Which AI tool (for example the company's assistant)."), "text"),
    ("data", N_("Data involved"), N_("What kind of data the tool sees: describe it, never paste it. Optional."), "textarea"),
    ("before", N_("Before"), N_("How you did the task without AI, and how long it took."), "textarea"),
    ("after", N_("After"), N_("How you do it now with AI, including what you check."), "textarea"),
    ("minutes_saved", N_("Minutes saved per week"), N_("A whole number from 0 to 2400."), "number"),
)
MAX_SHARED_CASES = 1000  # in one block's library (the oldest declined ones go first)
MAX_CASES_PER_LEARNER = 50
MAX_SURVEY_RESPONSES = 200
TEAM_MAX = 64


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class LibraryRefused(Exception):
    """Why the course-wide library refused an adoption; ``code`` as the block's own checks name it."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@XBlock.wants(LIBRARY_SERVICE)
class UseCaseBlock(ActivityBlock):
    """Record, validate, browse and adopt use cases of AI at work; or rate a team's perceived AI usage.

    The library is the course's (every use-case block of the course) where the runtime offers the
    ``ldai_use_case_library`` service (the LTI tool), this block's alone where it does not (Open edX, whose
    LMS field data has no course-wide scope): see the module docstring.
    """

    activity = "use_case"
    content_kind = "use_case"

    mode = String(display_name=_("Mode"), help=_("A use-case library, or the managers' perceived-usage survey."),
                  scope=Scope.settings, default="library", values=list(MODES))
    job_family = String(display_name=_("Job family"), help=_("Proposed first when a learner records a case, and the library's first filter."),
                        scope=Scope.settings, default="")
    require_validation = Boolean(display_name=_("Cases need validation"),
                                 help=_("A case joins the library once the course team validates it."), scope=Scope.settings, default=True)

    my_cases = List(scope=Scope.user_state, default=[], help="Ids of the cases this learner recorded.")
    adopted = List(scope=Scope.user_state, default=[], help="Ids of the cases this learner adopted.")
    survey_responses = List(scope=Scope.user_state, default=[], help="[{at, scores, team}] of this manager.")
    cases = Dict(scope=Scope.user_state_summary, default={}, help="The block's shared cases, by id.")

    def default_title(self) -> str:
        return self._("Managers: your team's AI usage") if self.mode == "usage_survey" else self._("AI use cases at work")

    # ------------------------------------------------------------------ content
    def _survey(self) -> dict[str, Any]:
        return self.content_document()["survey"]

    def _cases(self) -> dict[str, dict[str, Any]]:
        """The shared library, read without XBlock's deep copy (blocks/base.py read_whole): never changed in place."""
        return read_whole(self, "cases")

    def _public_case(self, case: dict[str, Any], *, for_team: bool, me: str, adopted: set[str]) -> dict[str, Any]:
        """A case as a peer sees it (no author), or as the course team sees it (with the author's name).

        ``me`` and ``adopted`` (the learner's id and adopted cases) are asked once per view, not once per case of the library."""
        shown = {k: case.get(k) for k in ("id", "task", "tool", "data", "before", "after", "minutes_saved", "rating", "job_family",
                                          "status", "created", "validated_at", "adoptions")}
        shown["mine"] = case.get("author") == me
        shown["adopted"] = case.get("id") in adopted
        if case.get("source") is not None:  # a case of another activity of the course (the library service's)
            shown["source"] = case["source"]
        if for_team:  # looked up when drawn, never kept in the shared summary (decision 0003, 6)
            shown["author_name"] = self._first_name(str(case.get("author", "")))
        return shown

    def student_view_data(self, context=None) -> dict[str, Any]:
        """What the mobile apps need to draw the activity: no learner's case, no author."""
        survey = self._survey()
        return {"title": self.title(), "mode": self.mode, "job_families": list(JOB_FAMILIES), "ratings": list(use_cases.RATINGS),
                "survey": {"intro": survey["intro"], "scale": survey["scale"], "items": survey["items"]}}

    def _library_service(self):
        """The course-wide library (LIBRARY_SERVICE), or None: the block's own library then."""
        return self.runtime.service(self, LIBRARY_SERVICE) if self.mode == "library" else None

    def user_state(self) -> dict[str, Any]:
        team = self.is_author()  # the course team: Studio/LMS staff, the LTI launch's instructor (blocks/base.py)
        service = self._library_service()
        cases = {**self._cases(), **getattr(self, "_adopted_now", {})}
        shared = {case["id"]: case for case in (service.shared_cases() if service else []) if case.get("id") not in cases}
        adopted = set(self.adopted) | (service.adopted_elsewhere() if service else set())
        who = {"me": self.learner_id(), "adopted": adopted}
        mine = [self._public_case(cases[c], for_team=team, **who) for c in self.my_cases if c in cases]
        state: dict[str, Any] = {
            "mode": self.mode,
            "is_team": team,
            "job_family": self.job_family,
            "job_families": list(JOB_FAMILIES),
            "ratings": list(use_cases.RATINGS),
            "example": self.content_document()["example"],
            "my_cases": mine,
            "library": [self._public_case(c, for_team=team, **who) for c in use_cases.library({**shared, **cases})],
            "require_validation": self.require_validation,
        }
        if team:
            state["pending"] = [self._public_case(c, for_team=True, **who) for c in cases.values() if c.get("status") == "pending"]
        if self.mode == "usage_survey":
            survey = self._survey()
            state["survey"] = {"intro": survey["intro"], "scale": survey["scale"], "items": survey["items"]}
            state["responses"] = list(reversed(self.survey_responses))[:20]
        return state

    # ------------------------------------------------------------------ views
    @XBlock.supports("multi_device")
    def student_view(self, context=None):
        document = self.content_document()
        return self.build_fragment(
            "use_case/student.html",
            {"title": self.title(), "mode": self.mode, "survey": document["survey"], "example": document["example"],
             "job_family": self.job_family, "family_labels": {k: self._(v) for k, v in FAMILY_LABELS.items()},
             "case_fields": [(name, self._(label), self._(help_text), kind) for name, label, help_text, kind in CASE_FIELDS],
             "ratings": use_cases.RATINGS, "rating_labels": {k: self._(v) for k, v in RATING_LABELS.items()}},
            js_class="LdaiUseCase",
            js_args={"state": self.user_state()},
            css=("css/use_case.css",),
            js=("js/use_case.js",),
        )

    def studio_view(self, context=None):
        return self.build_fragment(
            "use_case/studio.html",
            {
                "values": {"display_name": self.display_name, "mode": self.mode, "job_family": self.job_family,
                           "require_validation": self.require_validation, "weight": self.weight, "pack": self.pack,
                           "custom_content": self.custom_content},
                "modes": MODES,
                "packs": self.pack_options(),
                "default_title": self.default_title(),
            },
            js_class="LdaiUseCaseStudio",
            css=("css/use_case.css",),
            js=("js/use_case_studio.js",),
        )

    # ------------------------------------------------------------------ handlers
    @XBlock.handler
    def student_view_user_state(self, request, suffix="") -> Response:
        """The learner's view of the activity (GET or POST; writes nothing)."""
        return json_response(self.user_state())

    def _terms(self) -> list[str]:
        configured = self.ldai_settings().get("CONFIDENTIAL_TERMS") or []
        return [t for t in configured if isinstance(t, str)] if isinstance(configured, list | tuple) else []

    def _problem_text(self, problem: use_cases.CaseProblem) -> str:
        if problem.code == "confidential":
            kinds = ", ".join(self._(KIND_LABELS.get(kind, kind)) for kind in problem.kinds)
            return self._("Remove the confidential data from this field ({kinds}): describe it instead (for example “a customer's e-mail address”).").format(kinds=kinds)
        return {
            "required": self._("Fill in this field."),
            "too_short": self._("Write at least {count} characters.").format(count=problem.limit),
            "too_long": self._("At most {count} characters.").format(count=problem.limit),
            "not_a_number": self._("Enter a whole number of minutes (0 if none)."),
            "out_of_range": self._("Enter a number of minutes from 0 to {high} per week.").format(high=problem.limit),
            "unknown_choice": self._("Choose one of the listed options."),
        }.get(problem.code, self._("This value is not valid here."))

    def _free_text(self, case: dict[str, Any]) -> dict[str, Any]:
        """The case's texts for the event, only when the operator lets learner free text leave the block."""
        if not self.ldai_settings().get("XAPI_FREE_TEXT"):
            return {}
        return {"task": case["task"], "before": case["before"], "after": case["after"]}

    @json_api
    def record_case(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        if self.mode != "library":
            raise UserError(self._("This activity is a survey: use cases are recorded in a use-case library."), 409, code="wrong_mode")
        if len(self.my_cases) >= MAX_CASES_PER_LEARNER:
            raise UserError(self._("You have recorded the most use cases this activity keeps per person ({count}).").format(count=MAX_CASES_PER_LEARNER),
                            409, code="too_many")
        checked = use_cases.check_case(data, JOB_FAMILIES, self._terms())
        if checked.case is None:
            fields: dict[str, list[str]] = {}
            for problem in checked.problems:
                fields.setdefault(problem.field, []).append(self._problem_text(problem))
            confidential = any(p.code == "confidential" for p in checked.problems)
            message = (self._("Nothing was saved: this use case contains confidential data. Remove it from the fields marked below, then save again.")
                       if confidential else self._("Nothing was saved: correct the fields marked below."))
            raise UserError(message, fields=fields, code="confidential" if confidential else "invalid_case")
        case = checked.case
        case_id = uuid.uuid4().hex[:12]
        validated = not self.require_validation
        entry = {"id": case_id, "task": case.task, "tool": case.tool, "data": case.data, "before": case.before, "after": case.after,
                 "minutes_saved": case.minutes_saved, "rating": case.rating, "job_family": case.job_family,
                 "author": self.learner_id(), "created": _now(),
                 "status": "validated" if validated else "pending", "validated_at": _now() if validated else "", "adoptions": 0}
        self.cases = _trimmed({**self._cases(), case_id: entry})
        self.my_cases = [*self.my_cases, case_id]
        self.emit("case_recorded", {"case_id": case_id, "job_family": case.job_family, "minutes_saved": case.minutes_saved,
                                    "rating": case.rating, **self._free_text(entry)})
        if validated:
            self.emit("case_validated", {"case_id": case_id, "job_family": case.job_family, "minutes_saved": case.minutes_saved})
        self.record_attempt(1.0)
        state = self.user_state()
        state["message"] = self._("Your use case is in the library.") if validated else self._("Your use case is saved: it joins the library once the course team validates it.")
        return state

    def _case(self, data: dict[str, Any]) -> dict[str, Any]:
        case_id = data.get("case_id")
        case = self._cases().get(case_id) if isinstance(case_id, str) else None
        if case is None:
            raise UserError(self._("This use case is no longer in the library. Reload the page."), 404, code="unknown_case")
        return case

    @json_api
    def review_case(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """The course team validates (it joins the library) or declines (it stays with its author) a pending case."""
        self.refuse_learners()
        case = dict(self._case(data))
        decision = data.get("decision")
        if decision not in ("validate", "decline"):
            raise UserError(self._("Choose one of the listed options."), code="unknown_decision")
        if case["status"] != "pending":
            raise UserError(self._("This use case has already been reviewed."), 409, code="already_reviewed")
        case["status"] = "validated" if decision == "validate" else "declined"
        case["validated_at"] = _now() if decision == "validate" else ""
        self.cases = {**self._cases(), case["id"]: case}
        if decision == "validate":
            self.emit("case_validated", {"case_id": case["id"], "job_family": case["job_family"], "minutes_saved": case["minutes_saved"]})
        state = self.user_state()
        state["message"] = self._("The use case is validated: it is now in the library.") if decision == "validate" else self._("The use case is declined: it stays with its author only.")
        return state

    def _adoption_refused(self, code: str) -> UserError:
        if code == "unknown_case":
            return UserError(self._("This use case is no longer in the library. Reload the page."), 404, code=code)
        return UserError({
            "not_validated": self._("This use case is not in the library yet."),
            "own_case": self._("This is your own use case: colleagues adopt it, you already use it."),
            "already_adopted": self._("You have already adopted this use case."),
        }.get(code, self._("This value is not valid here.")), 409, code=code)

    @json_api
    def adopt_case(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        service = self._library_service()
        case_id = data.get("case_id")
        if case_id in self.adopted:
            raise self._adoption_refused("already_adopted")
        if service is not None:
            # The count lives on the block that owns the case (this one or another of the course), under its row lock.
            try:
                case = service.adopt(case_id)
            except LibraryRefused as refused:
                raise self._adoption_refused(refused.code) from None
            if case_id in self._cases():
                self._adopted_now = {case_id: case}  # the stored count, newer than what this request read
        else:
            case = dict(self._case(data))
            if case["status"] != VALIDATED:
                raise self._adoption_refused("not_validated")
            if case.get("author") == self.learner_id():
                raise self._adoption_refused("own_case")
            case["adoptions"] = int(case.get("adoptions", 0)) + 1
            self.cases = {**self._cases(), case["id"]: case}
        self.adopted = [*self.adopted, case["id"]]
        self.emit("case_adopted", {"case_id": case["id"], "job_family": case["job_family"], "minutes_saved": case["minutes_saved"]})
        state = self.user_state()
        state["message"] = self._("Adopted: the author's colleagues see one more adoption.")
        return state

    @json_api
    def rate_usage(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        if self.mode != "usage_survey":
            raise UserError(self._("This activity is a use-case library: the usage survey is another mode."), 409, code="wrong_mode")
        survey = self._survey()
        result = use_cases.score_survey(data.get("scores"), [i["id"] for i in survey["items"]], [s["value"] for s in survey["scale"]])
        team = data.get("team", "")
        team = team.strip() if isinstance(team, str) else None
        errors: dict[str, list[str]] = {}
        if isinstance(result, list):
            errors["scores"] = [self._("Answer every statement ({count} left).").format(count=len(result))]
        if team is None or len(team) > TEAM_MAX or (team and not all(ch.isalnum() or ch in "-_." for ch in team)):
            errors["team"] = [self._("A team code is at most {count} letters, digits, dots, dashes or underscores (no names).").format(count=TEAM_MAX)]
        if errors:
            raise UserError(self._("Nothing was saved: correct the fields marked below."), fields=errors, code="invalid_survey")
        response = {"at": _now(), "scores": result.scores, "mean": result.mean, "team": team}
        self.survey_responses = [*self.survey_responses, response][-MAX_SURVEY_RESPONSES:]
        self.emit("usage_rated", {"usage_scores": result.scores, "score": result.fraction, "team": team or None,
                                  "job_family": self.job_family or None, "responses": len(self.survey_responses)})
        self.record_attempt(1.0)
        state = self.user_state()
        state["message"] = self._("Thank you: your answers of today are saved.")
        return state

    @json_api
    def studio_submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Save the settings, all or nothing: an invalid field saves nothing and is explained next to it."""
        self.refuse_learners()
        values, errors = self.settings_errors(data, {"display_name": (str, None, 200), "weight": (float, 0, 1000),
                                                     "require_validation": (bool, None, None)},
                                              choices={"mode": MODES, "job_family": ("", *JOB_FAMILIES)})
        return self.save_studio_fields(data, values, errors)

    @json_api
    def pack_document(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """The JSON of a default pack, so an author can start their own survey from it (Studio only)."""
        self.refuse_learners()
        return {"document": self.default_document(data.get("pack"))}

    # ------------------------------------------------------------------ reports
    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """Rows for the instructors' "Problem Responses" CSV: one per survey response (the cases are in the library)."""
        count = 0
        for user_state in user_state_iterator:
            state = getattr(user_state, "state", {}) or {}
            for response in state.get("survey_responses") or []:
                if limit_responses is not None and count >= limit_responses:
                    return
                yield getattr(user_state, "username", ""), {"Date": response.get("at"), "Team": response.get("team", ""),
                                                            "Mean": response.get("mean"), **(response.get("scores") or {})}
                count += 1

    @staticmethod
    def workbench_scenarios():
        return [
            ("ldai use-case library", "<ldai_use_case/>"),
            ("ldai managers' usage survey (French)", '<ldai_use_case mode="usage_survey" pack="fr/ai-use-cases"/>'),
        ]


def _trimmed(cases: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """At most MAX_SHARED_CASES: declined cases leave first, then the oldest pending ones; validated ones stay."""
    if len(cases) <= MAX_SHARED_CASES:
        return cases
    order = {"declined": 0, "pending": 1, "validated": 2}
    ranked = sorted(cases.values(), key=lambda c: (order.get(c.get("status"), 0), c.get("created", "")))
    return {c["id"]: c for c in ranked[len(cases) - MAX_SHARED_CASES:]}
