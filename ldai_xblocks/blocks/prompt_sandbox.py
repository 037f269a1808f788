"""The prompt sandbox XBlock (``ldai_prompt_sandbox``): a thin shell around ``engine.prompt_feedback``.

The learner reads a workplace scenario, writes a prompt, and gets feedback per
criterion with the evidence found in their text, a warning naming the charter rule
that a piece of confidential data breaks, then revises. The history shows the
progression from the first attempt to the best one (the criteria gained), which is
the "before/after" learning teams report. The grade is the best or the last attempt
(the author chooses), optionally capped when a prompt leaks confidential data; a
course leaderboard turns the activity into a Promptathon; the reference prompt is
revealed after a number of attempts.

An LLM is used only when the platform's ``LDAI`` settings configure one (the key is
read from the environment by the adapter, never stored in the block); the engine
always scans and scores offline first and sends only the redacted prompt.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from webob import Response
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, Integer, List, Scope, String

from ..content.packs import default_pack_ref, is_mixed, list_packs, load_pack
from ..engine import llm as llm_adapter
from ..engine.prompt_feedback import add_review, give_feedback, offline_feedback, review_request
from ..engine.prompt_rubric import CRITERIA, MAX_SCORE, criteria_gained, labels, normalise_weights
from ..engine.quiz import seed_for
from ..i18n import N_
from .base import (
    AUTO_PACK,
    COMMON_SETTINGS,
    JOB_FAMILY_CHOICES,
    LEADERBOARD_SETTINGS,
    ActivityBlock,
    UserError,
    _,
    from_percent,
    json_api,
    json_response,
)
from .evidence import EvidenceMixin, prompt_signals
from .llm_quota import shared_quota
from .team_challenge import TEAM_SETTINGS, TeamChallengeMixin

GRADINGS = ("best", "last")
MAX_PROMPT_CHARS = 6000
MAX_STORED_ATTEMPTS = 50
KIND_LABELS = {
    "email": N_("e-mail address"),
    "phone": N_("phone number"),
    "iban": N_("bank account number (IBAN)"),
    "payment_card": N_("payment card number"),
    "fr_nir": N_("social security number"),
    "secret": N_("password, key or access token"),
    "ip_address": N_("internal network address"),
    "term": N_("confidential name or term"),
    "person": N_("person's name"),
}


@XBlock.wants("ldai_llm_jobs")  # the LTI tool runs the LLM review as a task; Open edX has no such service
@XBlock.wants("teams", "teams_configuration")
class PromptSandboxBlock(TeamChallengeMixin, EvidenceMixin, ActivityBlock):
    """Write a prompt for a real task of your job; feedback per criterion and a confidential-data guard."""

    activity = "prompt_sandbox"
    content_kind = "prompt_sandbox"

    job_family = String(display_name=_("Job family"), help=_("With the automatic pack, use the scenarios of this job family."), scope=Scope.settings, default="")
    scenario_id = String(display_name=_("Scenario"), help=_("Empty means the first scenario of the pack."), scope=Scope.settings, default="")
    grading = String(display_name=_("Grade"), help=_("The best attempt or the last one counts."), scope=Scope.settings, default="best", values=list(GRADINGS))
    max_attempts = Integer(display_name=_("Attempts allowed"), help=_("0 means unlimited."), scope=Scope.settings, default=5, values={"min": 0})
    reveal_after = Integer(display_name=_("Reveal the reference prompt after this many attempts"), help=_("0 means never."), scope=Scope.settings, default=3, values={"min": 0})
    leak_caps_grade = Boolean(display_name=_("Confidential data caps the grade"), scope=Scope.settings, default=True)
    leak_cap = Float(display_name=_("Grade cap when confidential data is found"), scope=Scope.settings, default=0.5, values={"min": 0, "max": 1})
    use_llm = Boolean(display_name=_("Use the AI model when the platform configures one"), scope=Scope.settings, default=True)
    weights = Dict(display_name=_("Criterion weights"), help=_("Overrides the scenario's weights (0 to 10 per criterion)."), scope=Scope.settings, default={})

    attempts = List(scope=Scope.user_state, default=[])
    last_feedback = Dict(scope=Scope.user_state, default={})
    draft = Dict(scope=Scope.user_state, default={}, help="The prompt being written, per scenario: {scenario id: text}.")

    def default_title(self) -> str:
        return self._("Prompt sandbox")

    # ---------------------------------------------------------------- content
    def pack_ref(self) -> str | None:
        if self.pack and self.pack != AUTO_PACK:
            return self.pack
        return default_pack_ref(self.content_kind, self.language(), self.job_family or None)

    def scenario(self, document: dict | None = None) -> dict[str, Any]:
        """The scenario in force: the chosen one, else the first of the content.

        With "any job family" (the mixed pack) and no scenario chosen, each learner gets a
        scenario of the whole mix, the same one on every visit (seeded by learner and block).
        """
        document = document or self.content_document()
        scenarios = document["scenarios"]
        default = scenarios[0]
        origin, ref = self.content_source()
        if origin == "pack" and is_mixed(ref):
            default = scenarios[seed_for(self.learner_id(), self.scope_ids.usage_id) % len(scenarios)]
        chosen = next((s for s in scenarios if s["id"] == self.scenario_id), default)
        if self.weights:
            chosen = {**chosen, "weights": {**chosen.get("weights", {}), **self.weights}}
        return chosen

    def _scenario_payload(self, scenario: dict[str, Any]) -> dict[str, Any]:
        """What the learner sees before writing: never the reference prompt."""
        return {
            "id": scenario["id"],
            "title": scenario["title"],
            "task": scenario["task"],
            "context": scenario["context"],
            "success_criteria": list(scenario["success_criteria"]),
            "sample_data": scenario.get("sample_data", ""),
            "lang": scenario.get("lang", ""),
        }

    def student_view_data(self, context=None) -> dict[str, Any]:
        """The activity for the mobile apps, without the reference prompt."""
        scenario = self.scenario()
        names, weights = labels(self.language()), self._weights(scenario)
        return {
            "title": self.title(),
            "scenario": self._scenario_payload(scenario),
            "criteria": [{"id": c, "label": names[c], "weight": weights[c]} for c in CRITERIA],
            "max_attempts": self.max_attempts,
            "grading": self.grading,
            "reveal_after": self.reveal_after,
            "max_prompt_chars": MAX_PROMPT_CHARS,
        }

    def _weights(self, scenario: dict[str, Any]) -> dict[str, float]:
        return normalise_weights(scenario.get("weights"))

    def _charter(self, document: dict) -> dict[str, dict[str, str]]:
        """Finding kind -> the charter rule it breaks."""
        rules: dict[str, dict[str, str]] = {}
        for rule in document.get("charter", []):
            for kind in rule["kinds"]:
                rules[kind] = {"id": rule["id"], "text": rule["text"]}
        return rules

    def _terms(self, scenario: dict[str, Any]) -> list[str]:
        configured = self.ldai_settings().get("CONFIDENTIAL_TERMS") or self.ldai_settings().get("confidential_terms") or []
        terms = [t for t in configured if isinstance(t, str)] if isinstance(configured, list | tuple) else []
        return terms + list(scenario.get("confidential_terms") or [])

    def _llm_settings(self) -> llm_adapter.LLMSettings:
        if not self.use_llm:
            return llm_adapter.LLMSettings()
        return llm_adapter.LLMSettings.from_settings(self.ldai_settings())

    # ------------------------------------------------------------------ state
    def _grade_of(self, attempt: dict[str, Any]) -> float:
        return attempt.get("grade", 0.0)

    def _progression(self, attempts: list[dict[str, Any]]) -> dict[str, Any] | None:
        """From the first attempt on the scenario in force to the best one on it."""
        if not attempts:
            return None
        first, best = attempts[0], max(attempts, key=lambda a: (a["score"], -a["number"]))
        names = labels(self.language())
        gained = criteria_gained(first["scores"], best["scores"])
        return {
            "first": {"number": first["number"], "score": first["score"]},
            "best": {"number": best["number"], "score": best["score"]},
            "gained": [{"id": c, "label": names[c]} for c in gained],
        }

    def _reference_visible(self) -> bool:
        if not self.reveal_after:
            return False
        return len(self.attempts) >= self.reveal_after or self.attempts_left() == 0

    def _feedback_in_force(self, scenario: dict[str, Any]) -> dict[str, Any] | None:
        """The last feedback, only if it was given on this scenario and in this language.

        After the author picks another scenario, or the learner switches language (the
        automatic pack then shows the other language's scenario), the old feedback would
        describe a prompt for a task no longer on the page.
        """
        feedback = self.last_feedback or None
        if not feedback:
            return None
        if feedback.get("scenario", scenario["id"]) != scenario["id"] or feedback.get("lang", self.language()) != self.language():
            return None
        return feedback

    def user_state(self) -> dict[str, Any]:
        document = self.content_document()
        scenario = self.scenario(document)
        names = labels(self.language())
        mine = [a for a in self.attempts if a.get("scenario", scenario["id"]) == scenario["id"]]
        return {
            "scenario": self._scenario_payload(scenario),
            "criteria": [{"id": c, "label": names[c]} for c in CRITERIA],
            "attempts": [
                {
                    "number": a["number"], "score": a["score"], "grade": a["grade"], "met": a["met"],
                    "scores": a["scores"], "leak": bool(a["findings"]), "capped": a["capped"], "at": a["at"],
                }
                for a in mine
            ],
            "last_prompt": mine[-1]["prompt"] if mine else "",
            "draft": self.draft.get(scenario["id"]) if isinstance(self.draft.get(scenario["id"]), str) else None,
            "feedback": self._feedback_in_force(scenario),
            "progression": self._progression(mine),
            "reference_prompt": scenario["reference_prompt"] if self._reference_visible() else None,
            "reveal_after": self.reveal_after,
            "completed_attempts": self.completed_attempts,
            "max_attempts": self.max_attempts,
            "attempts_left": self.attempts_left(),
            "grading": self.grading,
            "grade": self.raw_earned,
            "leak_caps_grade": self.leak_caps_grade,
            "leak_cap": self.leak_cap,
            "max_prompt_chars": MAX_PROMPT_CHARS,
            "llm_enabled": self._llm_settings().enabled,
            "leaderboard": self.leaderboard(),
        }

    # ------------------------------------------------------------------ views
    @XBlock.supports("multi_device")
    def student_view(self, context=None):
        state = self.user_state()
        return self.build_fragment(
            "prompt_sandbox/student.html",
            {"title": self.title(), "scenario": state["scenario"], "max_attempts": self.max_attempts,
             "leaderboard": self.leaderboard_enabled, "max_chars": MAX_PROMPT_CHARS, "grading": self.grading},
            js_class="LdaiPromptSandbox",
            js_args={"state": state},
            css=("css/prompt_sandbox.css",),
            js=("js/prompt_sandbox.js",),
        )

    def studio_view(self, context=None):
        scenario = self.scenario()
        weights = self._weights(scenario)
        names = labels(self.language())
        return self.build_fragment(
            "prompt_sandbox/studio.html",
            {
                "values": {
                    "display_name": self.display_name,
                    "job_family": self.job_family,
                    "pack": self.pack,
                    "scenario_id": self.scenario_id,
                    "custom_content": self.custom_content,
                    "grading": self.grading,
                    "max_attempts": self.max_attempts,
                    "reveal_after": self.reveal_after,
                    "leak_caps_grade": self.leak_caps_grade,
                    "leak_cap": round(self.leak_cap * 100),
                    "use_llm": self.use_llm,
                    "weight": self.weight,
                    "leaderboard_enabled": self.leaderboard_enabled,
                    "leaderboard_size": self.leaderboard_size,
                    "leaderboard_anonymous": self.leaderboard_anonymous,
                    **self.team_studio_values(),
                },
                "packs": self.pack_options(),
                "scenario_groups": self._scenario_groups(),
                "criteria": [{"id": c, "label": names[c], "weight": _number(weights[c])} for c in CRITERIA],
                                "gradings": GRADINGS,
                "default_title": self.default_title(),
                "llm_configured": llm_adapter.LLMSettings.from_settings(self.ldai_settings()).enabled,
            },
            js_class="LdaiPromptSandboxStudio",
            css=("css/prompt_sandbox.css",),
            js=("js/prompt_scenario_editor.js", "js/prompt_sandbox_studio.js"),
        )

    def _scenario_groups(self) -> list[dict[str, Any]]:
        groups = []
        if self.custom_content:
            document = self.content_document()
            groups.append({"title": self._("Your own content"), "scenarios": [{"id": s["id"], "title": s["title"]} for s in document["scenarios"]]})
        for info in list_packs(self.content_kind):
            document = load_pack(self.content_kind, info.ref)
            groups.append({"title": f"{info.title} ({info.lang})", "scenarios": [{"id": s["id"], "title": s["title"]} for s in document["scenarios"]]})
        return groups

    # --------------------------------------------------------------- handlers
    @XBlock.handler
    def student_view_user_state(self, request, suffix="") -> Response:
        """The learner's state, for the JS at start-up and the mobile apps (GET or POST)."""
        return json_response(self.user_state())

    @json_api
    def submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Analyse a prompt: feedback per criterion, confidential-data warning, grade, history."""
        prompt = data.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            message = self._("Write your prompt in the box before asking for feedback.")
            raise UserError(message, fields={"prompt": [message]}, code="empty")
        if len(prompt) > MAX_PROMPT_CHARS:
            message = self._("Your prompt is {count} characters long; shorten it to {limit} characters at most.").format(count=len(prompt), limit=MAX_PROMPT_CHARS)
            raise UserError(message, fields={"prompt": [message]}, code="too_long")
        if self.attempts_left() == 0:
            raise UserError(self._("You have used all your attempts."), 409, code="no_attempts_left")
        document = self.content_document()
        scenario = self.scenario(document)
        llm = self._llm_settings()
        jobs = self.runtime.service(self, "ldai_llm_jobs") if llm.enabled else None
        feedback = give_feedback(
            prompt,
            advice_lang=self.language(),
            scenario=scenario,
            terms=self._terms(scenario),
            llm_settings=None if jobs else llm,  # with the jobs service, the model is asked off this request
            quota=shared_quota(),
            learner_id=self.learner_id(),
            course_id=self._course_id(),
            ner=self.ldai_settings().get("NER") is True,
        )
        self._record(prompt, feedback, document)
        if jobs:
            request = review_request(feedback, llm, advice_lang=self.language(), scenario=scenario,
                                     learner_id=self.learner_id(), course_id=self._course_id())
            self.last_feedback = {**self.last_feedback, "llm_pending": jobs.submit(request)}
        return self.user_state()

    @json_api
    def llm_review(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """The page polls this while its feedback says ``llm_pending``: the model's part, once its task ended."""
        job = self.last_feedback.get("llm_pending")
        jobs = self.runtime.service(self, "ldai_llm_jobs")
        outcome = jobs.result(job) if job and jobs else None
        if outcome is None or not self.attempts:
            return self.user_state()
        document = self.content_document()
        scenario = self.scenario(document)
        last = self.attempts[-1]
        feedback = offline_feedback(last["prompt"], advice_lang=self.language(), scenario=scenario, terms=self._terms(scenario),
                                    ner=self.ldai_settings().get("NER") is True)
        review = (llm_adapter.LLMReview.from_dict(outcome["review"]) if "review" in outcome
                  else llm_adapter.LLMError(str(outcome.get("error") or "http_error")))
        self._record(last["prompt"], add_review(feedback, review, scenario=scenario, advice_lang=self.language()), document, replace_last=True)
        return self.user_state()

    def _course_id(self) -> str:
        return str(getattr(self.scope_ids.usage_id, "context_key", "") or self.scope_ids.usage_id)

    def _record(self, prompt: str, feedback, document: dict, *, replace_last: bool = False) -> None:
        """Store an attempt and grade it; ``replace_last``: the model's review completes the last attempt
        (no new attempt is counted; the grade follows the reviewed score)."""
        charter = self._charter(document)
        names = {kind: self._(label) for kind, label in KIND_LABELS.items()}
        findings = [f.as_dict() for f in feedback.findings]
        kinds = sorted({f["kind"] for f in findings})
        fraction = feedback.score / 100
        capped = bool(findings) and self.leak_caps_grade and fraction > self.leak_cap
        grade = min(fraction, self.leak_cap) if findings and self.leak_caps_grade else fraction
        earlier = self.attempts[:-1] if replace_last else self.attempts
        number = len(earlier) + 1
        result = feedback.as_dict()
        result.update({
            "scenario": self.scenario(document)["id"],
            "lang": self.language(),
            "number": number,
            "grade": grade,
            "capped": capped,
            "leak": {
                "kinds": [{"kind": k, "label": names.get(k, k), "rule": charter.get(k)} for k in kinds],
                "cap": self.leak_cap if self.leak_caps_grade else None,
            } if findings else None,
        })
        attempt = {
            "number": number,
            "scenario": self.scenario(document)["id"],
            "prompt": prompt,
            "score": feedback.score,
            "grade": grade,
            "scores": feedback.rubric.scores(),
            "met": [c.id for c in feedback.rubric.criteria if c.met],
            "findings": findings,
            "capped": capped,
            "llm_used": feedback.llm_used,
            "at": self.attempts[-1]["at"] if replace_last else datetime.now(UTC).isoformat(),
        }
        self.attempts = [*earlier, attempt][-MAX_STORED_ATTEMPTS:]
        self.last_feedback = result
        self.draft = {k: v for k, v in self.draft.items() if k != attempt["scenario"]}  # submitted: the prompt is in the history now
        if replace_last:
            self.raw_earned = grade if self.grading == "last" else max(self.raw_earned, grade)
            self._publish_grade(self.get_score())
        elif self.grading == "last":
            self.completed_attempts += 1
            self.raw_earned = grade
            self._publish_grade(self.get_score())
            self.emit_completion(1.0)
        else:
            self.record_attempt(grade)
        self.record_on_leaderboard(grade)
        if replace_last:
            return  # the submission was reported (event and evidence) when the learner sent it
        self.record_evidence(prompt_signals(attempt["scores"], MAX_SCORE, bool(findings)))
        self.emit("submitted", {
            "attempt": number,
            "score": feedback.score,
            "grade": grade,
            "criteria": attempt["scores"],
            "sensitive_kinds": kinds,
            "capped": capped,
            "llm_used": feedback.llm_used,
            "scenario": self.scenario(document)["id"],
            **self.team_event_data(),
        })

    @json_api
    def save_draft(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Keep the prompt being written (debounced by the page), so a reload or a lost tab loses nothing."""
        prompt = data.get("prompt")
        if not isinstance(prompt, str):
            raise UserError(self._("Your prompt could not be read. Reload the page and try again."), code="malformed")
        if len(prompt) > MAX_PROMPT_CHARS:
            message = self._("Your prompt is {count} characters long; shorten it to {limit} characters at most.").format(count=len(prompt), limit=MAX_PROMPT_CHARS)
            raise UserError(message, fields={"prompt": [message]}, code="too_long")
        scenario_id = self.scenario()["id"]
        self.draft = {scenario_id: prompt} if prompt else {}
        return {"saved": True}

    @json_api
    def studio_submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Save the settings, all or nothing: an invalid field saves nothing and is explained next to it."""
        self.refuse_learners()
        values, errors = self.settings_errors(data, {
            **COMMON_SETTINGS,
            "scenario_id": (str, None, 64),
            "reveal_after": (int, 0, 100),
            "leak_cap": (float, 0, 100),
            "leak_caps_grade": (bool, None, None),
            "use_llm": (bool, None, None),
            **LEADERBOARD_SETTINGS,
            **TEAM_SETTINGS,
        }, choices={"job_family": JOB_FAMILY_CHOICES})
        team_values, team_errors = self.check_team_fields(data)
        values.update(team_values)
        errors.update(team_errors)
        grading = data.get("grading", self.grading)
        if grading not in GRADINGS:
            errors["grading"] = [self._("Choose one of the listed options.")]
        weights = self._check_weights(data.get("weights", self.weights), errors)
        content = self.checked_content(data)
        pack, custom, content_errors = content
        errors.update(content_errors)
        if not content_errors and values.get("scenario_id"):
            from ..content import parse_document

            job_family = values.get("job_family", self.job_family)
            if custom:
                documents = [parse_document(self.content_kind, custom)]
            elif pack != AUTO_PACK:
                documents = [load_pack(self.content_kind, pack)]
            else:  # the automatic pack depends on the learner's language: accept a scenario of either language
                documents = [load_pack(self.content_kind, ref) for ref in {default_pack_ref(self.content_kind, lang, job_family or None) for lang in ("en", "fr")} if ref]
            if not any(values["scenario_id"] == s["id"] for d in documents for s in d["scenarios"]):
                errors["scenario_id"] = [self._("This scenario is not in the selected content: choose one of its scenarios or leave it empty.")]
        values = {**from_percent(values, "leak_cap"), "grading": grading, "weights": weights}
        return self.save_studio_fields(data, values, errors, content)

    def _check_weights(self, raw: Any, errors: dict[str, list[str]]) -> dict[str, float]:
        if raw in (None, ""):
            return {}
        if not isinstance(raw, dict) or not set(raw) <= set(CRITERIA):
            errors["weights"] = [self._("The weights could not be read. Reload the editor and try again.")]
            return {}
        cleaned: dict[str, float] = {}
        for criterion, value in raw.items():
            if value in (None, ""):
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10:  # NaN and inf fail too
                # next to the criterion's own box (``weights.<criterion>``), saying what to type
                errors[f"weights.{criterion}"] = [self._("Enter a number from 0 to 10 (0 leaves this criterion out of the score).")]
                continue
            cleaned[criterion] = float(value)
        if any(name.startswith("weights.") for name in errors):
            return {}
        if cleaned and not any(cleaned.values()) and set(cleaned) == set(CRITERIA):
            errors["weights"] = [self._("At least one criterion needs a weight above zero.")]
        return cleaned

    @json_api
    def pack_document(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """The JSON of a default pack, so an author can start their own scenarios from it (Studio only)."""
        self.refuse_learners()
        ref = data.get("pack")
        ref = default_pack_ref(self.content_kind, self.language(), self.job_family or None) if ref in (None, AUTO_PACK) else ref
        try:
            return {"document": load_pack(self.content_kind, ref)}
        except (KeyError, TypeError) as error:
            raise UserError(self._("Choose one of the listed packs."), fields={"pack": [self._("Choose one of the listed packs.")]}) from error

    # ------------------------------------------------------------------ reports
    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """Rows for the instructors' "Problem Responses" CSV: one per prompt, with its score and leaks."""
        count = 0
        for user_state in user_state_iterator:
            state = getattr(user_state, "state", {}) or {}
            for attempt in state.get("attempts") or []:
                if limit_responses is not None and count >= limit_responses:
                    return
                yield getattr(user_state, "username", ""), {
                    "Attempt": attempt.get("number"),
                    "Prompt": attempt.get("prompt", ""),
                    "Score": attempt.get("score"),
                    "Grade": attempt.get("grade"),
                    "Criteria met": ", ".join(attempt.get("met") or []),
                    "Confidential data": ", ".join(sorted({f.get("kind", "") for f in attempt.get("findings") or []})),
                    "AI model used": bool(attempt.get("llm_used")),
                }
                count += 1

    @staticmethod
    def workbench_scenarios():
        return [
            ("ldai prompt sandbox", "<ldai_prompt_sandbox/>"),
            ("ldai prompt sandbox (French, finance)", '<ldai_prompt_sandbox pack="fr/finance" scenario_id="fin-relance-impaye"/>'),
            ("ldai Promptathon (sales, leaderboard)", '<ldai_prompt_sandbox pack="en/sales" leaderboard_enabled="true" max_attempts="0" reveal_after="2"/>'),
        ]


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value
