"""The tool's XBlock runtime, end to end: a real platform launches, a learner submits, the grade reaches AGS.

The platform is lti-consumer-xblock's LtiAdvantageConsumer (LTI-A's fixtures in
conftest.py: OIDC login + launch through Django's test client); its AGS side is
served on the same 127.0.0.1 server, and checks the tool's bearer token with the
consumer's own ``check_token``. The block is the real ``ldai_risk_quiz`` class,
hosted by ``lti_tool.runtime.xblock_runtime`` (rule 2: no activity re-implemented in the tool).
"""

from __future__ import annotations

import json
import re
from html import unescape

from django.core import signing
from django.db import DatabaseError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ldai_xblocks.content.packs import load_pack
from ldai_xblocks.engine import quiz
from lti_tool.grades import sender
from lti_tool.lti import claims as c
from lti_tool.models import GradeOutbox, LearnerState, ResourceLinkConfig
from tests.lti.conftest import launch as lti_launch_flow
from tests.lti.runtime_fixtures import call, handler_prefix, init_args, launch_page

pytest_plugins = ["tests.lti.runtime_fixtures"]


def quiz_custom(**settings_) -> dict:
    return {c.CUSTOM_ACTIVITY: "ldai_risk_quiz", c.CUSTOM_PACK: "en/ai-risks",
            c.CUSTOM_SETTINGS: json.dumps({"display_name": "Risks quiz", "max_attempts": 3, "num_questions": 3, **settings_})}


def open_activity(client, consumer, **kwargs) -> str:
    kwargs.setdefault("custom", quiz_custom())
    return launch_page(client, consumer, **kwargs)


def right_answers(state: dict) -> dict[str, list[str]]:
    bank = quiz.build_bank(load_pack("risk_quiz", "en/ai-risks"))
    return {q["id"]: sorted(bank.questions[q["id"]].correct_ids) for q in state["questions"]}


def answer_all(client, prefix: str, *, stop_before_last: bool = False) -> dict:
    status, state = call(client, prefix, "student_view_user_state")
    assert status == 200
    answers = right_answers(state)
    ids = [q["id"] for q in state["questions"]]
    for qid in ids[:-1] if stop_before_last else ids:
        status, state = call(client, prefix, "submit_answer", {"question_id": qid, "selected": answers[qid]})
        assert status == 200, state
    return state


# ------------------------------------------------------------------------------------ learner: launch -> grade


def test_learner_submits_the_quiz_and_the_score_reaches_the_platform(client, graded_platform):
    consumer, gradebook = graded_platform
    html = open_activity(client, consumer, user_id="learner-7", name="Alex Martin")
    assert 'data-init="LdaiRiskQuiz"' in html and "Risks quiz" in html
    link = ResourceLinkConfig.objects.get()
    assert link.block_type == "ldai_risk_quiz" and link.settings["max_attempts"] == 3 and link.settings["pack"] == "en/ai-risks"
    assert link.lineitem_url == gradebook.lineitem and c.SCOPE_SCORE in link.ags_scopes
    state = answer_all(client, handler_prefix(html))
    assert state["completed"] and state["best_score"] == 1.0
    row = LearnerState.objects.get(scope=LearnerState.Scope.USER_STATE)
    assert (row.user_sub, row.context_id, row.resource_link_id) == ("learner-7", "course-1", "link-1")
    assert row.score == 1.0 and row.attempts == 1 and row.user_name == "Alex Martin"
    outbox = GradeOutbox.objects.get()
    assert outbox.status == GradeOutbox.Status.PENDING and outbox.user_sub == "learner-7"
    assert sender.deliver_due().sent == 1
    assert gradebook.scores == [{**gradebook.scores[0], "userId": "learner-7", "scoreGiven": 1.0, "scoreMaximum": 1.0}]


def test_state_survives_a_new_launch_and_is_kept_per_learner_and_link(client, graded_platform):
    consumer, _ = graded_platform
    html = open_activity(client, consumer, user_id="learner-1")
    answer_all(client, handler_prefix(html), stop_before_last=True)
    again = init_args(open_activity(client, consumer, user_id="learner-1"))["state"]
    assert len(again["answers"]) == len(again["questions"]) - 1
    other = init_args(open_activity(client, consumer, user_id="learner-2"))["state"]
    assert other["answers"] == {}
    elsewhere = init_args(open_activity(client, consumer, user_id="learner-1", resource_link_id="link-2"))["state"]
    assert elsewhere["answers"] == {}
    # Only answers write learner state: opening the activity (learner-2, link-2) writes nothing.
    keys = set(LearnerState.objects.values_list("user_sub", "resource_link_id"))
    assert keys == {("learner-1", "link-1")}


