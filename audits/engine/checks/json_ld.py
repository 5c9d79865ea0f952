"""Reading JSON-LD the way search engines do: top-level items, @graph members, items nested
as mainEntity/breadcrumb, nodes merged by @id, schema.org type names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..schema_org import as_list, has_value, type_names
from ..types import PageFacts

#: Value helpers live with the schema.org definitions (which need them without importing the
#: checks package); re-exported here for the check modules.
__all__ = ["NESTED_ENTITY_KEYS", "absolute_schema_types", "as_list", "entities", "has_value",
           "schema_org_context", "top_level", "type_names"]

#: Keys under which an entity's main content is nested and still read as its own item.
NESTED_ENTITY_KEYS = ("mainEntity", "breadcrumb")
#: Upper bound on entities read from one page (a hostile page can hold huge graphs).
_MAX_ENTITIES = 500


def top_level(facts: PageFacts) -> Iterator[dict[str, Any]]:
    """Every top-level object of every parsed block (a block may hold an array)."""
    for block in facts.json_ld:
        data = block.data
        for item in data if isinstance(data, list) else (data,):
            if isinstance(item, dict):
                yield item


def _entities(facts: PageFacts) -> list[dict[str, Any]]:
    """Entities a search engine reads as items of the page: top-level objects, the members
    of @graph (and of nested arrays), and items nested as mainEntity/breadcrumb. Nodes that
    share an @id are merged, so a graph splitting one entity over two nodes is read whole;
    bare references ({"@id": ...}) add nothing."""
    found: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    stack: list[Any] = list(top_level(facts))
    stack.reverse()
    while stack and len(found) < _MAX_ENTITIES:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        graph = node.get("@graph")
        if graph is not None:
            stack.append(graph)
        for key in NESTED_ENTITY_KEYS:
            nested = node.get(key)
            if isinstance(nested, dict | list):
                stack.append(nested)
        if "@type" not in node:
            continue
        node_id = node.get("@id")
        if isinstance(node_id, str) and node_id in by_id:
            merged = by_id[node_id]
            for key, value in node.items():
                merged.setdefault(key, value)
            continue
        entity = dict(node)
        if isinstance(node_id, str):
            by_id[node_id] = entity
        found.append(entity)
    return found


_LAST_ENTITIES: tuple[PageFacts | None, list[dict[str, Any]]] = (None, [])


def entities(facts: PageFacts) -> list[dict[str, Any]]:
    """`_entities`, computed once per page: the type checks below all read it, one after
    the other, for the same page."""
    global _LAST_ENTITIES
    last_facts, last = _LAST_ENTITIES
    if last_facts is facts:
        return last
    found = _entities(facts)
    _LAST_ENTITIES = (facts, found)
    return found


def schema_org_context(context: Any) -> bool:
    """A @context that maps terms to schema.org (a URL string, a list holding one, or an
    object with an @vocab / prefix pointing at schema.org)."""
    if isinstance(context, str):
        return "schema.org" in context.lower()
    if isinstance(context, list):
        return any(schema_org_context(item) for item in context)
    if isinstance(context, dict):
        return any(isinstance(v, str) and "schema.org" in v.lower() for v in context.values())
    return False


def absolute_schema_types(node: dict[str, Any]) -> bool:
    """@type given as full schema.org IRIs, which need no @context."""
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return bool(values) and all(isinstance(v, str) and "schema.org/" in v.lower()
                                for v in values)
