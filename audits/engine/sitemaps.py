"""Sitemaps (sitemaps.org): discover, fetch and read them within fixed bounds.

Sources: the robots.txt `Sitemap:` lines, else /sitemap.xml. Index files are followed
breadth-first, each file at most once, at most `max_sitemaps` files in all, and page URLs stop
at `max_sitemap_urls`. gzip is recognised by its magic bytes (servers label .gz files in many
ways) and inflated in bounded steps, so a 1 KB file claiming 10 GB stops at
`max_sitemap_bytes`.

XML is read by expat directly, streaming, with every DTD feature refused: a sitemap never
needs a DOCTYPE, and refusing it at the first byte of the declaration stops entity expansion
("billion laughs") and external entities (XXE) before they start. That is the same handler
setup defusedxml applies, without a dependency for three handlers. Plain-text sitemaps (one
URL per line) are read too.

While parsing, `<lastmod>` values are checked (W3C Datetime, not in the future) and
`<xhtml:link rel="alternate" hreflang>` annotations are kept, both within fixed bounds: counts
plus a few examples, and at most MAX_HREFLANG_PAIRS annotations over all files.
"""

from __future__ import annotations

import codecs
import re
import time
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from xml.parsers import expat

from .types import CrawlOptions
from .urls import InvalidURL, host_of, normalize_url

if TYPE_CHECKING:
    from .fetch import Fetcher
    from .robots import RobotsPolicy

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 256 * 1024
#: Longest <loc> text kept; sitemaps.org allows 2,048 characters.
_MAX_LOC_CHARS = 8192
_MAX_GZIP_MEMBERS = 64
#: sitemaps.org limits per file (URLs, and uncompressed bytes: 50 MB = 52,428,800 bytes).
PROTOCOL_MAX_URLS = 50_000
PROTOCOL_MAX_BYTES = 50 * 1024 * 1024
#: Examples kept per file for invalid or future lastmod values and off-host URLs.
MAX_EXAMPLES = 5
#: hreflang annotations kept over all sitemap files, and per URL.
MAX_HREFLANG_PAIRS = 20_000
MAX_HREFLANGS_PER_URL = 50
_XHTML_NS = "http://www.w3.org/1999/xhtml"
#: A lastmod this far ahead of our clock is "in the future" (time zones and clock skew).
FUTURE_SLACK = timedelta(days=1)
#: W3C Datetime (https://www.w3.org/TR/NOTE-datetime): YYYY, YYYY-MM, YYYY-MM-DD, or a date with
#: hh:mm[:ss[.s]] and a time zone. A time without a zone is accepted (search engines read it).
_W3C_DATETIME = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(Z|[+-]\d{2}:\d{2})?)?)?)?", re.ASCII)


@dataclass(frozen=True, slots=True)
class SitemapInfo:
    """One sitemap file as found: what it is, how many URLs it held, what went wrong."""

    url: str
    #: HTTP status; 0 when no response arrived.
    status: int
    #: urlset | index | text | invalid | missing
    kind: str
    url_count: int = 0
    error: str | None = None
    #: robots | default | index
    source: str = "default"
    #: Decompressed bytes read.
    size: int = 0
    #: True when the byte or URL cap stopped reading before the end of the file.
    truncated: bool = False
    #: <loc> values that are not absolute http(s) URLs.
    invalid_urls: int = 0
    #: URLs on another host than the sitemap itself (allowed only when cross-submitted).
    off_host_urls: int = 0
    off_host_examples: tuple[str, ...] = ()
    #: <lastmod> values that are not W3C Datetime / that lie in the future: counts and
    #: (loc, value) examples.
    lastmod_invalid: int = 0
    lastmod_invalid_examples: tuple[tuple[str, str], ...] = ()
    lastmod_future: int = 0
    lastmod_future_examples: tuple[tuple[str, str], ...] = ()

    @property
    def over_url_limit(self) -> bool:
        """More than the protocol's 50,000 entries in this one file."""
        return self.url_count > PROTOCOL_MAX_URLS

    @property
    def over_size_limit(self) -> bool:
        """More than the protocol's 50 MB uncompressed (reading stopped at the cap)."""
        return self.truncated and self.size >= PROTOCOL_MAX_BYTES


