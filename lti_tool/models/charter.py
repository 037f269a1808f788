"""The course's AI charter, kept by the tool: one record per platform and course (LTI context).

Why a table of its own and not the resource link's settings: the charter is course-wide. Every
activity of the course reads it (the charter activity shows it, the risk quiz grades its
charter questions against it), whichever resource link or deployment launches them, so it is
keyed like the course, not like a placement. ``history`` keeps each version's rules so a
learner who accepted an older one is shown what changed.
"""

from __future__ import annotations

from django.db import models

from .registration import Platform


class CourseCharter(models.Model):
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="course_charters", verbose_name="platform")
    context_id = models.CharField("context id", max_length=255, help_text="The platform's course (LTI context).")
    document = models.JSONField("charter", null=True, blank=True, help_text="Empty: the default template in each learner's language.")
    history = models.JSONField("versions", default=dict, blank=True, help_text="The rules of every saved version.")
    modified = models.DateTimeField("modified", auto_now=True)

    class Meta:
        verbose_name = "course charter"
        verbose_name_plural = "course charters"
        constraints = (models.UniqueConstraint(fields=["platform", "context_id"], name="lti_course_charter_unique"),)

    def __str__(self) -> str:
        version = (self.document or {}).get("version", "template")
        return f"{self.context_id} @ {self.platform} (v{version})"
