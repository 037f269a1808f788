"""The ``ldai`` command.

Each group of subcommands lives in its own module under ``ldai_xblocks.commands``
and exposes ``register(subparsers)``; a handler is stored as ``func`` and returns
the process exit code. Modules import their heavy dependencies (Django, the LTI
stack) inside the handler so ``ldai score-spans`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__

COMMAND_MODULES = ("content", "spans", "prompt", "skills", "serve", "lti", "xapi", "badges")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ldai", description="AI-literacy activities for Open edX and LTI 1.3.")
    parser.add_argument("--version", action="version", version=f"ldai-xblocks {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__package__}.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__package__}.commands.{name}":
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
