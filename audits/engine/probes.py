"""Site-level probes run once before the crawl: scheme and www/non-www variants, and the
security headers of the start page.

Four requests at most, all through the crawl's `Fetcher` (so its SSRF guard, timeouts and
per-host politeness apply): the start page, the same URL on the other scheme, and on the
www/non-www counterpart host. A probe never fails the audit: every outcome, errors included,
is recorded in `HostVariants` and the checks (checks/https.py) skip what is unknown.

Which probes run:
* scheme: only when the start page's final URL uses the default port (on a custom port the
  other scheme's port cannot be guessed);
* counterpart: only between "www.<registrable domain>" and the registrable domain itself
  ("www.example.com" <-> "example.com"); never for IP addresses, localhost or other
  subdomains (blog.example.com has no www form worth guessing, and wildcard DNS would answer).
"""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .urls import InvalidURL, host_of, normalize_url, origin_of, registrable_suffix

if TYPE_CHECKING:
    from .fetch import Fetcher
    from .types import FetchResult

#: Bytes kept of the start page (enough for its <head>, read for a referrer <meta>).
START_PAGE_BYTES = 128 * 1024
#: Variant bodies are not used; a small cap keeps the probes cheap.
VARIANT_BYTES = 16 * 1024
#: The crawl waits at most this many `total_timeout`s for the probes (start page, then the
#: variants in parallel, plus a retry) after reading the sitemaps.
PROBE_WAIT_FACTOR = 3
_HEAD_END = b"</head"
_REFERRER_META = (b'name="referrer"', b"name='referrer'", b"name=referrer")


@dataclass(frozen=True, slots=True)
class ProbeOutcome:
    """What one probe request ended with."""

    requested_url: str
    final_url: str
    status: int
    error: str | None = None
    redirect_hops: int = 0

    @property
    def ok(self) -> bool:
        """Answered 200 (after any redirects)."""
        return self.error is None and self.status == 200

    @classmethod
    def from_fetch(cls, fetch: FetchResult) -> ProbeOutcome:
        return cls(fetch.requested_url, fetch.final_url, fetch.status, fetch.error,
                   len(fetch.redirect_chain))


@dataclass(frozen=True, slots=True)
class HostVariants:
    """Outcome of the probes; `None` for a probe that did not run."""

    #: The start page request (its final URL names the canonical scheme and host).
    start: ProbeOutcome | None = None
    #: The start page's URL on http:// and on https:// (one of them is usually `start`).
    http: ProbeOutcome | None = None
    https: ProbeOutcome | None = None
    #: The start page's URL on the www/non-www counterpart host.
    counterpart: ProbeOutcome | None = None
    #: Response headers of the start page, names lower-cased.
    start_headers: tuple[tuple[str, str], ...] = ()
    #: The start page declares a referrer policy in a <meta name="referrer">.
    referrer_meta: bool = False
    #: Why the probes stopped early ("" when they ran).
    error: str = ""

    def header(self, name: str) -> str | None:
        for key, value in self.start_headers:
            if key == name:
                return value
        return None

    @property
    def start_served(self) -> bool:
        """The start page answered 200: header checks can judge it."""
        return self.start is not None and self.start.ok

    @property
    def http_not_redirected(self) -> bool:
        """The site works over HTTPS, yet its http:// URL serves 200 without redirecting to
        https://."""
        https, http = self.https, self.http
        if https is None or http is None or not https.ok or not http.ok:
            return False
        secure_origin = origin_of(https.final_url)
        return not (http.final_url.startswith("https://")
                    or origin_of(http.final_url) == secure_origin)

    @property
    def counterpart_not_redirected(self) -> bool:
        """The www/non-www counterpart serves 200 itself instead of redirecting to the start
        page's host."""
        start, other = self.start, self.counterpart
        if start is None or other is None or not start.ok or not other.ok:
            return False
        return _netloc(other.final_url) != _netloc(start.final_url)

    @property
    def hsts_missing(self) -> bool:
        """The HTTPS start page sends no usable Strict-Transport-Security header
        (absent, or max-age=0, which tells browsers to forget HSTS)."""
        if not self.start_served or self.start is None \
                or not self.start.final_url.startswith("https://"):
            return False
        value = self.header("strict-transport-security")
        if value is None:
            return True
        for part in value.lower().split(";"):
            name, _, number = part.strip().partition("=")
            if name.strip() == "max-age":
                return number.strip().strip('"') in ("0", "")
        return True  # no max-age: the header is invalid and ignored by browsers

    def missing_security_headers(self) -> list[str]:
        """Security headers absent from the start page (empty when it was not served)."""
        if not self.start_served:
            return []
        missing = []
        if (self.header("x-content-type-options") or "").strip().lower() != "nosniff":
            missing.append("X-Content-Type-Options")
        if self.header("content-security-policy") is None and self.header("x-frame-options") is None:
            missing.append("Content-Security-Policy or X-Frame-Options")
        if self.header("referrer-policy") is None and not self.referrer_meta:
            missing.append("Referrer-Policy")
        return missing


