"""GEO: structured data as AI answer engines read it. Values of the wrong type, recommended
properties missing on the types answer engines use most, content pages without any
structured data, structured data only in microdata/RDFa, and product pages (by their
og:type) without Product markup.

Definitions and Google's lists come from the shipped schema.org subset (`schema_org.py`,
`data/schema_org.json`); the entities are read as search engines read them (`json_ld.py`).
Only indexable HTML 200 pages are judged: answer engines do not use the others.
"""

from __future__ import annotations

from typing import Any

from ..schema_org import missing_recommended, rules_doc, value_problems, vocabulary
from ..types import PageFacts, Severity
from .common import examples, html_facts
from .json_ld import entities, type_names
from .registry import PageContext, page_check

REF_GOOGLE_SD = ("https://developers.google.com/search/docs/appearance/structured-data/"
                 "intro-structured-data")
REF_SD_GENERAL = ("https://developers.google.com/search/docs/appearance/structured-data/"
                  "sd-policies")
REF_SCHEMA_DATA_MODEL = "https://schema.org/docs/datamodel.html"
REF_SD_FORMATS = ("https://developers.google.com/search/docs/appearance/structured-data/"
                  "intro-structured-data#structured-data-format")
REF_PRODUCT = "https://developers.google.com/search/docs/appearance/structured-data/product"
#: A page with at least this many words of visible text is a content page.
CONTENT_PAGE_WORDS = 300
#: og:type values that declare a product page (Open Graph product objects, as Shopify and
#: WooCommerce write them).
PRODUCT_OG_TYPES = frozenset({"product", "product.item", "og:product"})
#: Problems (wrong values) and items listed per finding.
MAX_VALUE_PROBLEMS = 10
MAX_ITEMS = 5


def _indexable_facts(page: PageContext) -> PageFacts | None:
    facts = html_facts(page)
    return facts if facts is not None and page.indexable else None


def _name(entity: dict[str, Any]) -> str:
    return str(entity.get("name") or entity.get("headline") or "")[:120]


@page_check(
    "seo.geo.schema_value_invalid", category="geo", component="structured_data",
    severity=Severity.WARNING,
    title="Structured data values of the wrong type",
    why="Answer engines and search engines take facts such as prices, dates, ratings and "
        "links straight from structured data. A date that is not ISO 8601, a price with a "
        "currency sign, a rating outside its scale or a relative URL is dropped or misread, "
        "so the page loses exactly the facts it meant to state.",
    fix="Write each listed value in the expected format: dates as ISO 8601 (2024-05-01 or "
        "2024-05-01T09:30:00+02:00), prices as plain numbers with a '.' decimal point and the "
        "currency in priceCurrency, durations as ISO 8601 (PT1H30M), URLs absolute "
        "(https://...), ratings within worstRating..bestRating (1..5 unless set).",
    reference=REF_SCHEMA_DATA_MODEL)
def schema_value_invalid(page: PageContext) -> dict[str, Any] | None:
    """A JSON-LD value (in an item or an item nested in it, depth ≤ 6) that fits none of the
    types schema.org release 30.0 expects for the property, as narrowed by Google (Offer
    price must be a number): a date/date-time not ISO 8601, a number or object where a date,
    URL or boolean is expected, a URL that is not absolute, a duration not ISO 8601, a price
    that is not a number, ratingValue outside worstRating..bestRating (defaults 1..5), an
    entity of an unrelated type (a WebSite as author). Lenient like schema.org: any text
    where only entity types are expected, @id references, properties and types not shipped,
    date-only values for DateTime. Microdata items are judged the same way, their values
    read as Google reads them (content attribute, resolved href/src, time's datetime, else
    text). Indexable pages; at most 10 problems listed."""
    facts = _indexable_facts(page)
    if facts is None or not (facts.json_ld or facts.microdata_items):
        return None
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    items = [("json-ld", entity) for entity in entities(facts)] \
        + [("microdata", item) for item in facts.microdata_items]
    for syntax, entity in items:
        kind = ", ".join(type_names(entity))
        for problem in value_problems(entity, limit=MAX_VALUE_PROBLEMS):
            # The same nested item is reached from its parent and as an item of its own.
            key = (problem.path.rsplit(".", 1)[-1], problem.value, problem.expected)
            if key not in found:
                found[key] = {"type": kind, "syntax": syntax, **problem.as_dict()}
    if not found:
        return None
    return {"count": len(found), "problems": examples(found.values(), MAX_VALUE_PROBLEMS)}


@page_check(
    "seo.geo.schema_recommended_missing", category="geo", component="structured_data",
    severity=Severity.NOTICE,
    title="Structured data without recommended properties",
    why="Answer engines identify and quote an item from its structured data: an Article's "
        "author and dates, a Product's image, brand and offers, an Organization's logo and "
        "sameAs profiles. Google's documentation recommends these properties for each type; "
        "without them the item is harder to attribute, compare or trust.",
    fix="Add the recommended properties listed for each item when the page has that "
        "information (do not invent values): the finding links Google's page for the type.",
    reference=REF_GOOGLE_SD)
