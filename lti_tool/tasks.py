"""The tool's Celery tasks (lti_tool.celery_app says where they run).

Each task is a thin call into the module that owns the work, so the same code runs from a
worker, from ``ldai lti send-grades`` and in the demo's process.
"""

from __future__ import annotations

from celery import shared_task

from .grades import scheduling


@shared_task(name="ldai.deliver_grade", ignore_result=True, acks_late=True)
def deliver_grade(pk: int) -> str | None:
    """Deliver one grade outbox row (enqueued when its transaction commits, and by the sweep)."""
    return scheduling.deliver_row(pk)


@shared_task(name="ldai.sweep_grades", ignore_result=True)
def sweep_grades(limit: int = 500) -> int:
    """Celery beat's periodic look at the outbox: enqueue every due row that has no task waiting."""
    return scheduling.sweep(limit)


@shared_task(name="ldai.llm_review", ignore_result=True, acks_late=True, soft_time_limit=300)
def llm_review(job: str, request: dict) -> None:
    """The LLM part of a prompt's feedback, off the web workers (lti_tool.runtime.llm_jobs)."""
    from .runtime import llm_jobs

    llm_jobs.run_safely(job, request)
