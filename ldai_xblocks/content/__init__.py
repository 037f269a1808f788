"""Content as data: JSON documents per activity kind, validated on load and on save.

Public API used by both shells and the CLI:

- :data:`KINDS` - the activity kinds that have content documents;
- :func:`validate` - schema + semantic problems of a document, each with its JSON path;
- :func:`load_pack` / :func:`list_packs` - the default packs shipped in the package;
- :func:`parse_document` - an author's JSON text, parsed and validated.
"""

from .packs import PackInfo, list_packs, load_pack, pack_stats
from .validation import KINDS, ContentError, Problem, parse_document, validate

__all__ = [
    "KINDS",
    "ContentError",
    "PackInfo",
    "Problem",
    "list_packs",
    "load_pack",
    "pack_stats",
    "parse_document",
    "validate",
]
