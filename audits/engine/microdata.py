"""Structured data in the markup itself: schema.org types declared in microdata (`itemtype`)
or RDFa (`typeof`), and microdata items read into JSON-LD-shaped dicts so that the same
validator (`schema_org.value_problems`) can judge their values.

Called once per page from `parse._extract`. Most pages use neither syntax, so a byte search
of the body comes first and the CSS queries only run on pages that contain the attribute.
Only schema.org types are recorded (RDFa written for FOAF, SIOC or Dublin Core is not
structured data search engines or answer engines read), as bare names, each once, bounded.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

#: Types kept per syntax and page, and elements read per syntax and page.
MAX_TYPES = 20
MAX_ELEMENTS = 2000
#: Microdata read per page: top-level items, property elements in all, nesting depth, and
#: characters kept per value (values are judged for their format, not their full text).
MAX_ITEMS = 20
MAX_PROPERTIES = 200
MAX_DEPTH = 4
VALUE_CHARS = 200
_SCHEMA_IRI = re.compile(r"(?:https?:)?//(?:www\.)?schema\.org/([A-Za-z][A-Za-z0-9_]*)/?",
                         re.IGNORECASE)
_SCHEMA_CURIE = re.compile(r"schema:([A-Za-z][A-Za-z0-9_]*)")
_TERM = re.compile(r"[A-Z][A-Za-z0-9_]*")
#: Elements whose microdata value is a URL attribute (HTML Living Standard, "Microdata",
#: values), and the attribute.
_URL_VALUE = {"a": "href", "area": "href", "link": "href", "audio": "src", "embed": "src",
              "iframe": "src", "img": "src", "source": "src", "track": "src", "video": "src",
              "object": "data"}


@lru_cache(maxsize=1024)
def _schema_types(value: str | None, bare_terms: bool = False) -> tuple[str, ...]:
    """schema.org type names in an itemtype/typeof value (the same few values repeat)."""
    found = []
    for token in (value or "").split()[:10]:
        match = _SCHEMA_IRI.fullmatch(token) or _SCHEMA_CURIE.fullmatch(token)
        if match is not None:
            found.append(match.group(1))
        elif bare_terms and _TERM.fullmatch(token):
            found.append(token)
    return tuple(found)


def _collect(values: list[tuple[str, ...]]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for types in values:
        found.update(dict.fromkeys(types))
        if len(found) >= MAX_TYPES:
            break
    return tuple(found)[:MAX_TYPES]


def _value(node: Any, attrs: dict[str, str | None], base_url: str) -> str:
    """A property's value as the microdata algorithm (and Google) reads it: a `content`
    attribute first, URL attributes resolved against the page, time's datetime, else text."""
    if attrs.get("content") is not None:
        return (attrs.get("content") or "")[:VALUE_CHARS]
    tag = node.tag
    url_attribute = _URL_VALUE.get(tag)
    if url_attribute is not None:
        raw = (attrs.get(url_attribute) or "").strip()
        try:
            return urljoin(base_url, raw)[:VALUE_CHARS] if raw else ""
        except ValueError:
            return raw[:VALUE_CHARS]
    if tag in ("data", "meter") and attrs.get("value") is not None:
        return (attrs.get("value") or "")[:VALUE_CHARS]
    if tag == "time" and attrs.get("datetime") is not None:
        return (attrs.get("datetime") or "")[:VALUE_CHARS]
    return " ".join(node.text(deep=True, separator=" ")[:VALUE_CHARS * 4].split())[:VALUE_CHARS]


def _owner(node: Any) -> Any:
    """The nearest ancestor with itemscope: the item a property element belongs to."""
    parent = node.parent
    for _ in range(200):
        if parent is None:
            return None
        if "itemscope" in parent.attributes:
            return parent
        parent = parent.parent
    return None


def _items(tree: Any, typed: list[tuple[Any, dict[str, str | None], tuple[str, ...]]],
           base_url: str) -> tuple[dict[str, Any], ...]:
    """The top-level typed items (itemscope, itemtype, no itemprop) as JSON-LD-shaped dicts:
    "@type" and property → value(s), nested items as dicts. One CSS query finds the property
    elements (a Python walk of a `<body itemscope>` page costs several times more); each is
    given to its nearest itemscope ancestor."""
    items: dict[int, dict[str, Any]] = {}
    depth: dict[int, int] = {}

    def item_of(node: Any) -> dict[str, Any]:
        item = items.get(node.mem_id)
        if item is None:
            item = items[node.mem_id] = {}
            types = _schema_types(node.attributes.get("itemtype"))
            if types:
                item["@type"] = types if len(types) > 1 else types[0]
        return item

    for node in tree.css("[itemprop]")[:MAX_PROPERTIES]:
        owner = _owner(node)
        if owner is None:
            continue
        attrs = node.attributes
        value: Any
        if "itemscope" in attrs:
            depth[node.mem_id] = depth.get(owner.mem_id, 0) + 1
            value = item_of(node) if depth[node.mem_id] <= MAX_DEPTH else {}
        else:
            value = _value(node, attrs, base_url)
        target = item_of(owner)
        for name in (attrs.get("itemprop") or "").split()[:5]:
            target.setdefault(name.rsplit("/", 1)[-1], []).append(value)
    for item in items.values():
        for key, value in item.items():
            if isinstance(value, list) and len(value) == 1:
                item[key] = value[0]
    tops = [item_of(node) for node, attrs, types in typed
            if types and "itemscope" in attrs and "itemprop" not in attrs]
    return tuple(tops[:MAX_ITEMS])


def markup_types(tree: Any, body: bytes, base_url: str = "",
                 ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[dict[str, Any], ...]]:
    """(microdata types, RDFa types, microdata items) of schema.org found on the page. RDFa
    bare terms (`typeof="Article"`) count only when the page sets a schema.org `vocab`.
    Items are the top-level typed microdata items (itemscope without itemprop)."""
    microdata: tuple[str, ...] = ()
    rdfa: tuple[str, ...] = ()
    items: tuple[dict[str, Any], ...] = ()
    if b"itemtype" in body:
        typed = []
        for node in tree.css("[itemtype]")[:MAX_ELEMENTS]:
            attrs = node.attributes  # built anew on every access: read once
            typed.append((node, attrs, _schema_types(attrs.get("itemtype"))))
        microdata = _collect([types for _, _, types in typed])
        items = _items(tree, typed, base_url) if microdata else ()
    if b"typeof" in body:
        schema_vocab = b"vocab" in body and any(
            "schema.org" in (node.attributes.get("vocab") or "").lower()
            for node in tree.css("[vocab]"))
        rdfa = _collect([_schema_types(node.attributes.get("typeof"), schema_vocab)
                         for node in tree.css("[typeof]")[:MAX_ELEMENTS]])
    return microdata, rdfa, items
