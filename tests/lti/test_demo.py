"""The demo for the three personas (lti_tool/pages/demo.py), below the browser: mounting, isolation, grades, reset.

The browser journeys are in tests/browser/test_demo.py. Here: the demo exists only when
LDAI_DEMO is on; its built-in platform can never serve a real LTI login (the platform a
real launch would come from is lti-consumer-xblock's LtiAdvantageConsumer, as in
test_launch.py); its grades go through the outbox and are never sent over HTTP; its reset
touches nothing outside the demo.
"""

from __future__ import annotations

import importlib
import uuid
from importlib.metadata import EntryPoint
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from django.urls import clear_url_caches

from lti_tool.lti.demo_platform import DEMO_CLIENT_ID, DEMO_DEPLOYMENT_ID, DEMO_ISSUER

pytestmark = pytest.mark.django_db


def _reload_urls() -> None:
    import lti_tool.site.urls

    importlib.reload(lti_tool.site.urls)
    clear_url_caches()


@pytest.fixture
def demo_on(settings):
    """The site as `make demo` serves it (LDAI_DEMO on), URLs rebuilt; restored afterwards."""
    original = getattr(django_settings, "LDAI_DEMO", False)
    settings.LDAI_DEMO = True
    # The tests deliver the outbox themselves (deliver_due), not a background thread of the test process.
    settings.LDAI_LTI_RUNTIME = {**settings.LDAI_LTI_RUNTIME, "GRADES_IN_PROCESS": False}
    _reload_urls()
    yield settings
    settings.LDAI_DEMO = original
    _reload_urls()


@pytest.fixture
def demo_off(settings):
    original = getattr(django_settings, "LDAI_DEMO", False)
    settings.LDAI_DEMO = False
    _reload_urls()
    yield settings
    settings.LDAI_DEMO = original
    _reload_urls()


def play(client: Client, block_type: str, persona: str, lang: str = "en", view: str = "") -> tuple[str, str]:
    """Follow a persona link; returns (activity page URL, its HTML)."""
    query = f"?lang={lang}" + (f"&view={view}" if view else "")
    response = client.get(f"/demo/play/{block_type}/{persona}/{query}")
    assert response.status_code == 303, response.content[:500]
    target = response["Location"]
    assert target.startswith("/lti/activity/")
    page = client.get(target)
    assert page.status_code == 200
    return target, page.content.decode()


def token_of(activity_url: str) -> str:
    return urlsplit(activity_url).path.rstrip("/").rsplit("/", 1)[1]


def grade(token: str, value: float, maximum: float = 1.0) -> None:
    """The runtime's own grade path (what a block's ``runtime.publish(self, 'grade', ...)`` reaches)."""
    from lti_tool.runtime.session import open_session
    from lti_tool.runtime.xblock_runtime import LtiRuntime

    runtime = LtiRuntime(open_session(token))
    with transaction.atomic():
        block = runtime.block()
        runtime.publish(block, "grade", {"value": value, "max_value": maximum})


# ----- mounted only when the demo is on -------------------------------------------------------------------------


def test_without_ldai_demo_nothing_of_the_demo_is_mounted(demo_off):
    client = Client()
    for url in ("/", "/demo/play/ldai_risk_quiz/learner-a/", "/developers/"):
        assert client.get(url).status_code == 404, url
    assert client.post("/demo/reset/").status_code == 404
    assert client.get("/lti/config/").status_code == 200  # the tool itself is there


def test_the_front_page_lists_every_hosted_activity_with_the_three_personas(demo_on):
    from lti_tool.runtime.xblock_runtime import BLOCK_TYPES

    html = Client().get("/?lang=en").content.decode()
    for block_type in BLOCK_TYPES:
        for persona in ("learner-a", "learner-b"):
            assert f"/demo/play/{block_type}/{persona}/?lang=en" in html
        assert f"/demo/play/{block_type}/instructor/?lang=en&amp;view=author" in html
        assert f"/demo/play/{block_type}/instructor/?lang=en&amp;view=results" in html
    assert html.count("<h3>") == 4  # one card per persona (the hunt's four teammates share one), each saying what they see
    assert '<html lang="en">' in html and 'lang="fr" hreflang="fr"' in html


def test_an_activity_registered_later_is_listed_without_touching_the_demo(demo_on, monkeypatch):
    """New activities (skills map, charter...) join through the runtime's list and their entry point, nothing else."""
    from lti_tool.pages import demo
    from lti_tool.runtime import xblock_runtime

    monkeypatch.setattr(demo, "BLOCK_TYPES", (*xblock_runtime.BLOCK_TYPES, "ldai_skills_probe"))
    real = demo.entry_points

    def with_probe(group):
        return [*real(group=group), EntryPoint("ldai_skills_probe", "ldai_xblocks.blocks.risk_quiz:RiskQuizBlock", group)]

    monkeypatch.setattr(demo, "entry_points", with_probe)
    html = Client().get("/?lang=en").content.decode()
    assert "/demo/play/ldai_skills_probe/learner-a/" in html
    assert "Skills probe" in html


