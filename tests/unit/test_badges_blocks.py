"""The badge on an activity in an Open edX-like runtime (tests/conftest.py's ToyRuntime with i18n, user and
settings services): no ``ldai_badges`` service, so the block signs with ``XBLOCK_SETTINGS["LDAI"]["BADGE_ISSUER"]``.

The user service reproduces what edx-platform's ``DjangoXBlockUserService``
(common/djangoapps/xblock_django/user_service.py) gives a block: ``edx-platform.user_role`` is
``student`` for a learner; Studio passes no role (an author).
"""

from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ldai_xblocks.blocks import badging
from ldai_xblocks.engine import badges

BADGE = {"enabled": True, "criterion": "score", "min_score": 80, "name": "Risk spotter", "description": "Knows the risks.",
         "criteria_text": "Score 80% or more.", "colour": "#1f5f99", "alignments": ["charter.confidentiality"]}


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def issuer_settings(key) -> dict:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    return {"BADGE_ISSUER": {"id": "https://lms.example.com/badges/issuer", "name": "Example LMS", "kid": "k1", "private_key_pem": pem}}


def quiz(blocks, settings=None, **badge):
    return blocks.from_xml(f"<ldai_risk_quiz badge={quoteattr(json.dumps({**BADGE, **badge}))}/>", settings=settings)


def as_learner(block):
    block.runtime.service(block, "user").get_current_user().opt_attrs["edx-platform.user_role"] = "student"
    return block


def test_without_an_issuer_nothing_is_issued_and_the_course_team_is_told(blocks):
    block = quiz(blocks)
    block.record_attempt(1.0)
    assert block.badge_earned == {} and not block.runtime.events_of("ldai.risk_quiz.badge_earned")
    assert "BADGE_ISSUER" in badging.editor_view(block)["warning"]
    assert "BADGE_ISSUER" in badging.learner_view(block)["warning"]
    assert badging.learner_view(as_learner(block)) is None  # no promise to a learner of a badge nobody can issue


def test_with_the_settings_issuer_the_learner_earns_a_verifiable_badge_and_downloads_it(blocks, handler, key):
    block = as_learner(quiz(blocks, issuer_settings(key)))
    block.record_attempt(0.5)
    assert block.badge_earned == {}  # below the author's 80%
    block.record_attempt(0.9)
    token = block.badge_earned["token"]
    jwks = {"keys": [badges.public_jwk(key, "k1")]}
    result = badges.verify(token, lambda iss: jwks, lambda url: None)
    assert result.ok and result.credential["issuer"]["name"] == "Example LMS"
    assert "learner1" not in json.dumps(result.credential)  # the recipient is a salted hash
    assert block.runtime.events_of("ldai.risk_quiz.badge_earned") == [{"badge": block.badge_earned["achievement_id"], "score": 0.9}]
    view = badging.learner_view(block)
    assert view["earned"] and [d["label"] for d in view["downloads"]] == ["Badge picture (SVG)", "Credential (JSON)", "Credential (JWT, for wallets)"]
    response = block.handle("badge_file", _get(), "credential.json")
    assert response.status_code == 200 and json.loads(response.body)["id"].endswith(token)
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert block.handle("badge_file", _get(), "../../etc/passwd").status_code == 404
    block.record_attempt(1.0)
    assert block.badge_earned["token"] == token  # earned once


def test_another_learner_gets_nothing_of_the_first_learners_badge(blocks, key):
    block = as_learner(quiz(blocks, issuer_settings(key)))
    block.record_attempt(1.0)
    other = blocks.as_user(block, "learner2")
    assert other.badge_earned == {}
    assert other.handle("badge_file", _get(), "badge.svg").status_code == 404


@pytest.mark.parametrize("score, earned", [(1.0, True), (0.5, False)])
def test_the_competence_criterion_reads_the_course_evidence_of_the_skills_map(blocks, key, score, earned):
    """The quiz's category scores are evidence (blocks/evidence.py); the default skills map maps
    ``category:bias`` to ``bias-fairness``; a full score now is level 3, half a score 1.5 (engine/skills.py)."""
    block = as_learner(quiz(blocks, issuer_settings(key), criterion="competence", competence="bias-fairness", min_level=3))
    block.record_attempt(1.0)
    assert block.badge_earned == {}  # no evidence of that competence yet
    block.record_evidence({"category:bias": score})
    view = badging.award_after_request(block)  # what json_api asks once the submit has recorded its evidence
    assert (view is not None and view["earned"]) is earned
    assert bool(block.badge_earned) is earned


def test_a_shell_may_answer_the_level_itself(blocks, key):
    block = as_learner(quiz(blocks, issuer_settings(key), criterion="competence", competence="prompting.context", min_level=2))

    class Skills:  # an ``ldai_skills`` service: the learner's level of a competence
        def level(self, learner, competence):
            return 2

    block.runtime._services["ldai_skills"] = Skills()
    block.record_attempt(1.0)
    assert block.badge_earned["token"]


def test_the_badge_round_trips_through_olx(blocks, handler):
    block = blocks.from_xml("<ldai_risk_quiz/>")
    status, body = handler(block, "badge_submit", {**BADGE, "alignments": "charter.confidentiality, prompting.context"})
    assert status == 200, body
    tag, again = blocks.olx_round_trip(block)
    assert again.badge == block.badge and again.badge["alignments"] == ["charter.confidentiality", "prompting.context"]


def test_the_editor_speaks_french(blocks, handler):
    block = blocks.from_xml("<ldai_risk_quiz/>", language="fr")
    status, body = handler(block, "badge_submit", {**BADGE, "name": "", "colour": "bleu"})
    assert status == 400 and body["error"] == "Le badge n’a pas été enregistré : corrigez les champs signalés."
    assert body["fields"]["badge_colour"] == ["Saisissez une couleur sous la forme # suivi de six chiffres hexadécimaux, par exemple #1f5f99."]
    assert "Open Badge" in block.studio_view().content


def _get():
    from webob import Request

    return Request.blank("/")


def test_badge_settings_set_by_hand_never_break_the_views(blocks):
    """A Dict field set through LTI custom parameters is not validated: every value is read defensively."""
    block = blocks.from_xml("<ldai_risk_quiz/>")
    block.badge = {"enabled": "yes", "criterion": 3, "min_score": "abc", "min_level": None, "name": ["x"], "colour": "red",
                   "image_svg": 5, "alignments": "not a list"}
    settings = badging.config(block)
    assert (settings["min_score"], settings["min_level"], settings["alignments"], settings["criterion"]) == (80, 3, [], "completed")
    assert block.student_view().content and block.studio_view().content
    block.record_attempt(1.0)
