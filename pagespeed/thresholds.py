"""Core Web Vitals thresholds for the Django side: the data lives in the engine
(`audits.engine.cwv`, which must not import Django apps); this module re-exports it so report
display and lab findings read one source."""

from __future__ import annotations

from audits.engine.cwv import LABELS, THRESHOLDS, Rating, performance_score, rate

__all__ = ["LABELS", "THRESHOLDS", "Rating", "performance_score", "rate"]
