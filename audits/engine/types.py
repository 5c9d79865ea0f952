"""Typed data that crosses the engine's module boundaries.

Everything here is a frozen, slotted dataclass: cheap to create, safe to share between
coroutines, picklable for the parse process pool, and small enough that a 100,000-page crawl
keeps only a few KB per URL. Raw HTML never appears here: `parse` turns it into `PageFacts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any


def _fast_pickle(cls):  # type: ignore[no-untyped-def]
    """Pickle a frozen slotted dataclass as (cls, field values).

    The dataclass default (__getstate__ calling fields() per object) dominated the cost of
    handing PageFacts with ~80 links back from the parse process pool."""
    names = tuple(f.name for f in fields(cls))
    getter = attrgetter(*names)
    if len(names) == 1:
        cls.__reduce__ = lambda self: (cls, (getter(self),))
    else:
        cls.__reduce__ = lambda self: (cls, getter(self))
    return cls


PRODUCT_NAME = "SEOAuditBot"
PRODUCT_VERSION = "0.1"
DEFAULT_USER_AGENT = (
    f"Mozilla/5.0 (compatible; {PRODUCT_NAME}/{PRODUCT_VERSION}; "
    "+https://github.com/seoaudit/seoaudit; site audit crawler)"
)
#: The product token robots.txt groups are matched against (RFC 9309 section 2.2.1).
DEFAULT_ROBOTS_TOKEN = PRODUCT_NAME


class Severity:
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"
    ALL = (ERROR, WARNING, NOTICE)


@dataclass(frozen=True, slots=True)
class CrawlOptions:
    """Everything that shapes one crawl. Defaults are the documented product defaults."""

    start_url: str
    max_pages: int = 500
    max_depth: int = 100
    per_host_concurrency: int = 8
    global_concurrency: int = 32
    #: Minimum seconds between two requests to the same host. robots.txt Crawl-delay raises it.
    crawl_delay: float = 0.0
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 30.0
    max_body_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 10
    #: Retries after a 429/503 or a transient network error (so at most 1 + max_retries tries).
    max_retries: int = 2
    #: Upper bound on one Retry-After / backoff sleep, so a hostile server cannot park us.
    max_retry_wait: float = 30.0
    user_agent: str = DEFAULT_USER_AGENT
    robots_token: str = DEFAULT_ROBOTS_TOKEN
    respect_robots: bool = True
    allow_private: bool = False
    include_subdomains: bool = False
    #: Regular expressions matched (re.search) against the normalized URL.
    include_patterns: tuple[str, ...] = ()
    exclude_patterns: tuple[str, ...] = ()
    use_sitemaps: bool = True
    max_sitemaps: int = 50
    max_sitemap_urls: int = 50_000
    max_sitemap_bytes: int = 50 * 1024 * 1024
    max_robots_bytes: int = 500 * 1024
    # Crawl-trap guards
    max_url_length: int = 2048
    max_repeated_segments: int = 3
    max_query_variants_per_path: int = 50
    #: Parse worker processes; None picks one per CPU beyond the first (0 means parse inline).
    parse_workers: int | None = None
    #: Pages slower than this (full response, ms) are flagged.
    slow_page_ms: int = 3000
    #: Pages larger than this (bytes of HTML) are flagged.
    large_page_bytes: int = 2 * 1024 * 1024
    #: After the pages, check images, CSS and JS the pages reference (resources.py).
    check_resources: bool = True
    #: ... and links to other hosts (only when check_resources is on).
    check_external_links: bool = True
    #: At most this many requests (HEAD or GET fallback) for those checks.
    max_resource_checks: int = 1000
    #: Wall-clock budget in seconds for all of those checks together.
    resource_budget_s: float = 60.0
    #: GEO live check (off by default): fetch key pages as AI agents and as a browser and
    #: compare the answers (WAF/CDN bot blocking). See geo_live.py.
    geo_live_check: bool = False
    #: GEO analysis (category `geo` checks, llms.txt, content signals, the GEO score). Off
    #: only to measure what it costs (bench/geo.py) or for a classic SEO-only audit.
    geo: bool = True
    #: After the crawl, render this many key pages in headless Chromium with JavaScript off
    #: and on and compare text and links (render.py); 0 turns the sample off.
    js_render_sample: int = 10
    #: After the crawl, measure this many pages in the page-speed lab (headless Chromium,
    #: mobile and desktop profiles; lab.py); 0 turns the lab off.
    pagespeed_sample: int = 5


@_fast_pickle
@dataclass(frozen=True, slots=True)
class RedirectHop:
    url: str
    status: int
    location: str


@_fast_pickle
@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of fetching one URL, redirects included. `body` is None when not kept."""

    requested_url: str
    final_url: str
    #: HTTP status of the last response; 0 when no response was received (see `error`).
    status: int
    #: Response headers of the final response, names lower-cased, repeated headers kept.
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    content_type: str = ""
    #: Bytes of body received (or announced by Content-Length when over the cap).
    size: int = 0
    #: True when the body exceeded the size cap and was not kept.
    truncated: bool = False
    ttfb_ms: float = 0.0
    elapsed_ms: float = 0.0
    redirect_chain: tuple[RedirectHop, ...] = ()
    #: Machine-readable error: timeout, dns, connection_refused, connection_error, tls,
    #: ssrf_blocked, redirect_loop, too_many_redirects, invalid_url, unsupported_scheme,
    #: robots_blocked, too_large; None when a response arrived.
    error: str | None = None
    error_detail: str = ""
    #: How many attempts were made (retries on 429/503/transient errors).
    attempts: int = 1

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key == name]

    @property
    def is_html(self) -> bool:
        ct = self.content_type.lower()
        return "html" in ct or (not ct and self.body is not None and self.body[:1] == b"<")


