"""Structured data & social checks: JSON-LD syntax, context, types and required
properties; Open Graph; X cards."""

from __future__ import annotations

import json

from tests.engine.checks.helpers import Case, doc, page, run

HEAD_NO_OG = '<meta charset="utf-8"><title>A descriptive page title of decent length</title>'


def ld(text: str) -> str:
    return f'<script type="application/ld+json">{text}</script>'


def item(**properties: object) -> str:
    """A JSON-LD block with a schema.org context."""
    return ld(json.dumps({"@context": "https://schema.org", **properties}))


def with_ld(*blocks: str):
    return lambda: page(doc(extra_head="".join(blocks)))


CRUMBS_OK = [{"@type": "ListItem", "position": 1, "name": "Books", "item": "https://example.com/books"},
             {"@type": "ListItem", "position": 2, "name": "Science fiction"}]
QUESTION = {"@type": "Question", "name": "How long does delivery take?",
            "acceptedAnswer": {"@type": "Answer", "text": "Two to three working days."}}
OFFER = {"@type": "Offer", "price": "19.99", "priceCurrency": "EUR"}
ADDRESS = {"@type": "PostalAddress", "streetAddress": "1 Main St", "addressLocality": "Springfield"}
#: A Yoast-style graph: entities split over nodes and joined by @id.
YOAST_GRAPH = {"@context": "https://schema.org", "@graph": [
    {"@type": "WebPage", "@id": "https://example.com/p#webpage", "url": "https://example.com/p",
     "breadcrumb": {"@id": "https://example.com/p#breadcrumb"}},
    {"@type": "BreadcrumbList", "@id": "https://example.com/p#breadcrumb",
     "itemListElement": CRUMBS_OK},
    {"@type": "Organization", "@id": "https://example.com/#org", "name": "Acme",
     "url": "https://example.com/"},
    {"@type": "Article", "@id": "https://example.com/p#article", "headline": "Hello",
     "publisher": {"@id": "https://example.com/#org"}},
]}


