// Page-speed lab, part 2: evaluated after the load window. Flushes the observers and returns
// the raw figures; lab.py turns them into metrics (CLS windows, TBT, image rules).
(maxImages) => {
  const lab = window.__seoauditLab;
  if (!lab) return null;
  for (const [observer, handle] of lab.observers) observer.takeRecords().forEach(handle);
  const nav = performance.getEntriesByType("navigation")[0] || null;
  const fcp = lab.fcp;
  // Stylesheets and classic scripts in <head> (no async/defer/module, media matching): used
  // when Chromium does not report renderBlockingStatus on resource timing entries.
  const headBlocking = new Set();
  if (document.head) {
    for (const el of document.head.querySelectorAll("link[rel~=stylesheet][href], script[src]")) {
      if (el.tagName === "LINK") {
        if (el.media && !matchMedia(el.media).matches) continue;
        if (el.disabled) continue;
      } else if (el.async || el.defer || el.type === "module") {
        continue;
      }
      headBlocking.add(el.tagName === "LINK" ? el.href : el.src);
    }
  }
  const renderBlocking = [];
  for (const r of performance.getEntriesByType("resource")) {
    const flagged = r.renderBlockingStatus !== undefined
      ? r.renderBlockingStatus === "blocking" : headBlocking.has(r.name);
    if (!flagged || (fcp !== null && r.startTime > fcp)) continue;
    renderBlocking.push({url: r.name, type: r.initiatorType === "link" ? "stylesheet"
                         : r.initiatorType, ms: Math.round(r.responseEnd - r.startTime)});
  }
  const images = [];
  const viewportHeight = window.innerHeight;
  for (const img of Array.from(document.images).slice(0, maxImages)) {
    if (!img.complete || !img.naturalWidth) continue;
    const rect = img.getBoundingClientRect();
    images.push({
      url: img.currentSrc || img.src, displayed_w: Math.round(rect.width),
      displayed_h: Math.round(rect.height), natural_w: img.naturalWidth,
      natural_h: img.naturalHeight, lazy: img.loading === "lazy",
      below_fold: rect.top + window.scrollY >= viewportHeight,
      hidden: rect.width === 0 || rect.height === 0,
    });
  }
  return {
    ttfb: nav ? nav.responseStart : null, fcp, lcp: lab.lcp, lcpEntry: lab.lcpEntry,
    shifts: lab.shifts, longtasks: lab.longtasks, renderBlocking, images,
    dpr: window.devicePixelRatio, status: nav ? nav.responseStatus || null : null,
  };
}
