"""International checks: hreflang codes, URLs and self-reference."""

from __future__ import annotations

import pytest

from audits.engine.checks.international import hreflang_problem
from tests.engine.checks.helpers import URL, Case, doc, fires, page, params


def alternates(*pairs: tuple[str, str]) -> str:
    return "".join(f'<link rel="alternate" hreflang="{lang}" href="{href}">' for lang, href in pairs)


GOOD = alternates(("en", URL), ("de-DE", "https://example.com/de/page"), ("x-default", URL))

CASES = [
    Case("seo.hreflang.invalid_code",
         fails=[lambda: page(doc(extra_head=alternates(("en-UK", URL)))),
                lambda: page(doc(extra_head=alternates(("en_GB", URL)))),
                lambda: page(doc(extra_head=alternates(("english", URL))))],
         passes=[lambda: page(doc(extra_head=GOOD)), lambda: page(doc())]),
    Case("seo.hreflang.invalid_url",
         fails=[lambda: page(doc(extra_head=GOOD + alternates(("fr", "javascript:void(0)"))))],
         passes=[lambda: page(doc(extra_head=GOOD))]),
    Case("seo.hreflang.missing_self",
         fails=[lambda: page(doc(extra_head=alternates(("de", "https://example.com/de/page"))))],
         passes=[lambda: page(doc(extra_head=GOOD)),
                 lambda: page(doc(extra_head=alternates(("en", "/page"))))]),
]


@pytest.mark.parametrize(("code", "factory"), params(CASES, "fails"))
def test_check_flags_failing_page(code, factory):
    assert fires(code, factory())


@pytest.mark.parametrize(("code", "factory"), params(CASES, "passes"))
def test_check_leaves_passing_page_alone(code, factory):
    assert not fires(code, factory())


@pytest.mark.parametrize(("value", "problem"), [
    ("en", None), ("EN-gb", None), ("x-default", None), ("zh-Hant", None), ("zh-Hant-TW", None),
    ("es-419", None), ("en-UK", "unknown region"), ("xx", "unknown language"),
    ("en_GB", "not language[-region]"), ("", "not language[-region]"),
])
def test_hreflang_values(value, problem):
    assert hreflang_problem(value) == problem


def test_header_hreflang_is_read():
    context = page(doc(), headers={"Link": '<https://example.com/de/page>; rel="alternate"; '
                                            'hreflang="de-DE"'})
    assert context.facts.hreflangs == (("de-DE", "https://example.com/de/page"),)
    assert fires("seo.hreflang.missing_self", context)
