"""Per-plan memory for derived facts that one plan asks for many times.

Planning a route asks the same questions about the same person over and over (hours of
work in a window, a test's levels on a date).  Inside :func:`scope` the functions
decorated with :func:`per_scope` remember their answers; outside a scope they simply
compute.  The memory lives only as long as the scope, so a long-running advisory tool
that plans for many people keeps nobody's details after their plan is made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TypeVar

R = TypeVar("R")

_active: ContextVar[dict | None] = ContextVar("planner_memo", default=None)


@contextmanager
def scope() -> Iterator[None]:
    """Remember the answers of :func:`per_scope` functions until the block ends (nested scopes share one memory)."""
    if _active.get() is not None:
        yield
        return
    token = _active.set({})
    try:
        yield
    finally:
        _active.reset(token)


def active_memory() -> dict | None:
    """The active scope's memory (None outside a scope), for callers that key answers themselves."""
    return _active.get()


def per_scope(function: Callable[..., R]) -> Callable[..., R]:
    """Decorate a pure function of hashable positional arguments so an active :func:`scope` remembers its results."""

    @wraps(function)
    def remembered(*args) -> R:
        memory = _active.get()
        if memory is None:
            return function(*args)
        key = (function, args)
        try:
            return memory[key]
        except KeyError:
            found = memory[key] = function(*args)
            return found

    return remembered