def schema_recommended_missing(page: PageContext) -> dict[str, Any] | None:
    """JSON-LD items (top level, @graph members, mainEntity) of the types answer engines use
    most — Article and subtypes, Product, Organization, Person, LocalBusiness, WebSite, Event,
    Recipe, HowTo, VideoObject, SoftwareApplication — lacking properties on Google's
    recommended list for the type (for Organization, Product and Person the part of it that
    names and identifies the entity; see data/schema_org.json). Indexable pages; at most 5
    items listed."""
    facts = _indexable_facts(page)
    if facts is None or not facts.json_ld:
        return None
    items = []
    for entity in entities(facts):
        missing = missing_recommended(entity)
        if missing:
            items.append({"type": ", ".join(type_names(entity)), "name": _name(entity),
                          "missing": missing, "doc": rules_doc(entity)})
    if not items:
        return None
    return {"count": len(items), "items": examples(items, MAX_ITEMS)}


def _has_markup(facts: PageFacts) -> bool:
    return bool(facts.json_ld or facts.microdata_types or facts.rdfa_types)


def _og_type(facts: PageFacts) -> str:
    return next((content.strip().lower() for name, content in facts.open_graph
                 if name == "og:type"), "")


@page_check(
    "seo.geo.no_structured_data", category="geo", component="structured_data",
    severity=Severity.NOTICE,
    title="Content page without structured data",
    why="Structured data tells answer engines what a page is (an article, a product, a "
        "recipe), who published it and when, in a form they do not have to guess from the "
        "layout. A content page with none in any syntax leaves all of that to inference.",
    fix="Add a JSON-LD block describing the page's main item with its schema.org type (for "
        "example Article with headline, author, datePublished and image), plus the "
        "Organization or Person behind the site.",
    reference=REF_GOOGLE_SD)
def no_structured_data(page: PageContext) -> dict[str, Any] | None:
    """An indexable HTML 200 page with at least 300 words of visible text and no JSON-LD
    block, no microdata itemtype and no schema.org RDFa typeof. Product pages (og:type
    product) are left to seo.geo.product_markup_missing."""
    facts = _indexable_facts(page)
    if facts is None or facts.word_count < CONTENT_PAGE_WORDS or _has_markup(facts):
        return None
    og_type = _og_type(facts)
    if og_type in PRODUCT_OG_TYPES:
        return None
    return {"word_count": facts.word_count, "min_words": CONTENT_PAGE_WORDS,
            "og_type": og_type or None}


@page_check(
    "seo.geo.structured_data_not_json_ld", category="geo", component="structured_data",
    severity=Severity.NOTICE,
    title="Structured data only in microdata or RDFa",
    why="Google reads microdata and RDFa as well as JSON-LD, but AI crawlers and answer "
        "engines mostly extract JSON-LD blocks, and attributes spread over the markup are "
        "easily lost when a page is cleaned into text. JSON-LD is also the format Google "
        "recommends.",
    fix="Publish the same items as a JSON-LD block (<script type=\"application/ld+json\">) "
        "with the listed types; the microdata can stay or be removed once they match.",
    reference=REF_SD_FORMATS)
def structured_data_not_json_ld(page: PageContext) -> dict[str, Any] | None:
    """An indexable HTML 200 page declaring schema.org types in microdata or RDFa and having
    no parsed JSON-LD item."""
    facts = _indexable_facts(page)
    if facts is None or not (facts.microdata_types or facts.rdfa_types):
        return None
    if any(block.data is not None for block in facts.json_ld):
        return None
    return {"microdata_types": list(facts.microdata_types), "rdfa_types": list(facts.rdfa_types)}


@page_check(
    "seo.geo.product_markup_missing", category="geo", component="structured_data",
    severity=Severity.NOTICE,
    title="Product page without Product structured data",
    why="The page declares itself a product (og:type product) but has no schema.org Product "
        "item, so answer engines and shopping results cannot read its name, price, "
        "availability or rating as facts and may skip it in product comparisons.",
    fix="Add a Product item in JSON-LD with name, image, description, brand and an offers "
        "object (price, priceCurrency, availability), plus aggregateRating when the page "
        "shows reviews.",
    reference=REF_PRODUCT)
def product_markup_missing(page: PageContext) -> dict[str, Any] | None:
    """An indexable HTML 200 page whose og:type is product (product, product.item) with no
    Product (or subtype) item in JSON-LD, microdata or RDFa. Pages whose JSON-LD does not
    parse are left to seo.structured_data.json_ld_invalid. Other page kinds are not
    guessed: og:type article is also written on plain pages by common CMS plugins."""
    facts = _indexable_facts(page)
    if facts is None or _og_type(facts) not in PRODUCT_OG_TYPES:
        return None
    if any(block.error for block in facts.json_ld):
        return None
    products = vocabulary().subtypes("Product")
    declared = [name for entity in entities(facts) for name in type_names(entity)]
    declared += [*facts.microdata_types, *facts.rdfa_types]
    if products.intersection(declared):
        return None
    return {"og_type": _og_type(facts), "types_found": list(dict.fromkeys(declared))[:10]}
