"""The risk-awareness quiz XBlock (``ldai_risk_quiz``): a thin shell around ``engine.quiz``.

One question at a time, feedback per choice right after each answer, a closing
profile by risk category with advice, a grade on each completed attempt (the best
attempt is kept). Answers and feedback never reach the browser before the learner
has answered that question.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import UTC, datetime
from typing import Any

from webob import Response
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, Integer, List, Scope, String

from ..content import load_pack, parse_document
from ..content.packs import default_pack_ref
from ..engine import charter as charter_engine
from ..engine import quiz
from . import course_charter
from .base import (
    ATTEMPT_SUMMARY,
    COMMON_SETTINGS,
    JOB_FAMILY_CHOICES,
    ActivityBlock,
    UserError,
    _,
    attempt_history,
    from_percent,
    json_api,
    json_response,
)
from .evidence import EvidenceMixin, quiz_signals

SHOW_ANSWERS = ("immediately", "after_last_attempt", "never")
PREPOST_ROLES = ("none", "pre", "post")
PAIR_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")  # the xAPI profile's word: it names the pair on the dashboard


@XBlock.wants(course_charter.SERVICE)
class RiskQuizBlock(EvidenceMixin, ActivityBlock):
    """Scenario questions per AI-risk category, feedback per choice, a profile by category, graded."""

    activity = "risk_quiz"
    content_kind = "risk_quiz"

    num_questions = Integer(display_name=_("Number of questions"), scope=Scope.settings, default=6, values={"min": 1, "max": 50})
    categories = List(display_name=_("Categories"), help=_("Empty means every category."), scope=Scope.settings, default=[])
    balanced = Boolean(display_name=_("Balance the draw across categories"), scope=Scope.settings, default=True)
    job_family = String(display_name=_("Job family"), help=_("Prefer scenarios of this job family."), scope=Scope.settings, default="")
    pass_threshold = Float(display_name=_("Pass threshold"), scope=Scope.settings, default=0.7, values={"min": 0, "max": 1})
    show_answers = String(display_name=_("Show the right answers"), scope=Scope.settings, default="immediately", values=list(SHOW_ANSWERS))
    prepost_role = String(display_name=_("Role in a pre/post pair"),
                          help=_("Pair two quizzes: the pre-test before the training, the post-test after it. The dashboard compares each "
                                 "learner's first pre-test score with their best post-test score."),
                          scope=Scope.settings, default="none", values=list(PREPOST_ROLES))
    prepost_pair = String(display_name=_("Pair name"), help=_("The same short name on both quizzes of the pair, e.g. risks-2026."),
                          scope=Scope.settings, default="")
    charter = Dict(display_name=_("AI usage charter"), help=_("Per rule: its text and whether the practice is allowed."), scope=Scope.settings, default={})

    current_attempt = Dict(scope=Scope.user_state, default={})
    history = List(scope=Scope.user_state, default=[])

    def default_title(self) -> str:
        return self._("AI risks at work: quiz")

    # ---------------------------------------------------------------- content
    def bank(self) -> quiz.Bank:
        """The bank in force, built once per content source and charter (it is read-only)."""
        return _bank(self.content_kind, self.content_source(), json.dumps(self.charter_rules(), sort_keys=True))

    def course_charter(self) -> dict | None:
        """The course's one charter (the charter activity's document) when the course has saved one."""
        return course_charter.load_document(self)

    def charter_rules(self) -> dict:
        """What the charter questions are graded against: the course's charter, else this block's older own edits."""
        document = self.course_charter()
        return charter_engine.quiz_overrides(document) if document else self.charter

    def _question_payload(self, question: quiz.Question, bank: quiz.Bank) -> dict[str, Any]:
        """A question as the browser may see it before it is answered: no key, no feedback."""
        category = bank.category(question.category)
        return {
            "id": question.id,
            "kind": question.kind,
            "stem": question.stem,
            "category": question.category,
            "category_label": category.label if category else question.category,
            "choices": [{"id": c.id, "text": c.text} for c in question.choices],
            "charter_question": bool(question.charter_rule),
        }

    def student_view_data(self, context=None) -> dict[str, Any]:
        """The activity without its answers, for the mobile apps (CONVENTIONS: answers never leave early)."""
        bank = self.bank()
        return {
            "title": self.title(),
            "num_questions": self.num_questions,
            "max_attempts": self.max_attempts,
            "pass_threshold": self.pass_threshold,
            "categories": [{"id": c.id, "label": c.label} for c in bank.categories],
            "questions": [self._question_payload(q, bank) for q in bank.questions.values()],
        }

    # ------------------------------------------------------------------ state
    def _seed(self, attempt_number: int) -> int:
        return quiz.seed_for(self.learner_id(), self.scope_ids.usage_id, attempt_number)

    def _ensure_attempt(self, bank: quiz.Bank) -> dict[str, Any]:
        """The attempt in progress; before its first answer, the draw of its seed.

        The draw is a pure function of the learner, the block and the attempt number, so a
        reload shows the same questions without storing anything: a first view (an LTI
        launch, a page load) writes no learner state, and the draw is stored with the first
        answer, after which content edits cannot change the learner's questions.
        """
        attempt = dict(self.current_attempt or {})
        if not attempt.get("questions"):
            number = self.attempts_completed + 1
            drawn = quiz.draw(bank, self.num_questions, self._seed(number), self.categories, self.balanced, self.job_family or None,
                              seen=self._seen_questions())
            attempt = {"number": number, "questions": drawn, "answers": {}, "completed": False}
        return attempt

    def never_graded(self) -> bool:
        """In the first attempt, still open or completed by this very request (its summary is the sign: an attempt
        completed by the earlier code has none), no grade was kept before."""
        attempt = self.current_attempt or {}
        return attempt.get("number") == 1 and (not attempt.get("completed") or ATTEMPT_SUMMARY in attempt)

    def _seen_questions(self) -> set[str]:
        """Questions asked in the learner's earlier attempts: a retry draws the others first."""
        seen = {qid for entry in self.history for qid in entry.get("questions", ())}
        previous = self.current_attempt or {}
        if previous.get("completed"):
            seen.update(previous.get("questions", ()))
        return seen

    def _answer_feedback(self, bank: quiz.Bank, question: quiz.Question, answer: dict[str, Any], reveal: bool) -> dict[str, Any]:
        selected = set(answer["selected"])
        shown = [c for c in question.choices if c.id in selected or (reveal and c.correct)]
        return {
            "selected": answer["selected"],
            "score": answer["score"],
            "correct": answer["correct"],
            "choices": {c.id: {"feedback": c.feedback, "correct": c.correct if (reveal or c.id in selected) else None} for c in shown},
            "correct_ids": sorted(question.correct_ids) if reveal else None,
            "explanation": question.explanation if (reveal or answer["correct"]) else None,
            "charter_rule": self._rule_payload(bank.rule(question.charter_rule)),
        }

    def _rule_payload(self, rule: quiz.CharterRule | None) -> dict[str, Any] | None:
        return {"id": rule.id, "text": rule.text, "allowed": rule.allowed} if rule else None

    def _reveal(self) -> bool:
        if self.show_answers == "immediately":
            return True
        if self.show_answers == "after_last_attempt":
            return self.attempts_left() == 0
        return False

    def _profile(self, bank: quiz.Bank, attempt: dict[str, Any]) -> dict[str, Any] | None:
        if not attempt.get("completed"):
            return None
        results = [
            quiz.QuestionResult(qid, bank.questions[qid].category, tuple(a["selected"]), a["score"], a["correct"])
            for qid, a in attempt["answers"].items()
            if qid in bank.questions
        ]
        profile = quiz.build_profile(bank, results, self.pass_threshold, drawn=len(attempt["questions"]))
        return {
            "score": profile.score,
            "passed": profile.passed,
            "categories": [
                {"id": c.id, "label": c.label, "score": c.score, "answered": c.answered, "weak": c.weak, "judged": c.judged,
                 "advice": c.advice, "more_advice": c.more_advice}
                for c in profile.categories
            ],
        }

    def user_state(self, bank: quiz.Bank | None = None) -> dict[str, Any]:
        bank = bank or self.bank()
        attempt = self._ensure_attempt(bank)
        reveal = self._reveal()
        questions = [qid for qid in attempt["questions"] if qid in bank.questions]
        return {
            "attempt_number": attempt["number"],
            "questions": [self._question_payload(bank.questions[qid], bank) for qid in questions],
            "answers": {
                qid: self._answer_feedback(bank, bank.questions[qid], answer, reveal)
                for qid, answer in attempt["answers"].items()
                if qid in bank.questions
            },
            "drafts": {qid: list(selected) for qid, selected in attempt.get("drafts", {}).items() if qid in bank.questions and qid not in attempt["answers"]},
            "charter": [self._rule_payload(rule) for rule in bank.charter]
            if any(bank.questions[qid].charter_rule for qid in questions) else [],
            "completed": attempt.get("completed", False),
            "profile": self._profile(bank, attempt),
            "min_to_judge": quiz.MIN_TO_JUDGE,
            "completed_attempts": self.attempts_completed,
            "max_attempts": self.max_attempts,
            "attempts_left": self.attempts_left(),
            "best_score": self.score_earned,
            "pass_threshold": self.pass_threshold,
        }

    # ------------------------------------------------------------------ views
    @XBlock.supports("multi_device")
    def student_view(self, context=None):
        bank = self.bank()
        state = self.user_state(bank)
        return self.build_fragment(
            "risk_quiz/student.html",
            {"title": self.title(), "count": len(state["questions"]), "max_attempts": self.max_attempts},
            js_class="LdaiRiskQuiz",
            js_args={"state": state},
            css=("css/risk_quiz.css",),
            js=("js/risk_quiz.js",),
        )

    def studio_view(self, context=None):
        document = self.content_document()
        charter = self.charter_rules()
        rules = [
            {"id": r["id"], "default_text": r["text"], "text": charter.get(r["id"], {}).get("text", r["text"]),
             "allowed": charter.get(r["id"], {}).get("allowed", r["allowed"])}
            for r in document.get("charter", [])
        ]
        return self.build_fragment(
            "risk_quiz/studio.html",
            {
                "values": {
                    "display_name": self.display_name,
                    "num_questions": self.num_questions,
                    "balanced": self.balanced,
                    "job_family": self.job_family,
                    "max_attempts": self.max_attempts,
                    "pass_threshold": round(self.pass_threshold * 100),
                    "weight": self.weight,
                    "show_answers": self.show_answers,
                    "pack": self.pack,
                    "custom_content": self.custom_content,
                    "categories": self.categories,
                    "prepost_role": self.prepost_role,
                    "prepost_pair": self.prepost_pair,
                },
                "packs": self.pack_options(),
                "all_categories": [{"id": c["id"], "label": c["label"]} for c in document["categories"]],
                                "show_answers_options": SHOW_ANSWERS,
                "rules": rules,
                "course_charter": self.course_charter() is not None,
                "default_title": self.default_title(),
            },
            js_class="LdaiRiskQuizStudio",
            css=("css/risk_quiz.css",),
            js=("js/quiz_question_editor.js", "js/risk_quiz_studio.js"),
        )

    # --------------------------------------------------------------- handlers
    @XBlock.handler
    def student_view_user_state(self, request, suffix="") -> Response:
        """The learner's state, for the JS at start-up and the mobile apps (GET or POST)."""
        return json_response(self.user_state())

    def _open_question(self, bank: quiz.Bank, attempt: dict[str, Any], question_id: Any) -> quiz.Question:
        """The question a learner may still answer (or draft) in this attempt, else the reason why not."""
        if attempt.get("completed"):
            raise UserError(self._("This attempt is over. Start a new attempt to answer again."), 409, code="attempt_over")
        if not isinstance(question_id, str) or question_id not in attempt["questions"] or question_id not in bank.questions:
            raise UserError(self._("This question is not part of your quiz. Reload the page to continue."), code="unknown_question")
        if question_id in attempt["answers"]:
            raise UserError(self._("You have already answered this question."), 409, code="already_answered")
        return bank.questions[question_id]

    @json_api
    def submit_answer(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        bank = self.bank()
        attempt = self._ensure_attempt(bank)
        question = self._open_question(bank, attempt, data.get("question_id"))
        question_id = question.id
        try:
            result = quiz.grade_question(question, data.get("selected") if isinstance(data.get("selected"), list) else "")
        except quiz.AnswerError as error:
            raise UserError(self._answer_error_message(error.code), code=error.code) from error
        answers = dict(attempt["answers"])
        attempt["drafts"] = {k: v for k, v in attempt.get("drafts", {}).items() if k != question_id}
        answers[question_id] = {"selected": list(result.selected), "score": result.score, "correct": result.correct, "at": _now()}
        attempt = {**attempt, "answers": answers}
        attempt.setdefault("started", answers[question_id]["at"])
        self.emit("answered", {"question_id": question_id, "category": question.category, "selected": list(result.selected), "score": result.score, "attempt": attempt["number"]})
        if all(qid in answers for qid in attempt["questions"] if qid in bank.questions):
            attempt["completed"] = True
            attempt["completed_at"] = _now()
            self._complete(bank, attempt)
        else:
            self.current_attempt = attempt
        return self.user_state(bank)

    def _answer_error_message(self, code: str) -> str:
        return {
            "empty": self._("Select an answer before you check it."),
            "one_only": self._("This question takes a single answer: select only one choice."),
            "unknown_choice": self._("That choice is not part of this question. Reload the page and try again."),
        }.get(code, self._("Your answer could not be read. Reload the page and try again."))

    def _complete(self, bank: quiz.Bank, attempt: dict[str, Any]) -> None:
        """Grade the completed attempt. Its summary stays in the attempt, which this answer writes anyway, and
        joins ``history`` when the learner starts the next one (:meth:`start_attempt`): ``history`` is neither
        read nor written by the answer that completes an attempt."""
        profile = self._profile(bank, attempt) or {"score": 0.0, "categories": [], "passed": False}
        attempt[ATTEMPT_SUMMARY] = {
            "number": attempt["number"],
            "questions": list(attempt["questions"]),
            "score": profile["score"],
            "passed": profile["passed"],
            "categories": {c["id"]: c["score"] for c in profile["categories"]},
            "completed_at": attempt["completed_at"],
        }
        self.current_attempt = attempt
        self.record_attempt(profile["score"])
        self.record_evidence(quiz_signals(profile["categories"]))
        self.emit("submitted", {
            "attempt": attempt["number"],
            "score": profile["score"],
            "passed": profile["passed"],
            "categories": {c["id"]: c["score"] for c in profile["categories"]},
            "max_attempts": self.max_attempts,
            **({"prepost_pair": self.prepost_pair, "prepost_role": self.prepost_role} if self.prepost_role != "none" and self.prepost_pair else {}),
        })

    @json_api
    def save_draft(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Keep the choices ticked but not checked yet, so a reload or another device shows them again.

        Saving a draft stores the attempt's draw, as a first answer does; a draft is only a
        list of the question's choice ids, never graded.
        """
        bank = self.bank()
        attempt = self._ensure_attempt(bank)
        question_id, selected = self._open_question(bank, attempt, data.get("question_id")).id, data.get("selected")
        choices = bank.questions[question_id].choice_ids
        if not isinstance(selected, list) or not all(isinstance(c, str) and c in choices for c in selected):
            raise UserError(self._answer_error_message("unknown_choice"), code="unknown_choice")
        drafts = {**attempt.get("drafts", {}), question_id: list(dict.fromkeys(selected))}
        self.current_attempt = {**attempt, "drafts": {k: v for k, v in drafts.items() if v}}
        return {"saved": True}

    @json_api
    def start_attempt(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        attempt = self.current_attempt or {}
        if not attempt.get("completed"):
            return self.user_state()  # nothing to restart: the attempt in progress (or its draw) stands
        if self.attempts_left() == 0:
            raise UserError(self._("You have used all your attempts."), 409, code="no_attempts_left")
        self.history = attempt_history(self.history, attempt)
        self.current_attempt = {}
        self.emit("retried", {"attempt": self.attempts_completed + 1})
        return self.user_state()

    @json_api
    def studio_submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Save the settings, all or nothing: an invalid field saves nothing and is explained next to it."""
        self.refuse_learners()
        values, errors = self.settings_errors(data, {
            **COMMON_SETTINGS,
            "num_questions": (int, 1, 50),
            "pass_threshold": (float, 0, 100),
            "balanced": (bool, None, None),
        }, choices={"job_family": JOB_FAMILY_CHOICES, "show_answers": SHOW_ANSWERS, "prepost_role": PREPOST_ROLES})
        pair = self._check_pair(data, values.get("prepost_role", self.prepost_role), errors)
        content = self.checked_content(data)
        pack, custom, content_errors = content
        errors.update(content_errors)
        document = None
        if not content_errors:
            document = parse_document(self.content_kind, custom) if custom else load_pack(self.content_kind, pack if pack != "auto" else default_pack_ref(self.content_kind, self.language()))
        categories = data.get("categories", self.categories)
        known = {c["id"] for c in document["categories"]} if document else set()
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories) or (document and not set(categories) <= known):
            errors["categories"] = [self._("Choose categories from the list.")]
        charter = self._check_charter(data.get("charter", self.charter), document, errors)
        values = {**from_percent(values, "pass_threshold"), "categories": categories, "charter": charter, "prepost_pair": pair}
        return self.save_studio_fields(data, values, errors, content)

    def _check_pair(self, data: dict[str, Any], role: str, errors: dict[str, list[str]]) -> str:
        """The pair's name: required for a pre- or post-test, a short word (letters, digits, . _ -) the dashboard shows."""
        pair = data.get("prepost_pair", self.prepost_pair)
        pair = pair.strip() if isinstance(pair, str) else None
        if pair is None or (pair and not PAIR_NAME.fullmatch(pair)):
            errors["prepost_pair"] = [self._("Use up to 40 letters, digits, dots, dashes or underscores, e.g. risks-2026.")]
        elif role != "none" and not pair:
            errors["prepost_pair"] = [self._("Give the pair a name: the same on the pre-test and the post-test.")]
        return pair or ""

    def _check_charter(self, charter: Any, document: dict | None, errors: dict[str, list[str]]) -> dict:
        if not isinstance(charter, dict):
            errors["charter"] = [self._("The charter could not be read. Reload the editor and try again.")]
            return {}
        known = {rule["id"] for rule in (document or {}).get("charter", [])}
        cleaned: dict[str, dict[str, Any]] = {}
        for rule_id, rule in charter.items():
            if document is not None and rule_id not in known:
                continue  # a rule of a previous pack: dropped with it
            if not isinstance(rule, dict) or not isinstance(rule.get("allowed", False), bool) or not isinstance(rule.get("text", ""), str):
                errors["charter"] = [self._("The charter could not be read. Reload the editor and try again.")]
                return {}
            text = rule.get("text", "").strip()
            if len(text) > 1000:
                errors["charter"] = [self._("A charter rule is at most 1,000 characters.")]
                return {}
            cleaned[rule_id] = {"allowed": bool(rule.get("allowed", False)), **({"text": text} if text else {})}
        return cleaned

    @json_api
    def pack_document(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """The JSON of a default pack, so an author can start their own content from it (Studio only)."""
        self.refuse_learners()
        ref = data.get("pack")
        ref = default_pack_ref(self.content_kind, self.language()) if ref in (None, "auto") else ref
        try:
            return {"document": load_pack(self.content_kind, ref)}
        except (KeyError, TypeError) as error:
            raise UserError(self._("Choose one of the listed packs."), fields={"pack": [self._("Choose one of the listed packs.")]}) from error

    # ------------------------------------------------------------------ reports
    def generate_report_data(self, user_state_iterator, limit_responses=None):
        """Rows for the instructors' "Problem Responses" CSV: one per answered question."""
        bank = self.bank()
        count = 0
        for user_state in user_state_iterator:
            state = getattr(user_state, "state", {}) or {}
            attempt = state.get("current_attempt") or {}
            for qid, answer in (attempt.get("answers") or {}).items():
                question = bank.questions.get(qid)
                if question is None:
                    continue
                if limit_responses is not None and count >= limit_responses:
                    return
                texts = [c.text for c in question.choices if c.id in answer.get("selected", [])]
                yield getattr(user_state, "username", ""), {
                    "Attempt": attempt.get("number"),
                    "Category": question.category,
                    "Question": question.stem,
                    "Answer": "; ".join(texts),
                    "Correct": bool(answer.get("correct")),
                    "Score": answer.get("score"),
                }
                count += 1

    @staticmethod
    def workbench_scenarios():
        return [
            ("ldai risk quiz", '<ldai_risk_quiz/>'),
            ("ldai risk quiz (French pack)", '<ldai_risk_quiz pack="fr/ai-risks" num_questions="6"/>'),
        ]


@functools.lru_cache(maxsize=64)
def _bank(kind: str, source: tuple[str, str], charter: str) -> quiz.Bank:
    origin, value = source
    document = parse_document(kind, value) if origin == "custom" else load_pack(kind, value)
    return quiz.build_bank(document, json.loads(charter))


def _now() -> str:
    return datetime.now(UTC).isoformat()
