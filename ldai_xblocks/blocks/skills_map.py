"""The skills map XBlock (``ldai_skills_map``): the job's AI competences, the learner's level from evidence, the gap.

A thin shell around ``engine.skills``: the learner's job family (the course's setting,
else the LTI launch's ``ldai_job_family`` custom parameter, else the learner's choice),
a self-assessment by behavioural statements, and the evidence the other activities of
the same course recorded (``blocks/evidence.py``). Graded as completion of the
self-assessment, or as readiness (1 - weighted gap / weighted target) if the author
chooses. Nothing here is an answer: ``student_view_data`` is the whole framework.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from webob import Response
from xblock.core import XBlock
from xblock.fields import Dict, Integer, Scope, String

from ..content import ContentError, load_pack, parse_document
from ..content.packs import default_pack_ref
from ..engine import llm as llm_adapter
from ..engine import skills, skills_cohort, skills_llm
from ..i18n import N_
from .base import COMMON_SETTINGS, ActivityBlock, UserError, _, json_api, json_response
from .evidence import EvidenceMixin, course_key_of

log = logging.getLogger("ldai.blocks.skills_map")
JOB_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

GRADINGS = ("completion", "readiness")
ACTIVITY_LABELS = {
    "risk_quiz": N_("AI risks quiz"),
    "hallucination_detector": N_("Hallucination hunt"),
    "prompt_sandbox": N_("Prompt sandbox"),
    "charter": N_("Company AI charter"),
}


class SkillsMapBlock(EvidenceMixin, ActivityBlock):
    """Choose a job, assess yourself, see targets, self-assessed and evidenced levels, and three priorities."""

    activity = "skills_map"
    content_kind = "skills_map"

    job_family = String(
        display_name=_("Job family"),
        help=_("Empty lets each learner choose (or takes the LTI custom parameter ldai_job_family)."),
        scope=Scope.settings,
        default="",
    )
    grading = String(
        display_name=_("Grade"),
        help=_("Completion of the self-assessment, or readiness against the job profile."),
        scope=Scope.settings,
        default="completion",
        values=list(GRADINGS),
    )

    min_group = Integer(
        display_name=_("Smallest group shown to the learning team"),
        help=_("The cohort view hides any job family or competence with fewer learners than this (at least 3)."),
        scope=Scope.settings,
        default=skills_cohort.DEFAULT_MIN_GROUP,
        values={"min": skills_cohort.SMALLEST_MIN_GROUP},
    )

    chosen_job = String(scope=Scope.user_state, default="")
    assessed_job = String(scope=Scope.user_state, default="", help="The job family in force at the last self-assessment or visit (for the cohort view).")
    self_levels = Dict(scope=Scope.user_state, default={})
    last_seen = Dict(scope=Scope.user_state, default={}, help="The levels shown at the previous visit: {at, job, levels}.")

    def default_title(self) -> str:
        return self._("My AI skills map")

    # ---------------------------------------------------------------- content
    def pack_ref(self) -> str | None:
        return super().pack_ref() or default_pack_ref(self.content_kind, "en")

    def job_options(self, document: dict) -> list[dict[str, str]]:
        return [{"id": p["id"], "name": p["name"], "description": p.get("description", "")} for p in document["job_profiles"]]

    def launch_job(self) -> str:
        """The job family the platform passed for this learner (LTI custom parameter), if any."""
        service = self.runtime.service(self, "user") if self.runtime else None
        user = service.get_current_user() if service else None
        return str((getattr(user, "opt_attrs", {}) or {}).get("ldai.job_family") or "")

    def job(self, document: dict) -> tuple[str, str]:
        """``(job id, where it comes from: course | platform | learner | "")``; an unknown id is ignored."""
        known = {p["id"] for p in document["job_profiles"]}
        for value, origin in ((self.job_family, "course"), (self.launch_job(), "platform"), (self.chosen_job, "learner")):
            if value in known:
                return value, origin
        return "", ""

    def student_view_data(self, context=None) -> dict[str, Any]:
        """The framework and the job profiles, for the mobile apps: nothing here is an answer, and no learner data."""
        document = self.content_document()
        return {
            "title": self.title(),
            "grading": self.grading,
            "job_family": self.job_family,
            "levels": [self._(label) for label in LEVEL_NAMES],
            "competences": [
                {"id": c["id"], "name": c["name"], "description": c["description"], "group": c["group"], "statements": list(c["levels"])}
                for c in document["competences"]
            ],
            "jobs": [{**job, "targets": p["targets"]} for job, p in zip(self.job_options(document), document["job_profiles"], strict=True)],
        }

    # ------------------------------------------------------------------ state
    def report(self, document: dict, job: str) -> skills.GapReport:
        targets = skills.profile_targets(document, job)
        evidence = skills.evidence_from_signals(self.course_evidence(), skills.signal_map(document))
        own = {cid: level for cid, level in (self.self_levels or {}).items() if isinstance(level, int) and cid in targets}
        return skills.assess(targets, own, evidence, datetime.now(UTC))

    def user_state(self) -> dict[str, Any]:
        """What the learner view draws; read-only (a GET may ask for it)."""
        document = self.content_document()
        job, origin = self.job(document)
        names = {c["id"]: c for c in document["competences"]}
        state: dict[str, Any] = {
            "job": job,
            "job_origin": origin,
            "jobs": self.job_options(document),
            "self": dict(self.self_levels or {}),
            "grading": self.grading,
            "score": self.score_earned,
            "map": None,
        }
        if not job:
            return state
        report = self.report(document, job)
        builders = _builders(document)
        previous = self.last_seen if (self.last_seen or {}).get("job") == job else {}
        moved = skills.changes(previous.get("levels") or {}, report)
        state["questions"] = [
            {"id": c.id, "name": names[c.id]["name"], "description": names[c.id]["description"], "statements": list(names[c.id]["levels"])}
            for c in report.competences
        ]
        state["self_complete"] = all(c.id in state["self"] for c in report.competences)
        state["map"] = {
            "competences": [{**c.as_dict(), "name": names[c.id]["name"]} for c in report.competences],
            "priorities": [
                {"id": cid, "name": names[cid]["name"], "activities": [self._(ACTIVITY_LABELS[a]) for a in builders.get(cid, ())]}
                for cid in report.priorities
            ],
            "unknown": [{"id": cid, "name": names[cid]["name"]} for cid in report.unknown],
            "readiness": round(report.readiness(), 4),
            "changes": [{"id": cid, "name": names[cid]["name"], "delta": delta} for cid, delta in moved.items()],
            "last_seen_at": previous.get("at"),
        }
        return state

    # ------------------------------------------------------------------ views
    @XBlock.supports("multi_device")
    def student_view(self, context=None):
        return self.build_fragment(
            "skills_map/student.html",
            # The state holds authors' text: it rides in the page through json_script (escaped for a
            # <script> element whatever the runtime does with init args), not in the init args.
            {"title": self.title(), "state": self.user_state()},
            js_class="LdaiSkillsMap",
            js_args={"levels": [self._(label) for label in LEVEL_NAMES]},
            css=("css/skills_map.css",),
            js=("js/skills_map.js",),
        )

    def studio_view(self, context=None):
        document = self.content_document()
        return self.build_fragment(
            "skills_map/studio.html",
            {
                "values": {
                    "display_name": self.display_name,
                    "job_family": self.job_family,
                    "grading": self.grading,
                    "weight": self.weight,
                    "min_group": self.min_group,
                    "pack": self.pack,
                    "custom_content": self.custom_content,
                },
                "packs": self.pack_options(),
                "jobs": self.job_options(document),
                "default_title": self.default_title(),
                "llm_enabled": llm_adapter.LLMSettings.from_settings(self.ldai_settings()).enabled,
            },
            js_class="LdaiSkillsMapStudio",
            css=("css/skills_map.css",),
            js=("js/skills_map_studio.js",),
        )

    # --------------------------------------------------------------- handlers
    @XBlock.handler
    def student_view_user_state(self, request, suffix="") -> Response:
        """The learner's map, for the JS and the mobile apps (GET or POST); it writes nothing."""
        return json_response(self.user_state())

    @json_api
    def choose_job(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        document = self.content_document()
        job = data.get("job")
        if self.job(document)[1] in ("course", "platform"):
            raise UserError(self._("Your course team has set the job family for this map."), 409, code="job_fixed")
        if not isinstance(job, str) or job not in {p["id"] for p in document["job_profiles"]}:
            message = self._("Choose one of the listed job families.")
            raise UserError(message, fields={"job": [message]}, code="unknown_job")
        self.chosen_job = job  # no event of its own: every later event carries the job family
        return self.user_state()

    @json_api
    def save_self_assessment(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Keep the learner's statements (partial answers are kept too), then grade when all are given."""
        document = self.content_document()
        job, _origin = self.job(document)
        if not job:
            raise UserError(self._("Choose your job family first."), 409, code="no_job")
        targets = skills.profile_targets(document, job)
        levels = data.get("levels")
        if not isinstance(levels, dict):
            raise UserError(self._("Your answers could not be read. Reload the page and try again."), code="malformed")
        cleaned: dict[str, int] = {}
        errors: dict[str, list[str]] = {}
        for cid, level in levels.items():
            if cid not in targets:
                continue  # a competence of another job: ignored, not an error
            if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= skills.LEVEL_MAX:
                errors[cid] = [self._("Choose one of the four statements.")]
            else:
                cleaned[cid] = level
        if errors:
            raise UserError(self._("Some answers could not be read: choose one statement for each competence marked."), fields=errors, code="invalid_levels")
        self.self_levels = {**(self.self_levels or {}), **cleaned}
        self.assessed_job = job
        complete = all(cid in self.self_levels for cid in targets)
        self.emit("self_assessed", {"job_family": job, "competence_levels": cleaned, "competences": sorted(cleaned), "complete": complete})
        if complete:
            self._grade(document, job)
        state = self.user_state()
        if not complete:
            missing = [q["name"] for q in state["questions"] if q["id"] not in self.self_levels]
            state["missing"] = missing
        return state

    @json_api
    def mark_seen(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Remember the levels the learner has just seen, to show what changed at the next visit."""
        document = self.content_document()
        job, _origin = self.job(document)
        if not job:
            return {"saved": False}
        report = self.report(document, job)
        self.last_seen = {"at": datetime.now(UTC).isoformat(), "job": job, "levels": report.levels(),
                          "gaps": {c.id: c.as_dict()["gap"] for c in report.competences},
                          "targets": {c.id: c.target for c in report.competences}}
        self.assessed_job = job
        # The xAPI profile's "launched": the learner opened their map (engine/xapi.py, docs/xapi-profile.rst).
        self.emit("launched", {"job_family": job, "readiness": round(report.readiness(), 4), "competences": list(report.priorities)})
        if self.grading == "readiness" and self.has_submitted_answer():
            self._grade(document, job)
        return {"saved": True}

    def _grade(self, document: dict, job: str) -> None:
        report = self.report(document, job)
        score = 1.0 if self.grading == "completion" else report.readiness()
        # the latest picture counts, not the best: a skills map is not a contest
        self._set_grade(attempts=max(1, self.attempts_completed), earned=score)
        self._publish_grade(self.get_score())
        self.emit_completion(1.0)
        self.emit("submitted", {"job_family": job, "score": round(score, 4), "grading": self.grading, "competences": list(report.priorities)})

    @json_api
    def studio_submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Save the settings and the framework, all or nothing; each problem is shown next to its field."""
        self.refuse_learners()
        values, errors = self.settings_errors(data, {
            "display_name": COMMON_SETTINGS["display_name"],
            "weight": COMMON_SETTINGS["weight"],
            "min_group": (int, skills_cohort.SMALLEST_MIN_GROUP, 1000),
        }, choices={"grading": GRADINGS})
        pack, custom, content_errors = self.check_content_fields(data.get("pack", self.pack), data.get("custom_content", self.custom_content))
        errors.update(content_errors)
        job = data.get("job_family", self.job_family)
        if not content_errors:
            document = parse_document(self.content_kind, custom) if custom else load_pack(self.content_kind, pack if pack != "auto" else self.pack_ref())
            if not isinstance(job, str) or (job and job not in {p["id"] for p in document["job_profiles"]}):
                errors["job_family"] = [self._("Choose one of the listed options.")]
        return self.save_all_or_nothing({**values, "job_family": job, "pack": pack, "custom_content": custom}, errors)

    @json_api
    def pack_document(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """The JSON of a default framework, so an author can start their own from it (Studio only)."""
        self.refuse_learners()
        return {"document": self.default_document(data.get("pack"))}

    @json_api
    def propose_profile(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """With an LLM configured: a job description -> a proposed profile, as a diff; never saved here (Studio only)."""
        self.refuse_learners()
        settings = llm_adapter.LLMSettings.from_settings(self.ldai_settings())
        if not settings.enabled:
            raise UserError(self._("No AI model is configured on this platform: edit the profiles by hand."), 409, code="llm_disabled")
        description, job = data.get("description"), data.get("job")
        errors: dict[str, list[str]] = {}
        if not isinstance(description, str) or not description.strip():
            errors["job_description"] = [self._("Paste the job description first.")]
        elif len(description) > skills_llm.MAX_DESCRIPTION_CHARS:
            errors["job_description"] = [self._("Shorten the description to {limit} characters at most.").format(limit=skills_llm.MAX_DESCRIPTION_CHARS)]
        if not isinstance(job, str) or not JOB_ID.match(job):
            errors["proposal_job"] = [self._("Use only lowercase letters, digits, “-” and “_” here (up to 64 characters).")]
        if errors:
            raise UserError(self._("Nothing was proposed: correct the fields marked below."), fields=errors, code="invalid")
        document = self._document_being_edited(data.get("document"))
        terms = [t for t in self.ldai_settings().get("CONFIDENTIAL_TERMS") or [] if isinstance(t, str)]
        try:
            proposal = skills_llm.propose_profile(description, document, job, str(data.get("job_name") or "")[:300], settings,
                                                  terms=terms, author_id=self.learner_id(), course_id=course_key_of(self))
        except llm_adapter.LLMError as error:
            log.info("profile proposal failed: %s", error.reason)
            raise UserError(self._("The AI model could not propose a profile ({reason}). Try again later, or edit the profile by hand.").format(reason=error.reason), 502, code="llm_failed") from error
        names = {c["id"]: c["name"] for c in document["competences"]}
        return {**proposal.as_dict(), "names": names}

    def _document_being_edited(self, text: Any) -> dict:
        """The author's unsaved JSON when it is valid, else the framework in force: the proposal fits what they edit."""
        if isinstance(text, str) and text.strip():
            try:
                return parse_document(self.content_kind, text)
            except ContentError:
                pass
        return self.content_document()

    # ------------------------------------------------------------------ reports
    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """Rows for Open edX's "Problem Responses" report: per learner and competence, the picture they last saw.

        The report is the learning team's data in Open edX (the instructor dashboard runs it over
        every learner's state of this block); ``ldai skills cohort`` turns it into the cohort heat
        map with the minimum group size, as the LTI tool's instructor view shows it.
        """
        count = 0
        for user_state in user_state_iterator:
            state = getattr(user_state, "state", {}) or {}
            seen = state.get("last_seen") or {}
            own = state.get("self_levels") or {}
            job = state.get("assessed_job") or seen.get("job") or state.get("chosen_job") or self.job_family
            for cid in sorted(set(own) | set(seen.get("levels") or {})):
                if limit_responses is not None and count >= limit_responses:
                    return
                yield getattr(user_state, "username", ""), {
                    "Job family": job,
                    "Competence": cid,
                    "Target": (seen.get("targets") or {}).get(cid),
                    "Self-assessed level": own.get(cid),
                    "Level": (seen.get("levels") or {}).get(cid),
                    "Weighted gap": (seen.get("gaps") or {}).get(cid),
                    "Seen at": seen.get("at", ""),
                }
                count += 1

    @staticmethod
    def workbench_scenarios():
        return [
            ("ldai skills map", "<ldai_skills_map/>"),
            ("ldai skills map (finance, French)", '<ldai_skills_map job_family="finance" pack="fr/ai-at-work"/>'),
        ]


def learner_picture(document: dict, default_job: str, state: dict, records: list[dict], now: datetime) -> tuple[str, skills.GapReport] | None:
    """One learner's ``(job family, gap report)`` from their stored state and evidence (the cohort views), or None."""
    known = {p["id"] for p in document["job_profiles"]}
    job = next((j for j in (default_job, state.get("assessed_job"), state.get("chosen_job")) if j in known), "")
    if not job:
        return None
    targets = skills.profile_targets(document, job)
    own = {cid: level for cid, level in (state.get("self_levels") or {}).items() if isinstance(level, int) and cid in targets}
    evidence = skills.evidence_from_signals(records, skills.signal_map(document))
    return job, skills.assess(targets, own, evidence, now)


LEVEL_NAMES = (N_("Unaware"), N_("Aware"), N_("Practises with guidance"), N_("Autonomous, helps others"))


def _builders(document: dict) -> dict[str, tuple[str, ...]]:
    """Competence -> the activity kinds whose results count as its evidence (the authored mapping, reversed)."""
    out: dict[str, list[str]] = {}
    for rule in document.get("evidence", []):
        for cid in rule["competences"]:
            if rule["activity"] not in out.setdefault(cid, []):
                out[cid].append(rule["activity"])
    return {cid: tuple(sorted(kinds, key=list(ACTIVITY_LABELS).index)) for cid, kinds in out.items()}
