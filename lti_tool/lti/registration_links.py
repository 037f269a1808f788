"""One-time Dynamic Registration links: made by an administrator, expiring, used once.

Why links: LMSs open the tool's registration URL in a dialog where the tool
cannot see who the LMS administrator is (no login of ours, third-party cookies
blocked), so the URL itself carries the proof: a random secret the operator
handed over, of which only the SHA-256 is stored. A link is spent when a
registration completes; a failed attempt gives it back.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..models import RegistrationLink

DEFAULT_HOURS = 24


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def arm(link: RegistrationLink, hours: float = DEFAULT_HOURS) -> str:
    """Give an unsaved link its secret and expiry; returns the secret (shown once, never stored)."""
    secret = secrets.token_urlsafe(32)
    link.token_hash = _hash(secret)
    link.expires_at = timezone.now() + timedelta(hours=hours)
    return secret


def new_link(*, label: str = "", hours: float = DEFAULT_HOURS, request_email: bool = False, created_by: str = "",
             ) -> tuple[RegistrationLink, str]:
    """A fresh, saved link and its secret."""
    link = RegistrationLink(label=label[:200], request_email=request_email, created_by=created_by[:150])
    secret = arm(link, hours)
    link.save()
    return link, secret


def link_path(secret: str) -> str:
    return reverse("lti_tool:register-link", args=[secret])


def usable_link(secret: str) -> RegistrationLink | None:
    """The link this secret opens, if it is neither spent nor expired."""
    if not secret or len(secret) > 100:
        return None
    link = RegistrationLink.objects.filter(token_hash=_hash(secret)).first()
    return link if link and link.usable() else None


def claim(link: RegistrationLink) -> bool:
    """Spend the link, atomically: two registrations racing with one link cannot both proceed."""
    now = timezone.now()
    claimed = RegistrationLink.objects.filter(Q(pk=link.pk) & Q(used_at__isnull=True) & Q(expires_at__gt=now)).update(used_at=now)
    link.used_at = now if claimed else link.used_at
    return bool(claimed)


def give_back(link: RegistrationLink) -> None:
    """The registration failed after the link was claimed: the administrator may try again with it."""
    RegistrationLink.objects.filter(pk=link.pk, platform__isnull=True).update(used_at=None)
    link.used_at = None
