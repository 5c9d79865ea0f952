"""Reading an import CSV (header row, one object per line), shared by the keyword and the
AI-visibility prompt imports: the caller validates each row and reports errors by line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .exceptions import InvalidImport

CSV_MAX_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class CsvLine:
    #: 1-based line number in the file (the header is line 1).
    line: int
    #: Lower-case column name -> stripped value; empty when `errors` is set.
    values: dict[str, str]
    #: Structural problems of the line ({"row": [...]}); the caller validates fields.
    errors: dict[str, list[str]]


def csv_header(text: str, *, columns: Sequence[str], required: str) -> tuple[csv.DictReader, list[str]]:
    """The reader and the ignored (unknown) columns; InvalidImport without the required one."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if required not in header:
        raise InvalidImport(f"the CSV needs a header row with a '{required}' column")
    return reader, sorted(set(header) - set(columns))


def csv_lines(reader: csv.DictReader, *, max_rows: int = CSV_MAX_ROWS) -> Iterator[CsvLine]:
    """Each data line; a line with too many fields is an error, reading stops after
    `max_rows` lines (reported on the first line past it)."""
    for index, raw in enumerate(reader):
        line = index + 2  # 1-based, after the header
        if index >= max_rows:
            yield CsvLine(line, {}, {"row": [f"more than {max_rows} rows"]})
            return
        if None in raw:
            yield CsvLine(line, {}, {"row": ["more fields than columns"]})
            continue
        yield CsvLine(line, {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()
                             if isinstance(v, str)}, {})