@dataclass
class SitemapResult:
    #: Normalized page URLs from all sitemaps, at most options.max_sitemap_urls.
    urls: set[str] = field(default_factory=set)
    sitemaps: list[SitemapInfo] = field(default_factory=list)
    url_cap_reached: bool = False
    #: Reading stopped at options.max_sitemap_seconds with files still to read.
    time_budget_reached: bool = False
    #: Sitemap listings not fetched because of options.max_sitemaps, the URL cap or the time
    #: budget.
    skipped_sitemaps: int = 0
    #: Normalized page URL -> (hreflang, normalized href) from <xhtml:link rel="alternate">,
    #: at most MAX_HREFLANG_PAIRS annotations in all.
    hreflangs: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    hreflang_pairs: int = 0


class SitemapError(ValueError):
    """The file is not a sitemap we can read (bad XML, refused DTD, bad gzip, ...)."""


class _Enough(Exception):
    """Internal: the URL cap was reached; stop parsing."""


@dataclass(slots=True)
class LastmodStats:
    """Bounded tally of bad <lastmod> values in one file."""

    invalid: int = 0
    invalid_examples: list[tuple[str, str]] = field(default_factory=list)
    future: int = 0
    future_examples: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class ParsedSitemap:
    kind: str
    locs: list[str]
    error: str | None
    size: int
    truncated: bool
    lastmods: LastmodStats = field(default_factory=LastmodStats)
    #: (loc as written, ((hreflang, href as written), ...)) for urlset entries, bounded.
    alternates: list[tuple[str, tuple[tuple[str, str], ...]]] = field(default_factory=list)


def parse_lastmod(value: str) -> datetime | None:
    """A W3C Datetime as an aware datetime (UTC when no zone is given); None when invalid."""
    match = _W3C_DATETIME.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    tz = UTC
    if zone and zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            return None
        offset = timedelta(hours=hours, minutes=minutes)
        tz = timezone(-offset if zone[0] == "-" else offset)
    try:
        return datetime(int(year), int(month or 1), int(day or 1), int(hour or 0),
                        int(minute or 0), int(second or 0), tzinfo=tz)
    except ValueError:
        return None


def parse_sitemap(data: bytes, *, max_bytes: int, max_locs: int,
                  truncated_input: bool = False, now: datetime | None = None,
                  max_alternates: int = MAX_HREFLANG_PAIRS) -> ParsedSitemap:
    """Read a sitemap (XML urlset/index, plain text, optionally gzip) from `data`.

    Never raises for bad input: an unreadable file comes back as kind "invalid" with the
    error. `truncated_input` says `data` is only a prefix of the file (fetch cap). `now`
    (default: the current time) decides which lastmod values lie in the future;
    `max_alternates` bounds the hreflang annotations kept.
    """
    stream = _Inflater(data, max_bytes, truncated_input)
    now = now or datetime.now(UTC)
    reader: _XmlReader | _TextReader | None = None
    try:
        for chunk in stream:
            if reader is None:
                head = chunk.lstrip(b"\xef\xbb\xbf \t\r\n")
                if not head:
                    continue
                if head[:1] == b"<" or head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 XML
                    reader = _XmlReader(max_locs, now, max_alternates)
                elif head[:7].lower() in (b"http://", b"https:/"):
                    reader = _TextReader(max_locs)
                else:
                    raise SitemapError("neither XML nor a list of URLs")
            reader.feed(chunk)
        if reader is None:
            raise SitemapError("empty file")
        if not stream.truncated:
            reader.close()
    except _Enough:
        stream.truncated = True
    except SitemapError as exc:
        # URLs read before the error are dropped: search engines reject the whole file.
        return ParsedSitemap("invalid", [], str(exc), stream.size, stream.truncated)
    except expat.ExpatError as exc:
        return ParsedSitemap("invalid", [], f"invalid XML: {expat.ErrorString(exc.code)} "
                             f"(line {exc.lineno}, column {exc.offset})", stream.size,
                             stream.truncated)
    assert reader is not None
    error = None
    if stream.truncated:
        error = (f"only the first {len(reader.locs)} URLs were read" if len(reader.locs) >= max_locs
                 else f"larger than {max_bytes} bytes: only the first {stream.size} bytes were read")
    if isinstance(reader, _XmlReader):
        return ParsedSitemap(reader.kind or "invalid", reader.locs, error, stream.size,
                             stream.truncated, reader.lastmods, reader.alternates)
    return ParsedSitemap(reader.kind or "invalid", reader.locs, error, stream.size, stream.truncated)


