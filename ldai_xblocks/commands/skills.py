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
    register_cohort(actions)


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


def register_cohort(actions) -> None:
    cohort = actions.add_parser(
        "cohort",
        help="turn Open edX's Problem Responses report of a skills map into the cohort's gaps per job family (CSV)",
    )
    cohort.add_argument("report", type=Path, metavar="REPORT.csv")
    cohort.add_argument("--min-group", type=int, default=None, help="hide groups smaller than this (default 5, never below 3)")
    cohort.add_argument("--lang", choices=("en", "fr"), default="en", help="language of the names and headers (default: en)")
    cohort.set_defaults(func=_cohort)


def _cohort(args: argparse.Namespace) -> int:
    import csv

    from ..content import load_pack
    from ..content.packs import default_pack_ref
    from ..engine import skills_cohort
    try:
        with open(args.report, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        print(f"ldai skills cohort: cannot read {args.report}: {error}", file=sys.stderr)
        return 1
    missing = [c for c in skills_cohort.REPORT_COLUMNS if rows and c not in rows[0]]
    if not rows or missing:
        print(f"ldai skills cohort: {args.report} is not a skills-map report (missing columns: {', '.join(missing) or 'all'})", file=sys.stderr)
        return 1
    document = load_pack("skills_map", default_pack_ref("skills_map", args.lang))
    pictures = skills_cohort.pictures_from_report(rows)
    cohort = skills_cohort.build(pictures, [c["id"] for c in document["competences"]], args.min_group or skills_cohort.DEFAULT_MIN_GROUP)
    header = skills_cohort.csv_header(args.lang)
    sys.stdout.write(skills_cohort.to_csv(cohort, {p["id"]: p["name"] for p in document["job_profiles"]},
                                          {c["id"]: c["name"] for c in document["competences"]}, header))
    if cohort.hidden_jobs:
        print(f"hidden (fewer than {cohort.min_group} learners): {', '.join(cohort.hidden_jobs)}", file=sys.stderr)
    return 0
