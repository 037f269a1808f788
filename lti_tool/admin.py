"""Admin of the tool: platforms and their deployments, registration links, pending registrations, tool keys, grade outbox.

Why these actions: making a one-time registration link, approving a deployment
that Dynamic Registration created inactive, approving (or not) what a platform
asked to change, refreshing a platform's keyset after it rotated its keys, and
rotating our own keys are what an operator does without a shell. Each action
does exactly what its label says (tests/lti/test_admin.py runs each one). The
private half of a tool key is never shown, not even read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .admin_records import HTTPS_URL_FIELDS
from .badges import admin as _badges_admin  # noqa: F401  (issued badges: revoke from the admin)
from .grades import admin as _grades_admin  # noqa: F401  (LTI-B's outbox admin registers itself on import)
from .lti import registration_links, registry
from .lti.http import FetchError
from .lti.keys import rotate_keys
from .lti.keysets import fetch_keyset
from .models import Deployment, PendingRegistration, Platform, RegistrationLink, ToolKey
from .xapi import admin as _xapi_admin  # noqa: F401  (statements, forwarding and xAPI sources register themselves)


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 1
    fields = ("deployment_id", "is_active", "created")
    readonly_fields = ("created",)


def _set_deployments(modeladmin, request, deployments, active: bool) -> None:
    count = deployments.update(is_active=active)
    registry.bump()
    modeladmin.message_user(request, f"{count} deployment(s) {'activated' if active else 'deactivated'}.",
                            messages.SUCCESS if active else messages.WARNING)


@admin.action(description="Activate the selected deployments")
def activate(modeladmin, request, queryset):
    _set_deployments(modeladmin, request, queryset, True)


@admin.action(description="Deactivate the selected deployments (their launches are refused)")
def deactivate(modeladmin, request, queryset):
    _set_deployments(modeladmin, request, queryset, False)


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = ("__str__", "issuer", "client_id", "is_active", "source", "pending_deployments", "created")
    list_filter = ("is_active", "source")
    search_fields = ("name", "issuer", "client_id")
    readonly_fields = ("source", "created", "keyset_fetched_at", "keyset_kids")
    fields = (
        "name", "issuer", "client_id", "auth_login_url", "auth_token_url", "auth_audience", "keyset_url",
        "is_active", "source", "created", "keyset_fetched_at", "keyset_kids",
    )
    inlines = (DeploymentInline,)
    actions = ("refresh_keyset", "activate_deployments", "deactivate_deployments", "switch_on", "switch_off")

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

    @admin.action(description="Activate the selected platforms' deployments")
    def activate_deployments(self, request, queryset):
        _set_deployments(self, request, Deployment.objects.filter(platform__in=queryset), True)

    @admin.action(description="Deactivate the selected platforms' deployments (their launches are refused)")
    def deactivate_deployments(self, request, queryset):
        _set_deployments(self, request, Deployment.objects.filter(platform__in=queryset), False)

    @admin.action(description="Switch the selected platforms on")
    def switch_on(self, request, queryset):
        count = queryset.update(is_active=True)
        registry.bump()
        self.message_user(request, f"{count} platform(s) switched on.", messages.SUCCESS)

    @admin.action(description="Switch the selected platforms off (every launch from them is refused)")
    def switch_off(self, request, queryset):
        count = queryset.update(is_active=False)
        registry.bump()
        self.message_user(request, f"{count} platform(s) switched off.", messages.WARNING)


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ("deployment_id", "platform", "is_active", "created")
    list_filter = ("is_active", "platform")
    search_fields = ("deployment_id", "platform__issuer", "platform__name")
    actions = (activate, deactivate)


class RegistrationLinkForm(forms.ModelForm):
    hours = forms.IntegerField(label="valid for (hours)", initial=registration_links.DEFAULT_HOURS, min_value=1, max_value=24 * 30)

    class Meta:
        model = RegistrationLink
        fields = ("label", "request_email")


@admin.register(RegistrationLink)
class RegistrationLinkAdmin(admin.ModelAdmin):
    """Add one to get a link (shown once); paste it into the LMS's 'register a tool' screen."""

    form = RegistrationLinkForm
    list_display = ("__str__", "created_by", "created", "expires_at", "used_at", "platform", "request_email")
    readonly_fields = ("label", "request_email", "created_by", "created", "expires_at", "used_at", "platform")
    actions = ("revoke",)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a link is made, used or revoked, never edited

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user.get_username()
        request._ldai_link_secret = registration_links.arm(obj, form.cleaned_data["hours"])
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        url = request.build_absolute_uri(registration_links.link_path(request._ldai_link_secret))
        self.message_user(request, format_html(
            "Registration link (shown only now; valid until {} UTC, once): <code>{}</code>", f"{obj.expires_at:%Y-%m-%d %H:%M}", url,
        ), messages.SUCCESS)
        return super().response_post_save_add(request, obj)

    @admin.action(description="Revoke the selected links")
    def revoke(self, request, queryset):
        count = queryset.filter(used_at__isnull=True).update(expires_at=timezone.now())
        self.message_user(request, f"{count} link(s) revoked.", messages.SUCCESS)


@admin.register(PendingRegistration)
class PendingRegistrationAdmin(admin.ModelAdmin):
    """What a platform already registered asked to change; nothing changes until an administrator applies it."""

    list_display = ("platform", "created", "summary")
    readonly_fields = ("platform", "created", "link", "deployment_id", "what_would_change")
    fields = readonly_fields
    actions = ("apply",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="changes")
    def summary(self, pending: PendingRegistration) -> str:
        names = list(pending.changes()) + (["new deployment " + pending.deployment_id] if pending.deployment_id else [])
        return ", ".join(names) or "nothing any more"

    @admin.display(description="what would change")
    def what_would_change(self, pending: PendingRegistration):
        rows = [(name, current or "-", proposed or "-") for name, (current, proposed) in pending.changes().items()]
        if pending.deployment_id:
            rows.append(("deployment", "-", f"{pending.deployment_id} (added inactive)"))
        if not rows:
            return "Nothing: the platform already has these values."
        return format_html("<table><tr><th>field</th><th>now</th><th>after approval</th></tr>{}</table>",
                           format_html_join("", "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>", rows))

    @admin.action(description="Apply the selected registrations to their platforms")
    def apply(self, request, queryset):
        applied = 0
        for pending in queryset.select_related("platform"):
            with transaction.atomic():
                platform = pending.platform
                keyset_changed = pending.proposed.get("keyset_url", platform.keyset_url) != platform.keyset_url
                for name, value in pending.proposed.items():
                    setattr(platform, name, value)
                if keyset_changed:  # the cached keys belong to the old URL
                    platform.keyset_json, platform.keyset_fetched_at = None, None
                platform.save()
                if pending.deployment_id:
                    Deployment.objects.get_or_create(platform=platform, deployment_id=pending.deployment_id, defaults={"is_active": False})
                pending.delete()
                applied += 1
        registry.bump()
        self.message_user(request, f"{applied} registration(s) applied; new deployments wait for activation.", messages.SUCCESS)


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
