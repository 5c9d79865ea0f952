"""The shipped schema.org subset and the validator: inheritance, value types, leniency,
hostile input."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audits.engine.microdata import MAX_TYPES, markup_types
from audits.engine.schema_org import (
    DATA_FILE,
    LITERAL_TYPES,
    MAX_NODES,
    as_list,
    missing_recommended,
    missing_required,
    nested_required,
    rule_owners,
    value_problems,
    vocabulary,
)

VOCAB = vocabulary()


def problems(entity: dict) -> dict[str, str]:
    return {p.path: p.problem for p in value_problems(entity)}


# -- the shipped definitions ------------------------------------------------------------------

def test_data_file_names_its_release_and_sources():
    about = json.loads(DATA_FILE.read_text())["_about"]
    assert about["schema_org_release"].startswith("30.0")
    for key in ("ranges", "parents", "google"):
        assert about[key]


def test_every_parent_is_shipped_and_every_type_reaches_thing():
    for name, kind in VOCAB.types.items():
        assert all(parent in VOCAB.types for parent in kind.parents), name
        assert VOCAB.ancestors(name)[-1] == "Thing" or "Thing" in VOCAB.ancestors(name), name


def test_google_lists_name_properties_the_type_defines():
    for name, kind in VOCAB.types.items():
        rules = kind.rules
        if rules is None:
            continue
        assert rules.doc.startswith("https://"), name
        named = [*rules.required, *rules.recommended,
                 *(p for group in (*rules.one_of, *rules.minimum) for p in group)]
        for prop in named:
            if prop in ("mainEntity", "itemListElement", "step"):
                assert prop in ("mainEntity",) or VOCAB.expected((name,), prop), (name, prop)
                continue
            assert VOCAB.expected((name,), prop), f"{name}.{prop} has no shipped range"


def test_ranges_use_known_literal_types_or_entity_names():
    for kind in VOCAB.types.values():
        for prop, expected in kind.properties.items():
            for item in expected:
                assert item in LITERAL_TYPES or item[0].isupper(), (kind.name, prop, item)


# -- inheritance ------------------------------------------------------------------------------

def test_inheritance_reaches_thing_through_every_level():
    assert VOCAB.ancestors("NewsArticle") == ("NewsArticle", "Article", "CreativeWork", "Thing")
    assert VOCAB.ancestors("BlogPosting")[:3] == ("BlogPosting", "SocialMediaPosting", "Article")
    # LocalBusiness is both an Organization and a Place
    assert {"Organization", "Place"} <= set(VOCAB.ancestors("Restaurant"))
    assert VOCAB.is_a("Restaurant", "LocalBusiness") and not VOCAB.is_a("Organization", "Place")


def test_rules_come_from_the_nearest_ancestor_with_rules():
    assert rule_owners({"@type": "ReportageNewsArticle"}) == ("Article",)
    assert rule_owners({"@type": "Dentist"}) == ("LocalBusiness",)
    assert rule_owners({"@type": "AggregateOffer"}) == ("AggregateOffer",)
    assert rule_owners({"@type": "Taxon"}) == ()


def test_inherited_properties_are_checked_on_subtypes():
    # datePublished is CreativeWork's, image is Thing's
    assert set(problems({"@type": "AnalysisNewsArticle", "datePublished": "yesterday",
                         "image": "roses.jpg"})) == {"datePublished", "image"}


def test_multi_typed_entities_take_the_union_of_ranges_and_rules():
    entity = {"@type": ["Product", "Book"], "name": "Atlas"}
    assert missing_required(entity) == ["offers|review|aggregateRating"]
    both = {"@type": ["LocalBusiness", "Event"], "name": "Fair"}
    assert set(missing_required(both)) == {"address", "startDate", "location"}
    # startDate is Event's, logo Organization's: both apply to a node typed as both
    assert set(problems({"@type": ["Event", "Organization"], "startDate": "soon",
                         "logo": "logo.png"})) == {"startDate", "logo"}


def test_full_iri_types_and_keys_are_read_as_bare_names():
    entity = {"@type": "https://schema.org/Article", "https://schema.org/datePublished": "x",
              "schema:dateModified": "2024-01-01"}
    assert set(problems(entity)) == {"datePublished"}


def test_required_recommended_and_minimum():
    assert missing_required({"@type": "Recipe", "name": "Soup"}) == ["image"]
    assert missing_required({"@type": "Article"}) == []  # Google requires nothing
    assert missing_required({"@type": "Article"}, with_minimum=True) == ["headline|name"]
    assert missing_required({"@type": "Event", "name": "Gig"}, of="Article") == []
    assert missing_recommended({"@type": "Article", "headline": "H", "image": " "}) == [
        "author", "dateModified", "datePublished", "image"]
    # name and url are the Organization minimum, reported by organization_incomplete
    assert missing_recommended({"@type": "Corporation"}) == ["logo", "sameAs", "description"]


def test_nested_requirements_only_for_types_that_hold_them_anywhere():
    entity = {"@type": "Product", "name": "Mug",
              "review": [{"@type": "Review", "reviewRating": {"@type": "Rating"}}],
              "aggregateRating": [{"@type": "AggregateRating", "ratingValue": 4}],
              "isVariantOf": {"@type": "ProductGroup", "hasVariant": {"@type": "Product"}}}
    assert nested_required(entity) == ["aggregateRating[0].ratingCount|reviewCount"]
    assert nested_required({"@type": "WebPage", "mainEntity": entity}, skip=("mainEntity",)) == []


# -- value types ------------------------------------------------------------------------------

@pytest.mark.parametrize(("prop", "value"), [
    ("datePublished", "2024-02-01"), ("datePublished", "2024-02-01T08:00:00Z"),
    ("datePublished", "2024-02-01T08:00:00.123+01:00"), ("datePublished", "2024-02-01 08:00"),
    ("datePublished", "2024"), ("datePublished", {"@value": "2024-02-01", "@type": "Date"}),
    ("url", "https://example.com/a"), ("url", "//cdn.example.com/a"),
    ("image", {"@type": "ImageObject", "url": "https://example.com/i.png"}),
    ("image", {"@id": "https://example.com/#logo"}), ("image", ["https://example.com/i.png"]),
    ("author", "Ada"), ("author", {"@type": "Person", "name": "Ada"}),
    ("author", {"name": "Ada"}),  # untyped object where an entity is expected: left alone
    ("author", {"@type": "Thing", "name": "Ada"}),  # a supertype is not wrong
    ("isAccessibleForFree", "False"), ("isAccessibleForFree", True),
    ("wordCount", 1200), ("wordCount", "1200"), ("copyrightYear", 2024),
    ("headline", 2024),  # a number for Text: shown as text
    ("video", {"@type": "VideoObject", "name": "V", "duration": "PT1M33S"}),
    ("about", {"@type": "UnknownExtensionType", "name": "x"}),
    ("timeRequired", "a while"),  # not shipped: not judged
])
def test_values_that_fit(prop, value):
    assert problems({"@type": "Article", prop: value}) == {}


@pytest.mark.parametrize(("prop", "value", "problem"), [
    ("datePublished", "01/02/2024", "ISO 8601 date"),
    ("datePublished", "2024-13-01", "ISO 8601 date"),
    ("datePublished", 20240201, "a number"),
    ("datePublished", {"@type": "Event", "name": "x"}, "plain value"),
    ("datePublished", {"@value": "Feb 1"}, "ISO 8601"),
    ("url", "/relative/path", "absolute URL"),
    ("image", "roses.jpg", "absolute URL"),
    ("isAccessibleForFree", "no", "boolean"),
    ("wordCount", 12.5, "a number"),
    ("author", {"@type": "WebSite", "name": "x"}, "WebSite where Person or Organization"),
    ("video", {"@type": "VideoObject", "name": "V", "duration": "1:33"}, "ISO 8601 duration"),
])
def test_values_that_do_not_fit(prop, value, problem):
    found = problems({"@type": "Article", prop: value})
    assert len(found) == 1
    assert problem in next(iter(found.values()))


def test_google_narrows_offer_price_to_a_number():
    assert problems({"@type": "Offer", "price": "19.99"}) == {}
    assert problems({"@type": "Offer", "price": 0}) == {}
    for bad in ("19,99 €", "$19.99", "1,299.00", "Free"):
        assert set(problems({"@type": "Offer", "price": bad})) == {"price"}, bad
    # schema.org alone allows Text for a PriceSpecification's price; Google narrows only Offer
    assert problems({"@type": "PriceSpecification", "price": "from 5"}) == {}


def test_rating_value_must_sit_within_its_scale():
    assert problems({"@type": "AggregateRating", "ratingValue": 4.5}) == {}
    assert problems({"@type": "Rating", "ratingValue": "9", "bestRating": "10"}) == {}
    assert problems({"@type": "Rating", "ratingValue": "60%"}) == {}  # Google reads percentages
    assert set(problems({"@type": "AggregateRating", "ratingValue": 6})) == {"ratingValue"}
    assert set(problems({"@type": "Rating", "ratingValue": 0})) == {"ratingValue"}
    assert problems({"@type": "Rating", "ratingValue": 0, "worstRating": 0}) == {}
    nested = {"@type": "Recipe", "aggregateRating": {"@type": "AggregateRating",
                                                     "ratingValue": 12, "bestRating": 10}}
    assert set(problems(nested)) == {"aggregateRating.ratingValue"}


# -- hostile input ----------------------------------------------------------------------------

@pytest.mark.parametrize("entity", [
    {}, {"@type": None}, {"@type": 5}, {"@type": [None, {}, "Article"]}, {"@type": ""},
    {"@type": "Article", "author": [[[[{"@type": "Person"}]]]]},
    {"@type": "Article", 5: "x", "": "y", "datePublished": None},
    {"@type": "Article", "datePublished": float("nan")},
    {"@type": "Rating", "ratingValue": float("inf")},
    {"@type": "Rating", "ratingValue": "1e999"},
    {"@type": "Article", "image": {"@type": ["ImageObject", 3], "url": ["x", None, {}]}},
])
def test_wrong_shapes_never_raise(entity):
    value_problems(entity)
    missing_required(entity)
    missing_recommended(entity)
    nested_required(entity)


def test_deep_nesting_is_bounded():
    entity: dict = {"@type": "Article", "datePublished": "bad"}
    for _ in range(5000):
        entity = {"@type": "Article", "hasPart": entity}
    assert value_problems(entity) == []  # the bad date sits far below the depth followed
    nested_required(entity)


def test_deeply_nested_lists_and_huge_values_are_bounded():
    deep: list = ["x"]
    for _ in range(900):  # about as deep as json.loads goes
        deep = [deep]
    assert value_problems({"@type": "Article", "datePublished": deep}) == []  # node budget
    huge = {f"k{i}": {"nested": list(range(100))} for i in range(100_000)}
    [found] = value_problems({"@type": "Article", "datePublished": huge})
    assert len(found.value) <= 80


def test_huge_graphs_are_bounded_in_time_and_output():
    entity = {"@type": "Article",
              "author": [{"@type": "Person", "url": f"/p/{i}", "birthDate": "x"}
                         for i in range(100_000)],
              "hasPart": [{"@type": "Article", "datePublished": f"bad {i}"} for i in range(10_000)]}
    start = time.perf_counter()
    found = value_problems(entity, limit=10)
    assert len(found) == 10
    assert time.perf_counter() - start < 0.5
    big = {"@type": "Product", "review": [{"@type": "Review", "reviewRating": {
        "@type": "AggregateRating"}}] * 100_000}
    assert len(nested_required(big)) <= 10
    assert MAX_NODES < 10_000


# -- microdata / RDFa detection ---------------------------------------------------------------

def _types(html: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from selectolax.lexbor import LexborHTMLParser
    return markup_types(LexborHTMLParser(html), html.encode())[:2]


def test_markup_types_reads_schema_org_only_and_each_type_once():
    html = ('<div itemscope itemtype="https://schema.org/Product http://schema.org/Thing">'
            '<div itemscope itemtype="http://schema.org/Offer"></div>'
            '<div itemscope itemtype="https://schema.org/Offer"></div>'
            '<div itemscope itemtype="http://data-vocabulary.org/Review"></div></div>'
            '<p typeof="schema:Person"></p><p typeof="foaf:Person"></p><p typeof="Event"></p>')
    assert _types(html) == (("Product", "Thing", "Offer"), ("Person",))
    assert _types('<body vocab="https://schema.org/"><p typeof="Event"></p></body>') == (
        (), ("Event",))


def test_markup_types_are_bounded_and_skipped_without_the_attribute():
    many = "".join(f'<i itemscope itemtype="https://schema.org/T{i}"></i>' for i in range(500))
    assert len(_types(many)[0]) == MAX_TYPES
    assert _types("<p>itemprop without types</p>") == ((), ())


# -- property test: any JSON the parse can produce ----------------------------------------------

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) \
    | st.sampled_from(["Article", "Product", "Offer", "AggregateRating", "Person", "2024-01-01",
                       "https://example.com/", "/rel", "PT1H", "4.5", "@id"])
_KEYS = st.sampled_from(["@type", "@id", "@value", "name", "price", "ratingValue", "bestRating",
                         "datePublished", "author", "image", "offers", "aggregateRating", "url",
                         "hasPart", "schema:name"]) | st.text(max_size=8)
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(_KEYS, inner, max_size=6), max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _JSON, max_size=8))
def test_validator_never_raises_and_stays_bounded(entity):
    found = value_problems(entity, limit=10)
    assert len(found) <= 10
    assert all(len(problem.value) <= 80 for problem in found)
    missing_required(entity, with_minimum=True)
    missing_recommended(entity)
    assert len(nested_required(entity)) <= 10


def test_parse_records_markup_types_in_page_facts_and_they_survive_pickling():
    import pickle

    from tests.engine.checks.helpers import doc, page
    facts = page(doc('<div itemscope itemtype="https://schema.org/Recipe"><span itemprop="name">'
                     'Soup</span></div><p vocab="https://schema.org/" typeof="Person">Ada</p>')).facts
    assert (facts.microdata_types, facts.rdfa_types) == (("Recipe",), ("Person",))
    assert pickle.loads(pickle.dumps(facts)) == facts


def test_microdata_items_nest_resolve_and_stay_bounded():
    from selectolax.lexbor import LexborHTMLParser

    from audits.engine.microdata import MAX_ITEMS, MAX_PROPERTIES
    html = ('<div itemscope itemtype="https://schema.org/Recipe"><h1 itemprop="name">Soup</h1>'
            '<img itemprop="image" src="/soup.jpg"><meta itemprop="cookTime" content="PT1H">'
            '<div itemprop="author" itemscope itemtype="https://schema.org/Person">'
            '<span itemprop="name">Ada</span></div>'
            '<span itemprop="recipeIngredient">Leeks</span><span itemprop="recipeIngredient">'
            'Potatoes</span><div itemscope itemtype="https://schema.org/Thing">'
            '<span itemprop="name">separate item</span></div></div>')
    _, _, items = markup_types(LexborHTMLParser(html), html.encode(), "https://example.com/r/")
    assert items[0] == {"@type": "Recipe", "name": "Soup", "image": "https://example.com/soup.jpg",
                        "cookTime": "PT1H", "author": {"@type": "Person", "name": "Ada"},
                        "recipeIngredient": ["Leeks", "Potatoes"]}
    many = "".join('<div itemscope itemtype="https://schema.org/Thing">'
                   + '<i itemprop="name">x</i>' * 30 + "</div>" for _ in range(100))
    _, _, items = markup_types(LexborHTMLParser(many), many.encode(), "https://example.com/")
    assert len(items) <= MAX_ITEMS
    assert sum(len(as_list(item["name"])) for item in items if "name" in item) == MAX_PROPERTIES
    deep = '<div itemscope itemtype="https://schema.org/Thing">' + \
        '<div itemprop="subjectOf" itemscope itemtype="https://schema.org/Thing">' * 3000
    markup_types(LexborHTMLParser(deep), deep.encode(), "https://example.com/")
