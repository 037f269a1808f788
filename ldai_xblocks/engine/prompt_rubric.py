"""Offline feedback on a learner's prompt: eight criteria, scored 0-2, with evidence and advice.

Why a rubric and not a model: no usable generative model ships on PyPI, and the
feedback must work with no network. What makes a workplace prompt better is well
known and visible in the text itself (say what to produce and for whom, give the
background, ask for a structure...), so explicit cues in English and French get
most of the way, run in a few milliseconds and can show *where* each criterion was
satisfied. An LLM, when configured, may only nudge each criterion by one step
(:func:`apply_adjustments`); the total is always computed here.

Scoring rules (documented for authors and learners):

- each criterion scores 0 (absent), 1 (partial) or 2 (clear); ``met`` means 2;
- the total is ``round(100 * sum(weight * score) / (2 * sum(weight)))`` with the
  scenario's weights (defaults: :data:`DEFAULT_WEIGHTS`);
- a prompt too short to act on (fewer than :data:`MIN_WORDS` words) has every
  criterion capped at 1;
- a contradiction lowers the criterion it concerns by one step (length -> constraints,
  register or humour -> tone).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..i18n import N_, gettext_for, normalize_language
from .prompt_patterns import BY_LANG, EN, FR, LanguagePatterns
from .sensitive import scan

CRITERIA: tuple[str, ...] = ("task", "context", "role", "audience", "format", "constraints", "examples", "tone")
DEFAULT_WEIGHTS: dict[str, float] = {
    "task": 3, "context": 2, "role": 1, "audience": 2, "format": 2, "constraints": 2, "examples": 1, "tone": 1,
}
MIN_WORDS = 8
MAX_SCORE = 2

LABELS = {
    "task": N_("Task"),
    "context": N_("Context"),
    "role": N_("Role"),
    "audience": N_("Audience"),
    "format": N_("Format"),
    "constraints": N_("Constraints"),
    "examples": N_("Examples"),
    "tone": N_("Tone"),
}

# Advice per criterion: (when absent, when partial). "{example}" is the scenario's
# own hint when it gives one, otherwise the generic example below.
ADVICE = {
    "task": (
        N_("Start by saying what the model must produce, and on what subject: {example}."),
        N_("Say precisely what to produce and about what, not just “ideas” or “a text”: {example}."),
    ),
    "context": (
        N_("Give the background the model cannot guess (the situation, the purpose, key facts): {example}."),
        N_("Add more background: the situation, why you need this, the facts that matter: {example}."),
    ),
    "role": (
        N_("Give the model a role or expertise to adopt, for example “You are {example}”."),
        N_("Make the role more specific than a generic assistant: “You are {example}”."),
    ),
    "audience": (
        N_("Say who will read or use the result: {example}."),
        N_("Describe the readers more precisely (who they are, what they know): {example}."),
    ),
    "format": (
        N_("Ask for an explicit structure (table, list, sections, subject line…): {example}."),
        N_("Spell out the structure you want rather than just “well organised”: {example}."),
    ),
    "constraints": (
        N_("Set the rules the answer must respect (length, what to include or leave out, which sources): {example}."),
        N_("Make your limits explicit and measurable, not just “short”: {example}."),
    ),
    "examples": (
        N_("Paste a short sample of the output or style you expect: {example}."),
        N_("Quote or paste an actual sample rather than only pointing to one: {example}."),
    ),
    "tone": (
        N_("Say which tone or register to use: {example}."),
        N_("Name the tone more precisely, for example two adjectives and the register: {example}."),
    ),
}
GENERIC_EXAMPLES = {
    "task": N_("“Draft a follow-up e-mail to a client after yesterday's product demo”"),
    "context": N_("“We are a 40-person firm; the client asked for a 10% discount last week”"),
    "role": N_("an experienced account manager"),
    "audience": N_("“for the client's purchasing manager, who is not a technical expert”"),
    "format": N_("“a subject line, then three short paragraphs”"),
    "constraints": N_("“at most 150 words, no prices, do not invent figures”"),
    "examples": N_("“Here is an e-mail we liked: …”"),
    "tone": N_("“warm but professional”"),
}
FLAG_MESSAGES = {
    "too_short": N_("This prompt is too short to act on: every criterion is capped at “partial” until you say more."),
    "vague": N_("Replace vague words ({words}) with precise ones: what exactly, how many, for when."),
    "contradiction": N_("These instructions pull in opposite directions: “{first}” and “{second}”. Choose one."),
}

# Adjectives that describe many things besides a tone: they count only next to "tone"/"ton".
_AMBIGUOUS_TONE = frozenset(
    """positive direct dynamic serious calm light accessible neutral honest transparent measured corporate kind firm
    confident sober positif directe dynamique sérieux sérieuse calme léger légère neutre transparente mesuré mesurée
    ferme sobre humble sincère sincere""".split()
)
_FR_NOT_A_ROLE = frozenset(
    """prêt prête prêts sûr sûre libre libres invité invitée invités censé censée tenu tenue prié priée autorisé autorisée
    obligé obligée ici là bien très trop déjà encore toujours en à au dans sur sous capable capables responsable seul seule
    seuls d'accord"""
    .split()
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d+", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?\n]")
_CLAUSE_END = re.compile(r"[,;.!?\n(]")

