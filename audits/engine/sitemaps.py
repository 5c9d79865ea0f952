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
"""

from __future__ import annotations

import codecs
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
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


@dataclass
class SitemapResult:
    #: Normalized page URLs from all sitemaps, at most options.max_sitemap_urls.
    urls: set[str] = field(default_factory=set)
    sitemaps: list[SitemapInfo] = field(default_factory=list)
    url_cap_reached: bool = False
    #: Sitemap files listed but not fetched because of options.max_sitemaps or the URL cap.
    skipped_sitemaps: int = 0


class SitemapError(ValueError):
    """The file is not a sitemap we can read (bad XML, refused DTD, bad gzip, ...)."""


class _Enough(Exception):
    """Internal: the URL cap was reached; stop parsing."""


@dataclass(slots=True)
class ParsedSitemap:
    kind: str
    locs: list[str]
    error: str | None
    size: int
    truncated: bool


def parse_sitemap(data: bytes, *, max_bytes: int, max_locs: int,
                  truncated_input: bool = False) -> ParsedSitemap:
    """Read a sitemap (XML urlset/index, plain text, optionally gzip) from `data`.

    Never raises for bad input: an unreadable file comes back as kind "invalid" with the
    error. `truncated_input` says `data` is only a prefix of the file (fetch cap).
    """
    stream = _Inflater(data, max_bytes, truncated_input)
    reader: _XmlReader | _TextReader | None = None
    try:
        for chunk in stream:
            if reader is None:
                head = chunk.lstrip(b"\xef\xbb\xbf \t\r\n")
                if not head:
                    continue
                if head[:1] == b"<" or head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 XML
                    reader = _XmlReader(max_locs)
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

    def __init__(self, max_locs: int) -> None:
        self.kind: str | None = None
        self.locs: list[str] = []
        self.max_locs = max_locs
        self._stack: list[tuple[str, str]] = []
        self._text: list[str] | None = None
        self._text_len = 0
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
        elif local == "loc" and len(stack) == 2 and stack[1] in ((ns, "url"), (ns, "sitemap")):
            self._text = []
            self._text_len = 0
        stack.append((ns, local))

    def _end(self, name: str) -> None:
        self._stack.pop()
        if self._text is not None and len(self._stack) == 2:
            loc = "".join(self._text).strip()
            self._text = None
            if loc:
                self.locs.append(loc)
                if len(self.locs) >= self.max_locs:
                    raise _Enough

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
    while queue:
        if len(result.sitemaps) >= options.max_sitemaps or result.url_cap_reached:
            result.skipped_sitemaps = len(queue)
            break
        url, source = queue.popleft()
        info, children = await _load(fetcher, url, source, result, options)
        result.sitemaps.append(info)
        for child in children:
            if child not in seen:
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
    parsed = parse_sitemap(fetched.body, max_bytes=options.max_sitemap_bytes,
                           max_locs=options.max_sitemap_urls, truncated_input=fetched.truncated)
    valid: list[str] = []
    invalid = off_host = 0
    own_host = host_of(url)
    for loc in parsed.locs:
        try:
            normalized = normalize_url(loc)
        except InvalidURL:
            invalid += 1
            continue
        if host_of(normalized) != own_host:
            off_host += 1
        valid.append(normalized)
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
                       off_host_urls=off_host), children
