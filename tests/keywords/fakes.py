"""A local fake of four SERP APIs (SearXNG, SerpApi, Serper, Brave Search), speaking their
documented JSON protocols on 127.0.0.1, including their error answers.

The SERP for a phrase is `FakeSerp.serps[phrase]` (a list of URLs) or a generated list of
`total` results where `site.example` ranks at `position_for(phrase)`. Queue error answers
with `fail_next` ([(status, body, headers)], one per request, any provider).
"""

from __future__ import annotations

import asyncio
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

API_KEY = "test-key"


@dataclass
class FakeSerp:
    total: int = 120
    serps: dict[str, list[str]] = field(default_factory=dict)
    related: dict[str, list[str]] = field(default_factory=dict)
    fail_next: list[tuple[int, Any, dict[str, str]]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    record: bool = True
    base_url: str = ""
    #: Seconds each answer waits (to observe concurrency); in-flight requests now and at most.
    delay: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def position_for(self, phrase: str) -> int | None:
        """Where site.example ranks for a generated SERP: stable per phrase, sometimes absent."""
        value = zlib.crc32(phrase.encode()) % 130
        return value + 1 if value < 110 else None

    def urls(self, phrase: str) -> list[str]:
        if phrase in self.serps:
            return self.serps[phrase]
        slug = phrase.replace(" ", "-")
        urls = [f"https://r{i}.other{i % 7}.example/{slug}" for i in range(1, self.total + 1)]
        position = self.position_for(phrase)
        if position is not None and position <= len(urls):
            urls[position - 1] = f"https://www.site.example/{slug}"
        return urls

    def _failure(self) -> web.Response | None:
        with self._lock:
            if not self.fail_next:
                return None
            status, body, headers = self.fail_next.pop(0)
        return web.json_response(body, status=status, headers=headers)

    def _log(self, provider: str, **params: Any) -> None:
        if self.record:
            with self._lock:
                self.requests.append({"provider": provider, **params})

    # --- SearXNG: GET /search?q=&format=json&pageno= --------------------------------------
    async def searxng(self, request: web.Request) -> web.Response:
        q = request.query.get("q", "")
        page = int(request.query.get("pageno", "1"))
        self._log("searxng", q=q, pageno=page, language=request.query.get("language"))
        if request.query.get("format") != "json":
            return web.Response(status=403, text="403 Forbidden")
        failure = self._failure()
        if failure is not None:
            return failure
        urls = self.urls(q)[(page - 1) * 10: page * 10]
        return web.json_response({
            "query": q, "number_of_results": 0,
            "results": [{"url": u, "title": f"Title {u}", "content": "…", "engine": "duckduckgo",
                         "parsed_url": [], "template": "default.html", "engines": ["duckduckgo"],
                         "positions": [1], "score": 1.0, "category": "general"} for u in urls],
            "answers": [], "corrections": [], "infoboxes": [{"infobox": q}] if page == 1 else [],
            "suggestions": self.related.get(q, []), "unresponsive_engines": []})

    # --- SerpApi: GET /search.json?engine=google&q=&api_key=&start=&num= ------------------
    async def serpapi(self, request: web.Request) -> web.Response:
        q, key = request.query.get("q", ""), request.query.get("api_key", "")
        start, num = int(request.query.get("start", "0")), int(request.query.get("num", "10"))
        self._log("serpapi", q=q, start=start, num=num, gl=request.query.get("gl"),
                  hl=request.query.get("hl"), device=request.query.get("device"))
        if key != API_KEY:
            return web.json_response({"error": "Invalid API key. Your API key should be here: "
                                               "https://serpapi.com/manage-api-key"}, status=401)
        failure = self._failure()
        if failure is not None:
            return failure
        all_urls = self.urls(q)
        if not all_urls:
            return web.json_response({"search_metadata": {"status": "Success"},
                                      "error": "Google hasn't returned any results for this query."})
        urls = all_urls[start:start + num]
        body: dict[str, Any] = {
            "search_metadata": {"id": "x", "status": "Success"},
            "search_parameters": {"engine": "google", "q": q},
            "organic_results": [{"position": start + i + 1, "title": f"Title {u}", "link": u,
                                 "displayed_link": u, "snippet": "…"} for i, u in enumerate(urls)],
        }
        if start == 0:
            body["related_searches"] = [{"query": r, "link": "https://www.google.com/search?q=x"}
                                        for r in self.related.get(q, [])]
            body["related_questions"] = [{"question": f"What is {q}?"}]
        if start + num < len(all_urls):
            body["serpapi_pagination"] = {"current": start // 10 + 1,
                                          "next": f"{self.base_url}/search.json?start={start + num}"}
        return web.json_response(body)

    # --- Serper: POST /serper/search {"q","gl","hl","num","page"} + X-API-KEY -------------
    async def serper(self, request: web.Request) -> web.Response:
        body = await request.json()
        q, page, num = body.get("q", ""), int(body.get("page", 1)), int(body.get("num", 10))
        self._log("serper", q=q, page=page, num=num, gl=body.get("gl"), hl=body.get("hl"))
        if request.headers.get("X-API-KEY") != API_KEY:
            return web.json_response({"message": "Unauthorized.", "statusCode": 403}, status=403)
        failure = self._failure()
        if failure is not None:
            return failure
        urls = self.urls(q)[(page - 1) * num: page * num]
        answer: dict[str, Any] = {
            "searchParameters": {"q": q, "type": "search", "page": page, "engine": "google"},
            "organic": [{"title": f"Title {u}", "link": u, "snippet": "…",
                         "position": (page - 1) * num + i + 1} for i, u in enumerate(urls)],
            "relatedSearches": [{"query": r} for r in self.related.get(q, [])],
        }
        if page == 1:
            answer["answerBox"] = {"snippet": "…"}
            answer["peopleAlsoAsk"] = [{"question": f"Why {q}?"}]
        return web.json_response(answer)

    # --- Brave: GET /res/v1/web/search?q=&count=&offset= + X-Subscription-Token ------------
    async def brave(self, request: web.Request) -> web.Response:
        q = request.query.get("q", "")
        count, offset = int(request.query.get("count", "20")), int(request.query.get("offset", "0"))
        self._log("brave", q=q, count=count, offset=offset, country=request.query.get("country"))
        if request.headers.get("X-Subscription-Token") != API_KEY:
            return web.json_response({"type": "ErrorResponse", "error": {
                "id": "e1", "status": 422, "code": "SUBSCRIPTION_TOKEN_INVALID",
                "detail": "The provided subscription token is invalid."}}, status=422)
        if offset > 9 or count > 20:
            return web.json_response({"type": "ErrorResponse", "error": {
                "status": 422, "code": "VALIDATION", "detail": "offset/count out of range"}}, status=422)
        failure = self._failure()
        if failure is not None:
            return failure
        all_urls = self.urls(q)
        urls = all_urls[offset * count:(offset + 1) * count]
        return web.json_response({
            "type": "search",
            "query": {"original": q, "more_results_available": (offset + 1) * count < len(all_urls)},
            "web": {"type": "search", "results": [
                {"title": f"Title {u}", "url": u, "description": "…", "type": "search_result"}
                for u in urls]},
            **({"faq": {"type": "faq", "results": []}} if offset == 0 else {}),
        })

    @web.middleware
    async def _count(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.in_flight += 1  # one event loop thread: no lock needed
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            return await handler(request)
        finally:
            self.in_flight -= 1

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._count])
        app.router.add_get("/search", self.searxng)
        app.router.add_get("/search.json", self.serpapi)
        app.router.add_post("/serper/search", self.serper)
        app.router.add_get("/res/v1/web/search", self.brave)
        return app