Gettext = Callable[[str], str]
# Past this many cues of one kind the answer cannot change: stop looking (keeps long prompts fast).
_MAX_CANDIDATES = 25


@dataclass(frozen=True)
class Evidence:
    """The part of the prompt ``[start, end)`` that satisfied a criterion."""

    start: int
    end: int
    text: str


@dataclass
class CriterionResult:
    id: str
    label: str
    score: int
    evidence: Evidence | None
    advice: str
    weight: float = 0

    @property
    def met(self) -> bool:
        return self.score == MAX_SCORE

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "met": self.met,
            "score": self.score,
            "evidence": asdict(self.evidence) if self.evidence else None,
            "advice": self.advice,
            "weight": self.weight,
        }


@dataclass
class Flag:
    kind: str  # "too_short" | "vague" | "contradiction"
    message: str
    spans: list[Evidence] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "spans": [asdict(s) for s in self.spans]}


@dataclass
class RubricResult:
    lang: str
    score: int
    criteria: list[CriterionResult]
    flags: list[Flag]
    advice: list[str]

    def criterion(self, criterion_id: str) -> CriterionResult:
        return next(c for c in self.criteria if c.id == criterion_id)

    def scores(self) -> dict[str, int]:
        return {c.id: c.score for c in self.criteria}

    def as_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "score": self.score,
            "criteria": [c.as_dict() for c in self.criteria],
            "flags": [f.as_dict() for f in self.flags],
            "advice": list(self.advice),
        }


# ------------------------------------------------------------------ language


def detect_language(text: str) -> str:
    """``"fr"`` or ``"en"`` from the share of each language's stopwords (ties: accents decide)."""
    words = [w.lower().strip("'’") for w in _WORD.findall(text[:4000])]
    if not words:
        return "en"
    en = sum(w in EN.stopwords for w in words)
    fr = sum(w in FR.stopwords for w in words)
    if fr == en:
        return "fr" if re.search(r"[éèêàùçœ]", text, re.IGNORECASE) else "en"
    return "fr" if fr > en else "en"


# ------------------------------------------------------------------ helpers


def _phrase(text: str, start: int, end: int, limit: int = 120) -> Evidence:
    """Extend a cue to the end of its clause so the highlight reads as a phrase."""
    stop = _CLAUSE_END.search(text, end, min(len(text), end + limit))
    stop_at = stop.start() if stop else min(len(text), end + limit)
    stop_at = max(stop_at, end)
    while stop_at > start and text[stop_at - 1].isspace():
        stop_at -= 1
    return Evidence(start, stop_at, text[start:stop_at])


def _span(text: str, start: int, end: int) -> Evidence:
    return Evidence(start, end, text[start:end])


def _content_words(fragment: str, patterns: LanguagePatterns) -> list[str]:
    words = []
    for word in _WORD.findall(fragment):
        low = word.lower().strip("'’")
        if low in patterns.stopwords or low in patterns.vague_objects:
            continue
        if "'" in low or "’" in low:
            low = re.split(r"['’]", low)[-1]
            if not low or low in patterns.stopwords or low in patterns.vague_objects:
                continue
        if len(low) >= 3 or low.isdigit() or low.isupper():
            words.append(low)
    return words


# ------------------------------------------------------------------ criteria


