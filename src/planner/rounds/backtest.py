"""Replay the round history to measure how good the invitation estimates are.

For each cut date D (the first of each month in a range), the estimator sees only rounds
before D.  For every window W, CRS score and set of round types in a grid, it gives
P(invited within W months); the outcome is whether a round of one of those types with a
cut-off at or below the score actually happened in [D, D + W).  A cut date is used only
if its whole window lies within the history, so no outcome is censored.

The score is the Brier score (mean squared difference between probability and outcome,
0 is perfect; always answering 0.5 scores 0.25), next to a naive baseline that says
"invited" (probability 1) when the last cut-off of any eligible type was at or below the
score, else 0.  A second, fairer reference only counts types that held a round in the
last six months (:func:`recent_baseline`).  A calibration table shows, for each band of
predicted probability, how often invitations really happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from planner.dates import add_months
from planner.rounds.estimator import RoundIndex, default_index
from planner.rounds.types import ROUND_TYPES

# The grid of eligibilities replayed: every pool candidate qualifies for general rounds;
# each set adds the program and, for some, one category a tech worker or a neighbour in
# the pool could be in.  A modelling choice, not a fact about IRCC.
DEFAULT_ELIGIBILITIES: tuple[tuple[str, ...], ...] = (
    ("general", "cec"),
    ("general", "fsw"),
    ("general", "fst"),
    ("general", "cec", "stem"),
    ("general", "fsw", "stem"),
    ("general", "cec", "french"),
    ("general", "fsw", "french"),
    ("general", "cec", "healthcare"),
    ("general", "fst", "trades"),
    ("general", "fsw", "transport"),
    ("general", "fsw", "agriculture"),
    ("general", "cec", "education"),
    ("general", "cec", "senior_managers"),
    ("general", "cec", "pnp"),
    ("general", "fsw", "pnp"),
)

DEFAULT_SCORES: tuple[int, ...] = tuple(range(300, 860, 10))
"""CRS scores replayed: 300 to 850 in steps of 10 (PNP candidates score 600 more)."""

DEFAULT_WINDOWS: tuple[int, ...] = (3, 6, 12)

RECENT_BASELINE_MONTHS = 6
"""Look-back of :func:`recent_baseline`: round types idle for longer are taken as stopped."""

CALIBRATION_BANDS = 10
"""Number of equal-width bands of predicted probability in the calibration table."""


@dataclass(frozen=True)
class CalibrationBand:
    """Cases whose predicted probability fell in [low, high), and how often they were invited."""

    low: float
    high: float
    cases: int
    mean_predicted: float
    observed: float


@dataclass(frozen=True)
class WindowResult:
    """Backtest scores for one window length."""

    window_months: int
    cut_dates: int
    first_cut: date | None
    last_cut: date | None
    cases: int
    brier: float
    brier_baseline: float
    brier_recent_baseline: float
    base_rate: float
    calibration: tuple[CalibrationBand, ...]
    baseline_calibration: tuple[CalibrationBand, ...]


@dataclass(frozen=True)
class BacktestReport:
    """Everything :func:`run_backtest` measured."""

    start: date
    end: date
    data_end: date
    scores: tuple[int, ...]
    eligibilities: tuple[tuple[str, ...], ...]
    windows: tuple[WindowResult, ...] = field(default_factory=tuple)

    def to_json(self) -> dict:
        """Return the report as JSON-ready data (dates as YYYY-MM-DD)."""
        def convert(value):
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [convert(v) for v in value]
            return value
        return convert(asdict(self))


def naive_baseline(index: RoundIndex, crs: int, round_types: Sequence[str], as_of: date) -> float:
    """Return 1.0 if the last round before ``as_of`` of any of ``round_types`` had cut-off <= ``crs``, else 0.0."""
    for round_type in round_types:
        past = index.between(round_type, date.min, as_of)
        if past and past[-1][1] <= crs:
            return 1.0
    return 0.0


def recent_baseline(index: RoundIndex, crs: int, round_types: Sequence[str], as_of: date) -> float:
    """Like :func:`naive_baseline`, but only for types with a round in the last :data:`RECENT_BASELINE_MONTHS`."""
    since = add_months(as_of, -RECENT_BASELINE_MONTHS)
    for round_type in round_types:
        past = index.between(round_type, since, as_of)
        if past and past[-1][1] <= crs:
            return 1.0
    return 0.0


def invited(index: RoundIndex, crs: int, round_types: Sequence[str], start: date, end: date) -> bool:
    """Return True if a round of one of ``round_types`` in [start, end) had cut-off <= ``crs``."""
    return any(cutoff <= crs for t in round_types for _, cutoff in index.between(t, start, end))


def _bands(pairs: list[tuple[float, float]]) -> tuple[CalibrationBand, ...]:
    bands = []
    for k in range(CALIBRATION_BANDS):
        low, high = k / CALIBRATION_BANDS, (k + 1) / CALIBRATION_BANDS
        last = k == CALIBRATION_BANDS - 1
        chosen = [(p, y) for p, y in pairs if low <= p < high or (last and p == 1.0)]
        if chosen:
            bands.append(CalibrationBand(low=low, high=high, cases=len(chosen),
                                         mean_predicted=sum(p for p, _ in chosen) / len(chosen),
                                         observed=sum(y for _, y in chosen) / len(chosen)))
    return tuple(bands)


def cut_dates(start: date, end: date, step_months: int = 1) -> list[date]:
    """Return start, start + step, ... up to and including ``end``."""
    dates, current = [], start
    while current <= end:
        dates.append(current)
        current = add_months(current, step_months)
    return dates


def run_backtest(*, start: date = date(2023, 1, 1), end: date | None = None, step_months: int = 1,
                 windows: Sequence[int] = DEFAULT_WINDOWS, scores: Sequence[int] = DEFAULT_SCORES,
                 eligibilities: Sequence[Sequence[str]] = DEFAULT_ELIGIBILITIES,
                 index: RoundIndex | None = None) -> BacktestReport:
    """Replay history from ``start`` to ``end`` (default: as late as the data allows) and score both models.

    Raises ValueError for an empty grid or unknown round types.
    """
    index = index or default_index()
    last = end or index.data_end
    sets = tuple(tuple(s) for s in eligibilities)
    unknown = sorted({t for s in sets for t in s} - set(ROUND_TYPES))
    if unknown:
        raise ValueError(f"unknown round type(s) in the eligibility grid: {', '.join(unknown)}")
    if not sets or not scores or not windows:
        raise ValueError("the backtest grid is empty (no eligibilities, scores or windows)")
    results = []
    for window in windows:
        dates = [d for d in cut_dates(start, last, step_months) if add_months(d, window) <= index.data_end]
        ours: list[tuple[float, float]] = []
        naive: list[tuple[float, float]] = []
        recent: list[float] = []
        for cut in dates:
            stop = add_months(cut, window)
            for types in sets:
                for crs in scores:
                    outcome = 1.0 if invited(index, crs, types, cut, stop) else 0.0
                    p = index.estimate(crs, types, cut, window, explain=False).probability
                    ours.append((p, outcome))
                    naive.append((naive_baseline(index, crs, types, cut), outcome))
                    recent.append((recent_baseline(index, crs, types, cut) - outcome) ** 2)
        cases = len(ours)
        results.append(WindowResult(
            window_months=window, cut_dates=len(dates), cases=cases,
            first_cut=dates[0] if dates else None, last_cut=dates[-1] if dates else None,
            brier=sum((p - y) ** 2 for p, y in ours) / cases if cases else float("nan"),
            brier_baseline=sum((p - y) ** 2 for p, y in naive) / cases if cases else float("nan"),
            brier_recent_baseline=sum(recent) / cases if cases else float("nan"),
            base_rate=sum(y for _, y in ours) / cases if cases else float("nan"),
            calibration=_bands(ours), baseline_calibration=_bands(naive)))
    return BacktestReport(start=start, end=last, data_end=index.data_end, scores=tuple(scores),
                          eligibilities=sets, windows=tuple(results))
