"""The charter in the persona demo (issue 15's "done when": a learner accepts the charter after its questions,
the instructor exports the acceptances, both languages) and in the deep-linking picker (lti-consumer-xblock's
LtiAdvantageConsumer on the platform side, as in test_deep_linking.py)."""

from __future__ import annotations

import jwt
import pytest
from django.test import Client

from ldai_xblocks.content.packs import load_pack
from ldai_xblocks.engine import charter as engine
from tests.lti.runtime_fixtures import call, handler_prefix, init_args
from tests.lti.test_deep_linking import DL, choose, field, picker  # noqa: F401 - the picker fixture
from tests.lti.test_demo import demo_on, play  # noqa: F401 - the demo fixture


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_learner_accepts_the_charter_and_the_instructor_exports_it(demo_on, lang):  # noqa: F811
    client = Client()
    front = client.get(f"/?lang={lang}").content.decode()
    assert f"/demo/play/ldai_charter/learner-a/?lang={lang}" in front
    assert ("Company AI charter" if lang == "en" else "Charte IA de l’entreprise") in front
    _, html = play(client, "ldai_charter", "learner-a", lang)
    state = init_args(html)["state"]
    assert state["version"] == "1.0" and 3 <= len(state["questions"]) <= 5
    bank = engine.build_bank(load_pack("charter", f"{lang}/ai-charter"))
    answers = {q["id"]: sorted(bank.questions[q["id"]].correct_ids) for q in state["questions"]}
    prefix = handler_prefix(html)
    status, state = call(client, prefix, "check_answers", {"version": "1.0", "answers": answers})
    assert status == 200 and state["passed"]
    status, state = call(client, prefix, "accept", {"version": "1.0"})
    assert status == 200 and state["accepted"]["score"] == 1.0
    _, teacher = play(client, "ldai_charter", "instructor", lang, view="results")
    assert 'id="ldai-charter-title"' in teacher
    csv_url = next(part.split('"', 1)[0] for part in teacher.split('href="')[1:] if "charter.csv" in part.split('"', 1)[0])
    text = client.get(csv_url.replace("&amp;", "&")).content.decode("utf-8-sig")
    assert ",1.0," in text and ",100," in text


def test_the_charter_is_offered_in_the_picker_and_returned(client, picker):  # noqa: F811
    response, launch_id = picker()
    html = response.content.decode()
    assert 'value="ldai_charter"' in html
    preview = choose(client, launch_id, activity="ldai_charter", pack_ldai_charter="fr/ai-charter", action="preview").content.decode()
    assert "Notre charte d’usage de l’IA" in preview
    page = choose(client, launch_id, activity="ldai_charter", pack_ldai_charter="en/ai-charter", title="Our charter").content.decode()
    (item,) = jwt.decode(field(page, "JWT"), options={"verify_signature": False})[DL + "content_items"]
    assert item["custom"]["ldai_activity"] == "ldai_charter" and item["lineItem"]["tag"] == "ldai:ldai_charter"