def _task(text: str, p: LanguagePatterns) -> tuple[int, Evidence | None]:
    best: tuple[int, Evidence | None] = (0, None)
    for index, match in enumerate(p.task.finditer(text)):
        if index >= _MAX_CANDIDATES:
            break
        stop = _SENTENCE_END.search(text, match.end())
        rest = text[match.end():stop.start() if stop else len(text)]
        words = _content_words(" ".join(rest.split()[:16]), p)
        score = 2 if len(words) >= 2 else 1
        if score > best[0]:
            best = (score, _phrase(text, match.start(), match.end(), limit=100))
            if score == 2:
                break
    if best[0] < 2:
        for match in p.task_question.finditer(text):
            start = match.start() + len(match.group()) - len(match.group().lstrip(".!?\n \t"))
            score = 2 if len(_content_words(text[start:match.end()], p)) >= 3 else 1
            if score > best[0]:
                best = (score, _span(text, start, match.end()))
    return best


def _self_descriptions(text: str, p: LanguagePatterns):
    """"As a buyer, I..." / "En tant que cheffe d'équipe, je...": the learner's situation, i.e. context."""
    for match in p.role_as.finditer(text):
        following = match.group("next").lower()
        if following in p.self_subjects or following.startswith(("j'", "j’")):
            yield match


# A sentence runs to its end mark; a dot before a digit ("10.20", "1.2 M€") does not end it.
_SENTENCE = re.compile(r"(?:[^.!?;\n]|[.!?;](?=\d))+(?:[.!?;]|\n|$)")
_COLON = re.compile(r":(?!\d)")
_CLAUSE_START = re.compile(r"[.!?;:\n]")
_SENTENCE_BREAK = re.compile(r"[.!?;](?!\d)|\n")
_LONG_SENTENCE = 12
# Background read as sentences: this many content words of situation make the context clear.
_CLEAR_BACKGROUND_WORDS = 8
_SOME_BACKGROUND_WORDS = 3
_CHECKED_SEGMENT_WORDS = 6
_FORMAT_WINDOW = 40  # characters around a constraint cue searched for the format cue that holds it


def _segments(text: str) -> Iterable[tuple[int, int]]:
    """Sentences, each cut at its colons ("Context: …", "Notes: …", "Sections: …")."""
    for sentence in _SENTENCE.finditer(text):
        start = sentence.start()
        for colon in _COLON.finditer(text, sentence.start(), sentence.end()):
            yield start, colon.start()
            start = colon.end()
        yield start, sentence.end()


_CLAUSE_BREAK = re.compile(r"[,;]\s*")


def _opens_with_task(segment: str, p: LanguagePatterns) -> bool:
    """An imperative at the start of the segment or of one of its clauses ("As a buyer, write…"), or "I need a…"."""
    if p.task_start.match(segment):
        return True
    if any(p.task_start.match(segment, clause.end()) for clause in _CLAUSE_BREAK.finditer(segment)):
        return True
    return bool(p.task_want.search(segment))


def _is_request(segment: str, p: LanguagePatterns) -> bool:
    return bool(p.request_start.match(segment) or segment.rstrip().endswith("?") or _opens_with_task(segment, p)
                or p.role_hint.search(segment) and p.role.search(segment)
                or p.examples_hint.search(segment) and p.examples_strong.search(segment))


def _without_instructions(segment: str, p: LanguagePatterns) -> str:
    for pattern in (p.format_strong, p.format_weak, p.constraints_strong, p.constraints_weak, p.tone_cue,
                    p.tone_adjectives, p.tone_register, p.audience_strong, p.audience_marker):
        if pattern.search(segment):
            segment = pattern.sub(" ", segment)
    return segment


# In pasted notes a line may start with "no"/"pas de" and still be a fact ("no cleaning for 3 months").
_NOTE_NEGATIONS = frozenset(("no", "pas", "pas de", "sans"))


def _instruction(segment: str, p: LanguagePatterns, in_notes: bool = False) -> bool:
    """A segment that tells the model how to answer ("Use bullet points", "If …", "Évite …")."""
    match = p.instruction_start.match(segment)
    if not match:
        return False
    return not (in_notes and match.group().strip(" \t-•*>\n").lower() in _NOTE_NEGATIONS)


def _situation_words(segment: str, p: LanguagePatterns) -> int:
    """Content words of a segment that are not instructions.

    "Bullet points, max 80 words.", "Short, fun, with emojis", "Vouvoiement.": the words that ask
    for a format, a limit, a tone or a reader are instructions, not background. Only short
    segments are checked word by word: a long one states a situation whatever cue it holds,
    and skipping the check keeps long prompts fast.
    """
    words = _content_words(segment, p)
    if len(words) > _CHECKED_SEGMENT_WORDS or len(words) < _SOME_BACKGROUND_WORDS:
        return len(words)
    return len(_content_words(_without_instructions(segment, p), p))


