"""Structured data & social: JSON-LD syntax, context and types, the properties Google
requires for common rich-result types, Open Graph and X (Twitter) card tags.

Which types a rich-result check judges, and the properties it requires, come from the shipped
schema.org subset (`data/schema_org.json`, read by `schema_org.py`): an entity is judged by
the rules of its nearest ancestor that has Google rules (a Restaurant by LocalBusiness's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..schema_org import missing_required, nested_required, rule_owners, vocabulary
from ..types import PageFacts, Severity
from .common import examples, html_facts
from .json_ld import (
    NESTED_ENTITY_KEYS,
    absolute_schema_types,
    as_list,
    entities,
    has_value,
    schema_org_context,
    top_level,
    type_names,
)
from .registry import PageContext, page_check

REF_OPEN_GRAPH = "https://ogp.me/"
REF_STRUCTURED_DATA = ("https://developers.google.com/search/docs/appearance/structured-data/"
                       "intro-structured-data")
REF_SD_GALLERY = "https://developers.google.com/search/docs/appearance/structured-data/"
REF_X_CARDS = ("https://developer.x.com/en/docs/x-for-websites/cards/guides/"
               "getting-started")
#: Properties the Open Graph protocol marks as required for every page.
OG_REQUIRED = ("og:title", "og:type", "og:image", "og:url")

@page_check(
    "seo.structured_data.json_ld_invalid", category="structured_data", severity=Severity.WARNING,
    title="Invalid JSON-LD",
    why="A JSON-LD block that does not parse is ignored entirely, so the page loses the rich "
        "results its structured data was meant for.",
    fix="Validate the block (Rich Results Test or a JSON linter); common causes are trailing "
        "commas, unescaped quotes and template output inserted without JSON escaping.",
    reference=REF_STRUCTURED_DATA)
def json_ld_invalid(page: PageContext) -> dict[str, Any] | None:
    """A <script type=application/ld+json> block failed to parse (or was over 256 KB)."""
    facts = html_facts(page)
    if facts is None:
        return None
    errors = [block.error for block in facts.json_ld if block.error]
    if not errors:
        return None
    return {"invalid_blocks": len(errors), "blocks": len(facts.json_ld), "errors": examples(errors, 3)}


@page_check(
    "seo.social.og_missing", category="structured_data", severity=Severity.NOTICE,
    title="Open Graph tags missing",
    why="Without Open Graph tags, social networks and messaging apps build link previews from "
        "guesses, often with the wrong image or text.",
    fix='Add at least og:title, og:type, og:image and og:url (<meta property="og:title" '
        'content="...">).',
    reference=REF_OPEN_GRAPH)
def og_missing(page: PageContext) -> bool:
    """An indexable HTML page has no og:* property at all."""
    facts = html_facts(page)
    return facts is not None and page.indexable and not facts.open_graph


@page_check(
    "seo.social.og_incomplete", category="structured_data", severity=Severity.NOTICE,
    title="Open Graph tags incomplete",
    why="The Open Graph protocol requires og:title, og:type, og:image and og:url; previews "
        "without them are incomplete or fall back to guesses.",
    fix="Add the missing required og:* properties.",
    reference=REF_OPEN_GRAPH)
def og_incomplete(page: PageContext) -> dict[str, Any] | None:
    """The page has some og:* tags but lacks one of the required four."""
    facts = html_facts(page)
    if facts is None or not facts.open_graph:
        return None
    present = {name for name, content in facts.open_graph if content.strip()}
    missing = [name for name in OG_REQUIRED if name not in present]
    return {"missing": missing} if missing else None



def _entity_findings(facts: PageFacts | None, owner: str,
                     missing_of: Callable[[dict[str, Any]], list[str]] | None = None,
                     ) -> dict[str, Any] | None:
    """One finding listing the entities judged by `owner`'s Google rules (the type or a
    subtype that has no rules of its own) that miss properties: `missing_of(entity)`, by
    default the shipped required lists plus this tool's minimum."""
    if facts is None or not facts.json_ld:
        return None
    problems = []
    for entity in entities(facts):
        if owner not in rule_owners(entity):
            continue
        missing = missing_of(entity) if missing_of is not None \
            else missing_required(entity, of=owner, with_minimum=True)
        if missing:
            kind = next((name for name in type_names(entity) if vocabulary().is_a(name, owner)),
                        owner)
            problems.append({"type": kind, "missing": missing,
                             "name": str(entity.get("name") or entity.get("headline") or "")[:120]})
    if not problems:
        return None
    return {"count": len(problems), "items": examples(problems, 5)}


