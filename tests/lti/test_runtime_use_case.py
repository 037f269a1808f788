"""The use-case activity hosted by the tool's runtime: real launches from lti-consumer-xblock's platform
(``lti_consumer/lti_1p3/consumer.py``, tests/lti/runtime_fixtures.py), the block's real handlers. A learner
records a case, the instructor (an Instructor role launch on the same link) validates it, a second
learner adopts it from the library they share (``user_state_summary`` on the resource link); each
event is a stored xAPI statement with the dashboard's columns; the completion reaches the gradebook.
"""

from __future__ import annotations

import json

from ldai_xblocks.engine import xapi
from lti_tool.grades import sender
from lti_tool.lti import claims as c
from lti_tool.models import Statement
from tests.lti.runtime_fixtures import call, handler_prefix, init_args, instructor_learner_view, launch_page

pytest_plugins = ["tests.lti.runtime_fixtures"]

CASE = {"job_family": "sales", "task": "Preparing the follow-up e-mail after a customer demo", "tool": "The company assistant",
        "data": "The demo's agenda and our product sheet", "before": "Forty minutes per e-mail, written from scratch",
        "after": "A draft in five minutes, then I adapt the tone", "minutes_saved": 120, "rating": 5}


def custom(mode: str = "library") -> dict:
    return {c.CUSTOM_ACTIVITY: "ldai_use_case", c.CUSTOM_PACK: "auto", c.CUSTOM_SETTINGS: json.dumps({"mode": mode, "display_name": "Use cases"})}


def test_recorded_validated_adopted_through_launches_with_statements_and_a_grade(client, graded_platform):
    consumer, gradebook = graded_platform
    html = launch_page(client, consumer, user_id="seller-1", custom=custom())
    assert 'data-init="LdaiUseCase"' in html
    status, state = call(client, handler_prefix(html), "record_case", CASE)
    assert status == 200, state
    case_id = state["my_cases"][0]["id"]
    status, refused = call(client, handler_prefix(html), "review_case", {"case_id": case_id, "decision": "validate"})
    assert status == 403  # a learner does not validate
    # The instructor lands on the authoring view; the activity itself (with the cases to review) is its learner view.
    teacher = instructor_learner_view(client, consumer, user_id="manager-1", custom=custom())
    assert [p["id"] for p in init_args(teacher)["state"]["pending"]] == [case_id]
    status, state = call(client, handler_prefix(teacher), "review_case", {"case_id": case_id, "decision": "validate"})
    assert status == 200 and state["library"][0]["id"] == case_id
    colleague = launch_page(client, consumer, user_id="seller-2", custom=custom())
    library = init_args(colleague)["state"]["library"]
    assert [entry["id"] for entry in library] == [case_id] and "author_name" not in library[0]
    status, state = call(client, handler_prefix(colleague), "adopt_case", {"case_id": case_id})
    assert status == 200 and state["library"][0]["adoptions"] == 1
    rows = {r.action: r for r in Statement.objects.filter(activity="use_case")}
    assert set(rows) == {"launched", "case_recorded", "case_validated", "case_adopted"}
    assert all(rows[a].job_family == "sales" for a in ("case_recorded", "case_validated", "case_adopted"))
    assert rows["case_validated"].is_instructor and not rows["case_recorded"].is_instructor
    extensions = rows["case_recorded"].body["result"]["extensions"]
    assert extensions[xapi.EXTENSION_IRI + "minutes-saved-per-week"] == 120
    assert "customer demo" not in json.dumps(rows["case_recorded"].body)  # no free text unless the operator allows it
    assert sender.deliver_due().sent >= 1
    assert "seller-1" in [s["userId"] for s in gradebook.scores]


def test_a_leaking_case_stores_nothing_at_all(client, graded_platform):
    consumer, _ = graded_platform
    html = launch_page(client, consumer, user_id="seller-3", custom=custom())
    before = Statement.objects.count()
    status, body = call(client, handler_prefix(html), "record_case", {**CASE, "data": "the list with paul.martin@client.example"})
    assert status == 400 and body["code"] == "confidential" and body["fields"]["data"]
    assert Statement.objects.count() == before
    again = launch_page(client, consumer, user_id="seller-3", custom=custom())
    assert init_args(again)["state"]["my_cases"] == []


def test_managers_survey_responses_are_dated_statements_with_scores(client, graded_platform):
    consumer, _ = graded_platform
    html = launch_page(client, consumer, user_id="manager-2", custom=custom("usage_survey"))
    items = [i["id"] for i in init_args(html)["state"]["survey"]["items"]]
    for value in (2, 4):
        status, state = call(client, handler_prefix(html), "rate_usage", {"scores": dict.fromkeys(items, value), "team": "east"})
        assert status == 200, state
    assert len(state["responses"]) == 2
    rated = Statement.objects.filter(activity="use_case", action="usage_rated").order_by("timestamp")
    assert [r.score for r in rated] == [0.25, 0.75]
    assert rated[0].body["result"]["extensions"][xapi.EXTENSION_IRI + "perceived-usage-scores"] == dict.fromkeys(items, 2.0)
