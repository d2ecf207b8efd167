"""Health checks over the program catalogue: stale verification dates, dated values, graph reachability.

These functions only read a loaded :class:`~planner.rules.catalogue.Catalogue`; the tests in
``tests/programs/`` and ``planner check-models`` use them to police the data itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import date

from pydantic import BaseModel

from planner.dates import add_months
from planner.rules.catalogue import Catalogue
from planner.rules.schema import Dated, DatedValue


def stale_programs(cat: Catalogue, on: date, months: int = 12) -> list[tuple[str, date]]:
    """Programs whose ``last_verified`` is more than ``months`` months before ``on``, oldest first.

    >>> from planner.rules.catalogue import catalogue
    >>> stale_programs(catalogue(), date(2026, 11, 25))
    []
    """
    cutoff = add_months(on, -months)
    found = [(program.id, program.last_verified) for program in cat.programs if program.last_verified < cutoff]
    return sorted(found, key=lambda item: (item[1], item[0]))


def dated_values(model: BaseModel, path: str = "") -> Iterator[tuple[str, date, DatedValue]]:
    """Every dated value inside ``model`` (recursively), as ``(key path, effective date, value)``."""
    if isinstance(model, Dated):
        for effective, value in model.values.items():
            yield path, effective, value
            if isinstance(value.value, BaseModel):
                yield from dated_values(value.value, f"{path}.values.{effective}.value")
    for name in type(model).model_fields:
        child = getattr(model, name)
        children = child if isinstance(child, list) else [child]
        for index, item in enumerate(children):
            if isinstance(item, BaseModel):
                key = getattr(item, "id", None) or (f"{name}[{index}]" if isinstance(child, list) else name)
                yield from dated_values(item, f"{path}.{key}" if path else key)


def edges(cat: Catalogue) -> list[tuple[str, str, str, str]]:
    """Every transition with wildcards expanded, as ``(source, target, step, program id)``."""
    found = []
    for program in cat.programs:
        for transition in program.transitions:
            for source in dict.fromkeys(s for node in transition.from_statuses for s in cat.expand(node)):
                for target in cat.expand(transition.to):
                    found.append((source, target, transition.step, program.id))
    return found


def reachable(cat: Catalogue, start: str) -> set[str]:
    """Statuses reachable from ``start`` through the programs' transitions (``start`` included)."""
    following: dict[str, set[str]] = {}
    for source, target, _, _ in edges(cat):
        following.setdefault(source, set()).add(target)
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in following.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
