"""The demo's badge: finishing the risk quiz earns "AI risk aware", in the demo's language.

Why here: the demo shows the whole path of issue 15 (earn, download, verify) without an author
setting anything up first; the badge travels as the quiz link's custom settings, as deep linking
would place them.
"""

from __future__ import annotations

import json

from ldai_xblocks.i18n import N_, gettext_for

from ..lti import claims as c

DEMO_BADGE = {
    "name": N_("AI risk aware"),
    "description": N_("Recognises the risks of generative AI at work: hallucinations, bias, confidential data, the company's charter."),
    "criteria_text": N_("Finish the risk-awareness quiz."),
}


def demo_custom(block_type: str, language: str) -> dict[str, str]:
    """Custom parameters the demo's launch adds for this activity (the quiz gets its badge)."""
    if block_type != "ldai_risk_quiz":
        return {}
    _ = gettext_for(language)
    badge = {"enabled": True, "criterion": "completed", "colour": "#1f5f99", "alignments": ["risk-awareness"],
             **{key: _(text) for key, text in DEMO_BADGE.items()}}
    return {c.CUSTOM_SETTINGS: json.dumps({"badge": badge}, ensure_ascii=False)}
