"""Spot confidential data in a learner's prompt before anything leaves the machine.

Why hand-written patterns rather than an NER stack: the kinds that matter most at
work (bank details, card numbers, social security numbers, API keys) carry a
checksum or a fixed prefix, so a precompiled regex plus the checksum is both more
precise and two orders of magnitude faster than a general-purpose analyzer. A
number whose checksum fails is *not* reported: a learner who types a made-up order
number must not be told they leaked a card.

Each kind has one precompiled pattern and one pass over the text; overlapping
findings are resolved by a fixed priority (a card number inside a secret is the
secret). Person names are out of scope here; :mod:`.sensitive_ner` adds them when
the optional ``ner`` extra is installed.

The matched text is kept on the finding (the block needs it to highlight) but out
of ``repr`` and :meth:`Finding.as_dict`, so logging a finding never logs the data.
"""

from __future__ import annotations

import ipaddress
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

KINDS: tuple[str, ...] = ("email", "phone", "iban", "payment_card", "fr_nir", "secret", "ip_address", "term")

# "person" comes only from the optional NER extra (:mod:`.sensitive_ner`), off by default.
OPTIONAL_KINDS: tuple[str, ...] = ("person",)

# When two findings overlap, the one of the earlier kind wins (then the longer).
PRIORITY: dict[str, int] = {kind: rank for rank, kind in enumerate(("secret", "iban", "payment_card", "fr_nir", "email", "ip_address", "phone", "term", "person"))}

PLACEHOLDERS: dict[str, str] = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "iban": "[IBAN]",
    "payment_card": "[PAYMENT_CARD]",
    "fr_nir": "[FR_NIR]",
    "secret": "[SECRET]",
    "ip_address": "[IP_ADDRESS]",
    "term": "[TERM]",
    "person": "[PERSON]",
}

# High-entropy tokens: a run of at least MIN_TOKEN_LENGTH token characters, mixing
# letters and digits, whose Shannon entropy per character reaches the threshold.
# 4.0 bits/char: a random base-62 string of 24+ characters scores 4.2-4.6, while
# words glued together ("customer_segmentation_2024_v2") stay near 3.5-3.9 and
# product codes ("AB12AB12AB12AB12AB12") far below. Hex-only strings (keys printed
# as hex) carry at most 4 bits/char, so they get their own threshold of 3.0 from
# 32 characters up; UUIDs are identifiers, not secrets, and are skipped.
MIN_TOKEN_LENGTH = 24
ENTROPY_THRESHOLD = 4.0
HEX_MIN_LENGTH = 32
HEX_ENTROPY_THRESHOLD = 3.0


@dataclass(frozen=True)
class Finding:
    """One piece of confidential data: its kind and half-open character span ``[start, end)``."""

    kind: str
    start: int
    end: int
    text: str = field(default="", repr=False, compare=False)

    @property
    def placeholder(self) -> str:
        return PLACEHOLDERS[self.kind]

    def as_dict(self, with_text: bool = False) -> dict:
        """JSON-ready; the matched text only on explicit request (never in logs)."""
        data = {"kind": self.kind, "start": self.start, "end": self.end}
        if with_text:
            data["text"] = self.text
        return data


# --------------------------------------------------------------------------- patterns

# RFC 5322 "atext" (letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~) plus dots in the local part:
# "o'brien@…", "a+tag@…", "x/y=z@…" are real addresses. The run is taken greedily and then trimmed
# (:func:`_email_start`) of what prose or a configuration line puts before it.
_EMAIL_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~-]"
_EMAIL = re.compile(
    r"(?<!%s)%s+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,24}(?![\w-])" % (_EMAIL_LOCAL, _EMAIL_LOCAL)
)
# "EMAIL=jean@…" / "contact='jean@…'": a configuration key glued to the address by "=" is not part of it.
_EMAIL_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z_.-]*=")

