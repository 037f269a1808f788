"""The L&D dashboard and the evidence pack, fed by real launches from lti-consumer-xblock's platform.

Learners launch and submit through the activities' real handlers; the dashboard must count what they did,
hide groups below the minimum, export every table as neutralised CSV, refuse learners, and never show
another course's data to a course's instructor. Roles come from lti-consumer-xblock's own map
(``lti_consumer/lti_1p3/constants.py``: ``global_staff`` sends the LIS system and institution
``Administrator`` roles, what Moodle sends for a site administrator: ``lti_get_ims_role`` in
``mod/lti/locallib.php``; ``instructor`` sends the context ``Administrator`` role only).
"""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from django.test import override_settings

from ldai_xblocks.content.packs import load_pack
from ldai_xblocks.engine import value_metrics as vm
from lti_tool.dashboard import queries
from lti_tool.dashboard.access import scope_of_platform
from lti_tool.lti import claims as c
from lti_tool.models import Platform, Statement
from tests.lti.runtime_fixtures import call, handler_prefix, launch_page

pytest_plugins = ["tests.lti.runtime_fixtures"]

MIN_TWO = {"DASHBOARD_MIN_GROUP": 2, "ALLOW_INSECURE_URLS": True}


def hunt() -> dict:
    return {c.CUSTOM_ACTIVITY: "ldai_hallucination_detector", c.CUSTOM_PACK: "en/marketing", c.CUSTOM_SETTINGS: json.dumps({"max_attempts": 3})}


def perfect_flags() -> dict:
    document = load_pack("hallucination_detector", "en/marketing")
    return {item["id"]: [[h["start"], h["end"]] for h in item["hallucinations"]] for item in document["items"]}


def play(client, consumer, user: str, *, submit: bool = True, context_id: str = "course-1", name: str = "Learner", link: str = "link-1") -> str:
    html = launch_page(client, consumer, user_id=user, name=name, custom=hunt(), context_id=context_id, resource_link_id=link)
    if submit:
        status, _ = call(client, handler_prefix(html), "submit", {"flags": perfect_flags()})
        assert status == 200
    return html


def dashboard_url(html: str) -> str:
    return unescape(re.search(r'href="(/lti/dashboard/[^"/]+/)"', html).group(1))


@pytest.fixture
def lti_settings_min_two(settings):
    settings.LDAI_LTI = {**getattr(settings, "LDAI_LTI", {}), **MIN_TWO}
    return settings


def test_the_dashboard_counts_what_learners_did(client, graded_platform, lti_settings_min_two):
    consumer, _ = graded_platform
    play(client, consumer, "learner-a", name="Ada")
    play(client, consumer, "learner-b", name="Bob")
    play(client, consumer, "learner-c", submit=False)
    page = launch_page(client, consumer, user_id="teacher-1", role="instructor", custom=hunt())
    url = dashboard_url(page)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    funnel = re.search(r'id="t-funnel".*?</section>', html, re.S).group(0)
    # learner-c opened the hunt and left: launched, not attempted (since issue 10 an attempt starts with the first
    # flag or submit, never on a view); the hunt has no pass mark (its events say no "passed")
    assert re.search(r"<th scope=\"row\">Hallucination hunt</th><td>[^<]*</td><td>3</td><td>2</td><td>2</td><td>no pass mark</td>", funnel), funnel
    assert "<svg" in funnel and "<caption" in funnel and "2 of 3 completed" in funnel
    assert Statement.objects.filter(is_instructor=True).exists()  # the instructor's own launch is kept, and left out of the figures
    scope = scope_of_platform(Platform.objects.get(), "en")
    fast = queries.dashboard(scope, vm.Filters(), 2)
    assert fast == queries.naive_dashboard(scope, vm.Filters(), 2)


