"""The defect fixture site (tests/fixtures/defect_site) crawled end to end: every planted
defect is found (recall), and the clean pages raise nothing at error or warning level."""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from pathlib import Path

import pytest

from audits.engine.checks.registry import REGISTRY
from audits.engine.crawler import run_crawl
from audits.engine.types import Severity
from tests.conftest import crawl_options
from tests.sites import Route, serve

SITE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "defect_site"
#: The fixture server speaks plain HTTP, so every page is (rightly) "served over HTTP".
ALLOWED_ON_CLEAN = frozenset({"seo.https.insecure_page"})
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def _manifest() -> dict:
    return json.loads((SITE_DIR / "manifest.json").read_text())


def _routes(manifest: dict, base_holder: list[str]):
    def lookup(path: str) -> Route | None:
        base = base_holder[0]
        if path in ("/robots.txt", "/sitemap.xml", "/llms.txt"):
            kind = "application/xml" if path == "/sitemap.xml" else "text/plain"
            return Route((SITE_DIR / path.lstrip("/")).read_text().replace("{base}", base),
                         headers={"Content-Type": kind})
        if path == "/images/huge.png":  # 300 KB: over the image size threshold
            return Route(PNG_1PX + bytes(300 * 1024), headers={"Content-Type": "image/png"})
        if path.startswith("/static/"):
            if path.endswith(".css"):
                return Route("body{font-family:sans-serif}", headers={"Content-Type": "text/css"})
            return Route(PNG_1PX, headers={"Content-Type": "image/png"})
        entry = manifest["pages"].get(path) or manifest["pages"].get(path.split("?")[0])
        if entry is None:
            return None
        body = (SITE_DIR / "pages" / entry["file"]).read_bytes() if "file" in entry else b""
        headers = {"Content-Type": entry.get("content_type", "text/html; charset=utf-8")}
        headers.update(entry.get("headers", {}))
        return Route(body, status=entry["status"], headers=headers, delay=entry.get("delay", 0.0))
    return lookup


@pytest.fixture(scope="module")
def crawled():
    manifest = _manifest()
    holder = [""]
    with serve(_routes(manifest, holder)) as base:
        holder[0] = base
        results = []
        summary = run_crawl(crawl_options(base + "/", max_pages=500, read_timeout=2.0,
                                          total_timeout=2.0, max_retries=0),
                            on_page=results.append)
    found: dict[str, set[str]] = defaultdict(set)
    severities: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for result in results:
        for finding in result.findings:
            found[result.url].add(finding.code)
    for finding in summary.site_findings:
        found[finding.url or ""].add(finding.code)
    for url, codes in found.items():
        for code in codes:
            check = REGISTRY.get(code)
            severities[url].append((code, check.severity if check else Severity.NOTICE))
    return base, manifest, found, severities, summary


def test_fixture_site_is_big_enough():
    manifest = _manifest()
    kinds = {code for entry in manifest["pages"].values() for code in entry["expect"]}
    kinds |= set(manifest["site_expect"]) | {code for code, _ in manifest["cluster_expect"]}
    assert len(kinds) >= 40
    clean = sum(entry["clean"] for entry in manifest["pages"].values())
    assert clean > len(manifest["pages"]) / 2  # most pages are clean
    assert kinds <= set(REGISTRY), sorted(kinds - set(REGISTRY))


def test_every_planted_defect_is_found(crawled):
    base, manifest, found, _, _ = crawled
    missed = [(path, code) for path, entry in manifest["pages"].items()
              for code in entry["expect"] if code not in found.get(base + path, set())]
    # Site-wide codes may name no URL or the file they are about (robots.txt, llms.txt).
    anywhere = set().union(*found.values())
    missed += [("(site)", code) for code in manifest["site_expect"] if code not in anywhere]
    # A cluster finding names one of its members.
    missed += [(" | ".join(paths), code) for code, paths in manifest["cluster_expect"]
               if not any(code in found.get(base + path, set()) for path in paths)]
    expected = sum(len(e["expect"]) for e in manifest["pages"].values()) \
        + len(manifest["site_expect"]) + len(manifest["cluster_expect"])
    recall = 1 - len(missed) / expected
    assert not missed, f"recall {recall:.1%}; missed: {missed}"


def test_clean_pages_raise_no_errors_or_warnings(crawled):
    base, manifest, _, severities, _ = crawled
    noisy = {path: [(code, sev) for code, sev in severities.get(base + path, [])
                    if sev in (Severity.ERROR, Severity.WARNING) and code not in ALLOWED_ON_CLEAN]
             for path, entry in manifest["pages"].items() if entry["clean"]}
    noisy = {path: codes for path, codes in noisy.items() if codes}
    assert not noisy, noisy


def test_no_check_crashes_on_the_fixture_site(crawled):
    _, _, found, _, _ = crawled
    assert not [url for url, codes in found.items() if "engine.check_error" in codes]
