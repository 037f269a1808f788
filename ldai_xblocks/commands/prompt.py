"""``ldai analyze-prompt`` and ``ldai scan-sensitive``: the prompt sandbox's engine from a shell.

Why commands? A learning team can try the rubric and the confidential-data scan on
their own prompts (and their own confidential terms) before putting an activity in
a course, and scripts can check text before it is sent anywhere. Both read stdin
and print JSON (or the redacted text), fully offline.
"""

from __future__ import annotations

import argparse
import sys

from . import print_json

_USAGE_ERROR = 2
MAX_INPUT_CHARS = 200_000


def register(subparsers) -> None:
    analyze = subparsers.add_parser(
        "analyze-prompt",
        help="score a prompt on the eight criteria (prompt on stdin)",
        description=(
            'Reads a prompt on stdin and prints {"lang", "score", "criteria": [{"id", "met", "score", "evidence", '
            '"advice"}], "sensitive": [...], "advice": [...], "flags": [...]}. Criteria: task, context, role, audience, '
            "format, constraints, examples, tone; each scores 0 (absent), 1 (partial) or 2 (clear); score is 0-100."
        ),
    )
    analyze.add_argument("--lang", choices=("en", "fr"), default=None, help="the prompt's language (default: detected)")
    analyze.add_argument("--scenario", default=None, metavar="ID", help="a default scenario id: its weights and hints shape the score and the advice")
    analyze.add_argument("--term", action="append", default=[], metavar="T", help="a confidential term of your organisation (repeatable)")
    analyze.add_argument("--ner", action="store_true", help="also find person names (needs the optional ner extra: presidio-analyzer and a spaCy model)")
    analyze.set_defaults(func=_analyze)

    scan = subparsers.add_parser(
        "scan-sensitive",
        help="find confidential data in text (text on stdin)",
        description=(
            "Reads text on stdin and prints the JSON list of findings [{\"kind\", \"start\", \"end\"}] (character "
            "offsets, end excluded), or the redacted text with --redact. Kinds: email, phone, iban, payment_card, "
            "fr_nir, secret, ip_address, term."
        ),
    )
    scan.add_argument("--term", action="append", default=[], metavar="T", help="a confidential term (client name, project code name); repeatable; case and accents ignored")
    scan.add_argument("--redact", action="store_true", help="print the text with each finding replaced by a placeholder such as [EMAIL]")
    scan.add_argument("--with-text", action="store_true", help="include the matched text in each finding (never do this in logs)")
    scan.add_argument("--ner", action="store_true", help="also find person names (needs the optional ner extra: presidio-analyzer and a spaCy model)")
    scan.set_defaults(func=_scan)


def _fail(command: str, message: str) -> int:
    print(f"ldai {command}: {message}", file=sys.stderr)
    return _USAGE_ERROR


def _read_stdin(command: str) -> tuple[str | None, int]:
    if sys.stdin is None or (sys.stdin.isatty() if hasattr(sys.stdin, "isatty") else False):
        return None, _fail(command, "nothing on standard input: pipe the text in, e.g. echo 'Write...' | ldai " + command)
    try:
        raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode("utf-8")
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, _fail(command, f"standard input is not UTF-8 text (byte {exc.start}): convert it to UTF-8 first")
    if not text.strip():
        return None, _fail(command, "standard input is empty: pipe the text in, e.g. echo 'Write...' | ldai " + command)
    if len(text) > MAX_INPUT_CHARS:
        return None, _fail(command, f"the text is too long ({len(text)} characters; at most {MAX_INPUT_CHARS}): split it")
    return text, 0


def _terms(command: str, values: list[str]) -> tuple[list[str] | None, int]:
    terms = [t.strip() for t in values]
    if any(len(t) < 2 for t in terms):
        return None, _fail(command, "each --term needs at least two characters")
    return terms, 0


def _ner_available() -> bool:
    from ..engine.sensitive_ner import available

    return available()


def find_scenario(scenario_id: str) -> dict | None:
    """The default scenario with this id, in any language."""
    from ..content import list_packs, load_pack

    for info in list_packs("prompt_sandbox"):
        for scenario in load_pack("prompt_sandbox", info.ref)["scenarios"]:
            if scenario["id"] == scenario_id:
                return scenario
    return None


def _analyze(args: argparse.Namespace) -> int:
    from ..engine.prompt_feedback import give_feedback

    text, code = _read_stdin("analyze-prompt")
    if text is None:
        return code
    terms, code = _terms("analyze-prompt", args.term)
    if terms is None:
        return code
    scenario = None
    if args.scenario:
        scenario = find_scenario(args.scenario)
        if scenario is None:
            return _fail("analyze-prompt", f"unknown scenario '{args.scenario}': see the ids in the prompt_sandbox packs (ldai content stats)")
    lang = args.lang or (scenario or {}).get("lang")
    if args.ner and not _ner_available():
        return _fail("analyze-prompt", "--ner needs the optional extra: pip install 'ldai-xblocks[ner]'")
    feedback = give_feedback(text, lang=lang, scenario=scenario, terms=terms, ner=args.ner)
    result = feedback.rubric
    print_json({
        "lang": result.lang,
        "score": result.score,
        "criteria": [
            {key: value for key, value in c.as_dict().items() if key in ("id", "met", "score", "evidence", "advice")}
            for c in result.criteria
        ],
        "sensitive": [f.as_dict() for f in feedback.findings],
        "advice": result.advice,
        "flags": [f.as_dict() for f in result.flags],
    })
    return 0


def _scan(args: argparse.Namespace) -> int:
    from ..engine.sensitive import scan, scan_and_redact

    text, code = _read_stdin("scan-sensitive")
    if text is None:
        return code
    terms, code = _terms("scan-sensitive", args.term)
    if terms is None:
        return code
    if args.ner and not _ner_available():
        return _fail("scan-sensitive", "--ner needs the optional extra: pip install 'ldai-xblocks[ner]'")
    if args.redact:
        redacted, _ = scan_and_redact(text, terms, ner=args.ner)
        sys.stdout.write(redacted if redacted.endswith("\n") else redacted + "\n")
        return 0
    print_json([f.as_dict(with_text=args.with_text) for f in scan(text, terms, ner=args.ner)])
    return 0
