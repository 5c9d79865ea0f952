"""Keyword reads for the API, the admin and the CLI. Everything starts from the caller's
own sites, so another user's site, keyword or check does not exist for the caller (404)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from .models import Keyword, KeywordGroup, RankCheck, TrackedSite


def site_match(values: list[str], *, field: str = "site") -> Q:
    """Objects of the tracked sites named by id or host ("www." ignored): the --site
    argument of the tracking commands."""
    query = Q()
    for value in values:
        query |= Q(**{f"{field}_id": int(value)}) if value.isdigit() else Q(
            **{f"{field}__host": value.lower().removeprefix("www.")})
    return query


def site_list_for_user(*, user: Any) -> QuerySet[TrackedSite]:
    return TrackedSite.objects.filter(owner=user)


def site_get_for_user(*, user: Any, site_id: Any) -> TrackedSite:
    """TrackedSite.DoesNotExist (-> 404) for another user's site."""
    return TrackedSite.objects.get(owner=user, pk=site_id)


def group_list_for_user(*, user: Any) -> QuerySet[KeywordGroup]:
    return KeywordGroup.objects.filter(site__owner=user)


def keyword_list_for_user(*, user: Any) -> QuerySet[Keyword]:
    return Keyword.objects.filter(site__owner=user).select_related("site", "group")


def check_list_for_user(*, user: Any) -> QuerySet[RankCheck]:
    return RankCheck.objects.filter(keyword__site__owner=user).select_related("keyword")


def keyword_history(*, keyword: Keyword, since: date | None = None) -> QuerySet[RankCheck]:
    """The keyword's checks, oldest first (a position chart)."""
    checks = RankCheck.objects.filter(keyword=keyword)
    if since is not None:
        checks = checks.filter(checked_on__gte=since)
    return checks.order_by("checked_on")


def site_latest_positions(*, site: TrackedSite) -> list[dict[str, Any]]:
    """Every keyword of the site with its latest check (position None: not in the top N or
    not checked yet)."""
    from .analytics import latest_checks

    keywords = site.keywords.select_related("group").order_by("phrase")
    latest = latest_checks(keywords)
    rows = []
    for keyword in keywords:
        check = latest.get(keyword.pk)
        rows.append({"keyword_id": keyword.pk, "phrase": keyword.phrase,
                     "country": keyword.country, "language": keyword.language,
                     "device": keyword.device, "group": keyword.group.name if keyword.group else None,
                     "checked_on": check.checked_on if check else None,
                     "position": check.position if check else None,
                     "depth": check.depth if check else None,
                     "ranking_url": check.ranking_url if check else "",
                     "serp_features": check.serp_features if check else []})
    return rows


def site_latest_audit(*, site: TrackedSite) -> Any:
    """The site's newest completed audit by its owner (audits' site notion: the host)."""
    from audits.models import Audit
    from audits.selectors import audit_filter_by_site

    audits = Audit.objects.filter(owner=site.owner, status=Audit.Status.COMPLETED)
    latest = None
    for host in (site.host, f"www.{site.host}"):
        audit = audit_filter_by_site(audits, host=host).order_by("-created_at").first()
        if audit and (latest is None or audit.created_at > latest.created_at):
            latest = audit
    return latest
