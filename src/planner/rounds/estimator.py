"""P(invited within W months | CRS score, eligible round types, as-of date), from round history.

The model, in plain words (docs/rounds-model.md has the long version, its backtest and its limits):

1. For each round type the person is eligible for, count how many rounds of that type
   IRCC held recently, giving a rate of rounds per month.
2. Take the cut-offs of the recent rounds of that type.  The chance that one round reaches
   the person is the share of those cut-offs at or below the person's score, smoothed by a
   few CRS points.  The smoothing widens with the months since the type's last round: after
   a pause, IRCC's next cut-off is less like the last ones.
3. Rounds of one type are not independent: cut-offs move in runs.  Within a block of a few
   months, with a chance equal to the type's measured correlation (the intraclass
   correlation of its cut-offs over the last two years, in blocks of that length), the
   block's rounds move together, reaching the score all with the share's chance or none;
   otherwise each round reaches it on its own, at random times (a Poisson process).
   Blocks are independent of each other, and so are round types.
4. "Recently" is uncertain, because IRCC changes course: the answer is a weighted average
   of the same estimate over a short, a medium and a long look-back (:data:`LOOKBACKS`).

:data:`INDEPENDENT`, the model used until December 2026, is the same with no correlation
and no widening; the backtest compares the two.

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
from planner.rounds.history import Round, history_identity, history_path, load_history_file, round_type_label
from planner.rounds.types import ROUND_TYPES
from planner.rules.book import per_book


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

# Past this many days between the newest round known and the date planned from, the CLI warns
# that the history is stale (a product choice: IRCC usually holds rounds every two weeks).
STALE_AFTER_DAYS = 60

# Points of the numerical integral behind the expected wait (Simpson's rule, even).
WAIT_STEPS = 16


@dataclass(frozen=True)
class RoundModel:
    """The settings of one invitation model.  Modelling choices, not IRCC rules (docs/rounds-model.md)."""

    name: str
    lookbacks: tuple[Lookback, ...]
    smoothing: float
    """Scale, in CRS points, of the logistic kernel over past cut-offs."""
    widening_months: float | None
    """The kernel grows by ``smoothing`` for each this many months since the type's last round; None: never."""
    block_months: float
    """Length of the blocks within which a type's rounds may move together."""
    correlation_months: int
    """Months of a type's history its correlation is measured over; 0: rounds are independent."""
    default_correlation: float
    """The correlation of a type with too few rounds in that history to measure one."""


INDEPENDENT = RoundModel(
    name="independent rounds (used until December 2026)",
    lookbacks=LOOKBACKS,
    smoothing=CUTOFF_SMOOTHING,
    widening_months=None,
    block_months=6.0,
    correlation_months=0,
    default_correlation=0.0,
)
"""Each round reaches a score independently of the others: the model before issue 17."""

CORRELATED = RoundModel(
    name="correlated rounds",
    lookbacks=LOOKBACKS,
    smoothing=CUTOFF_SMOOTHING,
    widening_months=1.0,
    block_months=6.0,
    correlation_months=24,
    default_correlation=0.3,
)
"""Rounds move in runs (a type's own measured correlation) and the kernel widens after a pause.

Tuned on cut dates 2019-01 to 2024-12 whose windows end by 2024-12-31; see docs/rounds-model.md."""