def test_a_group_below_the_minimum_shows_no_figure(client, graded_platform, settings):
    settings.LDAI_LTI = {**getattr(settings, "LDAI_LTI", {}), "DASHBOARD_MIN_GROUP": 5}
    consumer, _ = graded_platform
    play(client, consumer, "learner-a")
    play(client, consumer, "learner-b")
    page = launch_page(client, consumer, user_id="teacher-1", role="instructor", custom=hunt())
    url = dashboard_url(page)
    html = client.get(url).content.decode()
    funnel = re.search(r'id="t-funnel".*?</section>', html, re.S).group(0)
    assert "fewer than 5 learners" in funnel and "<td>2</td>" not in funnel
    rows = list(csv.reader(io.StringIO(client.get(url + "csv/funnel.csv").content.decode("utf-8-sig"))))
    assert rows[1][2:] == ["fewer than 5 learners"] * 4  # the export hides what the page hides
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")  # the page speaks the launch's language, not the browser's
    assert french.status_code == 200


def test_every_table_exports_as_csv(client, graded_platform, lti_settings_min_two):
    consumer, _ = graded_platform
    for user in ("learner-a", "learner-b"):
        play(client, consumer, user)
    url = dashboard_url(launch_page(client, consumer, user_id="teacher-1", role="instructor", custom=hunt()))
    for key in ("funnel", "categories", "cohorts", "learners", "criteria", "warnings", "skills", "charter", "use_cases", "usage"):
        response = client.get(f"{url}csv/{key}.csv")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert response["Content-Disposition"] == f'attachment; filename="dashboard-{key}.csv"'
    cohorts = list(csv.reader(io.StringIO(client.get(url + "csv/cohorts.csv").content.decode("utf-8-sig"))))
    assert cohorts[1][:2] == ["Hallucination hunt", "2"]
    assert client.get(url + "csv/nothing.csv").status_code == 404


def test_a_learner_gets_403(client, graded_platform):
    consumer, _ = graded_platform
    html = play(client, consumer, "learner-a", submit=False)
    token = re.search(r"/lti/handler/([^/]+)/", unescape(handler_prefix(html))).group(1)
    for path in ("", "csv/funnel.csv", "evidence/", "evidence.pdf", "evidence.csv"):
        response = client.get(f"/lti/dashboard/{token}/{path}")
        assert response.status_code == 403, path
    assert client.get("/lti/dashboard/forged-token/").status_code == 403


def test_an_instructor_sees_only_their_course_and_an_administrator_sees_every_course(client, graded_platform, lti_settings_min_two):
    consumer, _ = graded_platform
    for user in ("a1", "a2"):
        play(client, consumer, user, context_id="course-1")
    for user in ("b1", "b2", "b3"):
        play(client, consumer, user, context_id="course-2", link="link-2")
    teacher = client.get(dashboard_url(launch_page(client, consumer, user_id="teacher-1", role="instructor", custom=hunt()))).content.decode()
    assert re.search(r"<td>2</td><td>2</td><td>2</td><td>no pass mark</td>", teacher) and "<td>3</td>" not in teacher
    admin = client.get(dashboard_url(launch_page(client, consumer, user_id="admin-1", role="global_staff", custom=hunt()))).content.decode()
    assert re.search(r"<td>5</td><td>5</td><td>5</td><td>no pass mark</td>", admin), "the administrator sees both courses"
    other = Platform.objects.create(name="Other", issuer="https://other.example", client_id="x", auth_login_url="https://other.example/a",
                                    auth_token_url="https://other.example/t", keyset_url="https://other.example/k")
    from lti_tool.models import Deployment

    deployment = Deployment.objects.create(platform=other, deployment_id="d")
    Statement.objects.create(deployment=deployment, context_id="course-1", activity="hallucination_detector", action="launched",
                             actor="stranger", body={"id": "x"})
    assert "<td>6</td>" not in client.get(dashboard_url(launch_page(client, consumer, user_id="admin-1", role="global_staff", custom=hunt()))).content.decode()


def test_the_operator_reaches_any_platform_through_the_admin_login(client, admin_client, graded_platform, lti_settings_min_two):
    consumer, _ = graded_platform
    play(client, consumer, "learner-a")
    platform = Platform.objects.get()
    assert admin_client.get(f"/lti/dashboard/platform/{platform.pk}/").status_code == 200
    assert client.get(f"/lti/dashboard/platform/{platform.pk}/").status_code == 302  # to the admin login
    assert admin_client.get("/lti/dashboard/platform/999999/").status_code == 404


