"""What went wrong with a fetch, in words: aiohttp/OS exceptions to our error codes.

The codes are the `FetchResult.error` vocabulary (see types.py); the details are sentences an
operator can act on, because aiohttp's own messages ("Cannot connect to host x:80 ssl:default
[None]") hide the cause, e.g. an SSRF refusal raised inside the resolver.
"""

from __future__ import annotations

import email.utils
import errno
from datetime import UTC, datetime

import aiohttp

from .netguard import BlockedAddress, refusal_message
from .types import CrawlOptions


class FetchError(Exception):
    """One attempt or redirect hop failed: a machine code, a human detail, retry or not."""

    def __init__(self, code: str, detail: str, *, retryable: bool = False) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.retryable = retryable


def classify_error(exc: BaseException, url: str, options: CrawlOptions) -> FetchError:
    """Map an aiohttp/OS exception to our error code and a sentence an operator understands."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        if isinstance(exc.os_error, BlockedAddress):
            return FetchError("ssrf_blocked", refusal_message(url, exc.os_error))
        return FetchError("dns", f"cannot resolve {exc.host}: {_os_text(exc.os_error)}")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        cert_error = exc.certificate_error
        reason = getattr(cert_error, "verify_message", None) or cert_error
        return FetchError("tls", f"TLS certificate of {exc.host} not accepted: {reason}")
    if isinstance(exc, aiohttp.ClientSSLError):
        return FetchError("tls", f"TLS handshake with {exc.host} failed: {_os_text(exc.os_error)}")
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return FetchError("timeout", f"no connection to {url} within {options.connect_timeout:g}s")
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return FetchError("timeout", f"{url} sent nothing for {options.read_timeout:g}s")
    if isinstance(exc, TimeoutError):
        return FetchError("timeout", f"{url} did not complete within {options.total_timeout:g}s")
    if isinstance(exc, aiohttp.ClientConnectorError):
        if exc.os_error.errno == errno.ECONNREFUSED or isinstance(exc.os_error, ConnectionRefusedError):
            return FetchError("connection_refused", f"{exc.host}:{exc.port} refused the connection")
        return FetchError("connection_error",
                           f"cannot connect to {exc.host}:{exc.port}: {_os_text(exc.os_error)}")
    if isinstance(exc, aiohttp.InvalidURL):
        return FetchError("invalid_url", f"invalid URL {url}: {exc}")
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError
                  | aiohttp.ClientOSError | ConnectionError):
        return FetchError("connection_error", f"connection to {url} broke: {exc}", retryable=True)
    if isinstance(exc, aiohttp.ClientResponseError):
        return FetchError("connection_error", f"invalid HTTP response from {url}: {exc.message}")
    return FetchError("connection_error", f"{url}: {type(exc).__name__}: {exc}")


def _os_text(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__


def parse_retry_after(value: str) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None if unreadable."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
