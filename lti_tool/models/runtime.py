"""What the tool's XBlock runtime keeps: per-resource-link settings, learners' state, and the grade outbox.

Why these three tables:

- ``ResourceLinkConfig`` holds, per LTI resource link, what Open edX keeps in the
  modulestore: which block type the link shows, its content pack, and the values
  of the block's content/settings-scope fields (edited by instructors through the
  block's own authoring view). It is created on the first launch of a link, from
  the custom parameters deep linking placed there, and remembers the AGS line
  item the platform gave that link.
- ``LearnerState`` holds what Open edX keeps in courseware student modules: the
  block's user-scoped fields as one JSON document per (deployment, context,
  resource link, user, scope). A few columns (score, attempts) are denormalised
  from the ``grade`` events so the instructor's results table needs no block.
- ``GradeOutbox`` is the transactional outbox of scores: the runtime writes a row
  in the SAME database transaction as the learner's state, so a score exists if
  and only if the answer that earned it was saved. A sender (lti_tool.grades)
  then delivers rows to the platform's AGS line item, with retries, and never
  drops a row: a failure stays visible in the admin until it is retried.

Labels are plain English: they only appear in the operator's admin.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .registration import Deployment


class ResourceLinkConfig(models.Model):
    """One placement of an activity in a platform course, and what the instructor configured for it."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="resource_links", verbose_name="deployment")
    context_id = models.CharField("context id", max_length=255, blank=True)
    context_title = models.CharField("course", max_length=255, blank=True)
    resource_link_id = models.CharField("resource link id", max_length=255)
    title = models.CharField("title", max_length=255, blank=True)
    block_type = models.CharField("activity", max_length=64)
    pack_ref = models.CharField(
        "content pack", max_length=100, blank=True,
        help_text='A default pack ("fr/marketing") or "custom" when the instructor supplied their own content.',
    )
    custom_content = models.JSONField("custom content", null=True, blank=True)
    settings = models.JSONField(
        "block settings", default=dict, blank=True,
        help_text="Values of the block's content and settings fields (title, attempts, weight...).",
    )
    summary = models.JSONField("shared state", default=dict, blank=True, editable=False)
    setup_problems = models.JSONField(
        "set-up problems", default=list, blank=True,
        help_text="Custom parameters the tool could not read when the link was created; shown to instructors until they save the settings.",
    )
    lineitem_url = models.URLField("AGS line item", max_length=500, blank=True)
    lineitems_url = models.URLField("AGS line items", max_length=500, blank=True)
    ags_scopes = models.JSONField("AGS scopes", default=list, blank=True)
    lineitem_tag = models.CharField("line item tag", max_length=255, blank=True)
    created = models.DateTimeField("created", default=timezone.now, editable=False)
    modified = models.DateTimeField("modified", auto_now=True)

    class Meta:
        verbose_name = "resource link"
        verbose_name_plural = "resource links"
        constraints = (
            # LTI 1.3: a resource link id is "locally unique to the deployment_id".
            models.UniqueConstraint(fields=["deployment", "resource_link_id"], name="lti_resource_link_unique"),
        )

    def __str__(self) -> str:
        return self.title or f"{self.block_type} {self.resource_link_id}"