# French numbers come in pairs with one consistent separator ("06 12 34 56 78", "01.23.45.67.89",
# "0612345678"); a run of 4-digit groups is a card or account number, not a phone.
_PHONE_FR = re.compile(r"(?<![\w+/.,-])(?<!\d[ .-])0[1-9]([ .-]?)\d{2}(?:\1\d{2}){3}(?![\w/]|[.,]\d|[ .-]\d)")
_PHONE_INTL = re.compile(
    r"(?<![\w+])(?:\+|(?<!\d[ .-])00)(?:\(?[1-9]\d{0,2}\)?)[ .-]?(?:\(0\)[ .-]?)?(?:\(\d{1,4}\)|\d{1,4})(?:[ .-]?\d{2,4}){1,5}(?![\w/]|[.,]\d)"
)
# A number right after one of these words or signs is a reference or an amount, not a phone.
_REFERENCE_WORDS = frozenset(
    "order orders invoice invoices inv po ref réf refs reference référence commande commandes cde cdes "
    "facture factures fact ticket tickets dossier dossiers contract contracts contrat contrats account "
    "accounts compte comptes siret siren tva vat lot lots batch serial sku article item items case client "
    "customer id no nr".split()
)
_REFERENCE_SIGNS = "#°№€$£"
_SEPARATORS = " \t\u00a0:.=-"
_PHONE_CUE = re.compile(r"(?<!\[)\b(?:t[ée]l|t[ée]l[ée]phone|phone|mobile|portable|cell|fax|gsm|call|appel\w*|joindre|whatsapp)\b(?!\])", re.IGNORECASE)
_PRICE_AFTER = re.compile(r"^\s?(?:€|eur\b|euros?\b|\$|usd\b|£|gbp\b|chf\b|k€|m€|%)", re.IGNORECASE)

_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}(?![\w])", re.IGNORECASE)
# Length of the IBAN for the countries we are most likely to meet; others are
# checked on the whole match.
_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20,
    "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MA": 28, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28,
    "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26,
}

_CARD = re.compile(
    r"(?<![\w-])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|3[47]\d{2}([ -])\d{6}\2\d{5}|\d{13,19})(?![\w]|-\d)"
)
_CARD_IIN = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6(?:011|5|4[4-9]|2)|35)")

_NIR = re.compile(
    r"(?<![\w])([12378]) ?(\d{2}) ?(0[1-9]|1[0-2]|[2-9]\d) ?(\d{2}|2[AB]) ?(\d{3}) ?(\d{3}) ?(\d{2})(?![\w])",
    re.IGNORECASE,
)

