"""Who may launch the tool: platforms, their deployments, and the tool's own signing keys.

Why our own models rather than pylti1p3's ``lti1p3_tool_config`` app: that app has
no primary-key setting (a phantom migration on Django 5) and no notion of an
inactive deployment or of key expiry. The design follows django-lti (read, not
installed): a deployment registered by Dynamic Registration starts inactive until
an administrator switches it on, and a rotated key stays in the JWKS until it
expires so platforms that cached the old one keep verifying our tokens.

Labels are plain English: they only appear in the operator's admin, never to a
learner or an instructor.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Platform(models.Model):
    """An LTI 1.3 platform registration (one issuer + client id pair)."""

    class Source(models.TextChoices):
        ADMIN = "admin", "admin"
        CLI = "cli", "command line"
        DYNAMIC = "dynamic", "dynamic registration"

    name = models.CharField("name", max_length=200, blank=True)
    issuer = models.CharField("issuer", max_length=255, help_text="The platform's 'iss' claim, e.g. https://moodle.example.com")
    client_id = models.CharField("client id", max_length=255)
    auth_login_url = models.URLField("authentication request URL", max_length=500)
    auth_token_url = models.URLField("access token URL", max_length=500)
    auth_audience = models.CharField(
        "token audience", max_length=500, blank=True,
        help_text="Audience of the client-credentials assertion when it is not the token URL (rare).",
    )
    keyset_url = models.URLField("public keyset URL", max_length=500)
    keyset_json = models.JSONField("cached keyset", null=True, blank=True, editable=False)
    keyset_fetched_at = models.DateTimeField("keyset fetched at", null=True, blank=True, editable=False)
    is_active = models.BooleanField("active", default=True)
    source = models.CharField("registered by", max_length=16, choices=Source.choices, default=Source.ADMIN)
    created = models.DateTimeField("created", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "platform"
        verbose_name_plural = "platforms"
        constraints = (models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_issuer_client_unique"),)
        indexes = (models.Index(fields=["issuer"], name="lti_platform_issuer_idx"),)

    def __str__(self) -> str:
        return self.name or f"{self.issuer} ({self.client_id})"


class Deployment(models.Model):
    """A deployment of the tool on a platform; launches from an inactive one are refused."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="deployments", verbose_name="platform")
    deployment_id = models.CharField("deployment id", max_length=255)
    is_active = models.BooleanField("active", default=True)
    created = models.DateTimeField("created", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "deployment"
        verbose_name_plural = "deployments"
        constraints = (
            models.UniqueConstraint(fields=["platform", "deployment_id"], name="lti_deployment_platform_id_unique"),
        )

    def __str__(self) -> str:
        return f"{self.deployment_id} @ {self.platform}"


class ToolKeyQuerySet(models.QuerySet):
    def published(self, now=None):
        """Keys platforms may verify with: not revoked and not past their expiry."""
        now = now or timezone.now()
        return self.filter(is_active=True).filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))

    def signing(self, now=None):
        """The key the tool signs with: the newest published key that is not scheduled to expire."""
        return self.published(now).filter(expires_at__isnull=True).order_by("-created", "-pk").first()


class ToolKey(models.Model):
    """An RSA key pair of the tool. The private half never leaves the database (not in the admin, not in logs)."""

    kid = models.CharField("key id", max_length=64, unique=True)
    private_key_pem = models.TextField("private key (PEM)", editable=False)
    public_jwk = models.JSONField("public key (JWK)", editable=False)
    created = models.DateTimeField("created", default=timezone.now, editable=False)
    expires_at = models.DateTimeField(
        "expires at", null=True, blank=True,
        help_text="Empty for the current key; a rotated key stays in the JWKS until this date.",
    )
    is_active = models.BooleanField("active", default=True, help_text="Untick to revoke the key at once.")

    objects = ToolKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "tool key"
        verbose_name_plural = "tool keys"
        ordering = ("-created", "-pk")

    def __str__(self) -> str:
        return self.kid

    def __repr__(self) -> str:  # never print the private key, even in a debugger or a traceback
        return f"<ToolKey kid={self.kid!r} expires_at={self.expires_at!r} active={self.is_active}>"


class RegistrationLink(models.Model):
    """A one-time, expiring Dynamic Registration link an administrator made (admin or ``ldai lti registration-link``).

    Why: the registration URL is pasted into an LMS by whoever has it, so only a link
    the operator created may start a registration. Only a hash of the secret is stored:
    the link is shown once, when it is made.
    """

    token_hash = models.CharField("secret (SHA-256)", max_length=64, unique=True, editable=False)
    label = models.CharField("for", max_length=200, blank=True, help_text="Which platform this link is for, e.g. 'Moodle production'.")
    request_email = models.BooleanField(
        "ask for learners' e-mail", default=False,
        help_text="Request the 'email' claim. Moodle then shares every learner's e-mail address with the tool, always.",
    )
    created_by = models.CharField("created by", max_length=150, blank=True, editable=False)
    created = models.DateTimeField("created", default=timezone.now, editable=False)
    expires_at = models.DateTimeField("expires at")
    used_at = models.DateTimeField("used at", null=True, blank=True, editable=False)
    platform = models.ForeignKey(Platform, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
                                 related_name="registration_links", verbose_name="registered platform")

    class Meta:
        verbose_name = "registration link"
        verbose_name_plural = "registration links"
        ordering = ("-created", "-pk")

    def __str__(self) -> str:
        return self.label or f"registration link {self.pk}"

    def usable(self, now=None) -> bool:
        return self.used_at is None and self.expires_at > (now or timezone.now())


class PendingRegistration(models.Model):
    """A registration that would change a platform already known: kept for an administrator to approve.

    Why: a registration must never rewrite the keyset, login or token URL of a
    platform that launches today; a platform answering with a known client id is
    shown to the operator with what would change, and applied only when approved.
    """

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="pending_registrations", verbose_name="platform")
    proposed = models.JSONField("proposed values", editable=False)
    deployment_id = models.CharField("deployment id", max_length=255, blank=True, editable=False)
    link = models.ForeignKey(RegistrationLink, on_delete=models.SET_NULL, null=True, blank=True, editable=False, verbose_name="link")
    created = models.DateTimeField("received", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "pending registration"
        verbose_name_plural = "pending registrations"
        ordering = ("-created", "-pk")

    def __str__(self) -> str:
        return f"{self.platform} (received {self.created:%Y-%m-%d %H:%M})"

    def changes(self) -> dict[str, tuple[str, str]]:
        """field -> (current value, proposed value), only for the fields that differ."""
        return {name: (getattr(self.platform, name), value) for name, value in self.proposed.items()
                if getattr(self.platform, name) != value}
