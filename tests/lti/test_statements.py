"""The tool keeps what learners do as xAPI statements (lti_tool.models.Statement), through a real launch
from lti-consumer-xblock's platform and the activities' real handlers: the dashboard's source of truth."""

from __future__ import annotations

import json

from ralph.models.xapi.base.statements import BaseXapiStatement

from ldai_xblocks.content.packs import load_pack
from lti_tool.lti import claims as c
from lti_tool.models import Statement
from tests.lti.runtime_fixtures import call, handler_prefix, launch_page

pytest_plugins = ["tests.lti.runtime_fixtures"]


def hunt() -> dict:
    return {c.CUSTOM_ACTIVITY: "ldai_hallucination_detector", c.CUSTOM_PACK: "en/marketing",
            c.CUSTOM_SETTINGS: json.dumps({"max_attempts": 2})}


def test_a_learners_launch_and_submission_become_valid_statements(client, graded_platform):
    consumer, _ = graded_platform
    html = launch_page(client, consumer, user_id="learner-s", custom=hunt())
    document = load_pack("hallucination_detector", "en/marketing")
    flags = {item["id"]: [[h["start"], h["end"]] for h in item["hallucinations"]] for item in document["items"]}
    status, _ = call(client, handler_prefix(html), "submit", {"flags": flags})
    assert status == 200
    rows = list(Statement.objects.order_by("timestamp"))
    assert [r.action for r in rows][0] == "launched"
    submitted = [r for r in rows if r.action == "submitted"]
    assert len(submitted) == 1 and submitted[0].activity == "hallucination_detector"
    assert submitted[0].score > 0.9 and not submitted[0].is_instructor
    assert len({r.actor for r in rows}) == 1 and "learner-s" not in rows[0].actor  # the anonymous id, never the sub
    for row in rows:
        BaseXapiStatement(**row.body)
        assert row.body["actor"]["account"]["homePage"] == consumer.iss
        assert str(row.id) == row.body["id"]


def test_a_refused_request_leaves_no_statement(client, graded_platform):
    """Recorded in the handler's transaction: a submit the block refuses (400) writes nothing."""
    consumer, _ = graded_platform
    html = launch_page(client, consumer, user_id="learner-r", custom=hunt())
    before = Statement.objects.count()
    status, _ = call(client, handler_prefix(html), "submit", {"flags": "not a mapping"})
    assert status == 400
    assert Statement.objects.count() == before


def test_an_instructors_preview_is_marked_so_the_figures_leave_it_out(client, graded_platform):
    consumer, _ = graded_platform
    launch_page(client, consumer, user_id="teacher-1", role="instructor", custom=hunt())
    assert Statement.objects.get(action="launched").is_instructor
