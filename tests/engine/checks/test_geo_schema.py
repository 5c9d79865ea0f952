"""GEO structured-data checks: wrong value types, recommended properties, content pages
without structured data, microdata/RDFa only, product pages without Product markup."""

from __future__ import annotations

import json

from tests.engine.checks.helpers import GOOD_DESCRIPTION, GOOD_TITLE, URL, Case, doc, page, run

#: About 340 words of ordinary article text: a content page by the checks' threshold.
ARTICLE_TEXT = "<h1>How to prune roses in late winter</h1>" + "".join(
    f"<p>Paragraph {n}: prune roses when the buds begin to swell, cutting just above an "
    "outward facing bud at an angle so that rain runs off. Remove dead, diseased and crossing "
    "stems first, then shorten the remaining canes by about a third.</p>" for n in range(9))
PERSON = {"@type": "Person", "name": "Ada Gardener", "url": "https://example.com/ada"}
#: A complete article item: every recommended property, every value well formed.
ARTICLE = {"@context": "https://schema.org", "@type": "BlogPosting",
           "headline": "How to prune roses in late winter", "author": PERSON,
           "datePublished": "2024-02-01T08:00:00+01:00", "dateModified": "2024-02-03",
           "image": ["https://example.com/roses-16x9.jpg"],
           "publisher": {"@type": "Organization", "name": "Garden Guides",
                         "logo": {"@type": "ImageObject", "url": "https://example.com/logo.png"}}}
PRODUCT = {"@context": "https://schema.org", "@type": "Product", "name": "Garden spade",
           "image": "https://example.com/spade.jpg", "description": "A stainless spade.",
           "brand": {"@type": "Brand", "name": "Digwell"},
           "offers": {"@type": "Offer", "price": "34.90", "priceCurrency": "EUR",
                      "availability": "https://schema.org/InStock",
                      "priceValidUntil": "2026-12-31"},
           "aggregateRating": {"@type": "AggregateRating", "ratingValue": "4.4",
                               "reviewCount": 89}}


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def with_ld(data: object, body: str = "<h1>Main heading</h1><p>Some text.</p>"):
    return lambda: page(doc(body, extra_head=ld(data)))


def changed(base: dict, **properties: object) -> dict:
    return {**base, **properties}


def og_head(og_type: str) -> str:
    return (f'<meta charset="utf-8"><title>{GOOD_TITLE}</title>'
            f'<meta name="description" content="{GOOD_DESCRIPTION}">'
            f'<link rel="canonical" href="{URL}"><meta property="og:type" content="{og_type}">'
            '<meta property="og:title" content="Garden spade">')


MICRODATA_PRODUCT = ('<div itemscope itemtype="https://schema.org/Product">'
                     '<h1 itemprop="name">Garden spade</h1><div itemprop="offers" itemscope '
                     'itemtype="https://schema.org/Offer"><span itemprop="price">34.90</span>'
                     '</div></div>')
RDFA_ARTICLE = ('<article vocab="https://schema.org/" typeof="BlogPosting">'
                f'<div property="articleBody">{ARTICLE_TEXT}</div></article>')