def _background(text: str, p: LanguagePatterns, excluded: Sequence[tuple[int, int]] = ()) -> tuple[int, Evidence | None, list[tuple[int, int]]]:
    """Content words of the prompt's situation: what it states rather than asks.

    A segment counts when it is neither a request ("Write…", "Can you…", a question), nor
    an instruction about the answer ("Use bullet points", "Tone: warm"), nor a role. After
    an opener ("Context:", "Here are my notes:", "Voici les notes :", "… below:") the
    pasted lines count even when terse ("- travel costs +18% vs budget").
    """
    words = 0
    spans: list[tuple[int, int]] = []
    first: Evidence | None = None
    pasted = False  # inside notes opened by "Context:", "Here are my notes:", "… below:"
    after_colon = False  # the value of a label that is not an opener ("Sections: …", "My pitch: …")
    for start, end in _segments(text):
        segment = text[start:end]
        continues_sentence, after_colon = after_colon, text.startswith(":", end)
        if not segment.strip():
            continue
        opener = p.background_opener.search(segment) if after_colon else None
        if opener and not p.not_background.search(segment):
            pasted = True
            if not _is_request(segment, p):
                words += len(_content_words(segment[opener.end():], p))
            continue
        if pasted and not _instruction(segment, p, in_notes=True) and not _opens_with_task(segment, p):
            count = _situation_words(segment, p)
        elif p.background_forward.search(segment) and not after_colon and text.startswith("\n", end - 1 if segment.endswith("\n") else end):
            pasted = True  # "Base it only on the information below" (the notes follow on the next lines)
            continue
        elif continues_sentence or after_colon or _instruction(segment, p) or _is_request(segment, p):
            pasted = False
            continue
        else:
            count = _situation_words(segment, p)
        if count and any(s <= start and end <= e for s, e in excluded):
            continue  # a quoted sample of the output is an example, not background
        if count:
            words += count
            if count >= _SOME_BACKGROUND_WORDS:
                spans.append((start, end))
            if first is None:
                lead = len(segment) - len(segment.lstrip(" \t-•*>\n"))
                first = _phrase(text, start + lead, start + lead + 1, limit=60)
    return words, first, spans


def _context(text: str, p: LanguagePatterns) -> tuple[int, Evidence | None]:
    """Background the model cannot guess: stated situation, facts, dates, purpose, pasted notes."""
    score, evidence, _spans = _context_and_background(text, p, _examples(text, p))
    return score, evidence


def _context_and_background(text: str, p: LanguagePatterns, examples: tuple[int, Evidence | None]
                            ) -> tuple[int, Evidence | None, list[tuple[int, int]]]:
    """The context's score and evidence, and the spans of the prompt read as background.

    ``examples`` is the examples criterion's result: a quoted sample is not background.
    """
    example_score, example = examples
    excluded = [(example.start, example.end)] if example_score == MAX_SCORE and example else []
    cues = 0
    longest = 0  # words in the longest non-request sentence holding a situation cue
    first: Evidence | None = None
    for pattern in (p.context, p.context_facts, p.context_time, None):
        if cues >= 2:
            break  # two cues already make the context clear: the rest cannot change the score
        for match in pattern.finditer(text) if pattern is not None else _self_descriptions(text, p):
            if any(s <= match.start() < e for s, e in excluded) or _in_condition(text, match.start(), p):
                continue  # "100 days" inside a sample; "if something is missing"
            cues += 1
            start = match.start() + len(match.group()) - len(match.group().lstrip(".!?\n \t"))
            if pattern is p.context and longest < _LONG_SENTENCE:
                longest = max(longest, _sentence_words(text, start, p))
            if first is None or start < first.start:
                first = _phrase(text, start, match.end(), limit=60)
            if cues >= 2:
                break
    words, stated, spans = _background(text, p, excluded)
    if stated is not None and (first is None or stated.start < first.start):
        first = stated
    # Two pieces of background, or one sentence that really explains the situation, is clear context.
    if words >= _CLEAR_BACKGROUND_WORDS or cues >= 2 or longest >= _LONG_SENTENCE or (cues and words >= _SOME_BACKGROUND_WORDS):
        return 2, first, spans
    if cues or words >= _SOME_BACKGROUND_WORDS:
        return 1, first, spans
    return 0, None, spans


