"""The LTI tool's launch page with author text that tries to break out of a script (issue 12, blocks that survive any host).

Same payload and page check as tests/openedx/test_script_safety.py: the launch sets every text
field through the custom parameters deep linking writes (``ldai_content``, ``ldai_settings``).
"""

from __future__ import annotations

import json

import pytest

from lti_tool.lti import claims as c
from tests.lti.runtime_fixtures import launch_page
from tests.openedx.platform import GRADED_BLOCK_TYPES
from tests.openedx.test_script_safety import assert_script_safe, hostile_fields

pytest_plugins = ["tests.lti.runtime_fixtures"]


@pytest.mark.parametrize("block_type", GRADED_BLOCK_TYPES)
def test_launch_page_keeps_hostile_author_text_inside_its_script(client, graded_platform, block_type):
    consumer, _ = graded_platform
    fields = hostile_fields(block_type)
    settings = {name: value for name, value in fields.items() if name != "custom_content"}
    custom = {c.CUSTOM_ACTIVITY: block_type, c.CUSTOM_PACK: c.CUSTOM_PACK_OWN, c.CUSTOM_CONTENT: fields["custom_content"],
              c.CUSTOM_SETTINGS: json.dumps(settings, ensure_ascii=False)}
    html = launch_page(client, consumer, custom=custom)
    args = assert_script_safe(html)
    assert args["state"] and "Title &lt;/script&gt;" in html  # the title is shown, escaped, in the HTML
