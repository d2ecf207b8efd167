"""Laws that hold for every profile: CP-SAT routes are valid, and optimal (equal to an exhaustive search)."""

from __future__ import annotations

import math
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.api import plan
from planner.facts.profile import parse_profile
from planner.planning import search
from planner.planning.charges import LOG_SCALE
from planner.planning.explain import to_route
from planner.planning.search import BELOW_MINIMUM_OBJECTIVE, _best_timings, prepare, probability_floor
from planner.planning.solver.model import RouteModel
from planner.planning.solver.reference import best_objective
from planner.planning.validate import validate_plan

from .strategies import AS_OF, PLAN_DATES, profiles, shifted

EXAMPLES = int(os.environ.get("PLANNER_PROPERTY_EXAMPLES", "500"))
VALIDITY_EXAMPLES = int(os.environ.get("PLANNER_VALIDITY_EXAMPLES", "2000"))
"""Random profiles whose routes must all pass the validator (PLANNER_VALIDITY_EXAMPLES=10000 for a larger run)."""
HORIZON = 30


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(profiles(), st.sampled_from(["fastest", "probable", "cheapest"]), st.sampled_from(PLAN_DATES))
def test_cp_sat_optimum_equals_exhaustive_search(data, objective, as_of):
    """With the objective's probability floor and without it (as plan() relaxes it when no route meets it)."""
    profile = parse_profile(shifted(data, as_of))
    _, _, tables, states = prepare(profile, as_of, HORIZON)
    for floor in dict.fromkeys([probability_floor(objective, as_of), None]):
        model = RouteModel(tables, HORIZON, objective, max_log_cost=floor)
        timing = model.solve()
        reference = best_objective(tables, HORIZON, objective, max_log_cost=floor)
        if reference is None:
            assert timing is None
            continue
        assert timing is not None
        assert model_primary(tables, timing, objective) == reference[0]
        assert timing.objective == reference[1]
        # The route reported is the one optimised: its fees and probability are the solver's.
        route = to_route(tables[timing.template_index], timing, states, profile, as_of)
        assert route.cost_cad == timing.cost
        assert math.isclose(route.probability, math.exp(-timing.log_cost / LOG_SCALE), rel_tol=0.01, abs_tol=1e-4)
        if timing.retake is not None:  # in hand before the originals expire, unless that could not cover the last step
            t = tables[timing.template_index]
            missed = [
                m
                for m in (timing.pool, timing.nomination, timing.submission)
                if m is not None and m >= t.language_expiry
            ]
            covers_last = max(missed) - t.retake_months - t.retake_validity + 1
            assert timing.retake == max(0, covers_last, t.language_expiry - 1 - t.retake_months)
            assert covers_last <= timing.retake and timing.retake + t.retake_months <= min(missed)  # within the model


def model_primary(tables, timing, objective):
    return {"fastest": timing.pr, "probable": timing.log_cost, "cheapest": timing.cost}[objective]


@settings(max_examples=VALIDITY_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(profiles(), st.sampled_from(["fastest", "probable", "cheapest"]), st.sampled_from(PLAN_DATES))
def test_every_route_is_valid_against_the_rules(data, objective, as_of):
    """No route, and no alternative, leaves the person out of status, breaks a requirement or a deadline."""
    profile = parse_profile(shifted(data, as_of))
    result = plan(profile, objective=objective, as_of=as_of, horizon=HORIZON, alternatives=1)
    for route in [result.route, *result.alternatives] if result.found else []:
        problems = validate_plan(result.model_copy(update={"route": route}), profile)
        assert problems == [], problems
    if not result.found:
        assert result.no_route_reasons, "a 'no route' answer must say why"


@settings(
    max_examples=max(50, EXAMPLES // 5), deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(profiles(), st.sampled_from(["fastest", "probable", "cheapest"]))
def test_plan_evaluating_months_as_needed_finds_the_routes_of_a_full_search(data, objective):
    """plan() evaluates months only as far as its search needs; its routes must be the full-horizon search's.

    The search step is shortened to 3 months so random profiles cross many steps.
    """
    profile = parse_profile(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SEARCH_STEP_MONTHS", 3)
        result = plan(profile, objective=objective, as_of=AS_OF, horizon=HORIZON, alternatives=2)
    _, _, tables, _ = prepare(profile, AS_OF, HORIZON)
    floor = probability_floor(objective, AS_OF)
    timings = _best_timings(RouteModel(tables, HORIZON, objective, max_log_cost=floor), 2)
    if len(timings) < 3 and floor is not None:  # the rest: the most likely below the floor, of other programs
        relaxed = RouteModel(tables, HORIZON, BELOW_MINIMUM_OBJECTIVE)
        found = {tables[t.template_index].template.programs for t in timings}
        relaxed.exclude([i for i, t in enumerate(tables) if t.template.programs in found])
        timings += _best_timings(relaxed, 2 - len(timings))
    expected = [
        (tables[t.template_index].template.programs, t.pr, model_primary(tables, t, objective)) for t in timings
    ]
    routes = [result.route, *result.alternatives] if result.found else []
    primary = {"fastest": lambda r: r.expected_months, "probable": lambda r: None, "cheapest": lambda r: r.cost_cad}
    got = [(tuple(r.programs), r.expected_months, primary[objective](r)) for r in routes]
    if objective == "probable":  # the log-cost primary is not on the route; compare programs and months
        expected = [e[:2] + (None,) for e in expected]
    assert got == expected
    meeting = sum(1 for t in timings if floor is None or t.log_cost <= floor)
    assert [r.below_minimum_probability for r in routes] == [rank >= meeting for rank in range(len(routes))]


@settings(
    max_examples=max(50, EXAMPLES // 10), deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(profiles(), st.sampled_from(["fastest", "probable", "cheapest"]))
def test_no_route_uses_a_month_after_the_last_useful_one_for_its_pr_month(data, objective):
    """The search evaluates months only up to :func:`last_useful_month` of its depth; that bound must hold
    for every template's optimal route: each entry month (pool, nomination, wait start) is at most
    ``last_useful_month(table, pr)``.  Routes often meet it exactly (a base nomination processed in the
    least time), so a bound one month too tight fails here."""
    from planner.planning.tables import last_useful_month

    profile = parse_profile(data)
    _, _, tables, _ = prepare(profile, AS_OF, HORIZON)
    for index, table in enumerate(tables):
        model = RouteModel(tables, HORIZON, objective)
        model.exclude([i for i in range(len(tables)) if i != index])
        timing = model.solve()
        if timing is None:
            continue
        used = [m for m in (timing.pool, timing.nomination, timing.wait_start) if m is not None]
        assert all(m <= last_useful_month(table, timing.pr) for m in used), (table.template.programs, timing)