class _Inflater:
    """Iterate over the (decompressed when gzip) bytes of `data`, at most `max_bytes`."""

    def __init__(self, data: bytes, max_bytes: int, truncated_input: bool) -> None:
        self.data = data
        self.max_bytes = max_bytes
        self.truncated = truncated_input
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        chunks = self._gunzip() if self.data[:2] == _GZIP_MAGIC else self._plain()
        for chunk in chunks:
            room = self.max_bytes - self.size
            if len(chunk) > room:
                chunk = chunk[:room]
                self.truncated = True
            self.size += len(chunk)
            if chunk:
                yield chunk
            if self.truncated and self.size >= self.max_bytes:
                return

    def _plain(self) -> Iterator[bytes]:
        view = memoryview(self.data)
        for start in range(0, len(view), _CHUNK):
            yield bytes(view[start:start + _CHUNK])

    def _gunzip(self) -> Iterator[bytes]:
        pending = self.data
        for _member in range(_MAX_GZIP_MEMBERS):
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                while True:
                    # max_length bounds every step: a bomb never inflates more than a chunk.
                    # No output means the input is used up (unconsumed_tail is only left over
                    # when the output hit max_length) or the member ended.
                    out = inflater.decompress(pending, _CHUNK)
                    pending = inflater.unconsumed_tail
                    if not out:
                        break
                    yield out
            except zlib.error as exc:
                raise SitemapError(f"invalid gzip data: {exc}") from exc
            if not inflater.eof:
                if self.truncated:  # the fetch kept only a prefix of the compressed file
                    return
                raise SitemapError("gzip data ends early (file cut short)")
            pending = inflater.unused_data
            if pending[:2] != _GZIP_MAGIC:  # trailing garbage after the last member is ignored
                return