@dataclass(frozen=True)
class TypeState:
    """What one round type looks like on an anchor date, apart from its rate."""

    months_since_last: float | None
    """Months from the type's last round to the anchor; None if it never held one."""
    correlation: float
    """The chance that the rounds of one block move together (0: independent)."""
    smoothing: float
    """The kernel's scale in CRS points, widened for the months since the last round."""


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
    months_since_last: float | None = None
    """Months from this type's last round to the data's end (None: never held one)."""
    correlation: float = 0.0
    """The chance that this type's rounds within a block move together."""
    smoothing: float = CUTOFF_SMOOTHING
    """The kernel's scale in CRS points after widening for a pause."""


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
    last_round: date | None
    """The date of the newest round (of any type) the estimate could see; None if there was none."""
    model: str
    """The name of the model that made the estimate (:data:`CORRELATED` unless asked otherwise)."""
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
        self._type_state = lru_cache(maxsize=4096)(self._type_state_uncached)

    @property
    def last_round(self) -> date:
        """The date of the newest round in the history (the data's end if it holds none)."""
        return self.last_round_before(date.max) or self.data_end

    def last_round_before(self, day: date) -> date | None:
        """The date of the newest round of any type strictly before ``day``, or None."""
        found = [
            dates[bisect_left(dates, day.toordinal()) - 1]
            for dates in self._dates.values()
            if bisect_left(dates, day.toordinal()) > 0
        ]
        return date.fromordinal(max(found)) if found else None

    def types_with_rounds(self, as_of: date) -> frozenset[str]:
        """The round types with a round in some look-back's rate window before ``as_of`` (or the data's end).

        Only these can add to an estimate on ``as_of``: a type with no round there adds
        nothing, so leaving it out of ``round_types`` changes no probability or wait.
        """
        anchor = min(as_of, self.data_end).toordinal()
        start = add_months(min(as_of, self.data_end), -max(view.rate_months for view in LOOKBACKS)).toordinal()
        return frozenset(
            t for t, dates in self._dates.items() if bisect_left(dates, anchor) > bisect_left(dates, start)
        )

    def between(self, round_type: str, start: date, end: date) -> list[tuple[date, int]]:
        """Return (date, cut-off) of rounds of ``round_type`` with start <= date < end, oldest first."""
        dates = self._dates[round_type]
        lo, hi = bisect_left(dates, start.toordinal()), bisect_left(dates, end.toordinal())
        return [(date.fromordinal(d), c) for d, c in zip(dates[lo:hi], self._cutoffs[round_type][lo:hi], strict=True)]

    def _components_uncached(self, round_types: tuple[str, ...], anchor: date, lookbacks: tuple[Lookback, ...]):
        """Per look-back, per type: (rate per month, cut-offs). Depends only on types, anchor and look-backs."""
        result = []
        for view in lookbacks:
            rate_start = add_months(anchor, -view.rate_months)
            cutoff_start = add_months(anchor, -view.cutoff_months)
            parts = []
            for round_type in round_types:
                dates = self._dates[round_type]
                end = bisect_left(dates, anchor.toordinal())
                count = end - bisect_left(dates, rate_start.toordinal())
                if count == 0:
                    continue
                cutoffs = self._cutoffs[round_type][bisect_left(dates, cutoff_start.toordinal()) : end]
                parts.append((round_type, count, count / view.rate_months, tuple(cutoffs)))
            result.append((view.weight, tuple(parts)))
        return tuple(result)

    def _type_state_uncached(self, round_type: str, anchor: date, model: RoundModel) -> TypeState:
        dates = self._dates[round_type]
        end = bisect_left(dates, anchor.toordinal())
        since = (anchor.toordinal() - dates[end - 1]) / DAYS_PER_MONTH if end else None
        widening = 1.0 + since / model.widening_months if since is not None and model.widening_months else 1.0
        correlation = 0.0
        if model.correlation_months:
            start = bisect_left(dates, add_months(anchor, -model.correlation_months).toordinal())
            blocks: dict[int, list[int]] = {}
            for day, cutoff in zip(dates[start:end], self._cutoffs[round_type][start:end], strict=True):
                blocks.setdefault(int((anchor.toordinal() - day) / (DAYS_PER_MONTH * model.block_months)), []).append(
                    cutoff
                )
            measured = intraclass_correlation(list(blocks.values()))
            correlation = model.default_correlation if measured is None else measured
        return TypeState(months_since_last=since, correlation=correlation, smoothing=model.smoothing * widening)

    def estimate(
        self,
        crs: int,
        round_types: Iterable[str],
        as_of: date,
        window_months: int,
        *,
        explain: bool = True,
        model: RoundModel | None = None,
    ) -> InvitationEstimate:
        """Estimate P(invited within ``window_months`` of ``as_of``); see :func:`estimate_invitation`.

        ``model`` defaults to :data:`CORRELATED`; the backtest also runs :data:`INDEPENDENT`.
        """
        model = model or CORRELATED
        types = _check(crs, round_types, as_of, window_months)
        anchor = min(as_of, self.data_end)
        components = self._components(types, anchor, model.lookbacks)
        states = {t: self._type_state(t, anchor, model) for t in types}
        terms = [
            (
                weight,
                [
                    (t, rate, _share_at_or_below(crs, cutoffs, states[t].smoothing), states[t].correlation)
                    for t, _count, rate, cutoffs in parts
                ],
            )
            for weight, parts in components
        ]
        probability = _invited_by(terms, window_months, model.block_months)
        wait = _expected_wait(terms, window_months, model.block_months, probability)
        contributing = tuple(t for t in types if any(t == part[0] for _, parts in components for part in parts))
        contributions: tuple[TypeContribution, ...] = ()
        explanation = ""
        if explain:
            contributions = tuple(
                self._contribution(t, components, terms, states[t], anchor, window_months, model) for t in types
            )
            explanation = _explain(
                crs,
                types,
                as_of,
                anchor,
                window_months,
                probability,
                wait,
                contributions,
                self.last_round_before(anchor),
                model,
            )
        return InvitationEstimate(
            crs=crs,
            round_types=types,
            as_of=as_of,
            window_months=window_months,
            probability=probability,
            expected_wait_months=wait,
            contributing_types=contributing,
            contributions=contributions,
            data_until=anchor,
            last_round=self.last_round_before(anchor),
            model=model.name,
            explanation=explanation,
        )

    def _contribution(
        self, round_type: str, components, terms, state: TypeState, anchor: date, window: int, model: RoundModel
    ) -> TypeContribution:
        counts = tuple(next((part[1] for part in parts if part[0] == round_type), 0) for _, parts in components)
        alone = _invited_by(
            [(weight, [term for term in view if term[0] == round_type]) for weight, view in terms],
            window,
            model.block_months,
        )
        dates = self._dates[round_type]
        end = bisect_left(dates, anchor.toordinal())
        start = max(0, end - QUOTED_CUTOFFS)
        recent = tuple(
            (date.fromordinal(d), c)
            for d, c in zip(reversed(dates[start:end]), reversed(self._cutoffs[round_type][start:end]), strict=True)
        )
        return TypeContribution(
            round_type=round_type,
            rounds_in_lookback=counts,
            recent_cutoffs=recent,
            probability_alone=alone,
            months_since_last=state.months_since_last,
            correlation=state.correlation,
            smoothing=state.smoothing,
        )


