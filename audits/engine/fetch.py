"""Async HTTP fetching for the crawl: one aiohttp session, guarded, polite and bounded.

`Fetcher.fetch` never raises for network or HTTP trouble: every outcome is a `FetchResult`
whose `error` names what went wrong. What bounds one fetch:

* each attempt: aiohttp's ClientTimeout (connect, read between bytes, and `total_timeout`
  for the whole attempt, body included, so a server dripping a byte a second is cut off);
* attempts: one per redirect hop (at most max_redirects + 1) plus at most max_retries retries
  shared by all hops; every sleep between attempts <= max_retry_wait. `attempts` in the
  result counts 1 + retries;
* bytes: at most `max_bytes` of *decompressed* body are read (gzip bombs stop at the cap).
  Going over is not an error, since the response did arrive: `truncated=True`, `error=None`.

Retries: 429 and 503 (honouring Retry-After; when the server asks for longer than
max_retry_wait we give up rather than come back early) and dropped connections. Timeouts,
refused connections, DNS, TLS and SSRF refusals are not retried: they rarely heal within
seconds and retrying them would multiply the time a dead host costs the crawl.

Redirects are followed by hand so every hop is recorded and SSRF-checked. Errors about a
redirect response itself (loop, too many hops, bad Location) report that response's status
and URL; errors reaching a redirect target report status 0 and the target as `final_url`.
`elapsed_ms` counts network time and retry sleeps, not time queued for politeness.

`method="HEAD"` asks for headers only (resource checks after the crawl): nothing is read,
`body` is b"" and `size` is the announced Content-Length (0 when absent). The same guard,
politeness and redirect handling apply. A caller may also lower the retries and the timeouts
for one fetch (`max_retries`, `client_timeout`) and add request headers (`headers`: the
render sample forwards a browser's request headers through the same guard).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import re
import time
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from types import TracebackType
from typing import Protocol, Self
from urllib.parse import urljoin, urlsplit

import aiohttp
import structlog
from aiohttp.abc import AbstractResolver
from yarl import URL

from .fetch_errors import FetchError, classify_error, parse_retry_after
from .netguard import ALLOWED_SCHEMES, AddressGuard, BlockedAddress, GuardedResolver, refusal_message
from .types import CrawlOptions, FetchResult, RedirectHop
from .urls import InvalidURL, host_of, normalize_url, resolve_href

log = structlog.get_logger(__name__)


def _use_faster_zlib() -> str:
    """Have aiohttp gunzip responses with ISA-L (python-isal) when it is installed.

    Decompression is the biggest single cost of the crawling process per page: zlib takes
    0.17 ms for a 54 KB page, isal 0.075 ms (bench/analyze_speed.py's pages), same bytes out.
    isal_zlib is a drop-in for zlib's decompressobj API, `max_length` included, so the size
    cap still bounds what a gzip bomb can expand to. Without isal, zlib stays in use.
    """
    try:
        from isal import isal_zlib
    except ImportError:
        return "zlib"
    from aiohttp.compression_utils import set_zlib_backend

    set_zlib_backend(isal_zlib)
    return "isal"


ZLIB_BACKEND = _use_faster_zlib()

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 503})
#: Upper bound for a robots.txt Crawl-delay: a hostile value must not park the crawl.
MAX_CRAWL_DELAY = 30.0
#: First backoff step in seconds (doubled per retry, with jitter).
BACKOFF_BASE = 0.5
#: Bodies of redirects and retried responses are read (to keep the connection) up to this,
#: for at most this long: a redirect whose body stalls is followed, not timed out (browsers
#: act on the Location header and never wait for the body).
_DISCARD_LIMIT = 64 * 1024
_DISCARD_WAIT_S = 1.0
_DNS_CACHE_TTL = 60
# Real sites send long cookies and CSP headers; aiohttp's 8 KiB default refuses them.
_MAX_HEADER_LINE = 64 * 1024
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_NO_STATUSES: frozenset[int] = frozenset()
_DISCARD = {
    (True, True): REDIRECT_STATUSES | RETRY_STATUSES,
    (True, False): REDIRECT_STATUSES,
    (False, True): RETRY_STATUSES,
    (False, False): _NO_STATUSES,
}
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class HostGate(Protocol):
    """Per-host politeness across processes: `lease(host)` is held around every request."""

    def lease(self, host: str) -> AbstractAsyncContextManager[None]: ...


@dataclass(slots=True)
class _Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    content_type: str
    body: bytes | None
    size: int
    truncated: bool
    ttfb: float
    location: str | None
    retry_after: str | None
    note: str = ""


class _HostSlot:
    """Per-host politeness: a concurrency cap and a minimum interval between requests."""

    __slots__ = ("delay", "next_at", "sem")

    def __init__(self, concurrency: int, delay: float) -> None:
        self.sem = asyncio.Semaphore(max(1, concurrency))
        self.delay = delay
        self.next_at = 0.0


class Fetcher:
    """Async context manager holding one aiohttp session for a whole crawl.

    `guard` and `resolver` exist for tests and special deployments: the guard defaults to the
    strict policy of `options.allow_private`, the resolver to aiohttp's default resolver
    (always wrapped in `GuardedResolver`).
    """

    def __init__(self, options: CrawlOptions, *, guard: AddressGuard | None = None,
                 resolver: AbstractResolver | None = None,
                 host_gate: HostGate | None = None) -> None:
        self.options = options
        #: Politeness shared with other processes (a distributed crawl's workers), on top of
        #: this Fetcher's own per-host slots.
        self.host_gate = host_gate
        self.guard = guard if guard is not None else AddressGuard(allow_private=options.allow_private)
        self._inner_resolver = resolver
        self._resolver: GuardedResolver | None = None
        self._session: aiohttp.ClientSession | None = None
        self._hosts: dict[str, _HostSlot] = {}
        self._timeout = aiohttp.ClientTimeout(total=options.total_timeout,
                                              sock_connect=options.connect_timeout,
                                              sock_read=options.read_timeout)

    async def __aenter__(self) -> Self:
        self._resolver = GuardedResolver(self.guard, self._inner_resolver)
        connector = aiohttp.TCPConnector(limit=self.options.global_concurrency, limit_per_host=0,
                                         ttl_dns_cache=_DNS_CACHE_TTL, resolver=self._resolver)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            headers={"User-Agent": self.options.user_agent, "Accept": _ACCEPT,
                     "Accept-Encoding": "gzip, deflate, br"},
            # Like search engine crawlers: no cookies, so pages look as a first visit does.
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=True,
            # Never route through an environment proxy: it would bypass the address guard.
            trust_env=False,
            max_line_size=_MAX_HEADER_LINE,
            max_field_size=_MAX_HEADER_LINE,
        )
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session, its connections and the resolver."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._resolver is not None:
            await self._resolver.close()  # the connector does not own a resolver it was given
            self._resolver = None

    def set_crawl_delay(self, host: str, seconds: float) -> None:
        """Space requests to `host` (as `urls.host_of` gives it) at least `seconds` apart."""
        delay = 0.0 if math.isnan(seconds) else min(max(0.0, seconds), MAX_CRAWL_DELAY)
        self._slot(host.lower()).delay = delay

    def _slot(self, host: str) -> _HostSlot:
        slot = self._hosts.get(host)
        if slot is None:
            slot = _HostSlot(self.options.per_host_concurrency, self.options.crawl_delay)
            self._hosts[host] = slot
        return slot

    async def fetch(self, url: str, *, max_bytes: int | None = None, keep_prefix: bool = False,
                    follow_redirects: bool = True, max_redirects: int | None = None,
                    method: str = "GET", max_retries: int | None = None,
                    client_timeout: aiohttp.ClientTimeout | None = None,
                    headers: dict[str, str] | None = None) -> FetchResult:
        """Fetch `url` (GET or HEAD), following redirects by hand; never raises for network
        trouble.

        `max_bytes` caps the decompressed body (default options.max_body_bytes). Over the cap
        the body is dropped (`truncated=True, body=None`) unless `keep_prefix`, which keeps
        the first `max_bytes` bytes. `max_redirects`, `max_retries` and `client_timeout` override
        the options for this fetch only; `headers` are sent on top of the session's.
        """
        if self._session is None:
            raise RuntimeError("Fetcher used outside 'async with'")
        if method not in ("GET", "HEAD"):
            raise ValueError(f"unsupported method {method!r}")
        run = _Run(time.perf_counter(), self.options.max_retries if max_retries is None
                   else max(0, max_retries))
        run.method = method
        run.headers = headers
        if client_timeout is not None:
            timeout = run.timeout = client_timeout
            # Error messages quote the limits that applied.
            run.options = replace(self.options,
                                  connect_timeout=timeout.sock_connect or self.options.connect_timeout,
                                  read_timeout=timeout.sock_read or self.options.read_timeout,
                                  total_timeout=timeout.total or self.options.total_timeout)
        try:
            return await self._fetch(run, url, self.options.max_body_bytes if max_bytes is None
                                     else max_bytes, keep_prefix, follow_redirects,
                                     self.options.max_redirects if max_redirects is None
                                     else max_redirects)
        except Exception as exc:  # noqa: BLE001 - the contract is a result, never an exception
            log.warning("fetch.unexpected_error", url=url, error=repr(exc))
            return run.result(url, url, error="connection_error",
                              error_detail=f"unexpected {type(exc).__name__}: {exc}"[:500])

    async def _fetch(self, run: _Run, url: str, limit: int, keep_prefix: bool,
                     follow: bool, max_hops: int) -> FetchResult:
        try:
            target = self._vet(url)
        except FetchError as exc:
            return run.result(url, url, error=exc.code, error_detail=exc.detail)
        seen = {target}
        while True:  # one iteration per redirect hop
            try:
                resp = await self._request(run, target, limit, keep_prefix, follow)
            except FetchError as exc:
                return run.result(url, target, error=exc.code, error_detail=exc.detail)
            if not follow or resp.status not in REDIRECT_STATUSES:
                return run.final(url, target, resp)
            if not resp.location or not resp.location.strip():
                return run.final(url, target, resp, detail=f"HTTP {resp.status} redirect without "
                                                            "a Location header")
            try:
                nxt = self._vet_location(target, resp.location)
            except FetchError as exc:
                run.chain.append(RedirectHop(target, resp.status, resp.location.strip()[:2048]))
                return run.final(url, target, resp, error=exc.code, detail=exc.detail)
            run.chain.append(RedirectHop(target, resp.status, nxt))
            if nxt in seen:
                return run.final(url, target, resp, error="redirect_loop",
                                 detail=f"redirect loop: {nxt} was already visited in this chain")
            if len(run.chain) > max_hops:
                return run.final(url, target, resp, error="too_many_redirects",
                                 detail=f"more than {max_hops} redirects")
            try:
                self._check_target(nxt)
            except FetchError as exc:
                return run.result(url, nxt, error=exc.code, error_detail=exc.detail)
            seen.add(nxt)
            target = nxt

    async def _request(self, run: _Run, target: str, limit: int, keep_prefix: bool,
                       follow: bool) -> _Response:
        """One hop: attempts plus retries on 429/503 and dropped connections."""
        while True:
            may_retry = run.retries_left > 0
            # Bodies we will not use are read only up to a small limit, to keep the connection.
            discard = _DISCARD[follow, may_retry]
            try:
                resp = await self._attempt(run, target, limit, keep_prefix, discard)
            except FetchError as exc:
                if not (exc.retryable and may_retry):
                    raise
                wait = self._retry_wait(None, run.retries_used)
            else:
                if not may_retry or resp.status not in RETRY_STATUSES:
                    return resp
                wait = self._retry_wait(resp.retry_after, run.retries_used)
                if wait is None:
                    resp.note = (f"HTTP {resp.status}: server asked to retry after "
                                 f"{resp.retry_after}, longer than max_retry_wait "
                                 f"({self.options.max_retry_wait:g}s); not retried")
                    return resp
            run.retries_left -= 1
            run.retries_used += 1
            if wait > 0:
                await asyncio.sleep(wait)

    def _vet(self, url: str) -> str:
        """Normalize a URL to request and run the pre-request guard; raise FetchError."""
        match = _SCHEME.match(url)
        if match is None:
            raise FetchError("invalid_url", f"not an absolute URL: {url[:200]!r}")
        if match.group(1).lower() not in ALLOWED_SCHEMES:
            raise FetchError("unsupported_scheme",
                              f"refused to fetch {url[:200]}: only http and https are fetched")
        try:
            target = normalize_url(url)
        except InvalidURL as exc:
            raise FetchError("invalid_url", f"invalid URL {url[:200]!r}: {exc}") from exc
        self._check_target(target)
        return target

    def _vet_location(self, base: str, location: str) -> str:
        location = location.strip()
        try:
            return resolve_href(base, location)
        except InvalidURL as exc:
            scheme = _SCHEME.match(urljoin(base, location))
            if scheme is not None and scheme.group(1).lower() not in ALLOWED_SCHEMES:
                raise FetchError("unsupported_scheme", f"redirect to a non-HTTP URL refused: "
                                                        f"{location[:200]}") from exc
            raise FetchError("invalid_url", f"redirect to an invalid URL {location[:200]!r}: "
                                             f"{exc}") from exc

    def _check_target(self, target: str) -> None:
        parts = urlsplit(target)
        try:
            self.guard.check_target(parts.hostname or "", parts.port)
        except BlockedAddress as exc:
            raise FetchError("ssrf_blocked", refusal_message(target, exc)) from exc

    def _retry_wait(self, retry_after: str | None, retry_number: int) -> float | None:
        """Seconds to wait before the next attempt, or None to give up (server wants longer)."""
        cap = self.options.max_retry_wait
        if retry_after is not None:
            asked = parse_retry_after(retry_after)
            if asked is not None:
                return asked if asked <= cap else None
        step = BACKOFF_BASE * 2 ** retry_number
        return min(cap, step / 2 + random.uniform(0, step / 2))

    async def _attempt(self, run: _Run, target: str, limit: int, keep_prefix: bool,
                       discard: frozenset[int]) -> _Response:
        assert self._session is not None
        slot = self._slot(host_of(target))
        queued_from = time.perf_counter()
        host_gate = self.host_gate
        async with slot.sem, (host_gate.lease(host_of(target)) if host_gate is not None
                              else contextlib.nullcontext()):
            if slot.delay > 0:
                now = asyncio.get_running_loop().time()
                wait = slot.next_at - now
                slot.next_at = max(now, slot.next_at) + slot.delay
                if wait > 0:
                    await asyncio.sleep(wait)
            started = time.perf_counter()
            run.queued += started - queued_from
            try:
                async with self._session.request(run.method, URL(target, encoded=True),
                                                 allow_redirects=False, headers=run.headers,
                                                 timeout=run.timeout or self._timeout) as resp:
                    ttfb = time.perf_counter() - started
                    headers = resp.headers
                    status = resp.status
                    if run.method == "HEAD":
                        body, size, truncated = b"", resp.content_length or 0, False
                    elif status in discard:
                        body, size, truncated = None, *await _discard(resp)
                    else:
                        body, size, truncated = await _read(resp, limit, keep_prefix)
                    return _Response(status, tuple((k.lower(), v) for k, v in headers.items()),
                                     headers.get("Content-Type", ""), body, size, truncated, ttfb,
                                     headers.get("Location"), headers.get("Retry-After"))
            except BlockedAddress as exc:  # aiohttp wraps it (ClientConnectorDNSError); belt and braces
                raise FetchError("ssrf_blocked", refusal_message(target, exc)) from exc
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                raise classify_error(exc, target, run.options or self.options) from exc


async def _read(resp: aiohttp.ClientResponse, limit: int, keep_prefix: bool
                ) -> tuple[bytes | None, int, bool]:
    """Read at most `limit` decompressed bytes: (body, size, truncated)."""
    announced = resp.content_length
    if announced is not None and announced > limit and not keep_prefix:
        resp.close()  # do not even start: the connection is dropped, not drained
        return None, announced, True
    chunks: list[bytes] = []
    received = 0
    content = resp.content
    while True:
        chunk = await content.readany()
        if not chunk:
            break
        received += len(chunk)
        if received > limit:
            resp.close()
            size = max(received, announced or 0)
            if keep_prefix:
                chunks.append(chunk[: len(chunk) - (received - limit)])
                return b"".join(chunks), size, True
            return None, size, True
        chunks.append(chunk)
    return (chunks[0] if len(chunks) == 1 else b"".join(chunks)), received, False


async def _discard(resp: aiohttp.ClientResponse) -> tuple[int, bool]:
    """Read and drop an unused body, briefly: (size, truncated). A body that does not arrive
    within _DISCARD_WAIT_S costs the connection, not the fetch."""
    try:
        _, size, truncated = await asyncio.wait_for(_read(resp, _DISCARD_LIMIT, False),
                                                    _DISCARD_WAIT_S)
    except TimeoutError:
        resp.close()
        return 0, False
    return size, truncated


class _Run:
    """Book-keeping of one `fetch` call: attempts, the redirect chain and timings."""

    __slots__ = ("chain", "headers", "method", "options", "queued", "retries_left", "retries_used",
                 "started", "timeout")

    def __init__(self, started: float, retries: int) -> None:
        self.method = "GET"
        self.headers: dict[str, str] | None = None
        self.timeout: aiohttp.ClientTimeout | None = None
        self.options: CrawlOptions | None = None
        self.started = started
        self.queued = 0.0
        self.retries_left = retries
        self.retries_used = 0
        self.chain: list[RedirectHop] = []

    def _elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started - self.queued) * 1000

    def result(self, requested: str, final: str, *, error: str, error_detail: str) -> FetchResult:
        return FetchResult(requested_url=requested, final_url=final, status=0,
                           elapsed_ms=self._elapsed_ms(), redirect_chain=tuple(self.chain),
                           error=error, error_detail=error_detail, attempts=1 + self.retries_used)

    def final(self, requested: str, final: str, resp: _Response, *, error: str | None = None,
              detail: str = "") -> FetchResult:
        return FetchResult(
            requested_url=requested, final_url=final, status=resp.status, headers=resp.headers,
            body=resp.body, content_type=resp.content_type, size=resp.size,
            truncated=resp.truncated, ttfb_ms=resp.ttfb * 1000, elapsed_ms=self._elapsed_ms(),
            redirect_chain=tuple(self.chain), error=error,
            error_detail=detail or resp.note or (f"body over the size cap ({resp.size} bytes)"
                                                 if resp.truncated else ""),
            attempts=1 + self.retries_used)


async def fetch_once(url: str, options: CrawlOptions) -> FetchResult:
    """Fetch one URL with a short-lived Fetcher (for one-off checks, not for crawls)."""
    async with Fetcher(options) as fetcher:
        return await fetcher.fetch(url)