@contextmanager
def fake_serp_server(fake: FakeSerp | None = None) -> Iterator[FakeSerp]:
    """Run the fake on 127.0.0.1 (a free port) in a background thread."""
    fake = fake or FakeSerp()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state: dict[str, Any] = {}

    async def start() -> None:
        runner = web.AppRunner(fake.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        state["runner"] = runner
        state["port"] = runner.addresses[0][1]

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    fake.base_url = f"http://127.0.0.1:{state['port']}"
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(state["runner"].cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def provider_settings(settings: Any, fake: FakeSerp, provider: str) -> None:
    """Point the deployment's SERP settings at the fake."""
    settings.SERP_PROVIDER = provider
    settings.SERP_ALLOW_PRIVATE_NETWORKS = True
    settings.SERP_SEARXNG_URL = fake.base_url
    settings.SERP_SERPAPI_URL = f"{fake.base_url}/search.json"
    settings.SERP_SERPAPI_KEY = API_KEY
    settings.SERP_SERPER_URL = f"{fake.base_url}/serper/search"
    settings.SERP_SERPER_KEY = API_KEY
    settings.SERP_BRAVE_URL = f"{fake.base_url}/res/v1/web/search"
    settings.SERP_BRAVE_KEY = API_KEY
    settings.SERP_MAX_RETRY_WAIT_S = 5.0


def main() -> None:
    """`python -m tests.keywords.fakes PORT`: serve the fake in the foreground (bench/ranks.py
    runs it in a process of its own so it does not share the tracker's GIL)."""
    import sys

    fake = FakeSerp(record=False)
    web.run_app(fake.app(), host="127.0.0.1", port=int(sys.argv[1]), access_log=None,
                print=None, backlog=1024)


if __name__ == "__main__":
    main()
