"""Per-owner daily budgets of engine calls (AI_VISIBILITY_MAX_RUNS_PER_DAY, or the owner's
VisibilityBudget row).

A call is reserved before it is made with one conditional UPDATE on the owner's counter row
for the day (`runs = runs + 1 WHERE runs < limit`): PostgreSQL re-checks the condition on
the locked row, so two workers racing for the last run cannot both win. A call that failed
without an answer is refunded (providers do not bill errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import VisibilityBudget, VisibilityUsage


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    day: date
    limit: int
    used: int
    #: True when the limit comes from the owner's own row, not the setting.
    custom: bool
    resets_at: datetime

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day, "limit": self.limit, "used": self.used,
                "remaining": self.remaining, "custom": self.custom, "resets_at": self.resets_at}


def budget_limit(*, owner_id: int) -> tuple[int, bool]:
    """(runs per day, custom?) for an owner."""
    row = (VisibilityBudget.objects.filter(owner_id=owner_id)
           .values_list("max_runs_per_day", flat=True).first())
    if row is not None:
        return int(row), True
    return int(settings.AI_VISIBILITY_MAX_RUNS_PER_DAY), False


def budget_status(*, owner_id: int, day: date | None = None) -> BudgetStatus:
    day = day or timezone.now().date()
    limit, custom = budget_limit(owner_id=owner_id)
    used = VisibilityUsage.objects.filter(owner_id=owner_id, day=day).values_list("runs", flat=True).first()
    resets = datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
    return BudgetStatus(day=day, limit=limit, used=int(used or 0), custom=custom, resets_at=resets)


def budget_reserve(*, owner_id: int, day: date) -> bool:
    """Take one run of the owner's budget for `day`; False when it is used up."""
    limit, _custom = budget_limit(owner_id=owner_id)
    if limit <= 0:
        return False
    usage = VisibilityUsage.objects.filter(owner_id=owner_id, day=day)
    if usage.filter(runs__lt=limit).update(runs=F("runs") + 1):
        return True
    if usage.exists():
        return False  # used up
    # The day's first run: create the counter (a racing worker may create it first).
    VisibilityUsage.objects.bulk_create([VisibilityUsage(owner_id=owner_id, day=day)],
                                        ignore_conflicts=True)
    return usage.filter(runs__lt=limit).update(runs=F("runs") + 1) == 1


def budget_refund(*, owner_id: int, day: date) -> None:
    """Give back a reserved run (the call failed without an answer)."""
    VisibilityUsage.objects.filter(owner_id=owner_id, day=day, runs__gt=0).update(runs=F("runs") - 1)
