"""Generate a deterministic synthetic website for the crawl benchmarks.

    python bench/sitegen.py OUT_DIR [--pages 2000] [--page-kb 30-80] [--seed 1] [--jobs 2]

The site looks like a content site: a home page, one index page per section, N article pages
under `/section-<s>/page-<i>.html`, `/about.html`, `/contact.html`, `robots.txt`, a sitemap
(an index of 50,000-URL sitemaps above that size), a stylesheet and a script. Every article has
a full <head> (title, description, canonical, viewport, lang, Open Graph, JSON-LD), a 15-link
navigation bar shared by all pages, paragraphs of ordinary English words, h1/h2/h3 headings,
images (about one in eight without alt text) and ~50 links: the shared navigation, a
breadcrumb, parent/child links that make every article reachable from `/` in a few clicks
(a k-ary tree over the page ids), previous/next neighbours and random other articles, plus a
few external links (reserved `.example` hosts, never fetched) and now and then a link to a page
that does not exist (404), or to `/old/...` and `/legacy/...` URLs that nginx redirects (one
and two hops, see `nginx_site.py`). About 2% of the pages share their title with another page
and about 3% have no meta description, so the checks have something to find.

Absolute URLs in robots.txt and the sitemaps use the placeholder origin `SITE_ORIGIN`, which
nginx rewrites to the origin it serves (the port is only known at serve time); the HTML uses
root-relative URLs. Output depends only on (pages, page size range, seed): page i is built from
its own `random.Random`, so generating in parallel gives the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import struct
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

#: Replaced by nginx (sub_filter) with the served origin, e.g. http://127.0.0.1:43211.
ORIGIN_PLACEHOLDER = "http://SITE_ORIGIN"
#: Marker file: present and matching when a generated site is complete and reusable.
MANIFEST = "site-manifest.json"
#: Bumped whenever the output changes, so cached sites are regenerated.
GENERATOR_VERSION = 2
SITEMAP_CHUNK = 50_000
TREE_FANOUT = 8
NAV_SECTIONS = 11

_VOCABULARY = """
the of and to in a is that for it as was with be by on not he this are or his from at which
but have an they you were her she there would their we him been has when who will more no if
out so said what up its about into than them can only other new some could time these two may
then do first any my now such like our over man me even most made after also did many before
must through back years where much your way well down should because each just those people
how too little state good very make world still own see men work long get here between both
life being under never day same another know while last might us great old year off come since
against go came right used take three website search engine content page pages audit traffic
ranking crawl index link links keyword keywords marketing business customer customers product
products service services online digital strategy report reports data analysis performance
mobile speed user users experience design brand market growth sales team quality source tools
guide practice practices results visitors article articles headline structure schema markup
canonical redirect sitemap robots meta description title image images local review reviews
company companies industry example examples question questions answer answers important simple
different following however instance include including provide provides using based available
information management development research support system systems process program project
community network security software platform application applications measure measured budget
campaign conversion conversions landing social media video email newsletter publish published
editor editorial author authors update updated latest popular trending weekly monthly annual
"""
_WORDS = _VOCABULARY.split()
_WEIGHTS = [1.0 / math.sqrt(rank + 1) for rank in range(len(_WORDS))]
_ALT_TEXTS = ["Team meeting in the office", "Chart of monthly organic traffic",
              "Screenshot of the search results page", "Product photo on a white background",
              "Customer reviewing a report", "Diagram of the site structure"]
_EXTERNAL = ["https://www.partner.example/resources", "https://docs.tools.example/guide",
             "https://news.industry.example/2024/report", "https://research.example/paper.pdf",
             "https://social.example/company", "https://video.example/watch?v=abc123"]


# A 16x16, 2-colour icon: ICO header, directory entry, BITMAPINFOHEADER, palette, masks.
_FAVICON = (struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", 16, 16, 2, 0, 1, 1, 176, 22)
            + struct.pack("<IiiHHIIiiII", 40, 16, 32, 1, 1, 0, 128, 0, 0, 2, 0)
            + bytes.fromhex("ffffff0000000000") + b"\x00" * 128)


@dataclass(frozen=True, slots=True)
class SiteSpec:
    pages: int
    kb_min: int
    kb_max: int
    seed: int

    @property
    def sections(self) -> int:
        return max(1, min(50, self.pages // 100))

    def section_of(self, page: int) -> int:
        return page * self.sections // self.pages

    def path_of(self, page: int) -> str:
        return f"/section-{self.section_of(page)}/page-{page}.html"

    def page_range(self, section: int) -> range:
        first = -(-section * self.pages // self.sections)
        last = -(-(section + 1) * self.pages // self.sections)
        return range(first, last)


class _Text:
    """A fixed pool of sentences per site; pages draw from it, which keeps generation fast."""

    def __init__(self, seed: int, size: int = 6000) -> None:
        rng = random.Random(seed * 7919 + 17)
        self.sentences = []
        for _ in range(size):
            words = rng.choices(_WORDS, weights=_WEIGHTS, k=rng.randint(8, 24))
            sentence = " ".join(words)
            self.sentences.append(sentence[0].upper() + sentence[1:] + ".")

    def paragraph(self, rng: random.Random) -> str:
        return " ".join(rng.choices(self.sentences, k=rng.randint(3, 7)))

    def phrase(self, rng: random.Random, lo: int = 2, hi: int = 6) -> str:
        return " ".join(rng.choices(_WORDS[60:], k=rng.randint(lo, hi)))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _nav(spec: SiteSpec) -> str:
    items = [("/", "Home")]
    items += [(f"/section-{s}/", f"Section {s}") for s in range(min(NAV_SECTIONS, spec.sections))]
    items += [("/about.html", "About us"), ("/contact.html", "Contact")]
    items.append(("/section-0/" if spec.sections else "/", "Blog"))
    items.append(("/sitemap.xml", "Sitemap"))
    links = "".join(f'<li class="nav-item"><a class="nav-link" href="{href}">{label}</a></li>'
                    for href, label in items[:15])
    return f'<nav class="site-nav" aria-label="Main"><ul class="nav-list">{links}</ul></nav>\n'


def _head(*, title: str, description: str | None, path: str, image: str, date: str) -> str:
    desc = f'<meta name="description" content="{_esc(description)}">\n' if description else ""
    ld = json.dumps({"@context": "https://schema.org", "@type": "Article", "headline": title,
                     "datePublished": date, "author": {"@type": "Person", "name": "Site Editor"},
                     "image": image, "mainEntityOfPage": path}, separators=(",", ":"))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_esc(title)}</title>\n{desc}"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="canonical" href="{path}">\n'
        '<link rel="stylesheet" href="/static/css/site.css">\n'
        '<link rel="icon" href="/favicon.ico">\n'
        f'<meta property="og:title" content="{_esc(title)}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:url" content="{path}">\n'
        f'<meta property="og:image" content="{image}">\n'
        '<meta name="twitter:card" content="summary_large_image">\n'
        f'<script type="application/ld+json">{ld}</script>\n'
        '<script src="/static/js/app.js" defer></script>\n</head>\n'
    )


def _footer(year: int) -> str:
    return (f'<footer class="site-footer"><p>&copy; {year} Example Media. All rights reserved.</p>'
            '<p><a href="/about.html">About</a> · <a href="/contact.html">Contact</a></p></footer>\n'
            "</body>\n</html>\n")


def _page_links(spec: SiteSpec, text: _Text, page: int,
                rng: random.Random) -> list[tuple[str, str]]:
    """Internal body links: tree parent/children, neighbours, random others, oddities."""
    n = spec.pages
    targets: list[int] = []
    if page > 0:
        targets.append((page - 1) // TREE_FANOUT)
    targets += [c for c in range(page * TREE_FANOUT + 1, page * TREE_FANOUT + TREE_FANOUT + 1)
                if c < n]
    targets += [p for p in (page - 2, page - 1, page + 1, page + 2) if 0 <= p < n]
    want = rng.randint(24, 30)
    while len(targets) < want and n > 1:
        targets.append(rng.randrange(n))
    links = [(spec.path_of(t), text.phrase(rng, 2, 5)) for t in targets if t != page]
    if rng.random() < 0.04:  # broken link: nginx answers 404
        links.append((f"/section-{spec.section_of(page)}/missing-{rng.randrange(n // 50 + 1)}.html",
                      "Old article"))
    if rng.random() < 0.03:  # one redirect hop
        target = rng.randrange(n)
        links.append((f"/old/section-{spec.section_of(target)}/page-{target}.html", "Archived"))
    if rng.random() < 0.01:  # two redirect hops
        target = rng.randrange(n)
        links.append((f"/legacy/section-{spec.section_of(target)}/page-{target}.html", "Legacy"))
    return links


def render_page(spec: SiteSpec, text: _Text, page: int) -> str:
    rng = random.Random(spec.seed * 1_000_003 + page)
    target = rng.randint(spec.kb_min, spec.kb_max) * 1024
    section = spec.section_of(page)
    path = spec.path_of(page)
    # ~2% of pages reuse the title of the page before them (duplicate titles).
    title_page = page - 1 if page > 0 and rng.random() < 0.02 else page
    topic = text.phrase(random.Random(f"title-{spec.seed}-{title_page}"), 3, 6).title()
    title = f"{topic} | Section {section} | Example Media"
    description = None if rng.random() < 0.03 else f"{text.phrase(rng, 18, 26).capitalize()}."
    date = f"20{rng.randint(18, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    image = f"/static/img/cover-{page % 500}.jpg"

    parts = [_head(title=title, description=description, path=path, image=image, date=date),
             '<body class="article">\n<header class="site-header">'
             '<a class="logo" href="/">Example Media</a></header>\n', _nav(spec),
             f'<ol class="breadcrumb"><li><a href="/">Home</a></li>'
             f'<li><a href="/section-{section}/">Section {section}</a></li>'
             f"<li>{_esc(topic)}</li></ol>\n",
             f'<main id="content"><article>\n<h1>{_esc(topic)}</h1>\n'
             f'<p class="byline">By Site Editor · <time datetime="{date}">{date}</time></p>\n']
    links = _page_links(spec, text, page, rng)
    external = rng.sample(_EXTERNAL, k=rng.randint(1, 3))
    size = sum(len(p) for p in parts) + 2500  # footer, related block, closing tags
    block = 0
    while size < target:
        if block % 5 == 0:
            level = 2 if block % 10 == 0 else 3
            chunk = f"<h{level}>{_esc(text.phrase(rng, 3, 7).capitalize())}</h{level}>\n"
        elif block % 7 == 3:
            alt = "" if rng.random() < 0.12 else f' alt="{rng.choice(_ALT_TEXTS)}"'
            chunk = (f'<figure><img src="/static/img/photo-{rng.randrange(2000)}.jpg"{alt}'
                     ' width="800" height="450" loading="lazy"></figure>\n')
        else:
            body = text.paragraph(rng)
            if links and rng.random() < 0.6:
                href, label = links.pop()
                cut = body.find(" ", len(body) // 2)
                body = (f'{body[:cut]} <a href="{href}">{label}</a>{body[cut:]}'
                        if cut > 0 else body)
            elif external and rng.random() < 0.1:
                body += f' See <a href="{external.pop()}" rel="noopener">this resource</a>.'
            chunk = f"<p>{body}</p>\n"
        parts.append(chunk)
        size += len(chunk)
        block += 1
    related = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in links)
    related += "".join(f'<li><a href="{href}" rel="nofollow noopener">External resource</a></li>'
                       for href in external)
    parts.append(f'</article>\n<aside class="related"><h2>Related articles</h2><ul>{related}</ul>'
                 '</aside>\n</main>\n')
    parts.append(_footer(2024))
    return "".join(parts)


def _simple_page(spec: SiteSpec, *, title: str, path: str, body: str) -> str:
    return (_head(title=title, description=f"{title} at Example Media.", path=path,
                  image="/static/img/cover-0.jpg", date="2024-01-01")
            + '<body>\n<header class="site-header"><a class="logo" href="/">Example Media</a>'
            + "</header>\n" + _nav(spec) + f'<main id="content">\n<h1>{_esc(title)}</h1>\n{body}'
            + "</main>\n" + _footer(2024))


def _home(spec: SiteSpec, text: _Text) -> str:
    rng = random.Random(spec.seed)
    sections = "".join(f'<li><a href="/section-{s}/">Section {s}</a></li>'
                       for s in range(spec.sections))
    roots = "".join(f'<li><a href="{spec.path_of(p)}">Featured article {p}</a></li>'
                    for p in range(min(spec.pages, TREE_FANOUT + 1)))
    intro = "".join(f"<p>{text.paragraph(rng)}</p>\n" for _ in range(6))
    return _simple_page(spec, title="Example Media – guides on search and content", path="/",
                        body=f"{intro}<h2>Sections</h2><ul>{sections}</ul>\n"
                             f"<h2>Featured</h2><ul>{roots}</ul>\n")


def _section_index(spec: SiteSpec, text: _Text, section: int) -> str:
    rng = random.Random(spec.seed * 31 + section)
    pages = spec.page_range(section)
    listed = list(pages)[:60]
    items = "".join(f'<li><a href="{spec.path_of(p)}">Article {p}</a></li>' for p in listed)
    intro = "".join(f"<p>{text.paragraph(rng)}</p>\n" for _ in range(3))
    return _simple_page(spec, title=f"Section {section} – Example Media",
                        path=f"/section-{section}/",
                        body=f"{intro}<h2>Articles</h2><ul>{items}</ul>\n")


def _write(path: Path, data: str, *, precompress: bool) -> int:
    raw = data.encode("utf-8")
    path.write_bytes(raw)
    written = len(raw)
    if precompress:
        packed = gzip.compress(raw, compresslevel=6, mtime=0)
        path.with_name(path.name + ".gz").write_bytes(packed)
        written += len(packed)
    return written


def _write_pages(args: tuple[SiteSpec, str, int, int, bool]) -> int:
    spec, out, start, stop, precompress = args
    text = _Text(spec.seed)
    root = Path(out)
    return sum(_write(root / spec.path_of(page).lstrip("/"), render_page(spec, text, page),
                      precompress=precompress)
               for page in range(start, stop))


def _sitemaps(spec: SiteSpec, root: Path) -> None:
    urls = ["/", "/about.html", "/contact.html"]
    urls += [f"/section-{s}/" for s in range(spec.sections)]
    urls += [spec.path_of(p) for p in range(spec.pages)]
    chunks = [urls[i:i + SITEMAP_CHUNK] for i in range(0, len(urls), SITEMAP_CHUNK)]
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'

    def urlset(chunk: list[str]) -> str:
        body = "".join(f"<url><loc>{ORIGIN_PLACEHOLDER}{u}</loc><lastmod>2024-06-01</lastmod></url>\n"
                       for u in chunk)
        return f"{head}<urlset {ns}>\n{body}</urlset>\n"

    if len(chunks) == 1:
        (root / "sitemap.xml").write_text(urlset(chunks[0]), encoding="utf-8")
        return
    entries = ""
    for number, chunk in enumerate(chunks, start=1):
        (root / f"sitemap-pages-{number}.xml").write_text(urlset(chunk), encoding="utf-8")
        entries += f"<sitemap><loc>{ORIGIN_PLACEHOLDER}/sitemap-pages-{number}.xml</loc></sitemap>\n"
    (root / "sitemap.xml").write_text(f"{head}<sitemapindex {ns}>\n{entries}</sitemapindex>\n",
                                      encoding="utf-8")


def generate_site(out_dir: str | os.PathLike[str], *, pages: int = 2000, kb_min: int = 30,
                  kb_max: int = 80, seed: int = 1, jobs: int | None = None,
                  precompress: bool = True, quiet: bool = False) -> dict[str, object]:
    """Write the site into `out_dir` (created) and return its manifest.

    `precompress` also writes `page.html.gz` next to every page so nginx serves gzip without
    spending CPU on it (`gzip_static`): the benchmark measures the crawler, not nginx's deflate.
    """
    if pages < 1 or not 1 <= kb_min <= kb_max:
        raise ValueError("need pages >= 1 and 1 <= kb_min <= kb_max")
    spec = SiteSpec(pages=pages, kb_min=kb_min, kb_max=kb_max, seed=seed)
    root = Path(out_dir)
    started = time.monotonic()
    root.mkdir(parents=True, exist_ok=True)
    (root / MANIFEST).unlink(missing_ok=True)
    for section in range(spec.sections):
        (root / f"section-{section}").mkdir(exist_ok=True)
    (root / "static" / "css").mkdir(parents=True, exist_ok=True)
    (root / "static" / "js").mkdir(parents=True, exist_ok=True)
    text = _Text(seed)
    written = _write(root / "index.html", _home(spec, text), precompress=precompress)
    for section in range(spec.sections):
        written += _write(root / f"section-{section}" / "index.html",
                          _section_index(spec, text, section), precompress=precompress)
    written += _write(root / "about.html",
                      _simple_page(spec, title="About Example Media", path="/about.html",
                                   body=f"<p>{text.paragraph(random.Random(seed))}</p>\n"),
                      precompress=precompress)
    written += _write(root / "contact.html",
                      _simple_page(spec, title="Contact Example Media", path="/contact.html",
                                   body='<p>Write to <a href="mailto:hello@media.example">'
                                        "hello@media.example</a>.</p>\n"),
                      precompress=precompress)
    (root / "static" / "css" / "site.css").write_text(
        "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:48rem}\n", encoding="utf-8")
    (root / "static" / "js" / "app.js").write_text("document.documentElement.classList.add('js');\n",
                                                   encoding="utf-8")
    (root / "favicon.ico").write_bytes(_FAVICON)  # so /favicon.ico is not a 404 everywhere
    (root / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\n\nSitemap: {ORIGIN_PLACEHOLDER}/sitemap.xml\n", encoding="utf-8")
    _sitemaps(spec, root)

    jobs = jobs or os.cpu_count() or 1
    step = max(1, min(2000, -(-pages // jobs)))
    batches = [(spec, str(root), start, min(pages, start + step), precompress)
               for start in range(0, pages, step)]
    done = 0
    if jobs == 1:
        for batch in batches:
            written += _write_pages(batch)
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for count in pool.map(_write_pages, batches):
                written += count
                done += 1
                if not quiet and len(batches) > 4:
                    print(f"  generated {min(pages, done * step)}/{pages} pages", file=sys.stderr)
    manifest = {"generator_version": GENERATOR_VERSION, "pages": pages, "kb_min": kb_min,
                "kb_max": kb_max, "seed": seed, "sections": spec.sections, "precompressed": precompress,
                "bytes_on_disk": written, "seconds": round(time.monotonic() - started, 1),
                "urls": pages + spec.sections + 3}
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(site_dir: str | os.PathLike[str]) -> dict[str, object] | None:
    try:
        return json.loads((Path(site_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def site_urls(site_dir: str | os.PathLike[str], base_url: str) -> list[str]:
    """Every page URL of a generated site (what the sitemap lists), for the fetch benchmark."""
    manifest = read_manifest(site_dir)
    if manifest is None:
        raise FileNotFoundError(f"{site_dir} holds no generated site ({MANIFEST} missing)")
    spec = SiteSpec(pages=int(manifest["pages"]), kb_min=int(manifest["kb_min"]),
                    kb_max=int(manifest["kb_max"]), seed=int(manifest["seed"]))
    base = base_url.rstrip("/")
    return [base + spec.path_of(p) for p in range(spec.pages)]


def parse_kb_range(value: str) -> tuple[int, int]:
    lo, _, hi = value.partition("-")
    try:
        low, high = int(lo), int(hi or lo)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected KB or MIN-MAX, got {value!r}") from None
    if not 1 <= low <= high:
        raise argparse.ArgumentTypeError(f"bad page size range {value!r}")
    return low, high


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--page-kb", type=parse_kb_range, default=(30, 80), metavar="MIN-MAX")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=None, help="processes (default: CPUs)")
    parser.add_argument("--no-precompress", action="store_true",
                        help="do not write .html.gz files (nginx then gzips on the fly)")
    args = parser.parse_args(argv)
    manifest = generate_site(args.out_dir, pages=args.pages, kb_min=args.page_kb[0],
                             kb_max=args.page_kb[1], seed=args.seed, jobs=args.jobs,
                             precompress=not args.no_precompress)
    print(json.dumps(manifest, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
