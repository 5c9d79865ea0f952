from audits.engine.frontier import SITEMAP_ONLY_DEPTH, CrawlFrontier
from tests.conftest import crawl_options

START = "https://example.com/"


def make(**kw):
    return CrawlFrontier(crawl_options(START, **kw), START)


def test_scope_same_host_only():
    f = make()
    assert f.add("https://example.com/a", 1, START)
    assert f.add("http://example.com/b", 1, START)  # same host, other scheme: in scope
    assert not f.add("https://blog.example.com/", 1, START)
    assert not f.add("https://example.com:8443/", 1, START)
    assert not f.add("https://other.org/", 1, START)


def test_subdomains_option():
    f = make(include_subdomains=True)
    assert f.add("https://blog.example.com/", 1, START)
    assert not f.add("https://example.org/", 1, START)


def test_include_exclude_patterns():
    f = make(include_patterns=(r"/docs/",), exclude_patterns=(r"\.pdf$",))
    assert f.add("https://example.com/docs/a", 1, START)
    assert not f.add("https://example.com/blog/a", 1, START)
    assert not f.add("https://example.com/docs/a.pdf", 1, START)


def test_dedup_and_page_cap():
    f = make(max_pages=2)
    assert f.add("https://example.com/1", 1, START)
    assert not f.add("https://example.com/1", 1, START)
    assert f.add("https://example.com/2", 1, START)
    assert not f.add("https://example.com/3", 1, START)
    assert f.rejected["max_pages"] == 1


def test_trap_guards():
    f = make(max_query_variants_per_path=3, max_url_length=100, max_repeated_segments=2)
    for day in range(3):
        assert f.add(f"https://example.com/cal?day={day}", 1, START)
    assert not f.add("https://example.com/cal?day=99", 1, START)
    assert not f.add("https://example.com/" + "x" * 200, 1, START)
    assert not f.add("https://example.com/a/a/a/b", 1, START)
    assert set(f.rejected) >= {"query_variants", "url_too_long", "repeated_path_segments"}
    assert f.trap_examples["query_variants"]


def test_trap_urls_are_known_as_traps_and_remembered_within_a_bound(monkeypatch):
    import audits.engine.frontier as frontier_module

    monkeypatch.setattr(frontier_module, "MAX_TRAP_URLS_REMEMBERED", 5)
    f = make(max_query_variants_per_path=3, max_url_length=100)
    for day in range(3):
        assert f.add(f"https://example.com/cal?day={day}", 1, START)
    for day in range(3, 13):
        assert not f.add(f"https://example.com/cal?day={day}", 1, START)
    # Accepted variants stay pages (their links count); refused ones are traps.
    assert not f.is_trap("https://example.com/cal?day=0")
    assert f.is_trap("https://example.com/cal?day=12")
    assert f.is_trap("https://example.com/cal?day=999")  # never seen, same trapped path
    assert f.is_trap("https://example.com/" + "x" * 200)
    assert not f.is_trap("https://example.com/other")
    # Each trap URL counted once while remembered; only 5 are remembered, none twice.
    assert not f.add("https://example.com/cal?day=3", 1, START)
    assert f.rejected["query_variants"] == 10  # day=3 again: remembered, not recounted
    assert len(f._traps) == 5 and len(f.seen) == 3
    assert f.traps() == {"query_variants": (10, tuple(f.trap_examples["query_variants"]))}


def test_depth_limit():
    f = make(max_depth=1)
    assert f.add("https://example.com/a", 1, START)
    assert not f.add("https://example.com/b", 2, START)


def test_sitemap_urls_wait_for_links():
    f = make()
    f.add(START, 0, "")
    f.add_sitemap_url("https://example.com/orphan")
    assert f.pop(links_exhausted=False).url == START
    assert f.pop(links_exhausted=False) is None
    item = f.pop(links_exhausted=True)
    assert item.url == "https://example.com/orphan" and item.depth == SITEMAP_ONLY_DEPTH
    assert f.pop(links_exhausted=True) is None
