"""What a route's steps charge: government fees and success probabilities, month by month, and keeping status.

Probabilities enter the CP-SAT model as integer costs (:func:`log_cost`); fees and costs
that change over the plan (a dated fee rule with a new value in force) are schedules the
solver reads at the month it chooses (:func:`route_charges`).
"""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from planner.facts.profile import Profile
from planner.facts.timeline import month_date
from planner.planning.status import Stay, bridging_program
from planner.planning.templates import RouteTemplate
from planner.rules.book import per_book
from planner.rules.catalogue import Catalogue, ProgramFile
from planner.rules.fees import Payers, step_fees
from planner.rules.process import step_probability
from planner.rules.status import status_rules

LOG_SCALE = 1000
"""Probabilities enter the model as integer costs round(-ln(p) * LOG_SCALE) (CP-SAT has no floats)."""

MAX_LOG_COST = 20 * LOG_SCALE
"""Cost of an impossible step (probability below e^-20 is treated as zero)."""

TIMING_ROLES = ("arrival", "pool", "nomination", "submission")
"""The solver's month variables a step's fees and probability are read at (see :func:`step_charges`)."""


def log_cost(probability: float) -> int:
    """Integer cost of a probability: 0 for certainty, larger for less likely steps."""
    if probability <= 0:
        return MAX_LOG_COST
    return min(MAX_LOG_COST, int(round(-math.log(probability) * LOG_SCALE)))


def fee_payers(profile: Profile) -> Payers:
    """The applicant and an accompanying spouse (adults), the children, the job offer's province, the citizenships."""
    adults = 1 + (1 if profile.spouse is not None and profile.spouse.accompanying else 0)
    return Payers(
        adults,
        profile.dependent_children,
        profile.job_offer.province if profile.job_offer else None,
        tuple(profile.citizenships),
    )


class StepCharge(NamedTuple):
    """One step's charges: the timing role whose month they are read at, the program, and what it charges."""

    role: str
    program: ProgramFile
    fees: bool
    probability: bool


def step_charges(template: RouteTemplate) -> list[StepCharge]:
    """Which steps charge fees and carry a success probability, and at which timing role's month.

    A permit's fee and probability are those in force when it is applied for (``arrival``
    less its processing); a nomination's in its month; the PR application's fees are IRCC's,
    read from the program that decides the application (the same fees whichever program led
    to it, a provincial nomination's own fee being charged at the nomination), and the
    decision's probability in the month the application is submitted.
    """
    charges = []
    for step in template.steps:
        if step.step == "apply_permit":
            charges.append(StepCharge("arrival", step.program, True, True))
        elif step.step == "enter_pool":
            charges.append(StepCharge("pool", step.program, True, False))
        elif step.step in ("nomination", "selection"):
            charges.append(StepCharge("nomination", step.program, True, True))
        elif step.step == "apply_pr" and template.decision is not None:
            charges.append(StepCharge("submission", template.decision.program, True, False))
        elif step.step == "decision":
            charges.append(StepCharge("submission", step.program, False, True))
    return charges


class RouteCharges(NamedTuple):
    """A template's fees and probability costs: the parts fixed over the plan, and those read at a step's month."""

    fixed_cost: int
    fixed_log_cost: int
    fees_by_month: dict[str, dict[int, int]]
    log_costs_by_month: dict[str, dict[int, int]]


def route_charges(
    template: RouteTemplate,
    cat: Catalogue,
    as_of: date,
    horizon: int,
    payers: Payers,
    arrivals: tuple[int, ...],
    temp_months: int,
) -> RouteCharges:
    """The fixed fees and probability costs, and those that change over the plan, by timing role and month.

    A role whose charge is the same in every month it can take adds to the fixed part;
    otherwise its month-by-month values are kept for the solver to read at the month it
    chooses.  A permit's charges are read at its arrival month less its processing.
    """
    fees: dict[str, tuple[int, ...]] = {}
    logs: dict[str, tuple[int, ...]] = {}
    for charge in step_charges(template):
        if charge.fees:
            fees[charge.role] = _add(
                fees.get(charge.role), fee_schedule(cat, charge.program.id, as_of, horizon, payers)
            )
        if charge.probability:
            logs[charge.role] = _add(logs.get(charge.role), log_cost_schedule(cat, charge.program.id, as_of, horizon))
    fixed_cost, fees_by_month = _split(fees, arrivals, temp_months)
    fixed_log_cost, log_costs_by_month = _split(logs, arrivals, temp_months)
    return RouteCharges(fixed_cost, fixed_log_cost, fees_by_month, log_costs_by_month)