def _sentence_words(text: str, position: int, p: LanguagePatterns) -> int:
    """Words of the sentence around ``position`` unless it opens with a request ("Write…": not background)."""
    begin = max((m.end() for m in _SENTENCE_BREAK.finditer(text, max(0, position - 400), position)), default=max(0, position - 400))
    stop = _SENTENCE_BREAK.search(text, position)
    sentence = text[begin:stop.start() if stop else len(text)]
    return 0 if _opens_with_task(sentence, p) else len(_WORD.findall(sentence))


def _in_condition(text: str, position: int, p: LanguagePatterns) -> bool:
    """Whether ``position`` sits in a conditional clause ("If something is missing", "S'il manque…")."""
    begin = max((m.end() for m in _CLAUSE_START.finditer(text, max(0, position - 80), position)), default=max(0, position - 80))
    return bool(p.condition.search(text, begin, position))


def _role(text: str, p: LanguagePatterns) -> tuple[int, Evidence | None]:
    best: tuple[int, Evidence | None] = (0, None)
    for match in p.role.finditer(text):
        words = [w.lower() for w in _WORD.findall(match.group("what"))]
        if not words or words[0] in {"going", "able", "not", "welcome", "right", "allowed", "free", "sure", "invited",
                                     "en", "train", "invité", "invitée", "libre", "prié", "priée", "capable"}:
            continue
        if not match.group("article") and p is FR and words[0] not in _FR_NOT_A_ROLE and match.group().lower().startswith(("tu es", "vous êtes")):
            pass  # "Tu es contrôleur de gestion": French drops the article before a profession.
        elif not match.group("article") and words[0] not in {"expert", "experte", "senior", "specialist", "spécialiste",
                                                           "experienced", "seasoned"} and not match.group().rstrip().endswith(":"):
            # "You are going to..." or "tu es en retard": not a persona.
            if not match.group().lower().startswith(("act", "agis", "agissez", "joue", "jouez", "play", "take", "assume",
                                                     "adopt", "put", "incarne", "endosse", "prends", "prenez", "mets", "mettez")):
                continue
        generic = all(w in p.role_generic or w in p.stopwords for w in words[:3])
        score = 1 if generic else 2
        if score > best[0]:
            best = (score, _phrase(text, match.start(), match.end(), limit=60))
    if best[0] < 2:
        self_described = {m.start() for m in _self_descriptions(text, p)}
        for match in p.role_as.finditer(text):
            if match.start() in self_described:
                continue  # "As a buyer, I..." is the learner describing themself: context.
            start = match.start() + len(match.group()) - len(match.group().lstrip(".!?\n \t"))
            best = (2, _span(text, start, match.end("what")))
            break
    return best


_JOB_AD = re.compile(r"\b(?:job|ad|advert|vacancy|position|posting|opening|recruit\w*|hir\w+|annonce|offre|poste|recrut\w*|emploi)\b", re.IGNORECASE)
_OCCASION_AFTER = re.compile(r"'?s?\s+(?:meetings?|events?|building|day|lunch|sessions?|offsite|away[- ]day|reviews?|budgets?|size|performance|objectives|goals|results|spirit)\b", re.IGNORECASE)
_OCCASION_BEFORE = re.compile(r"\b(?:réunions?|séminaires?|événements?|journées?|budgets?|résultats|objectifs|esprit|repas|déjeuner)\s+(?:d'|de\s|du\s|des\s)", re.IGNORECASE)
_SCOPE_BEFORE = re.compile(r"\b(?:avantages|inconvénients|risques|impacts?|conséquences|enjeux|intérêt|benefits|risks|pros|cons|advantages|disadvantages|impacts?|implications)\b[^.?!\n]{0,40}$", re.IGNORECASE)
_INDEFINITE_AFTER_FOR = re.compile(r"^(?:for|pour)\s+(?:an?|une?)\s", re.IGNORECASE)


