"""The course's use-case library across its resource links (lti_tool/runtime/use_case_library.py), through the real runtime.

Launches come from lti-consumer-xblock's platform (``lti_consumer/lti_1p3/consumer.py``: ``LtiAdvantageConsumer``,
tests/lti/runtime_fixtures.py), one resource link per placement as Moodle or Canvas create them: two use-case
links of course-1, a third link of course-1, and one of course-2 (another course of the same deployment, which
may be another employer's). A case validated in link 1 is listed and adoptable in link 2, counted once, on link
1's row; a case waiting for validation never leaves its link; course-2 sees nothing of course-1.
"""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from lti_tool.models import ResourceLinkConfig, Statement
from tests.lti.celery_workers import require_services
from tests.lti.runtime_fixtures import call, handler_prefix, init_args, instructor_learner_view, launch_page
from tests.lti.test_runtime_use_case import CASE, custom

pytest_plugins = ["tests.lti.runtime_fixtures"]

PENDING = {**CASE, "task": "Sorting the supplier invoices by due date", "job_family": "finance"}


def open_link(client, consumer, user_id: str, link: str, context: str = "course-1") -> tuple[str, dict]:
    html = launch_page(client, consumer, user_id=user_id, resource_link_id=link, context_id=context, custom=custom())
    return handler_prefix(html), init_args(html)["state"]


def stored_case(link: str, case_id: str) -> dict:
    return ResourceLinkConfig.objects.get(resource_link_id=link).summary["cases"][case_id]


def validated_case_in_link_1(client, consumer) -> tuple[str, str]:
    """seller-1 records a case in link-1 and its instructor validates it; seller-3's case there stays pending."""
    prefix, _ = open_link(client, consumer, "seller-1", "link-1")
    status, state = call(client, prefix, "record_case", CASE)
    assert status == 200, state
    case_id = state["my_cases"][0]["id"]
    prefix, _ = open_link(client, consumer, "seller-3", "link-1")
    status, state = call(client, prefix, "record_case", PENDING)
    assert status == 200, state
    pending_id = state["my_cases"][0]["id"]
    teacher = instructor_learner_view(client, consumer, user_id="manager-1", resource_link_id="link-1", custom=custom())
    status, state = call(client, handler_prefix(teacher), "review_case", {"case_id": case_id, "decision": "validate"})
    assert status == 200 and [c["id"] for c in state["library"]] == [case_id]
    return case_id, pending_id


def test_a_case_validated_in_one_link_is_listed_and_adopted_in_another_counted_once_on_its_own(client, graded_platform):
    consumer, _ = graded_platform
    case_id, pending_id = validated_case_in_link_1(client, consumer)
    prefix, state = open_link(client, consumer, "seller-2", "link-2")
    listed = {c["id"]: c for c in state["library"]}
    assert list(listed) == [case_id]  # the pending case of link-1 is not there
    assert listed[case_id]["source"] == "Activity" and not listed[case_id]["mine"] and not listed[case_id]["adopted"]
    assert "author" not in listed[case_id] and "author_name" not in listed[case_id]  # peers never see who wrote it
    status, state = call(client, prefix, "adopt_case", {"case_id": case_id})
    assert status == 200, state
    assert state["library"][0]["adoptions"] == 1 and state["library"][0]["adopted"]
    assert stored_case("link-1", case_id)["adoptions"] == 1  # counted on the owning link's row
    assert "cases" not in ResourceLinkConfig.objects.get(resource_link_id="link-2").summary
    adopted = Statement.objects.get(action="case_adopted")
    assert (adopted.resource_link_id, adopted.job_family) == ("link-2", "sales")  # the event is the adopting activity's

    # Once per learner, whichever link of the course shows the case: again in link-2, in link-3, in link-1 itself.
    assert call(client, prefix, "adopt_case", {"case_id": case_id}) == (409, {"error": "You have already adopted this use case.",
                                                                          "code": "already_adopted", "fields": {}})
    prefix_3, state_3 = open_link(client, consumer, "seller-2", "link-3")
    assert [(c["id"], c["adopted"]) for c in state_3["library"]] == [(case_id, True)]
    assert call(client, prefix_3, "adopt_case", {"case_id": case_id})[1]["code"] == "already_adopted"
    prefix_1, _ = open_link(client, consumer, "seller-2", "link-1")
    assert call(client, prefix_1, "adopt_case", {"case_id": case_id})[1]["code"] == "already_adopted"
    assert stored_case("link-1", case_id)["adoptions"] == 1

    # A colleague of link-1 adopts it there: the same count, on the same row.
    prefix_1, _ = open_link(client, consumer, "seller-4", "link-1")
    status, state = call(client, prefix_1, "adopt_case", {"case_id": case_id})
    assert status == 200 and state["library"][0]["adoptions"] == 2 and "source" not in state["library"][0]
    assert stored_case("link-1", case_id)["adoptions"] == 2
    # Its author sees it as theirs in link-2, and may not adopt it.
    prefix, state = open_link(client, consumer, "seller-1", "link-2")
    assert [(c["id"], c["mine"]) for c in state["library"]] == [(case_id, True)]
    assert call(client, prefix, "adopt_case", {"case_id": case_id})[1]["code"] == "own_case"
    assert Statement.objects.filter(action="case_adopted").count() == 2


