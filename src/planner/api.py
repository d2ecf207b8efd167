"""The library entry point: ``plan(profile, objective=..., as_of=..., rules=...) -> RoutePlan``.

Pipeline: profile → graph pruned for the person (programs ruled out, with reasons) →
route templates → month tables from the rules → CP-SAT → RoutePlan with dated steps,
each carrying the verdicts that allow it (see :mod:`planner.planning`).
"""

from __future__ import annotations

from datetime import date

from planner import memo
from planner.facts.profile import Profile
from planner.planning.plan import make_plan
from planner.planning.request import resolve_request
from planner.planning.result import RoutePlan
from planner.rules.book import RuleBook, use


def plan(
    profile: Profile,
    objective: str | None = None,
    as_of: date | None = None,
    horizon: int | None = None,
    alternatives: int = 0,
    rules: RuleBook | None = None,
) -> RoutePlan:
    """Plan the best route to permanent residence for ``profile``.

    Parameters
    ----------
    profile:
        The person's situation (see :class:`planner.facts.profile.Profile`).
    objective:
        ``fastest`` (least expected months), ``probable`` (most likely within the horizon) or
        ``cheapest`` (default: the profile's ``preferences.objective``, else ``fastest``).
    as_of:
        The date the plan starts from (default: today).
    horizon:
        Months to plan over (default: the profile's ``preferences.horizon_months``).
    alternatives:
        How many genuinely different other routes to return (different programs, not the same route shifted).
    rules:
        The rules to plan with (default: the shipped ``models/``, or ``$PLANNER_MODELS_DIR``);
        build one with ``RuleBook(path_to_models)``.  The answer's ``stamp`` names its hash.
    """
    with use(rules):
        request = resolve_request(profile, objective, as_of, horizon, alternatives)
        with memo.scope():
            return make_plan(request)
