"""Image checks: alt attribute, width/height, linked images, lazy loading."""

from __future__ import annotations

from tests.engine.checks.helpers import Case, doc, page, run

SIZED = 'width="10" height="10"'
LONG_ALT = ("Red cotton summer dress with a floral print, short sleeves, a knee-length skirt and "
            "a thin leather belt, photographed on a model in a sunny garden")
CAPTION_ALT = "Bar chart: revenue grew from 1.2 to 3.4 million euros between 2019 and 2023"


def gallery(count: int, attrs: str = "", src: str = "/photos/{i}.jpg") -> str:
    return "".join(f'<img src="{src.format(i=i)}" alt="Photo {i}" {SIZED} {attrs}>'
                   for i in range(count))


CASES = [
    Case("seo.images.alt_missing",
         fails=[lambda: page(doc(body=f'<img src="/a.png" {SIZED}>')),
                lambda: page(doc(body=f'<a href="/"><img src="/logo.png" {SIZED}></a>'))],
         passes=[lambda: page(doc(body=f'<img src="/a.png" alt="A chart" {SIZED}>')),
                 lambda: page(doc(body=f'<img src="/spacer.gif" alt="" {SIZED}>')),
                 lambda: page(doc(body=f'<img src="/s.gif" alt {SIZED}>')),
                 lambda: page(doc(body=f'<img src="/d.gif" role="presentation" {SIZED}>')),
                 lambda: page(doc(body=f'<img src="/d.gif" aria-hidden="true" {SIZED}>')),
                 lambda: page(doc(body='<img src="/a.png">'), status=404)]),
    Case("seo.images.missing_dimensions",
         fails=[lambda: page(doc(body='<img src="/a.png" alt="A">')),
                lambda: page(doc(body='<img src="/a.png" alt="A" width="100">'))],
         passes=[lambda: page(doc(body=f'<img src="/a.png" alt="A" {SIZED}>')),
                 lambda: page(doc())]),
    Case("seo.images.linked_empty_alt",
         fails=[lambda: page(doc(body=f'<a href="/"><img src="/logo.png" alt="" {SIZED}></a>')),
                lambda: page(doc(body=f'<a href="/x"><img src="/i.png" alt="" role="presentation" '
                                      f'{SIZED}></a>'))],
         passes=[lambda: page(doc(body=f'<a href="/"><img src="/logo.png" alt="Acme home" {SIZED}></a>')),
                 lambda: page(doc(body=f'<a href="/"><img src="/logo.png" alt="" {SIZED}> Home</a>')),
                 lambda: page(doc(body=f'<a href="/" aria-label="Acme home"><img src="/l.png" alt="" '
                                       f'{SIZED}></a>')),
                 lambda: page(doc(body=f'<a href="/p">Product</a><img src="/deco.png" alt="" {SIZED}>')),
                 # no alt attribute at all: seo.images.alt_missing reports it
                 lambda: page(doc(body=f'<a href="/"><img src="/logo.png" {SIZED}></a>'))]),
    Case("seo.images.alt_too_long",
         fails=[lambda: page(doc(body=f'<img src="/d.jpg" alt="{LONG_ALT}" {SIZED}>'))],
         passes=[lambda: page(doc(body=f'<img src="/c.png" alt="{CAPTION_ALT}" {SIZED}>')),
                 lambda: page(doc(body=f'<img src="/d.jpg" alt="{"Dress   " * 17}" {SIZED}>')),
                 lambda: page(doc())]),
    Case("seo.images.no_lazy_loading",
         fails=[lambda: page(doc(body=gallery(11))),
                lambda: page(doc(body=gallery(30)))],
         passes=[lambda: page(doc(body=gallery(10))),
                 lambda: page(doc(body=gallery(1, 'loading="eager"') + gallery(15, 'loading="lazy"'))),
                 # a script lazy-loader: data-src with a placeholder src
                 lambda: page(doc(body=gallery(20, 'class="lazyload"',
                                               src="data:image/gif;base64,R0lGODlhAQABAAAAACw="))),
                 # many images, but the same sprite or icons repeated
                 lambda: page(doc(body=gallery(20, src="/sprite.png"))),
                 lambda: page(doc(body=gallery(20, src="/icons/{i}.svg"))),
                 lambda: page(doc(body=gallery(20)), status=404)]),
]



def test_alt_missing_lists_absolute_image_urls():
    [finding] = run("seo.images.alt_missing",
                    page(doc(body=f'<img src="/a.png" {SIZED}><img src="b.png" alt="" {SIZED}>')))
    assert finding.details == {"count": 1, "total": 2, "examples": ["https://example.com/a.png"]}


def test_linked_empty_alt_names_link_and_image():
    body = f'<a href="/home"><img src="/logo.png" alt="" {SIZED}></a><a href="/b">B</a>'
    [finding] = run("seo.images.linked_empty_alt", page(doc(body=body)))
    assert finding.details == {"count": 1, "examples": [
        {"link": "https://example.com/home", "image": "https://example.com/logo.png"}]}


def test_linked_images_are_matched_to_their_own_link():
    # the unnamed image link comes after a named one and a free-standing image
    body = (f'<a href="/a"><img src="/a.png" alt="Alpha" {SIZED}></a>'
            f'<img src="/free.png" alt="" {SIZED}>'
            f'<a href="/b"><img src="/b.png" alt="" {SIZED}></a>')
    [finding] = run("seo.images.linked_empty_alt", page(doc(body=body)))
    assert finding.details["examples"] == [{"link": "https://example.com/b",
                                            "image": "https://example.com/b.png"}]


def test_no_lazy_loading_counts_distinct_images():
    [finding] = run("seo.images.no_lazy_loading", page(doc(body=gallery(12))))
    assert finding.details["images"] == 12 and len(finding.details["examples"]) == 10
