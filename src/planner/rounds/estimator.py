"""P(invited within W months | CRS score, eligible round types, as-of date), from round history.

The model, in plain words (docs/rounds-model.md has the long version and its limits):

1. For each round type the person is eligible for, count how many rounds of that type
   IRCC held recently, giving a rate of rounds per month.
2. Take the cut-offs of the recent rounds of that type.  The chance that one future round
   invites the person is the share of those cut-offs at or below the person's score,
   smoothed by a few CRS points so that a score one point below every cut-off is not
   treated as impossible.
3. Treat future rounds as random arrivals at that rate (a Poisson process).  Rounds of
   each type that would invite the person then arrive at rate ``rate x share``, and the
   chance that at least one arrives within W months is ``1 - exp(-W x sum of those rates)``.
4. "Recently" is uncertain, because IRCC changes course: the answer is a weighted average
   of the same estimate over a short, a medium and a long look-back (:data:`LOOKBACKS`).

Only rounds dated strictly before the as-of date are used.  When the as-of date is after
the end of the imported history, the look-back ends where the history ends (and the
explanation says so), so missing data is not mistaken for an absence of rounds.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from planner.dates import add_months
from planner.rounds.history import Round, load_history_file
from planner.rounds.types import LABELS, ROUND_TYPES


@dataclass(frozen=True)
class Lookback:
    """One view of "recent history": how far back to count rounds and to collect cut-offs."""

    weight: float
    rate_months: int
    cutoff_months: int


# Modelling choices, tuned on the 2023-2026 backtest (docs/rounds-model.md).  A short view
# follows IRCC's current pattern; a medium one smooths it; a small weight on two years
# covers IRCC returning to an older pattern (e.g. a category that paused for a year).
LOOKBACKS: tuple[Lookback, ...] = (
    Lookback(weight=0.45, rate_months=3, cutoff_months=6),
    Lookback(weight=0.45, rate_months=6, cutoff_months=12),
    Lookback(weight=0.10, rate_months=24, cutoff_months=24),
)

# Scale, in CRS points, of the logistic kernel that smooths the cut-off distribution: a score
# one point below a past cut-off still counts for a bit under half a round.
CUTOFF_SMOOTHING = 5.0

# Below this probability of an invitation within the window, no expected wait is given.
MIN_PROBABILITY_FOR_WAIT = 0.05

# How many recent cut-offs the explanation quotes per round type.
QUOTED_CUTOFFS = 5


@dataclass(frozen=True)
class TypeContribution:
    """What one eligible round type adds to the estimate."""

    round_type: str
    rounds_in_lookback: tuple[int, ...]
    """Number of rounds of this type in each look-back of :data:`LOOKBACKS` (rate window), same order."""
    recent_cutoffs: tuple[tuple[date, int], ...]
    """The latest cut-offs of this type before the as-of date, newest first."""
    probability_alone: float
    """P(invited within the window) if this were the only round type the person qualified for."""


@dataclass(frozen=True)
class InvitationEstimate:
    """An estimate of being invited within a window, with what it rests on."""

    crs: int
    round_types: tuple[str, ...]
    as_of: date
    window_months: int
    probability: float
    """P(at least one round of an eligible type with cut-off <= crs within the window), 0..1."""
    expected_wait_months: float | None
    """Expected months until the invitation, given it comes within the window; None if P < 5 %."""
    contributing_types: tuple[str, ...]
    """Eligible round types that held at least one round in the look-back."""
    contributions: tuple[TypeContribution, ...]
    data_until: date
    """Rounds before this date were used: the as-of date, or the end of the history if earlier."""
    explanation: str


class RoundIndex:
    """Round history indexed by type for fast look-ups of "rounds of type t between two dates"."""

    def __init__(self, rounds: Sequence[Round], data_end: date):
        self.data_end = data_end
        self._dates: dict[str, list[int]] = {t: [] for t in ROUND_TYPES}
        self._cutoffs: dict[str, list[int]] = {t: [] for t in ROUND_TYPES}
        for item in sorted(rounds, key=lambda r: r.sort_key):
            if item.type in self._dates:  # rounds of unknown type count for nobody
                self._dates[item.type].append(item.date.toordinal())
                self._cutoffs[item.type].append(item.cutoff)
        self._components = lru_cache(maxsize=4096)(self._components_uncached)

    def types_with_rounds(self, as_of: date) -> frozenset[str]:
        """The round types with a round in some look-back's rate window before ``as_of`` (or the data's end).

        Only these can add to an estimate on ``as_of``: a type with no round there adds
        nothing, so leaving it out of ``round_types`` changes no probability or wait.
        """
        anchor = min(as_of, self.data_end).toordinal()
        start = add_months(min(as_of, self.data_end), -max(view.rate_months for view in LOOKBACKS)).toordinal()
        return frozenset(t for t, dates in self._dates.items() if bisect_left(dates, anchor) > bisect_left(dates, start))

    def between(self, round_type: str, start: date, end: date) -> list[tuple[date, int]]:
        """Return (date, cut-off) of rounds of ``round_type`` with start <= date < end, oldest first."""
        dates = self._dates[round_type]
        lo, hi = bisect_left(dates, start.toordinal()), bisect_left(dates, end.toordinal())
        return [(date.fromordinal(d), c) for d, c in zip(dates[lo:hi], self._cutoffs[round_type][lo:hi], strict=True)]

    def _components_uncached(self, round_types: tuple[str, ...], anchor: date):
        """Per look-back, per type: (rate per month, cut-offs). Depends only on types and anchor."""
        result = []
        for view in LOOKBACKS:
            rate_start = add_months(anchor, -view.rate_months)
            cutoff_start = add_months(anchor, -view.cutoff_months)
            parts = []
            for round_type in round_types:
                dates = self._dates[round_type]
                end = bisect_left(dates, anchor.toordinal())
                count = end - bisect_left(dates, rate_start.toordinal())
                if count == 0:
                    continue
                cutoffs = self._cutoffs[round_type][bisect_left(dates, cutoff_start.toordinal()):end]
                parts.append((round_type, count, count / view.rate_months, tuple(cutoffs)))
            result.append((view.weight, tuple(parts)))
        return tuple(result)

    def estimate(self, crs: int, round_types: Iterable[str], as_of: date, window_months: int,
                 *, explain: bool = True) -> InvitationEstimate:
        """Estimate P(invited within ``window_months`` of ``as_of``); see :func:`estimate_invitation`."""
        types = _check(crs, round_types, as_of, window_months)
        anchor = min(as_of, self.data_end)
        components = self._components(types, anchor)
        window = float(window_months)
        probability = 0.0
        wait_numerator = 0.0
        per_type_hazard: dict[str, list[float]] = {t: [0.0] * len(components) for t in types}
        for k, (weight, parts) in enumerate(components):
            hazard = 0.0
            for round_type, _count, rate, cutoffs in parts:
                share = _share_at_or_below(crs, cutoffs)
                per_type_hazard[round_type][k] = rate * share
                hazard += rate * share
            if hazard > 0.0:
                invited = -math.expm1(-window * hazard)
                probability += weight * invited
                # integral of t * hazard * exp(-hazard t) from 0 to W
                wait_numerator += weight * (invited - window * hazard * math.exp(-window * hazard)) / hazard
        probability = min(max(probability, 0.0), 1.0)
        wait = wait_numerator / probability if probability >= MIN_PROBABILITY_FOR_WAIT else None
        contributing = tuple(t for t in types if any(t == part[0] for _, parts in components for part in parts))
        contributions: tuple[TypeContribution, ...] = ()
        explanation = ""
        if explain:
            contributions = tuple(self._contribution(t, components, per_type_hazard[t], anchor, window)
                                  for t in types)
            explanation = _explain(crs, types, as_of, anchor, window_months, probability, wait, contributions)
        return InvitationEstimate(crs=crs, round_types=types, as_of=as_of, window_months=window_months,
                                  probability=probability, expected_wait_months=wait,
                                  contributing_types=contributing, contributions=contributions,
                                  data_until=anchor, explanation=explanation)

    def _contribution(self, round_type: str, components, hazards: list[float], anchor: date,
                      window: float) -> TypeContribution:
        counts = tuple(next((part[1] for part in parts if part[0] == round_type), 0) for _, parts in components)
        alone = sum(weight * -math.expm1(-window * h) for (weight, _), h in zip(components, hazards, strict=True))
        dates = self._dates[round_type]
        end = bisect_left(dates, anchor.toordinal())
        start = max(0, end - QUOTED_CUTOFFS)
        recent = tuple((date.fromordinal(d), c) for d, c in
                       zip(reversed(dates[start:end]), reversed(self._cutoffs[round_type][start:end]), strict=True))
        return TypeContribution(round_type=round_type, rounds_in_lookback=counts, recent_cutoffs=recent,
                                probability_alone=min(max(alone, 0.0), 1.0))


def _share_at_or_below(crs: int, cutoffs: tuple[int, ...]) -> float:
    """Smoothed share of ``cutoffs`` at or below ``crs`` (logistic kernel, :data:`CUTOFF_SMOOTHING`)."""
    total = 0.0
    for cutoff in cutoffs:
        z = (crs - cutoff + 0.5) / CUTOFF_SMOOTHING
        total += 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0
    return total / len(cutoffs)


def _check(crs: int, round_types: Iterable[str], as_of: date, window_months: int) -> tuple[str, ...]:
    if isinstance(round_types, str):
        raise ValueError("round_types must be a collection of round-type ids, e.g. ['general', 'cec'], not a string")
    given = set(round_types)
    unknown = sorted(t for t in given if t not in ROUND_TYPES)
    if unknown:
        raise ValueError(f"unknown round type(s) {', '.join(map(repr, unknown))}; known: {', '.join(ROUND_TYPES)}")
    types = tuple(t for t in ROUND_TYPES if t in given)
    from planner.crs import maximum_total  # not at import: importing the rounds package stays light
    highest = maximum_total(as_of)
    if not 0 <= crs <= highest:
        raise ValueError(f"CRS score must be between 0 and {highest}, got {crs}")
    if window_months < 1:
        raise ValueError(f"window_months must be at least 1, got {window_months}")
    return types


def _months(value: float) -> str:
    return f"{value:.1f} months"


def _explain(crs: int, types: tuple[str, ...], as_of: date, anchor: date, window: int, probability: float,
             wait: float | None, contributions: tuple[TypeContribution, ...]) -> str:
    lines = [f"{probability:.0%} chance of an invitation within {window} months with CRS {crs}, "
             f"estimated from rounds before {anchor.isoformat()}."]
    if anchor < as_of:
        lines.append(f"The round history ends on {anchor.isoformat()}; later months are assumed to follow "
                     "the same pattern.")
    views = " / ".join(f"{view.rate_months}" for view in LOOKBACKS)
    for item in contributions:
        label = LABELS[item.round_type]
        if not any(item.rounds_in_lookback):
            last = (f"; the last was on {item.recent_cutoffs[0][0].isoformat()} (cut-off {item.recent_cutoffs[0][1]})"
                    if item.recent_cutoffs else "; there has never been one")
            lines.append(f"{label}: no rounds in the last {LOOKBACKS[-1].rate_months} months{last}, "
                         "so they add nothing.")
            continue
        cutoffs = ", ".join(f"{c} ({d.isoformat()})" for d, c in item.recent_cutoffs)
        counts = " / ".join(str(n) for n in item.rounds_in_lookback)
        lines.append(f"{label}: {counts} rounds in the last {views} months; latest cut-offs {cutoffs}; "
                     f"alone they give {item.probability_alone:.0%}.")
    if wait is not None:
        lines.append(f"If the invitation comes within the window, expect it after about {_months(wait)}.")
    elif probability > 0:
        lines.append("An invitation within the window is unlikely, so no expected wait is given.")
    return "\n".join(lines)


@lru_cache(maxsize=1)
def default_index() -> RoundIndex:
    """Return the index over the shipped history (built once per process)."""
    history = load_history_file()
    return RoundIndex(history.rounds, data_end=history.feed_snapshot)


def estimate_invitation(crs: int, round_types: Iterable[str], as_of: date, window_months: int) -> InvitationEstimate:
    """Estimate the chance of an Express Entry invitation within ``window_months`` after ``as_of``.

    Parameters
    ----------
    crs:
        The person's CRS score (0 to the CRS maximum, :func:`planner.crs.maximum_total`), including any provincial-nomination points.
    round_types:
        Ids from :data:`~planner.rounds.ROUND_TYPES` of every round type the person
        qualifies for.  Everyone in the pool qualifies for ``general`` rounds, so include it.
    as_of:
        Date from which the window starts; only rounds before it are used.
    window_months:
        Length of the window in months (at least 1).

    The history is loaded and indexed once; later calls take microseconds.

    >>> from datetime import date
    >>> low = estimate_invitation(300, ["general", "cec"], date(2026, 6, 1), 6)
    >>> high = estimate_invitation(600, ["general", "cec"], date(2026, 6, 1), 6)
    >>> low.probability < 0.05 < 0.95 < high.probability
    True

    """
    return default_index().estimate(crs, round_types, as_of, window_months)
