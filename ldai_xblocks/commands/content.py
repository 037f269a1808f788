"""``ldai content ...``: validate documents, count the default packs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import print_json


def register(subparsers) -> None:
    content = subparsers.add_parser("content", help="check and inspect content documents")
    actions = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)

    validate = actions.add_parser("validate", help="validate JSON content documents; one line per problem")
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    validate.add_argument("--kind", choices=_kinds(), help="the activity kind (default: read from the document's 'schema')")
    validate.set_defaults(func=_validate)

    stats = actions.add_parser("stats", help="count the questions, items and scenarios of the default packs")
    stats.add_argument("--json", action="store_true", help="print JSON (the default is a table)")
    stats.set_defaults(func=_stats)

    importer = actions.add_parser("import-mushroom", help="turn Mu-SHROOM JSONL records into a hallucination-detector pack")
    importer.add_argument("file", type=Path, metavar="FILE.jsonl")
    importer.add_argument("--id", dest="pack_id", default="imported", help="id of the new pack (default: imported)")
    importer.add_argument("--title", default=None, help="title of the new pack")
    importer.add_argument("--lang", choices=("en", "fr"), default=None, help="keep only records of this language")
    importer.add_argument("--output", "-o", type=Path, default=None, help="write the pack here (default: stdout)")
    importer.set_defaults(func=_import_mushroom)


def _kinds() -> tuple[str, ...]:
    from ..content import KINDS

    return KINDS


def _kind_of(document, forced: str | None) -> str | None:
    if forced:
        return forced
    schema = document.get("schema", "") if isinstance(document, dict) else ""
    kind = schema.removeprefix("ldai.").partition("/")[0]
    return kind if kind in _kinds() else None


def _validate(args: argparse.Namespace) -> int:
    from ..content import validate

    failed = 0
    for path in args.paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{path}: $: cannot read the file: {exc}")
            failed += 1
            continue
        except json.JSONDecodeError as exc:
            print(f"{path}: $: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}")
            failed += 1
            continue
        kind = _kind_of(document, args.kind)
        if kind is None:
            print(f"{path}: $.schema: unknown document kind: set 'schema' to 'ldai.<kind>/1' or pass --kind")
            failed += 1
            continue
        problems = validate(kind, document)
        for problem in problems:
            print(f"{path}: {problem}")
        failed += bool(problems)
    if not failed:
        print(f"{len(args.paths)} document(s) valid", file=sys.stderr)
    return 1 if failed else 0


def _stats(args: argparse.Namespace) -> int:
    from ..content import pack_stats

    stats = pack_stats()
    if args.json:
        print_json(stats)
        return 0
    for kind, per_lang in stats.items():
        for lang, entry in per_lang.items():
            counts = ", ".join(f"{k}={v}" for k, v in entry.items() if isinstance(v, int))
            print(f"{kind:24} {lang}  {counts}")
    return 0


def _import_mushroom(args: argparse.Namespace) -> int:
    from ..content.mushroom import MushroomError, convert_file

    try:
        pack = convert_file(args.file, pack_id=args.pack_id, title=args.title, lang=args.lang)
    except (OSError, MushroomError) as exc:
        print(f"ldai content import-mushroom: {exc}", file=sys.stderr)
        return 1
    text = json.dumps(pack, ensure_ascii=False, indent=2) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
