"""Statements routed to the tool (``POST /lti/xapi/statements/``, lti_tool.xapi.ingest): Open edX's
event-routing-backends sends our events there and they count like the tool's own.

The Open edX side is the real one: ERB 10.1's ``LrsClient`` (``event_routing_backends/utils/xapi_lrs_client.py``,
tincan's ``RemoteLRS``: endpoint + ``statements``, basic auth, ``X-Experience-API-Version``) posting the
statement ERB's transformer made of an LMS event (tests/xapi/test_event_routing.py) to the tool served
on 127.0.0.1 (pytest-django's live server).
"""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ldai_xblocks.engine import xapi
from ldai_xblocks.engine.xapi_ingest import EXTERNAL, StatementError, describe
from lti_tool.models import Deployment, Platform, Statement, XapiSource
from tests.xapi.events import EVENTS, event
from tests.xapi.test_event_routing import COURSE, LMS, lms_event, registry  # noqa: F401 (the ERB fixture)

URL = "/lti/xapi/statements/"
HEADERS = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}


@pytest.fixture
def source(db):
    platform = Platform.objects.create(issuer=LMS, client_id="c", auth_login_url=LMS + "/a", auth_token_url=LMS + "/t", keyset_url=LMS + "/k")
    deployment = Deployment.objects.create(platform=platform, deployment_id="openedx")
    source = XapiSource(name="Our Open edX", username="openedx-prod", deployment=deployment)
    source.secret = source.new_secret()
    source.save()
    return source


