"""Export, import and copy: every authored field survives the platform's three routes, for every block.

- Course export/import: ``xmodule/modulestore/xml_exporter.py`` writes ``block.add_xml_to_node(node)``;
  ``xmodule/modulestore/xml.py`` reads it back with the block class's ``parse_xml``.
- Duplicate in Studio: ``cms/djangoapps/contentstore/helpers.py`` (``duplicate_block``,
  ``_get_duplicate_metadata``) copies the settings and content fields set on the source.
- Content libraries v2: ``openedx/core/lib/xblock_serializer/block_serializer.py`` serializes
  ``add_xml_to_node`` on a ``root`` element without ``url_name``; the Learning Core runtime
  parses it back with ``parse_xml``.
"""

from __future__ import annotations

import pytest
from lxml import etree
from xblock.core import XBlock
from xblock.fields import Scope, ScopeIds

from tests.openedx.conftest import CUSTOM_CONTENT, author
from tests.openedx.platform import GRADED_BLOCK_TYPES, Platform


@pytest.fixture(params=GRADED_BLOCK_TYPES)
def block_type(request) -> str:
    """The activities with an own-content fixture (tests/openedx/conftest.py)."""
    return request.param

SETTINGS = {  # a non-default value for every authored field, text with markup and line separators included
    "display_name": "Chasse « </script> » & co\u2028",
    "weight": 2.5,
    "max_attempts": 4,
    "leaderboard_enabled": True,
    "leaderboard_size": 25,
    "leaderboard_anonymous": False,
}
TEAM = {  # the team challenge (issue 15): season, source, minimum, the instructor's list as typed and as read
    "team_mode": True, "team_source": "choice", "teamset_id": "ai-champions", "team_min_members": 4,
    "season_start": "2026-12-01T09:00", "season_end": "2026-12-15", "team_roster_csv": "learner;équipe\nana@example.org;Finance « A »\n",
    "team_roster": {"members": {"ana@example.org": "Finance « A »"}, "teams": ["Finance « A »"], "groups": {}},
}
PER_BLOCK = {
    "ldai_risk_quiz": {"num_questions": 3, "balanced": False, "job_family": "hr", "pass_threshold": 0.6, "show_answers": "after_last_attempt",
                       "categories": ["bias"], "charter": {"client-data-public-chatbot": {"text": "Jamais de données client <b>dans</b> un chatbot public.", "allowed": False}}},
    "ldai_hallucination_detector": {"job_family": "finance", "grading": "iou", "reveal": "after_last_attempt", "time_limit": 12, **TEAM},
    "ldai_prompt_sandbox": {"job_family": "sales", "grading": "last", "reveal_after": 2, "leak_caps_grade": False,
                            "leak_cap": 0.3, "use_llm": False, "weights": {"context": 3, "task": 2}, **TEAM},
}


def _authored(block_type: str, platform: Platform):
    fields = {**SETTINGS, **PER_BLOCK[block_type], "custom_content": CUSTOM_CONTENT[block_type]}
    cls = XBlock.load_class(block_type)
    fields = {name: value for name, value in fields.items() if name in cls.fields}
    return author(platform, block_type, **fields), fields


def _values(block, names) -> dict:
    return {name: getattr(block, name) for name in names}


def _parse(platform: Platform, block_type: str, node, block_id: str):
    """The platform's import: ``parse_xml`` with keys of the destination course, through Studio's runtime."""
    runtime = platform.studio_handler(block_type, "scratch", "author").runtime
    usage = platform.usage_key(block_type, block_id)
    block = XBlock.load_class(block_type).parse_xml(node, runtime, ScopeIds(None, block_type, usage, usage))
    block.save()
    return platform.studio_handler(block_type, block_id, "author")


def test_course_export_and_import_keep_every_authored_field(platform, block_type):
    source, fields = _authored(block_type, platform)
    node = etree.Element("unknown")
    source.add_xml_to_node(node)
    exported = etree.tostring(node, encoding="unicode")
    other = Platform()
    other.user("author")
    other.writers |= platform.writers
    again = _parse(other, block_type, etree.fromstring(exported), "imported")
    assert _values(again, fields) == fields
    assert again.content_document() == source.content_document()


def test_studio_duplicate_keeps_every_authored_field(platform, block_type):
    source, fields = _authored(block_type, platform)
    copy = platform.studio_handler(block_type, "copy", "author")
    for name, field in source.fields.items():
        if field.scope in (Scope.settings, Scope.content) and field.is_set_on(source):
            setattr(copy, name, getattr(source, name))
    copy.save()
    assert _values(platform.studio_handler(block_type, "copy", "author"), fields) == fields


def test_the_libraries_v2_serializer_round_trip_keeps_every_authored_field(platform, block_type):
    source, fields = _authored(block_type, platform)
    root = etree.Element("root")
    source.add_xml_to_node(root)
    root.attrib.pop("url_name", None)
    olx = etree.tostring(root, encoding="unicode")
    again = _parse(platform, block_type, etree.fromstring(olx), "from-library")
    assert _values(again, fields) == fields
