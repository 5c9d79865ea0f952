// Page-speed lab, part 1: an init script that runs before any script of the page and records
// what Chromium's PerformanceObserver reports (buffered entries included) into
// window.__seoauditLab. Read back by lab_read.js once the load window is over.
(() => {
  if (window.top !== window || window.__seoauditLab) return;
  const lab = window.__seoauditLab = {
    fcp: null, lcp: null, lcpEntry: null, shifts: [], longtasks: [], observers: [],
  };
  const describe = (el) => {
    if (!el) return "";
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    else if (el.classList && el.classList.length) text += "." + el.classList[0];
    return text.slice(0, 120);
  };
  const observe = (type, handle) => {
    try {
      const observer = new PerformanceObserver((list) => list.getEntries().forEach(handle));
      observer.observe({type, buffered: true});
      lab.observers.push([observer, handle]);
    } catch (e) { /* entry type not supported: that metric stays null */ }
  };
  observe("paint", (e) => { if (e.name === "first-contentful-paint") lab.fcp = e.startTime; });
  observe("largest-contentful-paint", (e) => {
    lab.lcp = e.startTime;
    lab.lcpEntry = {element: describe(e.element), url: (e.url || "").slice(0, 500),
                    size: e.size};
  });
  // Every shift counts: the lab sends no input, yet Chromium's mobile emulation reports an
  // input of its own after load (lastInputTime ~ load), which would hide the shifts of the
  // next 500 ms behind hadRecentInput. Scripted events are never "input" there.
  observe("layout-shift", (e) => lab.shifts.push([e.startTime, e.value]));
  observe("longtask", (e) => lab.longtasks.push([e.startTime, e.duration]));
})();
