"""The page corpus of bench/lighthouse_agreement.py: small local sites, each page clean or with
one defect (or one edge case where tools could differ) for the ten audits Lighthouse's SEO
category shares with our engine.

Every site is served on its own 127.0.0.1 port (so each has its own robots.txt); "{origin}" in
any text is replaced by the site's origin ("http://127.0.0.1:<port>") at serve time. Each page
says which Lighthouse audits it is meant to fail (`fails`, our reading of Lighthouse 12.2.3's
source) and why (`note`); the bench compares Lighthouse with our engine, `fails` is only
there to document the corpus.
"""

from __future__ import annotations

from dataclasses import dataclass, field

AUDITS = ("document-title", "meta-description", "http-status-code", "is-crawlable", "link-text",
          "crawlable-anchors", "image-alt", "hreflang", "canonical", "robots-txt")

TITLE = "Trail Running Shoes for Rocky Terrain | Summit Outfitters"
DESCRIPTION = ("Compare our trail running shoes for rocky terrain: grip, cushioning and weight "
               "tested on real mountain routes, with free returns within 30 days.")
NAV = ('<header><a href="/" class="logo"><img src="/logo.svg" alt="Summit Outfitters home" '
       'width="120" height="40"></a><nav><ul><li><a href="/">Home</a></li>'
       '<li><a href="/shoes/trail.html">Trail shoes</a></li>'
       '<li><a href="/guides/sizing.html">Sizing guide</a></li>'
       '<li><a href="/about.html">About us</a></li></ul></nav></header>')
FOOTER = ('<footer><p>&copy; 2024 Summit Outfitters. <a href="/privacy.html">Privacy policy</a> '
          '&middot; <a href="/contact.html">Contact our team</a></p></footer>')
ARTICLE = ("<p>Rocky trails punish thin soles. We ran every shoe on this page for at least 200 km "
           "on granite, scree and wet limestone before writing a word about it.</p>"
           '<figure><img src="/img/shoe-side.jpg" alt="Side view of a trail shoe with deep lugs" '
           'width="800" height="450"><figcaption>Deep 5 mm lugs bite into loose ground.'
           "</figcaption></figure>"
           "<h2>What to look for</h2><p>A rock plate, a secure heel and a toe bumper matter more "
           "than weight once the path turns technical. Read the "
           '<a href="/guides/sizing.html">sizing guide for trail shoes</a> before you order.</p>')


@dataclass(frozen=True)
class Page:
    path: str
    note: str
    #: Lighthouse audits this page is meant to fail.
    fails: tuple[str, ...] = ()
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: Full document (with "{origin}" placeholders); None: built from the template below.
    html: str | None = None
    title: str | None = TITLE
    description: str | None = DESCRIPTION
    #: "self", None (no canonical), or the raw href to write.
    canonical: str | None = "self"
    head: str = ""
    body: str = ""
    lang: str = "en"

    def render(self, origin: str) -> str:
        if self.html is not None:
            return self.html.replace("{origin}", origin)
        parts = ['<meta charset="utf-8">',
                 '<meta name="viewport" content="width=device-width, initial-scale=1">']
        if self.title is not None:
            parts.append(f"<title>{self.title}</title>")
        if self.description is not None:
            parts.append(f'<meta name="description" content="{self.description}">')
        if self.canonical == "self":
            parts.append(f'<link rel="canonical" href="{origin}{self.path}">')
        elif self.canonical is not None:
            parts.append(f'<link rel="canonical" href="{self.canonical}">')
        parts.append('<link rel="stylesheet" href="/site.css">')
        heading = (self.title or "Trail running shoes").split("|")[0].strip() or "Trail shoes"
        doc = (f'<!doctype html><html lang="{self.lang}"><head>{"".join(parts)}{self.head}</head>'
               f"<body>{NAV}<main><h1>{heading}</h1>{ARTICLE}{self.body}</main>{FOOTER}"
               "</body></html>")
        return doc.replace("{origin}", origin)


