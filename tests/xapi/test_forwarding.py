"""The tool forwards its statements to the operator's LRS (lti_tool.xapi.forwarding), tested against a real
LRS: Ralph 5.1 on 127.0.0.1 (tests/xapi/ralph.py), with its own accounts (one storage target each), stopped
and started again to play an LRS that is down then back. Ralph answers as the xAPI 1.0.3 spec says
(``ralph/api/routers/statements.py``: 200 with the ids, 204 when it already holds them all, 409 for an id it
holds with other content), which is what the forwarder reads.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ldai_xblocks.engine import xapi
from lti_tool.models import Deployment, Platform, Statement, XapiSource
from lti_tool.xapi import forwarding
from tests.xapi.events import event
from tests.xapi.ralph import PASSWORD, Ralph, running_ralph

USERS = ("forwarding", "refusing", "locked")


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    with running_ralph(tmp_path_factory, USERS) as server:
        yield server


@pytest.fixture
def deployment(db):
    platform = Platform.objects.create(issuer="https://moodle.example.org", client_id="c1", auth_login_url="https://moodle.example.org/a",
                                       auth_token_url="https://moodle.example.org/t", keyset_url="https://moodle.example.org/k")
    return Deployment.objects.create(platform=platform, deployment_id="d1")


def use_lrs(settings, ralph: Ralph, user: str, password: str = PASSWORD) -> None:
    settings.LDAI_XAPI = {"LRS_URL": ralph.statements_url, "LRS_USERNAME": user, "LRS_PASSWORD": password, "FORWARD_RETRY_BASE": 30}
    settings.LDAI = {**settings.LDAI, "HTTP_ALLOWED_HOSTS": ["127.0.0.1"]}


def store(deployment, count: int, *, start: datetime, **columns) -> list[Statement]:
    """``count`` statements as the runtime stores them (engine.xapi bodies, deterministic ids)."""
    rows = []
    for index in range(count):
        raw = event("ldai.risk_quiz.submitted", timestamp=(start + timedelta(seconds=index)).isoformat())
        raw["actor"]["id"] = f"learner-{index:03d}-{columns.get('is_instructor', False)}"
        body = xapi.statement(xapi.parse_event(raw))
        rows.append(Statement.objects.create(id=body["id"], deployment=deployment, activity="risk_quiz", action="submitted",
                                             actor=raw["actor"]["id"], timestamp=start + timedelta(seconds=index), body=body, **columns))
    return rows


def test_an_lrs_down_then_back_gets_every_statement_once(settings, ralph, deployment):
    use_lrs(settings, ralph, "forwarding")
    now = timezone.now()
    mine = store(deployment, 30, start=now - timedelta(minutes=5))
    preview = store(deployment, 1, start=now, is_instructor=True)
    source = XapiSource.objects.create(name="Open edX", username="openedx", secret_hash="x")
    routed = store(deployment, 1, start=now + timedelta(seconds=1), source=source)
    ralph.stop()
    try:
        down = forwarding.drain(now=now)
        assert down.as_dict() == {"sent": 0, "retried": 30, "failed": 0}
        waiting = Statement.objects.filter(pk__in=[r.pk for r in mine])
        assert all(r.forward_attempts == 1 and r.forward_next_at > now and "could not be reached" in r.forward_error for r in waiting)
        # The back-off holds: nothing is due again before its time, so a second pass sends nothing.
        assert forwarding.drain(now=now + timedelta(seconds=5)).as_dict() == {"sent": 0, "retried": 0, "failed": 0}
    finally:
        ralph.start()
    back = forwarding.drain(now=now + timedelta(hours=1))
    assert back.as_dict() == {"sent": 30, "retried": 0, "failed": 0}
    stored = ralph.statements("forwarding")
    assert sorted(s["id"] for s in stored) == sorted(str(r.pk) for r in mine)  # 0 lost, 0 duplicates
    assert not Statement.objects.filter(pk__in=[r.pk for r in mine], forwarded_at__isnull=True).exists()
    # An instructor's preview and a statement routed to the tool by another platform are never forwarded.
    assert Statement.objects.get(pk=preview[0].pk).forwarded_at is None
    assert Statement.objects.get(pk=routed[0].pk).forwarded_at is None
    # The answer was lost (the tool forgot it forwarded them): sent again, the LRS answers 204 and keeps one copy.
    Statement.objects.filter(pk__in=[r.pk for r in mine]).update(forwarded_at=None)
    again = forwarding.drain(now=now + timedelta(hours=2))
    assert again.sent == 30 and again.failed == 0
    assert len(ralph.statements("forwarding")) == 30


def test_a_statement_the_lrs_refuses_waits_for_a_person_and_does_not_hold_back_the_others(settings, ralph, deployment):
    """One statement without a verb in a batch: Ralph refuses the batch (422); sent one by one, the good one is
    stored and the bad one is marked refused with Ralph's reason; the admin's action makes it due again."""
    use_lrs(settings, ralph, "refusing")
    now = timezone.now()
    good, bad = store(deployment, 2, start=now - timedelta(minutes=1))
    body = dict(bad.body)
    body.pop("verb")
    Statement.objects.filter(pk=bad.pk).update(body=body)
    stats = forwarding.drain(now=now)
    assert stats.as_dict() == {"sent": 1, "retried": 0, "failed": 1}
    bad.refresh_from_db()
    assert bad.forward_failed and "verb" in bad.forward_error
    assert [s["id"] for s in ralph.statements("refusing")] == [str(good.pk)]
    assert forwarding.send_again(Statement.objects.filter(pk=bad.pk)) == 1
    assert forwarding.due(timezone.now()).filter(pk=bad.pk).exists()


def test_wrong_credentials_are_retried_not_dropped(settings, ralph, deployment):
    use_lrs(settings, ralph, "locked", password="not-the-password")
    now = timezone.now()
    store(deployment, 3, start=now)
    assert forwarding.drain(now=now).as_dict() == {"sent": 0, "retried": 3, "failed": 0}
    assert set(Statement.objects.values_list("forward_error", flat=True)) == {next(iter(Statement.objects.values_list("forward_error", flat=True)))}
    assert "HTTP 401" in Statement.objects.first().forward_error


def test_a_statement_that_waited_too_long_is_given_up_and_kept(settings, deployment):
    """Nothing is ever deleted: past FORWARD_GIVE_UP_AFTER a statement is marked refused (an LRS never configured right)."""
    settings.LDAI_XAPI = {"LRS_URL": "http://127.0.0.1:9/xAPI/", "FORWARD_GIVE_UP_AFTER": 60}
    settings.LDAI = {**settings.LDAI, "HTTP_ALLOWED_HOSTS": ["127.0.0.1"]}
    now = timezone.now()
    old, = store(deployment, 1, start=now - timedelta(hours=1))
    assert forwarding.drain(now=now).failed == 1
    old.refresh_from_db()
    assert old.forward_failed and old.forward_error.startswith("gave up after 1 attempts")


def test_two_workers_never_claim_the_same_statement(settings, deployment):
    """The lease is a compare-and-swap (SQLite here; PostgreSQL uses SKIP LOCKED): a second claim at the same
    instant finds nothing, and the rows come back only when the first worker's lease has expired."""
    settings.LDAI_XAPI = {"LRS_URL": "http://127.0.0.1:9/xAPI/"}
    now = datetime.now(UTC)
    store(deployment, 5, start=now - timedelta(minutes=1))
    first, _ = forwarding.claim(now, 10, 120)
    second, _ = forwarding.claim(now, 10, 120)
    assert len(first) == 5 and second == []
    later, _ = forwarding.claim(now + timedelta(seconds=121), 10, 120)
    assert sorted(later) == sorted(first)


def test_ldai_xapi_forward_drains_and_says_what_waits(settings, ralph, deployment, capsys):
    """The one-shot command operators run (or cron without Celery), through the real entry point."""
    from ldai_xblocks.cli import main

    settings.LDAI_XAPI = {}
    assert main(["xapi", "forward"]) == 1
    assert "LDAI_XAPI_LRS_URL" in capsys.readouterr().err
    use_lrs(settings, ralph, "locked", password="not-the-password")
    store(deployment, 2, start=timezone.now() - timedelta(minutes=1))
    assert main(["xapi", "forward"]) == 0
    assert json.loads(capsys.readouterr().out) == {"sent": 0, "retried": 2, "failed": 0, "waiting": 2}
    call_command("check")
