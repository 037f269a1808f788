"""``ldai xapi statement``: one of our tracking events (JSON on stdin) -> its xAPI statement (stdout).

Why a command: an operator wiring an LRS, or a test, can see exactly what a given event becomes,
without a platform. The same pure function (``ldai_xblocks.engine.xapi.statement``) serves both shells.
"""

from __future__ import annotations

import json
import sys
import time

from . import print_json


def register(subparsers) -> None:
    parser = subparsers.add_parser("xapi", help="xAPI statements of our tracking events")
    commands = parser.add_subparsers(dest="xapi_command", metavar="COMMAND")
    one = commands.add_parser(
        "statement",
        help="print the xAPI 1.0.3 statement of one tracking event read on stdin",
        description=(
            'Reads {"name": "ldai.<activity>.<action>", "data": {...}, "actor": {"home_page": URL, "id": anonymous id}, '
            '"context": {"activity_id": URL, "course_id"?: URL, "language"?: "en"|"fr", "job_family"?}, "timestamp"?: ISO 8601} '
            "on stdin and prints its statement. Learner free text is left out unless --allow-free-text."
        ),
    )
    one.add_argument("--allow-free-text", action="store_true", help="include learner free text (the operator's choice; off by default)")
    one.set_defaults(func=_statement)
    forward = commands.add_parser(
        "forward",
        help="forward the tool's waiting statements to the LRS now (one drain), print the counts",
        description=(
            "Sends every statement that is due to the LRS of LDAI_XAPI_LRS_URL, in batches, then stops. "
            "Statements the LRS cannot take now wait for their next retry; refused ones are listed in the admin."
        ),
    )
    forward.add_argument("--every", type=float, default=0, metavar="SECONDS",
                         help="keep running: drain again every SECONDS (a worker where Celery beat does not run); Ctrl-C stops")
    forward.set_defaults(func=_forward)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def _statement(args) -> int:
    from ..engine.xapi import EventError, parse_event, statement

    try:
        raw = json.loads(sys.stdin.read())
    except ValueError as exc:
        print(f"ldai xapi statement: stdin is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})", file=sys.stderr)
        return 1
    try:
        result = statement(parse_event(raw, allow_free_text=args.allow_free_text))
    except EventError as exc:
        print(f"ldai xapi statement: {exc}", file=sys.stderr)
        return 1
    print_json(result)
    return 0


def _forward(args) -> int:
    from .serve import setup_django

    setup_django(migrate=True)
    from lti_tool.xapi.conf import xapi_settings
    from lti_tool.xapi.forwarding import drain, waiting

    if not xapi_settings().forwarding:
        print("ldai xapi forward: no LRS configured (set LDAI_XAPI_LRS_URL and its credentials)", file=sys.stderr)
        return 1
    try:
        while True:
            totals = drain().as_dict()
            print_json({**totals, "waiting": waiting().count()})
            if args.every <= 0:
                return 0 if not totals["failed"] else 3
            time.sleep(args.every)
    except KeyboardInterrupt:
        return 0
