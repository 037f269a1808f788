"""French everywhere: the catalogs hold every string of the sources, French is complete, nothing bypasses gettext.

* The ``.pot`` templates are compared with what ``translations/catalog_tool.py`` extracts from
  the sources right now (same keywords, same method map): a string added to Python, a
  template or JavaScript without ``make extract_translations`` fails here.
* ``catalog_tool.py check`` must pass: every entry of the templates has a French
  translation, none empty, none fuzzy.
* Lints for what extraction cannot see: user-visible English hard-coded in JavaScript (outside
  ``gettext``/``t``/``ngettext``), text in the Jinja2 templates outside ``_()``/``{% trans %}``,
  and user errors raised with a literal message instead of a translated one.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[2]
JS_DIR = ROOT / "static" / "js"
TEMPLATE_DIRS = [ROOT / "ldai_xblocks" / "templates", ROOT / "lti_tool" / "templates"]
PYTHON_DIRS = [ROOT / "ldai_xblocks", ROOT / "lti_tool"]


def load_catalog_tool():
    spec = importlib.util.spec_from_file_location("catalog_tool", ROOT / "translations" / "catalog_tool.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


catalog_tool = load_catalog_tool()


def msgid_key(message_id) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def extracted(domain: str) -> dict[str, str]:
    """msgid -> first place it appears, extracted from the sources as `extract` does (nothing written)."""
    found: dict[str, str] = {}
    keywords = catalog_tool.JS_KEYWORDS if domain == "textjs" else catalog_tool.KEYWORDS
    for root, method_map in catalog_tool.SOURCES[domain]:
        if not root.is_dir():
            continue
        for filename, lineno, message, _comments, _context in extract_from_dir(
            str(root), method_map, options_map=catalog_tool.OPTIONS, keywords=keywords, comment_tags=("Translators:",)
        ):
            key = msgid_key(message)
            if key:
                found.setdefault(key, f"{(root / filename).relative_to(ROOT)}:{lineno}")
    return found


def read_catalog(path: Path, locale: str) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


@pytest.mark.parametrize("domain", sorted(catalog_tool.SOURCES))
def test_every_string_of_the_sources_is_in_the_catalog_template(domain):
    in_sources = extracted(domain)
    template = read_catalog(ROOT / "translations" / f"{domain}.pot", "en")
    in_template = {msgid_key(m.id) for m in template if m.id}
    missing = sorted(set(in_sources) - in_template)
    assert not missing, (
        f"{len(missing)} string(s) of the sources are not in translations/{domain}.pot: run `make extract_translations`, "
        "then translate them (catalog_tool.py set-fr). First ones: "
        + "; ".join(f"{m!r} ({in_sources[m]})" for m in missing[:8])
    )
    stale = sorted(in_template - set(in_sources))
    assert not stale, f"translations/{domain}.pot has strings no source uses any more: run `make extract_translations`. {stale[:8]}"


@pytest.mark.parametrize("domain", sorted(catalog_tool.SOURCES))
def test_language_catalogs_follow_the_template(domain):
    template = {msgid_key(m.id) for m in read_catalog(ROOT / "translations" / f"{domain}.pot", "en") if m.id}
    for lang in catalog_tool.LANGS:
        catalog = {msgid_key(m.id) for m in read_catalog(ROOT / "translations" / lang / "LC_MESSAGES" / f"{domain}.po", lang) if m.id}
        missing = sorted(template - catalog)
        assert not missing, f"{lang}/{domain}.po lacks {len(missing)} entries of the template: run `make extract_translations`. {missing[:8]}"


def test_french_catalog_is_complete(capsys):
    """``catalog_tool.py check``: no French entry missing, empty or fuzzy."""
    status = catalog_tool.check()
    problems = capsys.readouterr().out.strip().splitlines()
    assert status == 0 and not problems, (
        f"{len(problems)} French entr(y/ies) to write (JSON {{msgid: French}} then `catalog_tool.py set-fr FILE`):\n"
        + "\n".join(problems[:25])
    )


def test_french_translations_keep_the_placeholders():
    """A French string that drops or renames ``{score}`` would show the raw braces or crash ``format``."""
    wrong = []
    for domain in catalog_tool.SOURCES:
        for message in read_catalog(ROOT / "translations" / "fr" / "LC_MESSAGES" / f"{domain}.po", "fr"):
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            expected = set(re.findall(r"\{\w*\}|%\(\w+\)[sd]", ids[-1])) | set(re.findall(r"\{\w*\}|%\(\w+\)[sd]", ids[0]))
            for text in strings:
                if text and not set(re.findall(r"\{\w*\}|%\(\w+\)[sd]", text)) <= expected:
                    wrong.append((domain, ids[0], text))
                if text and len(ids) == 1 and set(re.findall(r"\{\w*\}|%\(\w+\)[sd]", text)) != expected:
                    wrong.append((domain, ids[0], text))
    assert not wrong, "French strings whose placeholders differ from the English ones:\n" + "\n".join(map(repr, wrong[:15]))


# ---------------------------------------------------------------------------- JavaScript lint
GETTEXT_CALL = re.compile(r"(?:\b(?:gettext|ngettext|t)|\.gettext|\.ngettext)\s*\(\s*$")
# Not prose for people: the strict-mode directive, and language names written in their own language
# (a language picker lists "English" and "Français" so each reader finds theirs: W3C i18n advice).
NOT_PROSE = {"use strict", "English", "Français"}
KEY_NAMES = {"Enter", "Escape", "Tab", "Home", "End", "Space", "Backspace", "Delete", "Spacebar", "Shift", "Control", "Alt", "Meta"}
WORD = re.compile(r"^[(“\"'«]*[A-Za-zÀ-ÿ]+(?:['’][A-Za-zÀ-ÿ]+)?[)”\"'»]*[.,;:!?…]*$")


def js_string_literals(source: str) -> list[tuple[int, str, str]]:
    """(line, literal text, code before it on the line) for every string literal, comments and regexes skipped."""
    literals = []
    i, line, n = 0, 1, len(source)
    last_significant = ""
    while i < n:
        ch = source[i]
        if ch == "\n":
            line += 1
            i += 1
        elif source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end == -1 else end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            end = n if end == -1 else end + 2
            line += source.count("\n", i, end)
            i = end
        elif ch in "'\"`":
            start = i
            i += 1
            while i < n and source[i] != ch:
                i += 2 if source[i] == "\\" else 1
            text = source[start + 1:i]
            before = source[source.rfind("\n", 0, start) + 1:start]
            literals.append((line, text, before))
            line += text.count("\n")
            i += 1
            last_significant = ch
        elif ch == "/" and last_significant in "(,=:[!&|?{};+" :
            i += 1  # a regular expression literal
            in_class = False
            while i < n and (source[i] != "/" or in_class):
                if source[i] == "\\":
                    i += 1
                elif source[i] == "[":
                    in_class = True
                elif source[i] == "]":
                    in_class = False
                i += 1
            i += 1
            last_significant = "/"
        else:
            if not ch.isspace():
                last_significant = ch
            i += 1
    return literals


def looks_like_prose(text: str) -> bool:
    """Words people read, as opposed to code: selectors, class names, keys, headers, MIME types.

    Several plain words (letters only, sentence punctuation allowed) make prose; so does one
    capitalised word that is not a key name or CamelCase ("Close", "Saving").
    """
    if text in NOT_PROSE:
        return False
    text = re.sub(r"\$\{[^}]*\}", " ", text)  # a template literal's interpolations
    tokens = text.split()
    if not tokens or re.search(r"[\[\]#=<>{}]", text):
        return False
    words = [token for token in tokens if WORD.match(token)]
    if len(tokens) >= 2:
        return len(words) >= 2 and any(len(w.strip("().,;:!?…“”\"'«»")) >= 3 for w in words)
    word = tokens[0]
    return bool(WORD.match(word)) and word[0].isupper() and word.rstrip(".!?…:") not in KEY_NAMES and not re.search(r"[A-Z]", word[1:])


def hard_coded_strings(source: str) -> list[tuple[int, str]]:
    found = []
    for line, text, before in js_string_literals(source):
        if GETTEXT_CALL.search(before) or re.search(r"(?:ngettext)\s*\(\s*(['\"]).*\1\s*,\s*$", before):
            continue  # the msgid itself (or the plural msgid of ngettext)
        if looks_like_prose(text):
            found.append((line, text))
    return found


@pytest.mark.parametrize("path", sorted(JS_DIR.glob("*.js")), ids=lambda p: p.name)
def test_javascript_shows_no_hard_coded_english(path):
    """Every user-visible string in JS goes through the catalog the server passes at init (domain textjs)."""
    found = hard_coded_strings(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name}: strings outside gettext()/t()/ngettext() that look like text for people:\n" + "\n".join(
        f"  line {line}: {text!r}" for line, text in found
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("el('p', {text: t('Saved.')});", []),
        ("el('p', {text: 'Saved for later.'});", ["Saved for later."]),
        ("button.textContent = 'Close';", ["Close"]),
        ("i18n.ngettext('{n} attempt left.', '{n} attempts left.', n);", []),
        ("root.querySelector('[data-ldai-stage] form');", []),
        ("el('span', {class: 'ldai-badge ldai-good'});", []),
        ("if (event.key === 'ArrowRight' || event.key === 'Enter') {}", []),
        ("headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}", []),
        ("var re = /it's a regex/g; var s = 'Hello there';", ["Hello there"]),
        ("// 'A comment, not text'\nvar x = 1;", []),
        ("var s = `Welcome ${name}`;", ["Welcome ${name}"]),
    ],
)
def test_the_javascript_lint_tells_prose_from_code(source, expected):
    assert [text for _line, text in hard_coded_strings(source)] == expected


# ---------------------------------------------------------------------------- templates lint
class _TextCollector(HTMLParser):
    """Text nodes and the attributes people read (aria-label, title, placeholder, alt, value of buttons)."""

    READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "aria-roledescription", "aria-valuetext")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            shown_value = name == "value" and tag == "input" and dict(attrs).get("type") in ("submit", "button", "reset")
            if value and (name in self.READ_ATTRIBUTES or shown_value):
                self.found.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.found.append(data.strip())


def template_literal_text(source: str) -> list[str]:
    """Human text written directly in a Jinja2 template (outside _() and {% trans %}).

    The template is lexed, not parsed: every expression or tag becomes an invisible
    placeholder, so the HTML around it keeps its shape (``<input {% if e %}aria-invalid="true"{% endif %}>``
    stays one tag), and the data inside ``{% trans %}`` blocks is left out (it is extracted).
    """
    env = Environment(extensions=["jinja2.ext.i18n"])
    html, depth, in_tag, tag_words = [], 0, False, []
    for _lineno, kind, value in env.lex(source):
        if kind == "block_begin":
            in_tag, tag_words = True, []
        elif kind == "block_end":
            in_tag = False
            if tag_words[:1] == ["trans"]:
                depth += 1
            elif tag_words[:1] == ["endtrans"]:
                depth -= 1
            html.append("\u2063")
        elif in_tag and kind == "name":
            tag_words.append(value)
        elif kind == "variable_end":
            html.append("\u2063")
        elif kind == "data" and depth == 0:
            html.append(value)
    collector = _TextCollector()
    collector.feed("".join(html))
    collector.close()
    texts = [text.replace("\u2063", " ").strip() for text in collector.found]
    attributes_only = re.compile(r'^(\s*[\w:-]+="[^"]*")+\s*$')  # a macro that writes attributes, e.g. aria-invalid="true"
    return [text for text in texts if re.search(r"[A-Za-zÀ-ÿ]{2,}", text) and not attributes_only.match(text)]


TEMPLATES = sorted(p for d in TEMPLATE_DIRS if d.is_dir() for p in d.rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_show_no_untranslated_text(path):
    found = template_literal_text(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: text outside {{{{ _(...) }}}} or {{% trans %}}: {found[:10]}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>{{ _('Hello') }}</p>", []),
        ("<p>{% trans %}Hello {{ name }}{% endtrans %}</p>", []),
        ("<p>Hello</p>", ["Hello"]),
        ('<button aria-label="Close dialog">×</button>', ["Close dialog"]),
        ('<p class="x" id="{{ uid }}">{{ title }}</p>', []),
        ("<style>.ldai p { color: red; }</style>", []),
    ],
)
def test_the_template_lint_finds_literal_text(source, expected):
    assert template_literal_text(source) == expected


# ---------------------------------------------------------------------------- Python lint
USER_ERROR_CLASSES = {"UserError"}


def literal_user_errors(source: str, filename: str) -> list[str]:
    """``raise UserError("literal")``: the learner would read English whatever their language."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in USER_ERROR_CLASSES and node.args and isinstance(node.args[0], (ast.Constant, ast.JoinedStr)):
                if isinstance(node.args[0], ast.JoinedStr) or isinstance(node.args[0].value, str):
                    found.append(f"{filename}:{node.lineno}")
    return found


def test_user_errors_are_translated():
    found = []
    for directory in PYTHON_DIRS:
        for path in directory.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found += literal_user_errors(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, "UserError raised with an untranslated literal message (wrap it in self._(...)):\n" + "\n".join(found)
