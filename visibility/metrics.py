"""Visibility metrics over a set of successful runs.

For n successful runs (answers) in the set:

- mention rate   = answers that mention the brand / n
- citation rate  = answers that cite one of the site's URLs / n
- average citation position = mean of the first position of the site's URL, over the
  answers that cite it (1 = cited first); None without citations
- share of voice = brand mentions / (brand mentions + Σ competitor mentions), counting
  answers (an answer naming the brand three times counts once, an answer naming two
  competitors adds two competitor mentions); None when nobody is mentioned. Each
  competitor's share uses the same denominator, so the brand's share and the competitors'
  add up to 1.

Failed and skipped runs are not answers and never count. The counts come from SQL
aggregates (selectors) or, for a few rows in memory, from `counts_of_rows`; the formulas
live only in `metrics_from`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any


@dataclass(slots=True)
class Counts:
    runs: int = 0
    mentions: int = 0
    citations: int = 0
    position_sum: int = 0
    positions: int = 0
    #: Σ over answers of the number of competitors named.
    competitor_mentions: int = 0
    #: Answers naming / citing each competitor (only where the names are needed).
    named: Counter[str] = field(default_factory=Counter)
    cited_by: Counter[str] = field(default_factory=Counter)

    def add(self, other: Counts) -> Counts:
        return Counts(self.runs + other.runs, self.mentions + other.mentions,
                      self.citations + other.citations, self.position_sum + other.position_sum,
                      self.positions + other.positions,
                      self.competitor_mentions + other.competitor_mentions,
                      self.named + other.named, self.cited_by + other.cited_by)


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


def metrics_from(counts: Counts) -> Metrics:
    """The formulas of the module docstring."""
    voices = counts.mentions + counts.competitor_mentions
    named, cited_by = counts.named, counts.cited_by
    competitors = tuple(
        CompetitorShare(name, named[name], cited_by[name], _ratio(named[name], voices))
        for name in sorted(set(named) | set(cited_by), key=lambda n: (-named[n], -cited_by[n], n)))
    return Metrics(
        runs=counts.runs, mentions=counts.mentions, citations=counts.citations,
        mention_rate=_ratio(counts.mentions, counts.runs),
        citation_rate=_ratio(counts.citations, counts.runs),
        avg_citation_position=round(counts.position_sum / counts.positions, 2) if counts.positions else None,
        share_of_voice=_ratio(counts.mentions, voices), competitors=competitors)


def counts_of_rows(rows: Iterable[Mapping[str, Any]]) -> Counts:
    """Counts of a few runs in memory (rows with brand_mentioned, cited, cited_position,
    competitors_mentioned, competitors_cited)."""
    counts = Counts()
    for row in rows:
        names = set(row["competitors_mentioned"] or ())
        counts.runs += 1
        counts.mentions += bool(row["brand_mentioned"])
        if row["cited"]:
            counts.citations += 1
            if row["cited_position"]:
                counts.position_sum += row["cited_position"]
                counts.positions += 1
        counts.competitor_mentions += len(names)
        counts.named.update(names)
        counts.cited_by.update(set(row["competitors_cited"] or ()))
    return counts


def metrics_history(by_day: Mapping[date, Metrics]) -> list[dict[str, Any]]:
    """One point per day with runs, oldest first: a chart's series."""
    return [{"date": day, "runs": m.runs, "mention_rate": m.mention_rate,
             "citation_rate": m.citation_rate, "avg_citation_position": m.avg_citation_position,
             "share_of_voice": m.share_of_voice}
            for day, m in sorted(by_day.items())]


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


def winners_losers(before: Mapping[int, Metrics], after: Mapping[int, Metrics], *, limit: int = 10
                   ) -> tuple[list[PromptChange], list[PromptChange]]:
    """Prompts whose visibility score rose (winners, biggest gain first) and fell (losers,
    biggest loss first) between two periods; prompts with runs in both periods only."""
    changes = [PromptChange(pid, before[pid], after[pid]) for pid in after if pid in before]
    winners = sorted((c for c in changes if c.score_change > 0), key=lambda c: (-c.score_change, c.prompt_id))
    losers = sorted((c for c in changes if c.score_change < 0), key=lambda c: (c.score_change, c.prompt_id))
    return winners[:limit], losers[:limit]


def period_before(since: date, until: date) -> tuple[date, date]:
    """The period of the same length that ends the day before `since`."""
    length = (until - since).days + 1
    return since - timedelta(days=length), since - timedelta(days=1)
