"""CSV cells a spreadsheet will show as text, never run as a formula (OWASP "CSV Injection").

Why one helper for every export: names, titles and platform messages in our CSVs come
from people we do not control (the LMS's user names, authors, the platform's error
text). Excel, LibreOffice and Google Sheets start a formula at ``=``, ``+``, ``-``,
``@``, and older Excel at ``|`` (DDE); they also skip leading spaces, tabs, line
breaks and other invisible characters before deciding, and some map the full-width
forms (``＝`` U+FF1D, ``＋`` U+FF0B, ``－`` U+FF0D, ``＠`` U+FF20, ``｜`` U+FF5C) to
the ASCII ones. OWASP's advice is to prefix such a cell with a single quote, which
every spreadsheet displays as text; we do that for any cell whose first character
is a trigger, a compatibility form of one (NFKC), whitespace or a control/format
character. Our own numbers are written as numbers and never pass through here.
"""

from __future__ import annotations

import unicodedata

FORMULA_TRIGGERS = frozenset("=+-@|\t\r\n")
_EXTRA_TRIGGERS = frozenset("\u2212")  # MINUS SIGN, which NFKC leaves as is but spreadsheets read as "-"
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def starts_like_a_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (or skip what hides one)."""
    if not text:
        return False
    first = text[0]
    if first in FORMULA_TRIGGERS or first in _EXTRA_TRIGGERS:
        return True
    if unicodedata.category(first) in _INVISIBLE_CATEGORIES:
        return True
    folded = unicodedata.normalize("NFKC", first)[:1]
    return folded in FORMULA_TRIGGERS


def safe_cell(value: object) -> str:
    """``value`` as CSV cell text, with a leading ``'`` when it could start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if starts_like_a_formula(text) else text
