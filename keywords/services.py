"""Keyword writes: tracked sites, keywords, groups, CSV import, re-audit schedules, events.

Rank tracking itself (SERP fetches, one check per keyword and day) is in keywords/tracking.py.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import structlog
from django.db import IntegrityError, transaction

from webhooks.services import event_emit

from .csvimport import CSV_MAX_ROWS, csv_header, csv_lines
from .exceptions import InvalidSite
from .models import Keyword, KeywordGroup, TrackedSite

log = structlog.get_logger(__name__)

REAUDIT_TASK = "keywords.reaudit_site"
CSV_COLUMNS = ("phrase", "country", "language", "device", "search_engine", "tags", "target_url",
               "group")


def site_host(url: str) -> str:
    """The site a URL belongs to: lower-case host without a leading "www."."""
    url = url.strip()
    if "://" not in url:
        url = f"https://{url}"
    if not url.lower().startswith(("http://", "https://")):
        raise InvalidSite("only http(s) sites can be tracked")
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError as exc:
        raise InvalidSite(f"invalid URL: {exc}") from exc
    if not host or ("." not in host and host != "localhost"):
        raise InvalidSite(f"{url!r} has no usable host name")
    return host.removeprefix("www.")


def url_is_on_site(url: str, host: str) -> bool:
    """True for the site's host, its www. form and its subdomains."""
    try:
        other = (urlsplit(url).hostname or "").rstrip(".").lower().removeprefix("www.")
    except ValueError:
        return False
    return other == host or other.endswith("." + host)


def site_create(*, owner: Any, url: str, name: str = "", reaudit: str = TrackedSite.Reaudit.NEVER
                ) -> TrackedSite:
    """Track a site (idempotent per owner and host: the existing site is returned)."""
    host = site_host(url)
    if "://" not in url:
        url = f"https://{url.strip()}/"
    site, _ = TrackedSite.objects.get_or_create(owner=owner, host=host,
                                                defaults={"url": url, "name": name})
    if reaudit != site.reaudit:
        site_set_reaudit(site=site, reaudit=reaudit)
    return site


def site_update(*, site: TrackedSite, name: str | None = None, reaudit: str | None = None
                ) -> TrackedSite:
    if name is not None:
        site.name = name
        site.save(update_fields=["name"])
    if reaudit is not None and reaudit != site.reaudit:
        site_set_reaudit(site=site, reaudit=reaudit)
    return site


def site_delete(*, site: TrackedSite) -> None:
    """Delete a site with its keywords, checks and re-audit schedule."""
    _reaudit_task_delete(site)
    site.delete()


