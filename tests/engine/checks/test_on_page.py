"""On-page checks: title, meta description, h1."""

from __future__ import annotations

import pytest

from tests.engine.checks.helpers import Case, doc, fires, page, params, run

LONG_TITLE = "An extremely long title that keeps going well past sixty characters"
LONG_DESCRIPTION = "word " * 40
SVG_TITLE = "<svg><title>Icon tooltip</title></svg>"


CASES = [
    Case("seo.title.missing",
         fails=[lambda: page(doc(title=None)), lambda: page(doc(title=None, body=SVG_TITLE))],
         passes=[lambda: page(doc()), lambda: page(doc(title=None), status=404),
                 lambda: page(None, status=500), lambda: page(bytes(range(256)) * 20)]),
    Case("seo.title.empty",
         fails=[lambda: page(doc(title="")), lambda: page(doc(title="  \n\t "))],
         passes=[lambda: page(doc()), lambda: page(doc(title=None))]),
    Case("seo.title.multiple",
         fails=[lambda: page(doc(extra_head="<title>Second title of this page</title>"))],
         passes=[lambda: page(doc()), lambda: page(doc(body=SVG_TITLE + "<h1>x</h1>"))]),
    Case("seo.title.too_long",
         fails=[lambda: page(doc(title=LONG_TITLE))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(title="A title with    many     spaces   inside   it")),
                 lambda: page(doc(title=LONG_TITLE), status=404)]),
    Case("seo.title.too_short",
         fails=[lambda: page(doc(title="Home"))],
         passes=[lambda: page(doc()), lambda: page(doc(title="")),
                 lambda: page(doc(title="Home"), status=500)]),
    Case("seo.description.missing",
         fails=[lambda: page(doc(description=None))],
         passes=[lambda: page(doc()), lambda: page(doc(description=None), status=404)]),
    Case("seo.description.empty",
         fails=[lambda: page(doc(description="")), lambda: page(doc(description="   "))],
         passes=[lambda: page(doc()), lambda: page(doc(description=None))]),
    Case("seo.description.multiple",
         fails=[lambda: page(doc(extra_head='<meta name="Description" content="again">'))],
         passes=[lambda: page(doc())]),
    Case("seo.description.too_long",
         fails=[lambda: page(doc(description=LONG_DESCRIPTION))],
         passes=[lambda: page(doc()), lambda: page(doc(description=LONG_DESCRIPTION),
                                                   status=404)]),
    Case("seo.description.too_short",
         fails=[lambda: page(doc(description="Too short."))],
         passes=[lambda: page(doc()), lambda: page(doc(description=""))]),
    Case("seo.h1.missing",
         fails=[lambda: page(doc(body="<h2>Only a subheading</h2>"))],
         passes=[lambda: page(doc()), lambda: page(doc(body="<p>x</p>"), status=404)]),
    Case("seo.h1.multiple",
         fails=[lambda: page(doc(body="<h1>One</h1><h1>Two</h1>"))],
         passes=[lambda: page(doc()), lambda: page(doc(body="<h1>One</h1><h2>Two</h2>"))]),
    Case("seo.h1.empty",
         fails=[lambda: page(doc(body="<h1>  </h1>")), lambda: page(doc(body="<h1><img src=x></h1>"))],
         passes=[lambda: page(doc()), lambda: page(doc(body='<h1><img src="l.png" alt="Acme"></h1>')),
                 lambda: page(doc(body="<h1><span>Nested</span> text</h1>"))]),
]


@pytest.mark.parametrize(("code", "factory"), params(CASES, "fails"))
def test_check_flags_failing_page(code, factory):
    assert fires(code, factory())


@pytest.mark.parametrize(("code", "factory"), params(CASES, "passes"))
def test_check_leaves_passing_page_alone(code, factory):
    assert not fires(code, factory())


def test_title_length_is_measured_after_whitespace_normalization():
    spaced = "Pricing   plans\n\n\n" + " " * 80 + "for teams of every size"
    assert len(spaced) > 60
    context = page(doc(title=spaced))
    assert not fires("seo.title.too_long", context)
    assert context.facts.titles == ("Pricing plans for teams of every size",)
    [finding] = run("seo.title.too_long", page(doc(title=LONG_TITLE.replace(" ", "   "))))
    assert finding.details["title"] == LONG_TITLE
    assert finding.details["length"] == len(LONG_TITLE)


def test_title_at_exactly_sixty_characters_passes():
    assert not fires("seo.title.too_long", page(doc(title="x" * 60)))
    assert fires("seo.title.too_long", page(doc(title="x" * 61)))


def test_description_thresholds_are_inclusive():
    assert not fires("seo.description.too_long", page(doc(description="d" * 160)))
    assert not fires("seo.description.too_short", page(doc(description="d" * 70)))
    assert fires("seo.description.too_short", page(doc(description="d" * 69)))
