"""Replay the round history to measure how good the invitation estimates are.

For each cut date D (the first of each month in a range), a model sees only rounds before
D.  For every window W, CRS score and set of round types in a grid, it gives
P(invited within W months); the outcome is whether a round of one of those types with a
cut-off at or below the score actually happened in [D, D + W).  A cut date is used only
if its whole window ends by ``outcomes_until`` (by default the end of the history), so no
outcome is censored, and a tuning replay never sees a round after its period.

Three models are scored on the same cases: the correlated model the planner uses
(:data:`~planner.rounds.estimator.CORRELATED`), the independent-rounds model it used
before (:data:`~planner.rounds.estimator.INDEPENDENT`), and a naive baseline that says
"invited" (probability 1) when the last cut-off of any eligible type was at or below the
score, else 0.

Scores: the Brier score (mean squared difference between probability and outcome; 0 is
perfect, always answering 0.5 scores 0.25) and the expected calibration error (ECE: over
ten equal bands of predicted probability, the case-weighted mean of |mean prediction -
share invited|).  Both overall and on the near-cut-off slice: scores from 25 below to 5
above the lowest cut-off of the same types in the three months before the cut date, where
people make their decisions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from planner.dates import add_months
from planner.rounds.estimator import CORRELATED, INDEPENDENT, RoundIndex, default_index
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

HELD_OUT_START = date(2025, 1, 1)
"""The held-out period starts here: the correlated model was tuned on outcomes before it."""

TUNING_START = date(2019, 1, 1)
TUNING_END = date(2024, 12, 31)
"""The tuning period: cut dates from 2019-01-01 whose windows end by 2024-12-31."""

NEAR_BELOW, NEAR_ABOVE, NEAR_MONTHS = 25, 5, 3
"""The near-cut-off slice: scores from 25 below to 5 above the lowest cut-off of the same
types in the 3 months before the cut date."""

CALIBRATION_BANDS = 10
"""Number of equal-width bands of predicted probability in the calibration table."""

MODELS: tuple[tuple[str, str], ...] = (
    ("correlated", "new"),
    ("independent", "current"),
    ("naive", "naive"),
)
"""The models compared, as (key, label), in the order reports show them."""


@dataclass(frozen=True)
class CalibrationBand:
    """Cases whose predicted probability fell in [low, high), and how often they were invited."""

    low: float
    high: float
    cases: int
    mean_predicted: float
    observed: float


@dataclass(frozen=True)
class Scores:
    """One model's scores on one set of cases."""

    cases: int
    brier: float
    ece: float
    calibration: tuple[CalibrationBand, ...]


@dataclass(frozen=True)
class ModelScores:
    """One model's scores overall and on the near-cut-off slice."""

    model: str
    label: str
    overall: Scores
    near: Scores


@dataclass(frozen=True)
class WindowResult:
    """Backtest scores for one window length."""

    window_months: int
    cut_dates: int
    first_cut: date | None
    last_cut: date | None
    cases: int
    near_cases: int
    base_rate: float
    models: tuple[ModelScores, ...]

    def model(self, key: str) -> ModelScores:
        """The scores of the model with this key (see :data:`MODELS`)."""
        return next(m for m in self.models if m.model == key)


@dataclass(frozen=True)
class BacktestReport:
    """Everything :func:`run_backtest` measured."""

    start: date
    end: date
    outcomes_until: date
    data_end: date
    scores: tuple[int, ...]
    eligibilities: tuple[tuple[str, ...], ...]
    windows: tuple[WindowResult, ...] = field(default_factory=tuple)
    pooled: tuple[ModelScores, ...] = field(default_factory=tuple)
    """Each model's scores over every window's cases together."""

    def model(self, key: str) -> ModelScores:
        """The pooled scores of the model with this key (see :data:`MODELS`)."""
        return next(m for m in self.pooled if m.model == key)

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


def invited(index: RoundIndex, crs: int, round_types: Sequence[str], start: date, end: date) -> bool:
    """Return True if a round of one of ``round_types`` in [start, end) had cut-off <= ``crs``."""
    return any(cutoff <= crs for t in round_types for _, cutoff in index.between(t, start, end))


def lowest_recent_cutoff(index: RoundIndex, round_types: Sequence[str], as_of: date) -> int | None:
    """The lowest cut-off of ``round_types`` in the :data:`NEAR_MONTHS` months before ``as_of``, or None."""
    cutoffs = [c for t in round_types for _, c in index.between(t, add_months(as_of, -NEAR_MONTHS), as_of)]
    return min(cutoffs) if cutoffs else None


def is_near(crs: int, lowest: int | None) -> bool:
    """Whether ``crs`` lies in the near-cut-off slice around ``lowest`` (see :data:`NEAR_BELOW`)."""
    return lowest is not None and -NEAR_BELOW <= crs - lowest <= NEAR_ABOVE


def calibration(pairs: Sequence[tuple[float, float]]) -> tuple[CalibrationBand, ...]:
    """Bands of predicted probability with their case counts, mean prediction and share invited."""
    bands = []
    for k in range(CALIBRATION_BANDS):
        low, high = k / CALIBRATION_BANDS, (k + 1) / CALIBRATION_BANDS
        last = k == CALIBRATION_BANDS - 1
        chosen = [(p, y) for p, y in pairs if low <= p < high or (last and p == 1.0)]
        if chosen:
            bands.append(
                CalibrationBand(
                    low=low,
                    high=high,
                    cases=len(chosen),
                    mean_predicted=sum(p for p, _ in chosen) / len(chosen),
                    observed=sum(y for _, y in chosen) / len(chosen),
                )
            )
    return tuple(bands)


