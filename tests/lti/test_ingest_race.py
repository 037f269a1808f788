"""Two platforms' routers posting the same new statements at the same moment (lti_tool/xapi/ingest.py): each is stored once
and summarised once.

Why PostgreSQL: there, two transactions both find a new id missing, both INSERT it; the second waits on the
first's index entry and then skips it (ON CONFLICT DO NOTHING). Before ingest asked the database which rows
it really inserted (``runtime.prepared_insert.insert_new``: ``RETURNING``), both requests summarised the
statement and wrote its facts: the dashboard counted it twice. SQLite serialises writers, so the race cannot
happen there; the test runs in ``make test``'s PostgreSQL pass (``LDAI_TEST_BACKEND=postgres``), as the
summaries' own parallel-writer test (tests/lti/test_dashboard_summaries.py).

The requests go through Django's test client, one thread and one database connection each, as gunicorn
workers would; the statements are those Open edX routes (tests/xapi/test_ingest.py).
"""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from ldai_xblocks.engine import value_metrics
from lti_tool.models import Deployment, LearnerActivityDay, Platform, Statement, StatementFact, XapiSource
from tests.lti.celery_workers import require_services
from tests.lti.test_dashboard_summaries import snapshot
from tests.xapi.test_ingest import post

pytestmark = pytest.mark.django_db(transaction=True)
WRITERS = 6


def routed_batch() -> list[dict]:
    from tests.xapi.test_ingest import our_statement

    return [our_statement(timestamp=f"2026-12-01T09:3{i}:00Z") for i in range(4)] + [
        our_statement("ldai.prompt_sandbox.submitted", timestamp="2026-12-01T09:50:00Z")]


def new_source() -> XapiSource:
    platform = Platform.objects.create(issuer="https://lms.example", client_id="c", auth_login_url="https://lms.example/a",
                                       auth_token_url="https://lms.example/t", keyset_url="https://lms.example/k")
    source = XapiSource(name="Open edX", username="openedx", deployment=Deployment.objects.create(platform=platform, deployment_id="d"))
    source.secret = source.new_secret()
    source.save()
    return source


class AllLookedFirst:
    """``django.db.transaction`` as ingest sees it, except that ``atomic()`` first waits for every writer: each request
    has looked for the ids (and found none) before any inserts. Without it the requests' timing decides whether the
    race is played at all (the password check staggers them); with it, every run plays it."""

    def __init__(self, parties: int):
        self.barrier = threading.Barrier(parties)

    def atomic(self, *args, **kwargs):
        self.barrier.wait(20)
        return transaction.atomic(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(transaction, name)


def test_on_postgresql_parallel_ingests_of_the_same_new_statements_summarise_each_once(monkeypatch):
    from lti_tool.xapi import ingest

    require_services()
    source = new_source()
    batch = routed_batch()
    monkeypatch.setattr(ingest, "transaction", AllLookedFirst(WRITERS))
    answers, errors = [], []

    def writer() -> None:
        try:
            answers.append(post(Client(), batch, source).status_code)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and answers == [200] * WRITERS  # every router is told "stored", as an LRS answers a repeat
    assert Statement.objects.count() == len(batch)
    expected_facts = sum(len(value_metrics.facts_of(value_metrics.extensions_of(body))) for body in batch)
    assert StatementFact.objects.count() == expected_facts  # facts of one copy: none written by a request that lost the race
    assert LearnerActivityDay.objects.get(activity="risk_quiz").graded == 4
    written = snapshot()
    call_command("ldai_rebuild_summaries", stdout=io.StringIO())
    assert snapshot() == written


def test_a_statement_stored_meanwhile_with_other_content_is_a_conflict(client, db, monkeypatch):
    """The race's other outcome: the id another request stored just before this one's INSERT holds OTHER content -> 409
    that says which, and nothing of this request is kept. Played on any database: the other request's row lands right
    before the INSERT (in this test both share one transaction, so its row is rolled back with the refused request's)."""
    from ldai_xblocks.engine import xapi
    from ldai_xblocks.engine.xapi_ingest import describe
    from lti_tool.xapi import ingest

    source = new_source()
    batch = routed_batch()
    other = describe({**batch[0], "verb": xapi.VERBS["launched"].as_xapi()})  # the same id, other content
    real_insert = ingest.insert_new
    raced = []

    def other_request_first(rows):
        monkeypatch.setattr(ingest, "insert_new", real_insert)
        ingest._store(source, [other])
        raced.append(Statement.objects.get(pk=other.id).action)
        return real_insert(rows)

    monkeypatch.setattr(ingest, "insert_new", other_request_first)
    answer = post(client, batch, source)
    assert raced == ["launched"]
    assert answer.status_code == 409 and batch[0]["id"] in answer.json()["error"]
    assert not Statement.objects.filter(pk__in=[item["id"] for item in batch[1:]]).exists()
    assert not LearnerActivityDay.objects.exists()


def test_same_content_stored_meanwhile_is_kept_once_and_summarised_once(db, monkeypatch):
    """The same race with the same content (two routers, one statement): stored and counted once, the request answered as a repeat."""
    from ldai_xblocks.engine.xapi_ingest import describe
    from lti_tool.xapi import ingest

    source = new_source()
    batch = [describe(item) for item in routed_batch()]
    real_insert = ingest.insert_new

    def other_request_first(rows):
        monkeypatch.setattr(ingest, "insert_new", real_insert)
        ingest._store(source, batch[:2])
        return real_insert(rows)

    monkeypatch.setattr(ingest, "insert_new", other_request_first)
    ingest._store(source, batch)
    assert Statement.objects.count() == len(batch)
    assert LearnerActivityDay.objects.get(activity="risk_quiz").graded == 4
    written = snapshot()
    call_command("ldai_rebuild_summaries", stdout=io.StringIO())
    assert snapshot() == written
