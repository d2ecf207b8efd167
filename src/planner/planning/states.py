"""The person projected month by month, with what the rules say of each month, each asked once per plan.

A plan asks the same questions many times (is this program met in month 14 after
arriving in month 3? what is the CRS then?). :class:`States` answers each once and
remembers it for the plan; nothing here outlives the plan.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple, TypeVar

from planner.eligibility.predicates import Context
from planner.eligibility.verdicts import (
    cannot_become_eligible,
    earliest_canadian_work_date,
    is_eligible,
    requirement_kinds,
)
from planner.facts import derived as facts
from planner.facts.language import convert, valid_until
from planner.facts.profile import Profile
from planner.facts.timeline import Move, month_date, newest_tests, project, unchanging, with_retakes
from planner.planning.status import Stay, current_stay, current_work_end
from planner.planning.templates import RouteTemplate
from planner.rounds.estimator import default_index
from planner.rules.book import per_book
from planner.rules.catalogue import Catalogue, ProgramFile
from planner.rules.process import decision_processing
from planner.scoring import crs as crs_module
from planner.scoring import fsw as fsw_module

T = TypeVar("T")

Nomination = tuple[str, int]
"""A provincial nomination in force in a projection: (province, the plan month it was granted)."""


class DecisionTime(NamedTuple):
    """Months IRCC takes to decide a PR application: the median and the 80th percentile."""

    median: int
    p80: int


@dataclass(frozen=True)
class LanguageExpiry:
    """When the newest language results stop being valid (the first plan month they are not), and how many tests."""

    month: int | None
    tests: int


class States:
    """Projected profiles and their derived facts per (move, month, nomination), computed once per plan."""

    def __init__(self, profile: Profile, as_of: date, cat: Catalogue, horizon: int):
        self.profile = profile
        self.as_of = as_of
        self.cat = cat
        self.horizon = horizon
        self.current_stay: Stay | None = current_stay(profile, as_of, cat)
        """The permit the person holds in Canada now (None: none with an end date), see :mod:`planner.planning.status`."""
        self._permit_end = current_work_end(profile, as_of, cat)
        self._end = month_date(as_of, horizon)
        self._unchanging = unchanging(profile, as_of, self._end)
        self._memory: dict[str, dict[Hashable, object]] = {}
        # Projections differ between temporary programs only in the permit's name, which no
        # requirement reads unless a program uses the `status` kind; then the permit is keyed too.
        self._permit_matters = any("status" in requirement_kinds(r) for p in cat.programs for r in p.requirements)

    def _remember(self, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer of kind ``kind`` for ``key``, computed on first asking and remembered for the plan."""
        store = self._memory.setdefault(kind, {})
        if key not in store:
            store[key] = compute()
        return store[key]  # type: ignore[return-value]

    def _move_key(self, move: Move | None) -> Hashable:
        if move is None:
            return None
        base = (move.arrival_month, move.noc, move.hours_per_week, move.employer, move.province)
        return base + ((move.program,) if self._permit_matters else ())

    def context(self, move: Move | None, month: int, nomination: Nomination | None = None) -> PlanContext:
        """The projected person in ``month`` (after ``move``, with ``nomination``), results retaken where expired."""

        def build() -> PlanContext:
            on = month_date(self.as_of, month)
            projected = self._projection(move, month, on, nomination)
            if not 0 <= month <= self.horizon or self._retake_due[month]:  # with_retakes checks again
                projected, _ = with_retakes(projected, on)
            return PlanContext(projected, on, self)

        return self._remember("context", (self._move_key(move), month, nomination), build)

    def _projection(self, move: Move | None, month: int, on: date, nomination: Nomination | None) -> Profile:
        """:func:`project` for a month, shared by the months it would return an equal profile for.

        A projection depends on the month only through whether the move has happened and
        whether the current permit has ended (and, given, the nomination's own month).
        """
        arrived = move is not None and move.arrival_month <= month
        ended = self._permit_end is not None and self._permit_end < on
        return self._remember(
            "projection",
            (self._move_key(move), arrived, ended, nomination),
            lambda: project(
                self.profile,
                self.as_of,
                month,
                move,
                *(nomination if nomination else (None, None)),
                work_until=self._permit_end,
            ),
        )

    @cached_property
    def _retake_due(self) -> list[bool]:
        """Per plan month: whether :func:`with_retakes` renews anything (some newest result has expired)."""
        newest = list(newest_tests(self.profile).values())
        return [
            any(on >= valid_until(test, on) for test in newest)
            for on in (month_date(self.as_of, month) for month in range(self.horizon + 1))
        ]

    def eligible(
        self, program: ProgramFile, move: Move | None, month: int, nomination: Nomination | None = None
    ) -> bool:
        """Whether ``program``'s requirements are met in ``month`` on the projected person."""
        if self.hopeless(program):
            return False
        return self._remember(
            "eligible",
            (program.id, self._move_key(move), month, nomination),
            lambda: is_eligible(program, self.context(move, month, nomination)),
        )

    def hopeless(self, program: ProgramFile) -> bool:
        """True if no month of the plan can meet ``program`` (see :func:`cannot_become_eligible`)."""
        return self._remember(
            "hopeless", program.id, lambda: cannot_become_eligible(program, self._unchanging, self.as_of, self._end)
        )

    def crs(self, move: Move | None, month: int, nomination: Nomination | None = None) -> int:
        """CRS in a month, with an Express Entry-linked nomination in force when ``nomination`` is given.

        ``nomination`` is (province, month) with the nomination's month this month.  Its score
        key is the month's own with the nomination in force (:func:`planner.scoring.crs.nominated_key`),
        so the nominated profile is projected and scored only for a key not seen before.
        """
        context = self.context(move, month)
        if nomination is None:
            return context.crs_total
        return self.scored(
            "crs", crs_module.nominated_key(context.crs_key), lambda: self.context(move, month, nomination).crs_total
        )

    def arrival_candidates(self, earliest: int) -> list[int]:
        """The arrival months worth considering for a permit taking ``earliest`` months (see :func:`arrival_candidates`)."""
        return self._remember(
            "arrivals", earliest, lambda: arrival_candidates(self.profile, self.as_of, self.horizon, earliest)
        )

    def round_types(self, move: Move | None, month: int, pool_program: str | None) -> list[str]:
        """Round types the person could be invited in at a month: the pool program's (or every Express
        Entry program's, when ``pool_program`` is None), plus the categories they fit."""
        return self._remember(
            "round_types",
            (self._move_key(move), month, pool_program),
            lambda: sorted(
                {
                    t
                    for program in self._round_type_programs(pool_program)
                    if self.eligible(program, move, month)
                    for t in program.round_types
                }
            ),
        )

    def possible_round_types(self, template: RouteTemplate) -> tuple[str, ...]:
        """Every round type :meth:`round_types` could give for the template's pool program in some month."""
        pool_program = template.pool.program.id if template.pool is not None else None
        return self._remember(
            "possible_round_types",
            pool_program,
            lambda: tuple(
                sorted(
                    {
                        t
                        for program in self._round_type_programs(pool_program)
                        if not self.hopeless(program)
                        for t in program.round_types
                    }
                )
            ),
        )

    def _round_type_programs(self, pool_program: str | None) -> list[ProgramFile]:
        """Programs whose round types an invitation can come in: the pool program (or every Express Entry
        program, when ``pool_program`` is None) and the categories, if some of their types held a round
        recently enough to count in an estimate (:meth:`planner.rounds.estimator.RoundIndex.types_with_rounds`)."""

        def build() -> list[ProgramFile]:
            active = default_index().types_with_rounds(self.as_of)  # the others add nothing to an estimate
            return [
                program
                for program in self.cat.programs
                if program.kind in ("express_entry", "category")
                and active.intersection(program.round_types)
                and not (program.kind == "express_entry" and pool_program is not None and program.id != pool_program)
            ]

        return self._remember("round_type_programs", pool_program, build)

    def earliest_work_month(self, program: ProgramFile, arrival: int | None) -> int:
        """The first plan month ``program``'s requirements of work in Canada can be met (a lower bound).

        New Canadian work counts from tomorrow for someone working in Canada now, else from
        ``arrival`` (the earliest arrival on a permit; None: the route never moves them).
        ``horizon + 1`` when they cannot be met within the plan (see
        :func:`planner.eligibility.verdicts.earliest_canadian_work_date`).
        """

        def build() -> int:
            if self._works_in_canada:
                accrual_from: date | None = self.as_of + timedelta(days=1)
            else:
                accrual_from = None if arrival is None else month_date(self.as_of, arrival)
            day = earliest_canadian_work_date(program, self.profile, self.as_of, self._end, accrual_from)
            if day is None:
                return self.horizon + 1
            return next((m for m in range(self.horizon + 1) if month_date(self.as_of, m) >= day), self.horizon + 1)

        return self._remember("earliest_work", (program.id, arrival), build)

    @cached_property
    def _works_in_canada(self) -> bool:
        """True if some Canadian job of the profile goes on after the plan date."""
        return any(job.in_canada and (job.end is None or job.end > self.as_of) for job in self.profile.work_history)

    @cached_property
    def language_expiry(self) -> LanguageExpiry:
        """The first plan month some newest test is no longer valid, and how many tests (see :func:`language_expiry`)."""
        return language_expiry(self.profile, self.as_of)

    def decision_table(self, template: RouteTemplate) -> dict[int, DecisionTime]:
        """The PR decision's months for an application submitted in each plan month.

        Shared, read-only, by the templates with the same decision and nomination programs.
        """
        return decision_table(
            self.cat,
            template.decision.program.id,
            template.nomination.program.id if template.nomination else None,
            self.as_of,
            self.horizon,
        )

    def scored(self, score: str, key: Hashable, compute: Callable[[], T]) -> T:
        """A score (``"crs"`` total or ``"fsw"`` result) for its score key, computed once per key.

        The keys are :func:`planner.scoring.crs.score_key` and :func:`planner.scoring.fsw.score_key`:
        months whose keys are equal have equal scores, so most months reuse an earlier one.
        """
        return self._remember(f"score:{score}", key, compute)


