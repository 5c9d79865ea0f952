"""SERP providers selected by settings (SERP_PROVIDER); see docs/keywords.md."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from django.conf import settings

from .base import (
    AuthenticationFailed,
    ProviderConfig,
    ProviderNotConfigured,
    QuotaExceeded,
    RateLimited,
    Serp,
    SerpError,
    SerpProvider,
    SerpQuery,
    SerpResult,
)
from .clients import PROVIDERS

__all__ = ["PROVIDERS", "AuthenticationFailed", "ProviderConfig", "ProviderNotConfigured",
           "QuotaExceeded", "RateLimited", "Serp", "SerpError", "SerpProvider", "SerpQuery",
           "SerpResult", "provider_from_settings", "provider_status", "serp_fetch_many"]

NOT_CONFIGURED = ("No SERP provider is configured: set SERP_PROVIDER to searxng, serpapi, serper "
                  "or brave, with SERP_SEARXNG_URL or that provider's API key (docs/keywords.md).")

_SETTINGS = {  # provider -> (base URL setting, key setting or None)
    "searxng": ("SERP_SEARXNG_URL", None),
    "serpapi": ("SERP_SERPAPI_URL", "SERP_SERPAPI_KEY"),
    "serper": ("SERP_SERPER_URL", "SERP_SERPER_KEY"),
    "brave": ("SERP_BRAVE_URL", "SERP_BRAVE_KEY"),
}


def provider_status() -> tuple[bool, str]:
    """(configured, message) for the API, the admin and the CLI."""
    try:
        provider = provider_from_settings()
    except ProviderNotConfigured as exc:
        return False, str(exc)
    return True, f"SERP provider: {provider.name} ({provider.config.base_url})"


def provider_from_settings() -> SerpProvider:
    """The configured provider client; ProviderNotConfigured with a clear message otherwise."""
    name = (settings.SERP_PROVIDER or "").strip().lower()
    if not name:
        raise ProviderNotConfigured(NOT_CONFIGURED)
    if name not in PROVIDERS:
        raise ProviderNotConfigured(f"SERP_PROVIDER={name!r} is unknown; {NOT_CONFIGURED}")
    url_setting, key_setting = _SETTINGS[name]
    base_url = getattr(settings, url_setting)
    key = getattr(settings, key_setting) if key_setting else ""
    if not base_url:
        raise ProviderNotConfigured(f"SERP_PROVIDER={name} needs {url_setting}.")
    if key_setting and not key:
        raise ProviderNotConfigured(f"SERP_PROVIDER={name} needs {key_setting}.")
    return PROVIDERS[name](ProviderConfig(
        base_url=base_url, api_key=key, timeout_s=settings.SERP_TIMEOUT_S,
        max_retries=settings.SERP_MAX_RETRIES, max_retry_wait_s=settings.SERP_MAX_RETRY_WAIT_S,
        allow_private=settings.SERP_ALLOW_PRIVATE_NETWORKS))


def serp_fetch_many(provider: SerpProvider, queries: Sequence[SerpQuery], *, depth: int,
                    concurrency: int) -> list[Serp | SerpError]:
    """Search every query with at most `concurrency` requests in flight; each item is the SERP
    or the SerpError that query ended with (one failure does not stop the others)."""

    async def run() -> list[Serp | SerpError]:
        limit = asyncio.Semaphore(max(1, concurrency))
        async with provider.session() as http:
            async def one(query: SerpQuery) -> Serp | SerpError:
                async with limit:
                    try:
                        return await provider.search(http, query, depth=depth)
                    except SerpError as exc:
                        return exc
            return list(await asyncio.gather(*(one(q) for q in queries)))

    return asyncio.run(run())
