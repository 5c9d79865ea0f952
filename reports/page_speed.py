"""The page-speed section of reports and progress pages, read from `pagespeed.Measurement`.

One query: the latest measurement per URL, form factor and source of the audit (a window
function), capped at `max_pages` pages. Ratings come from the measurement's own
`details["ratings"]` when the lab wrote them, otherwise from `pagespeed.thresholds.rate` (the
one place that knows the Core Web Vitals bounds). `details` is free-form JSON written by
another component, so every key is read defensively: a missing or malformed value shows as
"–", never as an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audits.models import Audit
from pagespeed.models import Measurement
from pagespeed.thresholds import LABELS, rate

#: Metrics in the table, in Lighthouse's order of appearance.
METRICS = ("lcp_ms", "cls", "tbt_ms", "fcp_ms", "ttfb_ms")
#: Short column headings (the long names are in LABELS).
SHORT_LABELS = {"lcp_ms": "LCP", "cls": "CLS", "tbt_ms": "TBT", "fcp_ms": "FCP",
                "ttfb_ms": "TTFB", "inp_ms": "INP"}
RATINGS = ("good", "needs-improvement", "poor")
#: PageSpeed Insights' field-data categories, in our rating words.
PSI_CATEGORIES = {"FAST": "good", "AVERAGE": "needs-improvement", "SLOW": "poor"}
#: Pages listed in a report (the JSON export has them all).
MAX_PAGES = 25
#: Render-blocking resources and unused large images listed per measurement.
MAX_RESOURCES = 5
#: Pages whose render-blocking resources and oversized images are listed (one run per page:
#: the first with lists, mobile first; the resources rarely differ between form factors).
DETAIL_PAGES = 10
#: Resource types listed in the page-weight breakdown, largest first.
MAX_WEIGHT_TYPES = 6
FORM_FACTOR_ORDER = {"mobile": 0, "desktop": 1}
#: Where the audit summary may hold the lab step's {"status", "reason", "pages"}.
SUMMARY_KEYS = ("pagespeed", "lab")
# pagespeed.thresholds.LABELS is the English source of the metric names; marked here so that
# makemessages puts them in the catalog for `_(LABELS[key])` (a test checks they match).
TRANSLATED_LABELS = (gettext_noop("Largest Contentful Paint"), gettext_noop("Cumulative Layout Shift"),
                     gettext_noop("Interaction to Next Paint"), gettext_noop("Total Blocking Time"),
                     gettext_noop("First Contentful Paint"), gettext_noop("Time to First Byte"))


@dataclass(frozen=True, slots=True)
class MetricValue:
    key: str
    label: str
    value: float | None
    #: Formatted for people in the active language ("2.4 s", "0.08", "–").
    display: str
    #: "good", "needs-improvement", "poor" or None (not measured).
    rating: str | None


@dataclass(frozen=True, slots=True)
class Resource:
    url: str
    type: str
    size: str
    #: How long it held the first paint back ("320 ms"; empty when not measured).
    delay: str = ""


@dataclass(frozen=True, slots=True)
class UnusedImage:
    """A large image that shows far fewer pixels than it carries, or none at load."""

    url: str
    size: str
    displayed: str
    natural: str
    #: Not on screen at load (the lab's reason "offscreen"); else shown smaller than its size.
    offscreen: bool = False


@dataclass(frozen=True, slots=True)
class SpeedResult:
    """One measurement: a URL in one form factor from one source."""

    form_factor: str
    form_factor_label: str
    source: str
    source_label: str
    status: str
    #: Why it failed or was skipped (empty when done).
    error: str
    metrics: tuple[MetricValue, ...]
    score: int | None
    page_weight: str
    request_count: int | None
    weight_by_type: tuple[tuple[str, str], ...]
    render_blocking: tuple[Resource, ...]
    render_blocking_total: int
    unused_images: tuple[UnusedImage, ...]
    unused_images_total: int
    #: PageSpeed Insights field data (Chrome UX Report, 75th percentile), when present.
    field: tuple[MetricValue, ...]
    #: "page", or "origin" when Google had only whole-site field data for the URL.
    field_scope: str = ""

    @property
    def done(self) -> bool:
        return self.status == Measurement.Status.DONE

    def metric(self, key: str) -> MetricValue | None:
        return next((metric for metric in self.metrics if metric.key == key), None)

    @property
    def has_lists(self) -> bool:
        return bool(self.render_blocking or self.unused_images)


@dataclass(frozen=True, slots=True)
class PageSpeedRow:
    url: str
    results: tuple[SpeedResult, ...]


@dataclass(frozen=True, slots=True)
class PageSpeedSection:
    #: "measured" or "skipped" (the lab step could not run: `reason` says why).
    status: str
    reason: str
    #: How to turn the lab step on (shown with a skipped reason).
    how_to_enable: str
    #: Pages the lab step measured (from the audit summary, else the pages listed).
    pages_measured: int
    rows: tuple[PageSpeedRow, ...]
    #: More pages were measured than the report lists.
    truncated: bool
    #: (key, short label, long label) of the table's metric columns.
    columns: tuple[tuple[str, str, str], ...]

    @property
    def skipped(self) -> bool:
        return self.status == "skipped"

    @property
    def has_field(self) -> bool:
        return any(result.field for row in self.rows for result in row.results)

    @property
    def has_lists(self) -> bool:
        return bool(self.details)

    @property
    def details(self) -> tuple[tuple[str, SpeedResult], ...]:
        """(page URL, run) whose resource lists are shown: DETAIL_PAGES pages at most."""
        found = ((row.url, next((r for r in row.results if r.has_lists), None))
                 for row in self.rows)
        return tuple((url, result) for url, result in found if result is not None)[:DETAIL_PAGES]


def latest_measurements(*, audit: Audit) -> QuerySet[Measurement]:
    """The audit's newest measurement per URL, form factor and source, start page first."""
    return (Measurement.objects.filter(audit=audit)
            .annotate(rank=Window(RowNumber(),
                                  partition_by=[F("url"), F("form_factor"), F("source")],
                                  order_by=[F("created_at").desc(), F("id").desc()]))
            .filter(rank=1)
            .order_by(F("page__depth").asc(nulls_last=True), "url", "-form_factor", "source"))


