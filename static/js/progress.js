/* Live audit progress, vanilla JS, no build step (CSP: served from 'self', no inline code).
 *
 * Progress page ([data-audit-progress]): one EventSource on the audit's SSE stream, same
 * origin, so the session cookie authenticates it. After a dropped connection the browser
 * reconnects by itself and sends Last-Event-ID; the server answers with the current
 * snapshot. The stream is closed on a terminal event. If the stream cannot be opened at all
 * (no EventSource, or the server refused it), or the page has no stream URL (staff watching
 * another user's audit: streams are for owners), the page polls the snapshot instead.
 *
 * Audit list ([data-audit-list]): one poll every few seconds for all still-running audits on
 * the page (one request however many rows, and no long-lived connections that would use up
 * the browser's six connections per host); polling stops once none is running.
 */
(function () {
  "use strict";

  var TERMINAL = { COMPLETED: true, FAILED: true, CANCELLED: true };
  var LABELS = { PENDING: "Pending", RUNNING: "Running", COMPLETED: "Completed", FAILED: "Failed",
                 CANCELLED: "Cancelled" };
  var POLL_MS = 3000;
  var POLL_MAX_IDS = 40;  // dashboard.views.LIVE_POLL_MAX_IDS (newest rows first)

  function duration(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) { return "\u2014"; }
    var total = Math.max(0, Math.round(seconds));
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    var pad = function (n) { return n < 10 ? "0" + n : String(n); };
    if (h) { return h + " h " + pad(m) + " min"; }
    if (m) { return m + " min " + pad(s) + " s"; }
    return s + " s";
  }

  function score(value) { return value === null || value === undefined ? "\u2014" : String(Math.round(value)); }

  function scoreClass(value) {
    if (value === null || value === undefined) { return ""; }
    return value >= 80 ? "good" : value >= 50 ? "fair" : "poor";
  }

  function field(root, name) { return root.querySelector('[data-field="' + name + '"]'); }

  function setText(root, name, text) {
    var el = field(root, name);
    if (el && el.textContent !== String(text)) { el.textContent = text; }
  }

  function setBadge(root, status) {
    var badge = field(root, "status");
    if (!badge) { return; }
    badge.className = "badge badge--" + status.toLowerCase();
    badge.textContent = LABELS[status] || status;
  }

  function setBar(bar, status, progress) {
    if (!bar) { return; }
    bar.value = progress;
    bar.classList.toggle("bar--done", status === "COMPLETED");
    bar.classList.toggle("bar--failed", status === "FAILED");
  }

  function getJSON(url, onData, onFail) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      if (xhr.status === 200) { onData(JSON.parse(xhr.responseText)); } else { onFail(xhr.status); }
    };
    xhr.onerror = function () { onFail(0); };
    xhr.send();
  }

  // --- Progress page -------------------------------------------------------------------------
  function ProgressPage(root) {
    this.root = root;
    this.status = root.getAttribute("data-status");
    this.received = null;   // the last snapshot and when it arrived (for the ticking clock)
    this.receivedAt = 0;
    this.source = null;
    this.timer = null;
  }

  ProgressPage.prototype.start = function () {
    if (TERMINAL[this.status]) { return; }
    setText(this.root, "live-note", "Live: this page updates by itself.");
    var self = this;
    this.timer = window.setInterval(function () { self.tick(); }, 1000);
    if (window.EventSource && this.root.getAttribute("data-events-url")) { this.listen(); } else { this.poll(); }
  };

  ProgressPage.prototype.listen = function () {
    var self = this;
    var source = new EventSource(this.root.getAttribute("data-events-url"));
    this.source = source;
    var onEvent = function (event) {
      var snapshot;
      try { snapshot = JSON.parse(event.data); } catch (e) { return; }
      self.render(snapshot);
    };
    ["progress", "status", "completed", "failed"].forEach(function (type) {
      source.addEventListener(type, onEvent);
    });
    source.onmessage = onEvent;  // an event without a type
    source.onopen = function () { setText(self.root, "live-note", "Live: this page updates by itself."); };
    source.onerror = function () {
      if (TERMINAL[self.status]) { return; }
      if (source.readyState === EventSource.CLOSED) {
        // Refused (404, 401, ...) or not an event stream: poll the snapshot instead.
        self.source = null;
        self.poll();
      } else {
        setText(self.root, "live-note", "Connection lost, reconnecting\u2026");
      }
    };
  };

  ProgressPage.prototype.poll = function () {
    var self = this;
    getJSON(this.root.getAttribute("data-live-url"), function (data) {
      if (data.audits && data.audits.length) { self.render(data.audits[0]); }
      if (!TERMINAL[self.status]) { window.setTimeout(function () { self.poll(); }, POLL_MS); }
    }, function () {
      setText(self.root, "live-note", "Live updates are unavailable; refresh the page to see the latest progress.");
      if (self.timer) { window.clearInterval(self.timer); }
    });
  };

  ProgressPage.prototype.render = function (s) {
    var root = this.root;
    var previous = this.status;
    this.received = s;
    this.receivedAt = Date.now();
    this.status = s.status;
    root.setAttribute("data-status", s.status);

    var progress = Math.max(0, Math.min(100, s.progress || 0));
    var bar = field(root, "progressbar");
    bar.setAttribute("aria-valuenow", String(progress));
    bar.setAttribute("aria-valuetext", progress + "%, " + s.pages_crawled + " pages crawled");
    setBar(field(root, "progress-bar"), s.status, progress);
    setText(root, "progress", progress);
    setText(root, "pages-crawled", s.pages_crawled);
    setText(root, "total-pages", s.total_pages === null || s.total_pages === undefined ? "?" : s.total_pages);
    setText(root, "current-url", s.current_url || "\u2014");
    field(root, "current-url-box").hidden = !!TERMINAL[s.status];
    var findings = s.findings || {};
    setText(root, "findings-error", findings.error || 0);
    setText(root, "findings-warning", findings.warning || 0);
    setText(root, "findings-notice", findings.notice || 0);
    if (TERMINAL[s.status]) { setText(root, "findings-title", "Findings"); }
    setBadge(root, s.status);
    setText(root, "status-text", LABELS[s.status] || s.status);
    this.tick();

    if (s.status === "FAILED") {
      setText(root, "error", s.error || "");
      field(root, "error-box").hidden = false;
    }
    if (s.status === "COMPLETED" || s.status === "CANCELLED") {
      ["seo", "geo"].forEach(function (kind) {
        var value = s[kind + "_score"];
        setText(root, kind + "-score", score(value));
        field(root, kind + "-score-box").className = "score score--" + scoreClass(value);
      });
      field(root, "results").hidden = false;
      this.loadPageSpeed();
    }
    if (s.status !== previous) { this.announce(s); }
    if (TERMINAL[s.status]) { this.stop(); }
  };

  // The page-speed card is rendered on the server; a page that watched the audit finish asks
  // for it once (an HTML fragment of our own template, escaped there; 204 when there is none).
  ProgressPage.prototype.loadPageSpeed = function () {
    var slot = field(this.root, "pagespeed");
    var url = slot && slot.getAttribute("data-pagespeed-url");
    if (!url) { return; }
    slot.removeAttribute("data-pagespeed-url");
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.onload = function () {
      if (xhr.status === 200) { slot.innerHTML = xhr.responseText; }
    };
    xhr.send();
  };

  ProgressPage.prototype.announce = function (s) {
    var text = "Audit " + (LABELS[s.status] || s.status).toLowerCase() + ".";
    if (s.status === "COMPLETED") {
      text += " SEO score " + score(s.seo_score) + ", GEO score " + score(s.geo_score) + ".";
    } else if (s.status === "FAILED" && s.error) {
      text += " " + s.error;
    }
    var announcer = this.root.querySelector("[data-announcer]");
    if (announcer) { announcer.textContent = text; }
  };

  ProgressPage.prototype.tick = function () {
    var s = this.received;
    if (!s) { return; }
    var since = TERMINAL[s.status] ? 0 : (Date.now() - this.receivedAt) / 1000;
    var elapsed = s.elapsed_s === null || s.elapsed_s === undefined ? null : s.elapsed_s + since;
    var eta = TERMINAL[s.status] || s.eta_s === null || s.eta_s === undefined ? null : Math.max(0, s.eta_s - since);
    setText(this.root, "elapsed", duration(elapsed));
    setText(this.root, "eta", duration(eta));
  };

  ProgressPage.prototype.stop = function () {
    if (this.source) { this.source.close(); this.source = null; }
    if (this.timer) { window.clearInterval(this.timer); this.timer = null; }
    setText(this.root, "live-note", "");
  };

  // --- Audit list ----------------------------------------------------------------------------
  function AuditList(table) {
    this.table = table;
    this.announcer = document.querySelector("[data-announcer]");
  }

  AuditList.prototype.activeRows = function () {
    return Array.prototype.filter.call(this.table.querySelectorAll("tr[data-audit-id]"), function (row) {
      return !TERMINAL[row.getAttribute("data-status")];
    });
  };

  AuditList.prototype.start = function () {
    var self = this;
    var rows = this.activeRows().slice(0, POLL_MAX_IDS);
    if (!rows.length) { return; }
    var query = rows.map(function (row) { return "id=" + encodeURIComponent(row.getAttribute("data-audit-id")); });
    getJSON(this.table.getAttribute("data-live-url") + "?" + query.join("&"), function (data) {
      (data.audits || []).forEach(function (s) { self.render(s); });
      window.setTimeout(function () { self.start(); }, POLL_MS);
    }, function () {
      window.setTimeout(function () { self.start(); }, POLL_MS * 4);  // back off, keep trying
    });
  };

  AuditList.prototype.render = function (s) {
    var row = this.table.querySelector('tr[data-audit-id="' + s.audit_id + '"]');
    if (!row) { return; }
    var previous = row.getAttribute("data-status");
    row.setAttribute("data-status", s.status);
    setBadge(row, s.status);
    setBar(field(row, "progress-bar"), s.status, s.progress || 0);
    setText(row, "progress", (s.progress || 0) + "%");
    setText(row, "pages", s.pages_crawled);
    setText(row, "seo-score", score(s.seo_score));
    setText(row, "geo-score", score(s.geo_score));
    if (previous !== s.status && this.announcer) {
      this.announcer.textContent = "Audit of " + s.url + ": " + (LABELS[s.status] || s.status).toLowerCase() + ".";
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    var page = document.querySelector("[data-audit-progress]");
    if (page) { new ProgressPage(page).start(); }
    var list = document.querySelector("[data-audit-list]");
    if (list) { new AuditList(list).start(); }
  });
}());