_SECRET_PREFIXED = re.compile(
    r"(?<![\w-])(?:"
    r"sk-(?:proj-|ant-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"
    r"|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{30,}"
    r"|github_pat_[A-Za-z0-9_]{22,}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|whsec_[A-Za-z0-9+/=]{20,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|AIza[0-9A-Za-z_-]{35}"
    r"|glpat-[A-Za-z0-9_-]{20,}"
    r"|hf_[A-Za-z0-9]{30,}"
    r"|npm_[A-Za-z0-9]{36}"
    r"|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"
    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
    r")(?![\w-])"
    r"|-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z]+ )*PRIVATE KEY-----|$)"
)
# A password said in words: "password: …", "the VPN password is …", "le mot de passe du PC est …",
# "mdp = …", "pwd …". Up to four words may sit between the word and the sign ("password for the
# supervision PC is …"); the value is what follows, quoted or not.
_SECRET_WORDS = (
    r"passwords?|passwd|pwd|passcode|passphrase|pass ?word|mots? de passe|mdp|secret|api[ _-]?key|token|"
    r"access[ _-]?key|cl[ée]s? d'api|cl[ée]s? api|code d'acc[èe]s|access code|pin(?: code)?|code pin"
)
# Where a secret's word may start: a cheap pass over the text before the full pattern is tried there.
_SECRET_WORD_START = re.compile(r"(?<![\w-])(?:pass|pwd|mdp|mots? de|secret|api|token|access|cl[ée]|code|pin)", re.IGNORECASE)
_SECRET_ASSIGNED = re.compile(
    r"(?<![\w-])(?:%s)(?![\w-])"
    r"(?P<owner>(?:\s+(?!(?:is|est|c'est|=)\b)[^\s:=\"'«]{1,30}){0,4}?)"
    r"\s*(?P<sign>[:=]|\bis\b|\best\b|\bc'est\b|\bwill be\b|\bsera\b)\s*"
    r"(?P<quote>[\"'«“`]?)\s*(?P<value>[^\s\"'»”`]{4,})" % _SECRET_WORDS,
    re.IGNORECASE,
)
# A configuration line: NAME=value, "key": "value", YAML key: value. The key must *end* with a
# secret's name (DB_PASSWORD, apiKey, client_secret, AWS_SECRET_ACCESS_KEY, mot_de_passe), so
# "password_min_length: 12" or "token_expiry=3600" are settings, not secrets.
# Read from each "=" or ":" (few in a prompt) rather than from every word: the key just before
# the sign, then the value just after it.
_CONFIG_SIGN = re.compile(r"=|:(?!//)")
_CONFIG_KEY = re.compile(r"(?:^|(?<=[^\w.-]))[\"']?(?P<key>[A-Za-z][A-Za-z0-9_.-]{0,60})[\"']?\s*$")
_CONFIG_VALUE = re.compile(r"[ \t]*(?:\"(?P<dq>[^\"\n]+)\"|'(?P<sq>[^'\n]+)'|(?P<bare>[^\s\"',;]+))")
# Cheap test before the configuration-line pattern: no secret-like key name, no configuration secret.
_SECRET_KEY_HINT = re.compile(r"pass|pwd|secret|token|key|mdp|credential|pin", re.IGNORECASE)
_KEY_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_SECRET_KEY_ENDS = frozenset(
    "password passwd pwd pass passphrase passcode secret token mdp passe credential credentials apikey pin".split()
)
_KEY_QUALIFIERS = frozenset("api secret private access signing encryption auth client master license licence".split())
# Values that stand for a secret without being one: "required", "${DB_PASSWORD}", "<your key>", "***".
_NOT_A_VALUE = re.compile(
    r"^(?:\$\{[\w.-]+\}|\$[A-Z_][A-Z0-9_]*|%\([\w.-]+\)[sd]|%[A-Za-z_]\w*%|<[^>]*>?|\{\{.*\}\}|\[[A-Z_]+\]|\*+|x+|\.+|null|none|nil|true|false|yes|no|"
    r"required|optional|obligatoire|facultatif|changeme_?|todo|tbd|n/?a|empty|vide|secret|password|mot de passe)$",
    re.IGNORECASE,
)
# After "is"/"est", or when the sentence goes on after it, a plain word is more often a state or
# prose ("the password is required", "password: check the vault") than the password: then the value
# must look like one (a digit, a sign or an inner capital).
_LOOKS_LIKE_PASSWORD = re.compile(r"[\d\W_]|.[A-Z]")
_PROSE_GOES_ON = re.compile(r"[ \t]+[^\W\d_]")


def _plain_word_in_prose(text: str, end: int, value: str) -> bool:
    return not _LOOKS_LIKE_PASSWORD.search(value) and bool(_PROSE_GOES_ON.match(text, end))
_TOKEN = re.compile(r"(?<![\w+/=-])[A-Za-z0-9+/_=-]{%d,}(?![\w+/=-])" % MIN_TOKEN_LENGTH)
_TOKEN_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*=(?=[^=])")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_SEGMENTS = re.compile(r"[-_./+=]+")
_VERSION_BEFORE = re.compile(r"\b(?:version|ver\.?|v)\s*$", re.IGNORECASE)

_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_PLACEHOLDER = re.compile(r"\[(?:%s)\]" % "|".join(p[1:-1] for p in PLACEHOLDERS.values()))


# --------------------------------------------------------------------------- checksums