class PlanContext(Context):
    """A context of the month tables: CRS totals and FSW scores come from the plan's score-key memory.

    A remembered FSW score may have been computed in another month with the same key: its
    points and pass/fail are the same, its descriptive text need not be.  Verdicts shown
    to the user are evaluated on a plain :class:`Context` (see :mod:`planner.planning.explain`).
    """

    def __init__(self, profile: Profile, as_of: date, states: States):
        super().__init__(profile, as_of)
        self._states = states

    @cached_property
    def crs_key(self) -> tuple:
        """The score key of this context (:func:`planner.scoring.crs.score_key`)."""
        return crs_module.score_key(self.profile, self.as_of)

    @cached_property
    def crs_total(self) -> int:
        return self._states.scored("crs", self.crs_key, lambda: crs_module.score_total(self.profile, self.as_of))

    @cached_property
    def fsw(self):
        return self._states.scored(
            "fsw", fsw_module.score_key(self.profile, self.as_of), lambda: fsw_module.score(self.profile, self.as_of)
        )


@per_book(maxsize=64)
def decision_table(
    cat: Catalogue, decision_id: str, nomination_id: str | None, as_of: date, horizon: int
) -> dict[int, DecisionTime]:
    """:func:`planner.rules.process.decision_processing` for each plan month; it depends only on the rules, so
    plans share it (read-only)."""
    decision, selected = cat.get(decision_id), cat.get(nomination_id) if nomination_id else None
    return {
        month: DecisionTime(*decision_processing(decision, selected, month_date(as_of, month)))
        for month in range(horizon + 1)
    }


