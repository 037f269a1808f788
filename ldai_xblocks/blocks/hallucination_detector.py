"""The hallucination detector XBlock (`ldai_hallucination_detector`): a clear "not yet available" view until its issue lands.

The entry point exists from day one so courses can reference the block type.
"""

from __future__ import annotations

from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String

from .base import NOT_AVAILABLE, I18nMixin, _


@XBlock.needs("i18n")
class HallucinationDetectorBlock(I18nMixin, XBlock):
    display_name = String(display_name=_("Title"), scope=Scope.settings, default="Hallucination detector")

    def student_view(self, context=None):
        message = self._(NOT_AVAILABLE)
        return Fragment(f'<div class="ldai"><p role="status">{message}</p></div>')

    studio_view = student_view
