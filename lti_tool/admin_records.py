"""Admin pages of records (grades sent, statements): read-only, never added or deleted by hand.

Why: these rows are the tool's evidence that something happened (a score earned, a statement made);
an operator may look and send again, never edit or remove.
"""

from __future__ import annotations

from django.contrib import admin


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