def arrival_candidates(profile: Profile, as_of: date, horizon: int, earliest: int) -> list[int]:
    """Arrival months worth considering: as early as possible, and each month foreign experience gains a year.

    Arriving later only helps when the extra months abroad complete another year of
    foreign experience (CRS and FSW points); any other delay is dominated.
    """
    candidates = [earliest]
    query = crs_module.foreign_work_query(crs_module.crs_rules(), as_of)
    previous = facts.experience_years(profile.work_history, month_date(as_of, earliest), query)
    for month in range(earliest + 1, horizon + 1):
        years = facts.experience_years(profile.work_history, month_date(as_of, month), query)
        if years > previous:
            candidates.append(month)
        previous = years
    return candidates[:MAX_ARRIVAL_CANDIDATES]


MAX_ARRIVAL_CANDIDATES = 4
"""At most this many arrival months are tried: the earliest and the next three that add a year abroad (a search
setting, not a rule)."""


def language_expiry(profile: Profile, as_of: date) -> LanguageExpiry:
    """The first plan month in which the newest result of some language is no longer valid, and how many tests.

    The month is None when there are no tests.  A result valid until day D is still valid
    in month m when the month's date is before D.
    """
    newest = newest_tests(profile)
    if not newest:
        return LanguageExpiry(None, 0)
    expiry = None
    for test in newest.values():
        until = convert(test, as_of).valid_until
        month = 0
        while month_date(as_of, month) < until:
            month += 1
        expiry = month if expiry is None else min(expiry, month)
    return LanguageExpiry(expiry, len(newest))
