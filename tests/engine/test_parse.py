"""parse_page: what it extracts, how it decodes, and that no input can make it raise."""

from __future__ import annotations

import codecs
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.engine.hrefs import fast_resolve
from audits.engine.parse import (
    MAX_ELEMENTS,
    MAX_LINKS,
    compute_indexability,
    parse_page,
    resolved_canonical,
)
from audits.engine.parse_limits import MAX_BLOCK_DEPTH
from audits.engine.types import FetchResult, RedirectHop
from audits.engine.urls import normalize_url, origin_of, resolve_href

URL = "https://example.com/dir/page"


def fetch(url: str = URL, *, content_type: str = "text/html; charset=utf-8",
          headers: dict[str, str] | None = None, **kwargs) -> FetchResult:
    return FetchResult(requested_url=url, final_url=kwargs.pop("final_url", url),
                       status=kwargs.pop("status", 200), content_type=content_type,
                       headers=tuple((k.lower(), v) for k, v in (headers or {}).items()), **kwargs)


def parse(html: str | bytes, *, include_subdomains: bool = False, **kwargs):
    body = html.encode() if isinstance(html, str) else html
    return parse_page(fetch(**kwargs), body, start_host="example.com",
                      include_subdomains=include_subdomains)


def links_of(facts, kind: str = "a"):
    return [link for link in facts.links if link.kind == kind]


# -- extraction ------------------------------------------------------------------------------

FULL = """<!doctype html><html lang="en-GB"><head><meta charset="utf-8">
<title>  First   title </title><title>Second</title>
<meta name="description" content="  A  description ">
<meta name="ROBOTS" content="noindex, follow"><meta name="googlebot" content="nosnippet">
<meta name="viewport" content="width=device-width">
<meta http-equiv="refresh" content="10; url=/next">
<link rel="canonical" href="/dir/page"><link rel="stylesheet" href="/s.css">
<link rel="alternate" hreflang="de" href="https://example.com/de/">
<meta property="og:title" content="OG title"><meta name="twitter:card" content="summary">
<script type="application/ld+json">{"@graph": [{"@type": "Article"}, {"@type": ["A", "B"]}]}</script>
<script type="application/ld+json">{"broken": </script>
<script src="/app.js"></script><style>.x{color:red}</style>
</head><body><h1>Main <b>heading</b></h1><h3>Third</h3><h2>Second</h2>
<svg><title>Tooltip</title></svg>
<a href="/a" rel="NoFollow UGC">Alpha   link</a>
<a href="https://other.org/x">External</a>
<a href="https://blog.example.com/">Sub</a>
<a href="b"><img src="/logo.png" alt="Logo"></a>
<img src="/photo.jpg" width="10" height="20" loading="lazy"><img src="/deco.png" alt="">
<iframe src="/frame"></iframe>
<noscript><p>no script text</p></noscript><template><p>template text</p></template>
<p>Visible words here.</p><script>var hidden = "script text";</script>
</body></html>"""


def test_extracts_head_metadata():
    facts = parse(FULL, headers={"Link": '<https://example.com/h>; rel="canonical"'})
    assert facts.url == URL
    assert facts.titles == ("First title", "Second")
    assert facts.meta_descriptions == ("A description",)
    assert facts.meta_robots == (("robots", "noindex, follow"), ("googlebot", "nosnippet"))
    assert facts.viewport == "width=device-width"
    assert facts.meta_refresh == "10; url=/next"
    assert facts.lang == "en-GB"
    assert facts.canonical_tags == ("/dir/page",)
    assert facts.canonical_headers == ("https://example.com/h",)
    assert facts.canonical_urls == (URL, "https://example.com/h")
    assert facts.hreflangs == (("de", "https://example.com/de/"),)
    assert facts.open_graph == (("og:title", "OG title"),)
    assert facts.twitter == (("twitter:card", "summary"),)