def page_speed_section(*, audit: Audit, max_pages: int = MAX_PAGES,
                       max_resources: int = MAX_RESOURCES) -> PageSpeedSection | None:
    """What the audit's page-speed step measured, or None when the audit has no page-speed
    data at all (it predates the feature and has no measurements). One query."""
    summary = lab_summary(audit)
    measurements = list(latest_measurements(audit=audit)[:max_pages * 4 + 1])
    if summary is None and not measurements:
        return None
    status = str((summary or {}).get("status") or "measured")
    if status == "skipped":  # the reason is said once, not on every row of the sample
        measurements = [m for m in measurements if m.status != Measurement.Status.SKIPPED]
    rows: dict[str, list[SpeedResult]] = {}
    for measurement in measurements:
        if measurement.url not in rows and len(rows) == max_pages:
            break
        rows.setdefault(measurement.url, []).append(_result(measurement, max_resources))
    truncated = len(measurements) > max_pages * 4 or len(rows) < len({m.url for m in measurements})
    pages = (summary or {}).get("pages")
    return PageSpeedSection(
        status=status, reason=str((summary or {}).get("reason") or ""),
        how_to_enable=how_to_enable(),
        pages_measured=pages if isinstance(pages, int) and not isinstance(pages, bool) else len(rows),
        rows=tuple(PageSpeedRow(url, tuple(sorted(results, key=_result_order)))
                   for url, results in rows.items()),
        truncated=truncated,
        columns=tuple((key, SHORT_LABELS[key], _(LABELS[key])) for key in METRICS))


def lab_summary(audit: Audit) -> dict[str, Any] | None:
    """The lab step's record in the audit summary: `summary["pagespeed"]` (the documented
    key) or `summary["lab"]` (the key the lab step writes); None when the step did not run."""
    summary = audit.summary or {}
    for key in SUMMARY_KEYS:
        value = summary.get(key)
        if isinstance(value, dict) and value.get("status"):
            return value
    return None


def how_to_enable() -> str:
    return _("To enable the lab measurement, install Chromium on the worker (Debian package "
             "\"chromium\") or set SEOAUDIT_CHROMIUM to its path, and keep the audit's page-speed "
             "sample above 0 (option pagespeed_sample); then run the audit again. PageSpeed "
             "Insights results also need PAGESPEED_API_KEY.")


def _result_order(result: SpeedResult) -> tuple[int, str]:
    return FORM_FACTOR_ORDER.get(result.form_factor, 2), result.source


