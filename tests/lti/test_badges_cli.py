"""``ldai badges issue / verify / revoke`` against the tool's issuer (its database, its badge key).

The done-when of issue 15: a credential issued verifies; once a byte changes it is refused with
the reason; once revoked it is refused as "revoked". Exit codes: 0 valid, 1 not valid, 2 usage.
"""

from __future__ import annotations

import json

import pytest

from ldai_xblocks.cli import main
from ldai_xblocks.engine import badge_image

ACHIEVEMENT = {
    "type": "Achievement",
    "id": "https://example.com/achievements/risk-spotter",
    "name": "Risk spotter",
    "description": "Spots the risky uses of AI at work.",
    "criteria": {"narrative": "Score 80% or more on the risk quiz."},
    "alignment": ["charter.confidentiality"],
}


@pytest.fixture
def achievement_file(tmp_path):
    path = tmp_path / "achievement.json"
    path.write_text(json.dumps(ACHIEVEMENT))
    return path


@pytest.fixture(autouse=True)
def badge_settings(settings):
    settings.LDAI_BADGES = {"BASE_URL": "http://testserver", "ISSUER_NAME": "Example Corp"}


def issue(tmp_path, achievement_file, capsys, name="badge.jwt", recipient="learner-1"):
    out = tmp_path / name
    assert main(["badges", "issue", "--achievement", str(achievement_file), "--recipient", recipient, "--out", str(out)]) == 0
    capsys.readouterr()
    return out


def test_issue_then_verify_is_valid(db, tmp_path, achievement_file, capsys):
    out = issue(tmp_path, achievement_file, capsys)
    assert main(["badges", "verify", str(out)]) == 0
    assert capsys.readouterr().out.startswith("valid: ")


@pytest.mark.parametrize("name", ["badge.jwt", "badge.json", "badge.svg"])
def test_every_download_format_verifies(db, tmp_path, achievement_file, capsys, name):
    out = issue(tmp_path, achievement_file, capsys, name)
    assert main(["badges", "verify", "--json", str(out)]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert (verdict["valid"], verdict["code"], verdict["details"]) == (True, "valid", [])
    if name.endswith(".svg"):
        assert badge_image.unbake(out.read_text())


def test_one_changed_byte_fails_with_the_reason(db, tmp_path, achievement_file, capsys):
    out = issue(tmp_path, achievement_file, capsys)
    token = out.read_text().strip()
    at = len(token) - 10  # inside the signature
    out.write_text(token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :])
    assert main(["badges", "verify", str(out)]) == 1
    assert "not valid (bad_signature): The signature does not match" in capsys.readouterr().err


def test_revoke_then_verify_fails_as_revoked(db, tmp_path, achievement_file, capsys):
    out = issue(tmp_path, achievement_file, capsys)
    assert main(["badges", "revoke", str(out), "--reason", "issued by mistake"]) == 0
    assert main(["badges", "verify", str(out)]) == 1
    err = capsys.readouterr().err
    assert "not valid (revoked): The issuer has revoked this credential." in err and "issued by mistake" in err


def test_a_badge_of_another_issuer_is_unknown_unless_its_key_set_is_given(db, tmp_path, achievement_file, capsys, settings):
    out = issue(tmp_path, achievement_file, capsys)
    from lti_tool.badges import issuer

    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(issuer.public_jwks()))
    revocations = tmp_path / "revocations.json"
    revocations.write_text(json.dumps(issuer.revocation_document()))
    settings.LDAI_BADGES = {"BASE_URL": "https://another.example.com"}  # this tool is now someone else
    assert main(["badges", "verify", str(out)]) == 1
    assert "(unknown_issuer)" in capsys.readouterr().err
    assert main(["badges", "verify", str(out), "--jwks", str(jwks), "--revocations", str(revocations)]) == 0


def test_wrong_inputs_say_what_to_do(db, tmp_path, achievement_file, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "Achievement", "id": "x"}')
    assert main(["badges", "issue", "--achievement", str(bad), "--recipient", "a"]) == 2
    assert "The achievement lacks: name, description, criteria.narrative." in capsys.readouterr().err
    assert main(["badges", "issue", "--achievement", str(tmp_path / "missing.json"), "--recipient", "a"]) == 2
    assert "cannot read achievement" in capsys.readouterr().err
    assert main(["badges", "issue", "--achievement", str(achievement_file), "--recipient", "a", "--colour", "red"]) == 2
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("hello")
    assert main(["badges", "verify", str(garbage)]) == 1
    assert "(malformed)" in capsys.readouterr().err
    assert main(["badges", "revoke", str(garbage)]) == 1
    assert "not issued by this tool" in capsys.readouterr().err


def test_issuing_twice_gives_the_same_badge(db, tmp_path, achievement_file, capsys):
    first = issue(tmp_path, achievement_file, capsys, "a.jwt").read_text()
    second = issue(tmp_path, achievement_file, capsys, "b.jwt").read_text()
    assert first == second
