"""Validation of content documents: JSON Schema first, then each kind's semantic rules.

Messages are written for authors, not for programmers: each names the place
(a JSON path such as ``$.questions[3].choices[1]``) and says what to do. They
are marked for translation and formatted with the caller's ``gettext`` so the
Studio editor shows them in the author's language.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .. import json_input
from ..json_input import MAX_DEPTH, JsonTooDeep
from ..resources import schemas_dir

KINDS: tuple[str, ...] = ("risk_quiz", "hallucination_detector", "prompt_sandbox", "skills_map", "charter", "use_case")

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later with the caller's gettext."""
    return message


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a document: where (JSON path) and what to do about it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class ContentError(ValueError):
    """A document that cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))


def json_path(parts: Iterable[Any]) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


@cache
def _validator(kind: str) -> Draft202012Validator:
    with open(schemas_dir() / f"{kind}.schema.json", encoding="utf-8") as handle:
        schema = json.load(handle)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


_SCHEMA_MESSAGES = {
    "required": N_("The field “{name}” is missing: add it."),
    "additionalProperties": N_("The field “{name}” is not part of this format: remove or rename it."),
    "type": N_("This value must be of type {expected}."),
    "enum": N_("This value must be one of: {expected}."),
    "const": N_("This value must be {expected}."),
    "empty": N_("This text is empty: write it."),
    "minLength": N_("This text is too short (at least {expected} characters)."),
    "maxLength": N_("This text is too long (at most {expected} characters)."),
    "minItems": N_("This list needs at least {expected} entries."),
    "maxItems": N_("This list has too many entries (at most {expected})."),
    "minimum": N_("This number must be at least {expected}."),
    "maximum": N_("This number must be at most {expected}."),
    "pattern": N_("Use only lowercase letters, digits, “-” and “_” here (up to 64 characters)."),
}
_FALLBACK = N_("This value is not valid here.")


def _schema_problem(error: ValidationError, gettext: Gettext) -> Problem:
    parts = list(error.absolute_path)
    key = "empty" if error.validator == "minLength" and error.validator_value == 1 else error.validator
    template = gettext(_SCHEMA_MESSAGES.get(key, _FALLBACK))
    expected: Any = error.validator_value
    name = ""
    if error.validator == "required":
        # jsonschema reports the parent; name the missing field in the path too.
        name = error.message.split("'")[1] if "'" in error.message else ""
        parts.append(name)
    elif error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        name = extra[0] if extra else ""
        parts.append(name)
    if isinstance(expected, list):
        expected = ", ".join(str(v) for v in expected)
    elif isinstance(expected, bool):
        expected = str(expected).lower()
    return Problem(json_path(parts), template.format(name=name, expected=expected))


@cache
def _semantic_rules(kind: str) -> Callable[[dict, Gettext], Iterator[Problem]] | None:
    try:
        module = importlib.import_module(f"{__package__}.rules.{kind}")
    except ModuleNotFoundError:
        return None
    return module.check


def validate(kind: str, document: Any, gettext: Gettext = _identity) -> list[Problem]:
    """Every problem of ``document`` as content of ``kind``; an empty list means usable.

    Semantic rules (cross references, spans inside the text...) run only on a
    document the schema accepts, so they can rely on its shape.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown content kind {kind!r}")
    problems = [_schema_problem(e, gettext) for e in sorted(_validator(kind).iter_errors(document), key=lambda e: list(e.absolute_path).__repr__())]
    if problems:
        return problems
    rules = _semantic_rules(kind)
    return list(rules(document, gettext)) if rules else []


def parse_document(kind: str, text: str, gettext: Gettext = _identity) -> dict:
    """Parse an author's JSON text and validate it; raise :class:`ContentError` if unusable."""
    try:
        document = json_input.loads(text)
    except JsonTooDeep as exc:
        message = gettext(N_("This JSON nests more than {limit} levels deep: no content document does. Check the brackets."))
        raise ContentError([Problem("$", message.format(limit=MAX_DEPTH))]) from exc
    except json.JSONDecodeError as exc:
        message = gettext(N_("This is not valid JSON (line {line}, column {column}): {reason}."))
        raise ContentError([Problem("$", message.format(line=exc.lineno, column=exc.colno, reason=exc.msg))]) from exc
    problems = validate(kind, document, gettext)
    if problems:
        raise ContentError(problems)
    return document