@_fast_pickle
@dataclass(frozen=True, slots=True)
class LinkFact:
    """One outgoing reference found on a page."""

    #: Absolute, normalized URL; "" when the href could not be resolved to http(s).
    url: str
    #: The href as written (cut to 512 characters).
    raw_href: str
    #: a, img, script, css, canonical, hreflang, iframe
    kind: str = "a"
    anchor: str = ""
    rel: tuple[str, ...] = ()
    internal: bool = False
    hreflang: str | None = None
    #: Why the href is not crawlable (javascript, mailto, tel, data, empty, missing, malformed,
    #: unsupported_scheme, too_long). For too_long, `url` still holds the resolved URL so the
    #: frontier can count it as a crawl trap.
    uncrawlable_reason: str | None = None

    @property
    def nofollow(self) -> bool:
        return "nofollow" in self.rel


@_fast_pickle
@dataclass(frozen=True, slots=True)
class ImageFact:
    src: str
    #: None when the alt attribute is absent; "" when present but empty.
    alt: str | None
    width: str | None = None
    height: str | None = None
    loading: str | None = None
    in_link: bool = False
    #: role="presentation"/"none" or aria-hidden="true": needs no alt text.
    decorative: bool = False


@_fast_pickle
@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str


@_fast_pickle
@dataclass(frozen=True, slots=True)
class JsonLdBlock:
    #: The parsed JSON (dict or list) or None when it did not parse.
    data: Any
    error: str | None
    types: tuple[str, ...] = ()