DAYS_PER_MONTH = 365.25 / 12


def intraclass_correlation(blocks: list[list[int]]) -> float | None:
    """The one-way intraclass correlation of cut-offs grouped in blocks, clipped to 0..1.

    The share of the cut-offs' variance that lies between blocks rather than within them
    (one-way analysis of variance).  None when there are fewer than two blocks, no block
    with two rounds, or no variance at all.
    """
    sizes = [len(block) for block in blocks]
    total = sum(sizes)
    if len(blocks) < 2 or total - len(blocks) < 1:
        return None
    mean = sum(sum(block) for block in blocks) / total
    between = sum(n * (sum(b) / n - mean) ** 2 for b, n in zip(blocks, sizes, strict=True)) / (len(blocks) - 1)
    within = sum((c - sum(b) / n) ** 2 for b, n in zip(blocks, sizes, strict=True) for c in b) / (total - len(blocks))
    n0 = (total - sum(n * n for n in sizes) / total) / (len(blocks) - 1)
    denominator = between + (n0 - 1) * within
    if denominator <= 0:
        return None
    return min(max((between - within) / denominator, 0.0), 1.0)


def _block_survival(rate: float, share: float, correlation: float, months: float, block: float) -> float:
    """P(no round of one type reaches the score within ``months``).

    Within a block, with chance ``correlation`` the block's rounds move together (all reach
    the score, with chance ``share``, or none do); otherwise each does on its own.  Blocks
    are independent; a window shorter than a block is one (partial) block.
    """
    span = min(months, block)
    rounds = rate * span
    together = (1.0 - share) + share * math.exp(-rounds)
    alone = math.exp(-rounds * share)
    return (correlation * together + (1.0 - correlation) * alone) ** max(months / block, 1.0)


def _invited_by(terms, months: float, block: float) -> float:
    """P(invited within ``months``): the look-backs' weighted average of 1 - P(no type reaches the score)."""
    probability = 0.0
    for weight, view in terms:
        none = 1.0
        for _type, rate, share, correlation in view:
            none *= _block_survival(rate, share, correlation, months, block)
        probability += weight * (1.0 - none)
    return min(max(probability, 0.0), 1.0)


def _expected_wait(terms, window: int, block: float, probability: float) -> float | None:
    """E[months to the invitation | it comes within the window]: the integral of 1 - P(t) / P(window).

    Simpson's rule over :data:`WAIT_STEPS` steps; None below :data:`MIN_PROBABILITY_FOR_WAIT`.
    """
    if probability < MIN_PROBABILITY_FOR_WAIT:
        return None
    step = window / WAIT_STEPS
    values = [1.0 - _invited_by(terms, k * step, block) / probability if k else 1.0 for k in range(WAIT_STEPS + 1)]
    weights = [1 if k in (0, WAIT_STEPS) else 4 if k % 2 else 2 for k in range(WAIT_STEPS + 1)]
    return max(sum(w * v for w, v in zip(weights, values, strict=True)) * step / 3.0, 0.0)


