"""HTML structure checks: head closed early, obsolete elements, plugins, frames."""

from __future__ import annotations

from tests.engine.checks.helpers import Case, doc, page, run

CANONICAL = '<link rel="canonical" href="https://example.com/page">'
ROBOTS = '<meta name="robots" content="noindex">'

CASES = [
    Case("seo.html.head_broken",
         fails=[lambda: page(doc(canonical=None, extra_head=f"<img src=/logo.png>{CANONICAL}")),
                lambda: page(doc(extra_head=f'<div class="banner">Sale</div>{ROBOTS}')),
                lambda: page(doc(canonical=None,
                                 extra_head=f"<iframe src=/x></iframe>{CANONICAL}"))],
         passes=[lambda: page(doc()),
                 # A tracking pixel in <noscript> does not end the head with scripting on.
                 lambda: page(doc(canonical=None, extra_head=(
                     '<noscript><img height="1" width="1" src="https://t.example/p"></noscript>'
                     + CANONICAL))),
                 # An invalid element after all the metadata displaces nothing.
                 lambda: page(doc(extra_head="<img src=/late.png>")),
                 # Microdata <meta itemprop> in the body is valid.
                 lambda: page(doc(body='<h1>A</h1><div itemscope><meta itemprop="name" '
                                       'content="x"></div>')),
                 lambda: page(doc(canonical=None, extra_head=f"<img src=/x>{CANONICAL}"),
                              status=404)]),
    Case("seo.canonical.outside_head",
         fails=[lambda: page(doc(canonical=None, body=f"<h1>A</h1>{CANONICAL}"))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(canonical=None, extra_head=f"<img src=/logo.png>{CANONICAL}")),
                 lambda: page(doc(canonical=None, extra_head=(
                     '<noscript><img height="1" width="1" src="https://t.example/p"></noscript>'
                     + CANONICAL)))]),
    Case("seo.html.deprecated_tags",
         fails=[lambda: page(doc(body="<h1>Hi</h1><center>old</center>")),
                lambda: page(doc(body="<h1>Hi</h1><p><font color=red>x</font></p>"))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(body="<h1>Hi</h1><script>var s='<center>';</script>"))]),
    Case("seo.html.plugins",
         fails=[lambda: page(doc(body='<h1>Hi</h1><embed src="/movie.swf">')),
                lambda: page(doc(body='<h1>Hi</h1><object data="/a.swf"></object>'))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(body='<h1>Hi</h1><video src="/a.mp4"></video>'))]),
    Case("seo.html.internal_iframe",
         fails=[lambda: page(doc(body='<h1>Hi</h1><iframe src="/widgets/prices"></iframe>'))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(body='<h1>Hi</h1><iframe src="https://www.youtube.com/embed/x">'
                                       '</iframe>'))]),
    Case("seo.html.frameset",
         fails=[lambda: page('<!doctype html><html lang="en"><head><title>Frames</title></head>'
                             '<frameset cols="50%,50%"><frame src="/a"><frame src="/b">'
                             '</frameset></html>')],
         passes=[lambda: page(doc()),
                 lambda: page(doc(body='<h1>Hi</h1><iframe src="/embed"></iframe>'))]),
]



def test_head_broken_names_the_element_and_what_it_displaced():
    found = run("seo.html.head_broken",
                page(doc(canonical=None, extra_head=f"<img src=/logo.png>{CANONICAL}{ROBOTS}")))
    assert found[0].details == {"breaking_element": "img",
                                "displaced": ["link:canonical", "meta:robots"]}
