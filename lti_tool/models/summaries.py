"""The dashboard's per-learner summaries, kept up to date on write: what lets it answer in under a second.

Why: at 20,000 learners x 10 activities (~450,000 statements, ~1,000,000 facts) every figure computed from
the statements sorts or windows the whole table (9 s fresh on PostgreSQL). These three tables hold, per
learner, what the figures read, so a figure scans a few rows per learner with no window over statements:

- :class:`LearnerActivityDay`: one row per learner, activity and UTC day: first and last statement, the
  furthest funnel stage, the first and best graded score (before/after), the number of graded attempts;
- :class:`LearnerFactDay`: one row per learner, activity, action, fact (kind + key) and UTC day: how many,
  the latest value and its time, the earliest value, the greatest, the sum (category scores, confidential-data
  kinds, charter versions, priorities, self-levels, minutes saved, the use-case statements themselves, and
  the scores of quizzes paired as pre- and post-test);
- :class:`LearnerProfile`: one row per learner and context: their latest non-empty job family and team, and their
  all-time totals (``lti_tool.dashboard.learner_totals``): what the figures read when no period is chosen, a
  record per learner instead of a sort over their rows.

Why per DAY: the dashboard's period filter is whole UTC days (``value_metrics.Filters.whole_days``); a day
never straddles a period's edge, so every figure over summaries equals the figure over the statements of
the period. Instructors' previews are never summarised (the figures leave them out).

Written in the statement's transaction by ``lti_tool.dashboard.summaries.summarize`` (an upsert: INSERT ...
ON CONFLICT DO UPDATE merging the old row and the new statement, atomic under concurrent writers on
PostgreSQL), rebuilt from the statements by ``manage.py ldai_rebuild_summaries``.
"""

from __future__ import annotations

from django.db import models

from .registration import Deployment


class LearnerActivityDay(models.Model):
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="+", verbose_name="deployment")
    context_id = models.CharField("context id", max_length=255, blank=True)
    activity = models.CharField("activity", max_length=64)
    actor = models.CharField("learner (anonymous id)", max_length=200)
    day = models.DateField("day (UTC)")
    first_at = models.DateTimeField("first statement")
    last_at = models.DateTimeField("last statement")
    stage = models.PositiveSmallIntegerField("furthest stage")  # value_metrics.LAUNCHED .. PASSED
    marked = models.BooleanField("a completion said passed or failed", default=False)
    graded = models.PositiveIntegerField("graded attempts", default=0)
    first_score = models.FloatField("first graded score", null=True, blank=True)
    first_score_at = models.DateTimeField("first graded attempt", null=True, blank=True)
    best_score = models.FloatField("best graded score", null=True, blank=True)

    class Meta:
        verbose_name = "learner's activity on a day"
        verbose_name_plural = "learners' activity by day"
        constraints = (models.UniqueConstraint(fields=["deployment", "context_id", "activity", "actor", "day"], name="lti_summary_activity_key"),)
        indexes = (models.Index(fields=["deployment", "context_id", "day"], name="lti_summary_activity_scope"),)


class LearnerFactDay(models.Model):
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="+", verbose_name="deployment")
    context_id = models.CharField("context id", max_length=255, blank=True)
    actor = models.CharField("learner (anonymous id)", max_length=200)
    activity = models.CharField("activity", max_length=64)
    action = models.CharField("action", max_length=64)
    kind = models.CharField("kind", max_length=16)
    key = models.CharField("key", max_length=100, blank=True)
    day = models.DateField("day (UTC)")
    events = models.PositiveIntegerField("facts", default=0)
    # Named as StatementFact's columns on purpose: the "latest value per learner" queries read either table.
    value = models.FloatField("latest value", null=True, blank=True)
    timestamp = models.DateTimeField("latest time")
    value_sum = models.FloatField("sum of the values", default=0)
    first_value = models.FloatField("earliest value", null=True, blank=True)  # a pre-test's first score
    first_at = models.DateTimeField("earliest time")
    second_value = models.FloatField("second earliest value", null=True, blank=True)  # a criterion's 2nd graded score that day
    second_at = models.DateTimeField("second earliest time", null=True, blank=True)
    max_value = models.FloatField("greatest value", null=True, blank=True)  # a post-test's best score

    class Meta:
        verbose_name = "learner's fact on a day"
        verbose_name_plural = "learners' facts by day"
        constraints = (models.UniqueConstraint(fields=["deployment", "context_id", "actor", "activity", "action", "kind", "key", "day"],
                                               name="lti_summary_fact_key"),)
        indexes = (models.Index(fields=["deployment", "kind", "context_id", "day"], name="lti_summary_fact_scope"),)


class LearnerProfile(models.Model):
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="+", verbose_name="deployment")
    context_id = models.CharField("context id", max_length=255, blank=True)
    actor = models.CharField("learner (anonymous id)", max_length=200)
    job_family = models.CharField("job family", max_length=64, blank=True)
    family_at = models.DateTimeField("job family given at", null=True, blank=True)
    team = models.CharField("team", max_length=64, blank=True)
    team_at = models.DateTimeField("team given at", null=True, blank=True)
    totals = models.TextField("all-time totals (JSON)", db_default="{}", blank=True)  # dashboard.learner_totals: merged on write
    shown = models.TextField("what the figures read of the totals (JSON)", db_default="{}", blank=True)  # learner_totals.shown
    # Raised by every write of the learner's summaries: the scope's sum is the dashboard cache's watermark.
    revision = models.PositiveBigIntegerField("revision", db_default=0)

    class Meta:
        verbose_name = "learner's profile"
        verbose_name_plural = "learners' profiles"
        constraints = (models.UniqueConstraint(fields=["deployment", "context_id", "actor"], name="lti_summary_profile_key"),)
        # The filter menus' job families and teams, read from the index alone (the rows carry the learners' totals).
        indexes = (models.Index(fields=["deployment", "context_id", "job_family", "team"], name="lti_summary_profile_menu"),)
