"""Parse + page-check speed on generated ~50 KB pages with 50 links each.

Run: .venv/bin/python bench/parse_speed.py [--pages N] [--profile]
Prints milliseconds per page for parse_page alone and for parse_page + run_page_checks.

Every page is distinct (own URL, own in-content links; navigation shared as on a real site) and
the URL/link caches are cleared before each timed run, so memoisation is not flattered.
Times are CPU time of this process (time.process_time), best of 5 runs, so other load on the
machine inflates them less than wall-clock time would.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser

from audits.engine import checks  # noqa: F401 - fills the registry
from audits.engine.checks.registry import REGISTRY, PageContext, run_page_checks
from audits.engine.hrefs import cached_link_fact
from audits.engine.parse import WANTED_TAGS, compute_indexability, parse_page
from audits.engine.types import CrawlOptions, FetchResult
from audits.engine.urls import normalize_url

URL = "https://www.example.com/blog/some-article"


def page_url(seed: int) -> str:
    return f"{URL}-{seed}"


def make_page(target_bytes: int = 50_000, links: int = 50, seed: int = 0) -> bytes:
    """A realistic article page: head metadata, nav, paragraphs, images, links, scripts."""
    head = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Some article about crawling and parsing at speed | Example</title>"
        '<meta name="description" content="A long enough meta description for the benchmark '
        'page, describing what the article is about in a sentence or two.">'
        f'<link rel="canonical" href="{page_url(seed)}">'
        '<link rel="stylesheet" href="/static/site.css">'
        '<link rel="alternate" hreflang="de" href="https://www.example.com/de/blog/some-article">'
        '<meta property="og:title" content="Some article"><meta name="twitter:card" content="summary">'
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":"Article",'
        '"headline":"Some article","author":{"@type":"Person","name":"A. Writer"}}</script>'
        '<script src="/static/app.js" defer></script><style>body{margin:0}.nav a{color:red}</style>'
        "</head><body>"
    )
    nav = "".join(f'<li><a href="/section/{i}/">Section {i}</a></li>' for i in range(links // 2))
    body_links = [f'<a href="/blog/post-{seed}-{i}">related post number {i}</a>' for i in range(links // 2)]
    parts = [head, f'<header><nav class="nav"><ul>{nav}</ul></nav></header><main><article>',
             "<h1>Some article about crawling</h1>"]
    paragraph = ("<p>Lorem ipsum dolor sit amet, <em>consectetur</em> adipiscing elit, sed do "
                 "eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim "
                 "veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip.</p>")
    i = 0
    while sum(map(len, parts)) < target_bytes - 600:
        parts.append(paragraph)
        if i % 6 == 0:
            parts.append(f'<h2 class="section-title">Section heading {i}</h2>')
        if i % 8 == 0:
            parts.append(f'<img src="/img/photo-{i}.jpg" alt="Photo {i}" width="640" height="480">')
        if body_links:
            parts.append(f"<p>See also {body_links.pop()}.</p>")
        i += 1
    parts.append('</article></main><footer><p>&copy; Example</p></footer>'
                 '<script>window.dataLayer=[];</script></body></html>')
    return "".join(parts).encode()


def _fetch(url: str, size: int) -> FetchResult:
    return FetchResult(requested_url=url, final_url=url, status=200,
                       content_type="text/html; charset=utf-8", size=size, elapsed_ms=120.0,
                       ttfb_ms=80.0)


def _clear_caches() -> None:
    cached_link_fact.cache_clear()
    normalize_url.cache_clear()


def lexbor_floor(pages: list[tuple[FetchResult, bytes]]) -> float:
    """ms/page for the C part alone (parse, one tree walk, visible text): the floor."""
    start = time.process_time()
    for _, body in pages:
        tree = LexborHTMLParser(body, options=LexborDocumentOptions.WO_EVENTS)
        [node for node in tree.root.traverse() if node.tag in WANTED_TAGS]
        tree.strip_tags(["script", "style", "noscript", "template"], recursive=True)
        tree.body.text(separator=" ", strip=True, skip_empty=True)
    return (time.process_time() - start) * 1000 / len(pages)


def run(pages: list[tuple[FetchResult, bytes]]) -> tuple[float, float]:
    options = CrawlOptions(start_url=URL)
    _clear_caches()
    start = time.process_time()
    for fetch, body in pages:
        parse_page(fetch, body, start_host="www.example.com")
    parse_ms = (time.process_time() - start) * 1000 / len(pages)
    _clear_caches()
    start = time.process_time()
    for fetch, body in pages:
        facts = parse_page(fetch, body, start_host="www.example.com")
        indexable, reason = compute_indexability(fetch, facts, robots_allowed=True,
                                                 robots_token=options.robots_token)
        run_page_checks(PageContext(url=fetch.requested_url, depth=1, fetch=fetch, facts=facts,
                                    options=options, indexable=indexable,
                                    indexability_reason=reason))
    total_ms = (time.process_time() - start) * 1000 / len(pages)
    return parse_ms, total_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="profile with pyinstrument")
    args = parser.parse_args()
    pages = []
    for seed in range(args.pages):
        body = make_page(seed=seed)
        pages.append((_fetch(page_url(seed), len(body)), body))
    fetch, body = pages[0]
    facts = parse_page(fetch, body, start_host="www.example.com")
    print(f"page: {len(body):,} bytes, {sum(1 for link in facts.links if link.kind == 'a')} <a> "
          f"links, {len(facts.links)} references, {facts.word_count} words; "
          f"{sum(1 for c in REGISTRY.values() if c.scope == 'page')} page checks; "
          f"{len(pages)} distinct pages")
    run(pages[:100])  # warm up the interpreter and allocator
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0001)
        profiler.start()
        run(pages)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))
        return
    runs = [run(pages) for _ in range(5)]
    parse_ms = min(r[0] for r in runs)
    total_ms = min(r[1] for r in runs)
    floor_ms = min(lexbor_floor(pages) for _ in range(5))
    print(f"Lexbor alone (parse, query, text): {floor_ms:.3f} ms/page")
    print(f"parse_page:                        {parse_ms:.3f} ms/page")
    print(f"parse_page + run_page_checks:      {total_ms:.3f} ms/page "
          f"({1000 / total_ms:,.0f} pages/s on one core; best of 5 runs)")


if __name__ == "__main__":
    main()
