"""HTTPS checks: insecure pages, mixed content, insecure forms, and the site probes
(HTTP->HTTPS redirect, www/non-www, HSTS, security headers)."""

from __future__ import annotations

from audits.engine.probes import HostVariants, ProbeOutcome
from tests.engine.checks.helpers import Case, doc, page, record, run, site

HTTP_URL = "http://example.com/page"
SECURE = "https://example.com/"
PLAIN = "http://example.com/"
WWW = "https://www.example.com/"
GOOD_HEADERS = (("strict-transport-security", "max-age=31536000"),
                ("x-content-type-options", "nosniff"), ("x-frame-options", "SAMEORIGIN"),
                ("referrer-policy", "strict-origin-when-cross-origin"))


def ok(url: str, final: str | None = None) -> ProbeOutcome:
    return ProbeOutcome(url, final or url, 200, redirect_hops=int(final is not None))


def probed(**kw) -> object:
    """A site whose probes found `kw` (defaults: a clean HTTPS site with every header)."""
    values = {"start": ok(SECURE), "https": ok(SECURE), "http": ok(PLAIN, SECURE),
              "counterpart": ok(WWW, SECURE), "start_headers": GOOD_HEADERS}
    values.update(kw)
    if "start" in kw and "https" not in kw:
        values["https"] = kw["start"]
    view = site(record(SECURE))
    view.variants = HostVariants(**values)
    return view


def without(name: str) -> tuple[tuple[str, str], ...]:
    return tuple(item for item in GOOD_HEADERS if item[0] != name)

CASES = [
    Case("seo.https.insecure_page",
         fails=[lambda: page(doc(canonical=HTTP_URL), url=HTTP_URL)],
         passes=[lambda: page(doc()), lambda: page(doc(), url=HTTP_URL, status=404)]),
    Case("seo.https.mixed_content",
         fails=[lambda: page(doc(body='<img src="http://cdn.example.com/a.png" alt="a">')),
                lambda: page(doc(extra_head='<script src="http://example.com/app.js"></script>'))],
         passes=[lambda: page(doc(body='<img src="https://cdn.example.com/a.png" alt="a">'
                                       '<a href="http://other.org/">plain link</a>')),
                 lambda: page(doc(body='<img src="http://cdn.example.com/a.png" alt="a">'),
                              url=HTTP_URL)]),
    Case("seo.https.insecure_form",
         fails=[lambda: page(doc(body='<form action="http://example.com/login" method="post">'
                                      '<input name="q"></form>'))],
         passes=[lambda: page(doc(body='<form action="/search"><input name="q"></form>')),
                 lambda: page(doc(body='<form><input name="q"></form>')),
                 lambda: page(doc(canonical=HTTP_URL,
                                  body='<form action="http://example.com/s"></form>'),
                              url=HTTP_URL)]),
    Case("seo.https.http_not_redirected",
         fails=[lambda: probed(http=ok(PLAIN)),
                # started on http://, which serves the site although https:// works
                lambda: probed(start=ok(PLAIN), http=ok(PLAIN), https=ok(SECURE))],
         passes=[lambda: probed(),
                 lambda: probed(http=ProbeOutcome(PLAIN, PLAIN, 0, error="connection_refused")),
                 # https does not work: the pages are flagged by seo.https.insecure_page
                 lambda: probed(start=ok(PLAIN), http=ok(PLAIN),
                                https=ProbeOutcome(SECURE, SECURE, 0, error="tls")),
                 lambda: probed(http=None), lambda: site(record(SECURE))]),
    Case("seo.https.host_variant_not_redirected",
         fails=[lambda: probed(counterpart=ok(WWW))],
         passes=[lambda: probed(),
                 lambda: probed(counterpart=ProbeOutcome(WWW, WWW, 0, error="dns")),
                 lambda: probed(counterpart=ProbeOutcome(WWW, WWW, 404)),
                 lambda: probed(counterpart=None)]),
    Case("seo.https.hsts_missing",
         fails=[lambda: probed(start_headers=without("strict-transport-security")),
                lambda: probed(start_headers=(*without("strict-transport-security"),
                                              ("strict-transport-security", "max-age=0")))],
         passes=[lambda: probed(),
                 lambda: probed(start_headers=(*without("strict-transport-security"),
                                               ("strict-transport-security",
                                                'max-age="63072000"; includeSubDomains'))),
                 # HSTS is ignored over plain HTTP
                 lambda: probed(start=ok(PLAIN), start_headers=()),
                 lambda: probed(start=ProbeOutcome(SECURE, SECURE, 500), start_headers=())]),
    Case("seo.https.security_headers_missing",
         fails=[lambda: probed(start_headers=()),
                lambda: probed(start_headers=without("x-content-type-options")),
                lambda: probed(start_headers=without("referrer-policy"))],
         passes=[lambda: probed(),
                 lambda: probed(start_headers=(*without("x-frame-options"),
                                               ("content-security-policy", "default-src 'self'"))),
                 lambda: probed(start_headers=without("referrer-policy"), referrer_meta=True),
                 lambda: probed(start=ProbeOutcome(SECURE, SECURE, 0, error="timeout"),
                                start_headers=()),
                 lambda: probed(start=None, https=None)]),
]



def test_security_headers_finding_lists_what_is_missing():
    [finding] = run("seo.https.security_headers_missing", probed(start_headers=()))
    assert finding.url is None
    assert finding.details["missing"] == ["X-Content-Type-Options",
                                          "Content-Security-Policy or X-Frame-Options",
                                          "Referrer-Policy"]
