"""The grade outbox in the admin: failures are visible with their reason, and can be sent again; nothing is deleted."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lti_tool.grades.outbox import record_score
from lti_tool.models import GradeOutbox, ResourceLinkConfig

pytest_plugins = ["tests.lti.runtime_fixtures"]

Status = GradeOutbox.Status


@pytest.fixture
def rows(registered_platform):
    link = ResourceLinkConfig.objects.create(
        deployment=registered_platform, resource_link_id="rl-admin", title="Quiz", block_type="ldai_risk_quiz",
        lineitem_url="https://lms.example/lineitems/1/lineitem",
    )
    made = []
    for user, status in (("failed-learner", Status.FAILED), ("sent-learner", Status.SENT), ("waiting-learner", Status.PENDING)):
        with transaction.atomic():
            row = record_score(link, user, 0.5, 1)
        GradeOutbox.objects.filter(pk=row.pk).update(
            status=status, last_error="score endpoint: HTTP 404 no such line item" if status == Status.FAILED else "",
            next_attempt_at=timezone.now() + timezone.timedelta(hours=1),
        )
        made.append(row)
    return made


def test_failures_are_listed_with_their_reason(admin_client, rows):
    response = admin_client.get(reverse("admin:lti_tool_gradeoutbox_changelist") + "?status__exact=failed")
    page = response.content.decode()
    assert response.status_code == 200
    assert "failed-learner" in page and "HTTP 404 no such line item" in page and "sent-learner" not in page


def test_detail_page_is_read_only_and_rows_cannot_be_deleted(admin_client, rows):
    url = reverse("admin:lti_tool_gradeoutbox_change", args=(rows[0].pk,))
    page = admin_client.get(url).content.decode()
    assert 'name="score_given"' not in page  # shown, not editable
    assert admin_client.post(reverse("admin:lti_tool_gradeoutbox_delete", args=(rows[0].pk,)), {"post": "yes"}).status_code == 403
    assert GradeOutbox.objects.count() == 3


def test_retry_action_queues_failed_and_waiting_rows_but_never_resends_a_sent_one(admin_client, rows, settings):
    settings.LDAI_LTI_RUNTIME = {**settings.LDAI_LTI_RUNTIME, "GRADES_IN_PROCESS": False}
    before = timezone.now()
    response = admin_client.post(
        reverse("admin:lti_tool_gradeoutbox_changelist"),
        {"action": "retry_now", "_selected_action": [str(r.pk) for r in rows]},
        follow=True,
    )
    assert response.status_code == 200
    by_user = {r.user_sub: r for r in GradeOutbox.objects.all()}
    assert by_user["failed-learner"].status == Status.PENDING and by_user["failed-learner"].next_attempt_at <= timezone.now()
    assert by_user["waiting-learner"].next_attempt_at >= before
    assert by_user["waiting-learner"].next_attempt_at <= timezone.now()
    assert by_user["sent-learner"].status == Status.SENT
    messages = [str(m) for m in response.context["messages"]]
    assert any("2 grade(s) queued" in m for m in messages) and any("1 grade(s) skipped" in m for m in messages)


def test_resource_links_are_listed_for_support(admin_client, rows):
    response = admin_client.get(reverse("admin:lti_tool_resourcelinkconfig_changelist"))
    assert response.status_code == 200 and "Quiz" in response.content.decode()
