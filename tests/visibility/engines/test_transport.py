"""The shared HTTP path: redirects, size cap, deadlines, connection failures, retry waits,
key redaction; plus the citation helpers (property tests)."""

from __future__ import annotations

import email.utils
import socket
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from visibility.engines.base import EngineError
from visibility.engines.citations import clean_url, numbered, urls_in_text
from visibility.engines.config import EngineConfig
from visibility.engines.openai_compatible import OpenAICompatibleEngine
from visibility.engines.transport import redact, retry_after_s

from .conftest import config_for
from .fakes import Reply, chat_answer, fake_provider


def compat(fake, **overrides) -> OpenAICompatibleEngine:
    return OpenAICompatibleEngine(config_for(fake, "openai_compatible", path="/v1", model="m",
                                             **overrides))


def test_redirects_are_not_followed():
    with fake_provider("compat") as target, fake_provider("compat") as fake:
        fake.then(Reply(status=307, headers={"Location": target.base_url + "/v1/chat/completions"}))
        with pytest.raises(EngineError, match="redirect, not followed"):
            compat(fake).ask("q")
    assert target.requests == []


def test_oversized_body_is_refused():
    with fake_provider("compat") as fake:
        fake.then(Reply(body=chat_answer("x" * 5000)))
        with pytest.raises(EngineError, match="allowed"):
            compat(fake, max_response_bytes=2000).ask("q")


def test_a_trickled_body_cannot_outlive_the_deadline():
    with fake_provider("compat") as fake:
        fake.then(Reply(body=chat_answer("slow " * 40), trickle=20, trickle_gap=0.05))
        started = time.monotonic()
        with pytest.raises(EngineError, match="did not answer within"):
            compat(fake, timeout_s=0.3).ask("q")
        assert time.monotonic() - started < 0.9


def test_connection_refused_is_retried_then_reported_quickly():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = EngineConfig(name="openai_compatible", base_url=f"http://127.0.0.1:{port}/v1",
                          model="m", timeout_s=2.0, connect_timeout_s=0.5, max_retries=2,
                          retry_backoff_s=0.01)
    started = time.monotonic()
    with pytest.raises(EngineError, match="Cannot connect"):
        OpenAICompatibleEngine(config).ask("q")
    assert time.monotonic() - started < 1.0


def test_503_retry_after_is_honoured_within_the_deadline():
    with fake_provider("compat") as fake:
        fake.then(Reply(status=503, headers={"Retry-After": "0.2"}, body={"error": {"message": "busy"}}),
                  Reply(body=chat_answer("ok")))
        started = time.monotonic()
        assert compat(fake).ask("q").text == "ok"
        assert time.monotonic() - started >= 0.2
    # A Retry-After longer than the deadline is not waited for.
    with fake_provider("compat") as fake:
        fake.then(Reply(status=503, headers={"Retry-After": "30"}, body={"error": {"message": "busy"}}))
        started = time.monotonic()
        with pytest.raises(EngineError, match="HTTP 503: busy"):
            compat(fake, timeout_s=1.0).ask("q")
        assert time.monotonic() - started < 0.5


def test_other_4xx_relays_the_provider_message():
    with fake_provider("compat") as fake:
        fake.then(Reply(status=400, body={"error": {"message": "model 'm' not found"}}))
        with pytest.raises(EngineError, match=r"HTTP 400\): model 'm' not found"):
            compat(fake).ask("q")


def test_retry_after_forms():
    assert retry_after_s({"retry-after": "12"}) == 12.0
    assert retry_after_s({"retry-after-ms": "250"}) == 0.25
    later = email.utils.formatdate(time.time() + 60, usegmt=True)
    assert 55 <= retry_after_s({"retry-after": later}) <= 61
    past = email.utils.formatdate(time.time() - 60, usegmt=True)
    assert retry_after_s({"retry-after": past}) == 0.0
    assert retry_after_s({"retry-after": "soon"}) is None
    assert retry_after_s({}) is None


def test_redact_removes_the_key_and_key_shaped_tokens():
    text = "bad key sk-proj-abcdef123456 and AIzaSyABCDEFGHIJKLMNOP and mysecretkey"
    cleaned = redact(text, "mysecretkey")
    assert "sk-proj" not in cleaned and "AIza" not in cleaned and "mysecretkey" not in cleaned


def test_clean_url_drops_tracking_and_fragment_and_refuses_non_http():
    assert clean_url("HTTPS://Example.COM/a?utm_source=openai&id=3#x") == "https://example.com/a?id=3"
    assert clean_url("javascript:alert(1)") is None
    assert clean_url("mailto:a@b.c") is None


_segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


@given(host=st.lists(_segment, min_size=1, max_size=3), path=st.lists(_segment, max_size=4),
       trail=st.sampled_from(["", ".", ",", ")", "!", "?", ":", ";", "**", "."]),
       before=st.sampled_from(["", "see ", "(", "[link](", "<", "\n"]))
def test_urls_in_text_finds_written_urls_without_trailing_punctuation(host, path, trail, before):
    url = "https://" + ".".join(host) + ".com/" + "/".join(path)
    assert urls_in_text(f"{before}{url}{trail} more text") == [url]


@given(st.lists(st.sampled_from(["https://a.example/", "https://b.example/x", "https://a.example/#f",
                                 "https://c.example/?utm_medium=x", "not a url", ""]), max_size=12))
def test_numbered_is_deduplicated_first_seen_and_gapless(urls):
    citations = numbered((u, "", "") for u in urls)
    assert [c.position for c in citations] == list(range(1, len(citations) + 1))
    assert len({c.url for c in citations}) == len(citations)
    expected = list(dict.fromkeys(c for c in (clean_url(u) for u in urls) if c))
    assert [c.url for c in citations] == expected


@pytest.mark.parametrize("question", ["", "   ", "x" * 4001])
def test_empty_or_huge_questions_are_refused_before_sending(question):
    with fake_provider("compat") as fake:
        with pytest.raises(EngineError, match=r"empty|longer than"):
            compat(fake).ask(question)
    assert fake.requests == []
