"""`python -m visibility.engines`: list, ask, and the not-configured path."""

from __future__ import annotations

import json

from visibility.engines.__main__ import main

from .fakes import GEMINI_KEY, REDIRECT, Reply, fake_provider, gemini_answer, gemini_error


def test_nothing_configured_exits_2_with_the_variables(unconfigured, capsys):
    assert main(["best grinder?"]) == 2
    assert "GEMINI_API_KEY" in capsys.readouterr().err


def test_list_shows_every_engine(all_keys, capsys):
    all_keys.AI_VISIBILITY_ENGINES = ["gemini"]
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "gemini" in out and "enabled" in out
    assert "not listed in AI_VISIBILITY_ENGINES" in out


def test_ask_prints_the_answer_and_citations(unconfigured, capsys):
    with fake_provider("gemini") as gemini:
        gemini.then(Reply(body=gemini_answer("Ember is good.", [(REDIRECT + "x", "ember.example")],
                                             supports=[(0, 14, [0])])),
                    Reply(body=gemini_answer("Again.")))
        unconfigured.GEMINI_API_KEY = GEMINI_KEY
        unconfigured.GEMINI_BASE_URL = gemini.base_url
        assert main(["--engine", "gemini", "best grinder?", "--country", "us"]) == 0
        out = capsys.readouterr().out
        assert "Ember is good." in out and f"[1] {REDIRECT}x [ember.example]" in out
        assert main(["--json", "best grinder?"]) == 0
        row = json.loads(capsys.readouterr().out)
        assert row["engine"] == "gemini" and row["text"] == "Again."


def test_a_failing_engine_exits_1_with_its_error(unconfigured, capsys):
    with fake_provider("gemini") as gemini:
        gemini.then(gemini_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for today"))
        unconfigured.GEMINI_API_KEY = GEMINI_KEY
        unconfigured.GEMINI_BASE_URL = gemini.base_url
        assert main(["q"]) == 1
    assert "EngineQuotaExceeded" in capsys.readouterr().err
    assert main(["--engine", "bing", "q"]) == 2