CASES = [
    Case("seo.structured_data.json_ld_invalid",
         fails=[lambda: page(doc(extra_head=ld('{"@type": "Article",}'))),
                lambda: page(doc(extra_head=ld("[" * 100_000)))],
         passes=[lambda: page(doc(extra_head=ld('{"@context":"https://schema.org","@type":"Article"}'))),
                 lambda: page(doc(extra_head='<script type="text/javascript">{,}</script>'))]),
    Case("seo.social.og_missing",
         fails=[lambda: page(doc(head=HEAD_NO_OG))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(head=HEAD_NO_OG + '<meta name="robots" content="noindex">'))]),
    Case("seo.social.og_incomplete",
         fails=[lambda: page(doc(head=HEAD_NO_OG + '<meta property="og:title" content="T">'))],
         passes=[lambda: page(doc()), lambda: page(doc(head=HEAD_NO_OG))]),
    Case("seo.structured_data.json_ld_no_context",
         fails=[with_ld(ld('{"@type": "Organization", "name": "Acme", "url": "https://example.com/"}')),
                with_ld(ld('{"@context": "https://example.com/vocab", "@type": "Thing"}')),
                with_ld(ld('[{"@context": "https://schema.org", "@type": "Thing"}, {"@type": "Thing"}]'))],
         passes=[with_ld(item(**{"@type": "Thing"})),
                 with_ld(ld('{"@context": "http://schema.org/", "@type": "Thing"}')),
                 with_ld(ld('{"@context": ["https://schema.org", {"@language": "de"}], "@type": "Thing"}')),
                 with_ld(ld('{"@context": {"@vocab": "https://schema.org/"}, "@type": "Thing"}')),
                 with_ld(ld('{"@type": "https://schema.org/Organization", "https://schema.org/name": "A"}')),
                 with_ld(ld(json.dumps(YOAST_GRAPH))),
                 with_ld(ld('{"@type": "Thing",}'))]),  # does not parse: json_ld_invalid's finding
    Case("seo.structured_data.json_ld_no_type",
         fails=[with_ld(item(name="Acme", url="https://example.com/")),
                with_ld(ld(json.dumps({"@context": "https://schema.org",
                                       "@graph": [{"@type": "WebSite"}, {"name": "Acme"}]})))],
         passes=[with_ld(item(**{"@type": "Thing"})), with_ld(ld(json.dumps(YOAST_GRAPH))),
                 with_ld(ld(json.dumps({"@context": "https://schema.org",
                                        "@graph": [{"@type": "WebSite"}, {"@id": "#x"}]})))]),
    Case("seo.structured_data.article_incomplete",
         fails=[with_ld(item(**{"@type": "NewsArticle"}, datePublished="2024-01-05")),
                with_ld(item(**{"@type": ["BlogPosting"]}, headline=" "))],
         passes=[with_ld(item(**{"@type": "Article"}, headline="Hello")),  # the rest is recommended
                 with_ld(item(**{"@type": "BlogPosting"}, name="Hello")),
                 with_ld(ld(json.dumps(YOAST_GRAPH)))]),
    Case("seo.structured_data.product_incomplete",
         fails=[with_ld(item(**{"@type": "Product"}, name="Mug")),
                with_ld(item(**{"@type": "Product"}, offers=OFFER)),
                with_ld(ld(json.dumps({"@context": "https://schema.org", "@type": "ItemPage",
                                       "mainEntity": {"@type": "Product", "name": "Mug"}})))],
         passes=[with_ld(item(**{"@type": "Product"}, name="Mug", offers=OFFER)),
                 with_ld(item(**{"@type": "Product"}, name="Mug",
                              aggregateRating={"@type": "AggregateRating", "ratingValue": 4.5,
                                               "reviewCount": 12})),
                 # a product nested as what an offer sells is not a product snippet
                 with_ld(item(**{"@type": "Offer"}, price="5",
                              itemOffered={"@type": "Product", "name": "Mug"}))]),
    Case("seo.structured_data.organization_incomplete",
         fails=[with_ld(item(**{"@type": "Organization"}, name="Acme")),
                with_ld(item(**{"@type": "Corporation"}, url="https://example.com/"))],
         passes=[with_ld(item(**{"@type": "Organization"}, name="Acme", url="https://example.com/")),
                 with_ld(ld(json.dumps(YOAST_GRAPH))),
                 # a publisher nested in an Article is not judged as a stand-alone Organization
                 with_ld(item(**{"@type": "Article"}, headline="H",
                              publisher={"@type": "Organization", "name": "Acme"})),
                 # the same entity split over two nodes joined by @id
                 with_ld(item(**{"@type": "Organization", "@id": "#o"}, name="Acme"),
                         item(**{"@type": "Organization", "@id": "#o"}, url="https://example.com/"))]),
    Case("seo.structured_data.breadcrumb_incomplete",
         fails=[with_ld(item(**{"@type": "BreadcrumbList"})),
                with_ld(item(**{"@type": "BreadcrumbList"}, itemListElement=[
                    {"@type": "ListItem", "position": 1, "name": "Books"},
                    {"@type": "ListItem", "position": 2, "name": "Sci-fi"}])),
                with_ld(item(**{"@type": "BreadcrumbList"}, itemListElement=[
                    {"@type": "ListItem", "name": "Books", "item": "https://example.com/b"}]))],
         passes=[with_ld(item(**{"@type": "BreadcrumbList"}, itemListElement=CRUMBS_OK)),
                 with_ld(ld(json.dumps(YOAST_GRAPH))),
                 # name given on the item object, item as {"@id": ...}
                 with_ld(item(**{"@type": "BreadcrumbList"}, itemListElement=[
                     {"@type": "ListItem", "position": 1,
                      "item": {"@id": "https://example.com/b", "name": "Books"}},
                     {"@type": "ListItem", "position": 2, "name": "Sci-fi"}]))]),
    Case("seo.structured_data.faq_incomplete",
         fails=[with_ld(item(**{"@type": "FAQPage"})),
                with_ld(item(**{"@type": "FAQPage"}, mainEntity=[{"@type": "Question", "name": "Q?"}])),
                with_ld(item(**{"@type": "FAQPage"}, mainEntity=[
                    {"@type": "Question", "name": "Q?", "acceptedAnswer": {"@type": "Answer"}}]))],
         passes=[with_ld(item(**{"@type": "FAQPage"}, mainEntity=[QUESTION, QUESTION])),
                 with_ld(item(**{"@type": "FAQPage"}, mainEntity=QUESTION))]),
    Case("seo.structured_data.local_business_incomplete",
         fails=[with_ld(item(**{"@type": "Restaurant"}, name="Chez Nous")),
                with_ld(item(**{"@type": "LocalBusiness"}, address=ADDRESS))],
         passes=[with_ld(item(**{"@type": "Dentist"}, name="Smile", address=ADDRESS)),
                 with_ld(item(**{"@type": "LocalBusiness"}, name="Shop",
                              address="1 Main St, Springfield"))]),
    Case("seo.structured_data.event_incomplete",
         fails=[with_ld(item(**{"@type": "MusicEvent"}, name="Gig", startDate="2025-07-21T19:00")),
                with_ld(item(**{"@type": "Event"}, name="Talk",
                             location={"@type": "Place", "name": "Hall"}))],
         passes=[with_ld(item(**{"@type": "Event"}, name="Webinar", startDate="2025-07-21T19:00+02:00",
                              location={"@type": "VirtualLocation", "url": "https://example.com/live"}))]),
    Case("seo.structured_data.required_missing",
         fails=[with_ld(item(**{"@type": "Recipe"}, name="Pancakes")),  # image is required
                with_ld(item(**{"@type": "VideoObject"}, name="Tour",
                             thumbnailUrl="https://example.com/t.jpg")),  # no uploadDate
                # a rating needs ratingValue and a count, nested in a type with its own check too
                with_ld(item(**{"@type": "Product"}, name="Mug", offers=OFFER,
                             aggregateRating={"@type": "AggregateRating", "ratingValue": 4.5})),
                with_ld(item(**{"@type": "MobileApplication"}, name="App", offers=OFFER))],
         passes=[with_ld(item(**{"@type": "Recipe"}, name="Pancakes",
                              image="https://example.com/p.jpg")),
                 with_ld(item(**{"@type": "VideoObject"}, name="Tour", uploadDate="2024-05-01",
                              thumbnailUrl="https://example.com/t.jpg")),
                 # types with a dedicated check are not reported twice
                 with_ld(item(**{"@type": "Product"}, name="Mug")),
                 with_ld(item(**{"@type": "HowTo"}, name="Fold a shirt")),  # no longer a rich result
                 with_ld(item(**{"@type": "SoftwareApplication"}, name="App", offers=OFFER,
                              aggregateRating={"@type": "AggregateRating", "ratingValue": "4.6",
                                               "ratingCount": "8864"}))]),
    Case("seo.social.twitter_card_missing",
         fails=[lambda: page(doc(head=HEAD_NO_OG)),
                lambda: page(doc(head=HEAD_NO_OG + '<meta property="og:image" content="https://example.com/i.png">'))],
         passes=[lambda: page(doc()),  # og:title: X falls back to Open Graph
                 lambda: page(doc(head=HEAD_NO_OG + '<meta name="twitter:card" content="summary">')),
                 lambda: page(doc(head=HEAD_NO_OG + '<meta name="twitter:title" content="T">')),
                 lambda: page(doc(head=HEAD_NO_OG + '<meta name="robots" content="noindex">')),
                 lambda: page(doc(head=HEAD_NO_OG), status=404)]),
]



