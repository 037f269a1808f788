"""Cut a text into the units a learner toggles in the hallucination detector: sentences and clauses.

Why rules and not a tokenizer library? The units are part of the grading (flags are cut at
their boundaries) and must be the same on every server, in every shell, for every release:
a small, tested rule set gives stable offsets without a model or a download. The rules cover
what workplace texts in English and French contain: abbreviations ("e.g.", "M.", "p. ex.",
"art."), initials, decimals ("3.5", "1,5 %"), quotes and brackets closing a sentence, list
lines, and clause breaks at semicolons, colons and commas before a conjunction.

Units never include the spaces around them; every other character belongs to exactly one unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

Span = tuple[int, int]

# Abbreviations that never end a sentence: a name, a number or a reference follows them.
_NEVER_FINAL = {
    "en": {"mr", "mrs", "ms", "dr", "prof", "st", "mt", "gen", "gov", "rev", "e.g", "i.e", "cf", "vs", "al",
           "art", "approx", "ca", "dept", "u.s", "u.k", "ph.d"},
    "fr": {"m", "mm", "mme", "mmes", "mlle", "mlles", "me", "dr", "pr", "cf", "vs", "al", "art", "ex",
           "p.ex", "c.-à-d", "env", "av", "bd", "boul", "ste", "st", "cie", "réf", "tél", "chap", "éd"},
}
# Abbreviations that end a sentence unless a number follows ("No. 5", "p. 12", "Jan. 2025").
_BEFORE_NUMBER = {
    "en": {"no", "nos", "vol", "p", "pp", "ch", "fig", "sec", "para", "ref", "ed", "eds", "jan", "feb", "mar",
           "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"},
    "fr": {"no", "vol", "p", "pp", "fig", "janv", "févr", "avr", "juil", "sept", "oct", "nov", "déc"},
}
_CLOCK = {"a.m", "p.m"}  # "at 10 a.m. The meeting..." ends a sentence
for _table in (_NEVER_FINAL, _BEFORE_NUMBER):
    _table[""] = _table["en"] | _table["fr"]

_CONJUNCTIONS = {
    "en": ("and", "but", "or", "so", "yet", "while", "whereas", "although", "though", "because", "which",
           "since", "unless", "whilst"),
    "fr": ("et", "mais", "ou", "donc", "or", "car", "alors que", "tandis que", "bien que", "puisque",
           "parce que", "ce qui", "ce que", "quoique", "sauf si", "même si"),
}
_CONJUNCTIONS[""] = _CONJUNCTIONS["en"] + _CONJUNCTIONS["fr"]

_CLOSERS = "\"'”’»)]}"
_OPENERS = "\"'“‘«([{¿¡"
_BULLETS = "-–—•*·"
_SPACE = re.compile(r"\s+")
_TERMINATOR = re.compile(r"[.!?…]+")
_MIN_CLAUSE_WORDS = 2
_MIN_COMMA_CLAUSE_WORDS = 4  # "Google's Project Aristotle, which..." stays one unit
_ENUMERATOR = re.compile(r"(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})")


@dataclass(frozen=True)
class Unit:
    """A selectable unit: ``text[start:end]``, with ``kind`` telling how it ended."""

    start: int
    end: int
    kind: str  # "sentence" (ends a sentence or a line) or "clause" (ends at ; : or before a conjunction)

    @property
    def span(self) -> Span:
        return (self.start, self.end)


def _language(lang: str | None) -> str:
    primary = (lang or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in ("en", "fr") else ""


def _word_before(text: str, position: int) -> str:
    """The token that ends just before ``text[position]`` (a period), lowercase, without the period."""
    start = position
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in _OPENERS:
        start -= 1
    return text[start:position].lower()


def _is_sentence_end(text: str, term_start: int, after: int, lang: str) -> bool:
    """Whether the terminator ``text[term_start:after]`` (already followed by a space) ends a sentence."""
    rest = text[after:].lstrip()
    if not rest:
        return True
    nxt = rest[0]
    if "\n" in text[after: len(text) - len(rest)]:
        return True
    if nxt.islower():
        return False
    if text[term_start] != "." or text[term_start:after] != ".":
        # "!", "?", "…" or "...": the next capital, digit, quote or bullet starts a sentence.
        return True
    word = _word_before(text, term_start)
    bare = word.strip(_CLOSERS + _OPENERS)
    if not bare:
        return True
    if len(bare) == 1 and bare.isalpha() and text[term_start - 1].isupper():  # "J. Smith", "M. Dupont"
        return False
    if bare in _NEVER_FINAL[lang]:
        return False
    if bare in _BEFORE_NUMBER[lang]:
        return not nxt.isdigit()
    if bare in _CLOCK:
        return True
    # Dotted abbreviations ("U.S", "p.ex", "e.g") do not end a sentence either.
    return not re.fullmatch(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}", bare)


def _sentence_ends(text: str, lang: str) -> list[int]:
    """Offsets just after each sentence end (terminator plus closing quotes or brackets)."""
    ends: list[int] = []
    for match in _TERMINATOR.finditer(text):
        if _ENUMERATOR.fullmatch(text[ends[-1] if ends else 0: match.start()].strip()):
            continue  # "1. The first point", "b. Then"
        after = match.end()
        # Absorb closing quotes/brackets, allowing the French space before "»".
        probe = after
        while True:
            skip = probe
            while skip < len(text) and text[skip] in " \u00a0\u202f" and skip + 1 < len(text) and text[skip + 1] == "»":
                skip += 1
            if skip < len(text) and text[skip] in _CLOSERS:
                probe = skip + 1
            else:
                break
        after = probe
        if after < len(text) and not text[after].isspace():
            continue  # "3.5", "www.example.com", "U.S.-based"
        if _is_sentence_end(text, match.start(), after, lang):
            ends.append(after)
    return ends


def _clause_ends(text: str, start: int, end: int, lang: str) -> list[int]:
    """Clause boundaries inside the sentence ``text[start:end]``: after ; or :, or before ", conj"."""
    cuts: list[int] = []
    conjunctions = _CONJUNCTIONS[lang]
    for index in range(start, end - 1):
        char = text[index]
        if char not in ";:," or not text[index + 1].isspace():
            continue  # "10:30", "1,5 %", "3,000"
        if char == ",":
            following = text[index + 1: end].lstrip().lower()
            if not any(re.match(rf"{re.escape(c)}\b", following) for c in conjunctions):
                continue
        left, right = text[start: index + 1], text[index + 1: end]
        minimum = _MIN_COMMA_CLAUSE_WORDS if char == "," else _MIN_CLAUSE_WORDS
        if len(left.split()) >= minimum and len(right.split()) >= minimum:
            cuts.append(index + 1)
    return cuts


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def segment(text: str, lang: str | None = None) -> list[Unit]:
    """The selectable units of ``text``, in order, without overlaps or surrounding spaces.

    ``lang`` ("en", "fr", or a locale like "fr-CA") picks the abbreviations and
    conjunctions; anything else uses both languages' lists.
    """
    if not isinstance(text, str):
        raise TypeError("segment() needs the text as a string")
    return list(_segment(text, _language(lang)))


@lru_cache(maxsize=512)
def _segment(text: str, lang: str) -> tuple[Unit, ...]:
    """:func:`segment`, remembered per process: a submit scores every text of the attempt, and each view and
    handler of the hallucination detector segments the same few texts again (pure function of its arguments;
    the units are immutable, the list handed out is new each time)."""
    units: list[Unit] = []
    line_start = 0
    for line in text.splitlines(keepends=True):
        line_end = line_start + len(line)
        boundaries = [line_start + e for e in _sentence_ends(line, lang)]
        sentence_start = line_start
        for sentence_end in boundaries + [line_end]:
            if sentence_end <= sentence_start:
                continue
            cuts = _clause_ends(text, sentence_start, sentence_end, lang)
            pieces = list(zip([sentence_start] + cuts, cuts + [sentence_end], strict=True))
            for number, (piece_start, piece_end) in enumerate(pieces):
                span = _trimmed(text, piece_start, piece_end)
                if span:
                    kind = "sentence" if number == len(pieces) - 1 else "clause"
                    units.append(Unit(span[0], span[1], kind))
            sentence_start = sentence_end
        line_start = line_end
    return tuple(units)


def unit_spans(text: str, lang: str | None = None) -> list[Span]:
    """Just the ``(start, end)`` of each unit, as the scorer's ``units`` argument wants them."""
    return [unit.span for unit in segment(text, lang)]
