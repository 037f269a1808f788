"""``ldai lti ...``: register a platform by hand, make a registration link, rotate the tool's keys, run the grade sender.

Why a CLI beside the admin: an operator scripts the set-up of a new LMS
(``add-platform`` is idempotent and prints the URLs to paste into the LMS as
JSON), rotates keys from cron, and runs the grade sender as a service.
"""

from __future__ import annotations

import argparse
import os
import sys
from urllib.parse import urlsplit

from . import print_json


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {value!r}")
    return value


def register(subparsers) -> None:
    lti = subparsers.add_parser("lti", help="LTI 1.3 tool: platforms, keys, grade delivery")
    actions = lti.add_subparsers(dest="lti_command", metavar="ACTION", required=True)

    add = actions.add_parser("add-platform", help="register (or update) a platform and its deployments; prints the tool's URLs as JSON")
    add.add_argument("--issuer", required=True, help="the platform's issuer (Moodle: its wwwroot, e.g. https://moodle.example.com)")
    add.add_argument("--client-id", required=True, help="the client id the platform gave the tool")
    add.add_argument("--auth-login-url", required=True, type=_url, help="authentication request URL (Moodle: <wwwroot>/mod/lti/auth.php)")
    add.add_argument("--auth-token-url", required=True, type=_url, help="access token URL (Moodle: <wwwroot>/mod/lti/token.php)")
    add.add_argument("--keyset-url", required=True, type=_url, help="the platform's public keyset URL (Moodle: <wwwroot>/mod/lti/certs.php)")
    add.add_argument("--deployment-id", action="append", default=[], metavar="ID", help="a deployment id (repeat for several); added active")
    add.add_argument("--name", default="", help="a name for the admin (default: the issuer)")
    add.add_argument("--auth-audience", default="", help="audience of the token request, if not the access token URL (rare)")
    add.add_argument("--tool-url", type=_url, default=os.environ.get("LDAI_TOOL_URL", "http://127.0.0.1:8000"),
                     help="this tool's public base URL, for the URLs printed (default: $LDAI_TOOL_URL or http://127.0.0.1:8000)")
    add.set_defaults(func=_add_platform)

    link = actions.add_parser("registration-link", help="make a one-time Dynamic Registration link to paste into an LMS; prints it as JSON")
    link.add_argument("--label", default="", help="which platform the link is for, shown in the admin (e.g. 'Moodle production')")
    link.add_argument("--hours", type=float, default=24.0, help="how long the link stays valid (default 24)")
    link.add_argument("--request-email", action="store_true",
                      help="ask the platform for learners' e-mail addresses (Moodle then shares them always); default: not asked")
    link.add_argument("--tool-url", type=_url, default=os.environ.get("LDAI_TOOL_URL", "http://127.0.0.1:8000"),
                      help="this tool's public base URL (default: $LDAI_TOOL_URL or http://127.0.0.1:8000)")
    link.set_defaults(func=_registration_link)

    rotate = actions.add_parser("rotate-keys", help="add a new signing key; older keys stay in the JWKS until they expire")
    rotate.add_argument("--grace-hours", type=int, default=None, help="how long the previous keys stay published (default: 72)")
    rotate.set_defaults(func=_rotate_keys)

    send = actions.add_parser("send-grades", help="deliver the grade outbox to the platforms (a worker; Ctrl-C to stop)")
    send.add_argument("--once", action="store_true", help="one pass over the due grades, then exit")
    send.add_argument("--poll-interval", type=float, default=5.0, help="seconds between looks at the outbox when idle (default 5)")
    send.set_defaults(func=_send_grades)


def tool_urls(base_url: str) -> dict[str, str]:
    """The URLs to paste into the platform, from the tool's public base URL."""
    from django.urls import reverse

    base = base_url.rstrip("/")
    launch = base + reverse("lti_tool:launch")
    return {
        "tool_url": launch,
        "initiate_login_url": base + reverse("lti_tool:login"),
        "redirection_uris": launch,
        "public_keyset_url": base + reverse("lti_tool:jwks"),
        "deep_linking_url": launch,
        "config_url": base + reverse("lti_tool:config"),
    }


def _add_platform(args: argparse.Namespace) -> int:
    from .serve import setup_django

    setup_django(migrate=True)
    from django.db import transaction

    from lti_tool.lti.keys import ensure_signing_key
    from lti_tool.models import Deployment, Platform

    if not args.issuer.strip() or not args.client_id.strip() or any(not d.strip() for d in args.deployment_id):
        print("ldai lti add-platform: --issuer, --client-id and --deployment-id must not be empty", file=sys.stderr)
        return 2
    values = {
        "name": args.name or args.issuer, "auth_login_url": args.auth_login_url, "auth_token_url": args.auth_token_url,
        "keyset_url": args.keyset_url, "auth_audience": args.auth_audience, "is_active": True,
    }
    with transaction.atomic():
        platform, created = Platform.objects.update_or_create(
            issuer=args.issuer, client_id=args.client_id, defaults=values, create_defaults={**values, "source": Platform.Source.CLI},
        )
        for deployment_id in dict.fromkeys(args.deployment_id):
            Deployment.objects.update_or_create(platform=platform, deployment_id=deployment_id, defaults={"is_active": True})
    ensure_signing_key()
    print_json({
        "platform": {"id": platform.pk, "issuer": platform.issuer, "client_id": platform.client_id, "created": created},
        "deployments": [
            {"deployment_id": d.deployment_id, "active": d.is_active} for d in platform.deployments.order_by("deployment_id")
        ],
        "tool": tool_urls(args.tool_url),
    })
    return 0


def _registration_link(args: argparse.Namespace) -> int:
    if not 0 < args.hours <= 24 * 30:
        print("ldai lti registration-link: --hours must be more than 0 and at most 720 (30 days)", file=sys.stderr)
        return 2
    from .serve import setup_django

    setup_django(migrate=True)
    from lti_tool.lti.keys import ensure_signing_key
    from lti_tool.lti.registration_links import link_path, new_link

    link, secret = new_link(label=args.label, hours=args.hours, request_email=args.request_email, created_by="command line")
    ensure_signing_key()
    print_json({
        "registration_url": args.tool_url.rstrip("/") + link_path(secret),
        "expires_at": link.expires_at.isoformat(), "label": link.label, "request_email": link.request_email,
        "note": "valid once; paste it into the LMS's 'register a tool' screen (Moodle: Tool URL, Canvas: LTI Registration)",
    })
    return 0


def _rotate_keys(args: argparse.Namespace) -> int:
    if args.grace_hours is not None and args.grace_hours < 0:
        print("ldai lti rotate-keys: --grace-hours must be 0 or more", file=sys.stderr)
        return 2
    from .serve import setup_django

    setup_django(migrate=True)
    from lti_tool.lti.keys import rotate_keys

    new_key, retiring, deleted = rotate_keys(args.grace_hours)
    print_json({
        "signing_kid": new_key.kid,
        "retiring": [{"kid": k.kid, "expires_at": k.expires_at.isoformat()} for k in retiring],
        "deleted": deleted,
    })
    return 0


def _send_grades(args: argparse.Namespace) -> int:
    from .serve import setup_django

    setup_django(migrate=True)
    from lti_tool.grades.sender import run_worker

    try:
        totals = run_worker(once=args.once, poll_interval=args.poll_interval, out=lambda line: print(line, file=sys.stderr))
    except KeyboardInterrupt:
        return 0
    print_json(totals)
    return 0
