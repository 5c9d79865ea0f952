"""Structured data & social checks: JSON-LD syntax, Open Graph."""

from __future__ import annotations

import pytest

from tests.engine.checks.helpers import Case, doc, fires, page, params, run

HEAD_NO_OG = '<meta charset="utf-8"><title>A descriptive page title of decent length</title>'


def ld(text: str) -> str:
    return f'<script type="application/ld+json">{text}</script>'


CASES = [
    Case("seo.structured_data.json_ld_invalid",
         fails=[lambda: page(doc(extra_head=ld('{"@type": "Article",}'))),
                lambda: page(doc(extra_head=ld("[" * 100_000)))],
         passes=[lambda: page(doc(extra_head=ld('{"@context":"https://schema.org","@type":"Article"}'))),
                 lambda: page(doc(extra_head='<script type="text/javascript">{,}</script>'))]),
    Case("seo.social.og_missing",
         fails=[lambda: page(doc(head=HEAD_NO_OG))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(head=HEAD_NO_OG + '<meta name="robots" content="noindex">'))]),
    Case("seo.social.og_incomplete",
         fails=[lambda: page(doc(head=HEAD_NO_OG + '<meta property="og:title" content="T">'))],
         passes=[lambda: page(doc()), lambda: page(doc(head=HEAD_NO_OG))]),
]


@pytest.mark.parametrize(("code", "factory"), params(CASES, "fails"))
def test_check_flags_failing_page(code, factory):
    assert fires(code, factory())


@pytest.mark.parametrize(("code", "factory"), params(CASES, "passes"))
def test_check_leaves_passing_page_alone(code, factory):
    assert not fires(code, factory())


def test_og_incomplete_names_missing_properties():
    [finding] = run("seo.social.og_incomplete",
                    page(doc(head=HEAD_NO_OG + '<meta property="og:title" content="T">')))
    assert finding.details["missing"] == ["og:type", "og:image", "og:url"]
