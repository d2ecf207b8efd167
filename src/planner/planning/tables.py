"""Month tables: for each route template, what each step needs and gives in each plan month.

All rule evaluation happens here, before the solver runs (the CP-SAT model only reads
these tables).  A step's table says, for an arrival month ``a`` (when the person starts
working in Canada, if the route moves them) and a start month ``s``, whether the step's
requirements are met in that month on the projected profile, and how long it takes.
Language results are assumed valid in the tables (retaken with the same scores when
expired); when a retake is actually needed is a timing decision the model makes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache

from planner.scoring import crs as crs_module
from planner.facts import derived as facts
from planner.scoring import fsw as fsw_module
from planner.planning import permits as permits
from planner.eligibility.verdicts import cannot_become_eligible, earliest_canadian_work_date, is_eligible, requirement_kinds
from planner.eligibility.predicates import Context
from planner.facts.language import validity_rules
from planner.planning.process import permit_processing
from planner.rules.process import decision_processing, express_entry_process, months_ceil, planning, program_processing
from planner.facts.profile import Profile
from planner.rules.catalogue import Catalogue, Fee, ProgramFile
from planner.rounds import estimate_invitation
from planner.rounds.provincial import estimate_selection
from planner.rounds.estimator import default_index
from planner.planning.templates import RouteTemplate
from planner.planning.status import Stay, bridging_program, current_stay, current_work_end, route_stay
from planner.rules.status import status_rules
from planner.facts.timeline import (Move, canadian_job_for, month_date, newest_tests, project,
                              unchanging, with_retakes)
from planner.rules.book import per_book

LOG_SCALE = 1000
"""Probabilities enter the model as integer costs round(-ln(p) * LOG_SCALE) (CP-SAT has no floats)."""

LEAST_INVITATION_WAIT = 1
"""An invitation is planned at least a month after waiting starts (rounds are at most a few a month; a plan step)."""

LANGUAGE_KINDS = frozenset({"language", "credential_language", "experience_language"})
"""Requirement kinds that read language results (valid results are needed when the step is taken)."""

NO_MOVE = -1
"""Arrival month used for routes that never move the person to Canada on a new permit."""


def log_cost(probability: float) -> int:
    """Integer cost of a probability: 0 for certainty, larger for less likely steps."""
    if probability <= 0:
        return MAX_LOG_COST
    return min(MAX_LOG_COST, int(round(-math.log(probability) * LOG_SCALE)))


MAX_LOG_COST = 20 * LOG_SCALE
"""Cost of an impossible step (probability below e^-20 is treated as zero)."""


class States:
    """Projected profiles and their derived facts per (move, month, nomination), computed once."""

    def __init__(self, profile: Profile, as_of: date, cat: Catalogue, horizon: int):
        self.profile = profile
        self.as_of = as_of
        self.cat = cat
        self._contexts: dict = {}
        self._projections: dict = {}
        self.current_stay = current_stay(profile, as_of, cat)
        """The permit the person holds in Canada now (None: none with an end date), see :mod:`planner.planning.status`."""
        self._permit_end = current_work_end(profile, as_of, cat)
        self._eligible: dict = {}
        self.horizon = horizon
        self._end = month_date(as_of, horizon)
        self._unchanging = unchanging(profile, as_of, self._end)
        self._hopeless: dict[str, bool] = {}
        self._scores: dict[str, dict[tuple, object]] = {"crs": {}, "fsw": {}}
        self._round_types: dict[tuple, list[str]] = {}
        self._possible_round_types: dict[str | None, tuple[str, ...]] = {}
        self._round_type_program_lists: dict[str | None, list[ProgramFile]] = {}
        self._arrivals: dict[int, list[int]] = {}
        self._earliest_work: dict[tuple[str, int | None], int] = {}
        # Projections differ between temporary programs only in the permit's name, which no
        # requirement reads unless a program uses the `status` kind; then the permit is keyed too.
        self._permit_matters = any("status" in requirement_kinds(r) for p in cat.programs for r in p.requirements)

    def _move_key(self, move: Move | None):
        if move is None:
            return None
        base = (move.arrival_month, move.noc, move.hours_per_week, move.employer, move.province)
        return base + ((move.program,) if self._permit_matters else ())

    def context(self, move: Move | None, month: int, nomination: tuple[str, int] | None = None) -> Context:
        key = (self._move_key(move), month, nomination)
        found = self._contexts.get(key)
        if found is None:
            on = month_date(self.as_of, month)
            projected = self._projection(move, month, on, nomination)
            if not 0 <= month <= self.horizon or self._retake_due[month]:  # with_retakes checks again
                projected, _ = with_retakes(projected, on)
            found = self._contexts[key] = PlanContext(projected, on, self)
        return found

    def _projection(self, move: Move | None, month: int, on: date, nomination: tuple[str, int] | None) -> Profile:
        """:func:`project` for a month, shared by the months it would return an equal profile for.

        A projection depends on the month only through whether the move has happened and
        whether the current permit has ended (and, given, the nomination's own month).
        """
        arrived = move is not None and move.arrival_month <= month
        ended = self._permit_end is not None and self._permit_end < on
        key = (self._move_key(move), arrived, ended, nomination)
        found = self._projections.get(key)
        if found is None:
            found = self._projections[key] = project(self.profile, self.as_of, month, move,
                                                     *(nomination if nomination else (None, None)),
                                                     work_until=self._permit_end)
        return found

    @cached_property
    def _retake_due(self) -> list[bool]:
        """Per plan month: whether :func:`with_retakes` renews anything (some newest result has expired)."""
        from planner.facts.language import valid_until  # expired as convert() says: on or after the day it ends
        newest = list(newest_tests(self.profile).values())
        return [any(on >= valid_until(test, on) for test in newest)
                for on in (month_date(self.as_of, month) for month in range(self.horizon + 1))]

    def eligible(self, program: ProgramFile, move: Move | None, month: int,
                 nomination: tuple[str, int] | None = None) -> bool:
        if self.hopeless(program):
            return False
        key = (program.id, self._move_key(move), month, nomination)
        found = self._eligible.get(key)
        if found is None:
            found = self._eligible[key] = is_eligible(program, self.context(move, month, nomination))
        return found

    def hopeless(self, program: ProgramFile) -> bool:
        """True if no month of the plan can meet ``program`` (see :func:`cannot_become_eligible`)."""
        found = self._hopeless.get(program.id)
        if found is None:
            found = self._hopeless[program.id] = cannot_become_eligible(program, self._unchanging, self.as_of, self._end)
        return found

    def crs(self, move: Move | None, month: int, nomination: tuple[str, int] | None = None) -> int:
        """CRS in a month, with an Express Entry-linked nomination in force when ``nomination`` is given.

        ``nomination`` is (province, month) with the nomination's month this month.  Its score
        key is the month's own with the nomination in force (:func:`planner.scoring.crs.nominated_key`),
        so the nominated profile is projected and scored only for a key not seen before.
        """
        context = self.context(move, month)
        if nomination is None:
            return context.crs_total
        return self.scored("crs", crs_module.nominated_key(context.crs_key),
                           lambda: self.context(move, month, nomination).crs_total)

    def arrival_candidates(self, earliest: int) -> list[int]:
        """The arrival months worth considering for a permit taking ``earliest`` months (see :func:`arrival_candidates`)."""
        if earliest not in self._arrivals:
            self._arrivals[earliest] = arrival_candidates(self.profile, self.as_of, self.horizon, earliest)
        return self._arrivals[earliest]

    def round_types(self, move: Move | None, month: int, pool_program: str | None) -> list[str]:
        """Round types the person could be invited in at a month: the pool program's (or every Express
        Entry program's, when ``pool_program`` is None), plus the categories they fit."""
        key = (self._move_key(move), month, pool_program)
        found = self._round_types.get(key)
        if found is None:
            found = self._round_types[key] = sorted(
                {t for program in self._round_type_programs(pool_program) if self.eligible(program, move, month)
                 for t in program.round_types})
        return found

    def possible_round_types(self, template: RouteTemplate) -> tuple[str, ...]:
        """Every round type :meth:`round_types` could give for the template's pool program in some month."""
        pool_program = template.pool.program.id if template.pool is not None else None
        found = self._possible_round_types.get(pool_program)
        if found is None:
            found = self._possible_round_types[pool_program] = tuple(sorted(
                {t for program in self._round_type_programs(pool_program) if not self.hopeless(program)
                 for t in program.round_types}))
        return found

    def _round_type_programs(self, pool_program: str | None) -> list[ProgramFile]:
        """Programs whose round types an invitation can come in: the pool program (or every Express Entry
        program, when ``pool_program`` is None) and the categories, if some of their types held a round
        recently enough to count in an estimate (:meth:`planner.rounds.estimator.RoundIndex.types_with_rounds`)."""
        found = self._round_type_program_lists.get(pool_program)
        if found is None:
            active = default_index().types_with_rounds(self.as_of)  # the others add nothing to an estimate
            found = self._round_type_program_lists[pool_program] = [
                program for program in self.cat.programs
                if program.kind in ("express_entry", "category") and active.intersection(program.round_types)
                and not (program.kind == "express_entry" and pool_program is not None and program.id != pool_program)]
        return found

    def earliest_work_month(self, program: ProgramFile, arrival: int | None) -> int:
        """The first plan month ``program``'s requirements of work in Canada can be met (a lower bound).

        New Canadian work counts from tomorrow for someone working in Canada now, else from
        ``arrival`` (the earliest arrival on a permit; None: the route never moves them).
        ``horizon + 1`` when they cannot be met within the plan (see
        :func:`planner.eligibility.verdicts.earliest_canadian_work_date`).
        """
        key = (program.id, arrival)
        found = self._earliest_work.get(key)
        if found is None:
            if self._works_in_canada:
                accrual_from = self.as_of + timedelta(days=1)
            else:
                accrual_from = None if arrival is None else month_date(self.as_of, arrival)
            day = earliest_canadian_work_date(program, self.profile, self.as_of, self._end, accrual_from)
            found = self.horizon + 1
            if day is not None:
                found = next((m for m in range(self.horizon + 1) if month_date(self.as_of, m) >= day), found)
            self._earliest_work[key] = found
        return found

    @cached_property
    def _works_in_canada(self) -> bool:
        """True if some Canadian job of the profile goes on after the plan date."""
        return any(job.in_canada and (job.end is None or job.end > self.as_of) for job in self.profile.work_history)

    @cached_property
    def language_expiry(self) -> tuple[int | None, int]:
        """The first plan month some newest test is no longer valid, and how many tests (see :func:`_language_expiry`)."""
        return _language_expiry(self.profile, self.as_of)

    def decision_table(self, template: RouteTemplate) -> dict[int, tuple[int, int]]:
        """(median, p80) months of the PR decision for an application submitted in each plan month.

        Shared, read-only, by the templates with the same decision and nomination programs.
        """
        return _decision_table(self.cat, template.decision.program.id,
                               template.nomination.program.id if template.nomination else None, self.as_of, self.horizon)

    def scored(self, score: str, key: tuple, compute):
        """A score (``"crs"`` total or ``"fsw"`` result) for its score key, computed once per key.

        The keys are :func:`planner.scoring.crs.score_key` and :func:`planner.scoring.fsw.score_key`: months
        whose keys are equal have equal scores, so most months reuse an earlier one.
        """
        store = self._scores[score]
        found = store.get(key)
        if found is None:
            found = store[key] = compute()
        return found


class PlanContext(Context):
    """A context of the month tables: CRS totals and FSW scores come from the plan's score-key caches.

    A cached FSW score may have been computed in another month with the same key: its
    points and pass/fail are the same, its descriptive text need not be.  Verdicts shown
    to the user are evaluated on a plain :class:`Context` (see :func:`planner.api.to_route`).
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
        return self._states.scored("fsw", fsw_module.score_key(self.profile, self.as_of),
                                   lambda: fsw_module.score(self.profile, self.as_of))


@dataclass(frozen=True)
class NominationEntry:
    """A nomination applied for in a month: months until the person is a nominee, and its chance."""

    months: int
    """Processing, plus the expected wait to be selected in a draw where the province selects by draws."""
    log_cost: int = 0
    """The chance of selection by draws as an integer cost (0 where the program's success probability applies)."""
    probability: float = 1.0
    note: str | None = None


@dataclass
class StepTables:
    """Everything the solver needs to know about one template."""

    template: RouteTemplate
    arrivals: list[int]
    moves: dict[int, Move | None]
    as_of: date | None = None
    horizon: int = 0
    """The plan's horizon in months (the window an invitation must come in is read against it)."""
    round_types: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)
    temp_months: int = 0
    pool: set[tuple[int, int]] = field(default_factory=set)
    nomination: dict[tuple[int, int], NominationEntry] = field(default_factory=dict)
    invitation: dict[tuple[int, int], tuple[int, int, float, int]] = field(default_factory=dict)
    decision: dict[int, tuple[int, int]] = field(default_factory=dict)
    prep_months: int = 1
    permit_language: bool = False
    """The permit step has a language requirement: its results must be valid in the month it is applied for."""
    stays: dict[int, Stay | None] = field(default_factory=dict)
    """Per arrival: the permit the person holds in Canada on the route (None: none, or nothing limits it)."""
    status_fees: dict[tuple[int, int], int] | None = None
    """(arrival, submission month) -> fees of keeping status (renewals, a bridging permit), for the submission
    months that keep the person in status; None when no arrival has a stay to keep (see :func:`status_table`)."""
    language_expiry: int | None = None
    retake_months: int = 1
    retake_validity: int = 0
    retake_cost: int = 0
    fixed_cost: int = 0
    """Government fees that are the same whichever month the steps are taken in."""
    fixed_log_cost: int = 0
    """Probability costs of the fixed steps that are the same in every month."""
    fees_by_month: dict[str, dict[int, int]] = field(default_factory=dict)
    """Fees that change over the plan (a fee rule with a new value in force), by timing role and month:
    ``arrival`` (keyed by arrival month; paid when the permit is applied for), ``pool``, ``nomination``
    and ``submission`` (see :func:`step_charges`)."""
    log_costs_by_month: dict[str, dict[int, int]] = field(default_factory=dict)
    """Probability costs that change over the plan, by timing role and month (as ``fees_by_month``)."""
    notes: list[str] = field(default_factory=list)
    requirements_ready: int = 0
    """The first month the pool's and nomination's requirements of work in Canada can be met (a lower bound;
    past the horizon when they cannot be met within it)."""
    invitation_impossible: bool = False
    """No month can have an invitation, whatever the CRS (see :func:`invitation_impossible`)."""
    tail_months: int = 0
    """The least months from any entry's month (pool, nomination or invitation) to PR (see :func:`_earliest_pr`)."""
    earliest_pr: int | None = None
    """A lower bound on the PR month of any route of the template, from its fixed steps alone (see :func:`_earliest_pr`)."""
    evaluated_through: int = -1
    """The last month whose pool, nomination and invitation entries have been evaluated (or deferred)."""
    deferred: set[tuple[int, int]] = field(default_factory=set)
    """(arrival, month) left out under a probability floor; see :func:`extend_tables`."""

    def horizon_window(self, month: int) -> int:
        """Months an invitation may take when waiting starts in ``month`` (see :func:`_invitation_window`)."""
        return _invitation_window(self, month, self.horizon)

    @property
    def least_cost(self) -> int:
        """The least government fees of the template's steps (fixed fees plus the cheapest month of each varying one)."""
        return self.fixed_cost + sum(min(by_month.values()) for by_month in self.fees_by_month.values())

    @property
    def least_log_cost(self) -> int:
        """The least probability cost of the template's fixed steps (without the invitation), over their months."""
        return self.fixed_log_cost + sum(min(by_month.values()) for by_month in self.log_costs_by_month.values())

    def charges_at(self, months: dict[str, int | None]) -> tuple[int, int]:
        """(fees, probability cost) of the steps when each timing role takes the given month (``None``: no such step)."""
        fees, logs = self.fixed_cost, self.fixed_log_cost
        for role, by_month in self.fees_by_month.items():
            fees += by_month[months[role]]
        for role, by_month in self.log_costs_by_month.items():
            logs += by_month[months[role]]
        return fees, logs


@per_book(maxsize=64)
def _decision_table(cat: Catalogue, decision_id: str, nomination_id: str | None, as_of: date,
                    horizon: int) -> dict[int, tuple[int, int]]:
    """:func:`planner.rules.process.decision_processing` for each plan month; it depends only on the rules, so plans share
    it (read-only)."""
    decision, selected = cat.get(decision_id), cat.get(nomination_id) if nomination_id else None
    return {month: decision_processing(decision, selected, month_date(as_of, month)) for month in range(horizon + 1)}


@dataclass(frozen=True)
class Payers:
    """Who per-person fees are charged for, and where the job is (for fees charged only for some provinces)."""

    adults: int
    children: int
    offer_province: str | None = None
    citizenships: tuple[str, ...] = ()


def fee_payers(profile: Profile) -> Payers:
    """The applicant and an accompanying spouse (adults), the children, the job offer's province, the citizenships."""
    adults = 1 + (1 if profile.spouse is not None and profile.spouse.accompanying else 0)
    return Payers(adults, profile.dependent_children, profile.job_offer.province if profile.job_offer else None,
                  tuple(profile.citizenships))


def _charged(fee: Fee, payers: Payers) -> bool:
    """Whether the applicant pays ``fee``: not the employer's, the job in a province it is for, no exempt citizenship."""
    return (fee.payer == "applicant"
            and (fee.only_if_offer_in is None or payers.offer_province in fee.only_if_offer_in)
            and not (fee.exempt_citizenships and set(payers.citizenships) & set(fee.exempt_citizenships)))


def fee_is_known(program: ProgramFile, on: date) -> bool:
    """True if ``models/`` states the program's fees in force on ``on`` (none stated: :func:`step_fees` counts 0)."""
    return program.fees is not None and program.fees.get(on) is not None


def step_fees(program: ProgramFile, on: date, payers: Payers, renewal: bool = False) -> int:
    """Government fees the applicant pays for a program on a date.

    Each fee once, or per adult, child, person or dependant (its ``per``), up to its
    ``max_cad``; a fee for jobs in some provinces counts when the offer is in one of them, and
    a fee some citizens are exempt from is not charged to them. For a ``renewal`` of the
    permit, fees not charged again on renewal (biometrics) are left out.
    """
    if not fee_is_known(program, on):
        return 0
    people = payers.adults + payers.children
    count = {"application": 1, "adult": payers.adults, "child": payers.children, "person": people, "dependant": people - 1}
    total = 0.0
    for fee in program.fees.get(on):
        if not _charged(fee, payers) or renewal and not fee.on_renewal:
            continue
        amount = fee.amount_cad * count[fee.per]
        total += amount if fee.max_cad is None else min(amount, fee.max_cad)
    return int(round(total))


def step_probability(program: ProgramFile, on: date) -> float:
    """A program step's success probability on a date (1.0 when the program states none, or when draws select
    for it then: the nomination entry carries that chance, see :func:`nomination_entry`)."""
    if program.selection is not None and program.selection.get(on) is not None:
        return 1.0
    if program.success_probability is None:
        return 1.0
    value = program.success_probability.get(on)
    return 1.0 if value is None else float(value)


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
    return candidates[:4]


def _language_expiry(profile: Profile, as_of: date) -> tuple[int | None, int]:
    """The first plan month in which the newest result of some language is no longer valid, and how many tests.

    None when there are no tests.  A result valid until day D is still valid in month m
    when the month's date is before D.
    """
    from planner.facts.language import convert
    newest = newest_tests(profile)
    if not newest:
        return None, 0
    expiry = None
    for test in newest.values():
        valid_until = convert(test, as_of).valid_until
        month = 0
        while month_date(as_of, month) < valid_until:
            month += 1
        expiry = month if expiry is None else min(expiry, month)
    return expiry, len(newest)


def status_table(tables: StepTables, states: States, horizon: int) -> dict[tuple[int, int], int] | None:
    """(arrival, submission) -> fees of staying in status until the PR decision, for the pairs that can.

    The PR application must be submitted while the permit (renewed as needed, each renewal
    applied for before the permit ends) is valid; if the decision then comes after the permit
    ends, a bridging open work permit applied for at submission covers the wait (only after a
    work permit: a student's study permit must outlast the decision). Submission months the
    permit cannot reach are left out: no route may leave the person in Canada without status. None when no arrival has a stay (nobody in Canada on a limited permit).
    """
    if all(stay is None for stay in tables.stays.values()):
        return None
    as_of, payers = states.as_of, fee_payers(states.profile)
    found: dict[tuple[int, int], int] = {}
    for arrival, stay in tables.stays.items():
        for sub, (median, _) in tables.decision.items():
            if sub < max(arrival, 0):
                continue
            if stay is None:
                found[(arrival, sub)] = 0
            elif stay.reaches(sub) and (stay.can_bridge() or sub + median <= stay.end_after(stay.renewals_to_reach(sub))):
                found[(arrival, sub)] = keeping_status_fees(stay, sub, sub + median, states.cat, as_of, payers)
    return found


def keeping_status_fees(stay: Stay, sub: int, pr: int, cat: Catalogue, as_of: date, payers: Payers) -> int:
    """Fees of the renewals that keep ``stay`` valid at submission ``sub``, and of a bridging permit if ``pr`` is later."""
    lead = status_rules().renewal_lead_months.at(as_of)
    renewals = stay.renewals_to_reach(sub)
    total = sum(step_fees(stay.program, month_date(as_of, stay.end_after(j) - lead), payers, renewal=True)
                for j in range(renewals))
    if pr > stay.end_after(renewals):
        on = month_date(as_of, sub)
        total += step_fees(bridging_program(cat, on), on, payers)
    return total


def start_tables(template: RouteTemplate, states: States, horizon: int) -> StepTables:
    """A template's tables without any month evaluated yet: fees, probabilities, arrivals, PR processing.

    :func:`extend_tables` then evaluates the months, all at once or a stretch at a time.
    """
    profile, as_of = states.profile, states.as_of
    retake = planning().language_retake.at(as_of)
    prep = planning().months_to_submit_after_invitation.at(as_of)
    deadline_days = express_entry_process().ita_deadline_days.at(as_of)
    expiry, test_count = states.language_expiry
    tables = StepTables(template=template, arrivals=[], moves={}, as_of=as_of, horizon=horizon, prep_months=prep,
                        language_expiry=expiry, retake_months=retake.months,
                        retake_validity=12 * validity_rules().validity_years.at(as_of), retake_cost=int(round(retake.cost_cad * max(test_count, 1))))
    if prep * 31 > deadline_days:
        tables.notes.append(f"planned {prep} month(s) to submit exceeds the {deadline_days}-day deadline")
        return tables

    # Arrival (temporary permit) or none.
    job = canadian_job_for(profile, as_of)
    if template.temp is not None:
        program = template.temp.program
        median, _ = permit_processing(program, profile, as_of)
        tables.temp_months = median
        tables.permit_language = any(requirement_kinds(r) & LANGUAGE_KINDS for r in program.requirements)
        grant = program.grants.get(as_of) if program.grants else None
        permit_months = permits.permit_months(grant, profile, as_of)
        if job is None:
            tables.notes.append("no occupation known for a job in Canada (add a job offer or work history)")
            return tables
        current = states.current_stay
        for arrival in states.arrival_candidates(median):
            start = arrival - median
            if current is not None and start > current.ends:
                continue  # applied for after the current permit ends: no maintained status, the person is out of status
            if not states.eligible(program, None, start):
                continue
            move = Move(program.id, template.temp.target, arrival, job[0], job[1], job[2], permit_months, job[3])
            tables.arrivals.append(arrival)
            tables.moves[arrival] = move
            tables.stays[arrival] = route_stay(program, profile, as_of, start, arrival)
    else:
        tables.arrivals = [NO_MOVE]
        tables.moves[NO_MOVE] = None
        tables.stays[NO_MOVE] = states.current_stay

    if template.decision is not None:
        tables.decision = states.decision_table(template)
        tables.status_fees = status_table(tables, states, horizon)
    _charge_tables(tables, states, horizon, fee_payers(profile))
    tables.earliest_pr = _earliest_pr(tables, states, horizon)
    tables.invitation_impossible = invitation_impossible(tables, states, horizon)
    return tables


def _earliest_pr(tables: StepTables, states: States, horizon: int) -> int | None:
    """A lower bound on the PR month of any route of the template, from its fixed steps alone.

    The earliest arrival (or now), the first month the pool's and the nomination's
    requirements of work in Canada can be met (:meth:`States.earliest_work_month`), the
    least nomination processing over the plan, the least wait for an invitation, the
    months to submit, and the least decision time: every route's steps follow one
    another, so none can reach PR sooner.  Also sets ``tables.requirements_ready`` and
    ``tables.tail_months``.  None if the template has no arrival or no decision.
    """
    if not tables.arrivals or not tables.decision:
        return None
    template = tables.template
    month = max(min(tables.arrivals), 0)
    arrival = min(tables.arrivals) if template.temp is not None else None
    ready = max([states.earliest_work_month(step.program, arrival)
                 for step in (template.pool, template.nomination) if step is not None], default=0)
    tables.requirements_ready = ready
    month = max(month, ready)
    nomination = 0
    if template.nomination is not None:
        nomination = least_processing(states.cat, template.nomination.program.id, states.as_of, horizon)
    tail = tables.prep_months + min(median for median, _ in tables.decision.values())
    # From an invitation entry's month the nomination is already behind; from a pool or nomination month it is not.
    tables.tail_months = tail + (LEAST_INVITATION_WAIT if template.invitation is not None else nomination)
    return month + nomination + (LEAST_INVITATION_WAIT if template.invitation is not None else 0) + tail


def last_useful_month(tables: StepTables, depth: int) -> int:
    """The last month whose entries can belong to a route reaching PR by month ``depth``.

    Every entry (pool, nomination or invitation) of month ``m`` leads to PR no sooner than
    ``m + tail_months`` (see :func:`_earliest_pr`), so later months need not be evaluated
    for a search that only looks at routes ending by ``depth``.
    """
    return depth - tables.tail_months


@per_book(maxsize=256)
def least_processing(cat: Catalogue, program_id: str, as_of: date, horizon: int) -> int:
    """The least median processing (months) of a program over plan months 0..horizon; shared by plans."""
    program = cat.get(program_id)
    return min(program_processing(program, month_date(as_of, month))[0] for month in range(horizon + 1))


TIMING_ROLES = ("arrival", "pool", "nomination", "submission")
"""The solver's month variables a step's fees and probability are read at (see :func:`step_charges`)."""


def step_charges(template: RouteTemplate) -> list[tuple[str, ProgramFile, bool, bool]]:
    """Which steps charge fees and carry a success probability, and at which timing role's month.

    Returns (role, program, charges fees, has a probability) per step.  A permit's fee and
    probability are those in force when it is applied for (``arrival`` less its
    processing); a nomination's in its month; the PR application's fees are IRCC's, read
    from the program that decides the application (the same fees whichever program led to
    it, a provincial nomination's own fee being charged at the nomination), and the
    decision's probability in the month the application is submitted.
    """
    charges = []
    for step in template.steps:
        if step.step == "apply_permit":
            charges.append(("arrival", step.program, True, True))
        elif step.step == "enter_pool":
            charges.append(("pool", step.program, True, False))
        elif step.step in ("nomination", "selection"):
            charges.append(("nomination", step.program, True, True))
        elif step.step == "apply_pr" and template.decision is not None:
            charges.append(("submission", template.decision.program, True, False))
        elif step.step == "decision":
            charges.append(("submission", step.program, False, True))
    return charges


def _charge_tables(tables: StepTables, states: States, horizon: int, payers: Payers) -> None:
    """Fill the fixed fees and probability costs, and those that change over the plan by month.

    A role whose charge is the same in every month it can take adds to ``fixed_cost`` /
    ``fixed_log_cost``; otherwise its month-by-month values go to ``fees_by_month`` /
    ``log_costs_by_month`` for the solver to read at the month it chooses.
    """
    cat, as_of = states.cat, states.as_of
    fees: dict[str, tuple[int, ...]] = {}
    logs: dict[str, tuple[int, ...]] = {}
    for role, program, charges_fees, has_probability in step_charges(tables.template):
        if charges_fees:
            fees[role] = _add(fees.get(role), fee_schedule(cat, program.id, as_of, horizon, payers))
        if has_probability:
            logs[role] = _add(logs.get(role), log_cost_schedule(cat, program.id, as_of, horizon))
    for schedules, fixed_name, varying in ((fees, "fixed_cost", tables.fees_by_month),
                                           (logs, "fixed_log_cost", tables.log_costs_by_month)):
        fixed = 0
        for role, schedule in schedules.items():
            if role == "arrival":  # paid when the permit is applied for, its processing before arrival
                by_month = {a: schedule[a - tables.temp_months] for a in tables.arrivals}
            elif _constant(schedule):
                fixed += schedule[0]
                continue
            else:
                by_month = dict(enumerate(schedule))
            if len(set(by_month.values())) > 1:
                varying[role] = by_month
            elif by_month:
                fixed += next(iter(by_month.values()))
        setattr(tables, fixed_name, fixed)


def _add(total: tuple[int, ...] | None, schedule: tuple[int, ...]) -> tuple[int, ...]:
    return schedule if total is None else tuple(a + b for a, b in zip(total, schedule))


@lru_cache(maxsize=1024)
def _constant(schedule: tuple[int, ...]) -> bool:
    return len(set(schedule)) == 1


@per_book(maxsize=512)
def fee_schedule(cat: Catalogue, program_id: str, as_of: date, horizon: int, payers: Payers) -> tuple[int, ...]:
    """A program's applicant fees (:func:`step_fees`) in each plan month 0..horizon; shared by plans, read-only."""
    program = cat.get(program_id)
    return tuple(step_fees(program, month_date(as_of, month), payers) for month in range(horizon + 1))


@per_book(maxsize=512)
def log_cost_schedule(cat: Catalogue, program_id: str, as_of: date, horizon: int) -> tuple[int, ...]:
    """A program step's probability cost (:func:`step_probability`) in each plan month 0..horizon; shared, read-only."""
    program = cat.get(program_id)
    return tuple(log_cost(step_probability(program, month_date(as_of, month))) for month in range(horizon + 1))


def extend_tables(tables: StepTables, states: States, horizon: int, through: int,
                  max_log_cost: int | None = None) -> None:
    """Evaluate the months after those already evaluated, up to month ``through`` (at most ``horizon``).

    Entries only depend on their own month (and the whole ``horizon``, which sets the
    window an invitation has to come in), so evaluating the months in stretches gives
    the same tables as evaluating them at once.

    With ``max_log_cost`` (a route probability floor), a month whose invitation could not
    keep the route within it even at its best (:func:`invitation_cannot_meet`) is deferred:
    its pool, round-type and invitation entries are left out, which no route meeting the
    floor can miss (the pool month of such a template is its invitation-wait month).  A
    later call without ``max_log_cost`` evaluates the deferred months first.
    """
    template = tables.template
    if tables.notes:
        return
    through = min(through, horizon)
    if max_log_cost is None and tables.deferred:
        for arrival, month in sorted(k for k in tables.deferred if k[1] <= through):
            tables.deferred.discard((arrival, month))
            _month_entries(tables, states, tables.moves[arrival], arrival, month, horizon)
    first = tables.evaluated_through + 1
    if first > through:
        return
    tables.evaluated_through = through
    budget = None
    if max_log_cost is not None and template.invitation is not None and template.nomination is None:
        budget = max_log_cost - tables.least_log_cost
    waits_from_pool = _waits_from_pool(template)
    for arrival in tables.arrivals:
        move = tables.moves[arrival]
        start = max(arrival, 0, first)
        if waits_from_pool:  # no entry before the pool program's work requirements can be met after this arrival
            start = max(start, states.earliest_work_month(template.pool.program, arrival if template.temp else None))
        for month in range(start, through + 1):
            if budget is not None and invitation_cannot_meet(tables, states, move, month, horizon, budget):
                tables.deferred.add((arrival, month))
            else:
                _month_entries(tables, states, move, arrival, month, horizon)


def _waits_from_pool(template: RouteTemplate) -> bool:
    """True if the template's invitation wait starts in its pool month (a pool, an invitation, no nomination).

    Its months where the pool program is not met then have no entry at all: no pool entry,
    and an invitation entry there could never be chosen (the model makes the wait start
    in the pool month), so neither the CRS nor the round types of such a month are needed.
    """
    return template.pool is not None and template.invitation is not None and template.nomination is None


def _month_entries(tables: StepTables, states: States, move: Move | None, arrival: int, month: int,
                   horizon: int) -> None:
    """The pool, nomination and invitation entries of one (arrival, month)."""
    template = tables.template
    if template.pool is not None and states.eligible(template.pool.program, move, month):
        tables.pool.add((arrival, month))
    elif _waits_from_pool(template):
        return
    if template.nomination is not None:
        nominated = template.nomination.program
        if states.eligible(nominated, move, month):
            entry = nomination_entry(tables, states, nominated, month, horizon)
            if entry is not None:
                tables.nomination[(arrival, month)] = entry
    if template.invitation is not None:
        _invitation_entry(tables, states, move, arrival, month, horizon)


def nomination_entry(tables: StepTables, states: States, program: ProgramFile, month: int,
                     horizon: int) -> NominationEntry | None:
    """A nomination applied for in ``month``: its processing, or where draws select, the wait and chance of selection.

    Selection by draws must come soon enough for the rest of the route (at least an
    invitation's least wait if one follows, the months to submit, the least decision time) to
    end by the horizon; no entry when selection within that window is under 5% likely.
    """
    on = month_date(states.as_of, month)
    median, _ = program_processing(program, on)
    rule = program.selection.get(on) if program.selection is not None else None
    if rule is None:
        return NominationEntry(median)
    after = (LEAST_INVITATION_WAIT if tables.template.invitation is not None else 0) + tables.prep_months
    decision = min((d for d, _ in tables.decision.values()), default=0)
    window = horizon - month - median - after - decision
    if window < 1:
        return None
    estimate = selection_cached(rule.series, selection_value(states.profile, program, on), states.as_of, window)
    if estimate.expected_wait_months is None or estimate.probability <= 0:
        return None
    wait = max(1, months_ceil(estimate.expected_wait_months))
    probability = estimate.probability * rule.after_invitation
    return NominationEntry(wait + median, log_cost(probability), probability,
                           f"{estimate.explanation}; expected wait for a draw {wait} month(s), then {median} month(s) "
                           f"of processing; {rule.after_invitation:.0%} of invited applicants assumed nominated")


def selection_value(profile: Profile, program: ProgramFile, on: date) -> float | None:
    """The person's value of the criterion a program's draws select by: the job offer's hourly wage."""
    offer = profile.job_offer
    if offer is None:
        return None
    if offer.hourly_wage_cad is not None:
        return offer.hourly_wage_cad
    if offer.annual_salary_cad is not None:
        return offer.annual_salary_cad / planning().annual_hours_for_wages.at(on)
    return None


@per_book(maxsize=4096)
def selection_cached(series: str, value: float | None, as_of: date, window: int):
    return estimate_selection(series, value, as_of, window)


def invitation_cannot_meet(tables: StepTables, states: States, move: Move | None, month: int, horizon: int,
                           budget: int) -> bool:
    """True if no invitation wait starting in ``month`` can cost at most ``budget`` (a template without nomination).

    The bound is the estimate at the month's own CRS and window as if the person fitted
    every round type the template could ever invite them in.  Qualifying for more round
    types never lowers the estimate (a property test of the estimator in
    tests/rounds/test_rounds_estimator.py), so if even that costs more than ``budget``,
    the month's real entry does too, or there is none.
    """
    window = _invitation_window(tables, month, horizon)
    if window < 1:
        return True
    best = estimate_cached(states.crs(move, month), states.possible_round_types(tables.template), states.as_of, window)
    return log_cost(best.probability) > budget


def _invitation_window(tables: StepTables, month: int, horizon: int) -> int:
    """Months an invitation may take when waiting starts in ``month``, leaving time to apply and be decided."""
    decision_median = tables.decision.get(month, (0, 0))[0] if tables.decision else 0
    return horizon - month - tables.prep_months - decision_median


def _invitation_entry(tables: StepTables, states: States, move, arrival: int, month: int, horizon: int) -> None:
    """Expected wait and probability of an invitation when waiting starts in ``month``."""
    template = tables.template
    nomination = None
    if template.nomination is not None and template.nomination.program.express_entry_linked:
        nomination = (template.nomination.program.jurisdiction.upper(), month)
    score = states.crs(move, month, nomination)
    types = states.round_types(move, month, template.pool.program.id if template.pool is not None else None)
    if nomination is not None:
        types = sorted(set(types) | set(nomination_round_types(template)))
    if not types:
        return
    window = _invitation_window(tables, month, horizon)
    if window < 1:
        return
    estimate = estimate_cached(score, tuple(types), states.as_of, window)
    if estimate.expected_wait_months is None or estimate.probability <= 0:
        return
    wait = max(LEAST_INVITATION_WAIT, months_ceil(estimate.expected_wait_months))
    tables.invitation[(arrival, month)] = (wait, log_cost(estimate.probability), estimate.probability, score)
    tables.round_types[(arrival, month)] = tuple(types)


def nomination_round_types(template: RouteTemplate) -> list[str]:
    """The round types an Express Entry-linked nominee is invited in (the invitation program's, else provincial rounds)."""
    return template.invitation.program.round_types or ["pnp"]


def invitation_impossible(tables: StepTables, states: States, horizon: int) -> bool:
    """True if no month of the template can have an invitation: its tables need not be evaluated.

    Even the highest CRS, fitting every round type the template could ever be invited in,
    over the longest window the horizon leaves, gets no estimate with an expected wait
    (e.g. no Federal Skilled Worker or general round for two years).  The estimate never
    falls as the score, the round types or the window grow (property tests in
    tests/rounds/test_rounds_estimator.py), so no month's real entry can exist.
    """
    template = tables.template
    if template.invitation is None:
        return False
    types = set(states.possible_round_types(template))
    if template.nomination is not None and template.nomination.program.express_entry_linked:
        types |= set(nomination_round_types(template))
    window = horizon - tables.prep_months - min((median for median, _ in tables.decision.values()), default=0)
    if window < 1:
        return False  # a horizon too short for any route; :attr:`StepTables.earliest_pr` says so
    if not types:
        return True
    best = estimate_cached(crs_module.maximum_total(states.as_of), tuple(sorted(types)), states.as_of, window)
    return best.expected_wait_months is None or best.probability <= 0


@per_book(maxsize=4096)
def estimate_cached(score: int, types: tuple[str, ...], as_of: date, window: int):
    return estimate_invitation(score, types, as_of, window)