@_fast_pickle
@dataclass(frozen=True, slots=True)
class PageFacts:
    """Everything the checks need from one HTML page. Raw HTML is not kept."""

    url: str
    encoding: str
    #: True when the bytes were not valid in the declared/detected encoding.
    encoding_errors: bool = False
    declared_charset: str | None = None
    #: Byte offset of the <meta charset> declaration, None when absent.
    charset_position: int | None = None
    titles: tuple[str, ...] = ()
    meta_descriptions: tuple[str, ...] = ()
    #: (name, content) for <meta name="robots|googlebot|...">, names lower-cased.
    meta_robots: tuple[tuple[str, str], ...] = ()
    #: Canonical URLs from <link rel=canonical> as written (resolved later); order kept.
    canonical_tags: tuple[str, ...] = ()
    #: Canonical URLs from HTTP Link headers.
    canonical_headers: tuple[str, ...] = ()
    #: (hreflang value, absolute url) from <link rel=alternate hreflang>.
    hreflangs: tuple[tuple[str, str], ...] = ()
    headings: tuple[Heading, ...] = ()
    links: tuple[LinkFact, ...] = ()
    images: tuple[ImageFact, ...] = ()
    lang: str | None = None
    viewport: str | None = None
    meta_refresh: str | None = None
    base_href: str | None = None
    json_ld: tuple[JsonLdBlock, ...] = ()
    open_graph: tuple[tuple[str, str], ...] = ()
    twitter: tuple[tuple[str, str], ...] = ()
    word_count: int = 0
    #: Visible text bytes / HTML bytes, 0..1.
    text_ratio: float = 0.0
    #: Hash of the normalized visible text (exact-duplicate detection).
    content_hash: str = ""
    html_bytes: int = 0
    #: Resolved, normalized canonical URLs: one per `canonical_tags` entry, then one per
    #: `canonical_headers` entry, "" where the value could not be resolved to http(s).
    canonical_urls: tuple[str, ...] = ()
    #: Where `encoding` came from: bom, http, meta, detected, default.
    charset_source: str = ""
    #: Why the body does not look like an HTML document (binary, empty, no_markup,
    #: parser_error: ...); None for normal pages.
    unparseable: str | None = None
    #: Set when the document hit a parser safety limit and only the part before it was parsed:
    #: "nesting_depth" (block elements nested too deep) or "attribute_count" (an element with
    #: thousands of attributes). None for normal pages.
    parse_limit: str | None = None
    #: References (and elements) beyond the per-page caps (parse.MAX_LINKS, MAX_ELEMENTS)
    #: that were not read.
    links_dropped: int = 0
    #: (resolved action URL or "" when absent/unresolvable, method lower-cased) per <form>.
    forms: tuple[tuple[str, str], ...] = ()
    #: <object>, <embed> and <applet> elements (browser plugins).
    plugins: int = 0
    #: Obsolete HTML elements used on the page (names, document order, each once).
    deprecated_tags: tuple[str, ...] = ()
    #: Head-only elements that ended up in <body> because something invalid closed <head>
    #: early (Google ignores a canonical, robots meta or hreflang found there): "title",
    #: "meta:description", "meta:robots", "meta:viewport", "link:canonical", "link:hreflang".
    head_elements_in_body: tuple[str, ...] = ()
    #: The first element that is not allowed in <head> and closed it early (e.g. "div",
    #: "img"), None when the head is well-formed.
    head_breaker: str | None = None
    #: 64-bit SimHash of the visible text's word 3-shingles (near-duplicate detection);
    #: 0 when the page has too little text to fingerprint.
    simhash: int = 0
    #: hreflang annotations that came from HTTP Link headers (also included in `hreflangs`).
    header_hreflangs: tuple[tuple[str, str], ...] = ()
    #: rel=canonical hrefs found outside <head>, which Google ignores (not in canonical_tags).
    ignored_canonicals: tuple[str, ...] = ()
    #: Elements carrying the data-nosnippet attribute (text hidden from snippets/AI answers).
    data_nosnippet: int = 0
    #: schema.org types declared in microdata (itemtype) / RDFa (typeof), bare names, each
    #: once, at most `microdata.MAX_TYPES` per syntax.
    microdata_types: tuple[str, ...] = ()
    rdfa_types: tuple[str, ...] = ()
    #: Top-level microdata items as JSON-LD-shaped dicts ("@type", property → value or list
    #: of values, nested items as dicts), bounded by `microdata.MAX_ITEMS`/`MAX_PROPERTIES`.
    microdata_items: tuple[dict[str, Any], ...] = ()
    #: GEO citability and trust signals (citability.py); None when they could not be read.
    content: ContentSignals | None = None


@_fast_pickle
@dataclass(frozen=True, slots=True)
class ContentSignals:
    """What makes a page citable by AI answer engines and trustworthy (citability.py,
    docs/geo-citability.md). Counts are of the main content unless said otherwise."""

    #: Where the main content was taken from: "main", "article" (the only one) or "body"
    #: (minus nav/header/footer/aside outside articles).
    region: str = "body"
    #: Visible words of the page minus those of nav/header/footer/aside outside the region.
    main_words: int = 0
    #: Words of paragraph text read (at most citability.MAX_TEXT_BYTES of text).
    analysed_words: int = 0
    #: Statistics (percentages, amounts, figures with units...) in paragraphs and lists.
    statistics: int = 0
    statistic_examples: tuple[str, ...] = ()
    #: <blockquote> (20+ characters), <q> and quoted passages (40+ bytes).
    quotations: int = 0
    #: Links to other hosts in the main content, not social/sharing/ads, not sponsored/ugc.
    citations: int = 0
    authoritative_citations: int = 0
    citation_examples: tuple[str, ...] = ()
    cite_elements: int = 0
    #: A "References"/"Sources"/"Fuentes"... heading.
    reference_section: bool = False
    #: The first paragraph after the H1 with 8+ words (300 characters), "" when none.
    first_paragraph: str = ""
    #: How it opens (citability.opening_kind): statement, question, filler, other; "" none.
    opening: str = ""
    #: H2-H6 headings, and H2/H3 headings written as questions.
    subheadings: int = 0
    question_headings: int = 0
    #: How an FAQ shows: "json_ld" (FAQPage), "heading", "details" (2+ <details>), "" none.
    faq: str = ""
    #: Lists with 3+ items and data tables in the main content.
    lists: int = 0
    tables: int = 0
    sentences: int = 0
    avg_sentence_words: float = 0.0
    #: Flesch reading ease of the paragraph text (English or undeclared language only).
    flesch: float | None = None
    #: Dates as written: JSON-LD, else article:published_time / modified_time meta.
    date_published: str = ""
    date_modified: str = ""
    #: datetime (or text) of the first <time> in the main content.
    time_element: str = ""
    #: A date written in the first paragraphs ("March 5, 2024", "2024-03-05").
    visible_date: bool = False
    #: Where an author is named: "meta", "rel", "json_ld", "markup" (class/itemprop), and
    #: "microdata" when a schema.org/Person item is on the page (rel, markup and microdata
    #: are looked for on article pages only).
    byline: tuple[str, ...] = ()
    author_name: str = ""
    #: @type of the JSON-LD article's author nodes ("Person", "Organization").
    author_types: tuple[str, ...] = ()
    #: The JSON-LD article type (Article, BlogPosting...), "og:article", or "" (not an article).
    article_type: str = ""
    news: bool = False
    #: Counts of main, article, nav, header, footer, aside elements.
    semantic: tuple[int, ...] = ()
    #: <div> start tags in the source, counted only when there is no main, article or
    #: role="main" landmark (else -1).
    divs: int = -1
    #: citability.ORG | ORG_SAME_AS | ORG_LOGO | PERSON flags from JSON-LD.
    organization: int = 0
    #: (source, name) the site calls itself: og:site_name, WebSite name, Organization name.
    site_names: tuple[tuple[str, str], ...] = ()