def site_set_reaudit(*, site: TrackedSite, reaudit: str) -> TrackedSite:
    """Schedule (or stop) daily/weekly re-audits through Celery beat's database scheduler:
    one PeriodicTask per site, at a minute of the day derived from the site id so sites do
    not all start at once; staff can move it in the admin."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    site.reaudit = reaudit
    site.save(update_fields=["reaudit"])
    if reaudit == TrackedSite.Reaudit.NEVER:
        _reaudit_task_delete(site)
        return site
    slot = (site.pk * 37) % (24 * 60)
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=str(slot % 60), hour=str(slot // 60), day_of_month="*", month_of_year="*",
        day_of_week="*" if reaudit == TrackedSite.Reaudit.DAILY else str(site.pk % 7),
        timezone="UTC")
    PeriodicTask.objects.update_or_create(
        name=_reaudit_task_name(site),
        defaults={"task": REAUDIT_TASK, "crontab": crontab, "interval": None,
                  "args": json.dumps([site.pk]), "enabled": True})
    return site


def _reaudit_task_name(site: TrackedSite) -> str:
    return f"keywords.reaudit_site:{site.pk}"


def _reaudit_task_delete(site: TrackedSite) -> None:
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.filter(name=_reaudit_task_name(site)).delete()


def site_reaudit(*, site_id: int) -> Any:
    """Start the scheduled re-audit of a site (audits.services.audit_submit: one active audit
    per owner and URL, the SSRF rules of the API). None when the site is gone or unscheduled."""
    from audits.services import audit_submit

    site = TrackedSite.objects.filter(pk=site_id).select_related("owner").first()
    if site is None or site.reaudit == TrackedSite.Reaudit.NEVER:
        return None
    audit, created = audit_submit(owner=site.owner, url=site.url)
    log.info("keywords.reaudit", site=site.host, audit_id=str(audit.pk), created=created)
    return audit


def group_create(*, site: TrackedSite, name: str) -> KeywordGroup:
    group, _ = KeywordGroup.objects.get_or_create(site=site, name=name.strip()[:200])
    return group


def keyword_create(*, site: TrackedSite, phrase: str, country: str = "", language: str = "",
                   device: str = Keyword.Device.DESKTOP, search_engine: str = "google",
                   tags: list[str] | None = None, target_url: str = "",
                   group: KeywordGroup | None = None) -> tuple[Keyword, bool]:
    """Track a phrase for a site: (keyword, created). The same phrase, engine, country,
    language and device is one keyword (returned, not duplicated)."""
    phrase = " ".join(phrase.split()).lower()
    keyword, created = Keyword.objects.get_or_create(
        site=site, phrase=phrase, search_engine=search_engine or "google",
        country=(country or "").lower(), language=(language or "").lower(),
        device=device or Keyword.Device.DESKTOP,
        defaults={"tags": list(tags or []), "target_url": target_url, "group": group})
    return keyword, created


def keyword_update(*, keyword: Keyword, **fields: Any) -> Keyword:
    allowed = {"tags", "target_url", "group", "active"}
    changed = [name for name in fields if name in allowed]
    for name in changed:
        setattr(keyword, name, fields[name])
    if changed:
        keyword.save(update_fields=changed)
    return keyword


def keyword_delete(*, keyword: Keyword) -> None:
    keyword.delete()


def keyword_import_csv(*, site: TrackedSite, text: str) -> dict[str, Any]:
    """Import keywords from CSV with a header row (phrase required; country, language,
    device, search_engine, tags separated by "|", target_url, group optional).

    Good rows are imported, bad rows are reported one by one with their line number and
    reasons; a row equal to an existing keyword counts as `existing`, not as an error.
    """
    reader, unknown = csv_header(text, columns=CSV_COLUMNS, required="phrase")
    created = existing = 0
    errors: list[dict[str, Any]] = []
    groups: dict[str, KeywordGroup] = {}
    for record in csv_lines(reader, max_rows=CSV_MAX_ROWS):
        line, row = record.line, record.values
        if record.errors:
            errors.append({"line": line, "errors": record.errors})
            continue
        row["tags"] = [t.strip() for t in row.get("tags", "").split("|") if t.strip()]
        data, row_errors = keyword_row_validate(row)
        if row_errors:
            errors.append({"line": line, "errors": row_errors})
            continue
        group_name = data.pop("group", "")
        if group_name:
            data["group"] = groups.get(group_name) or groups.setdefault(
                group_name, group_create(site=site, name=group_name))
        try:
            with transaction.atomic():
                _, was_created = keyword_create(site=site, **data)
        except IntegrityError as exc:
            errors.append({"line": line, "errors": {"row": [f"could not be stored: {exc}"]}})
            continue
        created += was_created
        existing += not was_created
    return {"created": created, "existing": existing, "errors": errors,
            "ignored_columns": unknown}


def keyword_row_validate(row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(clean fields, errors by field) for one keyword given as strings (CSV row, API body)."""
    errors: dict[str, list[str]] = {}
    phrase = " ".join(str(row.get("phrase") or "").split())
    if not phrase:
        errors["phrase"] = ["required"]
    elif len(phrase) > 300:
        errors["phrase"] = ["at most 300 characters"]
    country = str(row.get("country") or "").lower()
    if country and not (len(country) == 2 and country.isalpha() and country.isascii()):
        errors["country"] = [f"{country!r} is not a two-letter country code"]
    language = str(row.get("language") or "").lower()
    if language and not (2 <= len(language) <= 3 and language.isalpha() and language.isascii()):
        errors["language"] = [f"{language!r} is not a two- or three-letter language code"]
    device = str(row.get("device") or Keyword.Device.DESKTOP).lower()
    if device not in Keyword.Device.values:
        errors["device"] = [f"{device!r} is not one of {', '.join(Keyword.Device.values)}"]
    engine = str(row.get("search_engine") or "google").lower()
    if not engine.isascii() or not engine.replace("_", "").isalnum() or len(engine) > 20:
        errors["search_engine"] = [f"{engine!r} is not a search engine name"]
    target_url = str(row.get("target_url") or "")
    if target_url and (not target_url.startswith(("http://", "https://")) or len(target_url) > 2048):
        errors["target_url"] = ["must be an http(s) URL of at most 2048 characters"]
    tags = row.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and len(t) <= 50 for t in tags):
        errors["tags"] = ["a list of tags of at most 50 characters"]
    group = str(row.get("group") or "").strip()
    if any("\x00" in str(v) for v in (phrase, target_url, group)):
        errors["row"] = ["NUL characters are not allowed"]
    clean = {"phrase": phrase, "country": country, "language": language, "device": device,
             "search_engine": engine, "tags": tags, "target_url": target_url, "group": group[:200]}
    return clean, errors


def _emit(*, owner: Any, type: str, data: dict[str, Any]) -> bool:
    """Send a webhook event (`webhooks.services.event_emit`); True when an endpoint wants it."""
    return event_emit(owner=owner, type=type, data=data) is not None
