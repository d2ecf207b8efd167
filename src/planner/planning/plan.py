"""One plan, start to end: the person's tables, the search, and the explained answer (or why there is none)."""

from __future__ import annotations

from planner import __version__
from planner.facts.inputs import check_profile
from planner.planning.explain import (
    _assumed_residence,
    _notes,
    explain_no_route,
    mark_pareto,
    not_met_on_date,
    to_route,
)
from planner.planning.request import PlanRequest
from planner.planning.result import Exclusion, RoutePlan, current_stamp
from planner.planning.search import prepare, search
from planner.rules.process import planning


def make_plan(request: PlanRequest) -> RoutePlan:
    """Plan the best route (and alternatives) for a resolved request; see :func:`planner.api.plan`."""
    profile, as_of, horizon = request.profile, request.as_of, request.horizon
    check_profile(profile, as_of)
    _, pruned, tables, states = prepare(profile, as_of, horizon, through=-1)
    once_each = {e.program: e for e in pruned.excluded}.values()  # a program on several edges is excluded once
    excluded = [Exclusion(program=e.program, label=e.label, reasons=e.reasons) for e in once_each]
    base = dict(
        as_of=as_of,
        objective=request.objective,
        horizon_months=horizon,
        start_status=pruned.start,
        excluded=excluded,
        rules_version=f"planner {__version__}",
        stamp=current_stamp(),
    )
    if pruned.start == "permanent_resident":
        return RoutePlan(
            found=False, route=None, no_route_reasons=["you already hold permanent residence or citizenship"], **base
        )
    found = search(tables, states, horizon, request.objective, request.alternatives)
    if not found.timings:
        reasons, changes = explain_no_route(found.tables, states, pruned, profile, as_of, horizon)
        return RoutePlan(
            found=False,
            route=None,
            no_route_reasons=reasons,
            what_would_change=changes,
            notes=_notes(profile, as_of)[1:],
            **base,
        )
    routes = mark_pareto(
        [
            to_route(found.tables[t.template_index], t, states, profile, as_of).model_copy(
                update={"below_minimum_probability": rank >= found.meeting}
            )
            for rank, t in enumerate(found.timings)
        ]
    )
    notes = (
        _minimum_notes(request, found.meeting, len(routes))
        + _notes(profile, as_of)
        + _assumed_residence(routes, profile, as_of)
    )
    unmet = not_met_on_date(found.tables, routes, profile, as_of)
    changes = [f"{v.fix} (would open {e.label})" for e in unmet for v in e.reasons if v.fix]
    return RoutePlan(
        found=True,
        route=routes[0],
        alternatives=routes[1:],
        notes=notes,
        not_met_on_date=unmet,
        what_would_change=list(dict.fromkeys(changes)),
        **base,
    )


def _minimum_notes(request: PlanRequest, meeting: int, count: int) -> list[str]:
    """A note when some or all routes shown fall below the minimum probability of PR."""
    minimum = planning().min_route_probability.at(request.as_of)
    if meeting == 0:
        return [
            f"No route reaches a {minimum:.0%} probability of PR within {request.horizon} months; "
            "the routes shown are the most likely ones, however unlikely."
        ]
    if meeting < count:
        return [
            f"Only {meeting} route(s) reach a {minimum:.0%} probability of PR within {request.horizon} months; "
            "the others shown are the most likely below it (marked)."
        ]
    return []