# -- JSON-LD entities, context and type ----------------------------------------------------------------

@page_check(
    "seo.structured_data.json_ld_no_context", category="structured_data",
    severity=Severity.WARNING,
    title="JSON-LD without a schema.org @context",
    why="Without \"@context\": \"https://schema.org\" the property names of a JSON-LD block "
        "have no vocabulary: search engines cannot tell that \"Product\" means schema.org's "
        "Product, and ignore the block.",
    fix='Start each JSON-LD block with "@context": "https://schema.org".',
    reference=REF_STRUCTURED_DATA)
def json_ld_no_context(page: PageContext) -> dict[str, Any] | None:
    """A top-level JSON-LD object without @context, or with one that does not refer to
    schema.org (types written as full schema.org IRIs pass)."""
    facts = html_facts(page)
    if facts is None or not facts.json_ld:
        return None
    bad = [{"type": ", ".join(type_names(node)) or None,
            "context": str(node["@context"])[:200] if "@context" in node else None}
           for node in top_level(facts)
           if not schema_org_context(node.get("@context")) and not absolute_schema_types(node)]
    if not bad:
        return None
    return {"count": len(bad), "blocks": examples(bad, 5)}


@page_check(
    "seo.structured_data.json_ld_no_type", category="structured_data",
    severity=Severity.WARNING,
    title="JSON-LD without @type",
    why="Every JSON-LD item needs an @type (Article, Product, Organization ...); an object "
        "without one describes nothing a search engine can use.",
    fix='Add the schema.org type of each item, for example "@type": "Product".',
    reference=REF_STRUCTURED_DATA)
def json_ld_no_type(page: PageContext) -> dict[str, Any] | None:
    """A top-level JSON-LD object (or a member of its @graph) with no @type. Bare
    references ({"@id": ...}) and @graph wrappers need none."""
    facts = html_facts(page)
    if facts is None or not facts.json_ld:
        return None
    untyped = []
    for node in top_level(facts):
        graph = node.get("@graph")
        members = [m for m in as_list(graph) if isinstance(m, dict)] if graph is not None \
            else [node]
        for member in members:
            if type_names(member):
                continue
            keys = [k for k in member if k not in ("@context", "@id")]
            if keys:  # a bare {"@id": ...} reference is fine
                untyped.append(sorted(keys)[:8])
    if not untyped:
        return None
    return {"count": len(untyped), "properties": examples(untyped, 5)}


# -- required properties of common types -----------------------------------------------------

@page_check(
    "seo.structured_data.article_incomplete", category="structured_data",
    severity=Severity.NOTICE,
    title="Article structured data without headline",
    why="Google lists no strictly required Article properties, but recommends headline, "
        "image, datePublished and author; an Article without even a headline gives Google "
        "nothing of its own to show for the title.",
    fix="Add headline (the article's title), and ideally image, datePublished, dateModified "
        "and author.",
    reference=REF_SD_GALLERY + "article")
def article_incomplete(page: PageContext) -> dict[str, Any] | None:
    """Article/NewsArticle/BlogPosting (and subtypes) items with neither headline nor name
    (Google requires no Article property; schema.org's generic name is accepted too, the
    point is an Article with no title at all: the `minimum` in the shipped definitions)."""
    return _entity_findings(html_facts(page), "Article")


@page_check(
    "seo.structured_data.product_incomplete", category="structured_data",
    severity=Severity.WARNING,
    title="Product structured data missing required properties",
    why="Google shows product rich results (price, rating, availability) only for Product "
        "items with a name and at least one of offers, review or aggregateRating.",
    fix="Add name and an offers object (price, priceCurrency, availability), a review or an "
        "aggregateRating to the Product.",
    reference=REF_SD_GALLERY + "product-snippet")
