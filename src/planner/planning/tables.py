"""Month tables: for each route template, what each step needs and gives in each plan month.

All rule evaluation for a route happens here and in :mod:`planner.planning.states`, before
the solver runs (the CP-SAT model only reads these tables).  A step's table says, for an
arrival month ``a`` (when the person starts working in Canada, if the route moves them) and
a start month ``s``, whether the step's requirements are met in that month on the projected
profile, and how long it takes.  Language results are assumed valid in the tables (retaken
with the same scores when expired); when a retake is actually needed is a timing decision
the model makes.

A :class:`StepTables` is immutable: :func:`start_tables` builds a template's fixed part, and
:func:`extend_tables` returns a new one with more months evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import NamedTuple

from planner.dates import add_months
from planner.eligibility.verdicts import requirement_kinds
from planner.facts.language import validity_rules
from planner.facts.profile import Profile
from planner.facts.timeline import Move, canadian_job_for, month_date
from planner.planning import permits
from planner.planning.charges import fee_payers, log_cost, route_charges, status_fees
from planner.planning.process import permit_processing
from planner.planning.states import DecisionTime, States
from planner.planning.status import Stay, route_stay
from planner.planning.templates import RouteTemplate
from planner.rounds import estimate_invitation
from planner.rounds.provincial import estimate_selection
from planner.rules.book import per_book
from planner.rules.catalogue import Catalogue, ProgramFile
from planner.rules.process import express_entry_process, months_ceil, planning, program_processing
from planner.scoring import crs as crs_module

LEAST_INVITATION_WAIT = 1
"""An invitation is planned at least a month after waiting starts (rounds are at most a few a month; a plan step)."""

LANGUAGE_KINDS = frozenset({"language", "credential_language", "experience_language"})
"""Requirement kinds that read language results (valid results are needed when the step is taken)."""

NO_MOVE = -1
"""Arrival month used for routes that never move the person to Canada on a new permit."""

Key = tuple[int, int]
"""(arrival month, plan month) of a month entry."""


@dataclass(frozen=True)
class NominationEntry:
    """A nomination applied for in a month: months until the person is a nominee, and its chance."""

    months: int
    """Processing, plus the expected wait to be selected in a draw where the province selects by draws."""
    log_cost: int = 0
    """The chance of selection by draws as an integer cost (0 where the program's success probability applies)."""
    probability: float = 1.0
    note: str | None = None


class InvitationEntry(NamedTuple):
    """An invitation wait starting in a month: the expected wait, its chance (as a cost and as a probability), the CRS."""

    wait: int
    log_cost: int
    probability: float
    crs: int


@dataclass(frozen=True, eq=False)
class StepTables:
    """Everything the solver needs to know about one template; never changed once made."""

    template: RouteTemplate
    as_of: date
    horizon: int
    """The plan's horizon in months (the window an invitation must come in is read against it)."""
    prep_months: int = 1
    arrivals: tuple[int, ...] = ()
    moves: Mapping[int, Move | None] = field(default_factory=dict)
    stays: Mapping[int, Stay | None] = field(default_factory=dict)
    """Per arrival: the permit the person holds in Canada on the route (None: none, or nothing limits it)."""
    temp_months: int = 0
    permit_language: bool = False
    """The permit step has a language requirement: its results must be valid in the month it is applied for."""
    decision: Mapping[int, DecisionTime] = field(default_factory=dict)
    status_fees: Mapping[Key, int] | None = None
    """(arrival, submission month) -> fees of keeping status (renewals, a bridging permit), for the submission
    months that keep the person in status; None when no arrival has a stay to keep (see
    :func:`planner.planning.charges.status_fees`)."""
    language_expiry: int | None = None
    retake_months: int = 1
    retake_validity: int = 0
    retake_cost: int = 0
    fixed_cost: int = 0
    """Government fees that are the same whichever month the steps are taken in."""
    fixed_log_cost: int = 0
    """Probability costs of the fixed steps that are the same in every month."""
    fees_by_month: Mapping[str, Mapping[int, int]] = field(default_factory=dict)
    """Fees that change over the plan (a fee rule with a new value in force), by timing role and month:
    ``arrival`` (keyed by arrival month; paid when the permit is applied for), ``pool``, ``nomination``
    and ``submission`` (see :func:`planner.planning.charges.step_charges`)."""
    log_costs_by_month: Mapping[str, Mapping[int, int]] = field(default_factory=dict)
    """Probability costs that change over the plan, by timing role and month (as ``fees_by_month``)."""
    notes: tuple[str, ...] = ()
    requirements_ready: int = 0
    """The first month the pool's and nomination's requirements of work in Canada can be met (a lower bound;
    past the horizon when they cannot be met within it)."""
    invitation_impossible: bool = False
    """No month can have an invitation, whatever the CRS (see :func:`invitation_impossible`)."""
    tail_months: int = 0
    """The least months from any entry's month (pool, nomination or invitation) to PR (see :func:`_bounds`)."""
    earliest_pr: int | None = None
    """A lower bound on the PR month of any route of the template, from its fixed steps alone (see :func:`_bounds`)."""
    pool: frozenset[Key] = frozenset()
    nomination: Mapping[Key, NominationEntry] = field(default_factory=dict)
    invitation: Mapping[Key, InvitationEntry] = field(default_factory=dict)
    round_types: Mapping[Key, tuple[str, ...]] = field(default_factory=dict)
    evaluated_through: int = -1
    """The last month whose pool, nomination and invitation entries have been evaluated (or deferred)."""
    deferred: frozenset[Key] = frozenset()
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

    def charges_at(self, months: Mapping[str, int | None]) -> tuple[int, int]:
        """(fees, probability cost) of the steps when each timing role takes the given month (``None``: no such step)."""
        fees, logs = self.fixed_cost, self.fixed_log_cost
        for role, by_month in self.fees_by_month.items():
            fees += by_month[months[role]]
        for role, by_month in self.log_costs_by_month.items():
            logs += by_month[months[role]]
        return fees, logs


def start_tables(template: RouteTemplate, states: States, horizon: int) -> StepTables:
    """A template's tables without any month evaluated yet: fees, probabilities, arrivals, PR processing.

    :func:`extend_tables` then evaluates the months, all at once or a stretch at a time.
    """
    as_of = states.as_of
    retake = planning().language_retake.at(as_of)
    prep = planning().months_to_submit_after_invitation.at(as_of)
    deadline_days = express_entry_process().ita_deadline_days.at(as_of)
    expiry = states.language_expiry
    tables = StepTables(
        template=template,
        as_of=as_of,
        horizon=horizon,
        prep_months=prep,
        language_expiry=expiry.month,
        retake_months=retake.months,
        retake_validity=12 * validity_rules().validity_years.at(as_of),
        retake_cost=int(round(retake.cost_cad * max(expiry.tests, 1))),
    )
    if (add_months(as_of, prep) - as_of).days > deadline_days:
        return replace(tables, notes=(f"planned {prep} month(s) to submit exceeds the {deadline_days}-day deadline",))
    tables = replace(tables, **_arrival_fields(template, states))
    if tables.notes:
        return tables
    if template.decision is not None:
        decision = states.decision_table(template)
        tables = replace(
            tables,
            decision=decision,
            status_fees=status_fees(dict(tables.stays), decision, states.cat, as_of, fee_payers(states.profile)),
        )
    tables = replace(
        tables,
        **route_charges(
            template, states.cat, as_of, horizon, fee_payers(states.profile), tables.arrivals, tables.temp_months
        )._asdict(),
    )
    tables = replace(tables, **_bounds(tables, states, horizon))
    return replace(tables, invitation_impossible=invitation_impossible(tables, states, horizon))


def _arrival_fields(template: RouteTemplate, states: States) -> dict:
    """The arrival months (with the move and the stay of each), or the note saying why there is none.

    A route without a temporary permit has one arrival, :data:`NO_MOVE`; a permit is applied
    for in a month its requirements are met, while the current permit (if any) still holds.
    """
    if template.temp is None:
        return dict(arrivals=(NO_MOVE,), moves={NO_MOVE: None}, stays={NO_MOVE: states.current_stay})
    profile, as_of = states.profile, states.as_of
    program = template.temp.program
    median, _ = permit_processing(program, profile, as_of)
    fields = dict(
        temp_months=median, permit_language=any(requirement_kinds(r) & LANGUAGE_KINDS for r in program.requirements)
    )
    job = canadian_job_for(profile, as_of)
    if job is None:
        return {**fields, "notes": ("no occupation known for a job in Canada (add a job offer or work history)",)}
    grant = program.grants.get(as_of) if program.grants else None
    permit_months = permits.permit_months(grant, profile, as_of)
    arrivals, moves, stays = [], {}, {}
    for arrival in states.arrival_candidates(median):
        start = arrival - median
        if states.current_stay is not None and start > states.current_stay.ends:
            continue  # applied for after the current permit ends: no maintained status, the person is out of status
        if not states.eligible(program, None, start):
            continue
        arrivals.append(arrival)
        moves[arrival] = Move(program.id, template.temp.target, arrival, job[0], job[1], job[2], permit_months, job[3])
        stays[arrival] = route_stay(program, profile, as_of, start, arrival)
    return {**fields, "arrivals": tuple(arrivals), "moves": moves, "stays": stays}


def _bounds(tables: StepTables, states: States, horizon: int) -> dict:
    """A lower bound on the PR month of any route of the template, from its fixed steps alone (``earliest_pr``).

    The earliest arrival (or now), the first month the pool's and the nomination's
    requirements of work in Canada can be met (``requirements_ready``, see
    :meth:`States.earliest_work_month`), the least nomination processing over the plan,
    the least wait for an invitation, the months to submit, and the least decision time:
    every route's steps follow one another, so none can reach PR sooner.  ``tail_months``
    is the least time from an entry's month to PR.  No ``earliest_pr`` if the template has
    no arrival or no decision.
    """
    if not tables.arrivals or not tables.decision:
        return dict(earliest_pr=None)
    template = tables.template
    arrival = min(tables.arrivals) if template.temp is not None else None
    ready = max(
        [
            states.earliest_work_month(step.program, arrival)
            for step in (template.pool, template.nomination)
            if step is not None
        ],
        default=0,
    )
    month = max(max(min(tables.arrivals), 0), ready)
    nomination = 0
    if template.nomination is not None:
        nomination = least_processing(states.cat, template.nomination.program.id, states.as_of, horizon)
    tail = tables.prep_months + min(time.median for time in tables.decision.values())
    invitation_wait = LEAST_INVITATION_WAIT if template.invitation is not None else 0
    # From an invitation entry's month the nomination is already behind; from a pool or nomination month it is not.
    return dict(
        requirements_ready=ready,
        tail_months=tail + (invitation_wait or nomination),
        earliest_pr=month + nomination + invitation_wait + tail,
    )


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


class _MonthEntry(NamedTuple):
    """What one (arrival, month) adds: in the pool or not, a nomination, an invitation with its round types."""

    pool: bool = False
    nomination: NominationEntry | None = None
    invitation: tuple[InvitationEntry, tuple[str, ...]] | None = None


def extend_tables(
    tables: StepTables, states: States, horizon: int, through: int, max_log_cost: int | None = None
) -> StepTables:
    """The tables with the months after those already evaluated evaluated too, up to ``through`` (at most ``horizon``).

    Entries only depend on their own month (and the whole ``horizon``, which sets the
    window an invitation has to come in), so evaluating the months in stretches gives
    the same tables as evaluating them at once.

    With ``max_log_cost`` (a route probability floor), a month whose invitation could not
    keep the route within it even at its best (:func:`invitation_cannot_meet`) is deferred:
    its pool, round-type and invitation entries are left out, which no route meeting the
    floor can miss (the pool month of such a template is its invitation-wait month).  A
    later call without ``max_log_cost`` evaluates the deferred months first.
    """
    if tables.notes:
        return tables
    through = min(through, horizon)
    first = tables.evaluated_through + 1
    redo = sorted(k for k in tables.deferred if k[1] <= through) if max_log_cost is None else []
    if first > through and not redo:
        return tables
    found = {key: _month_entry(tables, states, tables.moves[key[0]], key[1], horizon) for key in redo}
    deferred = set(tables.deferred) - set(redo)
    if first <= through:
        for key, entry in _new_months(tables, states, horizon, first, through, max_log_cost):
            if entry is None:
                deferred.add(key)
            else:
                found[key] = entry
    return _with_entries(tables, found, frozenset(deferred), max(tables.evaluated_through, through))


def _new_months(tables: StepTables, states: States, horizon: int, first: int, through: int, max_log_cost: int | None):
    """(key, entry) for every (arrival, month) from ``first`` to ``through``; the entry is None for a deferred month."""
    template = tables.template
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
                yield (arrival, month), None
            else:
                yield (arrival, month), _month_entry(tables, states, move, month, horizon)


def _with_entries(
    tables: StepTables, found: dict[Key, _MonthEntry], deferred: frozenset[Key], through: int
) -> StepTables:
    """A new StepTables holding ``tables``' entries and those ``found``."""
    pool, nomination = set(tables.pool), dict(tables.nomination)
    invitation, round_types = dict(tables.invitation), dict(tables.round_types)
    for key, entry in found.items():
        if entry.pool:
            pool.add(key)
        if entry.nomination is not None:
            nomination[key] = entry.nomination
        if entry.invitation is not None:
            invitation[key], round_types[key] = entry.invitation
    return replace(
        tables,
        pool=frozenset(pool),
        nomination=nomination,
        invitation=invitation,
        round_types=round_types,
        deferred=deferred,
        evaluated_through=through,
    )


def _waits_from_pool(template: RouteTemplate) -> bool:
    """True if the template's invitation wait starts in its pool month (a pool, an invitation, no nomination).

    Its months where the pool program is not met then have no entry at all: no pool entry,
    and an invitation entry there could never be chosen (the model makes the wait start
    in the pool month), so neither the CRS nor the round types of such a month are needed.
    """
    return template.pool is not None and template.invitation is not None and template.nomination is None


def _month_entry(tables: StepTables, states: States, move: Move | None, month: int, horizon: int) -> _MonthEntry:
    """The pool, nomination and invitation entries of one (arrival, month)."""
    template = tables.template
    in_pool = template.pool is not None and states.eligible(template.pool.program, move, month)
    if not in_pool and _waits_from_pool(template):
        return _MonthEntry()
    nominated = None
    if template.nomination is not None and states.eligible(template.nomination.program, move, month):
        nominated = nomination_entry(tables, states, template.nomination.program, month, horizon)
    invitation = invitation_entry(tables, states, move, month, horizon) if template.invitation is not None else None
    return _MonthEntry(in_pool, nominated, invitation)


def nomination_entry(
    tables: StepTables, states: States, program: ProgramFile, month: int, horizon: int
) -> NominationEntry | None:
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
    decision = min((time.median for time in tables.decision.values()), default=0)
    window = horizon - month - median - after - decision
    if window < 1:
        return None
    estimate = selection_cached(rule.series, selection_value(states.profile, program, on), states.as_of, window)
    if estimate.expected_wait_months is None or estimate.probability <= 0:
        return None
    wait = max(1, months_ceil(estimate.expected_wait_months))
    probability = estimate.probability * rule.after_invitation
    return NominationEntry(
        wait + median,
        log_cost(probability),
        probability,
        f"{estimate.explanation}; expected wait for a draw {wait} month(s), then {median} month(s) "
        f"of processing; {rule.after_invitation:.0%} of invited applicants assumed nominated",
    )


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


def invitation_cannot_meet(
    tables: StepTables, states: States, move: Move | None, month: int, horizon: int, budget: int
) -> bool:
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
    decision_median = tables.decision[month].median if month in tables.decision else 0
    return horizon - month - tables.prep_months - decision_median


def invitation_entry(
    tables: StepTables, states: States, move: Move | None, month: int, horizon: int
) -> tuple[InvitationEntry, tuple[str, ...]] | None:
    """Expected wait and probability of an invitation when waiting starts in ``month``, with the round types it
    counts on; None when no invitation is likely enough to plan on."""
    template = tables.template
    nomination = None
    if template.nomination is not None and template.nomination.program.express_entry_linked:
        nomination = (template.nomination.program.jurisdiction.upper(), month)
    score = states.crs(move, month, nomination)
    types = states.round_types(move, month, template.pool.program.id if template.pool is not None else None)
    if nomination is not None:
        types = sorted(set(types) | set(nomination_round_types(template)))
    if not types:
        return None
    window = _invitation_window(tables, month, horizon)
    if window < 1:
        return None
    estimate = estimate_cached(score, tuple(types), states.as_of, window)
    if estimate.expected_wait_months is None or estimate.probability <= 0:
        return None
    wait = max(LEAST_INVITATION_WAIT, months_ceil(estimate.expected_wait_months))
    return InvitationEntry(wait, log_cost(estimate.probability), estimate.probability, score), tuple(types)


def nomination_round_types(template: RouteTemplate) -> list[str]:
    """The round types an Express Entry-linked nominee is invited in: the invitation program's (the provincial
    program's own ``round_types``, which the catalogue requires of every Express Entry-linked program)."""
    return template.invitation.program.round_types


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
    window = horizon - tables.prep_months - min((time.median for time in tables.decision.values()), default=0)
    if window < 1:
        return False  # a horizon too short for any route; :attr:`StepTables.earliest_pr` says so
    if not types:
        return True
    best = estimate_cached(crs_module.maximum_total(states.as_of), tuple(sorted(types)), states.as_of, window)
    return best.expected_wait_months is None or best.probability <= 0


@per_book(maxsize=4096)
def estimate_cached(score: int, types: tuple[str, ...], as_of: date, window: int):
    return estimate_invitation(score, types, as_of, window)