def test_a_pending_case_never_leaks_and_another_course_sees_nothing(client, graded_platform):
    consumer, _ = graded_platform
    case_id, pending_id = validated_case_in_link_1(client, consumer)
    prefix, state = open_link(client, consumer, "seller-2", "link-2")
    assert PENDING["task"] not in json.dumps(state)
    status, body = call(client, prefix, "adopt_case", {"case_id": pending_id})
    assert (status, body["code"]) == (409, "not_validated") and PENDING["task"] not in json.dumps(body)
    assert stored_case("link-1", pending_id)["adoptions"] == 0
    # The instructor of link-2 reviews link-2's cases only: link-1's pending case is link-1's team's to validate.
    teacher = init_args(instructor_learner_view(client, consumer, user_id="manager-2", resource_link_id="link-2", custom=custom()))
    assert teacher["state"]["pending"] == [] and [c["id"] for c in teacher["state"]["library"]] == [case_id]

    # course-2, same deployment: another course (maybe another employer) sees none of course-1's cases, and cannot adopt them.
    prefix, state = open_link(client, consumer, "seller-9", "link-9", context="course-2")
    assert state["library"] == [] and CASE["task"] not in json.dumps(state)
    status, body = call(client, prefix, "adopt_case", {"case_id": case_id})
    assert (status, body["code"]) == (404, "unknown_case")
    assert stored_case("link-1", case_id)["adoptions"] == 0


def test_a_launch_without_a_context_shares_with_no_other_link(client, graded_platform):
    consumer, _ = graded_platform
    case_id, _ = validated_case_in_link_1(client, consumer)
    consumer.lti_claim_context = None  # the consumer keeps the last context claim it was given (consumer.py): none now
    html = launch_page(client, consumer, user_id="seller-5", resource_link_id="link-nocontext", context_id=None, custom=custom())
    assert init_args(html)["state"]["library"] == []
    assert call(client, handler_prefix(html), "adopt_case", {"case_id": case_id})[0] == 404


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_parallel_adoptions_from_several_links_lose_no_count_and_count_a_learner_once(client, graded_platform):
    """Six colleagues adopt the same case at once, three from link-1 (the owner) and three from link-2, each request in its
    own thread and connection as gunicorn workers run them; a seventh adopts it from link-2 AND link-3 at the same moment.
    The owner's row counts 7: no update lost under the row lock, the double adoption counted once (409 for the other)."""
    require_services()
    consumer, _ = graded_platform
    case_id, _ = validated_case_in_link_1(client, consumer)
    calls = [open_link(client, consumer, f"colleague-{i}", "link-1" if i < 3 else "link-2")[0] for i in range(6)]
    calls += [open_link(client, consumer, "colleague-twice", link)[0] for link in ("link-2", "link-3")]
    start, answers, errors = threading.Barrier(len(calls)), [], []

    def adopt(prefix: str) -> None:
        try:
            start.wait(20)
            answers.append(call(Client(), prefix, "adopt_case", {"case_id": case_id})[0])
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=adopt, args=(prefix,)) for prefix in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and sorted(answers) == [200] * 7 + [409]
    assert stored_case("link-1", case_id)["adoptions"] == 7
    assert Statement.objects.filter(action="case_adopted").count() == 7
