"""The SERP provider interface, the one SERP model every client maps to, and the guarded
HTTP helper (SSRF guard, 429/503 backoff honouring Retry-After, quota errors).

Pure Python + aiohttp, no Django: settings arrive as a `ProviderConfig`.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from audits.engine.netguard import AddressGuard, BlockedAddress, GuardedResolver


class SerpError(Exception):
    """A search could not be done; `retryable` errors may succeed on a later run."""

    code = "serp_error"
    retryable = True


class ProviderNotConfigured(SerpError):
    code = "serp_provider_not_configured"
    retryable = False


class QuotaExceeded(SerpError):
    """The account's searches or credits are used up: no point retrying today."""

    code = "serp_quota_exceeded"
    retryable = False


class AuthenticationFailed(SerpError):
    code = "serp_auth_failed"
    retryable = False


class RateLimited(SerpError):
    """429/503 still answered after the allowed retries (or Retry-After too long)."""

    code = "serp_rate_limited"


@dataclass(frozen=True, slots=True)
class SerpQuery:
    phrase: str
    country: str = ""
    language: str = ""
    device: str = "desktop"
    search_engine: str = "google"


@dataclass(frozen=True, slots=True)
class SerpResult:
    position: int
    url: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Serp:
    """Organic results in rank order (positions 1..n), related searches, SERP features."""

    query: SerpQuery
    provider: str
    depth: int
    results: tuple[SerpResult, ...]
    related: tuple[str, ...] = ()
    features: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SerpPage:
    """One provider response mapped: its organic (url, title) rows in order."""

    organic: list[tuple[str, str]]
    related: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    has_more: bool = True


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    base_url: str
    api_key: str = ""
    timeout_s: float = 30.0
    max_retries: int = 3
    max_retry_wait_s: float = 60.0
    allow_private: bool = False


def retry_after_seconds(value: str | None, *, default: float) -> float:
    """Retry-After as seconds: delta-seconds or an HTTP date; `default` when absent/odd."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


class SerpProvider(ABC):
    """A SERP API client. Subclasses build one request per page and map one response."""

    name: str = ""
    #: Organic results one request returns at most.
    page_size: int = 10
    #: Pages the API lets us reach at most (None = no limit of its own).
    max_pages: int | None = None

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        self.guard = AddressGuard(allow_private=config.allow_private)

    @abstractmethod
    def request(self, query: SerpQuery, page: int) -> tuple[str, str, dict[str, Any], dict[str, str], Any]:
        """(method, url, query params, headers, json body or None) for 0-based `page`."""

    @abstractmethod
    def parse(self, status: int, payload: Any) -> SerpPage:
        """Map one response (or raise a SerpError for an error answer)."""

    def session(self) -> aiohttp.ClientSession:
        """An HTTP session whose connections go only where the SSRF guard allows."""
        connector = aiohttp.TCPConnector(resolver=GuardedResolver(self.guard), limit=0,
                                         ttl_dns_cache=300)
        timeout = aiohttp.ClientTimeout(total=self.config.timeout_s)
        return aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     headers={"User-Agent": "seoaudit-rank-tracker"})

    async def search(self, http: aiohttp.ClientSession, query: SerpQuery, *, depth: int) -> Serp:
        """Organic results to `depth`, page after page, numbered 1..n in rank order."""
        results: list[SerpResult] = []
        related: list[str] = []
        features: list[str] = []
        seen: set[str] = set()
        page = 0
        while len(results) < depth and (self.max_pages is None or page < self.max_pages):
            mapped = await self._fetch(http, query, page)
            if page == 0:
                related, features = mapped.related, mapped.features
            for url, title in mapped.organic:
                if url in seen:  # some engines repeat a result on the next page
                    continue
                seen.add(url)
                results.append(SerpResult(position=len(results) + 1, url=url, title=title))
                if len(results) >= depth:
                    break
            if not mapped.organic or not mapped.has_more:
                break
            page += 1
        return Serp(query=query, provider=self.name, depth=depth, results=tuple(results),
                    related=tuple(dict.fromkeys(related)), features=tuple(dict.fromkeys(features)))

    async def _fetch(self, http: aiohttp.ClientSession, query: SerpQuery, page: int) -> SerpPage:
        method, url, params, headers, body = self.request(query, page)
        parts = urlsplit(url)
        try:
            self.guard.check_target(parts.hostname or "", parts.port)
        except BlockedAddress as exc:
            raise SerpError(f"{self.name}: refused to contact {parts.hostname}: {exc} "
                            "(set SERP_ALLOW_PRIVATE_NETWORKS for a self-hosted provider)") from exc
        attempt = 0
        while True:
            try:
                async with http.request(method, url, params=params, headers=headers, json=body,
                                        allow_redirects=False) as response:
                    status = response.status
                    retry_after = response.headers.get("Retry-After")
                    try:
                        payload = await response.json(content_type=None)
                    except ValueError:
                        payload = None
            except aiohttp.ClientConnectorError as exc:
                if isinstance(getattr(exc, "os_error", None), BlockedAddress):
                    raise SerpError(f"{self.name}: {exc.os_error} (set SERP_ALLOW_PRIVATE_NETWORKS "
                                    "for a self-hosted provider)") from exc
                raise SerpError(f"{self.name}: cannot connect: {exc}") from exc
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise SerpError(f"{self.name}: request failed: {exc!r}") from exc
            if status in (429, 503) and not self.is_quota_error(status, payload):
                wait = retry_after_seconds(retry_after, default=min(2.0 ** attempt, 30.0))
                if attempt >= self.config.max_retries or wait > self.config.max_retry_wait_s:
                    raise RateLimited(f"{self.name}: rate limited (HTTP {status}) after "
                                      f"{attempt + 1} attempts")
                attempt += 1
                await asyncio.sleep(wait)
                continue
            return self.parse(status, payload)

    def is_quota_error(self, status: int, payload: Any) -> bool:
        """True when a 429 means 'out of searches' rather than 'slow down'."""
        return False

    @staticmethod
    def error_text(payload: Any) -> str:
        if isinstance(payload, Mapping):
            for key in ("error", "message", "detail"):
                value = payload.get(key)
                if isinstance(value, str):
                    return value
                if isinstance(value, Mapping):
                    return str(value.get("detail") or value.get("message") or value.get("code") or value)
        return ""

    def raise_for_status(self, status: int, payload: Any) -> None:
        """Generic mapping of an error answer to our exceptions."""
        if status < 400 and not (isinstance(payload, Mapping) and isinstance(payload.get("error"), str)):
            return
        text = self.error_text(payload) or f"HTTP {status}"
        if status in (401, 403):
            raise AuthenticationFailed(f"{self.name}: {text}")
        if status in (402, 429) or self.is_quota_error(status, payload):
            raise QuotaExceeded(f"{self.name}: {text}")
        raise SerpError(f"{self.name}: {text}")
