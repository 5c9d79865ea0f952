"""The SERP clients: SearXNG (self-hosted, JSON API), SerpApi, Serper and Brave Search.

Each maps its provider's documented JSON answer to `SerpPage`; pagination, retries and the
SSRF guard live in `SerpProvider`. Response shapes (fields read here):

* SearXNG `GET /search?format=json&pageno=N`: `results[].url/title`, `suggestions[]`,
  `answers[]`, `infoboxes[]`; 403 when the instance has the JSON format disabled.
* SerpApi `GET /search.json?engine=google&start=N`: `organic_results[].link/title`,
  `related_searches[].query`, `serpapi_pagination.next`, `error` (a string, also on 200).
* Serper `POST /search {"q","gl","hl","num","page"}` with `X-API-KEY`: `organic[].link/title`,
  `relatedSearches[].query`, `answerBox`, `knowledgeGraph`, `peopleAlsoAsk`; errors
  `{"message", "statusCode"}`.
* Brave `GET /res/v1/web/search?count=20&offset=N` with `X-Subscription-Token`:
  `web.results[].url/title`, `query.more_results_available`; errors
  `{"type": "ErrorResponse", "error": {"code", "detail", "status"}}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import AuthenticationFailed, QuotaExceeded, SerpError, SerpPage, SerpProvider, SerpQuery


def _rows(items: Any, url_key: str) -> list[tuple[str, str]]:
    rows = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get(url_key), str) and item[url_key]:
            rows.append((item[url_key], str(item.get("title") or "")[:300]))
    return rows


def _queries(items: Any, key: str = "query") -> list[str]:
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, Mapping) and isinstance(item.get(key), str):
            out.append(item[key])
    return out


def _present(payload: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    return [feature for key, feature in names.items() if payload.get(key)]


class SearxngProvider(SerpProvider):
    name = "searxng"
    page_size = 10

    def request(self, query: SerpQuery, page: int) -> tuple[str, str, dict[str, Any], dict[str, str], Any]:
        params: dict[str, Any] = {"q": query.phrase, "format": "json", "pageno": page + 1,
                                  "safesearch": 0}
        if query.language:
            params["language"] = (f"{query.language}-{query.country.upper()}"
                                  if query.country else query.language)
        return "GET", self.config.base_url.rstrip("/") + "/search", params, {}, None

    def parse(self, status: int, payload: Any) -> SerpPage:
        if status == 403:
            raise SerpError("searxng: 403 Forbidden: enable the json format in the instance's "
                            "settings.yml (search.formats)")
        self.raise_for_status(status, payload)
        if not isinstance(payload, Mapping):
            raise SerpError("searxng: the answer is not JSON")
        organic = _rows(payload.get("results"), "url")
        features = _present(payload, {"answers": "answer_box", "infoboxes": "knowledge_graph"})
        return SerpPage(organic=organic, related=_queries(payload.get("suggestions")),
                        features=features, has_more=bool(organic))


class SerpApiProvider(SerpProvider):
    name = "serpapi"
    page_size = 10

    def request(self, query: SerpQuery, page: int) -> tuple[str, str, dict[str, Any], dict[str, str], Any]:
        params: dict[str, Any] = {"engine": query.search_engine or "google", "q": query.phrase,
                                  "api_key": self.config.api_key, "start": page * self.page_size,
                                  "num": self.page_size, "output": "json"}
        if query.country:
            params["gl"] = query.country
        if query.language:
            params["hl"] = query.language
        if query.device == "mobile":
            params["device"] = "mobile"
        return "GET", self.config.base_url, params, {}, None

    def is_quota_error(self, status: int, payload: Any) -> bool:
        return "run out of searches" in self.error_text(payload).lower()

    def parse(self, status: int, payload: Any) -> SerpPage:
        text = self.error_text(payload)
        if status == 200 and text and "hasn't returned any results" in text:
            return SerpPage(organic=[], has_more=False)  # an empty SERP, not a failure
        self.raise_for_status(status, payload)
        if not isinstance(payload, Mapping):
            raise SerpError("serpapi: the answer is not JSON")
        organic = _rows(payload.get("organic_results"), "link")
        features = _present(payload, {
            "answer_box": "answer_box", "knowledge_graph": "knowledge_graph",
            "related_questions": "people_also_ask", "top_stories": "top_stories",
            "local_results": "local_pack", "inline_videos": "videos",
            "inline_images": "images", "shopping_results": "shopping"})
        pagination = payload.get("serpapi_pagination") or payload.get("pagination") or {}
        return SerpPage(organic=organic, related=_queries(payload.get("related_searches")),
                        features=features, has_more=bool(pagination.get("next")) and bool(organic))


class SerperProvider(SerpProvider):
    name = "serper"
    page_size = 10

    def request(self, query: SerpQuery, page: int) -> tuple[str, str, dict[str, Any], dict[str, str], Any]:
        body: dict[str, Any] = {"q": query.phrase, "num": self.page_size, "page": page + 1}
        if query.country:
            body["gl"] = query.country
        if query.language:
            body["hl"] = query.language
        headers = {"X-API-KEY": self.config.api_key, "Content-Type": "application/json"}
        return "POST", self.config.base_url, {}, headers, body

    def is_quota_error(self, status: int, payload: Any) -> bool:
        return "credits" in self.error_text(payload).lower()

    def parse(self, status: int, payload: Any) -> SerpPage:
        if status >= 400:
            text = self.error_text(payload) or f"HTTP {status}"
            if self.is_quota_error(status, payload):
                raise QuotaExceeded(f"serper: {text}")
            if status in (401, 403):
                raise AuthenticationFailed(f"serper: {text}")
            raise SerpError(f"serper: {text}")
        if not isinstance(payload, Mapping):
            raise SerpError("serper: the answer is not JSON")
        organic = _rows(payload.get("organic"), "link")
        features = _present(payload, {
            "answerBox": "answer_box", "knowledgeGraph": "knowledge_graph",
            "peopleAlsoAsk": "people_also_ask", "topStories": "top_stories",
            "places": "local_pack", "videos": "videos", "images": "images"})
        return SerpPage(organic=organic, related=_queries(payload.get("relatedSearches")),
                        features=features, has_more=len(organic) >= self.page_size)


class BraveProvider(SerpProvider):
    name = "brave"
    page_size = 20
    max_pages = 10  # offset is a page index, 0..9

    def request(self, query: SerpQuery, page: int) -> tuple[str, str, dict[str, Any], dict[str, str], Any]:
        params: dict[str, Any] = {"q": query.phrase, "count": self.page_size, "offset": page}
        if query.country:
            params["country"] = query.country.upper()
        if query.language:
            params["search_lang"] = query.language
        headers = {"X-Subscription-Token": self.config.api_key, "Accept": "application/json"}
        return "GET", self.config.base_url, params, headers, None

    @staticmethod
    def _error(payload: Any) -> Mapping[str, Any]:
        if isinstance(payload, Mapping) and isinstance(payload.get("error"), Mapping):
            return payload["error"]
        return {}

    def is_quota_error(self, status: int, payload: Any) -> bool:
        error = self._error(payload)
        if "QUOTA" in str(error.get("code", "")).upper():
            return True
        meta = error.get("meta") or {}
        quota, used = meta.get("quota_limit"), meta.get("quota_current")
        return isinstance(quota, int) and isinstance(used, int) and used >= quota

    def parse(self, status: int, payload: Any) -> SerpPage:
        error = self._error(payload)
        if status >= 400 or error:
            text = str(error.get("detail") or error.get("code") or f"HTTP {status}")
            if self.is_quota_error(status, payload):
                raise QuotaExceeded(f"brave: {text}")
            if status in (401, 403, 422) and "TOKEN" in str(error.get("code", "")).upper():
                raise AuthenticationFailed(f"brave: {text}")
            self.raise_for_status(status, payload)
            raise SerpError(f"brave: {text}")
        if not isinstance(payload, Mapping):
            raise SerpError("brave: the answer is not JSON")
        web = payload.get("web") or {}
        organic = _rows(web.get("results"), "url")
        features = _present(payload, {"infobox": "knowledge_graph", "faq": "people_also_ask",
                                      "news": "top_stories", "videos": "videos",
                                      "locations": "local_pack", "discussions": "discussions"})
        query = payload.get("query") or {}
        return SerpPage(organic=organic, features=features,
                        has_more=bool(query.get("more_results_available")) and bool(organic))


PROVIDERS: dict[str, type[SerpProvider]] = {
    "searxng": SearxngProvider, "serpapi": SerpApiProvider, "serper": SerperProvider,
    "brave": BraveProvider,
}
