"""robots.txt checks over a SiteView holding a robots policy."""

from __future__ import annotations

from audits.engine.robots import ALLOW_ALL, DISALLOW_ALL, RobotsPolicy, parse_robots
from audits.engine.site import SiteView
from tests.engine.checks.helpers import Case, record, run, site

HOME = "https://example.com/"
ROBOTS_URL = "https://example.com/robots.txt"
TOKEN = "SEOAuditBot"


def with_robots(robots: RobotsPolicy, *records, resources=()) -> SiteView:
    """A site with `robots`; `resources` are (page, resource url, kind) references."""
    view = site(*(records or (record(HOME),)))
    view.robots = robots
    for source, target, kind in resources:
        view.add_link(source, target, "", kind)
    return view


def parsed(text: str, **kw) -> RobotsPolicy:
    return parse_robots(ROBOTS_URL, text.encode(), token=TOKEN, **kw)


def answered(status: int, mode: str = ALLOW_ALL, error: str | None = None) -> RobotsPolicy:
    return RobotsPolicy(url=ROBOTS_URL, status=status, error=error, mode=mode, token=TOKEN)


CSS = "https://example.com/assets/site.css"
JS = "https://example.com/assets/app.js"

CASES = [
    Case("seo.robots.missing",
         fails=[lambda: with_robots(answered(404)), lambda: with_robots(answered(410))],
         passes=[lambda: with_robots(parsed("User-agent: *\nAllow: /\n")),
                 lambda: with_robots(answered(403)), lambda: site(record(HOME))]),
    Case("seo.robots.client_error",
         fails=[lambda: with_robots(answered(403)), lambda: with_robots(answered(401)),
                lambda: with_robots(answered(301, error="redirect_loop")),
                lambda: with_robots(answered(302))],  # redirect without Location
         passes=[lambda: with_robots(answered(404)),
                 lambda: with_robots(answered(429, DISALLOW_ALL)),
                 lambda: with_robots(answered(0, DISALLOW_ALL, "timeout")),
                 lambda: with_robots(parsed("User-agent: *\nDisallow:\n"))]),
    Case("seo.robots.server_error",
         fails=[lambda: with_robots(answered(503, DISALLOW_ALL)),
                lambda: with_robots(answered(429, DISALLOW_ALL))],
         passes=[lambda: with_robots(answered(404)),
                 lambda: with_robots(answered(0, DISALLOW_ALL, "timeout"))]),
    Case("seo.robots.unreachable",
         fails=[lambda: with_robots(answered(0, DISALLOW_ALL, "timeout")),
                lambda: with_robots(answered(0, DISALLOW_ALL, "connection_error"))],
         passes=[lambda: with_robots(answered(500, DISALLOW_ALL)),
                 lambda: with_robots(answered(301, error="too_many_redirects"))]),
    Case("seo.robots.invalid_lines",
         fails=[lambda: with_robots(parsed("User-agent: *\nDisalow /x\n<html>\n")),
                lambda: with_robots(parsed("User-agent: *\nNoarchive: /x\n"))],
         passes=[lambda: with_robots(parsed("# comment\n\nUser-agent: *\nDisallow: /x # why\n"
                                            "Crawl-delay: 1\nSitemap: /s.xml\nHost: example.com\n")),
                 # protego's tolerated spellings are obeyed, so they are not "invalid"
                 lambda: with_robots(parsed("User-agent *\nDissallow: /x\n")),
                 lambda: with_robots(answered(404))]),
    Case("seo.robots.too_large",
         fails=[lambda: with_robots(parsed("User-agent: *\nDisallow: /x\n", size=600_000,
                                           truncated=True)),
                lambda: with_robots(parsed("User-agent: *\nDisallow: /x\n", size=520_000))],
         passes=[lambda: with_robots(parsed("User-agent: *\nDisallow: /x\n", size=400_000)),
                 lambda: with_robots(answered(404))]),
    Case("seo.robots.disallow_all",
         fails=[lambda: with_robots(parsed("User-agent: *\nDisallow: /\n")),
                lambda: with_robots(parsed("User-agent: *\nDisallow: /\n\nUser-agent: Googlebot\n"
                                           "Disallow: /\n"))],
         passes=[lambda: with_robots(parsed("User-agent: *\nDisallow: /private/\n")),
                 # Only other bots are shut out; Google may crawl.
                 lambda: with_robots(parsed("User-agent: *\nDisallow: /\n\nUser-agent: Googlebot\n"
                                            "Allow: /\n")),
                 lambda: with_robots(parsed("User-agent: GPTBot\nDisallow: /\n")),
                 # Only the home page itself.
                 lambda: with_robots(parsed("User-agent: *\nDisallow: /$\n")),
                 # 5xx: has its own check
                 lambda: with_robots(answered(503, DISALLOW_ALL))]),
    Case("seo.robots.blocked_resources",
         fails=[lambda: with_robots(parsed("User-agent: *\nDisallow: /assets/\n"), record(HOME),
                                    resources=((HOME, CSS, "css"),)),
                lambda: with_robots(parsed("User-agent: Googlebot\nDisallow: /*.js$\n"),
                                    resources=((HOME, JS, "script"),))],
         passes=[lambda: with_robots(parsed("User-agent: *\nDisallow: /private/\n"),
                                     resources=((HOME, CSS, "css"), (HOME, JS, "script"))),
                 # an image, or a page link, under a blocked path is not a rendering resource
                 lambda: with_robots(parsed("User-agent: *\nDisallow: /assets/\n"),
                                     resources=((HOME, "https://example.com/assets/a.png", "img"),
                                                (HOME, "https://example.com/assets/x", "a"))),
                 # Googlebot-specific group allows them
                 lambda: with_robots(parsed(f"User-agent: *\nDisallow: /assets/\n\nUser-agent: "
                                            f"Googlebot\nUser-agent: {TOKEN}\nAllow: /\n"),
                                     resources=((HOME, CSS, "css"),))]),
]



def test_invalid_lines_give_line_numbers_and_text():
    [finding] = run("seo.robots.invalid_lines",
                    with_robots(parsed("User-agent: *\nDisallow: /a\nthis is wrong\n")))
    assert finding.url is None
    assert finding.details["lines"] == [{"line": 3, "text": "this is wrong"}]


def test_blocked_resources_name_the_pages_using_them():
    [finding] = run("seo.robots.blocked_resources",
                    with_robots(parsed("User-agent: *\nDisallow: /assets/\n"), record(HOME),
                                resources=((HOME, CSS, "css"), ("https://example.com/b", CSS, "css"))))
    [example] = finding.details["examples"]
    assert example["url"] == CSS and example["used_on"] == [HOME, "https://example.com/b"]
    assert set(example["blocked_for"]) == {"Googlebot", TOKEN}


def test_disallow_all_says_whether_the_crawl_was_blocked():
    obeyed = parsed("User-agent: *\nDisallow: /\n")
    [finding] = run("seo.robots.disallow_all", with_robots(obeyed))
    assert finding.details["crawl_blocked"] is True
    ignored = parsed("User-agent: *\nDisallow: /\n", respect=False)
    [finding] = run("seo.robots.disallow_all", with_robots(ignored))
    assert finding.details["crawl_blocked"] is False
