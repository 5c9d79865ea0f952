"""The page-speed lab's arithmetic: raw browser observations -> metrics. Pure functions, so the
rules are tested without a browser (docs/pagespeed.md gives the formulas)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: A layout-shift session window ends after a 1 s gap or 5 s in total (web-vitals' CLS).
CLS_GAP_MS = 1000.0
CLS_WINDOW_MS = 5000.0
#: The part of a long task beyond this blocks input (TBT).
BLOCKING_THRESHOLD_MS = 50.0
#: An image is "unused large" only when its transfer is at least this big ...
UNUSED_IMAGE_MIN_BYTES = 100 * 1024
#: ... and it is this many times larger than needed in both dimensions (displayed CSS size x
#: device pixel ratio), or it is off screen at the end of the load and not lazy-loaded.
OVERSIZE_FACTOR = 1.5


@dataclass(frozen=True, slots=True)
class RenderBlocking:
    """A stylesheet or classic script in <head> that held the first paint back."""

    url: str
    type: str
    bytes: int
    ms: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "type": self.type, "bytes": self.bytes, "ms": self.ms}


@dataclass(frozen=True, slots=True)
class UnusedImage:
    """An image that cost at least UNUSED_IMAGE_MIN_BYTES for little or nothing on screen."""

    url: str
    bytes: int
    displayed_w: int
    displayed_h: int
    natural_w: int
    natural_h: int
    #: "oversized" (natural size far above the displayed size) or "offscreen".
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "bytes": self.bytes, "displayed_w": self.displayed_w,
                "displayed_h": self.displayed_h, "natural_w": self.natural_w,
                "natural_h": self.natural_h, "reason": self.reason}


def cumulative_layout_shift(shifts: Iterable[tuple[float, float]]) -> float:
    """CLS as web-vitals computes it: layout shifts (without recent input) grouped into session
    windows (gap < 1 s, window < 5 s); the largest window's sum."""
    best = current = 0.0
    first = last = None
    for start, value in sorted(shifts):
        if first is not None and last is not None and start - last < CLS_GAP_MS \
                and start - first < CLS_WINDOW_MS:
            current += value
        else:
            current, first = value, start
        last = start
        best = max(best, current)
    return round(best, 4)


def total_blocking_time(long_tasks: Iterable[tuple[float, float]], fcp_ms: float | None) -> float:
    """Sum over long tasks after first contentful paint of their time beyond 50 ms; a task
    that started before FCP counts from FCP on (Lighthouse clips it the same way). The window
    ends with the load window (we cannot know TTI without interaction)."""
    if fcp_ms is None:
        return 0.0
    blocking = 0.0
    for start, duration in long_tasks:
        counted = start + duration - max(start, fcp_ms)
        blocking += max(0.0, counted - BLOCKING_THRESHOLD_MS)
    return round(blocking, 1)


def render_blocking(entries: Iterable[Mapping[str, Any]],
                    bytes_by_url: Mapping[str, int]) -> list[RenderBlocking]:
    return [RenderBlocking(str(entry.get("url", ""))[:500], str(entry.get("type") or "other"),
                           bytes_by_url.get(str(entry.get("url", "")), 0),
                           _number(entry.get("ms")))
            for entry in entries]


def unused_large_images(images: Iterable[Mapping[str, Any]], bytes_by_url: Mapping[str, int],
                        dpr: float) -> list[UnusedImage]:
    """Images of at least UNUSED_IMAGE_MIN_BYTES that are either oversized (natural width and
    height both above 1.5 x displayed size x device pixel ratio) or offscreen (below the fold
    or not displayed at the end of the load, without loading=lazy)."""
    found: dict[str, UnusedImage] = {}
    for image in images:
        url = str(image.get("url", ""))
        size = bytes_by_url.get(url, 0)
        if size < UNUSED_IMAGE_MIN_BYTES or url in found:
            continue
        shown_w, shown_h = int(image.get("displayed_w") or 0), int(image.get("displayed_h") or 0)
        natural_w, natural_h = int(image.get("natural_w") or 0), int(image.get("natural_h") or 0)
        reason = ""
        if not image.get("lazy") and (image.get("hidden") or image.get("below_fold")):
            reason = "offscreen"
        elif shown_w and shown_h and natural_w > OVERSIZE_FACTOR * shown_w * dpr \
                and natural_h > OVERSIZE_FACTOR * shown_h * dpr:
            reason = "oversized"
        if reason:
            found[url] = UnusedImage(url[:500], size, shown_w, shown_h, natural_w, natural_h,
                                     reason)
    return list(found.values())


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