class LearnerState(models.Model):
    """The user-scoped XBlock fields of one learner, as one JSON document per scope."""

    class Scope(models.TextChoices):
        USER_STATE = "user_state", "answers (user_state)"
        PREFERENCES = "preferences", "preferences"
        USER_INFO = "user_info", "user info"

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="learner_states", verbose_name="deployment")
    context_id = models.CharField("context id", max_length=255, blank=True)
    resource_link_id = models.CharField(
        "resource link id", max_length=255, blank=True,
        help_text="Empty for the scopes shared by all resource links (preferences per block type, user info).",
    )
    user_sub = models.CharField("user (LTI sub)", max_length=255)
    scope = models.CharField("scope", max_length=100, choices=Scope.choices, default=Scope.USER_STATE)
    block_type = models.CharField("activity", max_length=64, blank=True)
    state = models.JSONField("state", default=dict, blank=True)
    user_name = models.CharField("name", max_length=255, blank=True)
    is_instructor = models.BooleanField(
        "instructor", default=False, help_text="Written by an instructor's preview: left out of the course's results.",
    )
    score = models.FloatField("score", null=True, blank=True, help_text="Last score published, raw.")
    max_score = models.FloatField("maximum score", null=True, blank=True)
    attempts = models.PositiveIntegerField("graded submissions", default=0)
    created = models.DateTimeField("created", default=timezone.now, editable=False)
    modified = models.DateTimeField("last activity", auto_now=True)

    class Meta:
        verbose_name = "learner state"
        verbose_name_plural = "learner states"
        constraints = (
            models.UniqueConstraint(
                fields=["deployment", "context_id", "resource_link_id", "user_sub", "scope", "block_type"],
                name="lti_learner_state_unique",
            ),
        )
        indexes = (
            models.Index(fields=["deployment", "resource_link_id", "scope"], name="lti_state_link_idx"),
            # A launch reads all of one learner's rows in one query and renames them (runtime.learner_rows):
            # without this index both scanned every row of the deployment.
            models.Index(fields=["user_sub", "deployment"], name="lti_state_learner_idx"),
        )

    def __str__(self) -> str:
        return f"{self.user_sub} @ {self.resource_link_id or self.block_type or '-'} ({self.scope})"


class GradeOutbox(models.Model):
    """A score waiting to reach (or having reached) the platform's gradebook.

    ``status`` moves pending -> sending -> sent; ``sending`` is a lease
    (``lease_until``) so a worker that died mid-delivery does not strand the
    row. A newer score for the same learner and line item supersedes an older
    one still waiting, so the platform never receives scores out of order.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed (needs an operator)"
        SUPERSEDED = "superseded", "superseded by a newer score"

    deployment = models.ForeignKey(Deployment, on_delete=models.PROTECT, related_name="grade_outbox", verbose_name="deployment")
    resource_link = models.ForeignKey(
        ResourceLinkConfig, on_delete=models.PROTECT, related_name="grade_outbox", verbose_name="resource link",
    )
    user_sub = models.CharField("user (LTI sub)", max_length=255)
    lineitem_url = models.URLField("line item", max_length=500, blank=True)
    lineitems_url = models.URLField("line items (to find or create by tag)", max_length=500, blank=True)
    lineitem_tag = models.CharField("line item tag", max_length=255, blank=True)
    lineitem_label = models.CharField("line item label", max_length=255, blank=True)
    score_given = models.FloatField("score given")
    score_maximum = models.FloatField("score maximum")
    activity_progress = models.CharField("activity progress", max_length=32, default="Completed")
    grading_progress = models.CharField("grading progress", max_length=32, default="FullyGraded")
    timestamp = models.DateTimeField("score timestamp")
    status = models.CharField("status", max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("delivery attempts", default=0)
    next_attempt_at = models.DateTimeField("next attempt at", default=timezone.now)
    lease_until = models.DateTimeField("lease until", null=True, blank=True, editable=False)
    last_error = models.TextField("last error", blank=True)
    last_status_code = models.PositiveIntegerField("last HTTP status", null=True, blank=True)
    sent_at = models.DateTimeField("sent at", null=True, blank=True)
    idempotency_key = models.CharField("idempotency key", max_length=64, unique=True, editable=False)
    created = models.DateTimeField("created", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "grade (outbox)"
        verbose_name_plural = "grades (outbox)"
        ordering = ("-created", "-pk")
        indexes = (
            models.Index(fields=["status", "next_attempt_at"], name="lti_outbox_due_idx"),
            models.Index(fields=["deployment", "resource_link", "user_sub"], name="lti_outbox_learner_idx"),
        )

    def __str__(self) -> str:
        return f"{self.score_given}/{self.score_maximum} for {self.user_sub} ({self.status})"