def test_extracts_json_ld_with_graph_types_and_errors():
    facts = parse(FULL)
    good, bad = facts.json_ld
    assert good.types == ("Article", "A", "B") and good.error is None
    assert good.data["@graph"][0]["@type"] == "Article"
    assert bad.data is None and bad.error


def test_extracts_headings_in_document_order():
    facts = parse(FULL)
    assert [(h.level, h.text) for h in facts.headings] == [
        (1, "Main heading"), (3, "Third"), (2, "Second")]


def test_extracts_links_of_every_kind():
    facts = parse(FULL)
    anchors = links_of(facts)
    assert [link.url for link in anchors] == [
        "https://example.com/a", "https://other.org/x", "https://blog.example.com/",
        "https://example.com/dir/b"]
    assert anchors[0].rel == ("nofollow", "ugc") and anchors[0].nofollow
    assert anchors[0].anchor == "Alpha link"
    assert [link.internal for link in anchors] == [True, False, False, True]
    assert anchors[3].anchor == "Logo"  # image alt stands in for missing text
    kinds = {link.kind for link in facts.links}
    assert kinds == {"a", "img", "script", "css", "iframe", "canonical", "hreflang"}
    assert [link.url for link in links_of(facts, "css")] == ["https://example.com/s.css"]
    assert [link.url for link in links_of(facts, "iframe")] == ["https://example.com/frame"]


def test_subdomains_are_internal_only_when_asked():
    facts = parse(FULL, include_subdomains=True)
    assert [link.internal for link in links_of(facts)] == [True, False, True, True]


def test_extracts_images():
    logo, photo, deco = parse(FULL).images
    assert logo.src == "https://example.com/logo.png" and logo.alt == "Logo" and logo.in_link
    assert photo.alt is None and not photo.in_link
    assert (photo.width, photo.height, photo.loading) == ("10", "20", "lazy")
    assert deco.alt == ""


def test_visible_text_excludes_scripts_styles_noscript_and_templates():
    facts = parse(FULL)
    # Main heading Third Second Tooltip Alpha link External Sub Visible words here.
    assert facts.word_count == 12
    same_text = parse("<body><p>main   HEADING third second tooltip alpha\nlink external sub "
                      "visible words here.</p></body>")
    assert same_text.content_hash == facts.content_hash
    assert 0 < facts.text_ratio < 1
    assert facts.html_bytes == len(FULL.encode())
    assert len(facts.content_hash) == 40
    assert parse("<p>Hello   World</p>").content_hash == parse("<div>hello world</div>").content_hash
    assert parse("<p>Hello World</p>").content_hash != parse("<p>Hello Word</p>").content_hash
    assert parse("<html><body></body></html>").content_hash == ""


def test_base_href_is_honoured():
    facts = parse('<head><base href="https://example.com/base/"></head>'
                  '<body><a href="x">x</a><a href="/y">y</a></body>')
    assert facts.base_href == "https://example.com/base/"
    assert [link.url for link in links_of(facts)] == [
        "https://example.com/base/x", "https://example.com/y"]


@pytest.mark.parametrize(("href", "reason"), [
    ("javascript:void(0)", "javascript"), (" JavaScript:go()", "javascript"),
    ("mailto:a@example.com", "mailto"), ("tel:+123", "tel"), ("data:text/html,hi", "data"),
    ("", "empty"), ("   ", "empty"), ("http://[::1", "malformed"), ("https://exa mple.com/", "malformed"),
    ("ftp://example.com/file", "unsupported_scheme"),
])
def test_uncrawlable_hrefs_get_a_reason(href, reason):
    [link] = links_of(parse(f'<a href="{href}">x</a>'))
    assert link.url == "" and link.uncrawlable_reason == reason and not link.internal


def test_anchor_without_href_is_missing_but_named_anchors_are_not_links():
    facts = parse('<a name="top"></a><a id="s"></a><a>no href</a><a onclick="go()">js</a>')
    assert [link.uncrawlable_reason for link in links_of(facts)] == ["missing", "missing"]