def test_launch_in_french_renders_in_french(client, graded_platform):
    consumer, _ = graded_platform
    html = open_activity(client, consumer, locale="fr-CA")
    assert '<html lang="fr">' in html and "Mode d’emploi" in html
    assert init_args(html)["lang"] == "fr"


def test_platform_500_then_recovering_delivers_the_learners_grade_once(client, graded_platform):
    consumer, gradebook = graded_platform
    answer_all(client, handler_prefix(open_activity(client, consumer)))
    gradebook.fail = [500]
    from django.utils import timezone

    assert sender.deliver_due().retried == 1
    row = GradeOutbox.objects.get()
    assert sender.deliver_due(now=row.next_attempt_at).sent == 1
    sender.deliver_due(now=timezone.now() + timezone.timedelta(days=1))
    assert len(gradebook.scores) == 1


# ------------------------------------------------------------------------------------ one transaction


def test_grade_and_state_roll_back_together_when_the_outbox_write_fails(client, graded_platform, monkeypatch):
    consumer, _ = graded_platform
    prefix = handler_prefix(open_activity(client, consumer))
    state = answer_all(client, prefix, stop_before_last=True)
    last = [q["id"] for q in state["questions"] if q["id"] not in state["answers"]][0]

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr("lti_tool.runtime.xblock_runtime.record_score", broken)
    status, body = call(client, prefix, "submit_answer", {"question_id": last, "selected": right_answers(state)[last]})
    assert status == 500 and body["code"] == "server_error"
    row = LearnerState.objects.get(scope=LearnerState.Scope.USER_STATE)
    assert row.attempts == 0 and row.score is None
    assert last not in row.state["current_attempt"]["answers"]
    assert GradeOutbox.objects.count() == 0
    monkeypatch.undo()
    status, body = call(client, prefix, "submit_answer", {"question_id": last, "selected": right_answers(state)[last]})
    assert status == 200 and body["completed"]
    assert GradeOutbox.objects.count() == 1


def test_outbox_row_rolls_back_when_the_state_cannot_be_saved(client, graded_platform, monkeypatch):
    consumer, _ = graded_platform
    prefix = handler_prefix(open_activity(client, consumer))
    state = answer_all(client, prefix, stop_before_last=True)
    last = [q["id"] for q in state["questions"] if q["id"] not in state["answers"]][0]
    from lti_tool.runtime.xblock_runtime import LtiKeyValueStore

    original = LtiKeyValueStore.set_many

    def failing_save(self, update_dict):
        if any(key.field_name == "grade_record" for key in update_dict):
            raise DatabaseError("database is locked")
        return original(self, update_dict)

    monkeypatch.setattr(LtiKeyValueStore, "set_many", failing_save)
    status, _ = call(client, prefix, "submit_answer", {"question_id": last, "selected": right_answers(state)[last]})
    assert status == 500
    assert GradeOutbox.objects.count() == 0
    assert LearnerState.objects.get(scope=LearnerState.Scope.USER_STATE).attempts == 0


