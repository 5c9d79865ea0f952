"""GEO citability checks on fixture articles written to show each case."""

from __future__ import annotations

from tests.engine.checks.geo_pages import article_doc, article_ld, paragraphs
from tests.engine.checks.helpers import Case, doc, page, run

FILLER = "In this article we look at drip irrigation and how you can set it up at home."
QUESTION = "Have you ever wondered why your tomatoes split after a heavy summer rain?"
HARD = ("<p>Notwithstanding considerable heterogeneity in methodological approaches, "
        "comprehensive evaluations of agricultural irrigation infrastructure consistently "
        "demonstrate that subsurface distribution technologies, particularly when integrated "
        "with automated environmental monitoring instrumentation and precision fertigation "
        "methodologies, substantially ameliorate resource utilization efficiency while "
        "simultaneously diminishing the operational vulnerabilities characteristically "
        "associated with conventional overhead application.</p>")


def article(**kwargs):
    return page(article_doc(**kwargs))


def plain(**kwargs):
    """The same content without Article markup: a long page that is not an article."""
    return page(article_doc(data={}, **kwargs))


CASES = [
    Case("seo.geo.no_statistics",
         fails=[lambda: article(stats=False),
                lambda: plain(stats=False)],  # 1,000+ words in one region
         passes=[lambda: article(),
                 # a data table counts as figures
                 lambda: article(stats=False, extra="<table><tr><th>Bed</th><th>Litres</th></tr>"
                                                    "<tr><td>A</td><td>12</td></tr></table>"),
                 # short article: too little text to expect figures
                 lambda: article(stats=False, sections=2, per_section=2),
                 # not indexable
                 lambda: page(article_doc(stats=False,
                                          extra_head='<meta name="robots" content="noindex">'))]),
    Case("seo.geo.no_quotations",
         fails=[lambda: article(quote=False)],
         passes=[lambda: article(),
                 lambda: article(quote=False, extra="<p>As the guide puts it, <q>water the soil, "
                                                    "not the leaves</q>.</p>"),
                 lambda: article(quote=False, extra="<p>One grower told us: \u201cSince we moved "
                                                    "to drip lines the beds stay evenly moist all "
                                                    "week.\u201d</p>"),
                 lambda: plain(quote=False)]),  # not an article
    Case("seo.geo.no_citations",
         fails=[lambda: article(quote=False, citation=False),
                # social sharing links are not sources
                lambda: article(quote=False, citation=False,
                                extra='<p><a href="https://twitter.com/share">Share</a> '
                                      '<a href="https://www.facebook.com/sharer.php">Share</a></p>')],
         passes=[lambda: article(),
                 lambda: article(quote=False, citation=False,
                                 extra="<h2>Sources</h2><p>Our own trial notes.</p>"),
                 # a short page is not long-form content
                 lambda: plain(quote=False, citation=False, sections=2, per_section=2)]),
    Case("seo.geo.no_answer_first",
         fails=[lambda: article(opening=FILLER), lambda: article(opening=QUESTION),
                lambda: plain(opening="En este artículo veremos cómo instalar el riego por goteo "
                                      "en casa paso a paso.")],
         passes=[lambda: article(),
                 lambda: article(opening="Water your vegetables at the roots with drip lines and "
                                         "a simple timer."),
                 # a short page is not judged
                 lambda: page(doc(body=f"<main><h1>Drip</h1><p>{FILLER}</p></main>"))]),
    Case("seo.geo.wall_of_text",
         fails=[lambda: article(lists=False, sections=1, per_section=14),
                lambda: page(doc(body="<h1>Notes</h1>" + paragraphs(14)))],
         passes=[lambda: article(),
                 lambda: article(sections=1, per_section=14),  # has a list
                 lambda: article(lists=False)]),  # one heading per ~150 words
    Case("seo.geo.hard_to_read",
         fails=[lambda: article(extra=HARD * 12, sections=1, per_section=1, lists=False),
                lambda: plain(extra=HARD * 12, sections=1, per_section=1)],
         passes=[lambda: article(),
                 # Japanese: sentence and word counts do not apply
                 lambda: page(article_doc(extra=HARD * 12, sections=1, per_section=1)
                              .replace('lang="en"', 'lang="ja"'))]),
    Case("seo.geo.no_question_headings",
         fails=[lambda: article(questions=False)],
         passes=[lambda: article(),
                 lambda: article(questions=False, extra="<h2>FAQ</h2><p>Short answers.</p>"),
                 lambda: article(questions=False, data=article_ld(**{"@type": "TechArticle"}),
                                 extra="<details><summary>A</summary>B</details>"
                                       "<details><summary>C</summary>D</details>"),
                 lambda: plain(questions=False)]),
]


def test_no_statistics_reports_the_sample():
    [finding] = run("seo.geo.no_statistics", article(stats=False))
    assert finding.details["main_words"] > 800
    assert 0 < finding.details["words_read"] <= finding.details["main_words"]


def test_hard_to_read_reports_measures_and_thresholds():
    [finding] = run("seo.geo.hard_to_read",
                    article(extra=HARD * 12, sections=1, per_section=1, lists=False))
    assert finding.details["avg_sentence_words"] > 30 or finding.details["flesch"] < 30
    assert finding.details["min_flesch"] == 30.0


def test_utility_pages_are_not_judged():
    url = "https://example.com/cart"
    html = article_doc(stats=False, quote=False, citation=False).replace(
        "https://example.com/page", url)
    assert not run("seo.geo.no_statistics", page(html, url=url))
