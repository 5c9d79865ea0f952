"""All checks. Importing this package fills `registry.REGISTRY`."""

from . import (  # noqa: F401 - imported for their @page_check/@site_check registrations
    content,
    crawlability,
    geo_access,
    geo_llms,
    geo_render,
    html,
    https,
    images,
    indexability,
    international,
    links,
    mobile,
    on_page,
    performance,
    resources,
    robots,
    site,
    sitemaps,
    structured_data,
    url_hygiene,
)
