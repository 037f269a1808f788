"""The operator's safety checks, as Django system checks: ``manage.py check --deploy`` and ``ldai serve --check`` see them.

Why system checks: one list serves the three places an operator meets it, ``ldai
serve`` (refuses to start in production while one is found), ``ldai serve --check``
(reports them all and exits non-zero) and Django's own ``check --deploy``. Each
message says what to change.
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core import checks

LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


def _package_dirs() -> list[Path]:
    dirs = [*site.getsitepackages(), site.getusersitepackages(), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    return [Path(d).resolve() for d in dict.fromkeys(dirs) if d]


def data_dir_problem(var_dir: Path) -> str | None:
    """Why ``var_dir`` would lose data, or None: inside site-packages, a new virtualenv wipes it."""
    var_dir = Path(var_dir).resolve()
    for packages in _package_dirs():
        if var_dir == packages or packages in var_dir.parents:
            return f"The data directory {var_dir} is inside {packages}: reinstalling the package or recreating the virtualenv deletes " \
                   "the database, the secret key and the signing keys."
    return None


def declared_workers(environ: dict | None = None, argv: Sequence[str] | None = None) -> int:
    """How many web processes this server runs, as far as it can tell (gunicorn's -w/--workers, WEB_CONCURRENCY)."""
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    words = [*argv, *environ.get("GUNICORN_CMD_ARGS", "").split()]
    found = environ.get("WEB_CONCURRENCY", "")
    for index, word in enumerate(words):
        if word in ("-w", "--workers") and index + 1 < len(words):
            found = words[index + 1]
        elif word.startswith("--workers="):
            found = word.split("=", 1)[1]
        elif word.startswith("-w") and word[2:].isdigit():
            found = word[2:]
    return int(found) if found.isdigit() and int(found) > 0 else 1


def shared_cache() -> bool:
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return backend not in LOCAL_CACHES


@checks.register("ldai")
def check_data_dir(app_configs=None, **kwargs):
    problem = data_dir_problem(settings.VAR_DIR) if hasattr(settings, "VAR_DIR") else None
    if problem:
        return [checks.Error(problem, hint="Set LDAI_VAR_DIR to a directory that outlives the installation, e.g. /var/lib/ldai.",
                             id="ldai.E001")]
    return []


@checks.register("ldai")
def check_workers_share_a_cache(app_configs=None, **kwargs):
    workers = declared_workers()
    if workers > 1 and not shared_cache():
        return [checks.Error(
            f"{workers} web processes with an in-process cache: the LTI login state, nonces and launch data of one process are "
            "invisible to the others, so launches fail at random.",
            hint="Set REDIS_URL (a shared cache), or run a single process.", id="ldai.E002")]
    return []


@checks.register("ldai", deploy=True)
def check_production_settings(app_configs=None, **kwargs):
    found = []
    if getattr(settings, "LDAI_DEMO", False):
        found.append(checks.Warning(
            "The demo is on (LDAI_DEMO): xblock-sdk's workbench lets anyone run any block handler as any ?student=.",
            hint="Unset LDAI_DEMO in production.", id="ldai.W003"))
    hosts = set(settings.ALLOWED_HOSTS)
    if "*" in hosts or not hosts - {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}:
        found.append(checks.Warning(
            f"ALLOWED_HOSTS ({', '.join(sorted(hosts)) or 'empty'}) names no real host of the tool, or accepts any ('*').",
            hint="Set ALLOWED_HOSTS to the tool's public host name, e.g. ALLOWED_HOSTS=tool.example.org.", id="ldai.W007"))
    if getattr(settings, "LDAI_LTI", {}).get("ALLOW_INSECURE_URLS"):
        found.append(checks.Warning(
            "LDAI_LTI_ALLOW_INSECURE_URLS is on: platform keysets and registrations may be fetched over plain http.",
            hint="Unset LDAI_LTI_ALLOW_INSECURE_URLS (and DEBUG) in production.", id="ldai.W004"))
    return found


@checks.register("ldai", deploy=True)
def check_signing_key(app_configs=None, **kwargs):
    from django.db import DatabaseError

    from lti_tool.models import ToolKey

    try:
        present = ToolKey.objects.signing() is not None
    except DatabaseError:
        return [checks.Warning("The database is not ready (not migrated, or unreachable).",
                               hint="Run 'ldai manage migrate' and check DATABASE_URL.", id="ldai.W005")]
    if not present:
        return [checks.Warning("The tool has no signing key: platforms cannot verify its deep-linking answers and grades.",
                               hint="Run 'ldai lti rotate-keys' (ldai serve makes one too).", id="ldai.W006")]
    return []


def problems(*, deploy: bool = True) -> list[checks.CheckMessage]:
    """Every warning or error the system checks find (silenced ones excepted), deployment checks included."""
    found = checks.run_checks(include_deployment_checks=deploy)
    return [m for m in found if m.level >= checks.WARNING and not m.is_silenced()]


def refuse_unsafe_start() -> None:
    """At the start of a WSGI server (gunicorn): say where the data lives; refuse what loses data or launches."""
    import logging

    from django.core.exceptions import ImproperlyConfigured

    logging.getLogger("ldai.site").warning("data directory: %s", settings.VAR_DIR)
    errors = [m for m in checks.run_checks(tags=["ldai"]) if m.level >= checks.ERROR and not m.is_silenced()]
    if errors:
        raise ImproperlyConfigured(" ".join(f"{m.id}: {m.msg} {m.hint or ''}".strip() for m in errors))
