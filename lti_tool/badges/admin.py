"""Admin of the badges the tool issued: find one, revoke it (it then appears in the public revocation list).

Why here and not only the CLI: an operator asked to withdraw a badge may have no shell. The
credential itself is shown read-only; the learner's private link (``download_key``) is not shown,
and badge keys are not listed at all (their private halves never leave the database).
"""

from __future__ import annotations

from django.contrib import admin, messages

from ..models import IssuedBadge
from . import issuer


@admin.action(description="Revoke the selected badges (published in the revocation list)")
def revoke_badges(modeladmin, request, queryset) -> None:
    count = 0
    for badge in queryset.filter(revoked_at__isnull=True):
        issuer.revoke(badge, "revoked by an administrator")
        count += 1
    modeladmin.message_user(request, f"{count} badge(s) revoked.", messages.WARNING)


@admin.register(IssuedBadge)
class IssuedBadgeAdmin(admin.ModelAdmin):
    list_display = ("name", "credential_id", "issued_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("credential_id", "name", "achievement_id")
    readonly_fields = ("credential_id", "token", "achievement_id", "name", "colour", "learner", "source", "issued_at", "revoked_at")
    fields = ("credential_id", "name", "achievement_id", "issued_at", "learner", "source", "revoked_at", "revocation_reason", "token")
    actions = (revoke_badges,)

    def has_add_permission(self, request) -> bool:  # badges are issued by activities or `ldai badges issue`, never typed in
        return False