def test_the_front_page_speaks_french(demo_on):
    html = Client().get("/?lang=fr").content.decode()
    assert '<html lang="fr">' in html
    for french in ("Apprenant A", "Enseignant", "Réinitialiser la démo", "Quiz de sensibilisation aux risques"):
        assert french in html, french


def test_unknown_activity_or_persona_is_a_404_page_not_a_500(demo_on):
    client = Client()
    for url in ("/demo/play/ldai_nope/learner-a/", "/demo/play/ldai_risk_quiz/admin/", "/demo/play/ldai_risk_quiz/learner-a/?lang=xx&view=<script>"):
        response = client.get(url)
        assert response.status_code in (303, 404), url
        if response.status_code == 404:
            assert "demo_not_found" in response.content.decode()


# ----- the personas open the page a real launch opens ---------------------------------------------------------------


def test_each_persona_opens_the_activity_page_of_a_real_launch(demo_on):
    client = Client()
    learner_url, learner_html = play(client, "ldai_risk_quiz", "learner-a")
    assert 'data-block-type="ldai_risk_quiz"' in learner_html and "xblock-v1-student_view" in learner_html
    assert "You are: Learner A" in learner_html
    assert "Instructor tools" not in learner_html
    # A learner's token cannot open the instructor's views.
    assert "instructors_only" in client.get(learner_url.split("?")[0] + "?view=results").content.decode()

    instructor_url, instructor_html = play(client, "ldai_risk_quiz", "instructor")
    assert "xblock-v1-studio_view" in instructor_html and 'id="ldai-results-title"' in instructor_html
    _, results_html = play(client, "ldai_risk_quiz", "instructor", view="results")
    assert "xblock-v1" not in results_html and 'id="ldai-results-title"' in results_html


def test_the_instructor_sees_both_learners_and_grades_go_to_the_outbox_then_nowhere(demo_on):
    from lti_tool.grades.sender import deliver_due
    from lti_tool.models import GradeOutbox

    client = Client()
    url_a, _ = play(client, "ldai_risk_quiz", "learner-a")
    url_b, _ = play(client, "ldai_risk_quiz", "learner-b")
    grade(token_of(url_a), 5, 6)
    grade(token_of(url_b), 3, 6)
    rows = list(GradeOutbox.objects.order_by("user_sub"))
    assert [(r.user_sub, r.score_given, r.status) for r in rows] == [
        ("ldai-demo-learner-a", 5.0, "pending"), ("ldai-demo-learner-b", 3.0, "pending"),
    ]
    assert all(r.lineitem_url.startswith(DEMO_ISSUER) for r in rows)

    class NoNetwork:
        def request(self, *args, **kwargs):
            raise AssertionError("the demo's grades must never be sent over HTTP")

        post = get = request

    stats = deliver_due(session=NoNetwork())
    assert stats.sent == 2 and stats.failed == 0 and stats.retried == 0
    assert set(GradeOutbox.objects.values_list("status", flat=True)) == {"sent"}

    _, html = play(client, "ldai_risk_quiz", "instructor", view="results")
    assert "Learner A" in html and "Learner B" in html
    assert "83&nbsp;%" in html and "50&nbsp;%" in html
    assert html.count("the demo has no gradebook") == 2  # each row says where its grade went


def test_each_language_is_its_own_demo_course(demo_on):
    from lti_tool.models import ResourceLinkConfig

    client = Client()
    play(client, "ldai_prompt_sandbox", "learner-a", "en")
    _, html = play(client, "ldai_prompt_sandbox", "learner-a", "fr")
    assert '<html lang="fr">' in html and "Vous êtes : Apprenant A" in html
    links = ResourceLinkConfig.objects.order_by("context_id").values_list("context_id", "resource_link_id")
    assert list(links) == [("ldai-demo-en", "ldai_prompt_sandbox.en"), ("ldai-demo-fr", "ldai_prompt_sandbox.fr")]


# ----- the demo's platform is never a real platform ------------------------------------------------------------------


def test_a_real_login_claiming_the_demo_platform_is_refused(demo_on, lti_platform):
    """A platform (lti-consumer-xblock's LtiAdvantageConsumer) that signs with the demo's issuer, client and deployment ids."""
    from lti_consumer.data import Lti1p3LaunchData
    from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer

    from lti_tool.pages.demo import demo_deployment
    from tests.lti.conftest import LAUNCH_URL, LOGIN_URL

    demo_deployment()
    consumer = LtiAdvantageConsumer(
        iss=DEMO_ISSUER, lti_oidc_url=LOGIN_URL, lti_launch_url=LAUNCH_URL, client_id=DEMO_CLIENT_ID,
        deployment_id=DEMO_DEPLOYMENT_ID, rsa_key=lti_platform.private_pem, rsa_key_id=lti_platform.kid, redirect_uris=[LAUNCH_URL],
    )
    data = Lti1p3LaunchData(user_id="intruder", user_role="instructor", config_id=uuid.uuid4(), resource_link_id="ldai_risk_quiz.en",
                            message_type="LtiResourceLinkRequest")
    query = {k: v[0] for k, v in parse_qs(urlsplit(consumer.prepare_preflight_url(data)).query).items()}
    response = Client().get(LOGIN_URL, query)
    assert response.status_code == 403
    assert "<code>platform_inactive</code>" in response.content.decode()