def product_incomplete(page: PageContext) -> dict[str, Any] | None:
    """Product items without name, or without any of offers, review and aggregateRating."""
    return _entity_findings(html_facts(page), "Product")


@page_check(
    "seo.structured_data.organization_incomplete", category="structured_data",
    severity=Severity.NOTICE,
    title="Organization structured data without name or url",
    why="Google has no required Organization properties, but an Organization item is only "
        "useful (logo, knowledge panel details) when it says at least what the organization "
        "is called and which site is its own.",
    fix="Add name and url (the home page), and ideally logo, sameAs and contact details.",
    reference=REF_SD_GALLERY + "organization")
def organization_incomplete(page: PageContext) -> dict[str, Any] | None:
    """Top-level Organization items (and subtypes other than LocalBusiness; not nested
    publishers) without name or url (this tool's `minimum`: Google requires nothing)."""
    return _entity_findings(html_facts(page), "Organization")


def _breadcrumb_missing(node: dict[str, Any]) -> list[str]:
    required = missing_required(node, of="BreadcrumbList")
    if required:
        return required
    items = [item for item in as_list(node.get("itemListElement")) if item is not None]
    missing: list[str] = []
    last = len(items) - 1
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            missing.append(f"itemListElement[{index}] is not a ListItem")
            continue
        target = item.get("item")
        for prop in ("position", "name"):
            if not has_value(item, prop) and not (prop == "name" and has_value(target, "name")):
                missing.append(f"itemListElement[{index}].{prop}")
        has_item = (isinstance(target, str) and target.strip()) or has_value(target, "@id") \
            or has_value(target, "url")
        if index != last and not has_item:
            missing.append(f"itemListElement[{index}].item")
    return missing[:10]


@page_check(
    "seo.structured_data.breadcrumb_incomplete", category="structured_data",
    severity=Severity.WARNING,
    title="BreadcrumbList missing required properties",
    why="Google needs itemListElement with a position and a name for every breadcrumb, and "
        "the URL (item) of every breadcrumb but the last, to show the breadcrumb trail in "
        "results.",
    fix="Give each ListItem position (1, 2, ...), name and item (its URL); only the last "
        "item, the current page, may omit item.",
    reference=REF_SD_GALLERY + "breadcrumb")
def breadcrumb_incomplete(page: PageContext) -> dict[str, Any] | None:
    """BreadcrumbList items without itemListElement, or ListItems without position, name,
    or (except the last) item."""
    return _entity_findings(html_facts(page), "BreadcrumbList", _breadcrumb_missing)


def _faq_missing(node: dict[str, Any]) -> list[str]:
    required = missing_required(node, of="FAQPage")
    if required:
        return required
    questions = [q for q in as_list(node.get("mainEntity")) if q is not None]
    missing: list[str] = []
    for index, question in enumerate(questions):
        if not has_value(question, "name"):
            missing.append(f"mainEntity[{index}].name")
        answers = [a for a in as_list(question.get("acceptedAnswer"))
                   if a is not None] if isinstance(question, dict) else []
        if not answers:
            missing.append(f"mainEntity[{index}].acceptedAnswer")
        elif not all(has_value(answer, "text") for answer in answers):
            missing.append(f"mainEntity[{index}].acceptedAnswer.text")
    return missing[:10]


@page_check(
    "seo.structured_data.faq_incomplete", category="structured_data",
    severity=Severity.NOTICE,
    title="FAQPage missing required properties",
    why="An FAQPage needs mainEntity holding Questions, each with name and an acceptedAnswer "
        "with text. (Google now shows FAQ rich results only for well-known government and "
        "health sites, hence the notice level, but other consumers read the same markup.)",
    fix="Give every Question a name (the question) and an acceptedAnswer of type Answer with "
        "text (the full answer).",
    reference=REF_SD_GALLERY + "faqpage")
def faq_incomplete(page: PageContext) -> dict[str, Any] | None:
    """FAQPage items without mainEntity, or Questions without name, acceptedAnswer or the
    answer's text."""
    return _entity_findings(html_facts(page), "FAQPage", _faq_missing)


