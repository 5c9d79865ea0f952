import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.engine.urls import InvalidURL, normalize_url, resolve_href


@pytest.mark.parametrize(("raw", "expected"), [
    ("HTTP://Example.COM", "http://example.com/"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    ("https://example.com/a/./b/../c", "https://example.com/a/c"),
    ("https://example.com/a#frag", "https://example.com/a"),
    ("https://example.com/%7euser/%2f", "https://example.com/~user/%2F"),
    ("https://example.com/a b", "https://example.com/a%20b"),
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ("https://example.com/?b=2&a=1", "https://example.com/?b=2&a=1"),
    ("https://[::1]:8000/x", "https://[::1]:8000/x"),
])
def test_normalize(raw, expected):
    assert normalize_url(raw) == expected


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "mailto:a@b.c", "ftp://x/", "http://[::1",
                                 "https://", "not a url", "http://exa mple.com/"])
def test_invalid(raw):
    with pytest.raises(InvalidURL):
        normalize_url(raw)


def test_resolve_relative():
    assert resolve_href("https://e.com/a/b.html", "../c?x=1#y") == "https://e.com/c?x=1"
    assert resolve_href("https://e.com/a/", "//other.org/p") == "https://other.org/p"


@given(st.text(max_size=200))
def test_normalize_never_crashes_and_is_idempotent(text):
    for candidate in (text, "https://example.com/" + text, "http://" + text):
        try:
            once = normalize_url(candidate)
        except InvalidURL:
            continue
        assert normalize_url(once) == once
        assert once.startswith(("http://", "https://"))
