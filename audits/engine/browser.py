"""Headless Chromium for the render sample (render.py) and the page-speed lab (lab.py): where
the executable is, whether it can run, starting it behind the dead proxy (render_network
.CHROMIUM_ARGS: every request must go through the guarded gateway), navigating a tab."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import Any

import structlog

from .render_network import CHROMIUM_ARGS

log = structlog.get_logger(__name__)

#: Where Chromium is looked for unless SEOAUDIT_CHROMIUM says otherwise (Debian's package).
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ENV = "SEOAUDIT_CHROMIUM"
LAUNCH_TIMEOUT_S = 20.0


def chromium_path() -> str:
    """The Chromium executable: SEOAUDIT_CHROMIUM, else Debian's /usr/bin/chromium."""
    return os.environ.get(CHROMIUM_ENV, "").strip() or DEFAULT_CHROMIUM


def browser_missing(executable: str | None = None) -> str:
    """Why headless Chromium cannot run here ("" when Playwright and the executable are
    there): the reason says how to enable it."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    return _missing_executable(executable or chromium_path())


async def launch_browser(stack: contextlib.AsyncExitStack,
                         executable: str | None = None) -> tuple[Any, str]:
    """Start Chromium behind the dead proxy (render_network.CHROMIUM_ARGS), closed when
    `stack` unwinds: (browser, "") or (None, why it failed). Check `browser_missing` first."""
    from playwright.async_api import async_playwright

    try:
        playwright = await stack.enter_async_context(async_playwright())
        browser = await playwright.chromium.launch(
            executable_path=executable or chromium_path(), timeout=LAUNCH_TIMEOUT_S * 1000,
            args=list(CHROMIUM_ARGS))
    except Exception as exc:  # noqa: BLE001 - report, do not fail the audit
        log.warning("render.launch_failed", error=repr(exc)[:300])
        return None, f"Chromium failed to start: {first_line(exc)}"
    stack.push_async_callback(_close_browser, browser)
    return browser, ""


async def _close_browser(browser: Any) -> None:
    try:
        await asyncio.wait_for(browser.close(), 10)
    except Exception as exc:  # noqa: BLE001
        log.warning("render.close_failed", error=repr(exc)[:200])


def _missing_executable(executable: str) -> str:
    """Why `executable` cannot be launched ("" when it looks runnable); a cheap stat."""
    if not Path(executable).is_file() or not os.access(executable, os.X_OK):
        return (f"Chromium not found at {executable} (install the chromium package or set "
                f"{CHROMIUM_ENV} to its path)")
    return ""


async def navigate(page: Any, url: str, *, wait_until: str, timeout_ms: float,
                   when: str) -> None:
    """Open `url` in `page` and require a 200 answer; RuntimeError with a short reason
    ("timeout: ...", "HTTP 404 when <when>")."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        response = await page.goto(url, wait_until=wait_until, timeout=timeout_ms)
    except PlaywrightTimeout as exc:
        raise RuntimeError("timeout: the page did not finish loading in time") from exc
    if response is None or response.status != 200:
        status = response.status if response is not None else "no response"
        raise RuntimeError(f"HTTP {status} when {when}")


def first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
