"""Fixture pages for the GEO citability and trust checks: an article written to pass every
check, and switches that remove one signal at a time."""

from __future__ import annotations

import json

from tests.engine.checks.helpers import doc

#: Plain sentences (about 10 words each) without figures, quotes or questions.
SENTENCES = (
    "Drip lines deliver water slowly to the roots of each plant.",
    "Mulch keeps the soil cool and holds moisture through the summer.",
    "Most vegetables prefer a sunny bed with loose and fertile soil.",
    "Check the emitters every week because small clogs are common.",
    "Water early in the morning so the leaves dry before evening.",
    "A timer makes the schedule regular even when you are away.",
    "Sandy soil drains fast and needs shorter but more frequent cycles.",
    "Clay soil holds water longer and needs slower, deeper watering.",
    "Flush the lines at the start of the season to clear debris.",
    "Cover the tubing with mulch to protect it from the sun.",
)


def paragraphs(count: int, per: int = 5, start: int = 0) -> str:
    """`count` paragraphs of `per` sentences (about 10 words each)."""
    out = []
    for i in range(count):
        sentences = [SENTENCES[(start + i * per + j) % len(SENTENCES)] for j in range(per)]
        out.append(f"<p>{' '.join(sentences)}</p>")
    return "".join(out)


def ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


AUTHOR = {"@type": "Person", "name": "Ana Ruiz", "url": "https://example.com/team/ana"}


def article_ld(**overrides) -> dict:
    data = {"@context": "https://schema.org", "@type": "BlogPosting",
            "headline": "Drip irrigation for vegetable gardens", "datePublished": "2025-01-10",
            "dateModified": "2025-06-01", "author": AUTHOR}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


OPENING = ("Drip irrigation is a watering method that delivers water slowly to the roots "
           "through tubes and small emitters.")
STATS = ("<p>In our trial beds drip lines used 30% less water than sprinklers, and a full kit "
         "costs about $45 for a 10 m bed.</p>")
QUOTE = ("<blockquote><p>Water the soil, not the leaves; that single habit prevents most "
         "fungal disease.</p><cite>University extension service</cite></blockquote>")
CITATION = ('<p>See the <a href="https://extension.umn.edu/irrigation/drip">university '
            'extension guide</a> for the details.</p>')
LIST = "<ul><li>Timer</li><li>Pressure regulator</li><li>Filter</li><li>Tubing</li></ul>"


def article_body(*, opening: str = OPENING, stats: bool = True, quote: bool = True,
                 citation: bool = True, lists: bool = True, questions: bool = True,
                 sections: int = 6, per_section: int = 3, landmark: str = "main",
                 byline: str = '<p class="byline">By Ana Ruiz</p>', extra: str = "") -> str:
    """An article of about 150 words per section plus opening; each switch removes one
    signal."""
    parts = ["<h1>Drip irrigation for vegetable gardens</h1>", byline,
             f"<p>{opening}</p>" if opening else ""]
    for i in range(sections):
        title = f"How do you set up part {i + 1}?" if questions else f"Setting up part {i + 1}"
        parts.append(f"<h2>{title}</h2>")
        parts.append(paragraphs(per_section, start=i))
    if stats:
        parts.append(STATS)
    if quote:
        parts.append(QUOTE)
    if citation:
        parts.append(CITATION)
    if lists:
        parts.append(LIST)
    parts.append(extra)
    inner = "".join(parts)
    nav = '<nav><a href="/">Home</a> <a href="/about">About</a></nav>'
    footer = '<footer><a href="/contact">Contact</a> <a href="/privacy">Privacy</a></footer>'
    if landmark == "main":
        content = f"<main><article>{inner}</article></main>"
    elif landmark == "article":
        content = f"<article>{inner}</article>"
    else:
        content = f'<div class="content"><div class="post">{inner}</div></div>'
    return f"<header>{nav}</header>{content}{footer}"


def article_doc(*, data: dict | None = None, extra_head: str = "", **body) -> str:
    """A full article page; `data` replaces the Article JSON-LD ({} for none)."""
    data = article_ld() if data is None else data
    head = (ld(data) if data else "") + extra_head
    return doc(body=article_body(**body), extra_head=head)