def _audience(text: str, p: LanguagePatterns) -> tuple[int, Evidence | None]:
    for match in p.audience_strong.finditer(text):
        # "a job ad for a team leader": the post being filled, not the reader.
        if _INDEFINITE_AFTER_FOR.match(match.group()) and _JOB_AD.search(text, max(0, match.start() - 40), match.start()):
            continue
        # "the agenda for the team meeting", "pour la réunion d'équipe": an occasion, not a reader.
        if _SCOPE_BEFORE.search(text, max(0, match.start() - 60), match.start()):
            continue  # "the risks for a sales team": the scope of the question, not its reader.
        if _OCCASION_AFTER.match(text, match.end("who")) or _OCCASION_BEFORE.search(match.group(), 0, match.start("who") - match.start()):
            continue
        return 2, _span(text, match.start(), match.end("who"))
    for match in p.audience_marker.finditer(text):
        who = _content_words(match.group("who"), p)
        if who and who[0] not in p.vague_objects:
            end = match.start("who") + len(match.group("who"))
            stop = _CLAUSE_END.search(text, match.start("who"), end)
            return 2, _span(text, match.start(), stop.start() if stop else end)
    match = p.audience_weak.search(text)
    if match:
        return 1, _span(text, match.start(), match.end())
    return 0, None


def _format(text: str, p: LanguagePatterns) -> tuple[int, Evidence | None]:
    match = p.format_strong.search(text)
    if match:
        return 2, _phrase(text, match.start(), match.end(), limit=60)
    match = p.format_weak.search(text)
    if match:
        return 1, _span(text, match.start(), match.end())
    return 0, None


def _constraints(text: str, p: LanguagePatterns, format_met: bool = False,
                 background: Sequence[tuple[int, int]] = ()) -> tuple[int, Evidence | None]:
    """Explicit rules for the answer.

    With ``format_met``, a span already credited as format ("5 bullet points") is not credited a
    second time here (a limit put on it, "at most 5 bullet points", still is). ``background``: the
    spans that state the situation; "payment at 60 days" or "I can give 5% max" there describe the
    world, not the answer.
    """
    for match in p.constraints_strong.finditer(text):
        if any(start <= match.start() < end for start, end in background):
            continue
        if format_met and _inside_format(text, match, p):
            continue
        return 2, _phrase(text, match.start(), match.end(), limit=80)
    match = p.constraints_weak.search(text)
    if match:
        return 1, _span(text, match.start(), match.end())
    return 0, None


def _inside_format(text: str, match: re.Match, p: LanguagePatterns) -> bool:
    """Whether ``match`` lies within a format cue ("5 bullet points" read as "5 … points")."""
    window_start = max(0, match.start() - _FORMAT_WINDOW)
    return any(cue.start() <= match.start() and match.end() <= cue.end()
               for cue in p.format_strong.finditer(text, window_start, min(len(text), match.end() + _FORMAT_WINDOW)))


def _examples(text: str, p: LanguagePatterns) -> tuple[int, Evidence | None]:
    match = p.examples_strong.search(text)
    if match:
        sample = text[match.end():match.end() + 200].split("\n\n")[0].rstrip()
        if len(sample.strip()) >= 20:
            return 2, _span(text, match.start(), match.end() + len(sample))
    match = p.examples_quote.search(text)
    if match:
        return 2, _span(text, match.start(), match.end())
    match = p.examples_weak.search(text)
    if match:
        return 1, _phrase(text, match.start(), match.end(), limit=60)
    return 0, None


def _tone(text: str, p: LanguagePatterns) -> tuple[int, Evidence | None]:
    match = p.tone_register.search(text)
    if match:
        return 2, _span(text, match.start(), match.end())
    cues = [m.span() for m in p.tone_cue.finditer(text)]
    clear: list[re.Match] = []
    plain: list[re.Match] = []
    for adjective in p.tone_adjectives.finditer(text):
        near_cue = any(abs(adjective.start() - c_end) <= 40 or abs(c_start - adjective.end()) <= 40 for c_start, c_end in cues)
        if near_cue:
            clear.append(adjective)
        elif adjective.group().lower() not in _AMBIGUOUS_TONE or p.tone_frame.search(text, max(0, adjective.start() - 30), adjective.start()):
            plain.append(adjective)
    if clear:
        first = clear[0]
        cue = min(cues, key=lambda c: abs(c[0] - first.start()))
        start, end = min(cue[0], first.start()), max(cue[1], first.end())
        return 2, _span(text, start, end)
    distinct = {m.group().lower() for m in plain}
    if len(distinct) >= 2:
        return 2, _span(text, plain[0].start(), plain[1].end()) if plain[1].start() - plain[0].end() < 60 else _span(text, plain[0].start(), plain[0].end())
    if plain:
        return 1, _span(text, plain[0].start(), plain[0].end())
    return 0, None