class _XmlReader:
    """Streaming <urlset>/<sitemapindex> reader on expat with DTDs refused."""

    def __init__(self, max_locs: int, now: datetime, max_alternates: int) -> None:
        self.kind: str | None = None
        self.locs: list[str] = []
        self.max_locs = max_locs
        self.lastmods = LastmodStats()
        self.alternates: list[tuple[str, tuple[tuple[str, str], ...]]] = []
        self._alternates_left = max_alternates
        self._future_after = now + FUTURE_SLACK
        self._stack: list[tuple[str, str]] = []
        self._text: list[str] | None = None
        self._text_len = 0
        #: The child of the current <url>/<sitemap> whose text is being read.
        self._field = ""
        self._entry_loc = ""
        self._entry_lastmod: str | None = None
        self._entry_alternates: list[tuple[str, str]] = []
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        parser.UnparsedEntityDeclHandler = self._entity
        parser.ExternalEntityRefHandler = self._external
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._chars
        self._parser = parser

    def feed(self, chunk: bytes) -> None:
        self._parser.Parse(chunk, False)

    def close(self) -> None:
        self._parser.Parse(b"", True)

    def _doctype(self, name: str, *args: Any) -> None:
        if name.lower() == "html":
            raise SitemapError("an HTML page, not a sitemap")
        raise SitemapError("DOCTYPE declarations are refused (a sitemap needs none; DTDs "
                           "allow entity-expansion and XXE attacks)")

    def _entity(self, name: str, *args: Any) -> None:
        raise SitemapError(f"entity declarations are refused ({name})")

    def _external(self, *args: Any) -> int:
        raise SitemapError("external entities are refused")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition(" ")
        stack = self._stack
        if not stack:
            if local == "urlset":
                self.kind = "urlset"
            elif local == "sitemapindex":
                self.kind = "index"
            elif local == "html":
                raise SitemapError("an HTML page, not a sitemap")
            else:
                raise SitemapError(f"root element <{local}> is neither <urlset> nor <sitemapindex>")
        elif len(stack) == 2 and stack[1][1] in ("url", "sitemap"):
            if local in ("loc", "lastmod") and ns == stack[1][0]:
                self._field = local
                self._text = []
                self._text_len = 0
            elif local == "link" and ns == _XHTML_NS:
                self._alternate(attrs)
        elif len(stack) == 1:
            self._entry_loc = ""
            self._entry_lastmod = None
            self._entry_alternates = []
        stack.append((ns, local))

    def _alternate(self, attrs: dict[str, str]) -> None:
        if (self._alternates_left <= 0 or len(self._entry_alternates) >= MAX_HREFLANGS_PER_URL
                or attrs.get("rel", "").strip().lower() != "alternate"):
            return
        lang, href = attrs.get("hreflang", "").strip(), attrs.get("href", "").strip()
        if lang and href:
            self._entry_alternates.append((lang[:40], href[:_MAX_LOC_CHARS]))
            self._alternates_left -= 1

    def _end(self, name: str) -> None:
        self._stack.pop()
        depth = len(self._stack)
        if self._text is not None and depth == 2:
            value = "".join(self._text).strip()
            self._text = None
            if self._field == "lastmod":
                self._entry_lastmod = value
            elif value:
                self._entry_loc = value
                self.locs.append(value)
                if len(self.locs) >= self.max_locs:
                    raise _Enough
        elif depth == 1:
            self._end_entry()

    def _end_entry(self) -> None:
        lastmod = self._entry_lastmod
        if lastmod is not None:
            stats = self.lastmods
            when = parse_lastmod(lastmod)
            if when is None:
                stats.invalid += 1
                if len(stats.invalid_examples) < MAX_EXAMPLES:
                    stats.invalid_examples.append((self._entry_loc, lastmod[:100]))
            elif when > self._future_after:
                stats.future += 1
                if len(stats.future_examples) < MAX_EXAMPLES:
                    stats.future_examples.append((self._entry_loc, lastmod[:100]))
        if self._entry_alternates and self._entry_loc and self.kind == "urlset":
            self.alternates.append((self._entry_loc, tuple(self._entry_alternates)))
        self._entry_alternates = []

    def _chars(self, data: str) -> None:
        if self._text is not None and self._text_len < _MAX_LOC_CHARS:
            self._text.append(data)
            self._text_len += len(data)


class _TextReader:
    """Plain-text sitemap: one URL per line, UTF-8."""

    kind = "text"

    def __init__(self, max_locs: int) -> None:
        self.locs: list[str] = []
        self.max_locs = max_locs
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""

    def feed(self, chunk: bytes) -> None:
        lines = (self._partial + self._decoder.decode(chunk)).split("\n")
        self._partial = lines.pop()[:_MAX_LOC_CHARS]
        self._take(lines)

    def close(self) -> None:
        self._take([self._partial + self._decoder.decode(b"", final=True)])

    def _take(self, lines: list[str]) -> None:
        for line in lines:
            line = line.strip()
            if line:
                self.locs.append(line[:_MAX_LOC_CHARS])
                if len(self.locs) >= self.max_locs:
                    raise _Enough