def _share_at_or_below(crs: int, cutoffs: tuple[int, ...], smoothing: float) -> float:
    """Smoothed share of ``cutoffs`` at or below ``crs`` (a logistic kernel of scale ``smoothing`` points)."""
    total = 0.0
    for cutoff in cutoffs:
        z = (crs - cutoff + 0.5) / smoothing
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
    from planner.scoring.crs import maximum_total  # not at import: importing the rounds package stays light

    highest = maximum_total(as_of)
    if not 0 <= crs <= highest:
        raise ValueError(f"CRS score must be between 0 and {highest}, got {crs}")
    if window_months < 1:
        raise ValueError(f"window_months must be at least 1, got {window_months}")
    return types


def _months(value: float) -> str:
    return f"{value:.1f} months"


def _explain(
    crs: int,
    types: tuple[str, ...],
    as_of: date,
    anchor: date,
    window: int,
    probability: float,
    wait: float | None,
    contributions: tuple[TypeContribution, ...],
    newest: date | None,
    model: RoundModel,
) -> str:
    known = f"the newest round known is of {newest.isoformat()}" if newest else "no round is known before then"
    lines = [
        f"{probability:.0%} chance of an invitation within {window} months with CRS {crs}, "
        f"estimated from rounds before {anchor.isoformat()} ({known})."
    ]
    if anchor < as_of:
        lines.append(
            f"The round history ends on {anchor.isoformat()}; later months are assumed to follow the same pattern."
        )
    views = " / ".join(f"{view.rate_months}" for view in model.lookbacks)
    for item in contributions:
        lines.append(_explain_type(item, views, model))
    if wait is not None:
        lines.append(f"If the invitation comes within the window, expect it after about {_months(wait)}.")
    elif probability > 0:
        lines.append("An invitation within the window is unlikely, so no expected wait is given.")
    return "\n".join(lines)


def _explain_type(item: TypeContribution, views: str, model: RoundModel) -> str:
    """One line per round type: its rounds, cut-offs, how they move together, and what it adds."""
    name = round_type_label(item.round_type)
    if not any(item.rounds_in_lookback):
        last = (
            f"; the last was on {item.recent_cutoffs[0][0].isoformat()} (cut-off {item.recent_cutoffs[0][1]})"
            if item.recent_cutoffs
            else "; there has never been one"
        )
        return (
            f"{name}: no rounds in the last {model.lookbacks[-1].rate_months} months{last}, so the type is "
            "taken as stopped and adds nothing (a restart would be a policy change the history cannot show)."
        )
    cutoffs = ", ".join(f"{c} ({d.isoformat()})" for d, c in item.recent_cutoffs)
    counts = " / ".join(str(n) for n in item.rounds_in_lookback)
    text = f"{name}: {counts} rounds in the last {views} months; latest cut-offs {cutoffs}"
    if model.correlation_months:
        text += (
            f"; rounds within {model.block_months:g} months move together with chance {item.correlation:.2f} "
            f"(measured over {model.correlation_months} months)"
        )
    if item.smoothing >= 2 * model.smoothing:
        text += (
            f"; no round for {item.months_since_last:.1f} months, so the next cut-off is taken as less certain "
            f"(smoothing +/-{item.smoothing:.0f} points instead of {model.smoothing:g})"
        )
    return text + f"; alone they give {item.probability_alone:.0%}."


def default_index() -> RoundIndex:
    """The index over the history in use (:func:`planner.rounds.history.history_path`), built once per history file."""
    return _index(*history_identity(history_path()))


@per_book(maxsize=2)
def _index(path: str, modified_ns: int, size: int) -> RoundIndex:
    history = load_history_file()
    return RoundIndex(history.rounds, data_end=history.feed_snapshot)


def estimate_invitation(crs: int, round_types: Iterable[str], as_of: date, window_months: int) -> InvitationEstimate:
    """Estimate the chance of an Express Entry invitation within ``window_months`` after ``as_of``.

    Parameters
    ----------
    crs:
        The person's CRS score (0 to the CRS maximum, :func:`planner.scoring.crs.maximum_total`), including any provincial-nomination points.
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


def stale_warning(as_of: date, index: RoundIndex | None = None) -> str | None:
    """A warning when the newest round known is more than :data:`STALE_AFTER_DAYS` before ``as_of``, else None."""
    from planner.rounds.feed import FEED_URL  # the warning names where to get a fresh feed

    newest = (index or default_index()).last_round_before(as_of)
    if newest is None or (as_of - newest).days <= STALE_AFTER_DAYS:
        return None
    return (
        f"warning: the newest Express Entry round the planner knows is of {newest.isoformat()}, "
        f"{(as_of - newest).days} days before {as_of.isoformat()}; invitation odds assume IRCC carried on "
        f"as before. Download IRCC's feed ({FEED_URL}) and run `planner data import-rounds FILE`."
    )
