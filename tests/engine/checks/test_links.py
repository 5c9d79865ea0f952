"""Link checks on one page: crawlable hrefs, internal nofollow, anchor text, link count."""

from __future__ import annotations

from tests.engine.checks.helpers import Case, doc, fires, page, run


def many_links(count: int) -> str:
    return "".join(f'<a href="/p/{i}">Product {i}</a>' for i in range(count))


def many_images(count: int) -> str:
    return "".join(f'<img src="/i/{i}.png" alt="Photo {i}" width="9" height="9">' for i in range(count))


CASES = [
    Case("seo.links.uncrawlable",
         fails=[lambda: page(doc(body='<a href="javascript:void(0)">Open menu</a>')),
                lambda: page(doc(body='<a onclick="go()">Next</a>')),
                lambda: page(doc(body='<a href="http://[::1">Broken</a>'))],
         passes=[lambda: page(doc(body='<a href="/ok">OK</a><a href="mailto:a@b.c">Mail</a>'
                                       '<a href="tel:+123">Call</a><a name="top"></a>'
                                       '<a id="section"></a><a href="sms:+1">Text us</a>')),
                 lambda: page(doc(body='<a href="javascript:void(0)">x</a>'), status=404)]),
    Case("seo.links.nofollow_internal",
         fails=[lambda: page(doc(body='<a href="/pricing" rel="nofollow">Pricing</a>')),
                lambda: page(doc(body='<a href="https://example.com/x" rel="NoFollow ugc">X</a>'))],
         passes=[lambda: page(doc(body='<a href="https://other.org/" rel="nofollow">Ad</a>')),
                 lambda: page(doc(body='<a href="/pricing">Pricing</a>'))]),
    Case("seo.links.generic_anchor",
         fails=[lambda: page(doc(body='<a href="/guide">Click here</a>')),
                lambda: page(doc(body='<a href="/blog/post">Read more »</a>'))],
         passes=[lambda: page(doc(body='<a href="/guide">Installation guide</a>')),
                 lambda: page(doc(body='<a href="javascript:x()">here</a>')),
                 lambda: page(doc(body='<a href="/guide">Learn more about installing the app</a>')),
                 lambda: page(doc(body='<a href="#details">more</a>')),
                 lambda: page(doc(body='<a href="/partner" rel="nofollow">learn more</a>'))]),
    Case("seo.links.empty_anchor",
         fails=[lambda: page(doc(body='<a href="https://twitter.com/acme"><i class="fa fa-x"></i></a>')),
                lambda: page(doc(body='<a href="/product/1" class="card-overlay"></a>')),
                lambda: page(doc(body='<a href="#"> </a>'))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(body='<a href="/cart" aria-label="Shopping cart"><svg></svg></a>')),
                 lambda: page(doc(body='<a href="/cart" title="Cart"><i class="icon"></i></a>')),
                 lambda: page(doc(body='<a href="/x"><span class="sr-only">Twitter</span></a>')),
                 lambda: page(doc(body='<a href="/"><img src="/logo.png" alt="Acme home"></a>')),
                 # a nameless image link is the image checks' finding, not this one
                 lambda: page(doc(body='<a href="/"><img src="/logo.png" alt=""></a>')),
                 lambda: page(doc(body='<a name="top"></a><a id="main"></a>')),
                 lambda: page(doc(body='<a href="/x"></a>'), status=404)]),
    Case("seo.links.too_many",
         fails=[lambda: page(doc(body=many_links(3001)))],
         passes=[lambda: page(doc()), lambda: page(doc(body=many_links(3000))),
                 lambda: page(doc(body=many_links(2000) + many_images(2000)))]),
]



def test_uncrawlable_details_count_reasons_and_bound_examples():
    body = '<a href="javascript:a()">x</a>' * 25 + '<a onclick="b()">y</a>'
    [finding] = run("seo.links.uncrawlable", page(doc(body=body)))
    assert finding.details["count"] == 26
    assert finding.details["reasons"] == {"javascript": 25, "missing": 1}
    assert len(finding.details["examples"]) == 10


def test_empty_anchor_lists_link_targets():
    body = '<a href="/a"><i class="icon-a"></i></a><a href="/b">Bee</a><a href="/c"></a>'
    [finding] = run("seo.links.empty_anchor", page(doc(body=body)))
    assert finding.details == {"count": 2, "examples": ["https://example.com/a",
                                                        "https://example.com/c"]}


def test_image_link_named_by_a_later_image_is_not_empty():
    body = '<a href="/"><img src="/spacer.gif" alt=""><img src="/logo.png" alt="Acme"></a>'
    context = page(doc(body=body))
    assert not fires("seo.links.empty_anchor", context)
    assert not fires("seo.images.linked_empty_alt", context)


def test_too_many_links_reports_the_count():
    [finding] = run("seo.links.too_many", page(doc(body=many_links(3005))))
    assert finding.details["links"] == 3005 and finding.details["max"] == 3000
