"""Subcommand groups of the ``ldai`` command, one module each (see ``ldai_xblocks.cli``)."""

import json
import sys


def print_json(value) -> None:
    """Machine-readable output: UTF-8 JSON on one line, so it pipes into ``jq``."""
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")
