"""Agreement with Lighthouse on the ten audits its SEO category shares with our engine.

    .venv/bin/python bench/lighthouse_agreement.py [--timeout 60] [--parallel 2] [--only SUBSTR]

Serves the corpus of bench/lighthouse/corpus.py (one 127.0.0.1 server per site, so each site
has its own robots.txt), crawls every site with our engine (`CrawlRun`, allow_private=True,
page and site checks as in a real audit), runs Lighthouse 12.2.3 (bench/lighthouse/, `npm ci`
there first; Chromium from /usr/bin/chromium or CHROME_PATH) on every page, two pages at a
time, and compares per page and audit: Lighthouse passes (score 1 or not applicable) versus our
engine passes (no finding with one of the audit's mapped codes, `MAPPING`). Prints a table
(audit, pages, agree, disagree, agreement %) and every disagreement; writes everything to
bench/out/lighthouse.json. Network traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
LH_DIR = BENCH_DIR / "lighthouse"
OUT = BENCH_DIR / "out" / "lighthouse.json"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(LH_DIR))

from corpus import AUDITS, SITES, Page, Site  # noqa: E402

import audits.engine.checks  # noqa: E402,F401 - fills the registry
from audits.engine.checks.registry import REGISTRY  # noqa: E402
from audits.engine.crawler import CrawlError, CrawlRun  # noqa: E402
from audits.engine.types import CrawlOptions, Finding  # noqa: E402
from tests.sites import Route, serve  # noqa: E402

# The crawler's per-crawl info lines would drown the table.
structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))

LH_VERSION = "12.2.3"
NODE = "/usr/bin/node"
DEFAULT_CHROME = "/usr/bin/chromium"
PR_SET_PDEATHSIG = 1

#: Our check codes that correspond to each Lighthouse audit (a page fails the audit on our
#: side when one of them is reported for it). Codes not registered (yet) are skipped, so the
#: table always says which codes were compared. Deliberately NOT mapped, because Lighthouse
#: does not fail on them: seo.title.too_long/too_short/multiple, seo.description.too_short/
#: too_long/multiple, seo.canonical.missing (Lighthouse: "not applicable"),
#: seo.canonical.to_error/to_redirect, seo.hreflang.missing_self, seo.indexability.nofollow,
#: seo.links.nofollow_internal, seo.redirect.* other than broken_target.
MAPPING: dict[str, tuple[str, ...]] = {
    "document-title": ("seo.title.missing", "seo.title.empty"),
    "meta-description": ("seo.description.missing", "seo.description.empty"),
    # Lighthouse audits the final document of a redirect chain.
    "http-status-code": ("seo.http.4xx", "seo.http.5xx", "seo.http.429",
                         "seo.redirect.broken_target"),
    "is-crawlable": ("seo.indexability.noindex", "seo.robots.blocked_linked",
                     "seo.robots.blocked"),
    "link-text": ("seo.links.generic_anchor",),
    "crawlable-anchors": ("seo.links.uncrawlable",),
    "image-alt": ("seo.images.alt_missing",),
    "hreflang": ("seo.hreflang.invalid_code", "seo.hreflang.invalid_url",
                 "seo.hreflang.relative", "seo.hreflang.relative_url"),
    "canonical": ("seo.canonical.invalid", "seo.canonical.relative", "seo.canonical.multiple"),
    # Filled in at run time: every registered seo.robots.* code about the robots.txt file
    # itself (see robots_txt_codes()).
    "robots-txt": (),
}
#: Audits judged on a file of the site rather than on the page: site findings without a URL
#: (or for the robots.txt URL) count for every page of the site.
SITE_SCOPED = frozenset({"robots-txt"})


def robots_txt_codes() -> tuple[str, ...]:
    """Registered seo.robots.* codes that say robots.txt itself is faulty. Not those about a
    blocked page, and not seo.robots.missing: having no robots.txt (404) is valid per RFC 9309
    and Lighthouse passes it; our notice only informs."""
    return tuple(sorted(code for code in REGISTRY if code.startswith("seo.robots.")
                        and code not in MAPPING["is-crawlable"] and "blocked" not in code
                        and code != "seo.robots.missing"))


def active_mapping() -> dict[str, tuple[str, ...]]:
    mapping = {audit: tuple(c for c in codes if c in REGISTRY) for audit, codes in MAPPING.items()}
    mapping["robots-txt"] = robots_txt_codes()
    return mapping


# -- serving the corpus ----------------------------------------------------------------------

GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
       b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" '
       'height="40" fill="#2a6"/></svg>')
CSS = "body{font:16px/1.5 sans-serif;max-width:50rem;margin:auto}img{max-width:100%;height:auto}"


def site_routes(site: Site, origin: str) -> dict[str, Route]:
    """Every URL the site answers: its pages, robots.txt, sitemap.xml and the assets."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    routes: dict[str, Route] = {}
    for page in site.pages:
        headers = {**html, **{k: v.replace("{origin}", origin) for k, v in page.headers.items()}}
        routes[page.path] = Route(page.render(origin), status=page.status, headers=headers)
    if site.robots is not None:
        routes["/robots.txt"] = Route(site.robots.replace("{origin}", origin),
                                      status=site.robots_status,
                                      headers={"Content-Type": "text/plain; charset=utf-8"})
    urls = "".join(f"<url><loc>{origin}{page.path}</loc></url>" for page in site.pages
                   if page.status == 200)
    routes["/sitemap.xml"] = Route(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
        f'sitemap/0.9">{urls}</urlset>', headers={"Content-Type": "application/xml"})
    routes["/site.css"] = Route(CSS, headers={"Content-Type": "text/css"})
    routes["/logo.svg"] = Route(SVG, headers={"Content-Type": "image/svg+xml"})
    return routes