def test_long_hrefs_are_flagged_and_cut():
    long_path = "/x" + "a" * 10_000
    [link] = links_of(parse(f'<a href="{long_path}">long</a>'))
    assert link.uncrawlable_reason == "too_long"
    assert link.url == normalize_url("https://example.com" + long_path)  # the frontier refuses it
    assert len(link.raw_href) == 512
    [huge] = links_of(parse(f'<a href="/{"b" * 20_000}">huge</a>'))
    assert huge.url == "" and huge.uncrawlable_reason == "too_long"


def test_text_fields_are_bounded():
    facts = parse(f'<h1>{"h" * 500}</h1><a href="/x">{"w " * 500}</a>')
    assert len(facts.headings[0].text) == 200
    assert len(links_of(facts)[0].anchor) == 200


def test_tabs_and_newlines_inside_hrefs_are_dropped_like_browsers_do():
    [link] = links_of(parse('<a href="/pa\nth\t/x">x</a>'))
    assert link.url == "https://example.com/path/x"


def test_links_beyond_the_cap_are_counted_not_kept():
    facts = parse('<a href="/x">x</a>' * (MAX_LINKS + 5))
    assert len(facts.links) == MAX_LINKS and facts.links_dropped == 5


def test_elements_beyond_the_cap_are_not_read():
    facts = parse("<h2>x</h2>" * (MAX_ELEMENTS + 7))
    assert len(facts.headings) == MAX_ELEMENTS and facts.links_dropped == 7


# -- decoding --------------------------------------------------------------------------------

def test_http_charset_wins_over_meta():
    body = '<meta charset="utf-8"><p>Café</p>'.encode("cp1252")
    facts = parse(body, content_type="text/html; charset=windows-1252")
    assert facts.encoding == "cp1252" and facts.charset_source == "http"
    assert not facts.encoding_errors and facts.declared_charset == "windows-1252"
    assert facts.charset_position == 0


def test_meta_charset_is_used_and_located():
    body = b"<html><head>  <meta http-equiv='Content-Type' content='text/html; charset=iso-8859-1'>"
    facts = parse(body + "<p>Café</p>".encode("latin-1"), content_type="text/html")
    assert facts.encoding == "cp1252" and facts.charset_source == "meta"
    assert facts.charset_position == 14 and facts.declared_charset == "iso-8859-1"


def test_bom_wins():
    body = codecs.BOM_UTF16_LE + "<title>Zürich</title>".encode("utf-16-le")
    facts = parse(body, content_type="text/html; charset=iso-8859-1")
    assert facts.titles == ("Zürich",) and facts.charset_source == "bom"


def test_undeclared_utf8_and_legacy_bytes():
    facts = parse("<title>Zürich</title>", content_type="text/html")
    assert facts.encoding == "utf-8" and facts.charset_source == "default"
    legacy = parse(("<title>Café crème brûlée à la française</title><p>" + "é" * 50).encode("cp1252"),
                   content_type="text/html")
    assert legacy.encoding != "utf-8" and legacy.charset_source == "detected"
    assert legacy.titles[0].startswith("Caf")


def test_invalid_bytes_in_declared_utf8_are_replaced_and_reported():
    facts = parse(b"<title>Caf\xe9 \xff</title><body>\xc3\x28 \x80</body>")
    assert facts.encoding == "utf-8" and facts.encoding_errors
    assert facts.titles == ("Caf\ufffd \ufffd",)


@pytest.mark.parametrize("label", ["no-such-charset", "base64", "rot13", "zlib"])
def test_bogus_or_binary_codec_labels_are_ignored(label):
    facts = parse("<title>ok</title>", content_type=f"text/html; charset={label}")
    assert facts.titles == ("ok",) and facts.encoding == "utf-8"


def test_meta_claiming_utf16_means_utf8():
    facts = parse('<meta charset="utf-16"><title>Zürich</title>', content_type="text/html")
    assert facts.encoding == "utf-8" and facts.titles == ("Zürich",)


