"""End to end with the real engine clients and registry (visibility/engines, their local fake
provider servers speaking the OpenAI Responses and Gemini protocols on 127.0.0.1): a prompt
is asked through `track_ai_visibility`, the clients parse the providers' bodies, and the
analysis credits the site's citation — through Gemini's redirect links too. Skipped where
the engine clients are not present."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

pytest.importorskip("visibility.engines.registry")
fakes = pytest.importorskip("tests.visibility.engines.fakes")

from visibility.models import AnswerRun  # noqa: E402

pytestmark = pytest.mark.django_db

TEXT = ("For managed Postgres, Acme Cloud offers point-in-time recovery; Globex Data is strong "
        "in the EU.")


@pytest.fixture
def providers(settings):
    with fakes.fake_provider("openai") as openai, fakes.fake_provider("gemini") as gemini:
        openai.default = lambda body: fakes.Reply(body=fakes.openai_answer(
            TEXT, [("https://globex.io/pg?utm_source=openai", "Globex Data"),
                   ("https://www.acme-cloud.com/pricing?utm_source=openai", "Acme Cloud")]))
        gemini.default = lambda body: fakes.Reply(body=fakes.gemini_answer(
            TEXT, [(fakes.REDIRECT + "AbC1", "acme-cloud.com"), (fakes.REDIRECT + "XyZ2", "globex.io")]))
        settings.AI_VISIBILITY_ENGINES = ["openai", "gemini"]
        settings.AI_VISIBILITY_OPENAI_API_KEY, settings.AI_VISIBILITY_OPENAI_BASE_URL = (
            openai.api_key, openai.base_url + "/v1")
        settings.GEMINI_API_KEY, settings.GEMINI_BASE_URL = gemini.api_key, gemini.base_url
        yield openai, gemini


def test_real_clients_feed_the_analysis(prompt, providers):
    out = io.StringIO()
    call_command("track_ai_visibility", stdout=out)
    assert "ran 2" in out.getvalue(), out.getvalue()
    runs = {run.engine: run for run in AnswerRun.objects.all()}
    openai, gemini = runs["openai"], runs["gemini"]
    # The client numbers citations in the order they annotate the text: Acme Cloud comes first.
    assert [c["domain"] for c in openai.citations] == ["acme-cloud.com", "globex.io"]
    assert openai.brand_mentioned and openai.cited and openai.cited_position == 1
    assert openai.cited_urls == ["https://www.acme-cloud.com/pricing"]
    assert openai.competitors_mentioned == ["Globex"] and openai.competitors_cited == ["Globex"]
    assert gemini.cited and gemini.cited_position == 1 and gemini.competitors_cited == ["Globex"]
    assert gemini.citations[0]["domain"] == "acme-cloud.com"
    assert openai.input_tokens > 0 and openai.model
    call_command("track_ai_visibility", stdout=out)  # the same day: nothing asked again
    assert AnswerRun.objects.count() == 2