CASES = [
    Case("seo.geo.schema_value_invalid",
         fails=[with_ld(changed(ARTICLE, datePublished="February 1, 2024")),
                with_ld(changed(ARTICLE, datePublished=20240201)),  # a number, not a date
                with_ld(changed(PRODUCT, offers={"@type": "Offer", "price": "€34.90",
                                                 "priceCurrency": "EUR"})),
                with_ld(changed(PRODUCT, aggregateRating={"@type": "AggregateRating",
                                                          "ratingValue": 8, "reviewCount": 3})),
                with_ld(changed(ARTICLE, image="/img/roses.jpg")),  # relative URL
                with_ld(changed(ARTICLE, publisher={"@type": "WebSite", "name": "Guides"})),
                with_ld({"@context": "https://schema.org", "@type": "Recipe", "name": "Pancakes",
                         "image": "https://example.com/p.jpg", "cookTime": "20 minutes"}),
                # a nested item reached through @graph
                with_ld({"@context": "https://schema.org", "@graph": [
                    changed(ARTICLE, dateModified="03/02/2024")]}),
                # microdata: a price shown with its currency sign and no content attribute
                lambda: page(doc(MICRODATA_PRODUCT.replace("34.90</span>", "€34.90</span>")))],
         passes=[with_ld(ARTICLE), with_ld(PRODUCT),
                 # leniency: text for an entity, @id references, date-only DateTime, number strings
                 with_ld(changed(ARTICLE, author="Ada Gardener", publisher={"@id": "#org"},
                                 datePublished="2024-02-01")),
                 with_ld(changed(PRODUCT, aggregateRating={
                     "@type": "AggregateRating", "ratingValue": 8, "bestRating": 10,
                     "reviewCount": "12"})),
                 with_ld(changed(PRODUCT, aggregateRating={
                     "@type": "AggregateRating", "ratingValue": "4,5", "reviewCount": 3})),
                 # properties and types not shipped are not judged
                 with_ld(changed(ARTICLE, wibble="!!", mentions={"@type": "Taxon", "name": "Rosa"})),
                 lambda: page(doc(MICRODATA_PRODUCT)),
                 # microdata as Google reads it: content attribute, resolved links, <time datetime>
                 lambda: page(doc('<article itemscope itemtype="https://schema.org/BlogPosting">'
                                  '<a itemprop="url" href="/blog/roses">Roses</a>'
                                  '<img itemprop="image" src="roses.jpg" alt="Roses">'
                                  '<time itemprop="datePublished" datetime="2024-02-01">1 Feb'
                                  '</time><span itemprop="dateModified" content="2024-02-03">'
                                  'yesterday</span></article>')),
                 # not indexable: answer engines do not read it
                 lambda: page(doc(extra_head=ld(changed(ARTICLE, datePublished="yesterday"))
                                  + '<meta name="robots" content="noindex">'))]),
    Case("seo.geo.schema_recommended_missing",
         fails=[with_ld({"@context": "https://schema.org", "@type": "NewsArticle",
                         "headline": "Frost warning"}),
                with_ld(changed(PRODUCT, brand=None)),
                with_ld({"@context": "https://schema.org", "@type": "Organization",
                         "name": "Garden Guides", "url": "https://example.com/"})],
         passes=[with_ld(ARTICLE), with_ld(PRODUCT),
                 with_ld({"@context": "https://schema.org", "@type": "BreadcrumbList",
                          "itemListElement": [{"@type": "ListItem", "position": 1,
                                               "name": "Home", "item": "https://example.com/"}]}),
                 # types outside the shipped rules: nothing to recommend
                 with_ld({"@context": "https://schema.org", "@type": "Taxon", "name": "Rosa"}),
                 lambda: page(doc(extra_head=ld({"@context": "https://schema.org",
                                                 "@type": "Article", "headline": "H"})
                                  + '<meta name="robots" content="noindex">'))]),
    Case("seo.geo.no_structured_data",
         fails=[lambda: page(doc(ARTICLE_TEXT))],
         passes=[lambda: page(doc()),  # too little text to be a content page
                 lambda: page(doc(ARTICLE_TEXT, extra_head=ld(ARTICLE))),
                 lambda: page(doc(RDFA_ARTICLE)),
                 lambda: page(doc(ARTICLE_TEXT, extra_head='<script type="application/ld+json">'
                                                           '{"@type": "Article",}</script>')),
                 lambda: page(doc(ARTICLE_TEXT, extra_head='<meta name="robots" content="noindex">')),
                 lambda: page(doc(ARTICLE_TEXT), status=404),
                 lambda: page(doc(ARTICLE_TEXT, head=og_head("product")))]),
    Case("seo.geo.structured_data_not_json_ld",
         fails=[lambda: page(doc(MICRODATA_PRODUCT)), lambda: page(doc(RDFA_ARTICLE)),
                lambda: page(doc('<p typeof="schema:Person" prefix="schema: https://schema.org/">'
                                 'Ada</p>'))],
         passes=[lambda: page(doc(MICRODATA_PRODUCT, extra_head=ld(PRODUCT))),
                 # RDFa of other vocabularies (Drupal's FOAF/SIOC) is not schema.org
                 lambda: page(doc('<div typeof="foaf:Document sioc:Item">Text</div>')),
                 lambda: page(doc('<div typeof="Article">no schema.org vocab</div>')),
                 lambda: page(doc('<div itemscope itemtype="http://data-vocabulary.org/Breadcrumb">'
                                  '</div>')),
                 lambda: page(doc(MICRODATA_PRODUCT, extra_head='<meta name="robots" '
                                                                'content="noindex">'))]),
    Case("seo.geo.product_markup_missing",
         fails=[lambda: page(doc("<h1>Garden spade</h1><p>34.90 EUR</p>", head=og_head("product"))),
                lambda: page(doc("<h1>Garden spade</h1>", head=og_head("product") + ld(
                    {"@context": "https://schema.org", "@type": "BreadcrumbList",
                     "itemListElement": []})))],
         passes=[lambda: page(doc("<h1>Garden spade</h1>", head=og_head("product") + ld(PRODUCT))),
                 lambda: page(doc(MICRODATA_PRODUCT, head=og_head("product"))),
                 lambda: page(doc("<h1>Spades</h1>", head=og_head("product.group") + ld(
                     {"@context": "https://schema.org", "@type": "ItemPage",
                      "mainEntity": changed(PRODUCT, **{"@type": "ProductGroup"})}))),
                 lambda: page(doc("<h1>Garden spade</h1>", head=og_head("product") + ld(
                     {"@context": "https://schema.org", "@type": "ItemPage",
                      "mainEntity": PRODUCT}))),
                 lambda: page(doc(ARTICLE_TEXT, head=og_head("article"))),
                 lambda: page(doc("<h1>Garden spade</h1>", head=og_head("product")
                                  + '<script type="application/ld+json">{"@type": "Product",}'
                                    '</script>'))]),
]


