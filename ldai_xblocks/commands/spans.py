"""``ldai score-spans``: score flagged spans against gold spans, from JSON on stdin.

Why a command? Learning teams and researchers can check the grading rule on their own
examples (or on Mu-SHROOM data) without a platform, and scripts can batch-score answers.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import print_json

_USAGE_ERROR = 2


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "score-spans",
        help="score flagged character spans against gold spans (JSON on stdin)",
        description=(
            'Reads {"text": str, "gold": [[start, end], ...], "flagged": [[start, end], ...]} on stdin '
            "(Python string offsets, end excluded) and prints "
            '{"iou", "precision", "recall", "f1", "found", "missed", "false_alarms", "score"}. '
            "iou, precision, recall and f1 are character level (iou as in SemEval-2025 Task 3, Mu-SHROOM); "
            "a gold span is found when flags cover at least half of it, a flag touching no gold span is a "
            "false alarm; score is the claim-level F1 (or the IoU with --grading iou)."
        ),
    )
    parser.add_argument("--grading", choices=("claim_f1", "iou"), default="claim_f1", help="what 'score' is (default: claim_f1)")
    parser.add_argument(
        "--units", choices=("en", "fr"), default=None, metavar="LANG",
        help="cut flags at the sentence/clause units of the text in LANG (en or fr), as the learner view does",
    )
    parser.set_defaults(func=_score_spans)


def _fail(message: str) -> int:
    print(f"ldai score-spans: {message}", file=sys.stderr)
    return _USAGE_ERROR


def _score_spans(args: argparse.Namespace) -> int:
    from ..engine.spans import score_spans, unit_spans

    raw = sys.stdin.read()
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        return _fail(f"stdin is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}")
    if not isinstance(document, dict):
        return _fail('expected a JSON object {"text": ..., "gold": [...], "flagged": [...]}')
    missing = [key for key in ("text", "gold", "flagged") if key not in document]
    if missing:
        return _fail(f"missing key(s): {', '.join(missing)}")
    text = document["text"]
    if not isinstance(text, str):
        return _fail('"text" must be a string')
    try:
        units = unit_spans(text, args.units) if args.units else None
        result = score_spans(len(text), document["gold"], document["flagged"], units=units, grading=args.grading)
    except ValueError as exc:
        return _fail(str(exc))
    gold = [tuple(span) for span in document["gold"]]
    print_json(result.as_dict(gold))
    return 0
