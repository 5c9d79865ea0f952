"""Which schema.org types a page declares in microdata (`itemtype`) or RDFa (`typeof`).

Called once per page from `parse._extract`. Most pages use neither syntax, so a byte search
of the body comes first and the CSS query only runs on pages that contain the attribute.
Only schema.org types are recorded (RDFa written for FOAF, SIOC or Dublin Core is not
structured data search engines or answer engines read), as bare names, each once, bounded.
"""

from __future__ import annotations

import re
from typing import Any

#: Types kept per syntax and page, and elements read per syntax and page.
MAX_TYPES = 20
MAX_ELEMENTS = 2000
_SCHEMA_IRI = re.compile(r"(?:https?:)?//(?:www\.)?schema\.org/([A-Za-z][A-Za-z0-9_]*)/?",
                         re.IGNORECASE)
_SCHEMA_CURIE = re.compile(r"schema:([A-Za-z][A-Za-z0-9_]*)")
_TERM = re.compile(r"[A-Z][A-Za-z0-9_]*")


def _collect(nodes: Any, attribute: str, bare_terms: bool) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for index, node in enumerate(nodes):
        if index >= MAX_ELEMENTS or len(found) >= MAX_TYPES:
            break
        for token in (node.attributes.get(attribute) or "").split()[:10]:
            match = _SCHEMA_IRI.fullmatch(token) or _SCHEMA_CURIE.fullmatch(token)
            if match is not None:
                found[match.group(1)] = None
            elif bare_terms and _TERM.fullmatch(token):
                found[token] = None
    return tuple(found)[:MAX_TYPES]


def markup_types(tree: Any, body: bytes) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(microdata types, RDFa types) of schema.org found on the page. RDFa bare terms
    (`typeof="Article"`) count only when the page sets a schema.org `vocab`."""
    microdata: tuple[str, ...] = ()
    rdfa: tuple[str, ...] = ()
    if b"itemtype" in body:
        microdata = _collect(tree.css("[itemtype]"), "itemtype", False)
    if b"typeof" in body:
        schema_vocab = b"vocab" in body and any(
            "schema.org" in (node.attributes.get("vocab") or "").lower()
            for node in tree.css("[vocab]"))
        rdfa = _collect(tree.css("[typeof]"), "typeof", schema_vocab)
    return microdata, rdfa