# -- hostile input ---------------------------------------------------------------------------

def test_binary_garbage_served_as_html():
    facts = parse(bytes(range(256)) * 400, content_type="text/html")
    assert facts.unparseable == "binary"


def test_nul_bytes_do_not_break_parsing():
    facts = parse(b"<title>a\x00b</title><a href='/x\x00y'>l\x00ink</a><p>\x00\x00</p>")
    assert facts.titles and facts.links and facts.unparseable is None


def test_deep_nesting_is_cut_and_stays_fast():
    start = time.perf_counter()
    facts = parse("<title>Deep</title>" + "<div>" * 200_000 + "<a href='/x'>x</a>")
    assert time.perf_counter() - start < 5  # unguarded, Lexbor needs minutes for this
    assert facts.parse_limit == "nesting_depth" and facts.titles == ("Deep",)
    shallow = parse("<div>" * (MAX_BLOCK_DEPTH - 10) + "<span>x</span>" * 5000)
    assert shallow.parse_limit is None


def test_thousands_of_attributes_are_cut_and_stay_fast():
    attrs = " ".join(f"a{i}=1" for i in range(300_000))
    start = time.perf_counter()
    facts = parse(f"<title>Attrs</title><p>before</p><a {attrs}>x</a><p>after</p>")
    assert time.perf_counter() - start < 5  # unguarded: minutes
    assert facts.parse_limit == "attribute_count" and facts.titles == ("Attrs",)
    valueless = parse("<p>" * 10 + "<a " + " ".join(f"b{i}" for i in range(5000)) + ">")
    assert valueless.parse_limit == "attribute_count"
    inline = parse('<img src="data:image/png;base64,' + "QUJD" * 100_000 + '" alt="a b c">'
                   '<p title="' + "word " * 5000 + '">text</p>')
    assert inline.parse_limit is None


def test_huge_select_list_is_fast():
    start = time.perf_counter()
    facts = parse("<title>Form</title><select>" + "<option>item" * 50_000 + "</select>")
    assert time.perf_counter() - start < 5
    assert facts.titles == ("Form",)


def test_oversized_and_deeply_nested_json_ld():
    big = '{"x": "' + "a" * 300_000 + '"}'
    [block] = parse(f'<script type="application/ld+json">{big}</script>').json_ld
    assert block.data is None and "256 KB" in block.error
    [deep] = parse('<script type="application/ld+json">' + "[" * 50_000 + "</script>").json_ld
    assert deep.data is None and deep.error


@pytest.mark.parametrize("body", [b"", b"   \n", b"plain text only", b"\xff\xfe\x00\x00",
                                  b"<", b"<!--", b"<html", b"<a href='", b"<frameset></frameset>"])
def test_degenerate_bodies(body):
    facts = parse(body, content_type="text/html")
    assert facts.html_bytes == len(body)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(body=st.binary(max_size=4000), content_type=st.sampled_from(
    ["text/html", "text/html; charset=utf-8", "text/html; charset=utf-16", "text/html; charset=x",
     "text/html; charset=shift_jis", ""]))
def test_never_raises_on_arbitrary_bytes(body, content_type):
    facts = parse(body, content_type=content_type)
    assert facts.html_bytes == len(body)
    json.dumps(facts.word_count)


_FRAGMENTS = st.sampled_from([
    "<a href='", "'>", "<a href=\"javascript:x\">", "</a>", "<img src=", " alt=", ">", "<div>",
    "</div>", "<title>", "</title>", "<meta name=robots content=noindex>", "<base href='",
    "<link rel=canonical href=", "http://[::1", "//", "../", "#", "?", "%zz", "\x00", "é", "\ufffd",
    "<script type=application/ld+json>", "</script>", "{", "[", "<svg><title>", "<h1>", "<select>",
    "<option>", "<noscript>", "<!--", "-->", "<![CDATA[", "&amp;", "&#0;", "&#x110000;", " ", "\n",
])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(parts=st.lists(st.one_of(_FRAGMENTS, st.text(max_size=20)), max_size=60),
       url=st.sampled_from([URL, "https://例え.jp/パス", "http://[::1]:8080/x", "not a url"]))
