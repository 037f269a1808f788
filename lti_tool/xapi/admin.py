"""Operator's view of xAPI: statements and where their forwarding stands, and the sources that post to the tool.

Statements are read-only and cannot be deleted here (they are the record the dashboard and the evidence
pack read); the only action is to send refused ones to the LRS again. A source's secret is shown once,
when it is made (on creation, and by the "new secret" action), never again.
Registered by ``lti_tool.admin`` (Django's admin autodiscovery imports that module).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q

from lti_tool.admin_records import RecordAdmin, shortened
from lti_tool.models import Statement, XapiSource

from .forwarding import send_again


class ForwardingFilter(admin.SimpleListFilter):
    title = "forwarding to the LRS"
    parameter_name = "forwarding"

    def lookups(self, request, model_admin):
        return (("waiting", "waiting"), ("retrying", "waiting after a failed attempt"), ("refused", "refused (needs a person)"),
                ("forwarded", "forwarded"), ("kept", "not forwarded (routed to the tool, or an instructor's)"))

    def queryset(self, request, queryset):
        own = Q(source__isnull=True, is_instructor=False)
        return {
            "waiting": queryset.filter(own, forwarded_at__isnull=True, forward_failed=False),
            "retrying": queryset.filter(own, forwarded_at__isnull=True, forward_failed=False, forward_attempts__gt=0),
            "refused": queryset.filter(own, forwarded_at__isnull=True, forward_failed=True),
            "forwarded": queryset.filter(forwarded_at__isnull=False),
            "kept": queryset.exclude(own),
        }.get(self.value(), queryset)


@admin.register(Statement)
class StatementAdmin(RecordAdmin):
    list_display = ("timestamp", "activity", "action", "short_actor", "job_family", "score", "source", "forwarding",
                    "forward_attempts", "short_error")
    list_filter = (ForwardingFilter, "activity", "action", "source", "deployment__platform")
    search_fields = ("id", "actor", "context_id")
    date_hierarchy = "timestamp"
    actions = ("forward_again",)
    list_select_related = ("source",)

    @admin.display(description="learner")
    def short_actor(self, obj: Statement) -> str:
        return shortened(obj.actor, 16)

    @admin.display(description="forwarding")
    def forwarding(self, obj: Statement) -> str:
        if obj.forwarded_at:
            return "forwarded"
        if obj.source_id or obj.is_instructor:
            return "not forwarded"
        return "refused" if obj.forward_failed else "waiting"

    @admin.display(description="last error")
    def short_error(self, obj: Statement) -> str:
        return shortened(obj.forward_error, 80)

    @admin.action(description="Forward the selected statements to the LRS again")
    def forward_again(self, request, queryset):
        """Refused or waiting statements become due now; forwarded ones are left alone (the LRS has them)."""
        count = send_again(queryset.filter(source__isnull=True, is_instructor=False))
        self.message_user(request, f"{count} statement(s) will be forwarded at the next pass.", messages.SUCCESS)


@admin.register(XapiSource)
class XapiSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "username", "deployment", "is_active", "last_used", "created")
    list_filter = ("is_active",)
    fields = ("name", "username", "deployment", "is_active", "last_used", "created")
    readonly_fields = ("last_used", "created")
    actions = ("make_new_secret",)

    def save_model(self, request, obj, form, change):
        secret = obj.new_secret() if not change else None
        super().save_model(request, obj, form, change)
        if secret:
            self._show_secret(request, obj, secret)

    def _show_secret(self, request, obj: XapiSource, secret: str) -> None:
        self.message_user(request, f"Secret of {obj.username} (shown only now; give it to the platform with the user name): {secret}",
                          messages.WARNING)

    @admin.action(description="Make a new secret (the old one stops working)")
    def make_new_secret(self, request, queryset):
        for source in queryset:
            secret = source.new_secret()
            source.save(update_fields=["secret_hash"])
            self._show_secret(request, source, secret)
