"""On-page checks: title, meta description, h1, heading outline, amount of text."""

from __future__ import annotations

import pytest

from audits.engine.checks.text_width import text_width_px
from tests.engine.checks.helpers import Case, doc, fires, page, record, run, site

LONG_TITLE = "An extremely long title that keeps going well past sixty characters"
LONG_DESCRIPTION = "word " * 40
SVG_TITLE = "<svg><title>Icon tooltip</title></svg>"
#: 58 characters (passes the character limit) but ~690 px wide in capitals.
WIDE_TITLE = "WINTER MEGA SALE: ALL WOMEN'S BOOTS & SHOES UP TO 70% OFF"
#: 36 characters, but every one is a full em wide (720 px).
CJK_TITLE = "東京の最高のラーメン店ガイド二〇二四年版完全保存版東京都内の名店をすべて紹介"
#: 60 characters of ordinary text: ~560 px.
NORMAL_60 = "Pricing Plans for Teams of Every Size | Acme Project Manager"
#: 160 characters in capitals (passes the character limit, ~1,280 px at 14 px).
WIDE_DESCRIPTION = ("FREE SHIPPING ON EVERY ORDER. SHOP WINTER BOOTS, SNOW BOOTS, HIKING BOOTS AND "
                    "WARM WOOL SOCKS FROM THE WORLD'S BEST BRANDS TODAY. MEMBERS SAVE 20% MORE!")
#: 155 characters of ordinary sentence-case text (Google shows it whole).
NORMAL_155 = ("Learn how to bake sourdough bread at home with this step-by-step guide, including "
              "feeding your starter, shaping the loaf and getting a crisp, golden crust.")
LONG_H1 = ("Everything you ever wanted to know about choosing, installing and maintaining a heat "
           "pump in an older house")
ARTICLE_H1 = "How to choose, install and maintain a heat pump in an older house"
WORDS_250 = " ".join(["Useful original sentence about the product and its use."] * 28)
BLOATED = "<script>var state = " + "0" * 30_000 + ";</script>"


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
    Case("seo.title.too_wide",
         fails=[lambda: page(doc(title=WIDE_TITLE)),
                lambda: page(doc(title=LONG_TITLE + " and beyond")),
                lambda: page(doc(title=CJK_TITLE))],
         passes=[lambda: page(doc()), lambda: page(doc(title=NORMAL_60)),
                 lambda: page(doc(title=LONG_TITLE)),  # 67 narrow characters: ~577 px
                 lambda: page(doc(title="l" * 100)),  # over 60 characters, but narrow
                 lambda: page(doc(title=WIDE_TITLE), status=404)]),
    Case("seo.description.too_wide",
         fails=[lambda: page(doc(description=WIDE_DESCRIPTION)),
                lambda: page(doc(description=LONG_DESCRIPTION * 2))],
         passes=[lambda: page(doc()), lambda: page(doc(description=NORMAL_155)),
                 lambda: page(doc(description=""))]),
    Case("seo.description.same_as_title",
         fails=[lambda: page(doc(title="Blue Widgets for Every Kitchen | Acme",
                                 description="blue widgets for every  kitchen | Acme"))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(title="Blue Widgets for Every Kitchen | Acme",
                                  description="Blue widgets for every kitchen | Acme: "
                                              "dishwasher-safe, in six colours."))]),
    Case("seo.h1.same_as_title",
         fails=[lambda: page(doc(title="Blue Widgets", body="<h1>Blue  widgets</h1>")),
                lambda: page(doc(title="Blue Widgets", body="<h1></h1><h1>BLUE WIDGETS</h1>"))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(title="Blue Widgets | Acme", body="<h1>Blue widgets</h1>")),
                 lambda: page(doc(title=None, body="<h1>Blue widgets</h1>"))]),
    Case("seo.h1.too_long",
         fails=[lambda: page(doc(body=f"<h1>{LONG_H1}</h1>"))],
         passes=[lambda: page(doc()), lambda: page(doc(body=f"<h1>{ARTICLE_H1}</h1>")),
                 lambda: page(doc(body=f"<h1>{LONG_H1}</h1>"), status=404)]),
    Case("seo.headings.skipped_level",
         fails=[lambda: page(doc(body="<h1>T</h1><h2>A</h2><h4>Detail</h4>")),
                lambda: page(doc(body="<h1>T</h1><h3>Jumps from h1</h3>"))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(body="<h1>T</h1><h2>A</h2><h3>a</h3><h4>i</h4><h2>B</h2>")),
                 # going back up any number of levels is fine
                 lambda: page(doc(body="<h1>T</h1><h2>A</h2><h3>a</h3><h4>i</h4><h1>U</h1>")),
                 # a page may start below h1 (no h1 is reported by seo.h1.missing)
                 lambda: page(doc(body="<h3>Widget title</h3><h4>Sub</h4>"))]),
    Case("seo.headings.empty",
         fails=[lambda: page(doc(body="<h1>T</h1><h2> </h2>")),
                lambda: page(doc(body="<h1>T</h1><h3><i class='icon'></i></h3>"))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(body='<h1>T</h1><h2><img src="a.png" alt="Our team"></h2>')),
                 lambda: page(doc(body="<h1></h1>"))]),
    Case("seo.content.low_text_ratio",
         fails=[lambda: page(doc(body=f"<h1>Main</h1><p>{WORDS_250}</p>{BLOATED}"))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(body=f"<h1>Main</h1><p>{WORDS_250 * 3}</p>{BLOATED}")),
                 lambda: page(doc(body="<h1>Main</h1><script>var x = 1;</script>")),
                 lambda: page(doc(body=f"<p>x</p>{BLOATED}"), status=404)]),
    Case("seo.content.thin",
         fails=[lambda: site(record("https://example.com/a", word_count=120)),
                lambda: site(record("https://example.com/a", word_count=0))],
         passes=[lambda: site(record("https://example.com/a", word_count=200)),
                 lambda: site(record("https://example.com/a", word_count=40, indexable=False,
                                     indexability_reason="noindex (meta robots)")),
                 lambda: site(record("https://example.com/a", word_count=10, status=404)),
                 lambda: site(record("https://example.com/a", word_count=10, redirect_hops=1)),
                 lambda: site(record("https://example.com/f.pdf", word_count=0, is_html=False))]),
]



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