@dataclass(frozen=True)
class Site:
    name: str
    #: robots.txt body (None: answer 404) and status.
    robots: str | None
    pages: tuple[Page, ...]
    robots_status: int = 200


def home(*paths: str) -> Page:
    """The site's home page: links to every page of the site with descriptive text."""
    links = "".join(f'<li><a href="{p}">Article {p.strip("/").replace("/", " ").replace(".html", "")}'
                    "</a></li>" for p in paths)
    return Page("/", "clean home page linking to every page", body=f"<ul>{links}</ul>")


HREFLANG_SET = ('<link rel="alternate" hreflang="en" href="{origin}/intl/en.html">'
                '<link rel="alternate" hreflang="de" href="{origin}/intl/de.html">'
                '<link rel="alternate" hreflang="x-default" href="{origin}/intl/en.html">')

ERROR_404 = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<title>Page not found | Summit Outfitters</title>"
             '<meta name="description" content="The page you were looking for does not exist. '
             'Browse our trail running shoes or contact our team.">'
             '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
             + NAV + "<main><h1>Page not found</h1><p>Sorry, this page does not exist. "
             'Go back to the <a href="/">Summit Outfitters home page</a>.</p></main>'
             + FOOTER + "</body></html>")
#: What nginx answers by default.
NGINX_500 = ("<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n"
             "<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx/1.22.1"
             "</center>\r\n</body>\r\n</html>\r\n")
NGINX_503 = NGINX_500.replace("500 Internal Server Error", "503 Service Temporarily Unavailable")

