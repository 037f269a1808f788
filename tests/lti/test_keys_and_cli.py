"""Tool keys (JWKS, rotation with a grace period) and the ``ldai lti`` / ``ldai manage`` commands."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from ldai_xblocks.cli import main

MOODLE = "https://moodle.example.com"


def add_platform_args(*deployments: str, **overrides) -> list[str]:
    values = {
        "--issuer": MOODLE, "--client-id": "client-42", "--auth-login-url": MOODLE + "/mod/lti/auth.php",
        "--auth-token-url": MOODLE + "/mod/lti/token.php", "--keyset-url": MOODLE + "/mod/lti/certs.php",
        "--tool-url": "https://tool.example.org", **overrides,
    }
    args = ["lti", "add-platform"]
    for name, value in values.items():
        args += [name, value]
    for deployment in deployments:
        args += ["--deployment-id", deployment]
    return args


def run(capsys, args: list[str]) -> tuple[int, dict | None]:
    code = main(args)
    out = capsys.readouterr().out.strip()
    return code, json.loads(out) if out else None


# ----- JWKS and rotation ------------------------------------------------------------------------------------


def test_the_jwks_publishes_public_keys_only_and_creates_the_first_key(client, db):
    response = client.get("/lti/jwks/")
    assert response.status_code == 200 and "max-age=300" in response["Cache-Control"]
    (key,) = response.json()["keys"]
    assert set(key) == {"kty", "n", "e", "kid", "alg", "use"} and key["alg"] == "RS256" and key["use"] == "sig"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


def test_rotation_keeps_the_old_key_published_until_it_expires(client, db):
    from lti_tool.lti.keys import ensure_signing_key, rotate_keys
    from lti_tool.models import ToolKey

    first = ensure_signing_key()
    new, retiring, deleted = rotate_keys(grace_hours=2)
    assert [k.kid for k in retiring] == [first.kid] and deleted == 0
    assert ToolKey.objects.signing() == new
    kids = [k["kid"] for k in client.get("/lti/jwks/").json()["keys"]]
    assert kids == [new.kid, first.kid]
    ToolKey.objects.filter(pk=first.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert [k["kid"] for k in client.get("/lti/jwks/").json()["keys"]] == [new.kid]
    newest, _, deleted = rotate_keys()
    assert deleted == 1 and not ToolKey.objects.filter(pk=first.pk).exists()  # expired private keys are destroyed
    assert ToolKey.objects.signing() == newest


def test_a_revoked_key_leaves_the_jwks_at_once(client, db):
    from lti_tool.lti.keys import ensure_signing_key, rotate_keys
    from lti_tool.models import ToolKey

    old = ensure_signing_key()
    rotate_keys()
    ToolKey.objects.filter(pk=old.pk).update(is_active=False)
    assert old.kid not in {k["kid"] for k in client.get("/lti/jwks/").json()["keys"]}


def test_the_key_id_is_the_rfc7638_thumbprint_pylti1p3_computes(db):
    from pylti1p3.registration import Registration

    from lti_tool.lti.keys import ensure_signing_key

    key = ensure_signing_key()
    public_pem = key.private_key_pem  # jwcrypto derives the public JWK (and its thumbprint) from the private PEM
    assert Registration.get_jwk(public_pem)["kid"] == key.kid
    assert "PRIVATE" not in repr(key) and key.kid in repr(key)


# ----- ldai lti -------------------------------------------------------------------------------------------------


def test_add_platform_is_idempotent_and_prints_the_tool_urls(capsys, db):
    from lti_tool.models import Deployment, Platform

    code, first = run(capsys, add_platform_args("1", "2"))
    assert code == 0 and first["platform"]["created"] is True
    assert first["tool"]["initiate_login_url"] == "https://tool.example.org/lti/login/"
    assert first["tool"]["public_keyset_url"] == "https://tool.example.org/lti/jwks/"
    assert first["tool"]["redirection_uris"] == first["tool"]["tool_url"] == "https://tool.example.org/lti/launch/"
    code, again = run(capsys, add_platform_args("2", "3", **{"--keyset-url": MOODLE + "/new-certs.php"}))
    assert code == 0 and again["platform"]["created"] is False and again["platform"]["id"] == first["platform"]["id"]
    assert Platform.objects.count() == 1 and Platform.objects.get().keyset_url == MOODLE + "/new-certs.php"
    assert sorted(Deployment.objects.values_list("deployment_id", "is_active")) == [("1", True), ("2", True), ("3", True)]
    assert Platform.objects.get().source == Platform.Source.CLI


def test_add_platform_activates_a_deployment_waiting_for_approval(capsys, db):
    from lti_tool.models import Deployment, Platform

    platform = Platform.objects.create(issuer=MOODLE, client_id="client-42", auth_login_url=MOODLE + "/a", auth_token_url=MOODLE + "/t",
                                       keyset_url=MOODLE + "/k", source=Platform.Source.DYNAMIC)
    Deployment.objects.create(platform=platform, deployment_id="7", is_active=False)
    code, result = run(capsys, add_platform_args("7"))
    assert code == 0 and result["deployments"] == [{"deployment_id": "7", "active": True}]


@pytest.mark.parametrize("override", [{"--keyset-url": "ftp://moodle/certs"}, {"--auth-login-url": "not a url"}])
def test_add_platform_refuses_bad_urls(capsys, db, override):
    with pytest.raises(SystemExit) as exit_info:
        main(add_platform_args("1", **override))
    assert exit_info.value.code == 2 and "not an http(s) URL" in capsys.readouterr().err


def test_rotate_keys_command(capsys, db):
    from lti_tool.models import ToolKey

    code, first = run(capsys, ["lti", "rotate-keys"])
    code, second = run(capsys, ["lti", "rotate-keys", "--grace-hours", "1"])
    assert code == 0 and second["retiring"][0]["kid"] == first["signing_kid"]
    assert ToolKey.objects.signing().kid == second["signing_kid"]
    assert main(["lti", "rotate-keys", "--grace-hours", "-1"]) == 2


def test_send_grades_once_runs_the_sender(capsys, db):
    code, totals = run(capsys, ["lti", "send-grades", "--once"])
    assert code == 0 and totals == {"sent": 0, "retried": 0, "failed": 0, "deferred": 0}


def test_manage_passes_through_to_django(capsys, db):
    assert main(["manage", "check"]) == 0
    assert "no issues" in capsys.readouterr().out
    assert main(["manage", "no-such-command"]) == 1


# ----- pylti1p3's tool configuration, backed by the models ----------------------------------------------------


def test_the_tool_config_hands_pylti1p3_only_active_registrations(registered):
    from lti_tool.lti.keys import ensure_signing_key
    from lti_tool.lti.tool_config import DbToolConf
    from lti_tool.models import Deployment

    conf = DbToolConf()
    assert conf.check_iss_has_many_clients(registered.issuer) and not conf.check_iss_has_one_client(registered.issuer)
    registration = conf.find_registration_by_params(registered.issuer, registered.client_id)
    assert registration.get_auth_token_url() == registered.auth_token_url and registration.get_key_set_url() == registered.keyset_url
    assert registration.get_kid() == ensure_signing_key().kid and "PRIVATE KEY" in registration.get_tool_private_key()
    assert conf.find_registration(registered.issuer).get_client_id() == registered.client_id
    assert conf.find_deployment_by_params(registered.issuer, "deployment-a", registered.client_id).get_deployment_id() == "deployment-a"
    Deployment.objects.create(platform=registered, deployment_id="waiting", is_active=False)
    assert conf.find_deployment_by_params(registered.issuer, "waiting", registered.client_id) is None
    assert conf.find_registration_by_params(registered.issuer, "other-client") is None
    registered.is_active = False
    registered.save()
    assert conf.find_registration_by_params(registered.issuer, registered.client_id) is None
    assert [k["kid"] for k in conf.get_jwks()["keys"]] == [ensure_signing_key().kid]


# ----- ldai serve -------------------------------------------------------------------------------------------------


def test_serve_migrates_makes_a_key_then_runs_the_server(capsys, db, monkeypatch):
    import django.core.management

    from lti_tool.models import ToolKey

    calls = []
    monkeypatch.setenv("LDAI_DEMO", "0")  # restored after the test: --demo sets it for the settings
    monkeypatch.setattr(django.core.management, "call_command", lambda name, *args, **kwargs: calls.append((name, args, kwargs)))
    assert main(["serve", "--demo", "--port", "8123", "--host", "0.0.0.0"]) == 0
    assert [c[0] for c in calls] == ["migrate", "runserver"]
    assert calls[1][1] == ("0.0.0.0:8123",) and calls[1][2]["use_reloader"] is False
    assert ToolKey.objects.signing() is not None
    assert "http://0.0.0.0:8123/lti/config/" in capsys.readouterr().err
    assert main(["serve", "--port", "70000"]) == 2
