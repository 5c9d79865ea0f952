"""Writers for the `audit` command's output: table (rich), JSON and CSV.

All three take the same inputs: audit metadata, per-check counts and an iterator of findings,
so output for a saved audit (read back from the database) and for `--no-save` (spooled to a
temporary file) is identical and memory stays bounded for big sites.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

from rich.console import Console
from rich.table import Table

SEVERITY_ORDER = {"error": 0, "warning": 1, "notice": 2}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "notice": "cyan"}


def write_output(fmt: str, stream: IO[str], *, meta: dict[str, Any],
                 checks: list[dict[str, Any]], findings: Iterable[dict[str, Any]]) -> None:
    if fmt == "json":
        _write_json(stream, meta, checks, findings)
    elif fmt == "csv":
        _write_csv(stream, findings)
    else:
        _write_table(stream, meta, checks)


def _write_json(stream: IO[str], meta: dict[str, Any], checks: list[dict[str, Any]],
                findings: Iterable[dict[str, Any]]) -> None:
    head = json.dumps({**meta, "checks": checks}, indent=2, default=str)
    stream.write(head[:-2] + ',\n  "findings": [')  # stream findings: no list in memory
    first = True
    for finding in findings:
        stream.write(("\n    " if first else ",\n    ") + json.dumps(finding, default=str))
        first = False
    stream.write("\n  ]\n}\n")


def _write_csv(stream: IO[str], findings: Iterable[dict[str, Any]]) -> None:
    writer = csv.writer(stream)
    writer.writerow(["url", "code", "severity", "category", "title", "details"])
    for f in findings:
        writer.writerow([f.get("url") or "", f["code"], f["severity"], f["category"],
                         f["title"], json.dumps(f.get("details") or {}, default=str)])


def _write_table(stream: IO[str], meta: dict[str, Any], checks: list[dict[str, Any]]) -> None:
    console = Console(file=stream, width=120, highlight=False,
                      force_terminal=stream.isatty() if hasattr(stream, "isatty") else False)
    score = meta.get("score") or {}
    geo = score.get("geo") or {}
    console.print(f"[bold]SEO audit of {meta.get('url')}[/bold]")
    console.print(f"status {meta.get('status')} · {meta.get('pages_crawled')} pages · "
                  f"{meta.get('elapsed_s', '?')} s · score [bold]{score.get('score')}[/bold]/100"
                  f" · GEO score [bold]{geo.get('score')}[/bold]/100")
    if meta.get("error"):
        console.print(f"[red]error: {meta['error']}[/red]")
    categories = score.get("categories") or {}
    if categories:
        cat_table = Table(title="Category scores", show_lines=False)
        cat_table.add_column("category")
        cat_table.add_column("score", justify="right")
        cat_table.add_column("findings", justify="right")
        for name, data in sorted(categories.items()):
            cat_table.add_row(name, f"{data['score']}", str(data["findings"]))
        console.print(cat_table)
    components = geo.get("components") or {}
    if components:
        geo_table = Table(title="GEO score components", show_lines=False)
        for column in ("component", "weight", "score", "findings"):
            geo_table.add_column(column, justify="left" if column == "component" else "right")
        for data in components.values():
            shown = "n/a" if data["score"] is None else f"{data['score']}"
            geo_table.add_row(data["label"], f"{data['weight']:g}", shown, str(data["findings"]))
        console.print(geo_table)
    table = Table(title="Findings by check")
    table.add_column("severity")
    table.add_column("check")
    table.add_column("title")
    table.add_column("count", justify="right")
    for row in checks:
        style = SEVERITY_STYLE.get(row["severity"], "")
        table.add_row(f"[{style}]{row['severity']}[/{style}]", row["code"], row["title"],
                      str(row["count"]))
    if not checks:
        console.print("No findings.")
    else:
        console.print(table)
