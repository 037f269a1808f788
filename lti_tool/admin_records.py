"""Admin pages of records (grades sent, statements): read-only, never added or deleted by hand; and the admin forms' URL fields.

Why: these rows are the tool's evidence that something happened (a score earned, a statement made);
an operator may look and send again, never edit or remove.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models

# URL fields typed without a scheme get https:// (a platform's endpoints are https in production);
# also Django 6.0's default, set here so the admin forms do not raise its deprecation warning.
HTTPS_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class RecordAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def shortened(text: str, length: int) -> str:
    """A long value cut for a list column, with an ellipsis."""
    return text if len(text) <= length else text[: length - 1] + "…"
