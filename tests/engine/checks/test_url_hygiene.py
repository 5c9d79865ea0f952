"""URL hygiene checks on a page's own URL: case, separators, length, session ids, parameters,
encoding."""

from __future__ import annotations

from tests.engine.checks.helpers import Case, doc, page, redirected, run

BASE = "https://example.com"


def at(path: str, **kwargs):
    """A clean 200 HTML page fetched at BASE + path (the URL as the crawler normalized it)."""
    return lambda: page(doc(), url=BASE + path, **kwargs)


CASES = [
    Case("seo.url.uppercase",
         fails=[at("/About-Us"), at("/products/SKU-123")],
         passes=[at("/about-us"), at("/search?q=Red+Shoes"), at("/caf%C3%A9"),
                 at("/About-Us", status=404),
                 lambda: redirected(("https://example.com/About", 301))]),
    Case("seo.url.underscores",
         fails=[at("/summer_clothing/"), at("/blog/my_first_post")],
         passes=[at("/summer-clothing/"), at("/search?sort_by=price")]),
    Case("seo.url.too_long",
         fails=[at("/" + "-".join(["category"] * 14))],
         passes=[at("/" + "-".join(["category"] * 10)), at("/")]),
    Case("seo.url.session_id",
         fails=[at("/shop?PHPSESSID=el4ukv0kqbvoirg7nkp4dncpk3"),
                at("/cart;jsessionid=1A530637289A03B07199A44E8D531427"),
                at("/forum/viewtopic.php?t=5&sid=8f3a9c2d4b7e1f0a6c5d3e2b1a0f9e8d"),
                at("/(S(lit3py55t21z5v55vlm25s55))/orders.aspx")],
         passes=[at("/shop?page=2"), at("/stores?sid=12"),  # a short store/site id
                 at("/session-expired"), at("/shop?PHPSESSID=")]),
    Case("seo.url.too_many_parameters",
         fails=[at("/shoes?color=red&size=9&sort=price&page=2"),
                at("/?utm_source=a&utm_medium=b&utm_campaign=c&utm_content=d")],
         passes=[at("/shoes?color=red&size=9&sort=price"), at("/shoes"),
                 at("/shoes?q=a%26b%26c%26d")]),
    Case("seo.url.non_ascii",
         fails=[at("/caf%C3%A9"), at("/%D0%BA%D0%BD%D0%B8%D0%B3%D0%B8/"), at("/caf%E9")],
         passes=[at("/cafe"), at("/a%20b"), at("/search?q=caf%C3%A9"), at("/a%2Fb")]),
    Case("seo.url.double_slash",
         fails=[at("/blog//post"), at("//index.html")],
         passes=[at("/blog/post"), at("/go?to=https://example.org/x")]),
    Case("seo.url.spaces",
         fails=[at("/My%20Document.html"), at("/files/annual%20report/")],
         passes=[at("/my-document.html"), at("/search?q=red%20shoes"), at("/a+b")]),
]



def test_session_id_value_is_not_recorded():
    [finding] = run("seo.url.session_id", at("/shop?PHPSESSID=el4ukv0kqbvoirg7nkp4dncpk3")())
    assert finding.details == {"parameter": "PHPSESSID", "where": "query", "value_length": 26}


def test_non_ascii_decodes_the_path_and_flags_invalid_utf8():
    [finding] = run("seo.url.non_ascii", at("/caf%C3%A9")())
    assert finding.details == {"path": "/caf%C3%A9", "decoded": "/café", "valid_utf8": True}
    [latin1] = run("seo.url.non_ascii", at("/caf%E9")())
    assert latin1.details["valid_utf8"] is False


def test_too_many_parameters_lists_names():
    [finding] = run("seo.url.too_many_parameters", at("/s?a=1&b=2&c=3&d=4&e=")())
    assert finding.details == {"count": 5, "max": 3, "parameters": ["a", "b", "c", "d", "e"]}