def test_pixel_widths_follow_arial_metrics():
    assert text_width_px("W") == pytest.approx(18.88)
    assert text_width_px("i") == pytest.approx(4.44)
    assert text_width_px("é") == text_width_px("e")  # accents take the base letter's width
    assert text_width_px("東") == 20  # East Asian wide characters are one em
    assert text_width_px("abc", 14) == pytest.approx(text_width_px("abc") * 0.7)


def test_title_width_details_carry_the_measurement():
    [finding] = run("seo.title.too_wide", page(doc(title=WIDE_TITLE)))
    assert len(WIDE_TITLE) <= 60 and not fires("seo.title.too_long", page(doc(title=WIDE_TITLE)))
    assert finding.details["width_px"] == round(text_width_px(WIDE_TITLE)) > 600
    assert finding.details["max_px"] == 600


def test_ordinary_descriptions_up_to_the_character_limit_are_not_too_wide():
    assert len(NORMAL_155) == 155
    [finding] = run("seo.description.too_wide", page(doc(description=WIDE_DESCRIPTION)))
    assert len(WIDE_DESCRIPTION) <= 160 and finding.details["width_px"] > 985


def test_skipped_heading_reports_first_jump_and_sequence():
    [finding] = run("seo.headings.skipped_level",
                    page(doc(body="<h1>T</h1><h2>Plans</h2><h4>Team</h4><h6>Fine print</h6>")))
    assert finding.details["from"] == "h2" and finding.details["to"] == "h4"
    assert finding.details["to_text"] == "Team"
    assert finding.details["sequence"] == ["h1", "h2", "h4", "h6"]


def test_thin_content_reports_word_count():
    [finding] = run("seo.content.thin", site(record("https://example.com/a", word_count=57)))
    assert finding.url == "https://example.com/a"
    assert finding.details == {"words": 57, "min": 200}
