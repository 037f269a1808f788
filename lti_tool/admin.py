"""Admin of the tool: platforms and their deployments (approve self-registered ones), tool keys, grade outbox.

Why these actions: approving a deployment that Dynamic Registration created
inactive, refreshing a platform's keyset after it rotated its keys, and rotating
our own keys are the three things an operator does without a shell. The private
half of a tool key is never shown, not even read-only.
"""

from __future__ import annotations

from django.contrib import admin, messages

from .grades import admin as _grades_admin  # noqa: F401  (LTI-B's outbox admin registers itself on import)
from .lti import registry
from .lti.http import FetchError
from .lti.keys import rotate_keys
from .lti.keysets import fetch_keyset
from .models import Deployment, Platform, ToolKey


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 1
    fields = ("deployment_id", "is_active", "created")
    readonly_fields = ("created",)


@admin.action(description="Activate the selected deployments")
def activate(modeladmin, request, queryset):
    count = queryset.update(is_active=True)
    registry.bump()
    modeladmin.message_user(request, f"{count} activated.", messages.SUCCESS)


@admin.action(description="Deactivate the selected deployments (their launches are refused)")
def deactivate(modeladmin, request, queryset):
    count = queryset.update(is_active=False)
    registry.bump()
    modeladmin.message_user(request, f"{count} deactivated.", messages.WARNING)


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("__str__", "issuer", "client_id", "is_active", "source", "pending_deployments", "created")
    list_filter = ("is_active", "source")
    search_fields = ("name", "issuer", "client_id")
    readonly_fields = ("source", "created", "keyset_fetched_at", "keyset_kids")
    fields = (
        "name", "issuer", "client_id", "auth_login_url", "auth_token_url", "auth_audience", "keyset_url",
        "is_active", "source", "created", "keyset_fetched_at", "keyset_kids",
    )
    inlines = (DeploymentInline,)
    actions = ("refresh_keyset", activate, deactivate)

    @admin.display(description="deployments waiting for approval")
    def pending_deployments(self, platform: Platform) -> int:
        return platform.deployments.filter(is_active=False).count()

    @admin.display(description="platform key ids (cached)")
    def keyset_kids(self, platform: Platform) -> str:
        keys = (platform.keyset_json or {}).get("keys", [])
        return ", ".join(str(k.get("kid", "?")) for k in keys if isinstance(k, dict)) or "-"

    @admin.action(description="Fetch the platforms' public keys again")
    def refresh_keyset(self, request, queryset):
        for platform in queryset:
            try:
                keyset = fetch_keyset(platform)
                self.message_user(request, f"{platform}: {len(keyset['keys'])} key(s).", messages.SUCCESS)
            except FetchError as exc:
                self.message_user(request, f"{platform}: {exc}", messages.ERROR)


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ("deployment_id", "platform", "is_active", "created")
    list_filter = ("is_active", "platform")
    search_fields = ("deployment_id", "platform__issuer", "platform__name")
    actions = (activate, deactivate)


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    list_display = ("kid", "created", "expires_at", "is_active")
    list_filter = ("is_active",)
    fields = ("kid", "created", "expires_at", "is_active", "public_jwk")
    readonly_fields = ("kid", "created", "public_jwk")
    actions = ("rotate",)

    def has_add_permission(self, request) -> bool:
        return False  # keys are generated, never typed: use the "rotate" action or 'ldai lti rotate-keys'

    @admin.action(description="Rotate the tool's keys now (the selection does not matter)")
    def rotate(self, request, queryset):
        new_key, retiring, deleted = rotate_keys()
        self.message_user(request, f"New signing key {new_key.kid}; {len(retiring)} retiring; {deleted} expired deleted.", messages.SUCCESS)