MAIN_PAGES: tuple[Page, ...] = (
    # -- clean pages -------------------------------------------------------------------------
    Page("/shoes/trail.html", "clean product page"),
    Page("/guides/sizing.html", "clean guide page"),
    Page("/about.html", "clean page without a canonical (Lighthouse: canonical not applicable)",
         canonical=None),
    Page("/contact.html", "clean page with mailto:, tel: and fragment links",
         body='<p><a href="mailto:help@example.com">Email our support team</a>, '
              '<a href="tel:+15555550100">call +1 555 555 0100</a> or jump to the '
              '<a href="#hours">opening hours</a>.</p><h2 id="hours">Opening hours</h2>'),
    Page("/privacy.html", "clean page, long title (length is not a Lighthouse criterion)",
         title="Privacy policy of Summit Outfitters: how we collect, store and protect the "
               "personal data of our customers and newsletter subscribers"),
    # -- document-title ----------------------------------------------------------------------
    Page("/title/missing.html", "no <title> element", ("document-title",), title=None),
    Page("/title/empty.html", "<title></title>", ("document-title",), title=""),
    Page("/title/whitespace.html", "title of spaces and a newline", ("document-title",),
         title="   \n  "),
    Page("/title/nbsp.html", "title is a single &nbsp;", ("document-title",), title="&nbsp;"),
    Page("/title/first-empty.html", "two titles, the first empty (document.title uses the first)",
         ("document-title",), title="", head="<title>Trail shoes, second title</title>"),
    Page("/title/svg-only.html", "no HTML title, only an SVG <title> tooltip in the body",
         ("document-title",), title=None,
         body='<svg width="24" height="24" role="img"><title>Mountain icon</title>'
              '<path d="M2 20 L12 4 L22 20 Z"/></svg>'),
    Page("/title/short.html", "short but present title", title="Shoes"),
    # -- meta-description --------------------------------------------------------------------
    Page("/description/missing.html", "no meta description", ("meta-description",),
         description=None),
    Page("/description/empty.html", 'content=""', ("meta-description",), description=""),
    Page("/description/whitespace.html", 'content="   "', ("meta-description",),
         description="   "),
    Page("/description/no-content.html", "<meta name=description> without content",
         ("meta-description",), description=None, head='<meta name="description">'),
    Page("/description/og-only.html", "only og:description, no meta description",
         ("meta-description",), description=None,
         head=f'<meta property="og:description" content="{DESCRIPTION}">'),
    Page("/description/uppercase-name.html", '<meta name="Description"> (names are '
         "case-insensitive)", description=None,
         head=f'<meta name="Description" content="{DESCRIPTION}">'),
    Page("/description/short.html", "short but present description",
         description="Trail shoes."),
    # -- http-status-code --------------------------------------------------------------------
    Page("/status/404.html", "404 with a designed error page", ("http-status-code",),
         status=404, html=ERROR_404),
    Page("/status/410.html", "410 Gone with a designed error page", ("http-status-code",),
         status=410, html=ERROR_404),
    Page("/status/500.html", "nginx's default 500 page (has a title, no description)",
         ("http-status-code", "meta-description"), status=500, html=NGINX_500),
    Page("/status/503.html", "nginx's default 503 page with Retry-After",
         ("http-status-code", "meta-description"), status=503,
         headers={"Retry-After": "120"}, html=NGINX_503),
    Page("/status/moved.html", "301 to a clean page (Lighthouse audits the target)",
         status=301, headers={"Location": "/shoes/trail.html"}, html=""),
    Page("/status/moved-to-404.html", "302 to a 404 page", ("http-status-code",), status=302,
         headers={"Location": "/status/404.html"}, html=""),
    # -- is-crawlable ------------------------------------------------------------------------
    Page("/robots/meta-noindex.html", "meta robots noindex", ("is-crawlable",),
         head='<meta name="robots" content="noindex">'),
    Page("/robots/meta-none.html", 'meta robots "none"', ("is-crawlable",),
         head='<meta name="robots" content="none">'),
    Page("/robots/meta-noindex-upper.html", 'meta robots "NOINDEX, NOFOLLOW"', ("is-crawlable",),
         head='<meta name="robots" content="NOINDEX, NOFOLLOW">'),
    Page("/robots/meta-nofollow.html", "meta robots nofollow only (still indexable)",
         head='<meta name="robots" content="nofollow">'),
    Page("/robots/meta-index-follow.html", 'meta robots "index, follow, max-snippet:-1"',
         head='<meta name="robots" content="index, follow, max-snippet:-1">'),
    Page("/robots/header-noindex.html", "X-Robots-Tag: noindex", ("is-crawlable",),
         headers={"X-Robots-Tag": "noindex"}),
    Page("/robots/header-googlebot-noindex.html",
         "X-Robots-Tag: googlebot: noindex (other bots allowed)",
         headers={"X-Robots-Tag": "googlebot: noindex"}),
    Page("/robots/meta-googlebot-noindex.html",
         "meta googlebot noindex (other bots allowed)",
         head='<meta name="googlebot" content="noindex">'),
    Page("/robots/header-otherbot-noindex.html", "X-Robots-Tag: otherbot: noindex",
         headers={"X-Robots-Tag": "otherbot: noindex"}),
    Page("/robots/unavailable-after.html", "meta robots unavailable_after a past date",
         ("is-crawlable",),
         head='<meta name="robots" content="unavailable_after: 2020-01-01">'),
    Page("/private/account.html", "disallowed by robots.txt (Disallow: /private/)",
         ("is-crawlable",)),
    # -- link-text ---------------------------------------------------------------------------
    Page("/links/click-here.html", '"click here" link', ("link-text",),
         body='<p>Our returns policy is simple: <a href="/about.html">click here</a>.</p>'),
    Page("/links/more.html", '"More" link', ("link-text",),
         body='<p>New arrivals for the autumn season. <a href="/shoes/trail.html">More</a></p>'),
    Page("/links/read-more-case.html", '"READ MORE" link (case-insensitive)', ("link-text",),
         body='<p>How to lace for downhill. <a href="/guides/sizing.html">READ MORE</a></p>'),
    Page("/links/here-punctuation.html", '"here." (text with a full stop)',
         body='<p>The warranty terms are <a href="/about.html">here.</a></p>'),
    Page("/links/learn-more-nofollow.html", '"learn more" on a rel=nofollow link',
         body='<p>Partner offer. <a href="/shoes/trail.html" rel="nofollow">learn more</a></p>'),
    Page("/links/click-here-mailto.html", '"click here" on a mailto: link',
         body='<p>Questions? <a href="mailto:help@example.com">click here</a></p>'),
    Page("/links/more-same-page.html", '"more" linking to a fragment of the page itself',
         body='<p>Summary first. <a href="/links/more-same-page.html#details">more</a></p>'
              '<h2 id="details">Details</h2>'),
    Page("/links/continue-reading.html", '"Continue reading" link',
         body='<p>Our test method. <a href="/guides/sizing.html">Continue reading</a></p>'),
    Page("/links/sr-only.html", '"Read more" plus visually hidden descriptive text',
         head="<style>.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;"
              "clip:rect(0 0 0 0)}</style>",
         body='<p>Winter traction. <a href="/shoes/trail.html">Read more<span class="sr-only"> '
              "about winter traction</span></a></p>"),
    Page("/links/spanish.html", 'Spanish page with a "más información" link', ("link-text",),
         lang="es", body='<p>Zapatillas de montaña. <a href="/shoes/trail.html">más información'
                         "</a></p>"),
    Page("/links/descriptive.html", "descriptive link texts only",
         body='<p>See the <a href="/shoes/trail.html">trail shoe comparison table</a> and the '
              '<a href="/guides/sizing.html">half-size advice</a>.</p>'),
    # -- crawlable-anchors -------------------------------------------------------------------
    Page("/anchors/js-void.html", 'href="javascript:void(0)"', ("crawlable-anchors",),
         body='<p><a href="javascript:void(0)" onclick="openCart()">Open your cart</a></p>'),
    Page("/anchors/js-call.html", 'href="javascript:openMenu()"',
         body='<p><a href="javascript:openMenu()">Open the menu</a></p>'),
    Page("/anchors/js-semicolon.html", 'href="javascript:;"',
         body='<p><a href="javascript:;" onclick="toggle()">Show the size chart</a></p>'),
    Page("/anchors/no-href-onclick.html", "<a onclick> without href", ("crawlable-anchors",),
         body='<p><a onclick="location.href=\'/shoes/trail.html\'">Trail shoes</a></p>'),
    Page("/anchors/no-href.html", "<a> without any attribute", ("crawlable-anchors",),
         body="<p><a>Trail shoes</a></p>"),
    Page("/anchors/no-href-role.html", '<a role="button" onclick> without href',
         body='<p><a role="button" onclick="filter()">Filter the results</a></p>'),
    Page("/anchors/named.html", '<a name="top"> and <a id="x"> targets',
         body='<p><a name="top"></a><a id="reviews"></a>Customer reviews</p>'),
    Page("/anchors/empty-href.html", '<a href=""> and <a href="#">',
         body='<p><a href="">Reload this page</a> or <a href="#">go to the top</a></p>'),
    Page("/anchors/malformed.html", 'href="http://[broken" (unparseable)', ("crawlable-anchors",),
         body='<p><a href="http://[broken/shoes">Broken link to shoes</a></p>'),
    Page("/anchors/file.html", 'href="file:///C:/catalog.pdf"', ("crawlable-anchors",),
         body='<p><a href="file:///C:/catalog.pdf">Download the catalog</a></p>'),
    # -- image-alt ---------------------------------------------------------------------------
    Page("/images/missing-alt.html", "<img> without alt", ("image-alt",),
         body='<img src="/img/shoe-top.jpg" width="400" height="300">'),
    Page("/images/empty-alt.html", 'decorative <img alt="">',
         body='<img src="/img/divider.png" alt="" width="800" height="4">'),
    Page("/images/role-presentation.html", '<img role="presentation"> without alt',
         body='<img src="/img/divider.png" role="presentation" width="800" height="4">'),
    Page("/images/aria-hidden.html", '<img aria-hidden="true"> without alt',
         body='<img src="/img/divider.png" aria-hidden="true" width="800" height="4">'),
    Page("/images/title-only.html", "<img title=...> without alt",
         body='<img src="/img/shoe-top.jpg" title="Top view of the shoe" width="400" '
              'height="300">'),
    Page("/images/aria-label.html", "<img aria-label=...> without alt",
         body='<img src="/img/shoe-top.jpg" aria-label="Top view of the shoe" width="400" '
              'height="300">'),
    Page("/images/hidden.html", "display:none <img> without alt",
         body='<img src="/img/tracking.gif" style="display:none" width="1" height="1">'),
    Page("/images/linked-no-alt.html", "image link without alt", ("image-alt",),
         body='<a href="/shoes/trail.html"><img src="/img/banner.jpg" width="800" '
              'height="200"></a>'),
    Page("/images/whitespace-alt.html", '<img alt=" "> (a space)', ("image-alt",),
         body='<img src="/img/shoe-top.jpg" alt=" " width="400" height="300">'),
    # -- hreflang ----------------------------------------------------------------------------
    Page("/intl/en.html", "valid hreflang cluster (en, de, x-default), absolute URLs",
         head=HREFLANG_SET),
    Page("/intl/de.html", "German version of the valid cluster", lang="de", head=HREFLANG_SET),
    Page("/intl/en-uk.html", 'hreflang="en-UK" (UK is not an ISO 3166-1 code; GB is)',
         head='<link rel="alternate" hreflang="en-UK" href="{origin}/intl/en-uk.html">'
              '<link rel="alternate" hreflang="de" href="{origin}/intl/de.html">'),
    Page("/intl/underscore.html", 'hreflang="en_GB" (underscore)', ("hreflang",),
         head='<link rel="alternate" hreflang="en_GB" href="{origin}/intl/underscore.html">'
              '<link rel="alternate" hreflang="de" href="{origin}/intl/de.html">'),
    Page("/intl/word.html", 'hreflang="english"', ("hreflang",),
         head='<link rel="alternate" hreflang="english" href="{origin}/intl/word.html">'
              '<link rel="alternate" hreflang="de" href="{origin}/intl/de.html">'),
    Page("/intl/three-letter.html", 'hreflang="deu" (ISO 639-2 code of a language that has a '
         "two-letter code, not a valid BCP 47 subtag)", ("hreflang",),
         head='<link rel="alternate" hreflang="en" href="{origin}/intl/three-letter.html">'
              '<link rel="alternate" hreflang="deu" href="{origin}/intl/de.html">'),
    Page("/intl/filipino.html", 'hreflang="fil" (three-letter code with no ISO 639-1 '
         "equivalent, valid in BCP 47)",
         head='<link rel="alternate" hreflang="en" href="{origin}/intl/filipino.html">'
              '<link rel="alternate" hreflang="fil" href="{origin}/intl/fil.html">'),
    Page("/intl/relative.html", "hreflang with root-relative hrefs", ("hreflang",),
         head='<link rel="alternate" hreflang="en" href="/intl/relative.html">'
              '<link rel="alternate" hreflang="de" href="/intl/de.html">'),
    Page("/intl/script-region.html", 'hreflang="zh-Hant", "es-419", "X-Default"',
         head='<link rel="alternate" hreflang="en" href="{origin}/intl/script-region.html">'
              '<link rel="alternate" hreflang="zh-Hant" href="{origin}/intl/zh.html">'
              '<link rel="alternate" hreflang="es-419" href="{origin}/intl/es.html">'
              '<link rel="alternate" hreflang="X-Default" href="{origin}/intl/en.html">'),
    Page("/intl/header-invalid.html", "hreflang in the HTTP Link header with an invalid code",
         ("hreflang",),
         headers={"Link": '<{origin}/intl/header-invalid.html>; rel="alternate"; '
                          'hreflang="en-GB", <{origin}/intl/de.html>; rel="alternate"; '
                          'hreflang="xx-DE"'}),
    # -- canonical ---------------------------------------------------------------------------
    Page("/canonical/relative.html", "root-relative canonical", ("canonical",),
         canonical="/canonical/relative.html"),
    Page("/canonical/other-domain.html", "canonical to another domain (syndicated copy)",
         canonical="https://www.example.org/blog/trail-shoes"),
    Page("/canonical/multiple.html", "two different canonicals", ("canonical",),
         head='<link rel="canonical" href="{origin}/shoes/trail.html">'),
    Page("/canonical/duplicate-same.html", "the same canonical twice",
         head='<link rel="canonical" href="{origin}/canonical/duplicate-same.html">'),
    Page("/canonical/to-root.html", "canonical to the home page from a deep page",
         ("canonical",), canonical="{origin}/"),
    Page("/canonical/empty.html", 'canonical with href=""', canonical=""),
    Page("/canonical/invalid.html", 'canonical "https://" (no host)', ("canonical",),
         canonical="https://"),
    Page("/canonical/header.html", "canonical only in the HTTP Link header", canonical=None,
         headers={"Link": '<{origin}/canonical/header.html>; rel="canonical"'}),
    Page("/canonical/to-alternate.html",
         "German page whose canonical is its English hreflang alternate", ("canonical",),
         lang="de", canonical="{origin}/intl/en.html",
         head='<link rel="alternate" hreflang="en" href="{origin}/intl/en.html">'
              '<link rel="alternate" hreflang="de" href="{origin}/canonical/to-alternate.html">'),
    Page("/canonical/in-body.html", "self canonical in the head, a different one in the body",
         body='<link rel="canonical" href="{origin}/shoes/trail.html">'),
)