def test_never_raises_on_html_like_text(parts, url):
    html = "".join(parts)
    body = html.encode("utf-8", "surrogatepass")
    facts = parse_page(fetch(url), body, start_host="example.com")
    for link in facts.links:
        assert link.url == "" or link.url.startswith(("http://", "https://"))
    compute_indexability(fetch(url), facts, robots_allowed=True, robots_token="SEOAuditBot")


_HREF_PIECES = st.sampled_from([
    *"abAZ09-._~/!$&'()*+,;=:@?#%. ", "..", "./", "//", "https://example.com",
    "https://example.com:443", "HTTPS://EXAMPLE.COM", "http:", "é"])


@settings(max_examples=3000, deadline=None)
@given(base=st.sampled_from(["https://example.com/", "https://example.com/dir/page?x=1",
                             "http://a.b:8080/x/y/", "https://u@h.com/a"]),
       href=st.lists(_HREF_PIECES, max_size=12).map("".join))
def test_fast_href_resolution_matches_the_full_resolver(base, href):
    fast = fast_resolve(base, href, False)
    if fast is not None:
        assert fast == resolve_href(base, href)
    origin = origin_of(base)
    fast = fast_resolve(origin, href, True)
    if fast is not None:
        assert fast == normalize_url(origin + href)


# -- indexability ----------------------------------------------------------------------------

def indexability(html: str | None = "<title>t</title>", *, robots_allowed: bool = True, **kw):
    result = fetch(**kw)
    facts = parse_page(result, html.encode(), start_host="example.com") if html is not None else None
    return compute_indexability(result, facts, robots_allowed=robots_allowed,
                                robots_token="SEOAuditBot")


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, (True, "")),
    ({"robots_allowed": False}, (False, "blocked by robots.txt")),
    ({"html": None, "status": 0, "error": "robots_blocked"}, (False, "blocked by robots.txt")),
    ({"html": None, "status": 0, "error": "timeout"}, (False, "fetch error: timeout")),
    ({"status": 404}, (False, "HTTP 404")),
    ({"content_type": "application/pdf", "html": None}, (False, "not HTML")),
    ({"html": '<meta name="robots" content="noindex">'}, (False, "noindex (meta robots)")),
    ({"html": '<meta name="SEOAuditBot" content="none">'}, (False, "noindex (meta seoauditbot)")),
    ({"html": '<meta name="googlebot" content="noindex">'}, (False, "noindex (meta googlebot)")),
    ({"html": '<meta name="bingbot" content="noindex">'}, (True, "")),
    ({"headers": {"X-Robots-Tag": "none"}}, (False, "noindex (X-Robots-Tag)")),
    ({"headers": {"X-Robots-Tag": "googlebot: noindex"}},
     (False, "noindex (X-Robots-Tag (googlebot))")),
    ({"headers": {"X-Robots-Tag": "otherbot: noindex"}}, (True, "")),
    ({"headers": {"X-Robots-Tag": "unavailable_after: 25 Jun 2010 15:00:00 PST"}},
     (False, "unavailable_after 2010-06-25 has passed")),
    ({"headers": {"X-Robots-Tag": "unavailable_after: 25 Jun 2099 15:00:00 PST"}}, (True, "")),
    ({"headers": {"X-Robots-Tag": "otherbot: unavailable_after: 25 Jun 2010"}}, (True, "")),
    ({"headers": {"X-Robots-Tag": "unavailable_after: not a date"}}, (True, "")),
    ({"html": '<link rel="canonical" href="/other">'},
     (False, "canonicalised to https://example.com/other")),
    ({"html": '<link rel="canonical" href="/dir/page#top">'}, (True, "")),
    ({"html": '<link rel="canonical" href="/a"><link rel="canonical" href="/b">'}, (True, "")),
    ({"html": "\x00\x01\x02\x03\x04" * 100}, (False, "not parseable as HTML (binary)")),
])
def test_compute_indexability(kwargs, expected):
    assert indexability(**kwargs) == expected


