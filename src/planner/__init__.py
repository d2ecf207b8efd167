"""planner: plans immigration routes to Canadian permanent residence from dated, cited rules.

The library API is small::

    from planner import plan, load_profile, parse_profile
    result = plan(load_profile("profile.json"), objective="fastest")

Names are imported on first use, so ``import planner`` stays light (OR-Tools loads only
when :func:`plan` is called).
"""

from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "plan": "planner.api",
    "load_profile": "planner.facts.profile",
    "parse_profile": "planner.facts.profile",
    "Profile": "planner.facts.profile",
    "RoutePlan": "planner.planning.result",
    "PlannerError": "planner.errors",
    "InputError": "planner.errors",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")