def lookup(routes: dict[str, Route]) -> Any:
    def find(path: str) -> Route | None:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path.startswith("/img/"):
            return Route(GIF, headers={"Content-Type": "image/gif"})
        return routes.get(path)
    return find


# -- our engine ------------------------------------------------------------------------------

@dataclass
class OurSite:
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # page URL -> findings
    site_wide: list[Finding] = field(default_factory=list)  # site findings without a page URL
    errors: dict[str, str] = field(default_factory=dict)  # page URL -> fetch error
    refused: str = ""  # CrawlError message when the engine could not audit the site at all
    pages_crawled: int = 0
    robots_status: int | None = None
    robots_error: str | None = None


def crawl(origin: str, site: Site) -> OurSite:
    """Crawl the site with the engine, as an audit would (robots.txt respected)."""
    options = CrawlOptions(start_url=origin + "/", allow_private=True, max_pages=500,
                           max_retries=0, parse_workers=0, per_host_concurrency=4,
                           js_render_sample=0, pagespeed_sample=0)
    ours = OurSite()
    run = CrawlRun(options)
    try:
        for result in run:
            ours.findings.setdefault(result.url, []).extend(result.findings)
            if result.fetch.error:
                ours.errors[result.url] = result.fetch.error
    except CrawlError as exc:
        ours.refused = str(exc)
        return ours
    if run.summary:
        ours.pages_crawled = run.summary.pages_crawled
        ours.robots_status = run.summary.robots_status
        ours.robots_error = run.summary.robots_error
    # A site finding about robots.txt may name no URL, the robots.txt URL or the home page.
    site_urls = {None, "", origin + "/robots.txt", origin + "/"}
    for finding in run.summary.site_findings if run.summary else ():
        if finding.url:
            ours.findings.setdefault(finding.url, []).append(finding)
        if finding.url in site_urls:
            ours.site_wide.append(finding)
    return ours


def our_verdicts(ours: OurSite, url: str, mapping: dict[str, tuple[str, ...]]
                 ) -> dict[str, dict[str, Any]]:
    """{audit: {"pass": bool, "codes": [...]}} for one page."""
    page = ours.findings.get(url, [])
    out: dict[str, dict[str, Any]] = {}
    for audit in AUDITS:
        codes = set(mapping[audit])
        found = [f for f in page if f.code in codes]
        if audit in SITE_SCOPED:
            found += [f for f in ours.site_wide if f.code in codes and f not in found]
        out[audit] = {"pass": not found,
                      "codes": sorted({f.code for f in found}),
                      "details": [f.details for f in found][:3]}
    return out


# -- Lighthouse ------------------------------------------------------------------------------