def swap_scheme(url: str) -> str | None:
    """The same URL on the other scheme, or None when it has an explicit port."""
    scheme, _, rest = url.partition("://")
    if ":" in rest.split("/", 1)[0].rsplit("]", 1)[-1]:
        return None
    return ("http://" if scheme == "https" else "https://") + rest


def counterpart_host(host: str) -> str | None:
    """www.example.com <-> example.com; None for IP addresses, localhost, single labels and
    other subdomains."""
    host = host.strip("[]").lower()
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    if host == "localhost" or host.endswith(".localhost") or "." not in host:
        return None
    if host.startswith("www."):
        rest = host[4:]
        return rest if "." in rest and registrable_suffix(rest) == rest else None
    return "www." + host if registrable_suffix(host) == host else None


def swap_host(url: str, host: str) -> str:
    scheme, _, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    port = ""
    if not netloc.endswith("]") and ":" in netloc.rsplit("@", 1)[-1]:
        port = ":" + netloc.rsplit(":", 1)[1]
    return f"{scheme}://{host}{port}{slash}{path}"


def _mentions_referrer_meta(body: bytes | None) -> bool:
    if not body:
        return False
    head = body[:START_PAGE_BYTES].lower()
    end = head.find(_HEAD_END)
    if end >= 0:
        head = head[:end]
    return any(marker in head for marker in _REFERRER_META)


async def probe_variants(fetcher: Fetcher, start_url: str, *, http_url: str | None = None,
                         https_url: str | None = None,
                         counterpart_url: str | None = None) -> HostVariants:
    """Fetch the start page and its scheme and host variants. Never raises.

    The variant URLs are derived from the start page's final URL unless given (tests serve
    "http" and "https" from two plain-HTTP servers and name them here).
    """
    try:
        return await _probe(fetcher, start_url, http_url, https_url, counterpart_url)
    except Exception as exc:  # noqa: BLE001 - a probe must never fail the audit
        return HostVariants(error=f"probe failed: {type(exc).__name__}: {exc}"[:300])


async def _probe(fetcher: Fetcher, start_url: str, http_url: str | None, https_url: str | None,
                 counterpart_url: str | None) -> HostVariants:
    fetched = await fetcher.fetch(start_url, max_bytes=START_PAGE_BYTES, keep_prefix=True)
    start = ProbeOutcome.from_fetch(fetched)
    if not start.ok:
        return HostVariants(start=start, start_headers=fetched.headers,
                            error=f"start page answered {fetched.error or fetched.status}")
    final = start.final_url
    on_https = final.startswith("https://")
    other_scheme = (http_url if on_https else https_url) or swap_scheme(final)
    if counterpart_url is None:
        other_host = counterpart_host(host_of(final))
        counterpart_url = swap_host(final, other_host) if other_host else None
    other_scheme = _valid(other_scheme)
    counterpart_url = _valid(counterpart_url)

    async def probe(url: str | None) -> ProbeOutcome | None:
        if url is None:
            return None
        return ProbeOutcome.from_fetch(await fetcher.fetch(url, max_bytes=VARIANT_BYTES))

    scheme_probe, counterpart = await asyncio.gather(probe(other_scheme), probe(counterpart_url))
    http, https = (scheme_probe, start) if on_https else (start, scheme_probe)
    return HostVariants(start=start, http=http, https=https, counterpart=counterpart,
                        start_headers=fetched.headers,
                        referrer_meta=_mentions_referrer_meta(fetched.body))


def _netloc(url: str) -> str:
    return url.partition("://")[2].split("/", 1)[0].lower()


def _valid(url: str | None) -> str | None:
    if url is None:
        return None
    try:
        return normalize_url(url)
    except InvalidURL:
        return None