@_fast_pickle
@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found. Severity and category come from the check registry by `code`."""

    code: str
    #: The page the finding belongs to; None for a site-wide finding.
    url: str | None
    details: dict[str, Any] = field(default_factory=dict)


@_fast_pickle
@dataclass(frozen=True, slots=True)
class PageResult:
    """What the crawler yields for every URL it fetched (HTML or not, success or not)."""

    url: str
    depth: int
    fetch: FetchResult  # body is always None here: parsing happened already
    facts: PageFacts | None
    findings: tuple[Finding, ...]
    indexable: bool
    indexability_reason: str
    in_sitemap: bool = False
    #: The normalized URL of the page that first linked here ("" for seeds).
    found_on: str = ""


@dataclass(frozen=True, slots=True)
class CrawlProgress:
    pages_crawled: int
    pages_queued: int
    total_estimate: int
    current_url: str = ""
    #: Page findings so far per severity ("error", "warning", "notice"); site-wide checks
    #: run at the end and are only in the summary.
    findings_by_severity: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CategoryScore:
    category: str
    score: float
    findings: int
    #: (check code, points lost in this category), largest first.
    losses: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class GeoComponentScore:
    component: str
    label: str
    weight: float
    #: 0-100; None when the component could not be measured (see `reason`).
    score: float | None
    findings: int
    #: (check code, component points lost), largest first.
    losses: tuple[tuple[str, float], ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class GeoScore:
    """GEO score (AI answer engines) with its components (see docs/scoring.md)."""

    score: float
    components: tuple[GeoComponentScore, ...]
    #: (check code, GEO score points lost), largest first.
    top_losses: tuple[tuple[str, float], ...]
    pages_scored: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "components": {c.component: {"label": c.label, "weight": c.weight, "score": c.score,
                                         "findings": c.findings, "reason": c.reason,
                                         "losses": [{"code": code, "points": pts}
                                                    for code, pts in c.losses]}
                           for c in self.components},
            "top_losses": [{"code": code, "points": pts} for code, pts in self.top_losses],
            "pages_scored": self.pages_scored,
        }


@dataclass(frozen=True, slots=True)
class ScoreBreakdown:
    """SEO score with enough detail to explain every point (see docs/scoring.md)."""

    score: float
    category_scores: tuple[CategoryScore, ...]
    #: (check code, points lost) ordered by points lost, largest first.
    top_losses: tuple[tuple[str, float], ...]
    pages_scored: int
    pages_with_error: int = 0
    #: Points taken off the health score for site-wide (URL-less) findings.
    site_penalty: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "categories": {c.category: {"score": c.score, "findings": c.findings,
                                        "losses": [{"code": code, "points": pts}
                                                   for code, pts in c.losses]}
                           for c in self.category_scores},
            "top_losses": [{"code": code, "points": pts} for code, pts in self.top_losses],
            "pages_scored": self.pages_scored,
            "pages_with_error": self.pages_with_error,
            "site_penalty": self.site_penalty,
        }