def _die_with_parent() -> None:
    """In the node child: get SIGTERM if the bench dies, even by SIGKILL."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def check_lighthouse() -> None:
    package = LH_DIR / "node_modules" / "lighthouse" / "package.json"
    if not package.exists():
        sys.exit(f"Lighthouse is not installed: run `npm ci` in {LH_DIR}")
    version = json.loads(package.read_text())["version"]
    if version != LH_VERSION:
        sys.exit(f"Lighthouse {version} installed, expected {LH_VERSION}: run `npm ci` in {LH_DIR}")
    chrome = os.environ.get("CHROME_PATH", DEFAULT_CHROME)
    if not Path(chrome).exists():
        sys.exit(f"{chrome} missing: apt-get install -y chromium (or set CHROME_PATH)")


def run_lighthouse(jobs: list[dict[str, str]], workdir: Path, *, parallel: int,
                   timeout: float) -> dict[str, dict[str, Any]]:
    """Lighthouse results by job id; `parallel` node processes share the list round-robin."""
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", DEFAULT_CHROME)}
    procs = []
    for i in range(parallel):
        share = jobs[i::parallel]
        if not share:
            continue
        urls = workdir / f"urls-{i}.json"
        urls.write_text(json.dumps(share))
        log = (workdir / f"worker-{i}.log").open("w")
        procs.append((subprocess.Popen(
            [NODE, str(LH_DIR / "run.mjs"), str(urls), str(workdir / "lhr"),
             str(int(timeout * 1000))], cwd=LH_DIR, env=env, stdout=log,
            stderr=subprocess.STDOUT, preexec_fn=_die_with_parent), log, len(share)))
    # Each page has its own timeout inside run.mjs; this bound only catches a stuck worker.
    deadline = time.monotonic() + max(n for _, _, n in procs) * (timeout + 15) + 60
    try:
        for proc, _, _ in procs:
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        print("Lighthouse workers overran their deadline: stopping them", file=sys.stderr)
    finally:
        for proc, log, _ in procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
            log.close()
    results = {}
    for job in jobs:
        path = workdir / "lhr" / f"{job['id']}.json"
        results[job["id"]] = (json.loads(path.read_text()) if path.exists()
                              else {"error": "no result (worker stopped)"})
    return results


def lh_verdicts(lhr: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{audit: {"pass": True/False/None, "details": ...}}; None when the audit errored."""
    out: dict[str, dict[str, Any]] = {}
    for audit in AUDITS:
        result = (lhr.get("audits") or {}).get(audit)
        if result is None or lhr.get("error"):
            out[audit] = {"pass": None, "details": lhr.get("error") or "audit missing"}
            continue
        mode = result.get("scoreDisplayMode")
        if mode == "notApplicable":
            verdict: bool | None = True
        elif mode == "error" or result.get("score") is None:
            verdict = None
        else:
            verdict = result["score"] == 1
        out[audit] = {"pass": verdict, "mode": mode, "details": _lh_summary(result)}
    return out


def _lh_summary(result: dict[str, Any]) -> Any:
    """The part of an audit result that says why: explanation, display value, table items."""
    summary: dict[str, Any] = {}
    for key in ("explanation", "displayValue", "errorMessage"):
        if result.get(key):
            summary[key] = result[key]
    if result.get("warnings"):
        summary["warnings"] = result["warnings"]
    items = (result.get("details") or {}).get("items") or []
    compact = []
    for item in items[:5]:
        entry = {}
        for key, value in item.items():
            if isinstance(value, dict):
                value = value.get("snippet") or value.get("url") or value.get("type")
            entry[key] = value
        compact.append(entry)
    if compact:
        summary["items"] = compact
    return summary