def test_a_double_click_on_a_first_answer_is_replayed_not_an_error(client, graded_platform, monkeypatch):
    """The other request created the learner's row first: this one is run again on top of it."""
    consumer, _ = graded_platform
    html = open_activity(client, consumer)
    prefix = handler_prefix(html)
    question = init_args(html)["state"]["questions"][0]
    answer = {"question_id": question["id"], "selected": [question["choices"][0]["id"]]}
    assert LearnerState.objects.count() == 0  # a first view writes no state
    from django.db import IntegrityError

    original = LearnerState.save
    collisions = []

    def collide_once(self, *args, **kwargs):
        if self._state.adding and not collisions:
            collisions.append(1)
            raise IntegrityError("UNIQUE constraint failed: lti_learner_state_unique")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LearnerState, "save", collide_once)
    status, state = call(client, prefix, "submit_answer", answer)
    assert status == 200 and collisions == [1]
    assert LearnerState.objects.count() == 1

    def always_collide(self, *args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed")

    LearnerState.objects.all().delete()
    monkeypatch.setattr(LearnerState, "save", always_collide)
    status, body = call(client, prefix, "submit_answer", answer)
    assert status == 409 and body["code"] == "conflict"


# ------------------------------------------------------------------------------------ handler protection


def test_a_tampered_token_is_refused(client, graded_platform):
    consumer, _ = graded_platform
    prefix = handler_prefix(open_activity(client, consumer))
    token = prefix.rstrip("/").rsplit("/", 1)[1]
    payload, _, signature = token.rpartition(":")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + ":" + signature
    status, body = call(client, prefix.replace(token, forged), "student_view_user_state")
    assert status == 403 and body["code"] == "bad_signature"


def test_garbage_tokens_get_a_clear_refusal_not_an_error(client, graded_platform):
    for token in ("x", "a:b:c", "e" * 5000, "%00", signing.dumps("not a dict", salt="ldai.lti.runtime.handler")):
        status, body = call(client, f"/lti/handler/{token}/", "submit_answer")
        assert status == 403 and body["code"] == "bad_signature"
        page = client.get(f"/lti/activity/{token}/")
        assert page.status_code == 403 and b"bad_signature" in page.content
        assert client.get(f"/lti/results/{token}/results.csv").status_code == 403


def test_a_token_for_another_user_or_link_is_refused(client, graded_platform):
    consumer, _ = graded_platform
    prefix = handler_prefix(open_activity(client, consumer, user_id="learner-1"))
    open_activity(client, consumer, user_id="learner-1", resource_link_id="link-2")
    token = prefix.rstrip("/").rsplit("/", 1)[1]
    from lti_tool.runtime.session import SALT

    payload = signing.loads(token, salt=SALT)
    other_link = ResourceLinkConfig.objects.get(resource_link_id="link-2")
    for forged in ({**payload, "u": "0" * 16}, {**payload, "k": other_link.pk}):
        forged_token = signing.dumps(forged, salt=SALT, compress=True)
        status, body = call(client, prefix.replace(token, forged_token), "student_view_user_state")
        assert status == 403 and body["code"] == "not_bound"


def test_an_expired_session_is_refused_in_the_learners_language(client, graded_platform, settings):
    consumer, _ = graded_platform
    prefix = handler_prefix(open_activity(client, consumer))
    settings.LDAI_LTI_RUNTIME = {**settings.LDAI_LTI_RUNTIME, "HANDLER_TOKEN_SECONDS": -1}
    status, body = call(client, prefix, "student_view_user_state", )
    assert status == 403 and body["code"] == "expired"
    response = client.post(prefix + "student_view_user_state/", data=b"{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Ouvrez" in response.json()["error"] or "expiré" in response.json()["error"]


def test_a_switched_off_deployment_closes_its_sessions(client, graded_platform):
    consumer, _ = graded_platform
    prefix = handler_prefix(open_activity(client, consumer))
    from lti_tool.models import Deployment

    Deployment.objects.update(is_active=False)
    status, body = call(client, prefix, "student_view_user_state")
    assert status == 403 and body["code"] == "expired"


def test_a_learner_cannot_change_the_settings(client, graded_platform):
    consumer, _ = graded_platform
    prefix = handler_prefix(open_activity(client, consumer))
    status, body = call(client, prefix, "studio_submit", {"display_name": "Hacked", "max_attempts": 0})
    assert status == 403 and body["code"] == "authoring"
    assert ResourceLinkConfig.objects.get().settings["display_name"] == "Risks quiz"


def test_unknown_and_private_handlers_are_404(client, graded_platform):
    consumer, _ = graded_platform
    prefix = handler_prefix(open_activity(client, consumer))
    for name in ("no_such_handler", "__class__", "_", "student_view", "save"):
        status, body = call(client, prefix, name)
        assert status == 404 and body["code"] == "unknown_handler"


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=st.sampled_from(["submit_answer", "start_attempt", "student_view_user_state", "studio_submit", "pack_document"]),
       body=st.one_of(st.binary(max_size=200), st.recursive(
           st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["question_id", "selected", "pack", "display_name", "max_attempts"]) | st.text(max_size=8), inner, max_size=4),
           max_leaves=12).map(lambda v: json.dumps(v).encode())))
def test_nothing_a_learner_sends_produces_a_500(client, graded_platform, name, body):
    consumer, _ = graded_platform
    status, _ = call(client, _prefix_once(client, consumer), name, raw=body)
    assert status < 500


_PREFIXES: dict[int, str] = {}


def _prefix_once(client, consumer) -> str:
    """One launch per test run (hypothesis calls the test body many times with the same fixtures)."""
    if id(consumer) not in _PREFIXES or not ResourceLinkConfig.objects.exists():
        _PREFIXES[id(consumer)] = handler_prefix(open_activity(client, consumer))
    return _PREFIXES[id(consumer)]


# ------------------------------------------------------------------------------------ instructors


