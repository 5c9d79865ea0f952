"""DNS rebinding: a host name that resolves to a public address first and to a private one
later (or to both at once) is refused at connection time, for every connection, not only
when the audit starts. No real DNS: a resolver stub answers from a table the test owns.

127.0.0.1 plays the public internet (AddressGuard.trusted_networks); 127.0.0.2, also
loopback but not trusted, plays the private network the attacker aims at. A listener on
127.0.0.2 proves that not a single connection reached it.
"""

from __future__ import annotations

import ipaddress
import socket
import threading

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

import audits.engine.fetch as fetch_module
from audits.engine.crawler import CrawlError, CrawlRun
from audits.engine.netguard import AddressGuard
from tests.conftest import crawl_options

from . import routes as R

PUBLIC, PRIVATE = "127.0.0.1", "127.0.0.2"
GUARD = AddressGuard(allow_private=False, trusted_networks=(ipaddress.ip_network("127.0.0.1/32"),))


class RebindingDNS(AbstractResolver):
    """Answers `before` until `flip()` is called, then `after` (TTL 0, like an attacker)."""

    def __init__(self, host: str, before: list[str], after: list[str]) -> None:
        self.host, self.before, self.after = host, before, after
        self.flipped = threading.Event()
        self.lookups = 0

    def flip(self) -> None:
        self.flipped.set()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        if host != self.host:
            raise OSError(None, f"{host}: not in the test's DNS table")
        self.lookups += 1
        addresses = self.after if self.flipped.is_set() else self.before
        return [{"hostname": host, "host": ip, "port": port, "family": socket.AF_INET,
                 "proto": 0, "flags": socket.AI_NUMERICHOST} for ip in addresses]

    async def close(self) -> None:
        return None


@pytest.fixture
def private_listener():
    """listen(port): a TCP listener on 127.0.0.2:`port` (the attacker's target: the same
    port as the public site) recording the connections it gets, which should be none."""
    stop = threading.Event()
    started: list[tuple[socket.socket, threading.Thread]] = []

    def listen(port: int) -> list[socket.socket]:
        sock = socket.socket()
        sock.bind((PRIVATE, port))
        sock.listen(16)
        sock.settimeout(0.1)
        accepted: list[socket.socket] = []

        def accept() -> None:
            while not stop.is_set():
                try:
                    conn, _ = sock.accept()
                except OSError:
                    continue
                accepted.append(conn)
                conn.close()

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        started.append((sock, thread))
        return accepted

    yield listen
    stop.set()
    for sock, thread in started:
        thread.join(2)
        sock.close()


@pytest.fixture
def no_dns_cache(monkeypatch):
    """An attacker's TTL of 0: the connector re-resolves for every new connection."""
    monkeypatch.setattr(fetch_module, "_DNS_CACHE_TTL", 0)


def test_rebinding_after_the_start_page_is_refused_per_connection(serve, private_listener,
                                                                   no_dns_cache):
    dns = RebindingDNS("rebind.test", [PUBLIC], [PRIVATE])

    async def home(request, conn):
        if server.hits["/"] >= 2:  # the start-page probe came first, then the crawl itself
            dns.flip()  # from now on the name points into the private network
        await conn.respond(R.page("Rebinding home", "links", links=("/a", "/b", "/c")))

    server = serve({"/": home, "/robots.txt": R.html("", status=404),
                    "/sitemap.xml": R.html("", status=404)})
    accepted = private_listener(server.port)
    url = f"http://rebind.test:{server.port}/"
    options = crawl_options(url, allow_private=False, check_resources=False, geo=False)
    run = CrawlRun(options, guard=GUARD, resolver=dns)
    pages = {result.url.rsplit("/", 1)[-1]: result for result in run}
    assert pages[""].fetch.status == 200
    for name in "abc":
        fetch = pages[name].fetch
        assert fetch.error == "ssrf_blocked"
        assert "resolves to 127.0.0.2" in fetch.error_detail
        assert "seo.fetch.failed" in {f.code for f in pages[name].findings}
    assert server.hits["/a"] == server.hits["/b"] == 0
    assert dns.lookups >= 4  # every new connection asked DNS again and was checked again
    assert accepted == []  # and nothing ever connected to the private side


def test_a_name_resolving_to_public_and_private_at_once_is_refused(serve, private_listener):
    server = serve({"/": R.html(R.page("Never seen", "never fetched"))})
    dns = RebindingDNS("both.test", [PUBLIC, PRIVATE], [PUBLIC, PRIVATE])
    accepted = private_listener(server.port)
    run = CrawlRun(crawl_options(f"http://both.test:{server.port}/", allow_private=False),
                   guard=GUARD, resolver=dns)
    with pytest.raises(CrawlError, match=r"ssrf_blocked.*both\.test resolves to 127\.0\.0\.2"):
        list(run)
    assert server.connections == 0  # refused before connecting: not even the public one
    assert accepted == []


def test_a_private_answer_is_refused_even_with_a_public_first_record(serve):
    """Record order does not matter: happy eyeballs may pick any record."""
    server = serve({"/": R.html(R.page("Never seen", "never fetched"))})
    dns = RebindingDNS("order.test", [PRIVATE, PUBLIC], [PRIVATE, PUBLIC])
    run = CrawlRun(crawl_options(f"http://order.test:{server.port}/", allow_private=False),
                   guard=GUARD, resolver=dns)
    with pytest.raises(CrawlError, match="ssrf_blocked"):
        list(run)
    assert server.connections == 0
