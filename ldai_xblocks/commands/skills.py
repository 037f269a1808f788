"""``ldai skills gap``: a learner's gap against a job profile, from JSON on stdin (the engine, scriptable)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from . import print_json


def register(subparsers) -> None:
    skills = subparsers.add_parser("skills", help="the skills map's levels and gaps")
    actions = skills.add_subparsers(dest="skills_command", metavar="ACTION", required=True)
    gap = actions.add_parser(
        "gap",
        help='read {"job", "self": {id: level}, "evidence": [{"competence", "score", "at"}]} on stdin, print levels, gaps and priorities',
    )
    gap.add_argument("--framework", type=Path, default=None, help="a skills-map document (default: the shipped one of --lang)")
    gap.add_argument("--lang", choices=("en", "fr"), default="en", help="language of the shipped framework (default: en)")
    gap.add_argument("--now", default=None, help="the moment recency is measured from, ISO 8601 (default: now)")
    gap.set_defaults(func=_gap)


def _fail(message: str) -> int:
    print(f"ldai skills gap: {message}", file=sys.stderr)
    return 1


def _gap(args: argparse.Namespace) -> int:
    from ..content import ContentError, load_pack, parse_document
    from ..content.packs import default_pack_ref
    from ..engine.skills import SkillsInputError, gap_from_request, parse_time

    try:
        if args.framework:
            document = parse_document("skills_map", args.framework.read_text(encoding="utf-8"))
        else:
            document = load_pack("skills_map", default_pack_ref("skills_map", args.lang))
    except OSError as error:
        return _fail(f"cannot read the framework: {error}")
    except ContentError as error:
        return _fail(f"the framework is not valid: {error}")
    try:
        request = json.loads(sys.stdin.read() or "null")
    except json.JSONDecodeError as error:
        return _fail(f"stdin is not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}")
    try:
        now = parse_time(args.now, "--now") if args.now else datetime.now(UTC)
        report = gap_from_request(document, request, now)
    except SkillsInputError as error:
        return _fail(str(error))
    print_json(report.as_dict())
    return 0
