"""Audits for the report tests: the defect fixture site crawled for real through the audit
services (the same path as the API and the CLI)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from audits import services
from audits.models import Audit
from tests.engine.test_defect_site import _manifest, _routes
from tests.sites import Route, serve

#: Keep the crawl quick: the defect site answers some pages slowly on purpose.
AUDIT_OPTIONS = {"max_pages": 500, "timeout": 2.0, "js_render_sample": 0, "pagespeed_sample": 0}


@contextmanager
def defect_site(overrides: dict[str, Route | None] | None = None
                ) -> Iterator[tuple[str, Callable[[dict[str, Route | None]], None]]]:
    """Serve the defect fixture site; yields (base URL, change) where `change({path: Route or
    None})` replaces or removes pages while the server keeps its address."""
    manifest = _manifest()
    holder = [""]
    lookup = _routes(manifest, holder)
    changed: dict[str, Route | None] = dict(overrides or {})

    def route(path: str) -> Route | None:
        if path in changed:
            return changed[path]
        return lookup(path)

    with serve(route) as base:
        holder[0] = base
        yield base, changed.update


def audit_site(*, owner, base: str) -> Audit:
    audit = services.audit_create(owner=owner, url=base + "/", options=AUDIT_OPTIONS,
                                  enqueue=False)
    audit = services.audit_run(audit_id=audit.pk)
    assert audit.status == Audit.Status.COMPLETED, audit.error
    return audit
