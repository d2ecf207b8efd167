"""The search for routes: templates and tables for a person, then the CP-SAT models, deepening the horizon.

Routes must first reach the minimum route probability (``fastest`` and ``cheapest``); when
fewer than wanted do, the rest are the most likely routes of other programs
(:data:`BELOW_MINIMUM_OBJECTIVE`).  Month tables are evaluated only as the search needs
them (see :class:`~planner.planning.solver.model.RouteModel`); each evaluation returns new
tables, which the search hands on, so nothing is evaluated twice.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from planner.facts.profile import Profile
from planner.planning.charges import log_cost
from planner.planning.graph import ProfileGraph, build_graph, prune_for_profile
from planner.planning.solver.model import RouteModel, Timing
from planner.planning.states import States
from planner.planning.tables import StepTables, extend_tables, last_useful_month, start_tables
from planner.planning.templates import enumerate_templates
from planner.rules.catalogue import Catalogue, catalogue
from planner.rules.process import planning

SEARCH_STEP_MONTHS = 12
"""The fastest route is searched for within 12 months, then 24, ... up to the horizon (a search setting, not a rule)."""

BELOW_MINIMUM_OBJECTIVE = "probable"
"""How routes below the minimum probability are ranked: the most likely first (a planning choice, not a rule).

A fast route that most likely fails is the confident wrong advice a plan must not lead
with; among routes that all fall short, the one most likely to succeed is shown first."""


class Prepared(NamedTuple):
    """A person's pruned graph, route templates' month tables and projected states."""

    cat: Catalogue
    pruned: ProfileGraph
    tables: list[StepTables]
    states: States


class Found(NamedTuple):
    """The routes a search found (timings, best first), how many reach the minimum probability, and the tables
    as evaluated by then."""

    timings: list[Timing]
    meeting: int
    tables: list[StepTables]


def prepare(profile: Profile, as_of: date, horizon: int, through: int | None = None) -> Prepared:
    """Build the pruned graph, templates and month tables for a profile (shared by the search and tests).

    The tables are evaluated up to month ``through`` (default: the whole horizon); see
    :func:`planner.planning.tables.extend_tables` to evaluate further.
    """
    cat = catalogue()
    pruned = prune_for_profile(build_graph(cat, as_of), profile, as_of, cat)
    states = States(profile, as_of, cat, horizon)
    last = horizon if through is None else through
    tables = [
        extend_tables(start_tables(t, states, horizon), states, horizon, last) for t in enumerate_templates(pruned, cat)
    ]
    return Prepared(cat, pruned, tables, states)


def probability_floor(objective: str, as_of: date) -> int | None:
    """The largest route log-cost allowed for ``fastest``/``cheapest`` (None for ``probable``)."""
    if objective == "probable":
        return None
    return log_cost(planning().min_route_probability.at(as_of))


def search(tables: list[StepTables], states: States, horizon: int, objective: str, alternatives: int) -> Found:
    """The best route's timing and up to ``alternatives`` genuinely different ones, evaluating months only as needed.

    Templates whose fixed steps alone fall below the probability floor cannot reach it, so
    the first search does not evaluate their months, nor the months whose invitation cannot
    reach it (see :func:`planner.planning.tables.extend_tables`).
    """
    floor = probability_floor(objective, states.as_of)
    timings, tables = _search_with(tables, states, horizon, objective, alternatives, floor, set())
    meeting = len(timings)
    if floor is not None and meeting < alternatives + 1:
        found = {tables[t.template_index].template.programs for t in timings}
        more, tables = _search_with(
            tables, states, horizon, BELOW_MINIMUM_OBJECTIVE, alternatives - meeting, None, found
        )
        timings += more
    return Found(timings, meeting, tables)


def _search_with(
    tables: list[StepTables],
    states: States,
    horizon: int,
    objective: str,
    alternatives: int,
    max_log_cost: int | None,
    excluded: set[tuple[str, ...]],
) -> tuple[list[Timing], list[StepTables]]:
    """Up to ``alternatives + 1`` best routes of program sets not in ``excluded``, within ``max_log_cost``.

    The fastest route is looked for among routes ending within 12 months, then 24, and so
    on: a route found within ``depth`` months is faster than any ending later, so later
    months need not be evaluated (each template only up to :func:`last_useful_month`), and
    a template solved with a route at one depth keeps that optimum at the next, unevaluated
    (:meth:`RouteModel.optima`).  Other objectives look at the whole horizon.
    """
    depth = min(horizon, SEARCH_STEP_MONTHS) if objective == "fastest" else horizon
    known: dict[int, Timing] = {}  # templates already solved with a route at a shorter depth: final
    while True:

        def evaluate(table: StepTables, through: int = depth) -> StepTables:
            return extend_tables(table, states, horizon, last_useful_month(table, through), max_log_cost)

        model = RouteModel(tables, depth, objective, max_log_cost=max_log_cost, evaluate=evaluate, known=known)
        model.exclude([i for i, t in enumerate(tables) if t.template.programs in excluded])
        # Fewer program sets with any possible route than routes wanted: a deeper search is needed anyway.
        if depth < horizon and alternatives and model.possible_program_sets(alternatives + 1) < alternatives + 1:
            timings: list[Timing] = []
            if objective == "fastest":
                model.solve_possible()  # their optima are final: the deeper search need not evaluate them again
        else:
            timings = _best_timings(model, alternatives)
        tables = model.tables
        if depth == horizon or len(timings) == alternatives + 1:
            return timings, tables
        known = model.optima()
        depth = min(horizon, depth + SEARCH_STEP_MONTHS)


def _best_timings(model: RouteModel, alternatives: int) -> list[Timing]:
    """The model's best timing, then up to ``alternatives`` using other programs."""
    tables = model.tables
    timing = model.solve()
    if timing is None:
        return []
    timings = [timing]
    seen = {tables[timing.template_index].template.programs}
    for _ in range(alternatives):
        model.exclude([i for i, t in enumerate(tables) if t.template.programs in seen])
        other = model.solve()
        if other is None:
            break
        timings.append(other)
        seen.add(tables[other.template_index].template.programs)
    return timings