@page_check(
    "seo.structured_data.local_business_incomplete", category="structured_data",
    severity=Severity.WARNING,
    title="LocalBusiness missing required properties",
    why="Google requires name and address for LocalBusiness structured data (and its "
        "subtypes such as Restaurant or Dentist) to use it for business details in Search "
        "and Maps.",
    fix="Add name and a PostalAddress (streetAddress, addressLocality, postalCode, "
        "addressCountry); telephone, openingHoursSpecification and geo are recommended.",
    reference=REF_SD_GALLERY + "local-business")
def local_business_incomplete(page: PageContext) -> dict[str, Any] | None:
    """LocalBusiness (or a common subtype) items without name or address."""
    return _entity_findings(html_facts(page), "LocalBusiness")


@page_check(
    "seo.structured_data.event_incomplete", category="structured_data",
    severity=Severity.WARNING,
    title="Event missing required properties",
    why="Google requires name, startDate and location (a Place, or a VirtualLocation for "
        "online events) for an Event to appear in event results.",
    fix="Add name, startDate (ISO 8601 with time zone) and location to each Event.",
    reference=REF_SD_GALLERY + "event")
def event_incomplete(page: PageContext) -> dict[str, Any] | None:
    """Event (or subtype) items without name, startDate or location."""
    return _entity_findings(html_facts(page), "Event")


#: Rich-result types judged by their own check above; `required_missing` covers the others.
DEDICATED_RULES = frozenset({"Article", "Product", "Organization", "BreadcrumbList", "FAQPage",
                             "LocalBusiness", "Event"})


@page_check(
    "seo.structured_data.required_missing", category="structured_data",
    severity=Severity.WARNING,
    title="Structured data missing properties Google requires",
    why="Google's documentation lists required properties for each rich-result type (Recipe: "
        "name and image; VideoObject: name, thumbnailUrl and uploadDate; SoftwareApplication: "
        "name, offers and a rating or review; an aggregateRating: ratingValue and ratingCount "
        "or reviewCount). An item without them is not eligible for the rich result.",
    fix="Add the properties listed in the finding (each item names its type and the Google "
        "documentation page with the expected values).",
    reference=REF_STRUCTURED_DATA)
def required_missing(page: PageContext) -> dict[str, Any] | None:
    """JSON-LD items of a type with Google required properties in the shipped definitions,
    other than the types with a dedicated check above, that lack one of them; and, for every
    item, nested items whose requirements hold wherever they appear (an aggregateRating
    without ratingValue or without both ratingCount and reviewCount)."""
    facts = html_facts(page)
    if facts is None or not facts.json_ld:
        return None
    problems = []
    for entity in entities(facts):
        owners = [owner for owner in rule_owners(entity) if owner not in DEDICATED_RULES]
        missing = [prop for owner in owners for prop in missing_required(entity, of=owner)]
        missing += nested_required(entity, skip=NESTED_ENTITY_KEYS)
        if missing:
            problems.append({"type": ", ".join(type_names(entity)), "missing": missing[:10],
                             "name": str(entity.get("name") or entity.get("headline") or "")[:120]})
    if not problems:
        return None
    return {"count": len(problems), "items": examples(problems, 5)}


# -- X (Twitter) cards -----------------------------------------------------------------------

@page_check(
    "seo.social.twitter_card_missing", category="structured_data", severity=Severity.NOTICE,
    title="No X (Twitter) card",
    why="X builds a link preview from twitter:* tags, falling back to Open Graph "
        "(og:title ...). With neither twitter:card nor an og:title, links to the page are "
        "shared on X as bare URLs.",
    fix='Add <meta name="twitter:card" content="summary_large_image"> with twitter:title, or '
        "complete the Open Graph tags, which X falls back to.",
    reference=REF_X_CARDS)
def twitter_card_missing(page: PageContext) -> bool:
    """An indexable HTML page with no twitter:card and no title a card could use
    (twitter:title or og:title)."""
    facts = html_facts(page)
    if facts is None or not page.indexable:
        return False
    present = {name for name, content in (*facts.twitter, *facts.open_graph) if content.strip()}
    return not ({"twitter:card", "twitter:title", "og:title"} & present)
