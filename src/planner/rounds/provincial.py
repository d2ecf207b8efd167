"""P(selected in a provincial draw within W months | the person's criterion value, as-of date), from draw history.

Draws arrive at random at the recent rate; the level of the latest draw's floor says how
likely the person is to be admitted (smoothed, so a wage a dollar under the floor is not
treated as impossible). Floors move together from draw to draw, so the chance is not
renewed at every draw: P(selected within W months) = P(the floor admits the person) x
P(a draw within W) = ``admits x (1 - exp(-W x rate))``. Unlike the Express Entry model's
independent rounds, a long window therefore does not make a wage under the floor certain.

Only series whose record is complete from ``complete_from`` are estimated, and look-backs
are clipped to the complete record, so a gap in what was found is never read as a pause
in draws. ``models/rounds/provincial_draws.yaml`` holds the draws; a program's
``selection`` (``models/programs/``) names the series it is selected by.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from planner.dates import add_months, months_between
from planner.rounds.estimator import MIN_PROBABILITY_FOR_WAIT
from planner.rules.draws import DrawSeries, ProvincialDraw, provincial_draws

ESTIMATED_CRITERIA: frozenset[str] = frozenset({"hourly_wage"})
"""Criteria the planner can read from a profile (an offer's hourly wage); the others need a provincial score."""

WAGE_SMOOTHING = 3.0
"""Scale, in dollars an hour, of the logistic kernel smoothing the latest wage floor (a modelling choice, not a rule).

BC's floor moved by about $6/h from one draw to the next in 2025-2026 (mostly down). A $6 kernel
scores best on the backtest, but that record is one falling stretch: it would give a wage $7
under the latest floor a 70% chance within six months. Half of it keeps a wage a dollar or
two under the floor likely and one well under it unlikely, and still beats the flat 30% on the
backtest (docs/rounds-model.md, "Provincial selection")."""

RATE_MONTHS = 12
"""Months of complete record the rate of draws is counted over (a modelling choice)."""


@dataclass(frozen=True)
class SelectionEstimate:
    """An estimate of being selected in a series' draws within a window, with what it rests on."""

    series: str
    value: float | None
    as_of: date
    window_months: int
    probability: float
    expected_wait_months: float | None
    """Expected months until selection, given it comes within the window; None below 5 %."""
    data_until: date
    explanation: str


def estimable(series_id: str) -> bool:
    """True if the series' record is complete somewhere and its criterion can be read from a profile."""
    series = provincial_draws().series[series_id]
    return series.complete_from is not None and series.criterion in ESTIMATED_CRITERIA


def _admits(series: DrawSeries, draw: ProvincialDraw, value: float) -> float:
    """The smoothed chance that ``draw`` would have admitted someone with ``value`` (0..1)."""
    if series.criterion == "hourly_wage" and draw.min_hourly_wage is not None:
        z = (value - draw.min_hourly_wage + 0.005) / WAGE_SMOOTHING
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0
    return 0.0


def estimate_selection(series_id: str, value: float | None, as_of: date, window_months: int) -> SelectionEstimate:
    """P(a draw of ``series_id`` admits ``value`` within ``window_months`` of ``as_of``), from draws before ``as_of``.

    Draws arrive at the rate of the last :data:`RATE_MONTHS` months of the complete record
    (clipped to it). Whether they admit the person is not a fresh coin toss at each draw:
    floors move together, so a wage under today's floor stays under it for a while. The
    estimate is the smoothed chance that the latest floor admits the value (the floor's level
    now, the best guide to the next ones) times the chance that a draw happens within the
    window. ``value`` is the person's criterion value (an hourly wage); None admits nothing.
    Less than a month of complete record gives no estimate.
    """
    if window_months < 0:
        raise ValueError("window_months must not be negative")
    series = provincial_draws().series[series_id]
    anchor = min(as_of, series.data_until)
    past = [
        d
        for d in series.draws
        if d.date < anchor and series.complete_from is not None and d.date >= series.complete_from
    ]
    start = max(add_months(anchor, -RATE_MONTHS), series.complete_from) if series.complete_from else anchor
    span = months_between(start, anchor)
    if value is None or not past or span < 1:
        why = (
            "the profile gives no " + series.criterion.replace("_", " ")
            if value is None
            else f"no complete {series.province} record before {anchor}"
        )
        return SelectionEstimate(
            series=series_id,
            value=value,
            as_of=as_of,
            window_months=window_months,
            probability=0.0,
            expected_wait_months=None,
            data_until=anchor,
            explanation=why,
        )
    rate = sum(1 for d in past if d.date >= start) / span
    latest = past[-1]
    admitted = _admits(series, latest, value)
    a_draw = -math.expm1(-window_months * rate) if rate > 0 else 0.0
    probability = admitted * a_draw
    wait = None
    if probability >= MIN_PROBABILITY_FOR_WAIT:
        # E[T | T < W] for the first draw, arriving at a constant rate
        wait = (a_draw - window_months * rate * math.exp(-window_months * rate)) / rate / a_draw
    explanation = (
        f"{probability:.0%} chance of a {series.province} draw admitting ${value:.2f}/h within "
        f"{window_months} months ({rate:.1f} draws a month over {span} months to {anchor}; latest floor "
        f"${latest.min_hourly_wage:g}/h on {latest.date})"
    )
    return SelectionEstimate(
        series=series_id,
        value=value,
        as_of=as_of,
        window_months=window_months,
        probability=min(max(probability, 0.0), 1.0),
        expected_wait_months=wait,
        data_until=anchor,
        explanation=explanation,
    )


# --- backtest -----------------------------------------------------------------------------

BACKTEST_WAGES: tuple[float, ...] = tuple(40 + 2.5 * k for k in range(29))
"""Hourly wages replayed: $40 to $110 in steps of $2.50 (a grid, not a fact about any province)."""

BACKTEST_WINDOWS: tuple[int, ...] = (3, 6)

FLAT_ASSUMPTION = 0.3
"""The planner's earlier flat chance of a provincial nomination, whatever the wage (the comparison baseline)."""


@dataclass(frozen=True)
class ProvincialBacktest:
    """Brier scores of the draw model, the flat assumption and the last-floor rule, per window."""

    series: str
    window_months: int
    cut_dates: int
    first_cut: date | None
    last_cut: date | None
    cases: int
    base_rate: float
    brier: float
    brier_flat: float
    brier_last_floor: float


def backtest_selection(
    series_id: str, windows: tuple[int, ...] = BACKTEST_WINDOWS, values: tuple[float, ...] = BACKTEST_WAGES
) -> list[ProvincialBacktest]:
    """Replay a complete series: at the first of each month, estimate from earlier draws, then look at what happened.

    A cut date is used once the complete record has at least three months behind it and its
    whole window lies within the record, so no outcome is cut short. The outcome for a value is
    whether a draw admitting it (its floor at or below the value) happened in the window.
    """
    series = provincial_draws().series[series_id]
    if series.complete_from is None or series.criterion not in ESTIMATED_CRITERIA:
        raise ValueError(f"series {series_id} has no complete record the planner can replay")
    results = []
    for window in windows:
        cut = date(series.complete_from.year, series.complete_from.month, 1)
        cut = add_months(cut, 4)
        cuts, squared, flat, last_floor, hits = [], 0.0, 0.0, 0.0, 0
        while add_months(cut, window) <= series.data_until:
            cuts.append(cut)
            end = add_months(cut, window)
            future = [d for d in series.draws if cut <= d.date < end]
            past = [d for d in series.draws if d.date < cut]
            for value in values:
                outcome = any(d.min_hourly_wage is not None and d.min_hourly_wage <= value for d in future)
                predicted = estimate_selection(series_id, value, cut, window).probability
                naive = (
                    1.0 if past and past[-1].min_hourly_wage is not None and past[-1].min_hourly_wage <= value else 0.0
                )
                squared += (predicted - outcome) ** 2
                flat += (FLAT_ASSUMPTION - outcome) ** 2
                last_floor += (naive - outcome) ** 2
                hits += outcome
            cut = add_months(cut, 1)
        cases = len(cuts) * len(values)
        results.append(
            ProvincialBacktest(
                series=series_id,
                window_months=window,
                cut_dates=len(cuts),
                first_cut=cuts[0] if cuts else None,
                last_cut=cuts[-1] if cuts else None,
                cases=cases,
                base_rate=hits / cases if cases else 0.0,
                brier=squared / cases if cases else 0.0,
                brier_flat=flat / cases if cases else 0.0,
                brier_last_floor=last_floor / cases if cases else 0.0,
            )
        )
    return results
