"""What a plan is asked for, with every default resolved in one place.

``objective`` defaults to the profile's preference, else ``fastest``; ``as_of`` to today;
``horizon`` to the profile's ``horizon_months``.  Every caller (the library, the CLI, the
HTTP service) goes through :func:`resolve_request`, so the defaults cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.errors import InputError
from planner.facts.inputs import check_as_of, check_plan_arguments
from planner.facts.profile import Profile
from planner.planning.solver.model import OBJECTIVES

DEFAULT_OBJECTIVE = "fastest"


@dataclass(frozen=True)
class PlanRequest:
    """A checked request for a plan: whose, what to optimise, from when, over how long, with how many alternatives."""

    profile: Profile
    objective: str
    as_of: date
    horizon: int
    alternatives: int = 0


def resolve_request(
    profile: Profile,
    objective: str | None = None,
    as_of: date | None = None,
    horizon: int | None = None,
    alternatives: int = 0,
) -> PlanRequest:
    """Fill in the defaults and check every argument (InputError naming the argument and the fix)."""
    if objective is None:
        objective = profile.preferences.objective if isinstance(profile, Profile) else None
        objective = objective or DEFAULT_OBJECTIVE
    if objective not in OBJECTIVES:
        raise InputError(
            f"unknown objective {objective!r}", field="objective", hint=f"use one of {', '.join(OBJECTIVES)}"
        )
    as_of = date.today() if as_of is None else as_of
    check_plan_arguments(profile, objective, as_of, horizon, alternatives)
    horizon = profile.preferences.horizon_months if horizon is None else horizon
    return PlanRequest(
        profile=profile,
        objective=objective,
        as_of=check_as_of(as_of, "as_of"),
        horizon=horizon,
        alternatives=alternatives,
    )
