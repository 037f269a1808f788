"""The tool's record of what learners did, as xAPI statements: the source of the L&D dashboard.

Why the tool keeps its own statements (and does not only forward them to an LRS): the learning team's
dashboard and the Article 4 evidence pack must work with no LRS at all, and must count what Open edX
routes to the tool too. A row is one statement, stored whole (``body``), with the few columns the
dashboard filters and aggregates on denormalised beside it, indexed for those queries.

Forwarding to an external LRS is tracked per row (``forwarded_at``, a lease and a back-off schedule), so a
retry after a lost answer resends the same statement id (the LRS stores it once). Statements routed to the
tool by another platform (``source``) are stored, counted, and not forwarded: that platform routes its own.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from .registration import Deployment


class Statement(models.Model):
    id = models.UUIDField("statement id", primary_key=True, default=uuid.uuid4, editable=False)
    # Null only for statements routed to the tool by a source that names no deployment (models.xapi_sources).
    deployment = models.ForeignKey(Deployment, null=True, blank=True, on_delete=models.CASCADE, related_name="statements",
                                   verbose_name="deployment")
    source = models.ForeignKey("XapiSource", null=True, blank=True, on_delete=models.SET_NULL, related_name="statements",
                               verbose_name="routed by", help_text="Empty for the tool's own statements.")
    context_id = models.CharField("context id", max_length=255, blank=True)
    resource_link_id = models.CharField("resource link id", max_length=255, blank=True)
    activity = models.CharField("activity", max_length=64)  # risk_quiz, hallucination_detector, ...
    action = models.CharField("action", max_length=64)  # submitted, launched, answered, ...
    actor = models.CharField("learner (anonymous id)", max_length=200)
    job_family = models.CharField("job family", max_length=64, blank=True)
    team = models.CharField("team", max_length=64, blank=True)  # the dashboard's team filter (extension "team")
    is_instructor = models.BooleanField("instructor", default=False, help_text="An instructor's preview: left out of the figures.")
    score = models.FloatField("scaled score", null=True, blank=True)
    success = models.BooleanField("success", null=True, blank=True)
    timestamp = models.DateTimeField("timestamp", default=timezone.now)
    body = models.JSONField("statement")
    forwarded_at = models.DateTimeField("forwarded to the LRS", null=True, blank=True)
    forward_attempts = models.PositiveIntegerField("forwarding attempts", default=0)
    # Forwarding's schedule and lease (lti_tool.xapi.forwarding): a row is sent only by the worker holding its lease.
    forward_next_at = models.DateTimeField("next forwarding attempt", null=True, blank=True)
    forward_lease_until = models.DateTimeField("forwarding lease", null=True, blank=True)
    forward_failed = models.BooleanField("forwarding refused", default=False,
                                         help_text="The LRS refused it, or it waited too long: a person decides (admin action).")
    forward_error = models.CharField("last forwarding error", max_length=1000, blank=True)

    class Meta:
        verbose_name = "xAPI statement"
        verbose_name_plural = "xAPI statements"
        indexes = (
            # The dashboard: one context (or the whole deployment) over a period, by activity and action.
            models.Index(fields=["deployment", "context_id", "activity", "action", "timestamp"], name="lti_stmt_dashboard"),
            models.Index(fields=["deployment", "activity", "action", "timestamp"], name="lti_stmt_deployment"),
            models.Index(fields=["forwarded_at", "timestamp"], name="lti_stmt_forwarding"),
            # The dashboard's per-learner passes (furthest stage, job family, evidence pack) group by learner.
            models.Index(fields=["deployment", "actor", "activity"], name="lti_stmt_learner"),
        )

    def __str__(self) -> str:
        return f"{self.activity}.{self.action} by {self.actor[:8]}…"


class StatementFact(models.Model):
    """One value a figure reads from a statement's extensions (a category score, a confidential-data kind...).

    Why beside the statement: the dashboard aggregates these in SQL (means of each learner's latest value,
    counts by kind) over hundreds of thousands of statements; reading them out of each statement's JSON
    costs a parse per row, and the JSON functions differ between SQLite and PostgreSQL. Written with the
    statement (``runtime.statements.record``), from ``value_metrics.facts_of``; the other columns are the
    statement's, copied so a figure needs no join.
    """

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="facts", verbose_name="statement")
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="+", verbose_name="deployment")
    context_id = models.CharField("context id", max_length=255, blank=True)
    activity = models.CharField("activity", max_length=64)
    action = models.CharField("action", max_length=64)
    actor = models.CharField("learner (anonymous id)", max_length=200)
    is_instructor = models.BooleanField("instructor", default=False)
    timestamp = models.DateTimeField("timestamp")
    kind = models.CharField("kind", max_length=16)  # category, criterion, level, confidential, priority, charter, minutes
    key = models.CharField("key", max_length=100, blank=True)
    value = models.FloatField("value", null=True, blank=True)

    class Meta:
        verbose_name = "statement fact"
        verbose_name_plural = "statement facts"
        indexes = (models.Index(fields=["deployment", "kind", "context_id", "timestamp"], name="lti_fact_figure"),)