def _detect_all(text: str, p: LanguagePatterns) -> dict[str, tuple[int, Evidence | None]]:
    """Every criterion's (score, evidence); format is read before constraints so a span counts once."""
    found = {criterion: detector(text, p) for criterion, detector in _DETECTORS.items() if criterion not in ("context", "constraints")}
    context, evidence, background = _context_and_background(text, p, found["examples"])
    found["context"] = (context, evidence)
    found["constraints"] = _constraints(text, p, found["format"][0] == MAX_SCORE, background)
    return found


_DETECTORS = {
    "task": _task,
    "context": _context,
    "role": _role,
    "audience": _audience,
    "format": _format,
    "constraints": _constraints,
    "examples": _examples,
    "tone": _tone,
}


# ------------------------------------------------------------------ flags


def _flag_message(kind: str, _: Gettext) -> str:
    template = FLAG_MESSAGES[kind]
    return _(template)


def _flags(text: str, p: LanguagePatterns, word_count: int, _: Gettext) -> tuple[list[Flag], dict[str, int]]:
    flags: list[Flag] = []
    downgrades: dict[str, int] = {}
    if word_count < MIN_WORDS:
        flags.append(Flag("too_short", _flag_message("too_short", _)))
    # "If something is missing, say so" is a precise instruction: a vague word in a condition is not vague.
    vague = [m for m in p.vague.finditer(text) if not _in_condition(text, m.start(), p)]
    if vague:
        words = ", ".join(dict.fromkeys(f"“{m.group()}”" for m in vague))
        flags.append(Flag("vague", _flag_message("vague", _).format(words=words), [_span(text, m.start(), m.end()) for m in vague]))
    for first_pattern, second_pattern, criterion in (
        (p.short_words, p.long_words, "constraints"),
        (p.formal_words, p.casual_words, "tone"),
        (p.serious_words, p.funny_words, "tone"),
    ):
        first = first_pattern.search(text)
        second = second_pattern.search(text) if first else None
        if first and second:
            message = _flag_message("contradiction", _).format(first=first.group(), second=second.group())
            flags.append(Flag("contradiction", message, [_span(text, *first.span()), _span(text, *second.span())]))
            downgrades[criterion] = 1
    return flags, downgrades


# ------------------------------------------------------------------ scoring


def normalise_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """The scenario's weights completed with defaults; negative or non-numeric values are ignored."""
    result = dict(DEFAULT_WEIGHTS)
    for key, value in (weights or {}).items():
        if key in result and isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            result[key] = float(value)
    if not any(result.values()):
        return dict(DEFAULT_WEIGHTS)
    return result


def total_score(scores: Mapping[str, int], weights: Mapping[str, float] | None = None) -> int:
    """0-100 from per-criterion scores (0-2) and weights; the only place the total is computed."""
    weights = normalise_weights(weights)
    denominator = MAX_SCORE * sum(weights.values())
    numerator = sum(weights[c] * max(0, min(MAX_SCORE, int(scores.get(c, 0)))) for c in CRITERIA)
    return int(round(100 * numerator / denominator))


def _advice_for(criterion: str, score: int, hints: Mapping[str, str], _: Gettext, weight: float = 1) -> str:
    # A criterion the author weighted 0 does not count: advising on it would send the learner the wrong way.
    if score >= MAX_SCORE or not weight:
        return ""
    hint = (hints.get(criterion) or "").strip()
    example = hint if hint else _(GENERIC_EXAMPLES[criterion])
    return _(ADVICE[criterion][score]).format(example=example)


