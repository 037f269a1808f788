"""The ``ldai_llm_jobs`` XBlock service: the LLM part of a feedback runs as a task, never in a web worker.

Why: a model can take tens of seconds to answer; inside the request it would hold a gunicorn
worker that long, and 50 learners pressing "Get feedback" at once would starve the site. With
this service, the prompt sandbox answers at once with the offline feedback and a pending marker;
the review runs as a Celery task (``ldai.llm_review``) in a worker, or, without a broker (the
demo), in a thread of this process; its outcome waits in the shared cache under an unguessable
job id that only the learner's own state holds, and the page polls the block's handler for it.

Only the request built by ``engine.prompt_feedback.review_request`` travels: the *redacted*
prompt, the language, the scenario's task, the model settings (the name of the key's
environment variable, never the key). Quotas are counted in the task (Redis, atomically).
Open edX has no such service: there the block keeps its bounded synchronous path.
"""

from __future__ import annotations

import logging
import secrets
import threading
from typing import Any

from django.core.cache import cache

from ldai_xblocks.blocks.llm_quota import shared_quota
from ldai_xblocks.engine import llm as llm_adapter
from ldai_xblocks.engine.prompt_feedback import run_review

from ..celery_app import tasks_run_in_workers

log = logging.getLogger("ldai.lti.llm")
SERVICE_NAME = "ldai_llm_jobs"
JOB_SECONDS = 3600  # an outcome waits this long for its page; a job still pending after it counts as lost


def _key(job: str) -> str:
    return f"ldai:llm-job:{job}"


def run(job: str, request: dict[str, Any]) -> str:
    """Ask the model and keep the outcome for the page; returns "review" or the failure's reason."""
    outcome = run_review(request, quota=shared_quota())
    if isinstance(outcome, llm_adapter.LLMError):
        cache.set(_key(job), {"state": "done", "error": outcome.reason}, JOB_SECONDS)
        log.info("LLM review %s… ended without a review: %s", job[:6], outcome.reason)
        return outcome.reason
    cache.set(_key(job), {"state": "done", "review": outcome.as_dict()}, JOB_SECONDS)
    return "review"


def run_safely(job: str, request: dict[str, Any]) -> None:
    try:
        run(job, request)
    except Exception:  # a bug must not leave the page waiting for ever: it gets the offline feedback and a notice
        log.exception("LLM review %s… failed", job[:6])
        cache.set(_key(job), {"state": "done", "error": "http_error"}, JOB_SECONDS)


class LlmJobService:
    """What the prompt sandbox asks for with ``@XBlock.wants("ldai_llm_jobs")``."""

    def submit(self, request: dict[str, Any]) -> str:
        """Start the review of ``request``; returns the job id the block keeps in the learner's state."""
        job = secrets.token_urlsafe(18)
        cache.set(_key(job), {"state": "pending"}, JOB_SECONDS)
        if tasks_run_in_workers():
            from lti_tool.tasks import llm_review

            try:
                llm_review.delay(job, request)
                return job
            except Exception:  # broker down: do not lose the review, run it here (off the request's thread)
                log.exception("LLM review %s…: could not enqueue it, running it in this process", job[:6])
        threading.Thread(target=run_safely, args=(job, request), name="ldai-llm-review", daemon=True).start()
        return job

    def result(self, job: str) -> dict[str, Any] | None:
        """None while pending; else ``{"review": {...}}`` or ``{"error": reason}`` (a lost job says "unreachable")."""
        outcome = cache.get(_key(job)) if isinstance(job, str) and job else None
        if outcome is None:
            return {"error": "unreachable"}
        if outcome.get("state") == "pending":
            return None
        return {k: v for k, v in outcome.items() if k in ("review", "error")}
