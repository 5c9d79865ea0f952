"""Broken TLS: self-signed, expired, a handshake that stalls, plain HTTP on a TLS port.

Each ends fast with a clear error, and verification stays on: the expired certificate is
signed by a CA the crawling process trusts (SSL_CERT_FILE, in a subprocess), so the only
thing wrong with it is its date, and a good certificate from the same CA is accepted.
"""

from __future__ import annotations

import time

import pytest

from audits.engine.crawler import CrawlError
from tests.conftest import crawl_options

from . import routes as R
from .certs import make_certs
from .conftest import crawl, crawl_in_subprocess

SITE = {"/": R.html(R.page("TLS home", "a page behind TLS")),
        "/robots.txt": R.html("", status=404), "/sitemap.xml": R.html("", status=404)}


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certs(tmp_path_factory.mktemp("certs"))


def test_self_signed_certificate_fails_the_audit_with_a_tls_reason(serve, certs):
    server = serve(SITE, ssl_context=certs["self_signed"].server_context())
    started = time.monotonic()
    with pytest.raises(CrawlError, match=r"tls: TLS certificate of 127\.0\.0\.1 not accepted: "
                                         r"self[- ]signed certificate"):
        crawl(server.base_url + "/")
    assert time.monotonic() - started < 10
    assert server.hits["/"] == 0


def test_plain_http_on_the_tls_port_is_a_tls_error(serve):
    server = serve(SITE)
    with pytest.raises(CrawlError, match=r"tls: TLS handshake with 127\.0\.0\.1 failed"):
        crawl(server.base_url.replace("http://", "https://") + "/")


def test_a_stalled_handshake_times_out(serve):
    """The port accepts the TCP connection and never answers the ClientHello."""
    server = serve(SITE, reject_garbage=False)
    url = server.base_url.replace("http://", "https://") + "/"
    options = crawl_options(url)
    started = time.monotonic()
    crawled = crawl(url)
    # robots.txt timed out: unreachable, so (RFC 9309) nothing may be crawled; both say so.
    assert crawled.summary.robots_error == "timeout"
    assert "seo.robots.unreachable" in crawled.site_codes()
    assert time.monotonic() - started < 4 * options.total_timeout + 30
    assert server.connections >= 1


def test_expired_certificate_from_a_trusted_ca_is_refused_and_a_good_one_accepted(serve, certs):
    trust = {"SSL_CERT_FILE": str(certs["ca"].cert)}
    good = serve(SITE, ssl_context=certs["good"].server_context())
    ok = crawl_in_subprocess(good.base_url + "/", env=trust, geo=False)
    assert ok["summary"]["pages_crawled"] == 1 and ok["pages"][0]["status"] == 200

    expired = serve(SITE, ssl_context=certs["expired"].server_context())
    out = crawl_in_subprocess(expired.base_url + "/", env=trust, geo=False)
    assert "certificate has expired" in out["crawl_error"]
    assert out["crawl_error"].startswith(f"cannot audit {expired.base_url}/: tls: ")
