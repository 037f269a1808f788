"""What a platform's answer to a score delivery means: delivered, try again later, or refused (and why).

Why a classification of its own: the sender (today a worker loop, tomorrow a Celery
task) must not guess from status codes inline, and the two platforms we target
answer differently:

- Moodle (``mod/lti/service/gradebookservices/classes/local/resources/scores.php``)
  answers **409** when the score's timestamp, in whole seconds, is not newer than the
  grade it holds: the platform already has this score (a retry after a lost answer)
  or a newer one. For the tool that is a delivery, not a failure.
- Canvas (``app/controllers/lti/ims/scores_controller.rb``) answers **422** when the
  course limits attempts and the learner has none left (and for a user who is not a
  student), **400** for a timestamp older than the result it holds. Those are final
  until a person acts: an instructor raises the limit, then sends the grade again.

Network errors, 5xx and 429 are worth retrying by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ags import SCORE_ENDPOINT, AgsError

DELIVERED = "delivered"
RETRY = "retry"
REFUSED = "refused"

ALREADY_HELD = "the platform already holds this score or a newer one (HTTP 409)"


@dataclass(frozen=True)
class Outcome:
    """``kind`` is DELIVERED, RETRY or REFUSED; ``reason`` is what to show the instructor and the operator."""

    kind: str
    reason: str = ""
    status: int | None = None
    retry_after: float | None = None


def classify(error: AgsError) -> Outcome:
    """The meaning of a failed AGS exchange for the score being delivered."""
    if error.status == 409 and error.endpoint == SCORE_ENDPOINT:
        return Outcome(DELIVERED, ALREADY_HELD, 409)
    if error.retryable:
        return Outcome(RETRY, str(error), error.status, error.retry_after)
    reason = error.reason or str(error)
    if error.status is not None:
        reason = f"{reason} (HTTP {error.status})"
    return Outcome(REFUSED, reason, error.status)