def test_redirect_source_is_not_indexable():
    result = fetch("https://example.com/old", final_url=URL,
                   redirect_chain=(RedirectHop("https://example.com/old", 301, URL),))
    assert compute_indexability(result, None, robots_allowed=True, robots_token="x") == (
        False, f"redirects to {URL}")


def test_truncated_body_is_not_analysed():
    result = fetch(truncated=True, size=10**8)
    assert compute_indexability(result, None, robots_allowed=True, robots_token="x") == (
        False, "not analysed: body over the size cap")


def test_resolved_canonical_prefers_the_first_valid_tag_then_headers():
    facts = parse('<link rel="canonical" href="javascript:x"><link rel="canonical" href="/c">',
                  headers={"Link": "<https://example.com/h>; rel=canonical"})
    assert resolved_canonical(facts) == "https://example.com/c"
    only_header = parse("<p>x</p>", headers={"Link": '<https://example.com/h>; rel="canonical"'})
    assert resolved_canonical(only_header) == "https://example.com/h"
    assert resolved_canonical(parse("<p>x</p>")) is None


def _facts(body: bytes):
    fetch = FetchResult("https://example.com/p", "https://example.com/p", 200,
                        content_type="text/html; charset=utf-8")
    return parse_page(fetch, body, start_host="example.com")


def test_canonical_in_body_is_ignored_like_google_does():
    facts = _facts(b'<html><head><title>t</title></head><body><p>x</p>'
                   b'<link rel="canonical" href="/other"></body></html>')
    assert facts.canonical_urls == () and facts.ignored_canonicals == ("/other",)
    head_broken = _facts(b'<html><head><title>t</title><img src=/a.png>'
                         b'<link rel="canonical" href="/other"></head><body></body></html>')
    assert head_broken.canonical_urls == () and head_broken.head_breaker == "img"


def test_canonical_after_a_noscript_pixel_still_counts():
    facts = _facts(b'<html><head><title>t</title><noscript><img src="https://t.example/p">'
                   b'</noscript><link rel="canonical" href="/p"></head><body></body></html>')
    assert facts.canonical_urls == ("https://example.com/p",)
    assert facts.ignored_canonicals == () and facts.head_elements_in_body == ()


def test_button_anchors_are_not_links_and_pixels_need_no_alt():
    facts = _facts(b'<html><head><title>t</title></head><body>'
                   b'<a role="button" onclick="open()">Menu</a><a onclick="go()">Go</a>'
                   b'<img src="/b.gif" width="1" height="1"><img src="/c.png" style="display:none">'
                   b'<img src="/d.png"></body></html>')
    assert [link.anchor for link in facts.links if link.kind == "a"] == ["Go"]
    assert [img.decorative for img in facts.images] == [True, True, False]


def test_icon_links_get_their_accessible_name():
    facts = _facts(b'<html><head><title>t</title></head><body>'
                   b'<a href="/cart" aria-labelledby="cart-label"><svg></svg></a>'
                   b'<span id="cart-label">Shopping cart</span>'
                   b'<a href="/search"><svg role="img" aria-label="Search"></svg></a>'
                   b'<a href="/nothing"><svg></svg></a></body></html>')
    assert [link.anchor for link in facts.links if link.kind == "a"] == [
        "Shopping cart", "Search", ""]


def test_a_second_canonical_in_the_body_does_not_conflict_with_the_head_one():
    facts = _facts(b'<html><head><title>t</title><link rel="canonical" href="/p"></head><body>'
                   b'<p>x</p><link rel="canonical" href="/other"></body></html>')
    assert facts.canonical_urls == ("https://example.com/p",)
    assert facts.ignored_canonicals == ("/other",)
