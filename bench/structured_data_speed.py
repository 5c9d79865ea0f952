"""Cost of the structured-data work per page: the microdata/RDFa hook in the parse and the
JSON-LD validation checks (seo.geo.schema_*, seo.structured_data.*).

Run: .venv/bin/python bench/structured_data_speed.py [--pages N]
Pages come from bench/parse_speed.py (~50 KB articles with one small JSON-LD block); a second
set adds microdata (20 typed elements) and a larger Yoast-style JSON-LD @graph. CPU time,
best of 5 runs, milliseconds per page.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from parse_speed import make_page, page_url
from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser

from audits.engine import checks  # noqa: F401 - fills the registry
from audits.engine.checks.registry import REGISTRY, PageContext
from audits.engine.microdata import markup_types
from audits.engine.parse import compute_indexability, parse_page
from audits.engine.types import CrawlOptions, FetchResult

GRAPH = {"@context": "https://schema.org", "@graph": [
    {"@type": "Organization", "@id": "https://www.example.com/#org", "name": "Example",
     "url": "https://www.example.com/", "logo": {"@type": "ImageObject",
                                                 "url": "https://www.example.com/logo.png"},
     "sameAs": ["https://x.com/example", "https://www.linkedin.com/company/example"]},
    {"@type": "WebSite", "@id": "https://www.example.com/#site", "url": "https://www.example.com/",
     "name": "Example", "publisher": {"@id": "https://www.example.com/#org"},
     "potentialAction": {"@type": "SearchAction", "target": "https://www.example.com/?s={q}",
                         "query-input": "required name=q"}},
    {"@type": "WebPage", "@id": "PAGE#webpage", "url": "PAGE", "name": "Some article",
     "isPartOf": {"@id": "https://www.example.com/#site"}, "datePublished": "2024-02-01T08:00:00+00:00",
     "breadcrumb": {"@id": "PAGE#breadcrumb"}},
    {"@type": "BreadcrumbList", "@id": "PAGE#breadcrumb", "itemListElement": [
        {"@type": "ListItem", "position": 1, "name": "Home", "item": "https://www.example.com/"},
        {"@type": "ListItem", "position": 2, "name": "Blog", "item": "https://www.example.com/blog/"},
        {"@type": "ListItem", "position": 3, "name": "Some article"}]},
    {"@type": "BlogPosting", "@id": "PAGE#article", "headline": "Some article",
     "author": {"@type": "Person", "name": "A. Writer", "url": "https://www.example.com/a"},
     "datePublished": "2024-02-01T08:00:00+00:00", "dateModified": "2024-02-03T08:00:00+00:00",
     "image": {"@type": "ImageObject", "url": "https://www.example.com/i.jpg", "width": 1200},
     "publisher": {"@id": "https://www.example.com/#org"}, "wordCount": 1200,
     "mainEntityOfPage": {"@id": "PAGE#webpage"}}]}


def rich_page(seed: int) -> bytes:
    html = make_page(seed=seed).decode()
    graph = json.dumps(GRAPH).replace("PAGE", page_url(seed))
    micro = "".join(f'<span itemscope itemtype="https://schema.org/Offer"><meta itemprop="price" '
                    f'content="{i}"></span>' for i in range(20))
    html = html.replace("</head>", f'<script type="application/ld+json">{graph}</script></head>')
    return html.replace("</article>", f'<div itemscope itemtype="https://schema.org/Product">'
                                      f"{micro}</div></article>").encode()


def best(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300)
    n = parser.parse_args().pages
    options = CrawlOptions(start_url="https://www.example.com/")
    structured = [c for c in REGISTRY.values() if c.scope == "page" and (
        c.code.startswith("seo.structured_data.") or c.code.startswith("seo.geo.schema_")
        or c.code in ("seo.geo.no_structured_data", "seo.geo.structured_data_not_json_ld",
                      "seo.geo.product_markup_missing"))]
    geo = [c for c in structured if c.code.startswith("seo.geo.")]
    for label, maker in (("plain article pages", make_page), ("JSON-LD graph + microdata", rich_page)):
        hook, all_checks, geo_checks = measure(maker, n, options, structured, geo)
        print(f"{label}: parse hook {hook:.4f} ms/page, structured-data checks "
              f"{all_checks:.3f} ms/page (of which GEO {geo_checks:.3f})")


def measure(maker, n: int, options: CrawlOptions, structured: list, geo: list) -> tuple[float, ...]:
    """(parse hook, structured-data checks, GEO checks) in ms/page for n pages from maker."""
    bodies = [(page_url(i), maker(seed=i)) for i in range(n)]
    trees = [LexborHTMLParser(body, options=LexborDocumentOptions.WO_EVENTS) for _, body in bodies]
    hook = best(lambda: [markup_types(tree, body) for tree, (_, body) in zip(trees, bodies, strict=True)])
    contexts = []
    for url, body in bodies:
        fetch = FetchResult(url, url, 200, content_type="text/html; charset=utf-8", size=len(body))
        facts = parse_page(fetch, body, start_host="www.example.com")
        indexable, reason = compute_indexability(fetch, facts, robots_allowed=True,
                                                 robots_token=options.robots_token)
        contexts.append(PageContext(url, 1, fetch, facts, options, indexable, reason))

    def run(selected: list) -> None:
        for context in contexts:
            for check in selected:
                check.func(context)

    return hook / n * 1000, best(lambda: run(structured)) / n * 1000, best(lambda: run(geo)) / n * 1000

if __name__ == "__main__":
    main()