def mask_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each ``[start, end)`` replaced by as many spaces: offsets unchanged, words gone."""
    chars = list(text)
    for start, end in spans:
        for index in range(max(0, start), min(len(chars), end)):
            if chars[index] != "\n":
                chars[index] = " "
    return "".join(chars)


def _clip(evidence: Evidence, spans: Sequence[tuple[int, int]]) -> Evidence:
    """Stop a highlight before the first confidential span it would run into."""
    end = evidence.end
    for start, stop in spans:
        if evidence.start < stop and start < end:
            end = max(evidence.start, min(end, start))
    while end > evidence.start and evidence.text[end - evidence.start - 1:end - evidence.start].isspace():
        end -= 1
    return Evidence(evidence.start, end, evidence.text[:end - evidence.start]) if end > evidence.start else evidence


def analyze(prompt: str, lang: str | None = None, scenario: Mapping[str, Any] | None = None, advice_lang: str | None = None,
            *, terms: Iterable[str] = (), confidential: Iterable[tuple[int, int]] | None = None) -> RubricResult:
    """Score ``prompt`` on the eight criteria.

    ``lang`` is the prompt's language (detected when None); ``advice_lang`` the
    learner's interface language for the advice (default: the prompt's). A
    ``scenario`` may carry ``weights``, ``hints`` and ``confidential_terms``.

    Confidential items (``confidential``: the spans the scan found; when None the
    prompt is scanned here with ``terms`` and the scenario's terms) are never
    credited: they are blanked before any criterion is read, so a client's name,
    an e-mail or an IBAN cannot pass for context, and no highlight runs into one.
    """
    scenario = scenario or {}
    if confidential is None:
        all_terms = list(terms) + list(scenario.get("confidential_terms") or [])
        confidential = [(f.start, f.end) for f in scan(prompt or "", all_terms)]
    spans = sorted(confidential)
    text = (prompt or "").replace("’", "'")
    if spans:
        text = mask_spans(text, spans)
    lang = normalize_language(lang) if lang else detect_language(text)
    patterns = BY_LANG[lang]
    _ = gettext_for(advice_lang or lang)
    weights = normalise_weights(scenario.get("weights"))
    hints = scenario.get("hints") or {}
    word_count = len(_WORD.findall(text))

    flags, downgrades = _flags(text, patterns, word_count, _)
    cap = 1 if word_count < MIN_WORDS else MAX_SCORE
    found = _detect_all(text, patterns) if text.strip() else {c: (0, None) for c in CRITERIA}
    results = []
    for criterion in CRITERIA:
        score, evidence = found[criterion]
        score = max(0, min(cap, score - downgrades.get(criterion, 0)))
        if evidence is not None:
            evidence = Evidence(evidence.start, evidence.end, prompt[evidence.start:evidence.end])
            if spans:
                evidence = _clip(evidence, spans)
        if score == 0:
            evidence = None
        results.append(CriterionResult(criterion, _(LABELS[criterion]), score, evidence,
                                       _advice_for(criterion, score, hints, _, weights[criterion]), weights[criterion]))
    return _finish(lang, results, flags, weights)


def _finish(lang: str, results: list[CriterionResult], flags: list[Flag], weights: Mapping[str, float]) -> RubricResult:
    score = total_score({c.id: c.score for c in results}, weights)
    by_impact = sorted((c for c in results if c.advice), key=lambda c: -(weights[c.id] * (MAX_SCORE - c.score)))
    advice = [f.message for f in flags if f.kind in ("too_short", "contradiction")]
    advice += [c.advice for c in by_impact]
    advice += [f.message for f in flags if f.kind == "vague"]
    return RubricResult(lang, score, results, flags, advice)


def apply_adjustments(result: RubricResult, adjustments: Mapping[str, int], scenario: Mapping[str, Any] | None = None,
                      advice_lang: str | None = None) -> RubricResult:
    """Move each criterion by at most one step (an LLM's judgment) and recompute the total in code.

    A judgment outside -1..+1 is clipped: a model can refine the offline reading,
    never override it, so a prompt that talks the model into "full marks" gains at
    most one step per criterion it actually addresses (and the adapter only sends
    judgments it could parse against fixed anchors).
    """
    scenario = scenario or {}
    _ = gettext_for(advice_lang or result.lang)
    weights = normalise_weights(scenario.get("weights"))
    hints = scenario.get("hints") or {}
    criteria = []
    for c in result.criteria:
        step = adjustments.get(c.id, 0)
        step = max(-1, min(1, int(step))) if isinstance(step, (int, float)) and not isinstance(step, bool) else 0
        score = max(0, min(MAX_SCORE, c.score + step))
        criteria.append(CriterionResult(c.id, c.label, score, c.evidence, _advice_for(c.id, score, hints, _, weights[c.id]), c.weight))
    return _finish(result.lang, criteria, list(result.flags), weights)


def criteria_gained(before: Mapping[str, int], after: Mapping[str, int]) -> list[str]:
    """Criteria whose score rose between two attempts (the learner's progress)."""
    return [c for c in CRITERIA if after.get(c, 0) > before.get(c, 0)]


def labels(lang: str) -> dict[str, str]:
    _ = gettext_for(lang)
    return {c: _(LABELS[c]) for c in CRITERIA}


__all__: Iterable[str] = [
    "CRITERIA",
    "DEFAULT_WEIGHTS",
    "CriterionResult",
    "Evidence",
    "Flag",
    "RubricResult",
    "analyze",
    "apply_adjustments",
    "criteria_gained",
    "detect_language",
    "labels",
    "normalise_weights",
    "total_score",
]