def basic(username: str, secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{secret}".encode()).decode()}


def post(client, payload, source, *, raw: bytes | None = None, **extra):
    body = raw if raw is not None else json.dumps(payload).encode()
    return client.generic("POST", URL, body, content_type="application/json", **{**HEADERS, **basic(source.username, source.secret), **extra})


def our_statement(name: str = "ldai.risk_quiz.submitted", **overrides) -> dict:
    return xapi.statement(xapi.parse_event(event(name, **overrides)))


def test_open_edx_routes_our_event_with_erbs_own_client_and_it_counts_as_ours(registry, source, live_server):  # noqa: F811
    from event_routing_backends.utils.xapi_lrs_client import LrsClient

    statement = registry.get_transformer(lms_event("ldai.risk_quiz.submitted")).transform()
    client = LrsClient(url=live_server.url + "/lti/xapi/", version="1.0.3", auth_scheme="Basic",
                       username=source.username, password=source.secret)
    client.bulk_send([statement])  # raises EventNotDispatched unless the tool answered as an LRS
    row = Statement.objects.get()
    assert (row.activity, row.action, row.actor) == ("risk_quiz", "submitted", "9b2c0a5e-erb-anon")
    assert row.deployment_id == source.deployment_id and row.source_id == source.pk
    assert row.score == 0.83 and row.success is True and row.context_id == f"{LMS}/course/{COURSE}"
    assert row.forwarded_at is None
    source.refresh_from_db()
    assert source.last_used is not None


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_each_of_our_statements_reads_back_to_its_event_name(name):
    described = describe(our_statement(name))
    activity, action = name.split(".")[1:]
    assert described.activity == activity
    assert described.action == ("started" if action == "retried" else action)  # both are xAPI "attempted"
    assert described.job_family == "finance"


def test_a_batch_is_stored_once_and_sent_again_changes_nothing(client, source):
    batch = [our_statement(timestamp=f"2026-12-01T09:3{i}:00Z") for i in range(3)]
    first = post(client, batch, source)
    assert first.status_code == 200 and first.json() == [s["id"] for s in batch]
    assert first["X-Experience-API-Version"] == "1.0.3"
    again = post(client, batch, source)
    assert again.status_code == 200
    assert Statement.objects.count() == 3


def test_routed_statements_feed_the_dashboards_summaries_once_and_its_figures_equal_the_statements(client, source):
    """Open edX's statements go through the runtime's path (lti_tool/dashboard/summaries.summarize): facts, summaries, team."""
    from ldai_xblocks.engine import value_metrics as vm
    from lti_tool.dashboard import queries
    from lti_tool.dashboard.access import scope_of_platform
    from lti_tool.models import LearnerActivityDay, LearnerFactDay

    batch = [our_statement(timestamp=f"2026-12-01T09:3{i}:00Z") for i in range(3)]
    assert post(client, batch, source).status_code == 200
    assert post(client, batch, source).status_code == 200  # sent again: stored once, counted once
    row = LearnerActivityDay.objects.get()
    assert (row.activity, row.graded) == ("risk_quiz", 3)
    assert LearnerFactDay.objects.filter(kind="category").exists()  # the categories' facts were written as for our own statements
    scope = scope_of_platform(source.deployment.platform, "en")
    assert queries.dashboard(scope, vm.Filters(), 1) == queries.naive_dashboard(scope, vm.Filters(), 1)


def test_an_id_held_with_other_content_is_a_conflict_and_nothing_is_stored(client, source):
    held = our_statement()
    assert post(client, held, source).status_code == 200
    changed = {**held, "verb": xapi.VERBS["launched"].as_xapi()}
    fresh = our_statement(timestamp="2026-12-01T10:00:00Z")
    answer = post(client, [fresh, changed], source)
    assert answer.status_code == 409 and held["id"] in answer.json()["error"]
    assert Statement.objects.count() == 1


def test_put_with_a_statement_id_answers_204(client, source):
    body = our_statement()
    ident = body.pop("id")
    answer = client.generic("PUT", f"{URL}?statementId={ident}", json.dumps(body), content_type="application/json",
                            **{**HEADERS, **basic(source.username, source.secret)})
    assert answer.status_code == 204
    assert str(Statement.objects.get().pk) == ident


def test_statements_of_other_profiles_are_kept_as_external(client, source):
    """An Open edX problem_check statement (ERB's own transformer), for the record; our figures leave it out."""
    other = {"actor": {"mbox": "mailto:someone@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
             "object": {"id": f"{LMS}/xblock/block-v1:Acme+AI101+2026+type@problem+block@1"}}
    assert post(client, other, source).status_code == 200
    row = Statement.objects.get()
    assert (row.activity, row.action) == (EXTERNAL, "answered")
    assert "someone" not in row.actor  # an e-mail address never becomes a dashboard column
    uuid.UUID(str(row.pk))


@pytest.mark.parametrize(("extra", "status"), [
    ({"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"openedx-prod:wrong").decode()}, 401),
    ({"HTTP_AUTHORIZATION": "Bearer whatever"}, 401),
    ({"HTTP_AUTHORIZATION": "Basic %%%"}, 401),
    ({"HTTP_X_EXPERIENCE_API_VERSION": ""}, 400),
    ({"HTTP_X_EXPERIENCE_API_VERSION": "2.0.0"}, 400),
])
def test_wrong_credentials_or_version_are_refused(client, source, extra, status):
    answer = post(client, our_statement(), source, **extra)
    assert answer.status_code == status
    if status == 401:
        assert answer["WWW-Authenticate"].startswith("Basic")
    assert not Statement.objects.exists()


def test_a_deactivated_source_may_not_write(client, source):
    XapiSource.objects.filter(pk=source.pk).update(is_active=False)
    assert post(client, our_statement(), source).status_code == 401


@pytest.mark.parametrize(("raw", "words"), [
    (b"not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b"[]", "from 1 to"),
    (b"[" * 100 + b"]" * 100, "not JSON"),
    (b'{"actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x/y"}, "object": {"id": "http://x/z"}, "result": {"score": {"scaled": NaN}}}', "NaN"),
    (b'{"actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x/y"}, "object": {"id": "http://x/\\u0000"}}', "NUL"),
    (b'{"actor": {"mbox": "a@b.c"}, "verb": {"id": "http://x/y"}, "object": {"id": "http://x/z"}}', "mailto"),
    (b'{"actor": {"mbox": "mailto:a@b.c"}, "object": {"id": "http://x/z"}}', "verb"),
    (b'{"id": "nope", "actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x/y"}, "object": {"id": "http://x/z"}}', "UUID"),
])
def test_what_is_not_a_statement_gets_a_400_that_says_why(client, source, raw, words):
    answer = post(client, None, source, raw=raw)
    assert answer.status_code == 400
    assert words in answer.json()["error"]


def test_size_caps(client, source, settings):
    settings.LDAI_XAPI = {"INGEST_MAX_BYTES": 2000, "INGEST_MAX_STATEMENTS": 2}
    assert "bytes" in post(client, [our_statement()] * 1, source, raw=b" " * 2001).json()["error"]
    three = [our_statement(timestamp=f"2026-12-01T09:3{i}:00Z") for i in range(3)]
    settings.LDAI_XAPI = {"INGEST_MAX_STATEMENTS": 2}
    assert post(client, three, source).status_code == 400


def test_reading_is_not_offered(client, source):
    answer = client.get(URL, **HEADERS, **basic(source.username, source.secret))
    assert answer.status_code == 405 and answer["Allow"] == "POST, PUT"


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
                    max_leaves=20)


@given(st.dictionaries(st.sampled_from(["id", "actor", "verb", "object", "result", "context", "timestamp", "version"]), JSON))
@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_input_makes_the_describer_fail_other_than_with_a_reason(raw):
    try:
        describe(raw)
    except StatementError:
        pass


@given(JSON)
@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_body_makes_a_500(client, source, raw):
    answer = post(client, raw, source, raw=json.dumps(raw).encode())
    assert answer.status_code in (200, 400, 409)
