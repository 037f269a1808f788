"""The tool site's settings plus xblock-sdk's sample templates, for ``bench_frontend`` only.

Why: the anchor of ``time_to_interactive_ms`` is xblock-drag-and-drop-v2's learner view (the
model XBlock of CONVENTIONS.md), whose workbench scenario wraps it in ``<vertical_demo>``; that
sample block renders ``vertical.html`` from xblock-sdk's ``sample_xblocks`` package, which the
site does not list. Everything else is the shipped configuration, untouched.
"""

from pathlib import Path

import sample_xblocks.basic

from lti_tool.site import settings as _site

globals().update({name: value for name, value in vars(_site).items() if name.isupper()})

TEMPLATES = [{**_site.TEMPLATES[0], "DIRS": [*_site.TEMPLATES[0]["DIRS"], str(Path(sample_xblocks.basic.__file__).parent / "templates")]}]
