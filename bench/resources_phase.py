"""What the after-crawl resource phase (engine/resources.py) adds to a crawl.

    .venv/bin/python bench/resources_phase.py [--pages 200] [--runs 3] [--missing-images]

Generates a site with sitegen (nginx on 127.0.0.1), writes its images (5-40 KB, every 50th
300 KB) unless --missing-images (then every image is a 404: HEAD + GET each), and points the
generated external links (reserved `.example` hosts) at a second local server on
`localhost`, which answers 200, or 404 for `*.pdf`. Then crawls with the phase off and on and
prints wall seconds per run. Talks only to 127.0.0.1 / localhost.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BENCH_DIR.parent))

from nginx_site import serve_site  # noqa: E402
from sitegen import generate_site  # noqa: E402

from audits.engine.crawler import run_crawl  # noqa: E402
from audits.engine.types import CrawlOptions  # noqa: E402
from tests.sites import Route, serve  # noqa: E402

_EXTERNAL = re.compile(r'https://([a-z.]+\.example)(/[^"]*)?"')


def _prepare(root: Path, external_base: str, missing_images: bool) -> int:
    """Rewrite external hrefs to `external_base`; write images. Returns images written."""
    for page in root.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _EXTERNAL.sub(lambda m: f'{external_base}/{m.group(1)}{m.group(2) or "/"}"', text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            gz = page.with_name(page.name + ".gz")
            gz.unlink(missing_ok=True)  # nginx then serves the rewritten page uncompressed
    if missing_images:
        return 0
    img = root / "static" / "img"
    img.mkdir(parents=True, exist_ok=True)
    names = [f"photo-{i}.jpg" for i in range(2000)] + [f"cover-{i}.jpg" for i in range(500)]
    for i, name in enumerate(names):
        size = 300_000 if i % 50 == 0 else 5_000 + (i * 7919) % 35_000
        (img / name).write_bytes(b"\xff\xd8" + b"\0" * size)
    return len(names)


def _external(path: str) -> Route:
    if path.endswith(".pdf"):
        return Route("gone", status=404, headers={"Content-Type": "text/plain"})
    return Route("<html><title>ok</title></html>")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--missing-images", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-resources-") as tmp, \
            serve(_external) as external:
        Path(tmp).chmod(0o755)  # nginx workers run as nobody
        root = Path(tmp) / "site"
        generate_site(root, pages=args.pages, quiet=True)
        images = _prepare(root, external.replace("127.0.0.1", "localhost"), args.missing_images)
        with serve_site(root) as base:
            rows = []
            for check in [False, True] * args.runs:
                opts = CrawlOptions(start_url=base + "/", max_pages=args.pages + 60,
                                    allow_private=True, check_resources=check,
                                    js_render_sample=0, pagespeed_sample=0)
                started = time.monotonic()
                summary = run_crawl(opts, on_page=lambda result: None)
                elapsed = time.monotonic() - started
                codes: dict[str, int] = {}
                for finding in summary.site_findings:
                    if finding.code.startswith(("seo.images.", "seo.resources.", "seo.links.broken_ext")):
                        codes[finding.code] = codes.get(finding.code, 0) + 1
                rows.append((check, elapsed))
                print(f"resources={'on ' if check else 'off'} pages={summary.pages_crawled} "
                      f"seconds={elapsed:.2f} {codes}", flush=True)
    off = [seconds for check, seconds in rows if not check]
    on = [seconds for check, seconds in rows if check]
    median_off, median_on = statistics.median(off), statistics.median(on)
    print(f"images written: {images}; median off {median_off:.2f}s, on {median_on:.2f}s, "
          f"phase adds {median_on - median_off:.2f}s")


if __name__ == "__main__":
    main()