def score(pairs: Sequence[tuple[float, float]]) -> Scores:
    """Brier score, expected calibration error and calibration bands of (prediction, outcome) pairs."""
    bands = calibration(pairs)
    cases = len(pairs)
    if not cases:
        return Scores(cases=0, brier=float("nan"), ece=float("nan"), calibration=())
    ece = sum(b.cases * abs(b.mean_predicted - b.observed) for b in bands) / cases
    return Scores(cases=cases, brier=sum((p - y) ** 2 for p, y in pairs) / cases, ece=ece, calibration=bands)


def cut_dates(start: date, end: date, step_months: int = 1) -> list[date]:
    """Return start, start + step, ... up to and including ``end``."""
    dates, current = [], start
    while current <= end:
        dates.append(current)
        current = add_months(current, step_months)
    return dates


def _predictors(index: RoundIndex) -> dict[str, Callable[[int, tuple[str, ...], date, int], float]]:
    return {
        "correlated": lambda crs, types, cut, w: (
            index.estimate(crs, types, cut, w, explain=False, model=CORRELATED).probability
        ),
        "independent": lambda crs, types, cut, w: (
            index.estimate(crs, types, cut, w, explain=False, model=INDEPENDENT).probability
        ),
        "naive": lambda crs, types, cut, w: naive_baseline(index, crs, types, cut),
    }


def _replay(
    index: RoundIndex, dates: list[date], window: int, sets, scores
) -> dict[str, list[tuple[float, float, bool]]]:
    """(prediction, outcome, near) for every model, cut date, eligibility set and score."""
    predictors = _predictors(index)
    rows: dict[str, list[tuple[float, float, bool]]] = {key: [] for key, _ in MODELS}
    for cut in dates:
        stop = add_months(cut, window)
        for types in sets:
            lowest = lowest_recent_cutoff(index, types, cut)
            for crs in scores:
                outcome = 1.0 if invited(index, crs, types, cut, stop) else 0.0
                near = is_near(crs, lowest)
                for key, predict in predictors.items():
                    rows[key].append((predict(crs, types, cut, window), outcome, near))
    return rows


def _model_scores(rows: dict[str, list[tuple[float, float, bool]]]) -> tuple[ModelScores, ...]:
    return tuple(
        ModelScores(
            model=key,
            label=label,
            overall=score([(p, y) for p, y, _ in rows[key]]),
            near=score([(p, y) for p, y, near in rows[key] if near]),
        )
        for key, label in MODELS
    )


def run_backtest(
    *,
    start: date = HELD_OUT_START,
    end: date | None = None,
    step_months: int = 1,
    windows: Sequence[int] = DEFAULT_WINDOWS,
    scores: Sequence[int] = DEFAULT_SCORES,
    eligibilities: Sequence[Sequence[str]] = DEFAULT_ELIGIBILITIES,
    outcomes_until: date | None = None,
    index: RoundIndex | None = None,
) -> BacktestReport:
    """Replay history from ``start`` to ``end`` (default: as late as the data allows) and score the models.

    A cut date counts for a window only if the window ends by ``outcomes_until`` (default:
    the end of the history).  Raises ValueError for an empty grid or unknown round types.
    """
    index = index or default_index()
    limit = min(outcomes_until or index.data_end, index.data_end)
    last = end or limit
    sets = tuple(tuple(s) for s in eligibilities)
    unknown = sorted({t for s in sets for t in s} - set(ROUND_TYPES))
    if unknown:
        raise ValueError(f"unknown round type(s) in the eligibility grid: {', '.join(unknown)}")
    if not sets or not scores or not windows:
        raise ValueError("the backtest grid is empty (no eligibilities, scores or windows)")
    results, pooled = [], {key: [] for key, _ in MODELS}
    for window in windows:
        dates = [d for d in cut_dates(start, last, step_months) if add_months(d, window) <= limit]
        rows = _replay(index, dates, window, sets, scores)
        for key in pooled:
            pooled[key].extend(rows[key])
        reference = rows[MODELS[0][0]]
        results.append(
            WindowResult(
                window_months=window,
                cut_dates=len(dates),
                cases=len(reference),
                near_cases=sum(1 for *_, near in reference if near),
                first_cut=dates[0] if dates else None,
                last_cut=dates[-1] if dates else None,
                base_rate=sum(y for _, y, _ in reference) / len(reference) if reference else float("nan"),
                models=_model_scores(rows),
            )
        )
    return BacktestReport(
        start=start,
        end=last,
        outcomes_until=limit,
        data_end=index.data_end,
        scores=tuple(scores),
        eligibilities=sets,
        windows=tuple(results),
        pooled=_model_scores(pooled),
    )


def tuning_backtest(**options) -> BacktestReport:
    """The replay the correlated model was tuned on: cut dates from 2019 with windows ending by 2024-12-31."""
    return run_backtest(start=TUNING_START, outcomes_until=TUNING_END, **options)
