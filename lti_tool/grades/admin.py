"""Operator's view of the grade outbox: what is waiting, what failed and why, and a retry button.

Rows are read-only and cannot be deleted here: the outbox is the record that a
learner earned a score, so the only operator action is to send it again.
Registered by ``lti_tool.admin`` (Django's admin autodiscovery imports that module).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone

from lti_tool.admin_records import HTTPS_URL_FIELDS, RecordAdmin, shortened
from lti_tool.models import GradeOutbox, ResourceLinkConfig

from .scheduling import deliver_soon

Status = GradeOutbox.Status


@admin.register(GradeOutbox)
class GradeOutboxAdmin(RecordAdmin):
    list_display = ("id", "status", "short_user", "resource_link", "score", "attempts", "last_status_code", "short_error",
                    "next_attempt_at", "sent_at", "created")
    list_filter = ("status", "deployment__platform")
    search_fields = ("user_sub", "resource_link__resource_link_id", "resource_link__title", "lineitem_url")
    date_hierarchy = "created"
    actions = ("retry_now",)
    list_select_related = ("resource_link",)

    @admin.display(description="learner")
    def short_user(self, obj: GradeOutbox) -> str:
        return shortened(obj.user_sub, 16)

    @admin.display(description="score")
    def score(self, obj: GradeOutbox) -> str:
        return f"{obj.score_given:g} / {obj.score_maximum:g}"

    @admin.display(description="last error")
    def short_error(self, obj: GradeOutbox) -> str:
        return shortened(obj.last_error, 80)

    @admin.action(description="Send the selected grades again now")
    def retry_now(self, request, queryset):
        """Failed or waiting rows go back to the queue, due now; sent rows are left alone (no duplicates)."""
        waiting = queryset.filter(Q(status=Status.FAILED) | Q(status=Status.PENDING))
        pks = list(waiting.values_list("pk", flat=True))
        count = GradeOutbox.objects.filter(pk__in=pks).update(status=Status.PENDING, next_attempt_at=timezone.now(), lease_until=None)
        skipped = queryset.count() - count
        for pk in pks:
            deliver_soon(pk)
        self.message_user(request, f"{count} grade(s) queued for delivery now.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} grade(s) skipped: already sent, being sent, or superseded.", messages.INFO)


@admin.register(ResourceLinkConfig)
class ResourceLinkConfigAdmin(admin.ModelAdmin):
    """Where each placement points (activity, pack, line item): for support, not for editing (instructors edit in the tool)."""

    formfield_overrides = HTTPS_URL_FIELDS
    list_display = ("title", "block_type", "pack_ref", "context_title", "deployment", "lineitem_url", "modified")
    list_filter = ("block_type", "deployment__platform")
    search_fields = ("title", "resource_link_id", "context_id", "context_title")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