async def discover_sitemaps(fetcher: Fetcher, origin: str, robots: RobotsPolicy,
                            options: CrawlOptions) -> SitemapResult:
    """Find and read the site's sitemaps; never raises for network or content trouble."""
    result = SitemapResult()
    if robots.sitemaps:
        queue = deque((url, "robots") for url in robots.sitemaps)
    else:
        queue = deque([(origin.rstrip("/") + "/sitemap.xml", "default")])
    seen = {url for url, _ in queue}
    deadline = time.monotonic() + options.max_sitemap_seconds
    while queue:
        result.time_budget_reached = time.monotonic() >= deadline
        if (len(result.sitemaps) >= options.max_sitemaps or result.url_cap_reached
                or result.time_budget_reached):
            result.skipped_sitemaps += len(queue)
            break
        url, source = queue.popleft()
        info, children = await _load(fetcher, url, source, result, options)
        result.sitemaps.append(info)
        for child in children:
            if child in seen:
                continue
            # Only as many children as can still be read are remembered: indexes listing
            # 50,000 indexes each would otherwise queue millions of URLs never fetched.
            if len(result.sitemaps) + len(queue) >= options.max_sitemaps:
                result.skipped_sitemaps += 1
                continue
            seen.add(child)
            queue.append((child, "index"))
    return result


async def _load(fetcher: Fetcher, url: str, source: str, result: SitemapResult,
                options: CrawlOptions) -> tuple[SitemapInfo, list[str]]:
    """Fetch and read one sitemap file; page URLs go into `result`, child sitemaps are returned."""
    fetched = await fetcher.fetch(url, max_bytes=options.max_sitemap_bytes, keep_prefix=True)
    if fetched.error is not None or not 200 <= fetched.status < 300 or fetched.body is None:
        error = (f"{fetched.error}: {fetched.error_detail}" if fetched.error
                 else f"HTTP {fetched.status}")
        return SitemapInfo(url, fetched.status, "missing", error=error, source=source), []
    # One entry over the protocol's limit is read, so a file holding too many is recognised.
    max_locs = options.max_sitemap_urls + (options.max_sitemap_urls >= PROTOCOL_MAX_URLS)
    parsed = parse_sitemap(fetched.body, max_bytes=options.max_sitemap_bytes, max_locs=max_locs,
                           truncated_input=fetched.truncated,
                           max_alternates=MAX_HREFLANG_PAIRS - result.hreflang_pairs)
    valid: list[str] = []
    invalid = off_host = 0
    off_host_examples: list[str] = []
    own_host = host_of(url)
    for loc in parsed.locs:
        try:
            normalized = normalize_url(loc)
        except InvalidURL:
            invalid += 1
            continue
        if host_of(normalized) != own_host:
            off_host += 1
            if len(off_host_examples) < MAX_EXAMPLES:
                off_host_examples.append(normalized)
        valid.append(normalized)
    _keep_alternates(parsed, result)
    stats = parsed.lastmods
    children: list[str] = []
    if parsed.kind == "index":
        children = valid
    elif parsed.kind in ("urlset", "text"):
        for page in valid:
            if len(result.urls) >= options.max_sitemap_urls:
                break
            result.urls.add(page)
        result.url_cap_reached = len(result.urls) >= options.max_sitemap_urls
    return SitemapInfo(url, fetched.status, parsed.kind, url_count=len(parsed.locs),
                       error=parsed.error, source=source, size=parsed.size,
                       truncated=parsed.truncated, invalid_urls=invalid,
                       off_host_urls=off_host, off_host_examples=tuple(off_host_examples),
                       lastmod_invalid=stats.invalid,
                       lastmod_invalid_examples=tuple(stats.invalid_examples),
                       lastmod_future=stats.future,
                       lastmod_future_examples=tuple(stats.future_examples)), children


def _keep_alternates(parsed: ParsedSitemap, result: SitemapResult) -> None:
    """Normalize the file's hreflang annotations into `result.hreflangs` (bounded)."""
    for loc, pairs in parsed.alternates:
        try:
            page = normalize_url(loc)
        except InvalidURL:
            continue
        kept: list[tuple[str, str]] = []
        for lang, href in pairs:
            try:
                kept.append((lang, normalize_url(href)))
            except InvalidURL:
                continue
        if kept and result.hreflang_pairs + len(kept) <= MAX_HREFLANG_PAIRS:
            previous = result.hreflangs.get(page, ())
            result.hreflangs[page] = previous + tuple(kept)[:MAX_HREFLANGS_PER_URL - len(previous)]
            result.hreflang_pairs += len(result.hreflangs[page]) - len(previous)
