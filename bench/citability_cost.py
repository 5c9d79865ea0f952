"""Extra parse cost of the GEO content signals (citability.py), per page.

Run: .venv/bin/python bench/citability_cost.py [--pages N]

Parses the same pages with the content reader working and with it stubbed out (the walk still
hands it the elements, so the difference is the reader's own cost: reading the tree, text
measures, JSON-LD reading, building ContentSignals). Pages: bench/parse_speed.py's 50 KB
article (6,400 words, 216 paragraphs, 33 headings: a long page, the costly case) and a
realistic ~1,500-word article with lists, a table, quotes, links and Article JSON-LD.
CPU time (time.process_time), best of 7 interleaved runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from parse_speed import _fetch, make_page, page_url

from audits.engine import citability, parse


def article_page(seed: int) -> bytes:
    """A ~1,500-word blog article as a CMS would render it."""
    sentence = ("Drip irrigation delivers water slowly to the roots of each plant, which keeps "
                "leaves dry and saves water in hot weather. ")
    sections = []
    for i in range(8):
        sections.append(f"<h2>How to plan zone {i}?</h2><p>{sentence * 4}</p><p>{sentence * 3} "
                        f"In our trial, zone {i} used 3{i}% less water.</p>"
                        "<ul><li>Timer</li><li>Filter</li><li>Pressure regulator</li></ul>")
    body = (
        '<header><nav><a href="/">Home</a><a href="/blog/">Blog</a><a href="/about">About</a>'
        '</nav></header><main><article><h1>Drip irrigation guide</h1>'
        '<p class="byline">By Ana Ruiz, <time datetime="2025-03-01">March 1, 2025</time></p>'
        f"<p>Drip irrigation is a watering method for gardens, number {seed}.</p>"
        + "".join(sections)
        + "<blockquote>Water the soil, not the leaves.</blockquote>"
        '<p>Sources: <a href="https://extension.umn.edu/irrigation">extension</a>.</p>'
        "<table><tr><th>Bed</th><th>Litres</th></tr><tr><td>A</td><td>12</td></tr></table>"
        "</article></main><footer><a href=\"/privacy\">Privacy</a></footer>")
    head = ('<meta charset="utf-8"><title>Drip irrigation guide | Example</title>'
            '<meta property="og:type" content="article"><meta property="og:site_name" '
            'content="Example"><script type="application/ld+json">{"@context":'
            '"https://schema.org","@type":"BlogPosting","headline":"Drip irrigation guide",'
            '"datePublished":"2025-03-01","author":{"@type":"Person","name":"Ana Ruiz"},'
            '"publisher":{"@type":"Organization","name":"Example","logo":"/l.png"}}</script>')
    return f'<!doctype html><html lang="en"><head>{head}</head><body>{body}</body></html>'.encode()


def timed(pages: list[tuple[object, bytes]]) -> float:
    start = time.process_time()
    for fetch, body in pages:
        parse.parse_page(fetch, body, start_host="www.example.com")
    return (time.process_time() - start) * 1000 / len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    reader = citability.ContentReader
    working = (reader.read, reader.signals)
    for name, make in (("parse_speed 50 KB page", make_page), ("1,500-word article", article_page)):
        pages = []
        for seed in range(args.pages):
            body = make(seed=seed)
            pages.append((_fetch(page_url(seed), len(body)), body))
        timed(pages)
        on, off = [], []
        for _ in range(7):
            reader.read, reader.signals = working
            on.append(timed(pages))
            reader.read = lambda self, body: None  # type: ignore[method-assign]
            reader.signals = lambda self, facts: None  # type: ignore[method-assign]
            off.append(timed(pages))
        reader.read, reader.signals = working
        print(f"{name}: parse_page {min(on):.3f} ms/page, without content signals "
              f"{min(off):.3f} ms/page, extra {min(on) - min(off):.3f} ms/page")


if __name__ == "__main__":
    main()