def test_og_incomplete_names_missing_properties():
    [finding] = run("seo.social.og_incomplete",
                    page(doc(head=HEAD_NO_OG + '<meta property="og:title" content="T">')))
    assert finding.details["missing"] == ["og:type", "og:image", "og:url"]


def test_required_property_findings_name_type_and_missing():
    [finding] = run("seo.structured_data.event_incomplete",
                    with_ld(item(**{"@type": "MusicEvent"}, name="Gig"))())
    assert finding.details == {"count": 1, "items": [
        {"type": "MusicEvent", "missing": ["startDate", "location"], "name": "Gig"}]}


def test_breadcrumb_finding_points_at_the_item():
    crumbs = [{"@type": "ListItem", "position": 1, "name": "Books"},
              {"@type": "ListItem", "position": 2, "name": "Sci-fi"}]
    [finding] = run("seo.structured_data.breadcrumb_incomplete",
                    with_ld(item(**{"@type": "BreadcrumbList"}, itemListElement=crumbs))())
    assert finding.details["items"][0]["missing"] == ["itemListElement[0].item"]


def test_required_missing_names_the_nested_path():
    [finding] = run("seo.structured_data.required_missing", with_ld(item(
        **{"@type": "Product"}, name="Mug", offers=OFFER,
        aggregateRating={"@type": "AggregateRating", "ratingCount": 3}))())
    assert finding.details["items"] == [{"type": "Product", "name": "Mug", "missing": [
        "aggregateRating.ratingValue"]}]


def test_rich_result_checks_follow_the_shipped_type_hierarchy():
    # HealthClub descends from LocalBusiness twice over; ProductGroup has rules of its own;
    # VeterinaryCare is a MedicalOrganization, so an Organization, in schema.org.
    assert run("seo.structured_data.local_business_incomplete",
               with_ld(item(**{"@type": "HealthClub"}, name="Gym"))())
    assert not run("seo.structured_data.product_incomplete",
                   with_ld(item(**{"@type": "ProductGroup"}, name="Shirt"))())
    assert run("seo.structured_data.organization_incomplete",
               with_ld(item(**{"@type": "VeterinaryCare"}, name="Vet"))())
    [finding] = run("seo.structured_data.article_incomplete",
                    with_ld(item(**{"@type": "LiveBlogPosting"}))())
    assert finding.details["items"][0]["missing"] == ["headline|name"]


def test_finding_names_the_type_the_rules_matched():
    [finding] = run("seo.structured_data.product_incomplete",
                    with_ld(item(**{"@type": ["Thing", "Product"]}, name="Mug"))())
    assert finding.details["items"][0]["type"] == "Product"