def test_value_problems_carry_property_value_and_expected_type():
    [finding] = run("seo.geo.schema_value_invalid", with_ld(changed(
        PRODUCT, offers={"@type": "Offer", "price": "$34.90", "priceCurrency": "EUR",
                         "priceValidUntil": "31.12.2026"}))())
    problems = {p["property"]: p for p in finding.details["problems"]}
    assert problems["offers.price"]["value"] == "$34.90"
    assert problems["offers.price"]["expected"] == "Number"
    assert problems["offers.priceValidUntil"]["expected"] == "Date"
    assert all(p["type"] == "Product" for p in problems.values())
    assert len(json.dumps(finding.details)) < 2048


def test_a_nested_item_read_twice_is_reported_once():
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "@id": "#page", "url": URL,
         "breadcrumb": {"@type": "BreadcrumbList", "numberOfItems": "one", "itemListElement": [
             {"@type": "ListItem", "position": 1, "name": "Home", "item": "/"}]}}]}
    [finding] = run("seo.geo.schema_value_invalid", with_ld(graph)())
    # ListItem.item is a Thing: a string stands for it (relative or not), as for any entity
    assert [p["value"] for p in finding.details["problems"]] == ["one"]


def test_recommended_missing_lists_properties_and_doc():
    [finding] = run("seo.geo.schema_recommended_missing", with_ld(
        {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Frost"})())
    [entry] = finding.details["items"]
    assert entry["missing"] == ["author", "dateModified", "datePublished", "image"]
    assert entry["doc"].endswith("/structured-data/article")


def test_microdata_only_finding_lists_the_types():
    [finding] = run("seo.geo.structured_data_not_json_ld", page(doc(MICRODATA_PRODUCT)))
    assert finding.details == {"microdata_types": ["Product", "Offer"], "rdfa_types": []}


def test_microdata_value_problems_say_where_they_come_from():
    html = ('<div itemscope itemtype="https://schema.org/Event"><span itemprop="name">Fair</span>'
            '<span itemprop="startDate">next Saturday</span></div>')
    [finding] = run("seo.geo.schema_value_invalid", page(doc(html)))
    assert finding.details["problems"] == [{
        "type": "Event", "syntax": "microdata", "property": "startDate", "value": "next Saturday",
        "expected": "Date or DateTime",
        "problem": "not an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDThh:mm+zz:zz)"}]
