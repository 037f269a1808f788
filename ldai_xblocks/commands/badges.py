"""``ldai badges ...``: issue, verify and revoke Open Badges 3.0 credentials from a terminal.

Why a CLI: an operator checks a badge someone shows them (``verify`` exits 0 when valid, 1 with
the reason otherwise, so it scripts), revokes one issued by mistake, and tests the issuer set-up
(``issue``) without a course. The issuer is the tool's (its badge key, its profile: see
``lti_tool.badges.issuer``), the one the demo uses; the tool's database must be reachable.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import print_json

MAX_FILE_BYTES = 256 * 1024


def register(subparsers) -> None:
    group = subparsers.add_parser("badges", help="Open Badges 3.0: issue, verify, revoke (the tool's issuer)")
    actions = group.add_subparsers(dest="badges_command", metavar="ACTION", required=True)

    issue = actions.add_parser("issue", help="issue one credential for an Achievement to a recipient; prints or writes the VC-JWT")
    issue.add_argument("--achievement", required=True, type=Path, help="an OB 3.0 Achievement as JSON (type, id, name, description, criteria.narrative, optional alignment)")
    issue.add_argument("--recipient", required=True, help="the recipient: an anonymous id, or an e-mail the learner agreed to put in the badge (stored hashed)")
    issue.add_argument("--out", type=Path, help="write here instead of printing: .svg = baked picture, .json = enveloped credential, else the VC-JWT")
    issue.add_argument("--colour", default="#1f5f99", help="the picture's colour, #rrggbb (default #1f5f99)")
    issue.set_defaults(func=_issue)

    verify = actions.add_parser("verify", help="check a credential (.jwt, .json or baked .svg): exit 0 when valid, 1 with the reason")
    verify.add_argument("file", type=Path)
    verify.add_argument("--jwks", type=Path, help="verify with this key set (JSON file) instead of the tool's: another issuer's badge")
    verify.add_argument("--revocations", type=Path, help="and with this revocation list (JSON file)")
    verify.add_argument("--json", action="store_true", help="print the verdict as JSON")
    verify.add_argument("--fetch", action="store_true", help="fetch another issuer's key set and revocation list from its own origin (guarded HTTP)")
    verify.set_defaults(func=_verify)

    revoke = actions.add_parser("revoke", help="revoke a credential this tool issued (it then fails verification as revoked)")
    revoke.add_argument("file", type=Path)
    revoke.add_argument("--reason", default="", help="a reason published in the revocation list")
    revoke.set_defaults(func=_revoke)


def _read(path: Path, what: str) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            print(f"ldai badges: {what} {path} is bigger than {MAX_FILE_BYTES // 1024} kB: not a badge file", file=sys.stderr)
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        print(f"ldai badges: cannot read {what} {path}: {error.strerror or error}", file=sys.stderr)
        return None


def _read_json(path: Path | None, what: str) -> tuple[bool, dict | None]:
    if path is None:
        return True, None
    text = _read(path, what)
    try:
        data = json.loads(text) if text is not None else None
    except json.JSONDecodeError as error:
        print(f"ldai badges: {what} {path} is not JSON ({error.msg}, line {error.lineno})", file=sys.stderr)
        return False, None
    if not isinstance(data, dict):
        if text is not None:
            print(f"ldai badges: {what} {path} must hold a JSON object", file=sys.stderr)
        return False, None
    return True, data


def _issue(args: argparse.Namespace) -> int:
    from ldai_xblocks.engine import badge_image, badges

    ok, data = _read_json(args.achievement, "achievement")
    if not ok:
        return 2
    try:
        achievement = badges.Achievement.from_ob(data)
    except badges.BadgeError as error:
        print(f"ldai badges issue: {error}", file=sys.stderr)
        return 2
    if not badge_image.valid_colour(args.colour):
        print("ldai badges issue: --colour must look like #1f5f99", file=sys.stderr)
        return 2
    if not args.recipient.strip():
        print("ldai badges issue: --recipient must not be empty", file=sys.stderr)
        return 2
    from .serve import setup_django

    setup_django(migrate=True)
    from lti_tool.badges import issuer

    badge = issuer.issue(issuer.Award(achievement=achievement, learner=args.recipient.strip(), source="cli", colour=args.colour))
    if badge.revoked_at is not None:
        print("ldai badges issue: this recipient's badge for this achievement was revoked; use a new achievement id to issue again", file=sys.stderr)
        return 1
    if args.out is None:
        sys.stdout.write(badge.token + "\n")
        return 0
    suffix = args.out.suffix.lower()
    if suffix == ".svg":
        body = badge_image.bake(badge_image.picture(badge.name, badge.colour, achievement.description), badge.token)
    elif suffix == ".json":
        body = json.dumps(badges.envelope(badge.token), indent=2) + "\n"
    else:
        body = badge.token + "\n"
    try:
        args.out.write_text(body, encoding="utf-8")
    except OSError as error:
        print(f"ldai badges issue: cannot write {args.out}: {error.strerror or error}", file=sys.stderr)
        return 2
    print_json({"credential_id": badge.credential_id, "out": str(args.out)})
    return 0


def _verify(args: argparse.Namespace) -> int:
    text = _read(args.file, "file")
    ok_jwks, jwks = _read_json(args.jwks, "key set")
    ok_list, revocations = _read_json(args.revocations, "revocation list")
    if text is None or not ok_jwks or not ok_list:
        return 2
    from .serve import setup_django

    setup_django(migrate=True)
    from lti_tool.badges import issuer

    result = issuer.verify(text, jwks=jwks, revocations=revocations, fetch=True if args.fetch else None)
    if args.json:
        print_json({"valid": result.ok, "code": result.code, "reason": result.reason, "details": result.details})
    elif result.ok:
        print(f"valid: {result.reason}")
    else:
        print(f"not valid ({result.code}): {result.reason}" + "".join(f"\n  - {d}" for d in result.details), file=sys.stderr)
    return 0 if result.ok else 1


def _revoke(args: argparse.Namespace) -> int:
    text = _read(args.file, "file")
    if text is None:
        return 2
    from .serve import setup_django

    setup_django(migrate=True)
    from lti_tool.badges import issuer

    badge = issuer.find(text)
    if badge is None:
        print("ldai badges revoke: this credential was not issued by this tool (or the file is not a credential)", file=sys.stderr)
        return 1
    issuer.revoke(badge, args.reason)
    print_json({"revoked": badge.credential_id, "at": badge.revoked_at.isoformat()})
    return 0
