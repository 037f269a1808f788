"""Maintain the gettext catalogs (a development tool, run through the Makefile).

    python translations/catalog_tool.py extract    # sources -> .pot -> en/fr .po (keeps translations)
    python translations/catalog_tool.py set-fr F   # merge {"msgid": "msgstr"} (JSON) into fr catalogs
    python translations/catalog_tool.py check      # exit 1 if a French entry is missing, empty or fuzzy
    python translations/catalog_tool.py compile    # .po -> .mo
    python translations/catalog_tool.py merge P A B  # git merge driver for catalog P: A := A + B's entries (.gitattributes)

Two domains: ``text`` (Python and Jinja2 templates) and ``textjs`` (JavaScript,
``gettext("...")``/``ngettext(...)`` calls in static/js). Every write holds an
exclusive lock on translations/.lock, so parallel runs cannot lose entries.
"""

from __future__ import annotations

import fcntl
import json
import sys
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LANGS = ("en", "fr")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "gettext_lazy": None, "pgettext": ((1, "c"), 2)}
# In JavaScript, ``var t = i18n.gettext`` is the house alias (static/js/*.js).
JS_KEYWORDS = {**KEYWORDS, "t": None}
SOURCES = {
    "text": [
        (ROOT / "ldai_xblocks", [("**.py", "python"), ("**/templates/**.html", "jinja2")]),
        (ROOT / "lti_tool", [("**.py", "python"), ("**/templates/**.html", "jinja2")]),
    ],
    "textjs": [(ROOT / "static" / "js", [("**.js", "javascript")])],
}
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


@contextmanager
def locked():
    with open(HERE / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _po_path(lang: str, domain: str) -> Path:
    return HERE / lang / "LC_MESSAGES" / f"{domain}.po"


def _read(path: Path, lang: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=lang, project="ldai-xblocks", domain=path.stem)
    with open(path, "rb") as handle:
        return read_po(handle, locale=lang)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)
    path.write_bytes(buffer.getvalue())


def extract() -> None:
    with locked():
        for domain, roots in SOURCES.items():
            template = Catalog(project="ldai-xblocks", domain=domain)
            for root, method_map in roots:
                if not root.is_dir():
                    continue
                keywords = JS_KEYWORDS if domain == "textjs" else KEYWORDS
                for filename, lineno, message, comments, context in extract_from_dir(
                    str(root), method_map, options_map=OPTIONS, keywords=keywords, comment_tags=("Translators:",)
                ):
                    template.add(message, None, [(str((root / filename).relative_to(ROOT)), lineno)], auto_comments=comments, context=context)
            _write(HERE / f"{domain}.pot", template)
            for lang in LANGS:
                path = _po_path(lang, domain)
                catalog = _read(path, lang)
                catalog.update(template, no_fuzzy_matching=True)
                catalog.obsolete.clear()
                _write(path, catalog)


def set_fr(source: Path) -> None:
    entries = json.loads(source.read_text(encoding="utf-8"))
    with locked():
        for domain in SOURCES:
            path = _po_path("fr", domain)
            catalog = _read(path, "fr")
            changed = False
            for message in catalog:
                key = message.id if isinstance(message.id, str) else message.id[0]
                if message.id and key in entries:
                    value = entries[key]
                    message.string = tuple(value) if isinstance(message.id, tuple) else value
                    message.flags.discard("fuzzy")
                    changed = True
            if changed:
                _write(path, catalog)


def check() -> int:
    problems = []
    for domain in SOURCES:
        template = _read(HERE / f"{domain}.pot", "en")
        catalog = _read(_po_path("fr", domain), "fr")
        for message in template:
            if not message.id:
                continue
            translated = catalog.get(message.id, message.context)
            strings = translated.string if translated else None
            empty = not strings or (isinstance(strings, tuple) and not all(strings))
            if translated is None or empty or translated.fuzzy:
                key = message.id if isinstance(message.id, str) else message.id[0]
                problems.append(f"fr/{domain}.po: untranslated or fuzzy: {key!r}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


def merge(name: str, ours: Path, theirs: Path) -> None:
    """Union of two versions of one catalog, for git's merge driver (``merge.pocat`` in .gitattributes).

    Why: branches that add strings in parallel each rewrite the sorted catalog and its header, so git's
    line merge conflicts on every pair. Entries are keyed by (msgid, context): ours win, theirs add what
    ours lack or fill what ours left empty. ``extract`` afterwards drops what no source uses any more.
    """
    lang = "fr" if "/fr/" in name else "en"
    mine, other = _read(ours, lang), _read(theirs, lang)
    for message in other:
        if not message.id:
            continue
        existing = mine.get(message.id, message.context)
        if existing is None:
            mine[message.id] = message
        else:
            strings = existing.string
            if not strings or (isinstance(strings, tuple) and not all(strings)):
                existing.string = message.string
            existing.locations = sorted(set(existing.locations) | set(message.locations))
    _write(ours, mine)


def compile_all() -> None:
    with locked():
        for lang in LANGS:
            for domain in SOURCES:
                path = _po_path(lang, domain)
                if path.exists():
                    catalog = _read(path, lang)
                    with open(path.with_suffix(".mo"), "wb") as handle:
                        write_mo(handle, catalog, use_fuzzy=False)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "extract":
        extract()
    elif command == "set-fr" and len(sys.argv) == 3:
        set_fr(Path(sys.argv[2]))
    elif command == "check":
        sys.exit(check())
    elif command == "compile":
        compile_all()
    elif command == "merge" and len(sys.argv) == 5:
        merge(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        print(__doc__)
        sys.exit(2)