def iban_valid(compact: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    compact = compact.upper()
    if not (15 <= len(compact) <= 34) or not compact[:2].isalpha() or not compact[2:4].isdigit() or not compact.isalnum():
        return False
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def nir_valid(number: str) -> bool:
    """French NIR: key = 97 - (first 13 characters mod 97); Corsica 2A -> 19, 2B -> 18."""
    number = number.upper().replace(" ", "")
    if len(number) != 15:
        return False
    body, key = number[:13], number[13:]
    body = body[:5] + {"2A": "19", "2B": "18"}.get(body[5:7], body[5:7]) + body[7:]
    if not body.isdigit() or not key.isdigit():
        return False
    return 97 - int(body) % 97 == int(key)


def shannon_entropy(token: str) -> float:
    """Bits per character of ``token``'s own character distribution."""
    length = len(token)
    return -sum(count / length * math.log2(count / length) for count in Counter(token).values())


# --------------------------------------------------------------------------- one pass per kind


def _email_start(local: str) -> int:
    """How many characters of a matched local part belong to the prose before the address."""
    skip = 0
    assignment = _EMAIL_ASSIGNMENT.match(local)
    if assignment and assignment.end() < len(local):
        skip = assignment.end()
    while skip < len(local) and local[skip] in "'.`{|}~=":
        skip += 1
    return skip


def _emails(text: str) -> Iterator[Finding]:
    if "@" not in text:
        return
    for match in _EMAIL.finditer(text):
        local = match.group()[:match.group().index("@")]
        skip = _email_start(local)
        if skip >= len(local):
            continue
        start = match.start() + skip
        yield Finding("email", start, match.end(), text[start:match.end()])


def _is_reference_or_price(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 30):start]
    if "[" in before:  # "[PHONE]" left by an earlier redaction is not a cue that a phone follows
        before = _PLACEHOLDER.sub(" ", before)
    core = before.rstrip(_SEPARATORS)
    bare = core.rstrip(_REFERENCE_SIGNS + _SEPARATORS)
    # "invoice 06...", "invoice number 06...", "order no. 06...": look at the last two words.
    last_words = {w.strip("([{\"'.:").casefold() for w in bare.split()[-2:]}
    if (bare != core or last_words & _REFERENCE_WORDS) and not _PHONE_CUE.search(before):
        return True
    return bool(_PRICE_AFTER.match(text[end:end + 6]))


def _phones(text: str) -> Iterator[Finding]:
    for pattern in (_PHONE_FR, _PHONE_INTL):
        for match in pattern.finditer(text):
            start, end = match.span()
            digits = sum(c.isdigit() for c in match.group())
            if not 9 <= digits <= 15 or _is_reference_or_price(text, start, end):
                continue
            yield Finding("phone", start, end, match.group())


def _ibans(text: str) -> Iterator[Finding]:
    for match in _IBAN.finditer(text):
        raw = match.group()
        # Keep the number only: a trailing word ("FR76 ... 189 EUR") must not spoil the checksum.
        expected = _IBAN_LENGTHS.get(raw[:2].upper())
        offsets = [i for i, c in enumerate(raw) if c != " "]
        candidates = [expected] if expected else [len(offsets)]
        for length in candidates:
            if length is None or length > len(offsets):
                continue
            end = match.start() + offsets[length - 1] + 1
            if length < len(offsets) and text[end:end + 1] not in (" ", ""):
                continue
            compact = "".join(raw[i] for i in offsets[:length])
            if iban_valid(compact):
                yield Finding("iban", match.start(), end, text[match.start():end])


def _cards(text: str) -> Iterator[Finding]:
    for match in _CARD.finditer(text):
        digits = match.group().replace(" ", "").replace("-", "")
        if 13 <= len(digits) <= 19 and _CARD_IIN.match(digits) and luhn_valid(digits):
            yield Finding("payment_card", match.start(), match.end(), match.group())


def _nirs(text: str) -> Iterator[Finding]:
    for match in _NIR.finditer(text):
        if nir_valid("".join(match.groups())):
            yield Finding("fr_nir", match.start(), match.end(), match.group())


def _looks_random(token: str) -> bool:
    if _UUID.match(token):
        return False
    # A slug or file name ("risk-management-framework-2024-final") is words and numbers
    # glued by separators: random keys mix letters and digits inside their segments.
    pure = sum(len(seg) for seg in _SEGMENTS.split(token) if seg.isalpha() or seg.isdigit())
    if pure >= 0.8 * len(token):
        return False
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    if not (has_digit and has_alpha):
        return False
    if _HEX.match(token):
        return len(token) >= HEX_MIN_LENGTH and shannon_entropy(token) >= HEX_ENTROPY_THRESHOLD
    return shannon_entropy(token) >= ENTROPY_THRESHOLD


def _secret_key(key: str) -> bool:
    """``DB_PASSWORD``, ``apiKey``, ``client_secret``, ``mot_de_passe``: a name that ends with a secret's name."""
    parts = [part.lower() for part in _KEY_PARTS.findall(key)]
    if not parts:
        return False
    last = parts[-1]
    if last in _SECRET_KEY_ENDS:
        return last != "pass" or len(parts) > 1 or key.lower() == "pass"
    return last == "key" and any(part in _KEY_QUALIFIERS for part in parts[:-1])


def _trimmed_value(value: str) -> str:
    """The value without the sentence's own punctuation ("… is Soleil2024." keeps "Soleil2024")."""
    return value.rstrip(".,;:)")


