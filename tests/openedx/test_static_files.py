"""Every JS and CSS file a block asks for is a file Open edX collects, at the URL Open edX gives it.

Replays ``openedx/core/lib/xblock_utils/__init__.py`` (``xblock_local_resource_url`` and
``xblock_resource_pkg``: production URLs are collected static files) and
``openedx/core/lib/xblock_pipeline/finder.py`` (``collectstatic`` copies only the files of the
block class's package joined with ``get_resources_dir()``, minus .py/.pyc/.scss). The old
layout (``ldai_xblocks/static`` + an ``open_local_resource`` override) failed all of these: the
workbench's development-only resource view hid it.
"""

from __future__ import annotations

import pytest
from xblock.core import XBlock

from ldai_xblocks.resources import static_dir
from tests.openedx.conftest import author
from tests.openedx.platform import OUR_BLOCK_TYPES, collected_static_files

CLASSES = [XBlock.load_class(name) for name in OUR_BLOCK_TYPES]


def _urls(fragment) -> list[str]:
    return [resource.data for resource in fragment.resources if resource.kind == "url"]


@pytest.mark.parametrize("view", ["student_view", "studio_view"])
def test_every_resource_of_every_view_is_a_collected_static_file(platform, block_type, view):
    author(platform, block_type)
    block = platform.lms(block_type, "b1", "learner") if view == "student_view" else platform.studio_handler(block_type, "b1", "author")
    urls = _urls(getattr(block, view)())
    collected = collected_static_files(CLASSES)
    assert urls, "a view without its front end stays on 'Loading…'"
    for url in urls:
        assert url.startswith("/static/xblock/resources/ldai_xblocks.blocks/public/"), url
        assert url.removeprefix("/static/") in collected, f"collectstatic would not copy {url}"


def test_the_whole_shared_front_end_is_collected():
    collected = collected_static_files(CLASSES)
    shipped = {f"xblock/resources/ldai_xblocks.blocks/public/{path.relative_to(static_dir()).as_posix()}"
               for path in static_dir().rglob("*") if path.is_file()}
    assert shipped and shipped <= collected


def test_the_suite_covers_every_block_we_register():
    """A new block joins OUR_BLOCK_TYPES (and a fixture in conftest.py), so every contract test runs on it."""
    from importlib.metadata import entry_points

    ours = sorted(e.name for e in entry_points(group="xblock.v1") if e.dist and e.dist.name == "ldai-xblocks")
    assert ours == sorted(OUR_BLOCK_TYPES)


def test_no_block_overrides_open_local_resource():
    """XBlock's own method serves ``public/...`` from the same folder (the development resource view)."""
    for cls in CLASSES:
        assert cls.open_local_resource.__func__ is XBlock.open_local_resource.__func__
        assert cls._open_resource.__func__ is XBlock._open_resource.__func__
        assert cls.get_public_dir() == "public" and cls.get_resources_dir() == ""
        with cls.open_local_resource("public/js/ldai-common.js") as served:
            assert served.read() == (static_dir() / "js" / "ldai-common.js").read_bytes()


@pytest.mark.django_db
def test_the_lti_tool_serves_the_same_files(client, platform, block_type):
    """The tool's runtime maps ``public/...`` to its asset view (lti_tool/runtime), byte for byte the same file."""
    from lti_tool.runtime.xblock_runtime import LtiRuntime

    author(platform, block_type)
    block = platform.lms(block_type, "b1", "learner")
    for url in _urls(block.student_view()):
        uri = url.split("/ldai_xblocks.blocks/", 1)[1]
        tool_url = LtiRuntime.local_resource_url(None, block, uri)
        response = client.get(tool_url)
        assert response.status_code == 200, tool_url
        assert b"".join(response.streaming_content) == (static_dir() / uri.removeprefix("public/")).read_bytes()