def _split(
    schedules: dict[str, tuple[int, ...]], arrivals: tuple[int, ...], temp_months: int
) -> tuple[int, dict[str, dict[int, int]]]:
    """(the fixed total, the month-by-month schedules of the roles whose charge varies)."""
    fixed, varying = 0, {}
    for role, schedule in schedules.items():
        if role == "arrival":  # paid when the permit is applied for, its processing before arrival
            by_month = {a: schedule[a - temp_months] for a in arrivals}
        elif _constant(schedule):
            fixed += schedule[0]
            continue
        else:
            by_month = dict(enumerate(schedule))
        if len(set(by_month.values())) > 1:
            varying[role] = by_month
        elif by_month:
            fixed += next(iter(by_month.values()))
    return fixed, varying


def _add(total: tuple[int, ...] | None, schedule: tuple[int, ...]) -> tuple[int, ...]:
    return schedule if total is None else tuple(a + b for a, b in zip(total, schedule, strict=True))


@lru_cache(maxsize=1024)
def _constant(schedule: tuple[int, ...]) -> bool:
    return len(set(schedule)) == 1


@per_book(maxsize=512)
def fee_schedule(cat: Catalogue, program_id: str, as_of: date, horizon: int, payers: Payers) -> tuple[int, ...]:
    """A program's applicant fees (:func:`planner.rules.fees.step_fees`) in each plan month 0..horizon; shared by
    plans, read-only."""
    program = cat.get(program_id)
    return tuple(step_fees(program, month_date(as_of, month), payers) for month in range(horizon + 1))


@per_book(maxsize=512)
def log_cost_schedule(cat: Catalogue, program_id: str, as_of: date, horizon: int) -> tuple[int, ...]:
    """A program step's probability cost (:func:`planner.rules.process.step_probability`) in each plan month
    0..horizon; shared, read-only."""
    program = cat.get(program_id)
    return tuple(log_cost(step_probability(program, month_date(as_of, month))) for month in range(horizon + 1))


def status_fees(
    stays: dict[int, Stay | None], decision: dict, cat: Catalogue, as_of: date, payers: Payers
) -> dict[tuple[int, int], int] | None:
    """(arrival, submission) -> fees of staying in status until the PR decision, for the pairs that can.

    The PR application must be submitted while the permit (renewed as needed, each renewal
    applied for before the permit ends) is valid; if the decision then comes after the
    permit ends, a bridging open work permit applied for at submission covers the wait
    (only after a work permit: a student's study permit must outlast the decision).
    Submission months the permit cannot reach are left out: no route may leave the person
    in Canada without status.  None when no arrival has a stay (nobody in Canada on a
    limited permit).
    """
    if all(stay is None for stay in stays.values()):
        return None
    found: dict[tuple[int, int], int] = {}
    for arrival, stay in stays.items():
        for sub, time in decision.items():
            if sub < max(arrival, 0):
                continue
            if stay is None:
                found[(arrival, sub)] = 0
            elif stay.reaches(sub) and (
                stay.can_bridge() or sub + time.median <= stay.end_after(stay.renewals_to_reach(sub))
            ):
                found[(arrival, sub)] = keeping_status_fees(stay, sub, sub + time.median, cat, as_of, payers)
    return found


def keeping_status_fees(stay: Stay, sub: int, pr: int, cat: Catalogue, as_of: date, payers: Payers) -> int:
    """Fees of the renewals that keep ``stay`` valid at submission ``sub``, and of a bridging permit if ``pr`` is later."""
    lead = status_rules().renewal_lead_months.at(as_of)
    renewals = stay.renewals_to_reach(sub)
    total = sum(
        step_fees(stay.program, month_date(as_of, stay.end_after(j) - lead), payers, renewal=True)
        for j in range(renewals)
    )
    if pr > stay.end_after(renewals):
        on = month_date(as_of, sub)
        total += step_fees(bridging_program(cat, on), on, payers)
    return total
