"""The whole feedback on one prompt: scan, rubric, then (optionally) the LLM, in that order.

The order is the privacy guarantee: the confidential-data scan and the offline
rubric always run first, on the machine; only the *redacted* prompt may be handed
to :mod:`.llm`; whatever the model says, the total is recomputed in code from the
rubric's per-criterion scores, each moved by at most one step. Any LLM failure
leaves the offline feedback intact and adds a notice saying why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..i18n import N_, gettext_for
from . import llm as llm_adapter
from .prompt_rubric import RubricResult, analyze, apply_adjustments
from .sensitive import Finding, scan_and_redact, summarise

NOTICES = {
    "disabled": "",
    "timeout": N_("The AI model took too long to answer: here is the offline feedback."),
    "unreachable": N_("The AI model could not be reached: here is the offline feedback."),
    "http_error": N_("The AI model returned an error: here is the offline feedback."),
    "rate_limited": N_("The AI model is busy right now: here is the offline feedback. Try again in a minute."),
    "malformed": N_("The AI model's reply could not be read: here is the offline feedback."),
    "no_key": N_("The AI model is not fully configured (no key): here is the offline feedback."),
    "too_long": N_("This prompt is too long to send to the AI model: here is the offline feedback."),
    "quota_learner": N_("You have used today's AI reviews for this course: here is the offline feedback."),
    "quota_course": N_("This course has used today's AI reviews: here is the offline feedback."),
}
INJECTION_NOTICE = N_("Your prompt contains instructions addressed to the grader; they were ignored and the score is the offline one.")

# Instructions aimed at the grader rather than at the task. Matching them does not
# change the offline score; it only stops the model's judgment from moving it.
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+|previous\s+|prior\s+|above\s+|earlier\s+)*"
    r"(?:instructions?|rules?|rubric|criteria|grading|prompt|system)"
    r"|\b(?:give|award|assign|grant)\s+(?:me\s+|this(?:\s+prompt)?\s+|it\s+)?(?:full|maximum|max|top|perfect|100%?)\s+(?:marks?|scores?|points|grades?)"
    r"|\b(?:rate|score|grade)\s+(?:this|me|it)\s+(?:100|10/10|2/2|as perfect)"
    r"|\bsystem prompt\b"
    r"|\b(?:ignore|oublie|oubliez|ignorez)\s+(?:toutes\s+|tous\s+|les\s+|tes\s+|vos\s+|la\s+|le\s+|ces\s+|précédentes\s+)*"
    r"(?:instructions?|règles?|consignes?|grille|critères?|barème)"
    r"|\b(?:donne|donnez|attribue|attribuez|mets|mettez)(?:-moi|-lui)?\s+(?:la\s+|une\s+)?(?:note\s+(?:maximale|maximum|parfaite|complète)|tous\s+les\s+points|100\s?(?:/\s?100|%)|20\s?/\s?20)"
    r"|\bnote maximale\b",
    re.IGNORECASE,
)


def looks_like_injection(text: str) -> bool:
    return bool(_INJECTION.search(text or ""))


@dataclass
class PromptFeedback:
    rubric: RubricResult
    findings: list[Finding]
    redacted: str
    llm_used: bool = False
    answer: str = ""
    comments: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    injection: bool = False

    @property
    def score(self) -> int:
        return self.rubric.score

    def as_dict(self) -> dict[str, Any]:
        data = self.rubric.as_dict()
        for criterion in data["criteria"]:
            criterion["comment"] = self.comments.get(criterion["id"], "")
        data["sensitive"] = [f.as_dict() for f in self.findings]
        data["sensitive_summary"] = summarise(self.findings)
        data["llm_used"] = self.llm_used
        data["answer"] = self.answer
        data["notices"] = list(self.notices)
        return data


def offline_feedback(
    prompt: str,
    *,
    lang: str | None = None,
    advice_lang: str | None = None,
    scenario: Mapping[str, Any] | None = None,
    terms: Iterable[str] = (),
    ner: bool = False,
) -> PromptFeedback:
    """The part that runs on the machine, at once: scan and redact, score with the rubric, spot injections."""
    scenario = scenario or {}
    all_terms = list(terms) + list(scenario.get("confidential_terms") or [])
    redacted, findings = scan_and_redact(prompt, all_terms, ner=ner)
    rubric = analyze(prompt, lang=lang, scenario=scenario, advice_lang=advice_lang, confidential=[(f.start, f.end) for f in findings])
    feedback = PromptFeedback(rubric=rubric, findings=findings, redacted=redacted, injection=looks_like_injection(prompt))
    if feedback.injection:
        feedback.notices.append(gettext_for(advice_lang or rubric.lang)(INJECTION_NOTICE))
    return feedback


def add_review(feedback: PromptFeedback, review: llm_adapter.LLMReview | llm_adapter.LLMError, *,
               scenario: Mapping[str, Any] | None = None, advice_lang: str | None = None) -> PromptFeedback:
    """The model's part, when it comes (at once, or later from a background task): its answer and
    comments, each criterion moved by at most one step (not after an injection); a failure adds its notice."""
    _ = gettext_for(advice_lang or feedback.rubric.lang)
    if isinstance(review, llm_adapter.LLMError):
        message = NOTICES.get(review.reason, NOTICES["http_error"])
        if message:
            feedback.notices.append(_(message))
        return feedback
    feedback.llm_used = True
    feedback.answer = review.answer
    feedback.comments = {c: j.comment for c, j in review.judgments.items() if j.comment}
    if not feedback.injection:
        steps = llm_adapter.judgments_to_steps(feedback.rubric.scores(), review.judgments)
        feedback.rubric = apply_adjustments(feedback.rubric, steps, scenario or {}, advice_lang)
    return feedback


def review_request(feedback: PromptFeedback, settings: llm_adapter.LLMSettings, *, advice_lang: str | None = None,
                   scenario: Mapping[str, Any] | None = None, learner_id: str = "anonymous", course_id: str = "default") -> dict[str, Any]:
    """What a background task needs to ask the model later (JSON-ready): the *redacted* prompt only."""
    return {
        "redacted": feedback.redacted,
        "lang": advice_lang or feedback.rubric.lang,
        "scenario_task": str((scenario or {}).get("task") or ""),
        "settings": settings.as_dict(),
        "learner_id": learner_id,
        "course_id": course_id,
    }


def run_review(request: Mapping[str, Any], *, quota: llm_adapter.QuotaCounter | None = None,
               client: llm_adapter.ChatClient | None = None) -> llm_adapter.LLMReview | llm_adapter.LLMError:
    """Ask the model for a :func:`review_request` (the quotas are counted here); never raises LLMError."""
    try:
        return llm_adapter.review(
            request["redacted"], request["lang"], llm_adapter.LLMSettings.from_dict(request["settings"]),
            scenario_task=request.get("scenario_task", ""), quota=quota,
            learner_id=request.get("learner_id", "anonymous"), course_id=request.get("course_id", "default"), client=client,
        )
    except llm_adapter.LLMError as exc:
        return exc


def give_feedback(
    prompt: str,
    *,
    lang: str | None = None,
    advice_lang: str | None = None,
    scenario: Mapping[str, Any] | None = None,
    terms: Iterable[str] = (),
    llm_settings: llm_adapter.LLMSettings | None = None,
    quota: llm_adapter.QuotaCounter | None = None,
    learner_id: str = "anonymous",
    course_id: str = "default",
    client: llm_adapter.ChatClient | None = None,
    ner: bool = False,
) -> PromptFeedback:
    """Scan, score offline, then let a configured LLM refine, in this call; never fails because of the LLM."""
    feedback = offline_feedback(prompt, lang=lang, advice_lang=advice_lang, scenario=scenario, terms=terms, ner=ner)
    settings = llm_settings or llm_adapter.LLMSettings()
    if not settings.enabled:
        return feedback
    request = review_request(feedback, settings, advice_lang=advice_lang, scenario=scenario, learner_id=learner_id, course_id=course_id)
    return add_review(feedback, run_review(request, quota=quota, client=client), scenario=scenario, advice_lang=advice_lang)


__all__ = ["INJECTION_NOTICE", "NOTICES", "PromptFeedback", "add_review", "give_feedback", "looks_like_injection", "offline_feedback",
           "review_request", "run_review"]
