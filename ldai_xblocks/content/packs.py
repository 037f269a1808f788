"""The default content packs shipped inside the package.

A pack lives at ``packs/<lang>/<kind>/<id>.json`` and is referred to as
``"<lang>/<id>"`` (``"fr/ai-risks"``). Packs are validated when loaded and kept in
memory: they are read-only data, so one parse serves every request (and a caller that
tries to change one gets a ``TypeError``, not a corrupted pack for the next learner).

"Any job family" is a pack too: ``"<lang>/any-job-family"`` gathers the texts or
scenarios of every job-family pack of a language (each keeps its ``job_family``), and
is what the automatic pack shows when no family is chosen; the blocks then draw a mix
of families for each learner. Without it, "any family" meant the first pack found
(finance), and an HR audience got variance analyses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from ..resources import packs_dir
from .frozen import freeze
from .rules.prompt_sandbox import MIXED_ID  # the id the sandbox rules know as a mix of families
from .validation import KINDS, ContentError, validate

LANGUAGES = ("en", "fr")
JOB_FAMILIES = ("marketing", "finance", "hr", "production", "sales", "management")


@dataclass(frozen=True)
class PackInfo:
    ref: str
    kind: str
    lang: str
    id: str
    title: str
    job_family: str | None


@cache
def load_pack(kind: str, ref: str) -> dict:
    """The validated document of default pack ``ref`` (``"<lang>/<id>"``) of ``kind``.

    Raises ``KeyError`` for an unknown pack and :class:`ContentError` for a broken
    one (a packaging bug the test suite catches). The document is shared by every caller
    (cached): it is read-only (:mod:`.frozen`); change a ``copy.deepcopy`` of it.
    """
    lang, _, pack_id = ref.partition("/")
    if kind not in KINDS or lang not in LANGUAGES or not pack_id or "/" in pack_id or pack_id.startswith("."):
        raise KeyError(ref)
    if pack_id == MIXED_ID:
        return freeze(_mixed_document(kind, lang))
    path = packs_dir() / lang / kind / f"{pack_id}.json"
    if not path.is_file():
        raise KeyError(ref)
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    problems = validate(kind, document)
    if problems:
        raise ContentError(problems)
    return freeze(document)


@cache
def list_packs(kind: str) -> tuple[PackInfo, ...]:
    infos = []
    for lang in LANGUAGES:
        folder = packs_dir() / lang / kind
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
            document = load_pack(kind, f"{lang}/{path.stem}")
            infos.append(PackInfo(f"{lang}/{path.stem}", kind, lang, path.stem, document["title"], document.get("job_family")))
    return tuple(infos)


@cache
def pack_refs(kind: str) -> frozenset[str]:
    """The refs of the default packs of ``kind`` (a set, for membership checks on every request), mixed packs included."""
    return frozenset(info.ref for info in list_packs(kind)) | frozenset(f"{lang}/{MIXED_ID}" for lang in LANGUAGES if _family_packs(kind, lang))


def _family_packs(kind: str, lang: str) -> tuple[PackInfo, ...]:
    """The job-family packs of a language, when there are several families to mix (else none)."""
    packs = tuple(p for p in list_packs(kind) if p.lang == lang and p.job_family and p.job_family != "all")
    return packs if len({p.job_family for p in packs}) > 1 else ()


MIXED_KEYS = {"hallucination_detector": "items", "prompt_sandbox": "scenarios"}


@cache
def _mixed_document(kind: str, lang: str) -> dict:
    """Every job-family pack of ``lang`` in one document, validated like any pack (``KeyError`` if none).

    An author may start their own content from it: its id tells the sandbox rules that
    the families are mixed on purpose.
    """
    packs = _family_packs(kind, lang)
    key = MIXED_KEYS.get(kind)
    if not packs or key is None:
        raise KeyError(f"{lang}/{MIXED_ID}")
    documents = [load_pack(kind, p.ref) for p in packs]
    first = documents[0]
    mixed = {name: value for name, value in first.items() if name not in (key, "id", "title", "description")}
    mixed.update({
        "id": MIXED_ID,
        "title": "Any job family" if lang == "en" else "Tous métiers",
        "description": " / ".join(d["title"] for d in documents),
        key: [{"job_family": d.get("job_family"), **element} for d in documents for element in d[key]],
    })
    problems = validate(kind, mixed)
    if problems:
        raise ContentError(problems)
    return mixed


def is_mixed(ref: str | None) -> bool:
    return bool(ref) and ref.partition("/")[2] == MIXED_ID


@cache
def default_pack_ref(kind: str, lang: str, job_family: str | None = None) -> str | None:
    """The pack a new block shows a learner of ``lang`` (falling back to English).

    With no job family and packs for several families, the mixed pack: "any job family"
    means a mix, not whichever pack sorts first.
    """
    for wanted_lang in (lang, "en"):
        candidates = [p for p in list_packs(kind) if p.lang == wanted_lang]
        if job_family:
            candidates = [p for p in candidates if p.job_family == job_family] or candidates
        elif _family_packs(kind, wanted_lang):
            return f"{wanted_lang}/{MIXED_ID}"
        if candidates:
            return candidates[0].ref
    return None


_COUNTED = {"risk_quiz": "questions", "hallucination_detector": "items", "prompt_sandbox": "scenarios", "charter": "questions", "use_case": "survey_items"}


def _counted(kind: str, document: dict) -> list:
    """The elements a pack of ``kind`` is counted by (the use-case pack: its survey's items)."""
    return document["survey"]["items"] if kind == "use_case" else document.get(_COUNTED[kind], [])


def pack_stats() -> dict:
    """Counts per kind and language, as ``ldai content stats --json`` prints them."""
    stats: dict = {}
    for kind in KINDS:
        if kind == "skills_map":
            stats[kind] = {lang: _skills_map_stats(lang) for lang in LANGUAGES}
            continue
        per_lang: dict = {}
        for lang in LANGUAGES:
            key = _COUNTED[kind]
            entry: dict = {key: 0, "packs": 0}
            categories: set[str] = set()
            job_families: set[str] = set()
            for info in (p for p in list_packs(kind) if p.lang == lang):
                document = load_pack(kind, info.ref)
                entry[key] += len(_counted(kind, document))
                entry["packs"] += 1
                for element in _counted(kind, document):
                    if "category" in element:
                        categories.add(element["category"])
                    if element.get("job_family"):
                        job_families.add(element["job_family"])
                if info.job_family:
                    job_families.add(info.job_family)
            if kind == "risk_quiz":
                entry["categories"] = sorted(categories)
            entry["job_families"] = sorted(job_families - {"all"})
            per_lang[lang] = entry
        stats[kind] = per_lang
    return stats


def _skills_map_stats(lang: str) -> dict:
    """The competence framework of ``lang``: how many competences, which job profiles."""
    competences: set[str] = set()
    profiles: set[str] = set()
    infos = [p for p in list_packs("skills_map") if p.lang == lang]
    for info in infos:
        document = load_pack("skills_map", info.ref)
        competences.update(c["id"] for c in document["competences"])
        profiles.update(p["id"] for p in document["job_profiles"])
    return {"competences": len(competences), "job_profiles": sorted(profiles), "packs": len(infos)}


__all__ = ["JOB_FAMILIES", "MIXED_ID", "ContentError", "LANGUAGES", "is_mixed", "PackInfo", "default_pack_ref", "list_packs", "load_pack", "pack_refs", "pack_stats"]