def test_the_demo_platform_is_switched_off_again_if_someone_switches_it_on(demo_on):
    from lti_tool.pages.demo import demo_deployment

    deployment = demo_deployment()
    deployment.platform.is_active = True
    deployment.platform.save()
    deployment.is_active = True
    deployment.save()
    again = demo_deployment()
    again.platform.refresh_from_db()
    assert again.pk == deployment.pk and not again.is_active and not again.platform.is_active


def test_demo_sessions_stop_working_when_the_demo_is_switched_off(demo_on, settings):
    client = Client()
    url, _ = play(client, "ldai_risk_quiz", "learner-a")
    settings.LDAI_DEMO = False
    response = client.get(url)
    assert response.status_code == 403 and "<code>expired</code>" in response.content.decode()


# ----- reset ---------------------------------------------------------------------------------------------------------


def _real_course_rows():
    """A real platform's link, learner state and outbox row, which the demo's reset must leave alone."""
    from lti_tool.models import Deployment, GradeOutbox, LearnerState, Platform, ResourceLinkConfig

    platform = Platform.objects.create(issuer="https://moodle.example.com", client_id="c1", auth_login_url="https://moodle.example.com/auth",
                                       auth_token_url="https://moodle.example.com/token", keyset_url="https://moodle.example.com/jwks")
    deployment = Deployment.objects.create(platform=platform, deployment_id="d1")
    link = ResourceLinkConfig.objects.create(deployment=deployment, resource_link_id="r1", block_type="ldai_risk_quiz",
                                             lineitem_url="https://moodle.example.com/li/1")
    LearnerState.objects.create(deployment=deployment, resource_link_id="r1", user_sub="u1", block_type="ldai_risk_quiz", state={"x": 1})
    from django.utils import timezone

    GradeOutbox.objects.create(deployment=deployment, resource_link=link, user_sub="u1", score_given=1, score_maximum=1,
                               timestamp=timezone.now(), idempotency_key="real-1")
    return deployment


def test_reset_needs_the_csrf_token_and_wipes_only_the_demo(demo_on):
    from lti_tool.models import GradeOutbox, LearnerState, ResourceLinkConfig

    real = _real_course_rows()
    client = Client(enforce_csrf_checks=True)
    url, _ = play(client, "ldai_risk_quiz", "learner-a")
    grade(token_of(url), 1, 2)
    play(client, "ldai_risk_quiz", "instructor")
    assert ResourceLinkConfig.objects.exclude(deployment=real).exists()

    assert client.post("/demo/reset/").status_code == 403  # no CSRF token: refused, nothing wiped
    assert LearnerState.objects.exclude(deployment=real).exists()

    page = client.get("/?lang=fr").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post("/demo/reset/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 303 and response["Location"] == "/?lang=fr&reset=done"
    assert not ResourceLinkConfig.objects.exclude(deployment=real).exists()
    assert not LearnerState.objects.exclude(deployment=real).exists()
    assert not GradeOutbox.objects.exclude(deployment=real).exists()
    assert ResourceLinkConfig.objects.filter(deployment=real).count() == 1
    assert LearnerState.objects.filter(deployment=real).count() == 1
    assert GradeOutbox.objects.filter(deployment=real).count() == 1
    assert 'role="status"' in client.get(response["Location"]).content.decode()
    # The old token's page now says to start again, it does not crash.
    assert client.get(url).status_code == 403


def test_developers_find_every_block_in_the_workbench_and_serve_prepares_the_demo_platform(demo_on):
    from lti_tool.models import Platform
    from lti_tool.runtime.xblock_runtime import BLOCK_TYPES
    from lti_tool.site import demo as site_demo

    html = Client().get("/developers/?lang=en").content.decode()
    for block_type in BLOCK_TYPES:
        assert f"/workbench/scenario/{block_type}.0/?lang=en" in html
        assert f"/workbench/scenario/{block_type}.0/studio_view/?lang=en" in html
    site_demo.prepare()  # what `ldai serve` runs before serving
    platform = Platform.objects.get(issuer=DEMO_ISSUER, client_id=DEMO_CLIENT_ID)
    assert not platform.is_active and not platform.deployments.get().is_active


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_activity_opens_for_every_persona(demo_on, lang):
    from lti_tool.pages.demo import PERSONAS, activities

    client = Client()
    for item in activities():
        for persona in PERSONAS:
            _, html = play(client, item.block_type, persona.slug, lang)
            assert f'data-block-type="{item.block_type}"' in html, (item.block_type, persona.slug)
            assert f'<html lang="{lang}">' in html
            assert ("xblock-v1-studio_view" in html) == persona.is_instructor