def _result(measurement: Measurement, max_resources: int) -> SpeedResult:
    details = measurement.details if isinstance(measurement.details, dict) else {}
    ratings = details.get("ratings") if isinstance(details.get("ratings"), dict) else {}
    metrics = tuple(_metric(key, getattr(measurement, key), ratings.get(key)) for key in METRICS)
    blocking = _dicts(details.get("render_blocking"))
    images = _dicts(details.get("unused_large_images"))
    return SpeedResult(
        form_factor=measurement.form_factor,
        form_factor_label=_form_factor_label(measurement.form_factor),
        source=measurement.source, source_label=_source_label(measurement.source),
        status=measurement.status, error=measurement.error,
        metrics=metrics, score=measurement.score,
        page_weight=_size(measurement.page_weight_bytes),
        request_count=measurement.request_count,
        weight_by_type=_weight_by_type(details.get("weight_by_type")),
        render_blocking=tuple(Resource(str(item.get("url") or ""), str(item.get("type") or ""),
                                       _size(item.get("bytes")), _delay(item.get("ms")))
                              for item in blocking[:max_resources]),
        render_blocking_total=len(blocking),
        unused_images=tuple(UnusedImage(
            str(item.get("url") or ""), _size(item.get("bytes")),
            _dimensions(item.get("displayed_w"), item.get("displayed_h")),
            _dimensions(item.get("natural_w"), item.get("natural_h")),
            offscreen=item.get("reason") == "offscreen")
            for item in images[:max_resources]),
        unused_images_total=len(images),
        field=_field(details.get("field")), field_scope=str(details.get("field_scope") or ""))


def _metric(key: str, value: Any, rating: Any = None) -> MetricValue:
    number = _number(value)
    if rating not in RATINGS:
        rating = rate(key, number)
    return MetricValue(key, _(LABELS.get(key, key)), number, format_metric(key, number),
                       rating if number is not None else None)


def format_metric(key: str, value: float | None) -> str:
    """'2.4 s' for paint times of a second or more, '180 ms' below, '0.08' for CLS."""
    if value is None:
        return "–"
    if key == "cls":
        if value == 0:
            return "0"
        return number_format(_half_up(value, 2 if value >= 0.01 else 3))
    if key in ("lcp_ms", "fcp_ms") and value >= 1000:
        return f"{number_format(_half_up(value / 1000, 1))} s"
    return f"{number_format(_half_up(value, 0))} ms"


def _half_up(value: float, places: int) -> Decimal:
    """4850 ms is "4.9 s" as Lighthouse shows it (float rounding would give 4.8)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _field(raw: Any) -> tuple[MetricValue, ...]:
    """PSI field data {metric: {p75, category}}: our metric keys first, in table order."""
    if not isinstance(raw, dict):
        return ()
    order = {key: index for index, key in enumerate((*METRICS, "inp_ms"))}
    values = []
    for key in sorted(raw, key=lambda k: (order.get(k, len(order)), str(k))):
        entry = raw[key]
        if not isinstance(entry, dict):
            continue
        category = entry.get("category")
        rating = PSI_CATEGORIES.get(str(category).upper(), category)
        values.append(_metric(str(key), entry.get("p75"), rating))
    return tuple(values)


def _weight_by_type(raw: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict):
        return ()
    sizes = [(str(kind), size) for kind, value in raw.items()
             if (size := _number(value)) is not None and size > 0]
    sizes.sort(key=lambda item: (-item[1], item[0]))
    return tuple((kind, _size(size)) for kind, size in sizes[:MAX_WEIGHT_TYPES])


def _dicts(raw: Any) -> list[dict[str, Any]]:
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value == value else None  # NaN is not a measurement


def _size(value: Any) -> str:
    number = _number(value)
    return "–" if number is None else str(filesizeformat(int(number)))


def _delay(value: Any) -> str:
    number = _number(value)
    return "" if number is None else f"{number_format(_half_up(number, 0))} ms"


def _dimensions(width: Any, height: Any) -> str:
    w, h = _number(width), _number(height)
    return "–" if w is None or h is None else f"{int(w)}×{int(h)}"


def _form_factor_label(value: str) -> str:
    return {"mobile": _("Mobile"), "desktop": _("Desktop")}.get(value, value)


def _source_label(value: str) -> str:
    return {"lab": _("lab"), "psi": _("PageSpeed Insights")}.get(value, value)


def page_speed_json(*, audit: Audit) -> Iterator[dict[str, Any]]:
    """Every latest measurement of the audit as JSON-ready dicts (the export's `pagespeed`
    list): headline metrics with their ratings, and `details` as recorded."""
    for measurement in latest_measurements(audit=audit).iterator(chunk_size=500):
        details = measurement.details if isinstance(measurement.details, dict) else {}
        ratings = details.get("ratings") if isinstance(details.get("ratings"), dict) else {}
        yield {
            "url": measurement.url, "form_factor": measurement.form_factor,
            "source": measurement.source, "status": measurement.status,
            "error": measurement.error,
            "metrics": {key: getattr(measurement, key) for key in METRICS},
            "ratings": {key: _metric(key, getattr(measurement, key), ratings.get(key)).rating
                        for key in METRICS},
            "score": measurement.score, "page_weight_bytes": measurement.page_weight_bytes,
            "request_count": measurement.request_count, "details": details,
            "created_at": measurement.created_at, "finished_at": measurement.finished_at,
        }
