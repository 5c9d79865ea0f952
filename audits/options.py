"""Audit options: what a user may set, validated, and turned into engine `CrawlOptions`."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

from .engine.types import CrawlOptions
from .exceptions import InvalidAuditOptions

_INT_OPTIONS = {"max_pages": (1, None), "max_depth": (0, 1000), "concurrency": (1, 64),
                "max_resource_checks": (0, 10_000), "js_render_sample": (0, 100),
                "pagespeed_sample": (0, 50)}
_FLOAT_OPTIONS = {"crawl_delay": (0.0, 60.0), "timeout": (1.0, 120.0),
                  "resource_budget_s": (1.0, 600.0)}
_BOOL_OPTIONS = ("ignore_robots", "include_subdomains", "use_sitemaps", "allow_private",
                 "check_resources", "check_external_links", "geo_live_check", "geo")
_LIST_OPTIONS = ("include", "exclude")
ALLOWED_OPTIONS = frozenset({*_INT_OPTIONS, *_FLOAT_OPTIONS, *_BOOL_OPTIONS, *_LIST_OPTIONS,
                             "user_agent", "parse_workers"})


def clean_audit_options(options: dict[str, Any] | None) -> dict[str, Any]:
    """Validate user-supplied options; raise InvalidAuditOptions naming the bad key."""
    options = dict(options or {})
    unknown = set(options) - ALLOWED_OPTIONS
    if unknown:
        raise InvalidAuditOptions(f"unknown option(s): {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {}
    limits = dict(_INT_OPTIONS, max_pages=(1, settings.SEOAUDIT_MAX_PAGES_LIMIT))
    for key, (low, high) in limits.items():
        if key in options:
            value = options[key]
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidAuditOptions(f"{key} must be an integer")
            if value < low or (high is not None and value > high):
                raise InvalidAuditOptions(f"{key} must be between {low} and {high}")
            cleaned[key] = value
    for key, (low, high) in _FLOAT_OPTIONS.items():
        if key in options:
            value = options[key]
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not low <= value <= high:
                raise InvalidAuditOptions(f"{key} must be a number between {low} and {high}")
            cleaned[key] = float(value)
    for key in _BOOL_OPTIONS:
        if key in options:
            if not isinstance(options[key], bool):
                raise InvalidAuditOptions(f"{key} must be true or false")
            cleaned[key] = options[key]
    for key in _LIST_OPTIONS:
        if key in options:
            patterns = options[key]
            if not isinstance(patterns, list) or len(patterns) > 50 or not all(
                    isinstance(p, str) and len(p) <= 500 for p in patterns):
                raise InvalidAuditOptions(f"{key} must be a list of at most 50 patterns")
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise InvalidAuditOptions(f"{key}: invalid pattern {pattern!r}: {exc}") from exc
            cleaned[key] = patterns
    if "user_agent" in options:
        ua = options["user_agent"]
        if not isinstance(ua, str) or not 0 < len(ua) <= 300 or any(c in ua for c in "\r\n"):
            raise InvalidAuditOptions("user_agent must be one line of at most 300 characters")
        cleaned["user_agent"] = ua
    if "parse_workers" in options:
        workers = options["parse_workers"]
        if isinstance(workers, bool) or not isinstance(workers, int) or not 0 <= workers <= 8:
            raise InvalidAuditOptions("parse_workers must be an integer between 0 and 8")
        cleaned["parse_workers"] = workers
    return cleaned


def crawl_options_for(url: str, options: dict[str, Any]) -> CrawlOptions:
    """Engine options for an audit. Private networks are reachable only when the deployment
    allows it (setting) or a trusted caller (the CLI) asked for it."""
    kwargs: dict[str, Any] = {
        "start_url": url,
        "max_pages": options.get("max_pages", settings.SEOAUDIT_DEFAULT_MAX_PAGES),
        "respect_robots": not options.get("ignore_robots", False),
        "include_subdomains": options.get("include_subdomains", False),
        "use_sitemaps": options.get("use_sitemaps", True),
        "allow_private": bool(settings.SEOAUDIT_ALLOW_PRIVATE_NETWORKS
                              or options.get("allow_private", False)),
        "include_patterns": tuple(options.get("include", ())),
        "exclude_patterns": tuple(options.get("exclude", ())),
        "crawl_delay": options.get("crawl_delay", 0.0),
        "parse_workers": options.get("parse_workers", settings.SEOAUDIT_PARSE_WORKERS),
        # Headless-Chromium sample after the crawl (engine/render.py).
        "js_render_sample": options.get("js_render_sample", settings.SEOAUDIT_JS_RENDER_SAMPLE),
        # Page-speed lab after the crawl (engine/lab.py).
        "pagespeed_sample": options.get("pagespeed_sample", settings.SEOAUDIT_PAGESPEED_SAMPLE),
    }
    if "max_depth" in options:
        kwargs["max_depth"] = options["max_depth"]
    # After-crawl checks of images, CSS/JS and external links (engine/resources.py).
    for key in ("check_resources", "check_external_links", "max_resource_checks",
                "resource_budget_s", "geo_live_check", "geo"):
        if key in options:
            kwargs[key] = options[key]
    if "concurrency" in options:
        kwargs["per_host_concurrency"] = options["concurrency"]
        kwargs["global_concurrency"] = max(options["concurrency"], 8)
    if "timeout" in options:
        kwargs["total_timeout"] = options["timeout"]
        kwargs["read_timeout"] = min(20.0, options["timeout"])
        kwargs["connect_timeout"] = min(10.0, options["timeout"])
    user_agent = options.get("user_agent") or settings.SEOAUDIT_USER_AGENT
    if user_agent:
        kwargs["user_agent"] = user_agent
    return CrawlOptions(**kwargs)
