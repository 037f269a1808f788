"""Blocks that survive any host: author text with ``</script>``, ``<!--`` and U+2028 cannot break out of a script.

Hosts write a block's start-up arguments into ``<script type="json/xblock-args">``: XBlock's own
``Runtime.wrap_xblock`` (what xblock-sdk's workbench uses) with a plain ``json.dumps`` that leaves
``</`` as is; Open edX through its wrapper template; the LTI tool with its own escaping. Our
blocks must not depend on any of them (issue 12): every string of every content field of every
block carries the payload below, and each host's page is parsed the way a browser splits scripts.
The LTI tool's launch page is checked by tests/lti/test_hostile_content.py with the same helpers.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from xml.sax.saxutils import quoteattr

import pytest

from ldai_xblocks.rendering import unpack_init_args
from tests.openedx.conftest import CUSTOM_CONTENT, author
from tests.openedx.platform import GRADED_BLOCK_TYPES


@pytest.fixture(params=GRADED_BLOCK_TYPES)
def block_type(request) -> str:
    """The activities with an own-content fixture (tests/openedx/conftest.py)."""
    return request.param

PAYLOAD = " </script><script>window.ldaiPwned=1</script><!-- <script> \u2028\u2029 & "
NOT_TEXT = {"schema", "id", "lang", "kind", "category", "job_family", "charter_rule", "correct_if", "quote", "kinds"}
"""Keys whose values are identifiers, enumerations or quotes the schema ties to offsets: not free text."""


def _inject(value, key=None):
    if isinstance(value, dict):
        return {k: _inject(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_inject(v, key) for v in value]
    return value + PAYLOAD if isinstance(value, str) and key not in NOT_TEXT else value


def hostile_fields(block_type: str) -> dict:
    """Every text field an author controls, each carrying the payload."""
    fields = {"display_name": "Title" + PAYLOAD, "custom_content": json.dumps(_inject(json.loads(CUSTOM_CONTENT[block_type])), ensure_ascii=False)}
    if block_type == "ldai_risk_quiz":
        fields["charter"] = {"client-data-public-chatbot": {"text": "Rule" + PAYLOAD, "allowed": False}}
    return fields


class _Scripts(HTMLParser):
    """Splits a page into script elements as an HTML parser does: a script ends at the first ``</script``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []
        self._open: dict | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open, self._text = dict(attrs), []

    def handle_data(self, data):
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.scripts.append((self._open, "".join(self._text)))
            self._open = None


def assert_script_safe(html: str, carries_text: bool = True) -> dict:
    """No script element the payload made, none confused, the start-up arguments whole; returns them decoded.

    ``carries_text``: the view's start-up arguments hold author text (learner views do; Studio views
    put it in their HTML, escaped by the templates).
    """
    parser = _Scripts()
    parser.feed(html)
    for _attrs, text in parser.scripts:
        assert not text.strip().startswith("window.ldaiPwned"), "author text opened a script element"
        assert "<!--" not in text and "\u2028" not in text and "\u2029" not in text, f"a script holds raw {text[:80]!r}"
    init = [text for attrs, text in parser.scripts if "xblock_json_init_args" in (attrs.get("class") or "")]
    assert len(init) == 1, "the start-up arguments must be one whole script element"
    args = unpack_init_args(json.loads(init[0]))
    if carries_text:
        assert PAYLOAD in json.dumps(args, ensure_ascii=False), "the author's text reaches the block intact"
    return args


def test_open_edx_contract_runtime(platform, block_type):
    """XBlock's ``Runtime.render`` -> ``wrap_xblock``: ``json.dumps`` straight into the script element."""
    author(platform, block_type, **hostile_fields(block_type))
    block = platform.lms(block_type, "b1", "learner")
    fragment = block.runtime.render(block, "student_view")
    assert_script_safe(fragment.body_html())
    studio = platform.studio_handler(block_type, "b1", "author")
    assert_script_safe(studio.runtime.render(studio, "studio_view").body_html(), carries_text=False)


def hostile_workbench_page(client, block_type: str) -> str:
    """The workbench's page of a scenario whose every text field carries the payload (xblock-sdk renders it)."""
    from workbench import scenarios

    scenarios.get_scenarios()
    attributes = " ".join(f"{name}={quoteattr(value if isinstance(value, str) else json.dumps(value))}"
                          for name, value in hostile_fields(block_type).items())
    name = f"ldai-hostile-{block_type}"
    scenarios.add_xml_scenario(name, f"hostile {block_type}", f"<{block_type} {attributes}/>")
    try:
        response = client.get(f"/workbench/scenario/{name}/")
        assert response.status_code == 200
        return response.content.decode()
    finally:
        scenarios.remove_scenario(name)


@pytest.mark.django_db
@pytest.mark.urls("tests.openedx.demo_urls")
def test_xblock_sdk_workbench(client, block_type):
    assert_script_safe(hostile_workbench_page(client, block_type))