MAIN_ROBOTS = """# Summit Outfitters
User-agent: *
Disallow: /private/
Disallow: /*?sessionid=
Allow: /private/press-kit.html$

User-agent: AhrefsBot
Disallow: /

Sitemap: {origin}/sitemap.xml
"""


def _small_site(name: str, robots: str | None, note: str, fails: tuple[str, ...] = (),
                robots_status: int = 200, extra: tuple[Page, ...] = ()) -> Site:
    pages = (Page("/shoes/trail.html", f"clean page; {note}", fails), *extra)
    links = "".join(f'<li><a href="{p.path}">Article {p.path}</a></li>' for p in pages)
    index = Page("/", f"clean home page; {note}", fails, body=f"<ul>{links}</ul>")
    return Site(name, robots, (index, *pages), robots_status)


SITES: tuple[Site, ...] = (
    Site("main", MAIN_ROBOTS, (home(*(p.path for p in MAIN_PAGES)), *MAIN_PAGES)),
    _small_site("robots-invalid", "User-agent: *\nDisallow: /tmp/\nCrawl-rate: 10\n"
                "Disallow /drafts/\nAllow: private/\nSitemap: /sitemap.xml\n",
                "robots.txt with an unknown directive, a line without a colon, a pattern "
                "not starting with / and a relative sitemap URL", ("robots-txt",)),
    _small_site("robots-orphan-rule", "Disallow: /cart/\n\nUser-agent: *\nAllow: /\n",
                "robots.txt with a Disallow line before any User-agent", ("robots-txt",)),
    _small_site("robots-typo", "User-agent: *\nDisalow: /old/\n",
                'robots.txt with the typo "Disalow" (Google\'s parser accepts it)',
                ("robots-txt",)),
    _small_site("robots-extensions", "User-agent: *\nCrawl-delay: 0\nClean-param: ref /shoes/\n"
                "Host: shop.example.com\nDisallow:\n# comment only\nSitemap: {origin}/sitemap.xml\n",
                "robots.txt with valid non-standard lines (Crawl-delay, Clean-param, Host)"),
    _small_site("robots-404", None, "no robots.txt (404)", robots_status=404),
    _small_site("robots-500", "Internal Server Error", "robots.txt answers 500",
                ("robots-txt",), robots_status=500),
    _small_site("robots-googlebot-blocked", "User-agent: Googlebot\nDisallow: /\n\n"
                "User-agent: *\nAllow: /\n",
                "robots.txt blocks only Googlebot (other bots allowed)"),
)


def page_count() -> int:
    return sum(len(site.pages) for site in SITES)
