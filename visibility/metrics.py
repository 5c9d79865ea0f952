"""Visibility metrics over a set of successful runs (pure Python over compact rows).

For n successful runs (answers) in the set:

- mention rate   = answers that mention the brand / n
- citation rate  = answers that cite one of the site's URLs / n
- average citation position = mean of the first position of the site's URL, over the
  answers that cite it (1 = cited first); None without citations
- share of voice = brand mentions / (brand mentions + Σ competitor mentions), counting
  answers (an answer naming the brand three times counts once); None when nobody is
  mentioned. Each competitor's share uses the same denominator, so the brand's share and
  the competitors' add up to 1.

Failed and skipped runs are not answers and never count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

#: The columns of AnswerRun the metrics read (selectors pass `.values(*ROW_FIELDS)`).
ROW_FIELDS = ("prompt_id", "engine", "run_on", "brand_mentioned", "cited", "cited_position",
              "competitors_mentioned", "competitors_cited")


@dataclass(frozen=True, slots=True)
class CompetitorShare:
    name: str
    mentions: int
    citations: int
    share_of_voice: float | None


@dataclass(frozen=True, slots=True)
class Metrics:
    runs: int
    mentions: int
    citations: int
    mention_rate: float | None
    citation_rate: float | None
    avg_citation_position: float | None
    share_of_voice: float | None
    competitors: tuple[CompetitorShare, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"runs": self.runs, "mentions": self.mentions, "citations": self.citations,
                "mention_rate": self.mention_rate, "citation_rate": self.citation_rate,
                "avg_citation_position": self.avg_citation_position,
                "share_of_voice": self.share_of_voice,
                "competitors": [{"name": c.name, "mentions": c.mentions, "citations": c.citations,
                                 "share_of_voice": c.share_of_voice} for c in self.competitors]}


def _ratio(part: float, whole: float, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole else None


def metrics_compute(rows: Iterable[dict[str, Any]]) -> Metrics:
    runs = mentions = citations = 0
    positions: list[int] = []
    named: Counter[str] = Counter()
    cited_by: Counter[str] = Counter()
    for row in rows:
        runs += 1
        mentions += bool(row["brand_mentioned"])
        if row["cited"]:
            citations += 1
            if row["cited_position"]:
                positions.append(row["cited_position"])
        named.update(set(row["competitors_mentioned"] or ()))
        cited_by.update(set(row["competitors_cited"] or ()))
    voices = mentions + sum(named.values())
    competitors = tuple(
        CompetitorShare(name, named[name], cited_by[name], _ratio(named[name], voices))
        for name in sorted(set(named) | set(cited_by), key=lambda n: (-named[n], -cited_by[n], n)))
    return Metrics(
        runs=runs, mentions=mentions, citations=citations, mention_rate=_ratio(mentions, runs),
        citation_rate=_ratio(citations, runs),
        avg_citation_position=round(sum(positions) / len(positions), 2) if positions else None,
        share_of_voice=_ratio(mentions, voices), competitors=competitors)


def metrics_by(rows: Sequence[dict[str, Any]], key: str) -> dict[Any, Metrics]:
    """Metrics per value of one row field ("engine", "prompt_id", "run_on")."""
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return {value: metrics_compute(group) for value, group in sorted(groups.items())}


def metrics_history(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One point per day with runs, oldest first: a chart's series."""
    return [{"date": day, "runs": m.runs, "mention_rate": m.mention_rate,
             "citation_rate": m.citation_rate, "avg_citation_position": m.avg_citation_position,
             "share_of_voice": m.share_of_voice}
            for day, m in metrics_by(rows, "run_on").items()]


@dataclass(frozen=True, slots=True)
class PromptChange:
    prompt_id: int
    before: Metrics
    after: Metrics

    @property
    def score_change(self) -> float:
        """Change of (mention rate + citation rate) / 2 in percentage points."""
        def score(m: Metrics) -> float:
            return ((m.mention_rate or 0) + (m.citation_rate or 0)) / 2
        return round(100 * (score(self.after) - score(self.before)), 2)


def winners_losers(before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]],
                   *, limit: int = 10) -> tuple[list[PromptChange], list[PromptChange]]:
    """Prompts whose visibility score rose (winners, biggest gain first) and fell (losers,
    biggest loss first) between two periods; prompts with runs in both periods only."""
    old, new = metrics_by(before, "prompt_id"), metrics_by(after, "prompt_id")
    changes = [PromptChange(pid, old[pid], new[pid]) for pid in new if pid in old]
    winners = sorted((c for c in changes if c.score_change > 0), key=lambda c: (-c.score_change, c.prompt_id))
    losers = sorted((c for c in changes if c.score_change < 0), key=lambda c: (c.score_change, c.prompt_id))
    return winners[:limit], losers[:limit]


def period_before(since: date, until: date) -> tuple[date, date]:
    """The period of the same length that ends the day before `since`."""
    length = (until - since).days + 1
    return since - timedelta(days=length), since - timedelta(days=1)