def _secrets(text: str) -> Iterator[Finding]:
    for match in _SECRET_PREFIXED.finditer(text):
        yield Finding("secret", match.start(), match.end(), match.group())
    lowered = text.lower()
    if any(word in lowered for word in ("pass", "pwd", "mdp", "secret", "key", "token", "clé", "cle", "code", "pin")):
        yield from _assigned_secrets(text)
    if ("=" in text or ":" in text) and _SECRET_KEY_HINT.search(text):
        for match in _config_assignments(text):
            group = next(g for g in ("dq", "sq", "bare") if match.group(g) is not None)
            value = match.group(group).strip()
            if group == "bare":
                value = _trimmed_value(value)
            start = match.start(group) + match.group(group).index(value)
            if len(value) < 4 or _NOT_A_VALUE.match(value) or group == "bare" and _plain_word_in_prose(text, start + len(value), value):
                continue
            yield Finding("secret", start, start + len(value), value)
    for match in _TOKEN.finditer(text):
        raw = match.group()
        # "NAME=value" glued into one run: the key is not part of the secret (base64 "=" only pads the end).
        assignment = _TOKEN_ASSIGNMENT.match(raw)
        offset = assignment.end() if assignment else 0
        token = raw[offset:].strip("=-_/+")
        if len(token) >= MIN_TOKEN_LENGTH and _looks_random(token):
            start = match.start() + offset + raw[offset:].index(token)
            yield Finding("secret", start, start + len(token), token)


def _config_assignments(text: str) -> Iterator[re.Match]:
    """The value matches of ``KEY=value`` / ``"key": "value"`` / ``key: value`` whose key names a secret."""
    for sign in _CONFIG_SIGN.finditer(text):
        key = _CONFIG_KEY.search(text, max(0, sign.start() - 66), sign.start())
        if key is None or not _secret_key(key.group("key")):
            continue
        value = _CONFIG_VALUE.match(text, sign.end())
        if value is not None:
            yield value


def _assigned_secrets(text: str) -> Iterator[Finding]:
    position = 0
    for hint in _SECRET_WORD_START.finditer(text):
        if hint.start() < position:
            continue
        match = _SECRET_ASSIGNED.match(text, hint.start())
        if match is None:
            continue
        # A rejected value may itself start the real one ("access code for the PC: password: …").
        position = match.start("value")
        value = match.group("value")
        if not match.group("quote"):
            value = _trimmed_value(value)
        if len(value) < 4 or value.startswith("[") or _NOT_A_VALUE.match(value):
            continue
        start = match.start("value")
        in_words = match.group("sign")[0].isalpha()
        if not match.group("quote") and (
            in_words and not _LOOKS_LIKE_PASSWORD.search(value) or _plain_word_in_prose(text, start + len(value), value)
        ):
            continue
        position = match.end()
        yield Finding("secret", start, start + len(value), value)


def _ip_addresses(text: str) -> Iterator[Finding]:
    for match in _IPV4.finditer(text) if "." in text else ():
        if _VERSION_BEFORE.search(text[max(0, match.start() - 9):match.start()]):
            continue
        try:
            ipaddress.IPv4Address(match.group())
        except ValueError:
            continue
        yield Finding("ip_address", match.start(), match.end(), match.group())
    if ":" not in text:
        return
    for match in _IPV6.finditer(text):
        candidate = match.group()
        if sum(c.isalnum() for c in candidate) < 2:
            continue
        try:
            ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        yield Finding("ip_address", match.start(), match.end(), candidate)


# --------------------------------------------------------------------------- organisation terms


def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, combining marks dropped, casefolded."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return fold(char)


def _folded_with_map(text: str) -> tuple[str, list[int] | None]:
    """``text`` folded, and for each folded character the index of its source (None: identity)."""
    if text.isascii():
        return text.lower(), None
    parts: list[str] = []
    origin: list[int] = []
    cursor = 0
    for match in _NON_ASCII.finditer(text):
        start, end = match.span()
        parts.append(text[cursor:start].lower())
        origin.extend(range(cursor, start))
        for index in range(start, end):
            folded = _fold_char(text[index])
            parts.append(folded)
            origin.extend([index] * len(folded))
        cursor = end
    parts.append(text[cursor:].lower())
    origin.extend(range(cursor, len(text)))
    return "".join(parts), origin


