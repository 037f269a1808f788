"""The company AI charter XBlock (``ldai_charter``): read it section by section, show you understood it, accept it.

A thin shell: the charter's rules and the answer key come from ``engine.charter`` (which reuses
the quiz engine for the draw and the grading); the one charter of the course is kept where the
host keeps course-wide data (``blocks.course_charter``). An acceptance records the charter
version, the time and the comprehension score; a new version asks every learner to accept
again and shows them, rule by rule, what changed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from webob import Response
from xblock.core import XBlock
from xblock.fields import Dict, Float, Integer, List, Scope, String

from ..content import ContentError, load_pack, parse_document
from ..content.packs import default_pack_ref
from ..engine import charter as engine
from ..engine import quiz
from . import course_charter
from .base import COMMON_SETTINGS, ActivityBlock, UserError, _, from_percent, json_api, json_response
from .evidence import EvidenceMixin


@XBlock.wants(course_charter.SERVICE)
class CharterBlock(EvidenceMixin, ActivityBlock):
    """The course's AI charter, its scenario questions and each learner's acceptance of each version."""

    activity = "charter"
    content_kind = "charter"

    num_questions = Integer(display_name=_("Number of questions"), help=_("Between 3 and 5."), scope=Scope.settings, default=4,
                            values={"min": engine.MIN_QUESTIONS, "max": engine.MAX_QUESTIONS})
    pass_threshold = Float(display_name=_("Score needed to accept"), scope=Scope.settings, default=0.6, values={"min": 0, "max": 1})
    max_attempts = Integer(display_name=_("Attempts allowed"), help=_("0 means unlimited."), scope=Scope.settings, default=0, values={"min": 0})
    charter_document = String(display_name=_("Company AI charter (JSON)"), help=_("Empty: the default template in the learner's language."),
                              scope=Scope.settings, default="")
    charter_history = Dict(display_name=_("Charter versions"), help=_("The rules of every saved version, to show learners what changed."),
                           scope=Scope.settings, default={})

    attempt = Dict(scope=Scope.user_state, default={})
    acceptances = List(scope=Scope.user_state, default=[])

    def default_title(self) -> str:
        return self._("Our AI charter: read, understand, accept")

    # ---------------------------------------------------------------- content
    def stored_charter(self) -> course_charter.StoredCharter:
        return course_charter.load(self) or course_charter.StoredCharter()

    def content_document(self) -> dict:
        """The company's charter when one is saved, else the default template in the learner's language."""
        stored = self.stored_charter()
        return stored.document or self.template_document()

    def template_document(self) -> dict:
        return load_pack(self.content_kind, default_pack_ref(self.content_kind, self.language()) or "en/ai-charter")

    def bank(self, document: dict | None = None) -> quiz.Bank:
        return engine.build_bank(document or self.content_document())

    def _sections(self, document: dict) -> list[dict[str, Any]]:
        return [
            {"id": s["id"], "title": s["title"], "body": s["body"], "rules": [
                {"id": r["id"], "text": r["text"], "verdict": r["verdict"], "conditions": r.get("conditions", ""),
                 **{key: list(r.get(key, ())) for key in engine.SITUATION_KEYS}}
                for r in s["rules"]
            ]}
            for s in document["sections"]
        ]

    def student_view_data(self, context=None) -> dict[str, Any]:
        """The charter and its questions without the answer key, for the mobile apps."""
        document = self.content_document()
        bank = self.bank(document)
        return {
            "title": self.title(), "version": document["version"], "charter_title": document["title"],
            "sections": self._sections(document), "num_questions": self.num_questions, "pass_threshold": self.pass_threshold,
            "questions": [_question_payload(q) for q in bank.questions.values()],
        }

    # ------------------------------------------------------------------ state
    def _attempt(self, document: dict, bank: quiz.Bank) -> dict[str, Any]:
        """The attempt for the version in force; its draw is a pure function of learner, block, version and number.

        Nothing is written before the learner checks answers, so a view (an LTI launch) stores no state.
        """
        attempt = dict(self.attempt or {})
        if attempt.get("version") != document["version"] or not attempt.get("questions"):
            number = attempt.get("number", 0) + 1 if attempt.get("version") == document["version"] else 1
            seed = quiz.seed_for(self.learner_id(), self.scope_ids.usage_id, document["version"], number)
            attempt = {"version": document["version"], "number": number, "questions": engine.draw(bank, self.num_questions, seed),
                       "answers": {}, "checked": False}
        return attempt

    def _accepted(self, version: str) -> dict | None:
        return next((a for a in reversed(self.acceptances) if a.get("version") == version), None)

    def _changes(self, document: dict, stored: course_charter.StoredCharter) -> dict[str, Any] | None:
        """What changed since the version the learner last accepted, rule by rule, when it is an older one."""
        if not self.acceptances or self._accepted(document["version"]):
            return None
        previous = self.acceptances[-1].get("version", "")
        before = stored.history.get(previous)
        if before is None:
            return {"since": previous, "rules": None}
        return {"since": previous, "rules": [
            {"id": c.rule_id, "change": c.change, "before": c.before, "after": c.after} for c in engine.diff(before, engine.snapshot(document))
        ]}

    def user_state(self) -> dict[str, Any]:
        document = self.content_document()
        bank = self.bank(document)
        attempt = self._attempt(document, bank)
        questions = [bank.questions[qid] for qid in attempt["questions"] if qid in bank.questions]
        checked = bool(attempt.get("checked"))
        score = attempt.get("score") if checked else None
        accepted = self._accepted(document["version"])
        return {
            "version": document["version"],
            "charter_title": document["title"],
            "organisation": document.get("organisation", ""),
            "description": document.get("description", ""),
            "sections": self._sections(document),
            "questions": [_question_payload(q) for q in questions],
            "answers": {q.id: _feedback(q, attempt["answers"][q.id]) for q in questions if checked and q.id in attempt["answers"]},
            "checked": checked,
            "score": score,
            "passed": checked and score is not None and score >= self.pass_threshold,
            "pass_threshold": self.pass_threshold,
            "accepted": accepted,
            "changes": self._changes(document, self.stored_charter()),
            "attempts_left": self.attempts_left(),
        }

    # ------------------------------------------------------------------ views
    @XBlock.supports("multi_device")
    def student_view(self, context=None):
        state = self.user_state()
        return self.build_fragment(
            "charter/student.html", {"title": self.title(), "count": len(state["questions"])},
            js_class="LdaiCharter", js_args={"state": state}, css=("css/charter.css",), js=("js/charter.js",),
        )

    def studio_view(self, context=None):
        stored = self.stored_charter()
        document = stored.document or self.template_document()
        return self.build_fragment(
            "charter/studio.html",
            {
                "values": {
                    "display_name": self.display_name, "num_questions": self.num_questions,
                    "pass_threshold": round(self.pass_threshold * 100), "weight": self.weight,
                    "version": document["version"],
                    "charter": json.dumps(stored.document, ensure_ascii=False, indent=2) if stored.document else "",
                },
                "versions": sorted(stored.history),
                "default_title": self.default_title(),
            },
            js_class="LdaiCharterStudio", css=("css/charter.css",), js=("js/charter_studio.js",),
        )

    # --------------------------------------------------------------- handlers
    @XBlock.handler
    def student_view_user_state(self, request, suffix="") -> Response:
        """The learner's state, for the JS and the mobile apps; reads only (GET-safe)."""
        return json_response(self.user_state())

    @json_api
    def check_answers(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Grade the drawn questions all at once (the quiz engine); every one must be answered."""
        document = self.content_document()
        bank = self.bank(document)
        attempt = self._attempt(document, bank)
        if data.get("version") != document["version"]:
            raise UserError(self._("The charter has a new version. Reload the page to read it."), 409, code="new_version")
        if attempt.get("checked"):
            raise UserError(self._("These answers are already checked. Answer new questions to try again."), 409, code="already_checked")
        answers = data.get("answers") if isinstance(data.get("answers"), dict) else {}
        results: dict[str, Any] = {}
        missing: dict[str, list[str]] = {}
        for qid in attempt["questions"]:
            question = bank.questions.get(qid)
            if question is None:
                continue
            selected = answers.get(qid)
            try:
                result = quiz.grade_question(question, selected if isinstance(selected, list) else [])
            except quiz.AnswerError as error:
                message = self._("Choose an answer to this question.") if error.code == "empty" else self._("Choose one answer to this question.")
                missing[qid] = [message]
                continue
            results[qid] = {"selected": list(result.selected), "score": result.score, "correct": result.correct}
        if missing:
            raise UserError(self._("Answer every question before you check your answers."), fields=missing, code="unanswered")
        score = quiz.attempt_score([quiz.QuestionResult(q, "", (), r["score"], r["correct"]) for q, r in results.items()], len(results))
        self.attempt = {**attempt, "answers": results, "checked": True, "score": round(score, 4), "checked_at": _now()}
        return self.user_state()

    @json_api
    def retry(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """New questions for the same version, after a check (the questions of the last attempt come last)."""
        attempt = dict(self.attempt or {})
        if not attempt.get("checked"):
            return self.user_state()
        if self.attempts_left() == 0:
            raise UserError(self._("You have used all your attempts."), 409, code="no_attempts_left")
        self.attempt = {"version": attempt.get("version"), "number": attempt.get("number", 1), "questions": []}
        self.emit("retried", {"attempt": attempt.get("number", 1) + 1, "charter_version": attempt.get("version")})
        return self.user_state()

    @json_api
    def accept(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Record the acceptance of the version in force, with the time and the comprehension score."""
        document = self.content_document()
        version = document["version"]
        if data.get("version") != version:
            raise UserError(self._("The charter has a new version. Reload the page to read it."), 409, code="new_version")
        if self._accepted(version):
            raise UserError(self._("You have already accepted this version of the charter."), 409, code="already_accepted")
        attempt = self.attempt or {}
        if attempt.get("version") != version or not attempt.get("checked"):
            raise UserError(self._("Answer the questions and check your answers before you accept the charter."), 409, code="not_checked")
        score = float(attempt.get("score", 0.0))
        if score < self.pass_threshold:
            raise UserError(self._("Your score is below what this charter asks. Read the sections again, then answer new questions."), 409, code="below_threshold")
        record = {"version": version, "accepted_at": _now(), "score": round(score, 4)}
        self.acceptances = [*self.acceptances, record]
        self.record_attempt(score)
        self.record_evidence({"comprehension": score})  # the skills map's charter-compliance competence
        self.emit("accepted", {"charter_version": version, "score": record["score"], "accepted_at": record["accepted_at"]})
        return self.user_state()

    @json_api
    def studio_submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Save settings and the charter, all or nothing; a changed charter needs a new version."""
        self.refuse_learners()
        values, errors = self.settings_errors(data, {
            "display_name": COMMON_SETTINGS["display_name"], "weight": COMMON_SETTINGS["weight"],
            "num_questions": (int, engine.MIN_QUESTIONS, engine.MAX_QUESTIONS), "pass_threshold": (float, 0, 100),
        })
        stored = self.stored_charter()
        new_stored = self._checked_charter(data, stored, errors)
        result = self.save_all_or_nothing(from_percent(values, "pass_threshold"), errors)
        if new_stored is not None:
            course_charter.save(self, new_stored)
        return result

    def _checked_charter(self, data: dict[str, Any], stored: course_charter.StoredCharter, errors: dict[str, list[str]]) -> course_charter.StoredCharter | None:
        """The charter to save (``None``: unchanged), or its problems next to the charter and version fields."""
        text, version = data.get("charter", None), data.get("version", None)
        if text is None and version is None:
            return None
        if not isinstance(text, str) or not isinstance(version, str):
            errors["charter"] = [self._("The charter could not be read. Reload the editor and try again.")]
            return None
        current = stored.document or self.template_document()
        if not text.strip():
            if stored.document is None:
                return None
            document = self.template_document()  # back to the template, a version like any other
        else:
            try:
                document = json.loads(text)
            except ValueError:
                errors["charter"] = [self._("This is not valid JSON. Start from the template and edit it.")]
                return None
        if isinstance(document, dict):
            document = {**document, "version": version.strip()}
        try:
            document = parse_document(self.content_kind, json.dumps(document, ensure_ascii=False), self._)
        except ContentError as error:
            version_problems = [str(p) for p in error.problems if p.path == "$.version"]
            if version_problems:
                errors["version"] = [self._("Use letters, digits, dots, dashes or underscores, 40 at most (for example 2.0 or 2026-12).")]
            others = [str(p) for p in error.problems if p.path != "$.version"]
            if others:
                errors["charter"] = others[:20]
            return None
        before, after = engine.snapshot(current), engine.snapshot(document)
        history = dict(stored.history)
        if document["version"] == current["version"]:
            if before != after:
                errors["version"] = [self._("The rules changed: give the charter a new version, so that every learner accepts it again.")]
                return None
        elif document["version"] in history and history[document["version"]] != after:
            errors["version"] = [self._("Version {version} was already used for other rules: choose a new one.").format(version=document["version"])]
            return None
        history.setdefault(current["version"], before)
        history[document["version"]] = after
        return course_charter.StoredCharter(document, history)

    @json_api
    def pack_document(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """The default template, so an author starts the company's charter from it (Studio only)."""
        self.refuse_learners()
        return {"document": self.template_document()}

    # ------------------------------------------------------------------ reports
    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """Rows for the "Problem Responses" report: one per acceptance (version, time, score)."""
        current = self.content_document()["version"]
        count = 0
        for user_state in user_state_iterator:
            state = getattr(user_state, "state", {}) or {}
            for acceptance in state.get("acceptances") or []:
                if limit_responses is not None and count >= limit_responses:
                    return
                yield getattr(user_state, "username", ""), {
                    "Charter version": acceptance.get("version"),
                    "Accepted at (UTC)": acceptance.get("accepted_at"),
                    "Comprehension score": acceptance.get("score"),
                    "Current version": acceptance.get("version") == current,
                }
                count += 1

    @staticmethod
    def workbench_scenarios():
        return [
            ("ldai AI charter", "<ldai_charter/>"),
            ("ldai AI charter (3 questions)", '<ldai_charter num_questions="3"/>'),
        ]


def _question_payload(question: quiz.Question) -> dict[str, Any]:
    """A question before it is answered: no key, no feedback."""
    return {"id": question.id, "kind": question.kind, "stem": question.stem, "rule": question.charter_rule,
            "choices": [{"id": c.id, "text": c.text} for c in question.choices]}


def _feedback(question: quiz.Question, answer: dict[str, Any]) -> dict[str, Any]:
    selected = set(answer["selected"])
    return {
        "selected": answer["selected"], "score": answer["score"], "correct": answer["correct"],
        "feedback": [c.feedback for c in question.choices if c.id in selected],
        "correct_ids": sorted(question.correct_ids), "explanation": question.explanation,
    }


def _now() -> str:
    return datetime.now(UTC).isoformat()