def test_instructor_gets_the_authoring_view_and_the_results(client, graded_platform):
    consumer, _ = graded_platform
    for learner, name in (("learner-1", "=cmd|' /C calc'!A0"), ("learner-2", "Bob <b>bold</b>")):
        prefix = handler_prefix(open_activity(client, consumer, user_id=learner, name=name))
        answer_all(client, prefix)
    html = open_activity(client, consumer, role="instructor", user_id="teacher-1", name="Teacher")
    assert 'data-init="LdaiRiskQuizStudio"' in html
    assert "Bob &lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    assert html.count("<tr>") == 3  # header + two learners (the instructor is not listed)
    assert 'aria-current="page"' in html
    csv_url = unescape(re.search(r'href="([^"]+results\.csv)"', html).group(1))
    response = client.get(csv_url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("Learner,")
    assert "'=cmd" in text  # a spreadsheet formula in a name is neutralised
    assert "100.0" in text


def test_instructor_saves_settings_learners_see_them(client, graded_platform):
    consumer, _ = graded_platform
    html = open_activity(client, consumer, role="instructor", user_id="teacher-1")
    status, body = call(client, handler_prefix(html), "studio_submit", {"display_name": "Quiz for sales", "max_attempts": 1})
    assert status == 200 and body["saved"]
    assert ResourceLinkConfig.objects.get().settings["display_name"] == "Quiz for sales"
    assert "Quiz for sales" in open_activity(client, consumer, user_id="learner-3")


def test_instructor_preview_is_not_graded_nor_listed(client, graded_platform):
    consumer, _ = graded_platform
    html = open_activity(client, consumer, role="instructor", user_id="teacher-1")
    preview_url = unescape(re.search(r'href="([^"]+\?view=learner)"', html).group(1))
    preview = client.get(preview_url)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'data-init="LdaiRiskQuiz"' in page
    answer_all(client, handler_prefix(page))
    assert GradeOutbox.objects.count() == 0
    assert LearnerState.objects.get(scope=LearnerState.Scope.USER_STATE).is_instructor
    results = client.get(preview_url.replace("view=learner", "view=results")).content.decode()
    assert "No learner has opened this activity yet." in results


def test_learners_cannot_reach_instructor_pages(client, graded_platform):
    consumer, _ = graded_platform
    html = open_activity(client, consumer, user_id="learner-1")
    token = handler_prefix(html).rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/lti/results/{token}/results.csv").status_code == 403
    assert client.get(f"/lti/activity/{token}/?view=author").status_code == 403
    assert client.get(f"/lti/activity/{token}/?view=results").status_code == 403
    assert client.get(f"/lti/activity/{token}/?view=learner").status_code == 200


# ------------------------------------------------------------------------------------ pages and assets


def test_author_text_cannot_break_out_of_the_page(client, graded_platform):
    consumer, _ = graded_platform
    document = load_pack("risk_quiz", "en/ai-risks")
    evil = "</script><script>alert(1)</script>"
    document = {**document, "questions": [{**q, "stem": evil + q["stem"]} for q in document["questions"]]}
    custom = {**quiz_custom(), c.CUSTOM_PACK: c.CUSTOM_PACK_OWN, c.CUSTOM_CONTENT: json.dumps(document)}
    html = open_activity(client, consumer, custom=custom)
    assert "<script>alert(1)</script>" not in html
    assert init_args(html)["state"]["questions"][0]["stem"].startswith(evil)


def test_an_unknown_activity_gets_a_clear_page(client, graded_platform):
    consumer, _ = graded_platform
    response = lti_launch_flow(client, consumer, custom={c.CUSTOM_ACTIVITY: "html"})
    assert response.status_code == 400 and b"unknown_activity" in response.content
    assert ResourceLinkConfig.objects.count() == 0


def test_wrongly_typed_custom_settings_are_reported_not_silently_dropped(client, graded_platform):
    consumer, _ = graded_platform
    custom = {c.CUSTOM_ACTIVITY: "risk_quiz", c.CUSTOM_SETTINGS: '{"max_attempts": "many", "weight": 5, "nope": 1}'}
    response = lti_launch_flow(client, consumer, custom=custom)
    assert response.status_code == 409 and b"not_ready" in response.content
    link = ResourceLinkConfig.objects.get()
    assert link.settings == {"weight": 5.0}
    assert [(p["code"], p["field"]) for p in link.setup_problems] == [("setting_invalid", "max_attempts")]


def test_assets_are_served_with_long_cache_and_never_outside_static(client, graded_platform):
    consumer, _ = graded_platform
    html = open_activity(client, consumer)
    url = unescape(re.search(r"src='([^']+risk_quiz\.js[^']*)'", html).group(1))
    response = client.get(url)
    assert response.status_code == 200 and "immutable" in response["Cache-Control"]
    assert b"LdaiRiskQuiz" in b"".join(response.streaming_content)
    assert client.get(url.split("?")[0], HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    for bad in ("/lti/assets/ldai/../setup.py", "/lti/assets/ldai/%2e%2e/setup.py", "/lti/assets/nope/x.js", "/lti/assets/ldai/js/missing.js"):
        assert client.get(bad).status_code == 404
    runtime_js = unescape(re.search(r'<script src="([^"]+xblock-runtime\.js[^"]*)"', html).group(1))
    assert client.get(runtime_js).status_code == 200
