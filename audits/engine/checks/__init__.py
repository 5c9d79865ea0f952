"""All checks. Importing this package fills `registry.REGISTRY`."""

from . import (  # noqa: F401 - imported for their @page_check/@site_check registrations
    crawlability,
    https,
    images,
    indexability,
    international,
    links,
    mobile,
    on_page,
    performance,
    site,
    structured_data,
)