def test_the_evidence_pack_names_each_learner_as_the_platform_sent_it(client, graded_platform, lti_settings_min_two):
    consumer, _ = graded_platform
    play(client, consumer, "learner-a", name="Ada Lovelace")
    play(client, consumer, "learner-b", name="=HYPERLINK(\"http://evil\")")
    url = dashboard_url(launch_page(client, consumer, user_id="teacher-1", role="instructor", custom=hunt()))
    html = client.get(url + "evidence/").content.decode()
    assert "Ada Lovelace" in html and "ldai-xblocks 0.1.0" in html and "@media print" in html
    assert "=HYPERLINK(&#34;http://evil&#34;)" in html or "=HYPERLINK(&quot;http://evil&quot;)" in html  # escaped, shown as sent
    rows = list(csv.reader(io.StringIO(client.get(url + "evidence.csv").content.decode("utf-8-sig"))))
    names = [r[0] for r in rows[3:] if r]
    assert "Ada Lovelace" in names and "'=HYPERLINK(\"http://evil\")" in names  # neutralised for spreadsheets
    ada = next(r for r in rows if r and r[0] == "Ada Lovelace")
    assert ada[6] == "1" and ada[7] == "100" and ada[8] == "no pass mark"  # the hunt has none
    pdf = client.get(url + "evidence.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@override_settings(LANGUAGE_CODE="en")
def test_bad_filters_say_what_to_do_and_keep_the_page(client, graded_platform, lti_settings_min_two):
    consumer, _ = graded_platform
    play(client, consumer, "learner-a")
    url = dashboard_url(launch_page(client, consumer, user_id="teacher-1", role="instructor", custom=hunt()))
    response = client.get(url, {"since": "yesterday", "until": "2099-01-01", "job_family": "<script>x</script>"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a date as 2026-12-31" in html and "<script>x</script>" not in html
    assert client.get(url, {"since": "2099-01-01"}).content.decode().count("No learner has opened an activity in this period.") == 1


@pytest.mark.parametrize(("roles", "expected"), [
    ([c.ROLE_CONTEXT_LEARNER], "refused"),
    ([c.ROLE_CONTEXT_INSTRUCTOR], "course"),
    ([c.ROLE_CONTEXT_ADMINISTRATOR], "course"),  # a course role (lti-consumer-xblock's "instructor"): one course
    ([c.ROLE_INSTITUTION_ADMINISTRATOR, c.ROLE_CONTEXT_LEARNER], "platform"),  # Canvas's account admin
    ([c.ROLE_SYSTEM_ADMINISTRATOR], "platform"),  # Moodle's site admin (lis_vocab_converter.php) and Open edX's global staff
])
def test_how_a_launch_is_recognised(db, roles, expected):
    from lti_tool.dashboard.access import scope_of_session
    from lti_tool.lti import launch_context
    from lti_tool.models import Deployment
    from lti_tool.runtime.launch_setup import ensure_resource_link
    from lti_tool.runtime.session import RuntimeSession, issue

    platform = Platform.objects.create(issuer="https://lms.example", client_id="t", auth_login_url="https://lms.example/a",
                                       auth_token_url="https://lms.example/t", keyset_url="https://lms.example/k")
    deployment = Deployment.objects.create(platform=platform, deployment_id="1")
    other = Deployment.objects.create(platform=platform, deployment_id="2")
    body = {c.MESSAGE_TYPE: c.RESOURCE_LINK_REQUEST, c.SUB: "someone", c.ROLES: roles, c.RESOURCE_LINK: {c.ID: "l1"},
            c.CONTEXT: {c.ID: "course-1"}, c.CUSTOM: {c.CUSTOM_ACTIVITY: "ldai_risk_quiz"}}
    context = launch_context.build(body, platform, deployment)
    launch_context.save(context)
    link = ensure_resource_link(context)
    scope = scope_of_session(RuntimeSession(context, link, issue(context, link)))
    if expected == "refused":
        assert scope is None
    elif expected == "course":
        assert scope.context_id == "course-1" and scope.deployment_ids == (deployment.pk,)
    else:
        assert scope.platform_wide and set(scope.deployment_ids) == {deployment.pk, other.pk}