@lru_cache(maxsize=256)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    alternatives = []
    for term in terms:
        words = fold(term).split()
        if words:
            alternatives.append(r"\s+".join(re.escape(w) for w in words))
    if not alternatives:
        return None
    alternatives.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(alternatives))


def _terms(text: str, terms: tuple[str, ...]) -> Iterator[Finding]:
    pattern = _terms_pattern(terms)
    if pattern is None:
        return
    folded, origin = _folded_with_map(text)
    placeholders = [m.span() for m in _PLACEHOLDER.finditer(text)] if "[" in text else []
    for match in pattern.finditer(folded):
        start, end = match.span()
        if origin is not None:
            start, end = origin[start], origin[end - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
        if any(s <= start and end <= e for s, e in placeholders):
            continue
        yield Finding("term", start, end, text[start:end])


# --------------------------------------------------------------------------- public API

_SCANNERS = {
    "email": _emails,
    "phone": _phones,
    "iban": _ibans,
    "payment_card": _cards,
    "fr_nir": _nirs,
    "secret": _secrets,
    "ip_address": _ip_addresses,
}


def _normalise_terms(terms: Iterable[str] | None) -> tuple[str, ...]:
    if not terms:
        return ()
    if isinstance(terms, str):
        terms = [terms]
    return tuple(sorted({t.strip() for t in terms if t and t.strip()}))


def scan(text: str, terms: Iterable[str] | None = None, kinds: Iterable[str] | None = None, ner: bool = False) -> list[Finding]:
    """Every confidential item of ``text``, non-overlapping, in reading order.

    ``terms`` are the organisation's own confidential words (client names, code
    names), matched on word boundaries whatever the case and accents. ``kinds``
    restricts the scan (default: all). ``ner`` adds person names when the optional
    extra is installed (see :mod:`.sensitive_ner`).
    """
    if not text:
        return []
    wanted = set(KINDS if kinds is None else kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds: {', '.join(sorted(unknown))}")
    found: list[Finding] = []
    for kind, scanner in _SCANNERS.items():
        if kind in wanted:
            found.extend(scanner(text))
    folded_terms = _normalise_terms(terms)
    if "term" in wanted and folded_terms:
        found.extend(_terms(text, folded_terms))
    if ner:
        from .sensitive_ner import find_persons

        found.extend(find_persons(text))
    return _resolve_overlaps(found)


def _resolve_overlaps(found: list[Finding]) -> list[Finding]:
    if len(found) < 2:
        return found
    kept: list[Finding] = []
    for finding in sorted(found, key=lambda f: (PRIORITY[f.kind], f.start - f.end, f.start)):
        if all(finding.end <= k.start or k.end <= finding.start for k in kept):
            kept.append(finding)
    kept.sort(key=lambda f: (f.start, f.end))
    return kept


def redact(text: str, findings: Sequence[Finding]) -> str:
    """``text`` with each finding replaced by its placeholder (``[EMAIL]``, ``[IBAN]``...)."""
    parts: list[str] = []
    cursor = 0
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if finding.start < cursor:
            # Overlaps the previous one (only possible with a hand-made list): extend it.
            cursor = max(cursor, finding.end)
            continue
        parts.append(text[cursor:finding.start])
        parts.append(PLACEHOLDERS[finding.kind])
        cursor = finding.end
    parts.append(text[cursor:])
    return "".join(parts)


def scan_and_redact(text: str, terms: Iterable[str] | None = None, ner: bool = False) -> tuple[str, list[Finding]]:
    """The redacted text and the findings; rescans once so a redaction never leaves a finding behind."""
    findings = scan(text, terms, ner=ner)
    redacted = redact(text, findings)
    for _ in range(2):
        leftovers = scan(redacted, terms)
        if not leftovers:
            break
        redacted = redact(redacted, leftovers)
    return redacted, findings


def summarise(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts per kind, safe to log."""
    return dict(Counter(f.kind for f in findings))


__all__ = [
    "ENTROPY_THRESHOLD",
    "KINDS",
    "PLACEHOLDERS",
    "Finding",
    "fold",
    "iban_valid",
    "luhn_valid",
    "nir_valid",
    "redact",
    "scan",
    "scan_and_redact",
    "shannon_entropy",
    "summarise",
]
