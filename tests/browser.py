"""Is headless Chromium usable for the tests? (Playwright + /usr/bin/chromium or
SEOAUDIT_CHROMIUM; scripts/test.sh installs the Debian package.) Without it browser tests are
skipped locally and fail under CI=true."""

from __future__ import annotations

import os

from audits.engine.browser import browser_missing

#: Why the browser cannot be used ("" when it can).
MISSING = browser_missing()
if MISSING and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests need Chromium under CI: {MISSING} "
                       "(scripts/test.sh installs the chromium package)")


def page_errors(page) -> list[str]:
    """A list that fills with the page's console errors and uncaught exceptions."""
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems
