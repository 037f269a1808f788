"""Nothing of the demo in production, settings that pass ``check --deploy``, and the operator's start-up checks.

Settings are read once per process, so what depends on the environment (the defaults, the
HSTS block, the data directory, the WSGI start) runs ``ldai`` / Python in a subprocess with
exactly that environment, as an operator's shell or gunicorn would.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve

LDAI = str(Path(sys.executable).with_name("ldai"))
STUDIO_SUBMIT = "/workbench/handler/ldai_risk_quiz.0/studio_submit/?student=attacker"


def run(args: list[str], tmp_path: Path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("LDAI_", "DJANGO_", "ALLOWED_HOSTS", "REDIS_URL", "DATABASE_URL", "WEB_CONCURRENCY", "DEBUG"))}
    clean.setdefault("LDAI_VAR_DIR", str(tmp_path / "var"))
    return subprocess.run(args, cwd=tmp_path, env={**clean, **env}, capture_output=True, text=True, timeout=120)


PRODUCTION = {"LDAI_BEHIND_TLS_PROXY": "1", "ALLOWED_HOSTS": "tool.example.org"}


def test_the_workbench_and_the_demo_page_are_mounted_only_in_the_demo(client, db):
    """Before: the production URLconf mounted the workbench, which runs any handler as any ?student= (studio_submit too)."""
    from django.conf import settings

    from lti_tool.site.urls import build_urlpatterns

    assert settings.DEBUG is False and not settings.LDAI_DEMO
    assert client.post(STUDIO_SUBMIT, "{}", content_type="application/json").status_code == 404
    assert client.get("/workbench/").status_code == 404
    assert client.get("/").status_code == 404

    class Demo:
        urlpatterns = build_urlpatterns(True)

    assert resolve(STUDIO_SUBMIT.split("?")[0], urlconf=Demo).url_name == "handler"
    assert resolve("/", urlconf=Demo).view_name == "ldai_demo:index"

    class Production:
        urlpatterns = build_urlpatterns(False)

    with pytest.raises(Resolver404):
        resolve(STUDIO_SUBMIT.split("?")[0], urlconf=Production)


def test_default_settings_name_only_local_hosts_and_keep_data_in_the_current_directory(tmp_path):
    """Before: 'testserver' was in the default ALLOWED_HOSTS and the data lived next to the code (site-packages once installed)."""
    code = "from lti_tool.site import settings as s; print(s.ALLOWED_HOSTS, s.VAR_DIR, s.LDAI_DEMO, s.DEBUG, sep='|')"
    done = run([sys.executable, "-c", code], tmp_path, LDAI_VAR_DIR="")
    hosts, var_dir, demo, debug = done.stdout.strip().split("|")
    assert "testserver" not in hosts and Path(var_dir) == (tmp_path / "var").resolve() and (demo, debug) == ("False", "False")


def test_behind_the_tls_proxy_check_deploy_is_clean(tmp_path):
    """Before: no HSTS, and `manage.py check --deploy` warned about it."""
    assert run([LDAI, "lti", "rotate-keys"], tmp_path, **PRODUCTION).returncode == 0
    deploy = run([LDAI, "manage", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **PRODUCTION)
    assert deploy.returncode == 0, deploy.stderr + deploy.stdout
    check = run([LDAI, "serve", "--check"], tmp_path, **PRODUCTION)
    assert check.returncode == 0 and "0 problem(s)" in check.stderr and str((tmp_path / "var").resolve()) in check.stderr
    headers = "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    shown = run([sys.executable, "-c", "import django; django.setup(); " + headers], tmp_path, DJANGO_SETTINGS_MODULE="lti_tool.site.settings",
                **PRODUCTION)
    assert shown.stdout.split() == ["31536000", "True", "True"]


def test_serve_check_reports_every_problem_and_exits_non_zero(tmp_path):
    found = run([LDAI, "serve", "--check"], tmp_path, WEB_CONCURRENCY="3", LDAI_LTI_ALLOW_INSECURE_URLS="1")
    assert found.returncode == 1
    for code in ("security.W004", "security.W012", "security.W016", "ldai.E002", "ldai.W004", "ldai.W007"):
        assert code in found.stderr, code
    assert "ldai.W005" in found.stderr or "ldai.W006" in found.stderr  # --check migrates nothing: no key, maybe no tables


def test_a_data_directory_inside_site_packages_is_refused(tmp_path):
    from lti_tool.site.checks import data_dir_problem

    packages = Path(site.getsitepackages()[0])
    assert data_dir_problem(packages / "var") and data_dir_problem(tmp_path / "var") is None
    inside = packages / f"ldai-test-var-{uuid.uuid4().hex[:8]}"
    try:
        found = run([LDAI, "serve", "--check"], tmp_path, LDAI_VAR_DIR=str(inside), **PRODUCTION)
        assert found.returncode == 1 and "ldai.E001" in found.stderr
    finally:
        import shutil

        shutil.rmtree(inside, ignore_errors=True)


@pytest.mark.parametrize("environ, argv, workers", [
    ({}, ["gunicorn", "-w", "4", "lti_tool.site.wsgi"], 4),
    ({}, ["gunicorn", "--workers=2", "x"], 2),
    ({}, ["gunicorn", "-w3"], 3),
    ({"WEB_CONCURRENCY": "5"}, ["gunicorn"], 5),
    ({"GUNICORN_CMD_ARGS": "--workers 6"}, ["gunicorn"], 6),
    ({}, ["ldai", "serve"], 1),
])
def test_declared_workers(environ, argv, workers):
    from lti_tool.site.checks import declared_workers

    assert declared_workers(environ, argv) == workers


def test_several_workers_without_a_shared_cache_are_refused_at_start(tmp_path):
    start = [sys.executable, "-c", "import lti_tool.site.wsgi"]
    refused = run(start, tmp_path, WEB_CONCURRENCY="4")
    assert refused.returncode != 0 and "ldai.E002" in refused.stderr
    shared = run(start, tmp_path, WEB_CONCURRENCY="4", REDIS_URL="redis://127.0.0.1:1/0")  # nothing connects at start
    assert shared.returncode == 0, shared.stderr
    assert "data directory" in shared.stderr


def test_serve_refuses_to_start_in_production_with_insecure_settings(capsys, db, monkeypatch):
    import django.core.management

    from ldai_xblocks.cli import main

    calls = []
    monkeypatch.setenv("LDAI_DEMO", "0")
    monkeypatch.setattr(django.core.management, "call_command", lambda name, *args, **kwargs: calls.append(name))
    assert main(["serve", "--no-migrate"]) == 1
    err = capsys.readouterr().err
    assert "refusing to start" in err and "security.W004" in err and "runserver" not in calls
