"""Who may post xAPI statements to the tool (``POST /lti/xapi/statements/``): one credential per source.

Why credentials the administrator creates: the ingest endpoint writes into the figures the learning
team reads, so only a source the operator named may write there (an Open edX instance whose
event-routing-backends routes our events to the tool). The secret is stored hashed, like a Django
password, and shown once when it is made (admin action).

Where its statements belong: a credential may name the deployment it speaks for; its statements then
count in that platform's dashboard beside the launches' own. Without one, they are stored with no
deployment and count only in the views over all platforms (docs/xapi-profile.rst, "Statements routed
to the tool").
"""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.db import models

from .registration import Deployment


class XapiSource(models.Model):
    name = models.CharField("name", max_length=120, help_text="For you: which platform posts with this credential.")
    username = models.CharField("user name (basic auth)", max_length=80, unique=True)
    secret_hash = models.CharField("secret (hashed)", max_length=256, editable=False)
    deployment = models.ForeignKey(Deployment, null=True, blank=True, on_delete=models.SET_NULL, related_name="xapi_sources",
                                   verbose_name="counts in the dashboard of",
                                   help_text="Optional: the deployment whose figures these statements join.")
    is_active = models.BooleanField("active", default=True)
    created = models.DateTimeField("created", auto_now_add=True)
    last_used = models.DateTimeField("last statement received", null=True, blank=True)

    class Meta:
        verbose_name = "xAPI source (ingest credential)"
        verbose_name_plural = "xAPI sources (ingest credentials)"

    def __str__(self) -> str:
        return f"{self.name} ({self.username})"

    def new_secret(self) -> str:
        """Set a fresh random secret and return it (the only time it is readable)."""
        secret = secrets.token_urlsafe(32)
        self.secret_hash = make_password(secret)
        return secret

    def check_secret(self, secret: str) -> bool:
        return bool(self.secret_hash) and check_password(secret, self.secret_hash)
