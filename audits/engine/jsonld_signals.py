"""What a page's JSON-LD says about authorship, dates and the organization behind the site,
for `citability.ContentSignals`. Entities are read with `checks.json_ld` (the same reading
as the structured-data checks: @graph members, mainEntity, nodes merged by @id)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .checks.json_ld import as_list, entities, has_value, type_names
from .content_rules import ORG, ORG_LOGO, ORG_SAME_AS, PERSON, data
from .types import PageFacts

#: Author nodes read per page.
MAX_AUTHORS = 10
#: Keys under which an entity names the organization behind it.
_ORG_KEYS = ("publisher", "provider", "brand", "parentOrganization", "sourceOrganization")


@dataclass(frozen=True, slots=True)
class LdSignals:
    article_type: str = ""
    date_published: str = ""
    date_modified: str = ""
    author_names: tuple[str, ...] = ()
    author_types: tuple[str, ...] = ()
    faq: bool = False
    organization: int = 0
    #: (source, name): ("website", ...), ("organization", ...).
    names: tuple[tuple[str, str], ...] = ()


def org_type(types: tuple[str, ...]) -> bool:
    """Some of `types` is an Organization-family schema.org type (data/citability.json)."""
    lists = data()
    return any(t in lists.organization_types or t.endswith(lists.organization_suffixes)
               for t in types)


def _name(node: dict[str, Any]) -> str:
    value = node.get("name")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), "")
    return " ".join(value.split())[:100] if isinstance(value, str) else ""


def _organization_flags(node: dict[str, Any]) -> int:
    flags = ORG
    if has_value(node, "sameAs"):
        flags |= ORG_SAME_AS
    if has_value(node, "logo"):
        flags |= ORG_LOGO
    return flags


def read_json_ld(facts: PageFacts) -> LdSignals:
    """Article type and dates (the article's own, else the first entity that has them),
    author names and @types (references by @id resolved), FAQPage, and the organization:
    flags ORG/ORG_SAME_AS/ORG_LOGO from Organization-family entities or publisher-like
    properties, PERSON for a top-level Person, and the WebSite and Organization names."""
    if not facts.json_ld:
        return LdSignals()
    found = entities(facts)
    by_id = {node["@id"]: node for node in found if isinstance(node.get("@id"), str)}
    article: dict[str, Any] | None = None
    article_type = ""
    faq = False
    organization = 0
    names: list[tuple[str, str]] = []
    published = modified = ""
    for node in found:
        types = type_names(node)
        if article is None and any(t in data().article_types for t in types):
            article = node
            article_type = next(t for t in types if t in data().article_types)
        if "FAQPage" in types:
            faq = True
        if org_type(types):
            organization |= _organization_flags(node)
            if _name(node):
                names.append(("organization", _name(node)))
        elif "Person" in types:
            organization |= PERSON
        if "WebSite" in types and _name(node):
            names.append(("website", _name(node)))
        for key in _ORG_KEYS:
            for value in as_list(node.get(key))[:5]:
                target = by_id.get(value.get("@id"), value) if isinstance(value, dict) else None
                if isinstance(target, dict) and org_type(type_names(target)):
                    organization |= _organization_flags(target)
        if not published and isinstance(node.get("datePublished"), str):
            published = node["datePublished"]
        if not modified and isinstance(node.get("dateModified"), str):
            modified = node["dateModified"]
    author_names: list[str] = []
    author_types: list[str] = []
    if article is not None:
        if isinstance(article.get("datePublished"), str):
            published = article["datePublished"]
        if isinstance(article.get("dateModified"), str):
            modified = article["dateModified"]
        for value in as_list(article.get("author"))[:MAX_AUTHORS]:
            if isinstance(value, str) and value.strip():
                author_names.append(" ".join(value.split())[:100])
            elif isinstance(value, dict):
                ref = value.get("@id")
                target = by_id.get(ref, value) if isinstance(ref, str) else value
                author_types.extend(type_names(target))
                if _name(target):
                    author_names.append(_name(target))
    return LdSignals(article_type, published, modified, tuple(dict.fromkeys(author_names)),
                     tuple(dict.fromkeys(author_types)), faq, organization,
                     tuple(dict.fromkeys(names))[:6])