# -- main ------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per Lighthouse page")
    parser.add_argument("--parallel", type=int, default=2, help="Lighthouse runs at a time")
    parser.add_argument("--only", default="", help="only pages whose site/path contains this")
    args = parser.parse_args()
    check_lighthouse()
    mapping = active_mapping()
    started = time.monotonic()

    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory(prefix="lh-bench-") as tmp:
        workdir = Path(tmp)
        origins: dict[str, str] = {}
        ours: dict[str, OurSite] = {}
        jobs: list[dict[str, str]] = []
        pages: dict[str, tuple[Site, Page, str]] = {}
        for site in SITES:
            routes: dict[str, Route] = {}
            origin = stack.enter_context(serve(lookup(routes)))
            routes.update(site_routes(site, origin))
            origins[site.name] = origin
            for page in site.pages:
                key = f"{site.name}{page.path}"
                if args.only and args.only not in key:
                    continue
                job_id = f"{len(jobs):03d}"
                jobs.append({"id": job_id, "url": origin + page.path})
                pages[job_id] = (site, page, key)
        crawl_started = time.monotonic()
        for site in SITES:
            ours[site.name] = crawl(origins[site.name], site)
        crawl_seconds = time.monotonic() - crawl_started
        print(f"engine: {len(SITES)} sites crawled in {crawl_seconds:.1f} s; Lighthouse "
              f"{LH_VERSION} on {len(jobs)} pages, {args.parallel} at a time ...", flush=True)
        lh_started = time.monotonic()
        lhrs = run_lighthouse(jobs, workdir, parallel=args.parallel, timeout=args.timeout)
        lh_seconds = time.monotonic() - lh_started

    rows = []
    for job in jobs:
        site, page, key = pages[job["id"]]
        lhr = lhrs[job["id"]]
        url = job["url"]
        rows.append({
            "page": key, "url": url, "note": page.note, "intended_fails": list(page.fails),
            "lighthouse": lh_verdicts(lhr), "lighthouse_seconds": lhr.get("benchSeconds"),
            "lighthouse_final_url": lhr.get("finalDisplayedUrl"),
            "ours": our_verdicts(ours[site.name], url, mapping),
            "ours_refused": ours[site.name].refused,
            "ours_site": {"pages_crawled": ours[site.name].pages_crawled,
                          "robots_status": ours[site.name].robots_status,
                          "robots_error": ours[site.name].robots_error},
            "ours_fetch_error": ours[site.name].errors.get(url),
        })

    table, disagreements, errors = [], [], []
    for audit in AUDITS:
        agree = disagree = 0
        lh_fail = our_fail = 0
        for row in rows:
            lh = row["lighthouse"][audit]
            us = row["ours"][audit]
            if lh["pass"] is None:
                errors.append({"page": row["page"], "audit": audit, "lighthouse": lh["details"]})
                continue
            lh_fail += not lh["pass"]
            our_fail += not us["pass"]
            if lh["pass"] == us["pass"]:
                agree += 1
            else:
                disagree += 1
                disagreements.append({
                    "audit": audit, "page": row["page"], "note": row["note"],
                    "lighthouse": "pass" if lh["pass"] else "FAIL",
                    "ours": "pass" if us["pass"] else "FAIL " + ",".join(us["codes"]),
                    "lighthouse_details": lh["details"], "our_details": us["details"],
                    "ours_refused": row["ours_refused"], "ours_site": row["ours_site"],
                })
        total = agree + disagree
        table.append({"audit": audit, "pages": total, "agree": agree, "disagree": disagree,
                      "agreement_pct": round(100 * agree / total, 1) if total else None,
                      "lighthouse_fails": lh_fail, "our_fails": our_fail,
                      "our_codes": list(mapping[audit])})

    all_agree = sum(r["agree"] for r in table)
    all_pages = sum(r["pages"] for r in table)
    print(f"\n{'audit':<19} {'pages':>5} {'agree':>5} {'disagree':>8} {'agree %':>8} "
          f"{'LH fails':>8} {'our fails':>9}  our codes")
    for r in table:
        pct = f"{r['agreement_pct']:.1f}" if r["agreement_pct"] is not None else "-"
        print(f"{r['audit']:<19} {r['pages']:>5} {r['agree']:>5} {r['disagree']:>8} {pct:>8} "
              f"{r['lighthouse_fails']:>8} {r['our_fails']:>9}  {', '.join(r['our_codes']) or '-'}")
    overall = 100 * all_agree / all_pages if all_pages else 0.0
    print(f"{'all':<19} {all_pages:>5} {all_agree:>5} {all_pages - all_agree:>8} {overall:>8.1f}")

    if disagreements:
        print(f"\n{len(disagreements)} disagreements:")
        for d in disagreements:
            print(f"- {d['audit']}: {d['page']} ({d['note']})\n    Lighthouse {d['lighthouse']}, "
                  f"ours {d['ours']}; LH details: {json.dumps(d['lighthouse_details'])[:400]}"
                  + (f"\n    engine refused the site: {d['ours_refused'][:200]}"
                     if d["ours_refused"] else "")
                  + (f"\n    engine on this site: {d['ours_site']}"
                     if d["audit"] in SITE_SCOPED or not d["ours_site"]["pages_crawled"] else ""))
    if errors:
        print(f"\n{len(errors)} Lighthouse errors (left out of the table):")
        for e in errors:
            print(f"- {e['audit']}: {e['page']}: {str(e['lighthouse'])[:200]}")
    elapsed = time.monotonic() - started
    print(f"\nengine crawl {crawl_seconds:.1f} s, Lighthouse {lh_seconds:.1f} s, total "
          f"{elapsed:.1f} s; results in {OUT.relative_to(ROOT)}")

    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "lighthouse_version": LH_VERSION, "node": _version([NODE, "--version"]),
        "chromium": _version([os.environ.get("CHROME_PATH", DEFAULT_CHROME), "--version"]),
        "mapping": mapping, "table": table, "overall_agreement_pct": round(overall, 1),
        "disagreements": disagreements, "lighthouse_errors": errors, "pages": rows,
        "seconds": {"engine": round(crawl_seconds, 1), "lighthouse": round(lh_seconds, 1),
                    "total": round(elapsed, 1)},
    }, indent=1, default=str))
    return 0


def _version(cmd: list[str]) -> str:
    if shutil.which(cmd[0]) is None and not Path(cmd[0]).exists():
        return ""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


if __name__ == "__main__":
    sys.exit(main())
