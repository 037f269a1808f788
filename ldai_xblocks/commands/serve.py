"""``ldai serve`` (the tool site, the demo with ``--demo``, ``--check`` for the operator) and ``ldai manage ...``.

Why here and not a manage.py at the top of the repository: the wheel has no
manage.py, and an operator who installed ``ldai-xblocks`` with pip needs the same
two commands as a developer in a checkout. Both use the tool site's settings
(``lti_tool.site.settings``) unless DJANGO_SETTINGS_MODULE says otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys

SETTINGS = "lti_tool.site.settings"


def setup_django(*, migrate: bool = False) -> None:
    """Configure Django for a command; ``migrate=True`` also brings the database up to date (quietly)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


def _env_on(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def register(subparsers) -> None:
    serve = subparsers.add_parser("serve", help="run the LTI tool (and with --demo the demo), migrations applied")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")), help="port (default 8000, or $PORT)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1; 0.0.0.0 for every interface)")
    serve.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")
    serve.add_argument("--demo", action="store_true", default=_env_on("LDAI_DEMO"),
                       help="serve the demo and xblock-sdk's workbench too, on this machine only (default: $LDAI_DEMO); "
                            "without it, the server refuses to start while 'ldai serve --check' finds a problem")
    serve.add_argument("--check", action="store_true",
                       help="report every misconfiguration found (insecure settings, workers without a shared cache, data "
                            "directory, signing key...) and exit: 0 when none, 1 otherwise")
    serve.set_defaults(func=_serve)

    manage = subparsers.add_parser("manage", help="Django's manage.py for the tool site (e.g. 'ldai manage createsuperuser')",
                                   add_help=False)
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=_manage)


def _report(found: list) -> None:
    for message in found:
        print(f"  {message.id or message.level}: {message.msg}" + (f"\n      -> {message.hint}" if message.hint else ""), file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        print(f"ldai serve: --port must be between 1 and 65535, not {args.port}", file=sys.stderr)
        return 2
    os.environ["LDAI_DEMO"] = "1" if args.demo else "0"  # read by the settings (which URLs are mounted)
    setup_django(migrate=not args.no_migrate and not args.check)
    from django.conf import settings
    from django.core.management import call_command

    from lti_tool.lti.keys import ensure_signing_key
    from lti_tool.site import checks

    print(f"Data directory: {settings.VAR_DIR} (database, secret key, signing keys; set LDAI_VAR_DIR to move it)", file=sys.stderr)
    if args.check:
        found = checks.problems(deploy=True)
        print(f"ldai serve --check: {len(found)} problem(s)" + (":" if found else ", ready for production."), file=sys.stderr)
        _report(found)
        return 1 if found else 0
    ensure_signing_key()  # the JWKS is never empty, even before the first platform registers
    found = checks.problems(deploy=not args.demo)
    if found and not args.demo:
        print("ldai serve: refusing to start in production with these problems:", file=sys.stderr)
        _report(found)
        print("Fix them (docs/deployment.rst), or try the tool on this machine with 'ldai serve --demo'.", file=sys.stderr)
        return 1
    _report(found)
    if args.demo:
        from lti_tool.site import demo

        demo.prepare()
        print("Demo: the workbench runs any block as any ?student=; never expose this server.", file=sys.stderr)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"LTI tool configuration: http://{host}:{args.port}/lti/config/", file=sys.stderr)
    # Django's development server; in production run gunicorn lti_tool.site.wsgi (docs/deployment.rst).
    call_command("runserver", f"{host}:{args.port}", use_reloader=False, use_threading=True, insecure_serving=True)
    return 0


def _manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["ldai manage", *args.args])
    except SystemExit as exc:  # Django exits on errors and on --help; pass its code through
        return int(exc.code or 0) if isinstance(exc.code, int | None) else 1
    return 0
