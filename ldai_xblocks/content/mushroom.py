"""Turn Mu-SHROOM (SemEval-2025 Task 3) records into a hallucination-detector pack.

Why an importer? Mu-SHROOM publishes model outputs with human-annotated hallucination
spans (``hard_labels``) in the same ``[start, end)`` character offsets we use, so an author
can start from real annotated outputs instead of an empty editor. The records carry no
explanation, kind or correction: the pack this module writes uses clear placeholders
("To explain: ...") that the author enriches in Studio or in the JSON before use.

One record per line (JSONL)::

    {"id": "val-en-1", "lang": "EN", "model_input": "...", "model_output_text": "...",
     "hard_labels": [[12, 20], [31, 40]], "soft_labels": [...], ...}

Bad lines are skipped with a warning naming the line (and listed in the pack's
description); a file without a single usable record raises :class:`MushroomError`.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from ..engine.spans import SpanError, check_spans, merge_spans
from .validation import validate

log = logging.getLogger(__name__)

SUPPORTED_LANGUAGES = ("en", "fr")
DEFAULT_KIND = "unsupported_claim"
PLACEHOLDER_EXPLANATION = "To explain: why is “{passage}” wrong or unsupported? (imported from Mu-SHROOM, not yet reviewed)"
PLACEHOLDER_CORRECTION = "To correct: write the accurate version of “{passage}”."
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_MAX_TITLE = 80
_MAX_SKIPPED_LISTED = 20
_MAX_TEXT = 20000  # as the schema allows
_MAX_ITEMS = 500


class MushroomError(ValueError):
    """The file cannot become a pack; the message says what to change."""


def convert_file(path: str | Path, pack_id: str = "imported", title: str | None = None, lang: str | None = None) -> dict:
    """A valid ``ldai.hallucination_detector/1`` pack built from the JSONL file at ``path``.

    ``lang`` ("en" or "fr") keeps only the records of that language; without it every
    record must be in the same supported language. Raises ``OSError`` when the file cannot
    be read and :class:`MushroomError` when nothing usable comes out of it.
    """
    path = Path(path)
    if not _SLUG.match(pack_id or ""):
        raise MushroomError(f"pack id {pack_id!r} is not valid: use 1 to 64 lowercase letters, digits, '-' or '_', starting with a letter or digit")
    wanted = lang.lower() if lang else None
    if wanted is not None and wanted not in SUPPORTED_LANGUAGES:
        raise MushroomError(f"language {lang!r} is not supported: use one of {', '.join(SUPPORTED_LANGUAGES)}")

    items: list[dict] = []
    languages: dict[str, int] = {}
    skipped: list[str] = []
    used_ids: set[str] = set()
    with open(path, encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = _parse(line)
                record_lang = record["lang"]
                if wanted is not None and record_lang != wanted:
                    continue
                if record_lang not in SUPPORTED_LANGUAGES:
                    raise MushroomError(f"language {record_lang!r} is not supported (only {', '.join(SUPPORTED_LANGUAGES)}); pass --lang to keep one language")
                item = _item(record, number, used_ids)
            except (MushroomError, SpanError) as exc:
                message = f"line {number}: {exc}"
                log.warning("%s: %s (line skipped)", path.name, message)
                skipped.append(message)
                continue
            languages[record_lang] = languages.get(record_lang, 0) + 1
            items.append(item)

    if not items:
        detail = "; ".join(skipped[:5]) if skipped else "no record" + (f" in language {wanted!r}" if wanted else "")
        raise MushroomError(f"{path.name}: nothing to import ({detail})")
    if len(items) > _MAX_ITEMS:
        raise MushroomError(f"{path.name} holds {len(items)} usable records; a pack takes at most {_MAX_ITEMS}: split the file")
    if len(languages) > 1:
        counts = ", ".join(f"{code}: {count}" for code, count in sorted(languages.items()))
        raise MushroomError(f"{path.name} mixes languages ({counts}): pass --lang to import one of them")
    pack_lang = next(iter(languages))
    pack = {
        "schema": "ldai.hallucination_detector/1",
        "id": pack_id,
        "lang": pack_lang,
        "title": (title or f"Imported from {path.name}")[:300],
        "description": _description(path.name, len(items), skipped),
        "items": items,
    }
    problems = validate("hallucination_detector", pack)
    if problems:  # a bug of this module, not of the file: say so plainly
        raise MushroomError(f"the converted pack is not valid ({'; '.join(str(p) for p in problems[:5])})")
    return pack


def _parse(line: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise MushroomError(f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(record, dict):
        raise MushroomError("a record must be a JSON object")
    for key in ("model_input", "model_output_text"):
        if not isinstance(record.get(key), str) or not record[key].strip():
            raise MushroomError(f"'{key}' is missing or empty")
    if len(record["model_output_text"]) > _MAX_TEXT:
        raise MushroomError(f"'model_output_text' is longer than {_MAX_TEXT} characters")
    if "hard_labels" not in record:
        raise MushroomError("'hard_labels' is missing (a list of [start, end] pairs; [] when nothing is wrong)")
    record_lang = record.get("lang")
    if not isinstance(record_lang, str) or not record_lang.strip():
        raise MushroomError("'lang' is missing (for example \"EN\" or \"FR\")")
    return {**record, "lang": record_lang.strip().lower()}


def _item(record: dict, number: int, used_ids: set[str]) -> dict:
    text = record["model_output_text"]
    spans = merge_spans(check_spans(record["hard_labels"], len(text), "hard_labels"), touching=True)
    hallucinations = []
    for start, end in spans:
        trimmed = _trim(text, start, end)
        if trimmed is None:
            continue  # a label on spaces only marks nothing a learner can see
        start, end = trimmed
        passage = _short(text[start:end])
        hallucinations.append({
            "start": start,
            "end": end,
            "quote": text[start:end],
            "kind": DEFAULT_KIND,
            "explanation": PLACEHOLDER_EXPLANATION.format(passage=passage),
            "correction": PLACEHOLDER_CORRECTION.format(passage=passage),
        })
    item_id = _unique_id(record.get("id"), number, used_ids)
    prompt = record["model_input"].strip()
    return {
        "id": item_id,
        "job_family": "all",
        "title": _short(" ".join(prompt.split()), _MAX_TITLE),
        "prompt": prompt[:5000],
        "text": text,
        "hallucinations": hallucinations,
        "traps": [],
    }


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _unique_id(raw: object, number: int, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9_-]+", "-", str(raw).lower()).strip("-_")[:56] if raw is not None else ""
    base = base or f"line-{number}"
    candidate, suffix = base, 2
    while candidate in used:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    used.add(candidate)
    return candidate


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _description(filename: str, count: int, skipped: list[str]) -> str:
    text = f"Imported from {filename}: {count} record(s). Explanations, kinds and corrections are placeholders to review before use."
    if skipped:
        listed = "; ".join(skipped[:_MAX_SKIPPED_LISTED])
        more = f" (and {len(skipped) - _MAX_SKIPPED_LISTED} more)" if len(skipped) > _MAX_SKIPPED_LISTED else ""
        text += f" Skipped {len(skipped)} line(s): {listed}{more}"
    return text[:2000]
