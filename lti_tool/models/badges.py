"""Open Badges the tool issued, and the keys it signs them with.

Why a badge key of its own, not the LTI ``ToolKey``: LTI keys rotate and are DELETED after a
72-hour grace (platforms only need to verify tokens minutes old), but a badge must verify for
years. A badge key is retired instead: its private half is wiped, its public half stays in the
badge JWKS for as long as credentials signed with it exist. Key material is made by the same
function as the LTI keys (``lti.keys._new_key_material``), so the two never drift apart.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class BadgeKeyQuerySet(models.QuerySet):
    def signing(self):
        """The newest key that still has its private half."""
        return self.filter(retired_at__isnull=True).exclude(private_key_pem="").order_by("-created", "-pk").first()


class BadgeKey(models.Model):
    """An RSA key pair of the badge issuer; retired keys keep only their public JWK."""

    kid = models.CharField("key id", max_length=64, unique=True)
    private_key_pem = models.TextField("private key (PEM)", editable=False, blank=True)
    public_jwk = models.JSONField("public key (JWK)", editable=False)
    created = models.DateTimeField("created", default=timezone.now, editable=False)
    retired_at = models.DateTimeField("retired at", null=True, blank=True, editable=False)

    objects = BadgeKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "badge key"
        ordering = ("-created", "-pk")

    def __repr__(self) -> str:  # never print the private key
        return f"<BadgeKey kid={self.kid!r} retired_at={self.retired_at!r}>"

    def __str__(self) -> str:
        return self.kid


class IssuedBadge(models.Model):
    """One OpenBadgeCredential: the signed JWS as issued, who it is for (anonymously) and its status.

    ``download_key`` is the learner's private capability to fetch it again: the badge pages are
    reachable only with it, so no learner sees another's badge unless that learner shares the link.
    """

    credential_id = models.CharField("credential id", max_length=100, unique=True)
    token = models.TextField("credential (VC-JWT)", editable=False)
    achievement_id = models.CharField("achievement id", max_length=500)
    name = models.CharField("badge name", max_length=200)
    colour = models.CharField("colour", max_length=7, default="#1f5f99")
    image_svg = models.TextField("author's own image (SVG)", blank=True, default="", editable=False)
    learner = models.CharField("learner (anonymous id)", max_length=64, db_index=True)
    source = models.CharField("where it was earned", max_length=300, blank=True, default="", db_index=True)
    download_key = models.CharField(max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField("issued", default=timezone.now)
    revoked_at = models.DateTimeField("revoked", null=True, blank=True)
    revocation_reason = models.CharField("revocation reason", max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "issued badge"
        ordering = ("-issued_at", "-pk")
        constraints = [models.UniqueConstraint(fields=("learner", "source", "achievement_id"), name="one_badge_per_learner_source_achievement")]

    def __str__(self) -> str:
        return f"{self.name} ({self.credential_id})"
