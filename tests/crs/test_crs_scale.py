"""The CRS maximum in models/crs/core.yaml agrees with the grid it bounds."""

from __future__ import annotations

import pytest

from planner.rules.schema import change_dates_in
from planner.scoring import crs as crs


def _most(rows, column: str) -> int:
    return max(getattr(row, column) for row in rows)


def _grid_maximum(on, with_spouse: bool) -> int:
    """The most points the CRS tables in force on ``on`` can give, section caps applied."""
    rules = crs.crs_rules()
    core, spouse, transfer, additional = rules.core, rules.spouse, rules.transferability, rules.additional
    column = "with_spouse" if with_spouse else "without_spouse"
    second = core.second_language.at(on)
    human_capital = (
        _most(core.age.at(on), column)
        + max(getattr(pair, column) for pair in core.education.at(on).values())
        + 4 * _most(core.first_language.at(on), column)
        + min(4 * max(row.points for row in second.rows), getattr(second.cap, column))
        + _most(core.canadian_work.at(on), column)
    )
    if with_spouse:
        human_capital += (
            max(spouse.education.at(on).values())
            + 4 * max(r.points for r in spouse.language.at(on))
            + max(r.points for r in spouse.canadian_work.at(on))
        )
    return human_capital + transfer.caps.at(on).total + additional.cap.at(on)


@pytest.mark.parametrize("on", change_dates_in(crs.crs_rules()))
def test_the_grid_reaches_exactly_the_stated_maximum_with_or_without_a_spouse(on):
    assert _grid_maximum(on, with_spouse=False) == crs.maximum_total(on)
    assert _grid_maximum(on, with_spouse=True) == crs.maximum_total(on)
